//! The typed session: every key the app keeps in tower-sessions lives here, nowhere else.
//!
//! The cookie holds only the session id; the session record holds the id of a `user_logins`
//! row, which is the source of truth for "is this device signed in" (so "sign out of all
//! devices" and idle/absolute expiry are one UPDATE away).

use crate::error::AppError;
use crate::ids::{CartId, LoginId, OrderId, UserId};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use tower_sessions::Session;

const LOGIN: &str = "auth.login";
const PENDING_OIDC: &str = "auth.oidc_pending";
const PENDING_SECOND_STEP: &str = "auth.second_step";
const PASSKEY_CEREMONY: &str = "auth.passkey";
const GUEST_CART: &str = "cart.guest";
const GUEST_ORDERS: &str = "orders.guest";
/// A guest sees the orders this browser placed, newest first, up to this many.
const GUEST_ORDERS_KEPT: usize = 20;

/// An OpenID sign-in in flight: what the callback must find to accept the answer.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingOidc {
    pub provider: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub next: String,
    /// Set when a signed-in person links a provider to their account.
    pub link_to: Option<UserId>,
}

/// A sign-in whose first step (password, provider, emailed link) proved who it is, waiting for
/// the second: a code from the person's authenticator app or a recovery code.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingSecondStep {
    pub user: UserId,
    /// How the first step was taken, for the sessions list ("password").
    pub method: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
}

/// What a passkey ceremony is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ceremony {
    /// A new passkey for the signed-in person.
    Register,
    /// Signing in with a passkey after the email address.
    SignIn,
    /// The second step of a sign-in whose first step was taken.
    SecondStep,
    /// A signed-in person confirming a sensitive action.
    Confirm,
}

/// A passkey ceremony between its options and the browser's answer: webauthn-rs's state for
/// it (its challenge), kept here and never sent to the browser.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PasskeyCeremony {
    pub purpose: Ceremony,
    /// Whose passkeys may answer; `None` for an address without any.
    pub user: Option<UserId>,
    pub state: serde_json::Value,
    pub started_at: chrono::DateTime<chrono::Utc>,
}

/// The values of a session signed in as `login`, for a session made without a request (the
/// realtime benchmark signs in thousands of people at once this way).
pub fn signed_in_values(login: LoginId) -> std::collections::HashMap<String, serde_json::Value> {
    std::collections::HashMap::from([(LOGIN.to_owned(), serde_json::json!(login))])
}

#[derive(Clone, Debug)]
pub struct AuthSession(Session);

fn session_error(error: tower_sessions::session::Error) -> AppError {
    AppError::internal(&error)
}

impl AuthSession {
    pub fn new(session: Session) -> Self {
        AuthSession(session)
    }

    /// The session of the request being served.
    pub async fn current() -> Result<Self, AppError> {
        leptos_axum::extract::<Session>()
            .await
            .map(AuthSession)
            .map_err(|e| AppError::internal(&e))
    }

    pub async fn login_id(&self) -> Result<Option<LoginId>, AppError> {
        self.0.get(LOGIN).await.map_err(session_error)
    }

    /// Sign this browser in: a new session id first, so a planted id is worth nothing.
    pub async fn begin_login(&self, login: LoginId) -> Result<(), AppError> {
        self.forget_pending_oidc().await?;
        self.take_pending_second_step().await?;
        self.0.cycle_id().await.map_err(session_error)?;
        self.0.insert(LOGIN, login).await.map_err(session_error)
    }

    /// Sign this browser out. Other session data (a guest cart, later) survives under a new id;
    /// a provider link started by the person signing out does not.
    pub async fn end_login(&self) -> Result<(), AppError> {
        self.0
            .remove::<LoginId>(LOGIN)
            .await
            .map_err(session_error)?;
        self.forget_pending_oidc().await?;
        self.take_pending_second_step().await?;
        self.0.cycle_id().await.map_err(session_error)
    }

    /// A started provider sign-in or link belongs to whoever was signed in when it started.
    async fn forget_pending_oidc(&self) -> Result<(), AppError> {
        self.take_pending_oidc().await.map(|_| ())
    }

    /// A new session id after a privilege change (new role, new organisation).
    pub async fn rotate(&self) -> Result<(), AppError> {
        self.0.cycle_id().await.map_err(session_error)
    }

    pub async fn set_pending_oidc(&self, pending: &PendingOidc) -> Result<(), AppError> {
        self.0
            .insert(PENDING_OIDC, pending)
            .await
            .map_err(session_error)
    }

    /// The pending OpenID sign-in, removed: a callback can be answered once.
    pub async fn take_pending_oidc(&self) -> Result<Option<PendingOidc>, AppError> {
        self.0.remove(PENDING_OIDC).await.map_err(session_error)
    }

    /// Wait for the second step of a sign-in (under a new session id, as at sign-in); any
    /// earlier one in this browser is replaced.
    pub async fn set_pending_second_step(
        &self,
        pending: &PendingSecondStep,
    ) -> Result<(), AppError> {
        self.0.cycle_id().await.map_err(session_error)?;
        self.0
            .insert(PENDING_SECOND_STEP, pending)
            .await
            .map_err(session_error)
    }

    pub async fn pending_second_step(&self) -> Result<Option<PendingSecondStep>, AppError> {
        self.0.get(PENDING_SECOND_STEP).await.map_err(session_error)
    }

    pub async fn take_pending_second_step(&self) -> Result<Option<PendingSecondStep>, AppError> {
        self.0
            .remove(PENDING_SECOND_STEP)
            .await
            .map_err(session_error)
    }

    /// Start a passkey ceremony; one started before in this browser is replaced.
    pub async fn set_passkey_ceremony(&self, ceremony: &PasskeyCeremony) -> Result<(), AppError> {
        self.0
            .insert(PASSKEY_CEREMONY, ceremony)
            .await
            .map_err(session_error)
    }

    pub async fn take_passkey_ceremony(&self) -> Result<Option<PasskeyCeremony>, AppError> {
        self.0.remove(PASSKEY_CEREMONY).await.map_err(session_error)
    }

    /// The cart a guest filled in this browser.
    pub async fn guest_cart(&self) -> Result<Option<CartId>, AppError> {
        self.0.get(GUEST_CART).await.map_err(session_error)
    }

    pub async fn set_guest_cart(&self, cart: CartId) -> Result<(), AppError> {
        self.0.insert(GUEST_CART, cart).await.map_err(session_error)
    }

    pub async fn forget_guest_cart(&self) -> Result<(), AppError> {
        self.0
            .remove::<CartId>(GUEST_CART)
            .await
            .map(drop)
            .map_err(session_error)
    }

    /// Orders placed from this browser without an account (they may look at them and pay).
    pub async fn guest_orders(&self) -> Result<Vec<OrderId>, AppError> {
        Ok(self
            .0
            .get::<Vec<OrderId>>(GUEST_ORDERS)
            .await
            .map_err(session_error)?
            .unwrap_or_default())
    }

    pub async fn add_guest_order(&self, order: OrderId) -> Result<(), AppError> {
        let mut orders = self.guest_orders().await?;
        orders.retain(|o| *o != order);
        orders.insert(0, order);
        orders.truncate(GUEST_ORDERS_KEPT);
        self.0
            .insert(GUEST_ORDERS, orders)
            .await
            .map_err(session_error)
    }

    /// After sign-in the account owns them; the session forgets them.
    pub async fn take_guest_orders(&self) -> Result<Vec<OrderId>, AppError> {
        Ok(self
            .0
            .remove::<Vec<OrderId>>(GUEST_ORDERS)
            .await
            .map_err(session_error)?
            .unwrap_or_default())
    }
}

/// The client's address as the server decided it (peer address, or the trusted proxy's
/// X-Forwarded-For); the server's middleware puts it on every request.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientIp(pub Option<IpAddr>);

/// Who is asking, for audit entries, rate limits and the sessions list.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    pub ip: Option<IpAddr>,
    pub user_agent: String,
    /// The browser's device cookie (see [`DEVICE_COOKIE`]), if it has one.
    pub device: Option<String>,
}

/// A long-lived random value that tells a device an account signed in from before: past the
/// failed-sign-in limit, such a device still takes the right password.
pub const DEVICE_COOKIE: &str = "olivine_device";

impl RequestMeta {
    /// From the request's client address and headers (the user agent, capped at 300 chars).
    pub fn new(ip: Option<IpAddr>, headers: &http::HeaderMap) -> Self {
        let user_agent = headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(300).collect())
            .unwrap_or_default();
        let device = headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|pair| {
                let (name, value) = pair.trim().split_once('=')?;
                (name == DEVICE_COOKIE && (16..=128).contains(&value.len()))
                    .then(|| value.to_owned())
            });
        RequestMeta {
            ip,
            user_agent,
            device,
        }
    }

    /// For the request a server function is serving.
    pub async fn current() -> Self {
        let ip = leptos_axum::extract::<axum::Extension<ClientIp>>()
            .await
            .ok()
            .and_then(|axum::Extension(ClientIp(ip))| ip);
        let headers = leptos_axum::extract::<http::HeaderMap>()
            .await
            .unwrap_or_default();
        RequestMeta::new(ip, &headers)
    }

    /// The rate-limit subject for this client: its IPv4 address, or its IPv6 /64 (one
    /// subscriber's network: a client picks any address within it at will).
    pub fn ip_key(&self) -> String {
        match self.ip.map(|ip| ip.to_canonical()) {
            None => "unknown".to_owned(),
            Some(IpAddr::V4(v4)) => v4.to_string(),
            Some(IpAddr::V6(v6)) => {
                let [a, b, c, d, ..] = v6.segments();
                format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
            }
        }
    }
}

/// Give this browser a device cookie (for a year; `secure` outside development).
pub fn set_device_cookie(value: &str, secure: bool) {
    let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let cookie = format!(
        "{DEVICE_COOKIE}={value}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    );
    if let Ok(header) = http::HeaderValue::from_str(&cookie) {
        response.append_header(http::header::SET_COOKIE, header);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(ip: &str) -> String {
        RequestMeta {
            ip: Some(ip.parse().expect("address")),
            ..RequestMeta::default()
        }
        .ip_key()
    }

    #[test]
    fn the_device_cookie_is_read_among_others() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::COOKIE,
            http::HeaderValue::from_static(
                "olivine_session=abc; olivine_device=0123456789abcdef0123456789; other=x",
            ),
        );
        assert_eq!(
            RequestMeta::new(None, &headers).device.as_deref(),
            Some("0123456789abcdef0123456789")
        );
        headers.insert(
            http::header::COOKIE,
            http::HeaderValue::from_static("olivine_device=short"),
        );
        assert_eq!(RequestMeta::new(None, &headers).device, None);
    }

    #[test]
    fn ipv6_clients_are_limited_per_64() {
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff:1:2:3"));
        assert_eq!(key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("203.0.113.7"), "203.0.113.7");
        // An IPv4 client seen through an IPv6 socket is still that IPv4 address.
        assert_eq!(key("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(RequestMeta::default().ip_key(), "unknown");
    }
}
