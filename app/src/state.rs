//! The server's shared state, reached through [`app_state`] in server functions.

use crate::accounts::hooks::AfterSignIn;
use crate::accounts::oidc::{OidcProviderConfig, Registry};
use crate::blobs::BlobStore;
pub use crate::clock::Clock;
use crate::error::AppError;
use crate::media::service::Media;
use crate::notifications::live::Hub;
use crate::orders::hooks::{WhenPaid, WhenRefunded, WhenReleased};
use crate::privacy::Holding;
use crate::reviews::hooks::WhenDecided;
use crate::vault::Vault;
use axum::extract::FromRef;
use leptos::prelude::{LeptosOptions, use_context};
use payments::Payments;
use search::SearchIndex;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: PgPool,
    pub config: Arc<AppConfig>,
    pub oidc: Arc<Registry>,
    /// This node's replica of the catalog search index.
    pub search: Arc<SearchIndex>,
    /// Product images: the pipeline and the store their files live in.
    pub media: Arc<Media>,
    /// Stripe (or, locally, the Stripe emulator).
    pub payments: Arc<Payments>,
    /// The time every rule sees.
    pub clock: Clock,
    /// What other domains do when a browser signs in.
    pub after_sign_in: &'static [AfterSignIn<AppState>],
    /// What other domains do in the transaction that books an order's payment.
    pub when_paid: &'static [WhenPaid],
    /// What other domains do in the transaction that books a refund.
    pub when_refunded: &'static [WhenRefunded],
    /// What other domains do in the transaction that gives up an unpaid order.
    pub when_released: &'static [WhenReleased],
    /// What other domains do in the transaction that publishes or rejects a review.
    pub when_review_decided: &'static [WhenDecided],
    /// What each domain puts in a person's data download.
    pub holdings: &'static [Holding],
    /// The WebSockets open on this node, waiting for their person's notifications.
    pub live: Arc<Hub>,
    /// Where the audit chain's checkpoints are written (in memory unless configured).
    pub audit_checkpoints: BlobStore,
    /// Personal data sealed with each person's key, under the master key.
    pub vault: Arc<Vault>,
    /// Certificate documents, sealed (in memory unless configured).
    pub restricted: BlobStore,
}

impl AppState {
    pub fn new(
        leptos_options: LeptosOptions,
        db: PgPool,
        config: AppConfig,
        search: Arc<SearchIndex>,
        media: Arc<Media>,
        payments: Arc<Payments>,
        vault: Arc<Vault>,
    ) -> Self {
        let oidc = Arc::new(Registry::new(config.oidc_providers.clone()));
        AppState {
            leptos_options,
            db,
            config: Arc::new(config),
            oidc,
            search,
            media,
            payments,
            clock: Clock::default(),
            after_sign_in: &[],
            when_paid: &[],
            when_refunded: &[],
            when_released: &[],
            when_review_decided: &[],
            holdings: &[],
            live: Arc::new(Hub::default()),
            audit_checkpoints: BlobStore::in_memory(),
            vault,
            restricted: BlobStore::in_memory(),
        }
    }

    /// Keep certificate documents in `store`.
    #[must_use]
    pub fn restricted(mut self, store: BlobStore) -> Self {
        self.restricted = store;
        self
    }

    /// Write the audit chain's checkpoints to `store`.
    #[must_use]
    pub fn audit_checkpoints(mut self, store: BlobStore) -> Self {
        self.audit_checkpoints = store;
        self
    }

    /// Run `steps` whenever a browser signs in.
    #[must_use]
    pub fn after_sign_in(mut self, steps: &'static [AfterSignIn<AppState>]) -> Self {
        self.after_sign_in = steps;
        self
    }

    /// Run `steps` in the transaction that books an order's payment.
    #[must_use]
    pub fn when_paid(mut self, steps: &'static [WhenPaid]) -> Self {
        self.when_paid = steps;
        self
    }

    /// Run `steps` in the transaction that books a refund.
    #[must_use]
    pub fn when_refunded(mut self, steps: &'static [WhenRefunded]) -> Self {
        self.when_refunded = steps;
        self
    }

    /// Run `steps` in the transaction that gives up an unpaid order.
    #[must_use]
    pub fn when_released(mut self, steps: &'static [WhenReleased]) -> Self {
        self.when_released = steps;
        self
    }

    /// Gather a person's data download from, and erase them through, `holdings`.
    #[must_use]
    pub fn holdings(mut self, holdings: &'static [Holding]) -> Self {
        self.holdings = holdings;
        self
    }

    /// Run `steps` in the transaction that publishes, holds or rejects a review.
    #[must_use]
    pub fn when_review_decided(mut self, steps: &'static [WhenDecided]) -> Self {
        self.when_review_decided = steps;
        self
    }
}

/// What the app's domains need from configuration (the server reads it from the environment).
#[derive(Clone, Debug)]
pub struct AppConfig {
    /// Where people reach the site, for links in emails and OpenID redirects; no trailing slash.
    pub public_url: String,
    /// Local development: the dev mailbox is visible and cookies are not `Secure`.
    pub dev_mode: bool,
    /// A signed-in device is signed out after this long without a request…
    pub login_idle: Duration,
    /// …and after this long in any case (ASVS 3.3.2: 30 minutes idle, 12 hours absolute).
    pub login_absolute: Duration,
    pub reset_link_ttl: Duration,
    pub invitation_ttl: Duration,
    /// Submitted timesheets nobody answers are approved after this long.
    pub timesheet_auto_approve: Duration,
    /// An offer the freelancer leaves unanswered this long expires and frees its seat.
    pub offer_expiry: Duration,
    /// Hire's platform fee on the pay it releases, in hundredths of a percent (1000: 10 %).
    pub hire_fee_basis_points: u32,
    /// A booking still unpaid this long before its start is released.
    pub funding_deadline: Duration,
    /// Either side of a dispute may ask Olivine to decide once it is this old.
    pub dispute_escalation: Duration,
    /// Months a certificate's document is kept after the certificate expired.
    pub certificate_retention_months: u32,
    pub oidc_providers: Vec<OidcProviderConfig>,
    /// The matching engine's weights and search settings.
    pub matching: crate::hire::matching::Settings,
}

impl AppConfig {
    /// Local defaults, as a developer's machine runs them.
    pub fn local(public_url: String) -> Self {
        AppConfig {
            public_url,
            dev_mode: true,
            login_idle: Duration::from_secs(30 * 60),
            login_absolute: Duration::from_secs(12 * 60 * 60),
            reset_link_ttl: Duration::from_secs(60 * 60),
            invitation_ttl: Duration::from_secs(7 * 24 * 60 * 60),
            timesheet_auto_approve: Duration::from_secs(72 * 60 * 60),
            offer_expiry: Duration::from_secs(48 * 60 * 60),
            hire_fee_basis_points: 1000,
            funding_deadline: Duration::from_secs(12 * 60 * 60),
            dispute_escalation: Duration::from_secs(3 * 24 * 60 * 60),
            certificate_retention_months: 6,
            oidc_providers: Vec::new(),
            matching: crate::hire::matching::Settings::default(),
        }
    }

    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state the router provides to every page and server function. Missing state is a
/// wiring bug; it is reported as an internal error instead of a panic.
#[track_caller]
pub fn app_state() -> Result<AppState, AppError> {
    let caller = std::panic::Location::caller();
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!(%caller, "AppState missing from the Leptos context");
        AppError::Internal
    })
}

/// The dev-only endpoints (the mailbox, the Hire clock): there only in local development, and
/// only for a client on this machine (the TCP peer, never a forwarded address). Anyone else
/// gets a 404, as if they did not exist.
pub async fn dev_tools() -> Result<AppState, AppError> {
    let state = app_state()?;
    let peer = leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .ok()
        .map(|axum::extract::ConnectInfo(addr)| addr.ip().to_canonical());
    if state.config.dev_mode && peer.is_some_and(|ip| ip.is_loopback()) {
        Ok(state)
    } else {
        Err(AppError::NotFound.with_status())
    }
}
