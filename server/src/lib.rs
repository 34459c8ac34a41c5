//! The `olivine` server: configuration, start-up, the HTTP router and CLI subcommands.

// Leptos view types nest deeply; computing their layout needs more than the default 128.
#![recursion_limit = "512"]

pub mod config;
mod http;
pub mod jobs;
pub mod match_data;
pub mod seed;

/// This node's listener for live notifications (serve starts it; tests start their own).
pub use http::live::listen as listen_for_notifications;
/// Sessions made without a request (the realtime benchmark's thousands of people).
pub use http::session_store::signed_in_cookie;

use anyhow::Context;
use app::blobs::BlobStore;
use app::media::service::Media;
use app::state::AppState;
use app::vault::Vault;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::http::{HeaderName, Request, StatusCode};
use axum::middleware;
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use config::{Config, Environment};
use http::session_store::{self, PostgresStore};
use http::{
    assets, certificate_files, guard, headers, media_files, oidc_callback, photo_upload,
    stripe_webhook,
};
use jobs::search_sync;
use leptos::prelude::LeptosOptions;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use std::net::SocketAddr;
use std::os::unix::fs::OpenOptionsExt;
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("olivine")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .reload_port(config.reload_port)
        // cargo-leptos names the built files by content hash and says so in hash.txt.
        .hash_files(assets::hash_file_exists())
        .env(match config.environment {
            Environment::Dev => leptos::config::Env::DEV,
            Environment::Prod => leptos::config::Env::PROD,
        })
        .build()
}

pub async fn connect(config: &Config) -> anyhow::Result<PgPool> {
    pool_options(config)
        .connect(config.database_url.expose())
        .await
        .context("cannot connect to the database (check OLIVINE_DATABASE_URL, or run `cargo xtask db start`)")
}

fn pool_options(config: &Config) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(config.db_max_connections)
        .acquire_timeout(Duration::from_secs(5))
}

/// No statement a request or job runs may take longer than this, and no transaction may sit
/// idle longer than that (the command-line tools, which migrate and seed, have no such limit).
pub const STATEMENT_TIMEOUT: &str = "30s";
pub const IDLE_IN_TRANSACTION_TIMEOUT: &str = "120s";

/// The pool `serve` uses: every connection carries the statement and idle-transaction limits.
pub async fn connect_for_serving(config: &Config) -> anyhow::Result<PgPool> {
    pool_options(config)
        .after_connect(|conn, _| {
            Box::pin(async move {
                // One statement each: a prepared statement holds a single command.
                for setting in [
                    format!("SET statement_timeout = '{STATEMENT_TIMEOUT}'"),
                    format!("SET idle_in_transaction_session_timeout = '{IDLE_IN_TRANSACTION_TIMEOUT}'"),
                ] {
                    sqlx::query(&setting).execute(&mut *conn).await?;
                }
                Ok(())
            })
        })
        .connect(config.database_url.expose())
        .await
        .context("cannot connect to the database (check OLIVINE_DATABASE_URL, or run `cargo xtask db start`)")
}

/// How long a request may take: pages and server functions…
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// …and uploads, whose bodies may arrive slowly over a phone's connection.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(120);
/// After a stop signal, open requests get this long to finish.
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(25);

/// The app's state for this configuration and pool.
///
/// Its search index lives in memory and starts empty: for tests and one-off commands. `serve`
/// opens the node's index on disk instead ([`search_sync::open`]).
pub fn app_state(config: &Config, db: PgPool) -> anyhow::Result<AppState> {
    let index = search::SearchIndex::in_memory().context("cannot create the search index")?;
    app_state_with(config, db, Arc::new(index))
}

pub fn app_state_with(
    config: &Config,
    db: PgPool,
    search: Arc<search::SearchIndex>,
) -> anyhow::Result<AppState> {
    Ok(AppState::new(
        leptos_options(config),
        db,
        config.app_config(),
        search,
        media_service(config)?,
        Arc::new(
            payments::Payments::new(config.payments.clone())
                .context("cannot set up payments (STRIPE_* / OLIVINE_STRIPE_API_BASE)")?,
        ),
        Arc::new(vault(config)?),
    )
    .after_sign_in(app::AFTER_SIGN_IN)
    .when_paid(app::WHEN_PAID)
    .when_refunded(app::WHEN_REFUNDED)
    .when_released(app::WHEN_RELEASED)
    .when_review_decided(app::WHEN_REVIEW_DECIDED)
    .holdings(app::HOLDINGS)
    .audit_checkpoints(
        BlobStore::open(config.audit_checkpoints.clone())
            .context("cannot open the audit checkpoint store (OLIVINE_AUDIT_CHECKPOINTS)")?,
    )
    .restricted(
        BlobStore::open(config.restricted_store.clone())
            .context("cannot open the restricted document store (OLIVINE_RESTRICTED_STORE)")?,
    ))
}

/// Seal the personal data an older version kept in the clear (people's email addresses and
/// names, orders' buyers, subscriptions' delivery addresses, invitations' and providers'
/// addresses), and forget the mail it kept once sent; how many rows.
/// `olivine migrate` runs it after the migrations, and `serve` before it takes requests, so no
/// reader meets a row half moved.
pub async fn seal_clear_personal_data(db: &PgPool, vault: &Vault) -> anyhow::Result<u64> {
    let mut conn = db.acquire().await.context("cannot reach the database")?;
    let people = app::accounts::repo::seal_clear_identities(&mut conn, vault)
        .await
        .context("cannot seal the addresses and names kept in the clear")?;
    let buyers = app::orders::repo::seal_clear_buyers(&mut conn, vault)
        .await
        .context("cannot seal the orders' buyers kept in the clear")?;
    let deliveries = app::subscriptions::repo::seal_clear_ship_tos(&mut conn, vault)
        .await
        .context("cannot seal the subscriptions' addresses kept in the clear")?;
    let invitations = app::accounts::repo::seal_clear_invitations(&mut conn, vault)
        .await
        .context("cannot seal the invitations' addresses kept in the clear")?;
    let providers = app::accounts::repo::seal_clear_provider_emails(&mut conn, vault)
        .await
        .context("cannot seal the providers' addresses kept in the clear")?;
    let mail = app::notifications::email::forget_clear_sent(&mut conn, vault)
        .await
        .context("cannot hash the addresses of the mail kept in the clear")?;
    Ok(people + buyers + deliveries + invitations + providers + mail)
}

/// The master key: `OLIVINE_MASTER_KEY`, or in dev without one a key kept in the data
/// directory (`master.key`, made on first start, readable by this user only).
pub fn vault(config: &Config) -> anyhow::Result<Vault> {
    let vault = current_vault(config)?;
    Ok(match &config.previous_master_key {
        Some(previous) => vault.with_previous(
            &app::vault::key_from_base64(previous.expose())
                .map_err(|why| anyhow::anyhow!("OLIVINE_MASTER_KEY_PREVIOUS: {why}"))?,
        ),
        None => vault,
    })
}

fn current_vault(config: &Config) -> anyhow::Result<Vault> {
    if let Some(key) = &config.master_key {
        return Vault::from_base64(key.expose())
            .map_err(|why| anyhow::anyhow!("OLIVINE_MASTER_KEY: {why}"));
    }
    let path = config.data_dir.join("master.key");
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create {}", config.data_dir.display()))?;
    let key: [u8; 32] = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
    {
        Ok(mut file) => {
            let key = Vault::generate_key();
            std::io::Write::write_all(&mut file, &key)
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write {}", path.display()))?;
            tracing::info!(path = %path.display(), "made a development master key");
            key
        }
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            let bytes =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            bytes
                .try_into()
                .map_err(|_| anyhow::anyhow!("{} is not a 32-byte key", path.display()))?
        }
        Err(error) => {
            return Err(error).with_context(|| format!("cannot create {}", path.display()));
        }
    };
    Ok(Vault::new(&key))
}

/// The image pipeline over the configured store.
pub fn media_service(config: &Config) -> anyhow::Result<Arc<Media>> {
    let store = BlobStore::open(config.media_store.clone())
        .context("cannot open the image store (OLIVINE_MEDIA_STORE / OLIVINE_DATA_DIR)")?;
    Ok(Media::new(store))
}

/// How long a browser session (a guest cart, later) lives without a visit. Being signed in is
/// shorter and tracked separately (`user_logins`).
const SESSION_INACTIVITY: time::Duration = time::Duration::days(30);

/// The app's page routes, generated once per process.
///
/// Generating them renders the app once with resource loading switched off by a flag that is
/// global to the process (leptos_server's `SuppressResourceLoad`). A page whose resource first
/// runs while any thread is generating waits for it forever (leptos-rs/leptos#4773): that was
/// the intermittent `GET /` stall of the server tests, whose parallel tests each built a router
/// while others rendered pages. Generated once, before any router exists, the window never
/// overlaps a render.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}

/// The whole HTTP surface: system endpoints, the Leptos pages and server functions, static files.
pub fn router(state: AppState, trust_proxy: bool) -> Router {
    let routes = page_routes();
    let shell_options = state.leptos_options.clone();
    let production = !state.config.dev_mode;
    let sessions = SessionManagerLayer::new(PostgresStore::new(state.db.clone()))
        .with_name(session_store::COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(production)
        .with_expiry(Expiry::OnInactivity(SESSION_INACTIVITY));
    let uploads = Router::new()
        .route(
            "/admin/product-photos/{product}",
            post(photo_upload::upload)
                .layer(DefaultBodyLimit::max(photo_upload::MAX_REQUEST_BYTES)),
        )
        .route(
            "/hire/certificates",
            post(certificate_files::upload)
                .layer(DefaultBodyLimit::max(certificate_files::MAX_REQUEST_BYTES)),
        )
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            UPLOAD_TIMEOUT,
        ));
    let pkg = std::path::Path::new(&*state.leptos_options.site_root)
        .join(&*state.leptos_options.site_pkg_dir);
    let assets = assets::Assets::load(&pkg).unwrap_or_else(|error| {
        tracing::error!(%error, dir = %pkg.display(), "cannot read the site's assets");
        assets::Assets::default()
    });
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/pkg/{*name}", get(assets::serve).with_state(assets))
        .route("/readyz", get(readyz))
        .route("/auth/oidc/{provider}/callback", get(oidc_callback::callback))
        .route("/media/{*key}", get(media_files::rendition))
        .route(
            "/webhooks/stripe",
            post(stripe_webhook::receive).layer(DefaultBodyLimit::max(stripe_webhook::MAX_BODY_BYTES)),
        )
        .route(
            "/hire/certificates/{id}/document",
            get(certificate_files::document),
        )
        .route(http::billing_export::PATH, get(http::billing_export::download))
        .route(http::audit_export::PATH, get(http::audit_export::download))
        .route(http::data_export::PATH, get(http::data_export::download))
        .route("/ws", get(http::live::socket))
        .route(http::unsubscribe::PATH, post(http::unsubscribe::one_click))
        .leptos_routes(&state, routes, move || app::shell(shell_options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(app::shell))
        // Everything above; the uploads below have their own, longer limit.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .merge(uploads)
        .with_state(state)
        .layer(sessions)
        .layer(middleware::from_fn(move |req, next| {
            headers::security_headers(production, req, next)
        }))
        .layer(middleware::from_fn(guard::same_origin_writes))
        .layer(middleware::from_fn(move |req, next| {
            guard::client_ip(trust_proxy, req, next)
        }))
        // Pages and server-function answers go out compressed (assets already are; images
        // are left alone).
        .layer(CompressionLayer::new())
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let request_id = req
                .headers()
                .get(&REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// Ready when the database answers within a second.
async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    let ping = sqlx::query_scalar!("SELECT 1 AS \"one!\"").fetch_one(&state.db);
    match tokio::time::timeout(Duration::from_secs(1), ping).await {
        Ok(Ok(_)) => (StatusCode::OK, "ready"),
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness check: database error");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database timeout"),
    }
}

pub async fn serve(config: Config) -> anyhow::Result<()> {
    let db = connect_for_serving(&config).await?;
    let synced = search_sync::open(&config, &db).await?;
    let state = app_state_with(&config, db.clone(), synced.index.clone())?;
    let sealed = seal_clear_personal_data(&db, &state.vault).await?;
    if sealed > 0 {
        tracing::info!(sealed, "sealed addresses and names kept in the clear");
    }
    tokio::spawn(search_sync::run(db.clone(), synced));
    tokio::spawn(http::live::listen(state.clone()));
    let transport = jobs::mail::Transport::from_config(&config)?;
    if matches!(transport, jobs::mail::Transport::Mailbox) {
        tracing::info!("no OLIVINE_SMTP_URL: outgoing mail goes to the dev mailbox");
    }
    let embedder = jobs::hire::load_embedder(&config, &state.db).await?;
    let mut runner = jobs::Runner::new(db.clone())
        .with(jobs::mail::EmailRelay::new(
            db.clone(),
            state.vault.clone(),
            transport,
        ))
        .with(jobs::mail::NotificationMail::new(state.clone()))
        .with(jobs::mail::NotificationDigest::new(state.clone()))
        .with(jobs::shop::Housekeeping::new(state.clone()))
        .with(jobs::audit::AuditCheckpoint::new(state.clone()))
        .with(jobs::shop::UnpaidOrderExpiry::new(state.clone()))
        .with(jobs::shop::BackInStock::new(state.clone()))
        .with(jobs::shop::StripeEventRetry::new(state.clone()))
        .with(jobs::shop::Renewals::new(state.clone()))
        .with(jobs::shop::RenewalReminders::new(state.clone()))
        .with(jobs::shop::PointsExpiry::new(state.clone()))
        .with(jobs::hire::ApplicationExpiry::new(state.clone()))
        .with(jobs::hire::AutoApproval::new(state.clone()))
        .with(jobs::hire::RestrictedDocuments::new(state.clone()))
        .with(jobs::hire::CertificateRetention::new(state.clone()))
        .with(jobs::privacy::DataExports::new(state.clone()))
        .with(jobs::privacy::DataExportRemoval::new(state.clone()))
        .with(jobs::privacy::Erasures::new(state.clone()))
        .with(jobs::privacy::RetentionExpiry::new(state.clone()))
        .with(jobs::escrow::Settlement::new(state.clone()))
        .with(jobs::escrow::Funding::new(state.clone()))
        .with(jobs::escrow::FundingDeadline::new(state.clone()))
        .with(jobs::escrow::Refunds::new(state.clone()))
        .with(jobs::escrow::Payouts::new(state.clone()))
        .with(jobs::escrow::Reconciliation::new(state.clone()))
        .with(jobs::hire::Embeddings::new(db.clone(), embedder));
    if config.avif_worker {
        runner = runner.with(jobs::catalog::AvifRenditions::new(
            db.clone(),
            state.media.clone(),
        ));
    }
    runner.start();
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} (set OLIVINE_ADDR to another address)",
                config.addr
            )
        })?;
    let addr = listener.local_addr().context("listener has no address")?;
    // Streamed pages are written in several chunks; without TCP_NODELAY they can stall on
    // delayed ACKs (~40 ms each).
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::warn!(%error, "cannot set TCP_NODELAY");
        }
    });
    tracing::info!("Olivine is serving at http://{addr}");
    let app = router(state, config.trust_proxy).into_make_service_with_connect_info::<SocketAddr>();
    let (stopping, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown_signal().await;
        let _ = stopping.send(());
    });
    // Open requests get SHUTDOWN_DEADLINE to finish once the signal came; then the process
    // stops anyway, so an orchestrator's own kill never has to.
    let deadline = async {
        if stopped.await.is_ok() {
            tokio::time::sleep(SHUTDOWN_DEADLINE).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        served = server => served.context("server error")?,
        () = deadline => {
            tracing::warn!("requests still open {SHUTDOWN_DEADLINE:?} after the stop signal; stopping anyway");
        }
    }
    tracing::info!("shut down cleanly");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing open requests");
}
