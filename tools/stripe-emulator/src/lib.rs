//! A local stand-in for the Stripe API, for development and tests (Stripe's own stripe-mock is
//! not installable here, and stripe-mock keeps no state anyway).
//!
//! - Answers the endpoints Olivine uses with Stripe's object shapes, built from async-stripe's
//!   own types and serialised, so our client parses them exactly as it parses Stripe's.
//! - Keeps state in memory, with idempotency keys honoured (same key, same answer, one effect):
//!   payment intents (automatic or manual capture, confirmed by the browser or charged
//!   off-session with a saved card), refunds, customers, payment methods (attach, detach, list),
//!   setup intents, Connect accounts with one-time onboarding links and a hosted onboarding
//!   page, transfers (limited to the platform's balance or the source charge) and reversals;
//!   payment intents, refunds and transfers are listed newest first, page by page.
//! - Understands Stripe's test cards and test payment methods: success, generic decline,
//!   insufficient funds, authentication required (3-D Secure, completed or failed in a
//!   challenge page; once at setup or every time), saved-then-declined.
//! - Delivers `payment_intent.*`, `setup_intent.*`, `payment_method.*`, `customer.created`,
//!   `account.updated` and `transfer.*` events to a webhook endpoint, signed like Stripe signs
//!   them, in order, retrying with backoff until the endpoint answers 2xx.
//! - Serves a small stand-in for Stripe.js (`/v3/`): a card form, `confirmPayment` and the
//!   3-D Secure challenge, talking to this emulator from the browser.

// Refusals are the HTTP answers Stripe would give, passed up as they are.
#![allow(clippy::result_large_err)]

mod cards;
mod connect;
mod customers;
mod intents;
mod js;
mod lists;
mod webhooks;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use intents::{Answer, Store, off_session};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use stripe_shared::ApiErrorsCode;

pub use webhooks::Delivered;

/// How the emulator is reached and what it accepts.
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// Server calls must carry exactly this key (`Authorization: Bearer …`).
    pub secret_key: String,
    /// Browser calls (Stripe.js) carry this one.
    pub publishable_key: String,
    /// Signs webhook deliveries.
    pub webhook_secret: String,
    /// Where events are delivered; `None` keeps them (listed at `/_emulator/events`) unsent.
    pub webhook_url: Option<String>,
}

impl EmulatorConfig {
    /// Keys that are obviously the emulator's (they only mean something to it).
    pub fn local(webhook_url: Option<String>) -> Self {
        EmulatorConfig {
            secret_key: "sk_test_olivine_emulator".to_owned(),
            publishable_key: "pk_test_olivine_emulator".to_owned(),
            webhook_secret: "whsec_olivine_emulator".to_owned(),
            webhook_url,
        }
    }
}

#[derive(Clone)]
struct Shared {
    config: Arc<EmulatorConfig>,
    store: Arc<Mutex<Store>>,
    events: webhooks::Outbox,
    delays: Delays,
}

/// How long answers are held back after their effect is made (tests of a caller killed while
/// waiting for one).
#[derive(Clone, Default)]
struct Delays {
    /// Transfers.
    transfers_ms: Arc<AtomicU64>,
    /// PaymentIntents created and confirmed in one call (saved cards charged off-session).
    charges_ms: Arc<AtomicU64>,
}

impl Delays {
    async fn hold(delay: &AtomicU64) {
        let ms = delay.load(Ordering::Relaxed);
        if ms > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
    }
}

fn millis(by: std::time::Duration) -> u64 {
    u64::try_from(by.as_millis()).unwrap_or(u64::MAX)
}

/// A running emulator.
pub struct Emulator {
    pub addr: SocketAddr,
    events: webhooks::Outbox,
    store: Arc<Mutex<Store>>,
    delays: Delays,
    task: tokio::task::JoinHandle<()>,
}

impl Emulator {
    /// `http://127.0.0.1:PORT/`: the API base for async-stripe and where `/v3/` (Stripe.js) lives.
    pub fn base_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Every event so far with its signed payload, in order.
    pub fn events(&self) -> Vec<Delivered> {
        self.events.all()
    }

    /// A fresh `Stripe-Signature` header for `payload`, signed with the webhook secret.
    pub fn sign(&self, payload: &str) -> String {
        self.events.sign(payload)
    }

    /// Settle a 3-D Secure challenge as the customer would in the challenge page.
    pub fn authenticate(&self, intent: &str, complete: bool) -> bool {
        let mut store = lock(&self.store);
        let Ok(events) = store.authenticate(intent, complete) else {
            return false;
        };
        drop(store);
        self.events.publish(events);
        true
    }

    /// Make each transfer, then hold its answer back for `by`: a caller stopped meanwhile
    /// never hears that its transfer was made.
    pub fn delay_transfers(&self, by: std::time::Duration) {
        self.delays
            .transfers_ms
            .store(millis(by), Ordering::Relaxed);
    }

    /// Make each off-session charge (a PaymentIntent created and confirmed in one call), then
    /// hold its answer back for `by`: a caller stopped meanwhile never hears how it went.
    pub fn delay_charges(&self, by: std::time::Duration) {
        self.delays.charges_ms.store(millis(by), Ordering::Relaxed);
    }

    /// What is left of charge `charge` (`ch_…`) after its refunds, if Stripe has it.
    pub fn charge_left(&self, charge: &str) -> Option<i64> {
        lock(&self.store).charge_left(charge)
    }

    /// The transfers of `group` (their `transfer_group`): how many, and what they sent less
    /// what was reversed.
    pub fn transfer_group(&self, group: &str) -> (usize, i64) {
        lock(&self.store).connect.group(group)
    }

    /// Stripe asks the owner of connected `account` for `due` (Stripe's field names, such as
    /// `individual.id_number`): transfers to it stop until they finish onboarding again.
    pub fn require(&self, account: &str, due: &[&str]) -> bool {
        let mut store = lock(&self.store);
        let Some(event) = store.connect.require(account, due) else {
            return false;
        };
        drop(store);
        self.events.publish(vec![event]);
        true
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn lock(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    // A panic while holding the lock leaves plain data behind; keep serving it.
    store
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Start on `addr` (port 0: any free port) and serve until dropped.
pub async fn start(addr: SocketAddr, config: EmulatorConfig) -> anyhow::Result<Emulator> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let store = Arc::new(Mutex::new(Store::new(format!("http://{addr}"))));
    let events = webhooks::Outbox::start(config.webhook_url.clone(), config.webhook_secret.clone());
    let delays = Delays::default();
    let shared = Shared {
        config: Arc::new(config),
        store: store.clone(),
        events: events.clone(),
        delays: delays.clone(),
    };
    let app = router(shared);
    let task = tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            tracing::error!(%error, "stripe emulator stopped");
        }
    });
    Ok(Emulator {
        addr,
        events,
        store,
        delays,
        task,
    })
}

fn router(shared: Shared) -> Router {
    Router::new()
        .route("/v1/payment_intents", post(create_intent).get(list_intents))
        .route(
            "/v1/payment_intents/{id}",
            get(retrieve_intent).post(retrieve_intent_post),
        )
        .route("/v1/payment_intents/{id}/confirm", post(confirm_intent))
        .route("/v1/payment_intents/{id}/cancel", post(cancel_intent))
        .route("/v1/payment_intents/{id}/capture", post(capture_intent))
        .route("/v1/refunds", post(create_refund).get(list_refunds))
        .route("/v1/customers", post(create_customer))
        .route(
            "/v1/customers/{id}",
            get(retrieve_customer).delete(delete_customer),
        )
        .route("/v1/payment_methods", get(list_payment_methods))
        .route("/v1/payment_methods/{id}", get(retrieve_payment_method))
        .route(
            "/v1/payment_methods/{id}/attach",
            post(attach_payment_method),
        )
        .route(
            "/v1/payment_methods/{id}/detach",
            post(detach_payment_method),
        )
        .route("/v1/setup_intents", post(create_setup_intent))
        .route("/v1/setup_intents/{id}", get(retrieve_setup_intent))
        .route("/v1/setup_intents/{id}/confirm", post(confirm_setup_intent))
        .route("/v1/accounts", post(create_account))
        .route("/v1/accounts/{id}", get(retrieve_account))
        .route("/v1/account_links", post(create_account_link))
        .route("/v1/transfers", post(create_transfer).get(list_transfers))
        .route("/v1/transfers/{id}", get(retrieve_transfer))
        .route("/v1/transfers/{id}/reversals", post(reverse_transfer))
        .route(
            "/_emulator/onboard/{link}",
            get(onboarding_page).post(finish_onboarding),
        )
        .route("/v3/", get(stripe_js))
        .route("/_emulator/3ds/{id}", post(authenticate))
        .route("/_emulator/events", get(list_events))
        .fallback(unknown)
        .with_state(shared)
        .layer(axum::middleware::from_fn(preflight))
}

/// CORS preflights, answered before routing (a route that takes only POST would otherwise
/// answer OPTIONS with 405): any origin, the methods the API uses, and whatever headers the
/// browser asks to send (Stripe.js's own, or one a test harness adds to every request).
async fn preflight(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if request.method() != Method::OPTIONS {
        return next.run(request).await;
    }
    let mut response = with_cors(StatusCode::NO_CONTENT.into_response());
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, DELETE"),
    );
    if let Some(asked) = request
        .headers()
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
    {
        headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked.clone());
    }
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    response
}

/// A form body or query string as Stripe's clients send it: `a[b][c]=v`, kept flat.
pub(crate) type Params = BTreeMap<String, String>;

fn params(body: &[u8]) -> Params {
    form_urlencoded::parse(body).into_owned().collect()
}

/// Stripe's error envelope.
pub(crate) fn error(
    status: StatusCode,
    type_: &str,
    code: Option<ApiErrorsCode>,
    message: &str,
    extra: Value,
) -> Response {
    let mut body = json!({
        "type": type_,
        "message": message,
    });
    if let Some(code) = code {
        body["code"] = json!(code.as_str());
    }
    if let (Value::Object(map), Value::Object(more)) = (&mut body, extra) {
        map.extend(more);
    }
    with_cors((status, axum::Json(json!({ "error": body }))).into_response())
}

fn ok(value: Value) -> Response {
    with_cors((StatusCode::OK, axum::Json(value)).into_response())
}

/// Stripe.js calls the API from the shop's origin.
fn with_cors(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// Who is calling: our server (secret key) or a browser (publishable key + client secret).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Caller {
    Server,
    Browser,
}

fn caller(shared: &Shared, headers: &HeaderMap, params: &Params) -> Result<Caller, Response> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if bearer == Some(shared.config.secret_key.as_str()) {
        return Ok(Caller::Server);
    }
    if params.get("key") == Some(&shared.config.publishable_key) {
        return Ok(Caller::Browser);
    }
    Err(error(
        StatusCode::UNAUTHORIZED,
        "invalid_request_error",
        None,
        "Invalid API Key provided.",
        json!({}),
    ))
}

/// Runs `effect` once per idempotency key: a repeat with the same key gets the first answer.
fn idempotent(
    shared: &Shared,
    headers: &HeaderMap,
    route: &str,
    effect: impl FnOnce(&mut Store) -> (StatusCode, Value, Vec<intents::Event>),
) -> Response {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|k| format!("{route} {k}"));
    let mut store = lock(&shared.store);
    if let Some(key) = &key
        && let Some((status, body)) = store.replay(key)
    {
        return with_cors((status, axum::Json(body)).into_response());
    }
    let (status, body, events) = effect(&mut store);
    if let Some(key) = key {
        store.remember(key, status, body.clone());
    }
    drop(store);
    shared.events.publish(events);
    with_cors((status, axum::Json(body)).into_response())
}

async fn create_intent(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let answer = server_write(
        &shared,
        &headers,
        &body,
        "create_intent",
        Store::create_intent,
    );
    if params(&body).get("confirm").map(String::as_str) == Some("true") {
        Delays::hold(&shared.delays.charges_ms).await;
    }
    answer
}

/// A call only our server may make that changes something: run once per idempotency key.
fn server_write(
    shared: &Shared,
    headers: &HeaderMap,
    body: &[u8],
    route: &str,
    effect: impl FnOnce(&mut Store, &Params) -> Answer,
) -> Response {
    let p = params(body);
    if let Err(refusal) = server_only(shared, headers, &p) {
        return refusal;
    }
    idempotent(shared, headers, route, |store| effect(store, &p))
}

/// A read only our server may make (a GET with its query string).
fn server_read(
    shared: &Shared,
    headers: &HeaderMap,
    query: Option<String>,
    read: impl FnOnce(&Store, &Params) -> Answer,
) -> Response {
    let p = params(query.unwrap_or_default().as_bytes());
    if let Err(refusal) = server_only(shared, headers, &p) {
        return refusal;
    }
    let (status, body, _) = read(&lock(&shared.store), &p);
    with_cors((status, axum::Json(body)).into_response())
}

/// Calls only our server may make (with the secret key).
fn server_only(shared: &Shared, headers: &HeaderMap, p: &Params) -> Result<(), Response> {
    match caller(shared, headers, p)? {
        Caller::Server => Ok(()),
        Caller::Browser => Err(forbidden()),
    }
}

fn forbidden() -> Response {
    error(
        StatusCode::FORBIDDEN,
        "invalid_request_error",
        None,
        "This API call cannot be made with a publishable API key.",
        json!({}),
    )
}

async fn retrieve_intent(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let p = params(query.unwrap_or_default().as_bytes());
    retrieve(&shared, &id, &headers, &p)
}

/// Updates aren't used; a POST with no parameters reads, as Stripe's "update nothing" does.
async fn retrieve_intent_post(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    retrieve(&shared, &id, &headers, &params(&body))
}

fn retrieve(shared: &Shared, id: &str, headers: &HeaderMap, p: &Params) -> Response {
    let who = match caller(shared, headers, p) {
        Ok(who) => who,
        Err(refusal) => return refusal,
    };
    let store = lock(&shared.store);
    match store.intent_json(id, (who == Caller::Browser).then(|| client_secret(p))) {
        Some(body) => ok(body),
        None => intents::missing(id),
    }
}

fn client_secret(p: &Params) -> &str {
    p.get("client_secret")
        .map(String::as_str)
        .unwrap_or_default()
}

async fn confirm_intent(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = params(&body);
    let who = match caller(&shared, &headers, &p) {
        Ok(who) => who,
        Err(refusal) => return refusal,
    };
    let secret = (who == Caller::Browser).then(|| client_secret(&p).to_owned());
    let return_url = p.get("return_url").cloned();
    idempotent(
        &shared,
        &headers,
        &format!("confirm {id}"),
        |store| match store.wallet.method_for(&p) {
            Ok(method) => {
                store.confirm(&id, secret.as_deref(), &method, off_session(&p), return_url)
            }
            Err(refusal) => refusal,
        },
    )
}

async fn cancel_intent(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    server_write(
        &shared,
        &headers,
        &body,
        &format!("cancel {id}"),
        |store, p| store.cancel(&id, p.get("cancellation_reason").map(String::as_str)),
    )
}

async fn capture_intent(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    server_write(
        &shared,
        &headers,
        &body,
        &format!("capture {id}"),
        |store, p| {
            let amount = p.get("amount_to_capture").and_then(|a| a.parse().ok());
            store.capture(&id, amount)
        },
    )
}

async fn create_refund(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    server_write(&shared, &headers, &body, "create_refund", Store::refund)
}

async fn create_customer(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    server_write(&shared, &headers, &body, "create_customer", |store, p| {
        store.wallet.create_customer(p)
    })
}

async fn delete_customer(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    server_write(&shared, &headers, &body, "delete_customer", |store, _| {
        store.wallet.delete_customer(&id)
    })
}

async fn retrieve_customer(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    server_read(&shared, &headers, query, |store, _| {
        store.wallet.customer(&id)
    })
}

async fn list_intents(
    State(shared): State<Shared>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    server_read(&shared, &headers, query, Store::list_intents)
}

async fn list_refunds(
    State(shared): State<Shared>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    server_read(&shared, &headers, query, Store::list_refunds)
}

async fn list_transfers(
    State(shared): State<Shared>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    server_read(&shared, &headers, query, |store, p| {
        store.connect.list_transfers(p)
    })
}

async fn list_payment_methods(
    State(shared): State<Shared>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    server_read(&shared, &headers, query, |store, p| {
        store.wallet.list_methods(p)
    })
}

async fn retrieve_payment_method(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    server_read(&shared, &headers, query, |store, _| {
        store.wallet.method(&id)
    })
}

async fn attach_payment_method(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    server_write(
        &shared,
        &headers,
        &body,
        &format!("attach {id}"),
        |store, p| match p.get("customer") {
            Some(customer) => store.wallet.attach(&id, customer, false),
            None => intents::missing_param("customer"),
        },
    )
}

async fn detach_payment_method(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    server_write(
        &shared,
        &headers,
        &body,
        &format!("detach {id}"),
        |store, _| store.wallet.detach(&id),
    )
}

async fn create_setup_intent(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    server_write(
        &shared,
        &headers,
        &body,
        "create_setup_intent",
        |store, p| {
            let base = store.base_url.clone();
            store.wallet.create_setup(p, &base)
        },
    )
}

/// Our server (secret key), or a browser with the setup intent's client secret.
async fn retrieve_setup_intent(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let p = params(query.unwrap_or_default().as_bytes());
    let who = match caller(&shared, &headers, &p) {
        Ok(who) => who,
        Err(refusal) => return refusal,
    };
    let store = lock(&shared.store);
    match store
        .wallet
        .setup_json(&id, (who == Caller::Browser).then(|| client_secret(&p)))
    {
        Some(body) => ok(body),
        None => answer(intents::missing_object("setup_intent", &id)),
    }
}

async fn confirm_setup_intent(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = params(&body);
    let who = match caller(&shared, &headers, &p) {
        Ok(who) => who,
        Err(refusal) => return refusal,
    };
    let secret = (who == Caller::Browser).then(|| client_secret(&p).to_owned());
    let return_url = p.get("return_url").cloned();
    idempotent(&shared, &headers, &format!("confirm {id}"), |store| {
        let base = store.base_url.clone();
        match store.wallet.method_for(&p) {
            Ok(method) => {
                store
                    .wallet
                    .confirm_setup(&id, secret.as_deref(), method, &base, return_url)
            }
            Err(refusal) => refusal,
        }
    })
}

async fn create_account(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    server_write(&shared, &headers, &body, "create_account", |store, p| {
        store.connect.create_account(p)
    })
}

async fn retrieve_account(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    server_read(&shared, &headers, query, |store, _| {
        store.connect.account(&id)
    })
}

async fn create_account_link(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    server_write(
        &shared,
        &headers,
        &body,
        "create_account_link",
        |store, p| {
            let base = store.base_url.clone();
            store.connect.create_link(p, &base)
        },
    )
}

async fn create_transfer(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let answer = server_write(
        &shared,
        &headers,
        &body,
        "create_transfer",
        Store::create_transfer,
    );
    Delays::hold(&shared.delays.transfers_ms).await;
    answer
}

async fn retrieve_transfer(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    server_read(&shared, &headers, query, |store, _| {
        store.connect.transfer(&id)
    })
}

async fn reverse_transfer(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    server_write(
        &shared,
        &headers,
        &body,
        &format!("reverse {id}"),
        |store, p| store.connect.reverse(&id, p),
    )
}

/// The connected account's onboarding, as Stripe's hosted form would ask for it.
async fn onboarding_page(State(shared): State<Shared>, Path(link): Path<String>) -> Response {
    let store = lock(&shared.store);
    match store.connect.visit(&link) {
        connect::Visit::Onboard { account } => {
            let email = html_escape(account.email.as_deref().unwrap_or("your account"));
            Html(format!(
                r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Set up payouts</title></head>
<body style="font:16px system-ui,sans-serif;max-width:32rem;margin:3rem auto">
<h1>Set up payouts</h1>
<p>Test mode (Stripe emulator): this stands in for Stripe's onboarding for <strong>{email}</strong>. Submitting fills in test identity and bank details and enables transfers and payouts.</p>
<form method="post"><button type="submit">Agree and submit</button></form>
</body></html>"#
            ))
            .into_response()
        }
        connect::Visit::Refresh(url) => Redirect::to(&url).into_response(),
        connect::Visit::Unknown => {
            (StatusCode::NOT_FOUND, "This link is not valid.").into_response()
        }
    }
}

async fn finish_onboarding(State(shared): State<Shared>, Path(link): Path<String>) -> Response {
    let mut store = lock(&shared.store);
    let Some((next, events)) = store.connect.complete_onboarding(&link) else {
        return (StatusCode::NOT_FOUND, "This link is not valid.").into_response();
    };
    drop(store);
    shared.events.publish(events);
    Redirect::to(&next).into_response()
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn answer((status, body, _): Answer) -> Response {
    with_cors((status, axum::Json(body)).into_response())
}

/// The 3-D Secure challenge's answer, from the stand-in's challenge dialog.
async fn authenticate(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let p = params(&body);
    let mut store = lock(&shared.store);
    // A payment's challenge or a saved card's (setup intents start `seti_`).
    let json_of = |store: &Store, secret: Option<&str>| {
        if id.starts_with("seti_") {
            store.wallet.setup_json(&id, secret)
        } else {
            store.intent_json(&id, secret)
        }
    };
    if json_of(&store, Some(client_secret(&p))).is_none() {
        return intents::missing(&id);
    }
    let complete = p.get("outcome").map(String::as_str) == Some("complete");
    match store.authenticate(&id, complete) {
        Ok(events) => {
            let body = json_of(&store, None).unwrap_or(Value::Null);
            drop(store);
            shared.events.publish(events);
            ok(body)
        }
        Err(refusal) => refusal,
    }
}

async fn list_events(State(shared): State<Shared>) -> Response {
    let events: Vec<Value> = shared
        .events
        .all()
        .into_iter()
        .map(|e| json!({ "id": e.id, "type": e.kind, "payload": e.payload, "delivered": e.delivered }))
        .collect();
    ok(json!({ "data": events }))
}

async fn stripe_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        js::STRIPE_JS,
    )
        .into_response()
}

async fn unknown(method: Method, uri: axum::http::Uri) -> Response {
    if uri.path() == "/" {
        return Html(
            "<p>Olivine's Stripe emulator. API under /v1, Stripe.js stand-in at /v3/.</p>",
        )
        .into_response();
    }
    error(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        None,
        &format!(
            "Unrecognized request URL ({method}: {}). The emulator answers what Olivine uses.",
            uri.path()
        ),
        json!({}),
    )
}
