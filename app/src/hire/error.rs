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

/// A longer text (up to 2000 characters) typed into `field`; `ask` says what to write when it
/// is empty or too long.
pub(crate) fn note_text(raw: &str, field: &str, ask: &str) -> Result<String> {
    let note = raw.trim();
    if note.is_empty() || note.chars().count() > 2000 {
        return Err(AppError::field(field, format!("{ask}, in at most 2000 characters.")).into());
    }
    Ok(note.to_owned())
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
