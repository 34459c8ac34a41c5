//! Certificate documents in and out.
//!
//! `POST /hire/certificates`: a freelancer uploads one certificate as `multipart/form-data`
//! (`certificate_type`, `expires_on`, `file`). The profile page sends it with
//! `Accept: application/json` and gets `{"certificate": id}` or `{"error": …}` with a 4xx;
//! a plain form post (no script) is sent back to the profile on success.
//!
//! `GET /hire/certificates/{id}/document`: the document, for its owner and support admins
//! only, each opening audited, never cached or indexed, and sandboxed so a crafted PDF or image
//! cannot run script on our origin.

use super::multipart::{next_field, read_file, read_text};
use app::accounts::authz::{Need, principal_of};
use app::accounts::model::Role;
use app::accounts::session::{AuthSession, ClientIp};
use app::audit::Actor;
use app::error::AppError;
use app::hire::certificates::documents;
use app::hire::certificates::model::MAX_CERTIFICATE_BYTES;
use app::hire::certificates::service::{self as certificates, Upload};
use app::ids::CertificateId;
use app::state::AppState;
use axum::extract::multipart::Multipart;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Json, Redirect, Response};
use serde_json::json;
use tower_sessions::Session;

/// The document and the form's other fields with multipart framing.
pub const MAX_REQUEST_BYTES: usize = MAX_CERTIFICATE_BYTES + 64 * 1024;

pub async fn upload(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let result = accept(&state, &AuthSession::new(session), multipart).await;
    match (result, wants_json) {
        (Ok(id), true) => Json(json!({ "certificate": id })).into_response(),
        (Ok(_), false) => Redirect::to("/hire/profile#certificates").into_response(),
        (Err(error), true) => (error.status(), Json(json!({ "error": error }))).into_response(),
        (Err(error), false) => (
            error.status(),
            format!("{} Go back to your profile and try again.", error.detail()),
        )
            .into_response(),
    }
}

async fn accept(
    state: &AppState,
    session: &AuthSession,
    mut multipart: Multipart,
) -> Result<CertificateId, AppError> {
    let principal = principal_of(state, session)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if !principal.viewer.has(Role::Freelancer) {
        return Err(AppError::Forbidden);
    }
    let mut upload = Upload {
        type_id: String::new(),
        expires_on: String::new(),
        file_name: String::new(),
        bytes: Vec::new(),
    };
    while let Some(field) = next_field(&mut multipart).await? {
        match field.name() {
            Some("certificate_type") => upload.type_id = read_text(field).await?,
            Some("expires_on") => upload.expires_on = read_text(field).await?,
            Some("file") => {
                upload.file_name = field.file_name().unwrap_or_default().to_owned();
                let limit = MAX_CERTIFICATE_BYTES;
                upload.bytes = read_file(field, limit, certificates::too_large).await?;
            }
            _ => {}
        }
    }
    let user = principal.viewer.user_id;
    Ok(certificates::submit(state, user, upload).await?)
}

pub async fn document(
    State(state): State<AppState>,
    Path(id): Path<uuid::Uuid>,
    session: Session,
    client: Option<Extension<ClientIp>>,
) -> Response {
    let ip = client.and_then(|Extension(ClientIp(ip))| ip);
    match find(&state, &AuthSession::new(session), ip, CertificateId(id)).await {
        Ok(doc) => {
            let ascii: String = doc
                .file_name
                .chars()
                .map(|c| match c {
                    'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '-' | '_' | ' ' => c,
                    _ => '_',
                })
                .collect();
            let disposition = format!("inline; filename=\"{ascii}\"");
            let headers = [
                (header::CONTENT_TYPE, header_value(&doc.content_type)),
                (header::CONTENT_DISPOSITION, header_value(&disposition)),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("private, no-store"),
                ),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
                (
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static("sandbox; default-src 'none'; img-src 'self'"),
                ),
                (
                    header::HeaderName::from_static("x-robots-tag"),
                    HeaderValue::from_static("noindex, nofollow, noarchive"),
                ),
            ];
            (headers, doc.bytes).into_response()
        }
        Err(error) => (error.status(), error.detail()).into_response(),
    }
}

fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or(HeaderValue::from_static("application/octet-stream"))
}

async fn find(
    state: &AppState,
    session: &AuthSession,
    ip: Option<std::net::IpAddr>,
    id: CertificateId,
) -> Result<documents::Document, AppError> {
    let principal = principal_of(state, session)
        .await?
        .ok_or(AppError::Unauthorized)?;
    // Others' documents only for a support admin who gave the back office's second factor.
    let admin = principal.require(Need::Role(Role::AdminSupport)).is_ok();
    let viewer = Actor {
        user: principal.viewer.user_id,
        ip,
    };
    documents::open(state, id, viewer, admin)
        .await?
        .ok_or(AppError::NotFound)
}
