//! Shared by the HTTP-level test files: a router over a seeded database, and a "browser" that
//! keeps its session cookie and calls server functions the way the hydrated page does.
// Each test file uses its own subset of these helpers.
#![allow(dead_code)]

use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use server::config::Config;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::time::Duration;
use tower::ServiceExt;

pub mod checkout;
pub mod escrow;
pub mod process;

// Not every test file looks people up.
#[allow(unused_imports)]
pub use test_support::people::{organisation, user};

/// A pool of the test's own over the database `#[sqlx::test]` made for it. The pool that
/// `#[sqlx::test]` injects borrows its connections from one process-wide parent pool, and under
/// parallel tests that arrangement intermittently stalls a test forever (seen twice here in
/// `cargo xtask test`; launchbadge/sqlx#2567 describes the same family). A plain pool with an
/// acquire timeout fails loudly instead.
pub async fn own_pool(options: PgConnectOptions) -> PgPool {
    PgPoolOptions::new()
        .max_connections(5)
        .acquire_timeout(Duration::from_secs(20))
        .connect_with(options)
        .await
        .expect("test pool")
}

/// No request in a test may take a minute: fail with its path rather than hang CI.
pub async fn within<T>(what: &str, work: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), work)
        .await
        .unwrap_or_else(|_| panic!("{what} took over a minute"))
}

/// GET `path` from `router` (optionally conditional on an ETag): status, body, headers.
pub async fn get(
    router: &axum::Router,
    path: &str,
    if_none_match: Option<&str>,
) -> (StatusCode, Vec<u8>, axum::http::HeaderMap) {
    let mut request = Request::get(path);
    if let Some(etag) = if_none_match {
        request = request.header(header::IF_NONE_MATCH, etag);
    }
    let response = within(
        path,
        router
            .clone()
            .oneshot(request.body(Body::empty()).expect("request")),
    )
    .await
    .expect("response");
    let status = response.status();
    let headers = response.headers().clone();
    let body = to_bytes(response.into_body(), 16 * 1024 * 1024)
        .await
        .expect("body");
    (status, body.to_vec(), headers)
}

pub struct App {
    pub router: axum::Router,
    pub db: PgPool,
    pub state: app::state::AppState,
    /// This app's own Stripe emulator; its events reach the app through [`App::deliver_events`].
    pub stripe: stripe_emulator::Emulator,
    delivered: std::sync::Mutex<usize>,
}

/// One browser: keeps its session cookie between requests.
pub struct Browser<'a> {
    pub app: &'a App,
    pub cookie: Option<String>,
    /// The whole Set-Cookie header that last set the session cookie.
    pub set_cookie: Option<String>,
    /// The address the requests come from (the TCP peer the server sees): loopback unless a
    /// test plays a remote client.
    pub from: std::net::IpAddr,
    /// The device cookie (`olivine_device=…`) the server gave this browser at sign-in.
    pub device: Option<String>,
}

pub struct Reply {
    pub status: StatusCode,
    pub body: String,
    /// The body as sent, for files that are not text.
    pub bytes: Vec<u8>,
    pub headers: HeaderMap,
}

/// The app over a database holding the demo catalog and accounts.
pub async fn shop(options: PgConnectOptions) -> App {
    let db = own_pool(options).await;
    server::seed::seed_demo(&db, chrono::Utc::now().date_naive())
        .await
        .expect("seed");
    app(db).await
}

pub async fn app(db: PgPool) -> App {
    app_in(db, "dev").await
}

pub async fn app_in(db: PgPool, environment: &str) -> App {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let environment = environment.to_owned();
    let keys = stripe_emulator::EmulatorConfig::local(None);
    let stripe = stripe_emulator::start("127.0.0.1:0".parse().expect("address"), keys.clone())
        .await
        .expect("stripe emulator");
    let base = stripe.base_url();
    let config = Config::from_lookup(|k| match k {
        "OLIVINE_ENV" => Some(environment.clone()),
        "OLIVINE_MEDIA_STORE" => Some("memory".to_owned()),
        "OLIVINE_AUDIT_CHECKPOINTS" => Some("memory".to_owned()),
        "OLIVINE_RESTRICTED_STORE" => Some("memory".to_owned()),
        "OLIVINE_MASTER_KEY" => Some(test_support::TEST_MASTER_KEY.to_owned()),
        "STRIPE_SECRET_KEY" => Some(keys.secret_key.clone()),
        "STRIPE_PUBLISHABLE_KEY" => Some(keys.publishable_key.clone()),
        "STRIPE_WEBHOOK_SECRET" => Some(keys.webhook_secret.clone()),
        "OLIVINE_STRIPE_API_BASE" => Some(base.clone()),
        // Production refuses to start without a mail server; these tests relay by hand.
        "OLIVINE_SMTP_URL" => Some("smtp://127.0.0.1:25".to_owned()),
        _ => None,
    })
    .expect("config");
    let state = server::app_state(&config, db.clone()).expect("state");
    server::seed::seed_accounts(&db, &state.vault)
        .await
        .expect("seed accounts");
    server::seed::seed_demo_authenticator(&db, &state.vault)
        .await
        .expect("seed the demo admin's authenticator");
    App {
        router: server::router(state.clone(), false),
        db,
        state,
        stripe,
        delivered: std::sync::Mutex::new(0),
    }
}

impl App {
    /// POST a webhook delivery to `/webhooks/stripe`, as Stripe does (no browser headers).
    pub async fn webhook(&self, payload: &str, signature: &str) -> Reply {
        let request = Request::post("/webhooks/stripe")
            .header(header::CONTENT_TYPE, "application/json")
            .header("stripe-signature", signature)
            .body(Body::from(payload.to_owned()))
            .expect("request");
        self.browser().send(request).await
    }

    /// Deliver the emulator's events that this app hasn't been sent yet, in order, each
    /// signed; every one must be accepted.
    pub async fn deliver_events(&self) -> usize {
        let events = self.stripe.events();
        let from = *self.delivered.lock().expect("lock");
        for event in &events[from.min(events.len())..] {
            let reply = self
                .webhook(&event.payload, &self.stripe.sign(&event.payload))
                .await;
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "{} → {}",
                event.kind,
                reply.body
            );
        }
        *self.delivered.lock().expect("lock") = events.len();
        events.len() - from.min(events.len())
    }

    pub fn browser(&self) -> Browser<'_> {
        Browser {
            app: self,
            cookie: None,
            set_cookie: None,
            from: std::net::Ipv4Addr::LOCALHOST.into(),
            device: None,
        }
    }

    /// Deliver the outbox to the mailbox and return the newest message to `to`.
    pub async fn last_mail_to(&self, to: &str) -> String {
        let vault = self.state.vault.clone();
        server::jobs::mail::relay_once(&self.db, vault, server::jobs::mail::Transport::Mailbox)
            .await
            .expect("relay");
        let mut conn = self.db.acquire().await.expect("connection");
        app::notifications::email::mailbox(&mut conn, &self.state.vault, 10_000)
            .await
            .expect("the mailbox")
            .into_iter()
            .filter(|m| m.recipient == to)
            .max_by_key(|m| m.email_id.0)
            .expect("a message")
            .body_text
    }
}

pub fn link_token(mail: &str) -> String {
    let start = mail.find("token=").expect("a link with a token") + "token=".len();
    mail[start..]
        .split(|c: char| c.is_whitespace())
        .next()
        .expect("token")
        .to_owned()
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", app::ui::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl Browser<'_> {
    pub async fn send(&mut self, mut request: Request<Body>) -> Reply {
        let what = format!("{} {}", request.method(), request.uri());
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(
                self.from, 40_000,
            )));
        if let Some(device) = &self.device {
            let cookies = match request.headers().get(header::COOKIE) {
                Some(existing) => format!("{}; {device}", existing.to_str().unwrap_or_default()),
                None => device.clone(),
            };
            request
                .headers_mut()
                .insert(header::COOKIE, cookies.parse().expect("cookie header"));
        }
        let response = within(&what, self.app.router.clone().oneshot(request))
            .await
            .expect("response");
        if let Some(cookie) = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("olivine_session="))
        {
            let pair = cookie.split(';').next().unwrap_or_default().to_owned();
            self.set_cookie = Some(cookie.to_owned());
            // An expired cookie is the server signing the browser out.
            self.cookie = (!cookie.contains("Max-Age=0")).then_some(pair);
        }
        if let Some(device) = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("olivine_device="))
        {
            self.device = device.split(';').next().map(str::to_owned);
        }
        let status = response.status();
        let headers = response.headers().clone();
        let body = to_bytes(response.into_body(), 4 * 1024 * 1024)
            .await
            .expect("body");
        Reply {
            status,
            body: String::from_utf8_lossy(&body).into_owned(),
            bytes: body.to_vec(),
            headers,
        }
    }

    /// Call a server function the way the hydrated page does (same-origin fetch).
    pub async fn call(&mut self, endpoint: &str, pairs: &[(&str, &str)]) -> Reply {
        let mut request = Request::post(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .header("sec-fetch-site", "same-origin");
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::from(form(pairs))).expect("request"))
            .await
    }

    /// POST `multipart/form-data` the way an XMLHttpRequest with a `FormData` does: `fields`,
    /// then `file` = (file name, content type, bytes) as the `file` field.
    pub async fn upload(
        &mut self,
        url: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> Reply {
        let boundary = "olivine-test-boundary";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        let (file_name, content_type, bytes) = file;
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
                 Content-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let mut request = Request::post(url)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header(header::ACCEPT, "application/json")
            .header("sec-fetch-site", "same-origin");
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::from(body)).expect("request"))
            .await
    }

    /// GET a path with the browser's cookie, body and all.
    pub async fn read(&mut self, path: &str) -> Reply {
        let mut request = Request::get(path);
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::empty()).expect("request"))
            .await
    }

    /// GET a path with the browser's cookie.
    pub async fn fetch(&mut self, path: &str) -> (StatusCode, HeaderMap) {
        let mut request = Request::get(path);
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, cookie);
        }
        let what = format!("GET {path}");
        let response = within(
            &what,
            self.app
                .router
                .clone()
                .oneshot(request.body(Body::empty()).expect("request")),
        )
        .await
        .expect("response");
        (response.status(), response.headers().clone())
    }

    /// Sign in; the demo admin (who has two-step sign-in) gives a code of their authenticator
    /// too, and the reply is that step's.
    pub async fn sign_in(&mut self, email: &str, password: &str) -> Reply {
        let reply = self
            .call(
                "accounts/sign-in",
                &[("email", email), ("password", password)],
            )
            .await;
        if email == DEMO_ADMIN && asks_second_step(&reply) {
            return self
                .second_step(server::seed::DEMO_ADMIN_AUTHENTICATOR)
                .await;
        }
        reply
    }

    /// Give the second step of a sign-in a code of `secret`. A code counts once, and only for
    /// a step later than the last one taken: when this person signed in within these 30
    /// seconds already, the next step's code (which the server also takes) is tried, and when
    /// that one is taken too, the next step is waited for.
    pub async fn second_step(&mut self, secret: &[u8]) -> Reply {
        let mut refused = Vec::new();
        for round in 0..2 {
            for steps in [0, 1] {
                let reply = self
                    .call(
                        "accounts/second-factor",
                        &[("code", &code_of(secret, steps))],
                    )
                    .await;
                if ok(&reply) {
                    return reply;
                }
                refused.push(reply.body);
            }
            if round == 0 {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .expect("after 1970");
                let into_step = now.as_millis() % 30_000;
                let wait = u64::try_from(30_000 - into_step).expect("under 30 s") + 500;
                tokio::time::sleep(Duration::from_millis(wait)).await;
            }
        }
        panic!("every current code was refused: {refused:?}");
    }

    pub async fn viewer_email(&mut self) -> Option<String> {
        let reply = self.call("accounts/viewer", &[]).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let viewer: Option<app::accounts::model::Viewer> =
            serde_json::from_str(&reply.body).expect("viewer JSON");
        viewer.map(|v| v.email)
    }
}

/// The demo admin, whose sign-ins take a code from their seeded authenticator.
pub const DEMO_ADMIN: &str = "admin@olivine.test";

/// Whether a sign-in's reply sends the browser to the second step.
pub fn asks_second_step(reply: &Reply) -> bool {
    reply
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|to| to.starts_with(app::accounts::service::SECOND_STEP_PAGE))
}

/// The authenticator code of `secret`, `steps` 30-second steps from now.
pub fn code_of(secret: &[u8], steps: i64) -> String {
    let now = chrono::Utc::now().timestamp() + steps * 30;
    app::accounts::totp::code_at(secret, u64::try_from(now).expect("after 1970")).expect("code")
}

/// A 429 with a `Retry-After` in whole seconds and a sentence that says to wait.
pub fn assert_too_many(reply: &Reply) {
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        reply.body
    );
    let after: u64 = reply
        .headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After header in seconds");
    assert!(after >= 1, "Retry-After {after}");
    let refusal: app::error::AppError = serde_json::from_str(&reply.body).expect("error JSON");
    assert!(refusal.to_string().contains("try again"), "{refusal}");
}

pub fn ok(reply: &Reply) -> bool {
    reply.status.is_success() || reply.status.is_redirection()
}

/// A drawn pack shot as an admin would upload it (PNG).
pub fn pack_shot_png(form: app::catalog::model::ProductForm, accent: &str, seed: u64) -> Vec<u8> {
    let picture = server::seed::draw_pack_shot(form, accent, seed);
    let mut png = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut png),
        picture.as_raw(),
        picture.width(),
        picture.height(),
        image::ExtendedColorType::Rgb8,
    )
    .expect("png");
    png
}

/// The error of a 422 reply (a refusal the person can act on).
pub fn unprocessable(reply: &Reply) -> app::error::AppError {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    serde_json::from_str(&reply.body).expect("error JSON")
}

/// A browser signed in as `email` with the demo password.
pub async fn signed_in<'a>(app: &'a App, email: &str) -> Browser<'a> {
    let mut browser = app.browser();
    let reply = browser.sign_in(email, server::seed::DEMO_PASSWORD).await;
    assert!(ok(&reply), "{}", reply.body);
    browser
}
