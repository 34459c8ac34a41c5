//! `GET /account/privacy/download?token=…`: the mailed link to a person's data download. It
//! works once, for 7 days, and only for its owner signed in (anyone else is asked to sign in,
//! then refused); a link spent, expired or not theirs goes back to the privacy page, which
//! says so. The ZIP is never cached.

use app::accounts::authz::principal_of;
use app::accounts::session::{AuthSession, ClientIp};
use app::error::AppError;
use app::privacy::service;
use app::state::AppState;
use axum::extract::{Extension, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

pub const PATH: &str = "/account/privacy/download";

/// Where a link that gives nothing sends its follower.
pub const SPENT: &str = "/account/privacy?link=spent";

#[derive(Deserialize)]
pub struct Link {
    #[serde(default)]
    token: String,
}

pub async fn download(
    State(state): State<AppState>,
    Query(link): Query<Link>,
    session: Session,
    client: Option<Extension<ClientIp>>,
) -> Response {
    let ip = client.and_then(|Extension(ClientIp(ip))| ip);
    let principal = match principal_of(&state, &AuthSession::new(session)).await {
        Ok(Some(principal)) => principal,
        Ok(None) => {
            // Tokens are base64url (anything else is no token): only the path's `?`, `=` and
            // `/` need escaping.
            let token: String = link
                .token
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
                .collect();
            let back = format!("{PATH}%3Ftoken%3D{token}");
            return Redirect::to(&format!("/signin?next={}", back.replace('/', "%2F")))
                .into_response();
        }
        Err(error) => return (error.status(), error.detail()).into_response(),
    };
    match service::download(&state, principal.viewer.user_id, &link.token, ip).await {
        Ok(Some(download)) => {
            let disposition = format!("attachment; filename=\"{}\"", download.file_name);
            let headers = [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/zip"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_str(&disposition)
                        .unwrap_or(HeaderValue::from_static("attachment")),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("private, no-store"),
                ),
            ];
            (headers, download.bytes).into_response()
        }
        Ok(None) => Redirect::to(SPENT).into_response(),
        Err(error) => {
            let error = AppError::from(error);
            (error.status(), error.detail()).into_response()
        }
    }
}
