//! `POST /admin/product-photos/{product_id}`: one product photo per request, as
//! `multipart/form-data` with an `alt_text` field and a `file` field, answered with JSON
//! (`{"photo": …}` or `{"error": …}` with a 4xx status). The back office sends each dropped
//! file on its own request so the browser can show its progress.
//!
//! Not a server function: the file is streamed in and refused as soon as it passes the size
//! limit, instead of being buffered whole by a decoder first.

use super::multipart::{next_field, read_file, read_text};
use app::accounts::authz::{Need, principal_of};
use app::accounts::model::Role;
use app::accounts::session::{AuthSession, ClientIp};
use app::audit::Actor;
use app::catalog::admin::service::add_photo;
use app::error::AppError;
use app::ids::ProductId;
use app::state::AppState;
use axum::Extension;
use axum::extract::multipart::Multipart;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Json, Response};
use serde_json::json;
use tower_sessions::Session;

/// The largest file accepted (the pipeline's own limit, checked again there).
pub const MAX_PHOTO_BYTES: usize = 25 * 1024 * 1024;
/// The request may carry the form's other fields and multipart framing besides the file.
pub const MAX_REQUEST_BYTES: usize = MAX_PHOTO_BYTES + 64 * 1024;

pub async fn upload(
    State(state): State<AppState>,
    Path(product): Path<uuid::Uuid>,
    session: Session,
    client: Option<Extension<ClientIp>>,
    multipart: Multipart,
) -> Response {
    let product = ProductId(product);
    let ip = client.and_then(|Extension(ClientIp(ip))| ip);
    match accept(&state, &AuthSession::new(session), ip, product, multipart).await {
        Ok(photo) => Json(json!({ "photo": photo })).into_response(),
        Err(error) => (error.status(), Json(json!({ "error": error }))).into_response(),
    }
}

async fn accept(
    state: &AppState,
    session: &AuthSession,
    ip: Option<std::net::IpAddr>,
    product: ProductId,
    mut multipart: Multipart,
) -> Result<app::catalog::admin::model::UploadedPhoto, AppError> {
    let principal = principal_of(state, session)
        .await?
        .ok_or(AppError::Unauthorized)?;
    principal.require(Need::Role(Role::AdminCatalog))?;
    let actor = Actor {
        user: principal.viewer.user_id,
        ip,
    };
    let mut alt_text = None;
    let mut file = None;
    while let Some(field) = next_field(&mut multipart).await? {
        match field.name() {
            Some("alt_text") => alt_text = Some(read_text(field).await?),
            Some("file") => file = Some(read_file(field, MAX_PHOTO_BYTES, too_large).await?),
            _ => {}
        }
    }
    let Some(bytes) = file else {
        return Err(AppError::field("file", "Choose a photo to upload."));
    };
    Ok(add_photo(state, actor, product, bytes, &alt_text.unwrap_or_default()).await?)
}

fn too_large() -> AppError {
    AppError::field(
        "file",
        format!(
            "the file is larger than the {} MB limit",
            MAX_PHOTO_BYTES / (1024 * 1024)
        ),
    )
}
