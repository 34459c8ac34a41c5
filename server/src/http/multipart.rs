//! Reading `multipart/form-data` uploads: a file field streamed in and refused as soon as it
//! passes its limit, instead of being buffered whole first.

use app::error::AppError;
use axum::extract::multipart::{Field, Multipart, MultipartError};
use axum::http::StatusCode;

/// The form's next field, if any.
pub async fn next_field(multipart: &mut Multipart) -> Result<Option<Field<'_>>, AppError> {
    multipart.next_field().await.map_err(|e| unreadable(&e))
}

/// The file's bytes; `too_large()` as soon as they pass `limit`.
pub async fn read_file(
    mut field: Field<'_>,
    limit: usize,
    too_large: fn() -> AppError,
) -> Result<Vec<u8>, AppError> {
    let mut bytes = Vec::new();
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                if bytes.len() + chunk.len() > limit {
                    return Err(too_large());
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(bytes),
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(too_large());
            }
            Err(error) => return Err(unreadable(&error)),
        }
    }
}

/// A text field's value.
pub async fn read_text(field: Field<'_>) -> Result<String, AppError> {
    field.text().await.map_err(|e| unreadable(&e))
}

/// The refusal for a broken or interrupted upload (the reason is logged, not shown).
pub fn unreadable(error: &MultipartError) -> AppError {
    tracing::info!(reason = %error.body_text(), "unreadable upload");
    AppError::invalid("The upload could not be read; it may have been interrupted. Try again.")
}
