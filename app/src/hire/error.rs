//! What every Hire use case shares: the result type and the refusals people read.

use crate::error::{AppError, ServiceError};
use crate::hire::refusal::Refusal;

pub type Result<T> = std::result::Result<T, ServiceError>;

pub(crate) fn refuse<T>(refusal: Refusal) -> Result<T> {
    Err(refusal.into())
}

pub(crate) fn not_found<T>() -> Result<T> {
    Err(AppError::NotFound.into())
}

pub(crate) fn reason_text(raw: &str, field: &str) -> Result<String> {
    let reason = raw.trim();
    if reason.is_empty() {
        return Err(AppError::field(field, "Say why, in a few words.").into());
    }
    if reason.chars().count() > 500 {
        return Err(AppError::field(field, "Keep the reason to 500 characters.").into());
    }
    Ok(reason.to_owned())
}
