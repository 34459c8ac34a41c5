//! A CSV file to download (the billing statement, the audit trail): an attachment named
//! `<stem>-<date>.csv`, never cached; a refusal as its status and message.

use app::error::AppError;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

pub fn respond(
    csv: Result<String, AppError>,
    stem: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Response {
    match csv {
        Ok(csv) => {
            let disposition = format!(
                "attachment; filename=\"{stem}-{}.csv\"",
                at.format("%Y-%m-%d")
            );
            let headers = [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
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
            (headers, csv).into_response()
        }
        Err(error) => (error.status(), error.detail()).into_response(),
    }
}
