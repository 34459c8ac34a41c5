//! `/media/r{pipeline}/{hash}/{width}.{webp|avif}`: image renditions from the store. A key's
//! bytes never change, so responses are cacheable forever and the key is the ETag.

use app::media::model::RenditionKey;
use app::state::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");

pub async fn rendition(
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(key) = RenditionKey::parse(&key) else {
        return (StatusCode::NOT_FOUND, "no such image").into_response();
    };
    let path = key.path();
    let etag = format!("\"{}\"", path.replace('/', "-"));
    let etag_value = HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"-\""));
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if fresh {
        return (
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag_value),
                (header::CACHE_CONTROL, IMMUTABLE),
            ],
        )
            .into_response();
    }
    match state.media.store.get(&path).await {
        Ok(Some(bytes)) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(key.format.mime()),
                ),
                (header::CACHE_CONTROL, IMMUTABLE),
                (header::ETAG, etag_value),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
            ],
            Body::from(bytes),
        )
            .into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "no such image").into_response(),
        Err(error) => {
            tracing::warn!(error = %app::error::error_chain(&error), "image store read failed");
            (StatusCode::SERVICE_UNAVAILABLE, "image storage unavailable").into_response()
        }
    }
}
