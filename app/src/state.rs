//! The server's shared state, reached through [`app_state`] in server functions.

use crate::accounts::oidc::Registry;
use crate::accounts::service::AfterSignIn;
use crate::error::AppError;
use crate::media::service::Media;
use axum::extract::FromRef;
use leptos::prelude::{LeptosOptions, use_context};
use payments::Payments;
use search::SearchIndex;
use sqlx::PgPool;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
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
    pub after_sign_in: &'static [AfterSignIn],
}

impl AppState {
    pub fn new(
        leptos_options: LeptosOptions,
        db: PgPool,
        config: AppConfig,
        search: Arc<SearchIndex>,
        media: Arc<Media>,
        payments: Arc<Payments>,
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
        }
    }

    /// Run `steps` whenever a browser signs in.
    #[must_use]
    pub fn after_sign_in(mut self, steps: &'static [AfterSignIn]) -> Self {
        self.after_sign_in = steps;
        self
    }
}

/// The only source of "now" for the app's rules, Shop and Hire alike (shift starts,
/// cancellation notice, auto-approval, reservations, which lots may still be sold): the system
/// clock, moved forward only by the dev clock in local development so browser tests can reach a
/// shift's end without waiting for it, or pinned to one instant in tests.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
    pinned: Option<chrono::DateTime<chrono::Utc>>,
}

impl Clock {
    /// A clock that stands at `at` (plus any offset) whatever the time of day.
    pub fn pinned(at: chrono::DateTime<chrono::Utc>) -> Self {
        Clock {
            offset_secs: Arc::default(),
            pinned: Some(at),
        }
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.pinned.unwrap_or_else(chrono::Utc::now)
            + chrono::Duration::seconds(self.offset_secs.load(Ordering::Relaxed))
    }

    /// Today's date (UTC), which decides which lots may still be sold.
    pub fn today(&self) -> chrono::NaiveDate {
        self.now().date_naive()
    }

    /// Move this clock `by` ahead (zero: back in step).
    pub fn set_offset(&self, by: chrono::Duration) {
        self.offset_secs.store(by.num_seconds(), Ordering::Relaxed);
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
            oidc_providers: Vec::new(),
            matching: crate::hire::matching::Settings::default(),
        }
    }

    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }
}

/// One OpenID Connect provider: `OLIVINE_OIDC_<ID>_{ISSUER,CLIENT_ID,CLIENT_SECRET,NAME}`.
#[derive(Clone, Debug)]
pub struct OidcProviderConfig {
    pub id: String,
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Secret,
}

/// A value that must never be printed: Debug and Display show a placeholder.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state the router provides to every page and server function. Missing state is a
/// wiring bug; it is reported as an internal error instead of a panic.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
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
