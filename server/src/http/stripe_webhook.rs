//! `POST /webhooks/stripe`: Stripe's deliveries. A bad signature gets 400 (Stripe shows it on
//! the endpoint's page); a signed event we cannot read is stored raw for finance admins and
//! acknowledged (so Stripe never disables the endpoint over a version drift); an error while
//! acting gets 500, so Stripe delivers it again.

use app::error::ServiceError;
use app::orders::service::{Delivery, receive_webhook};
use app::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use payments::PaymentsError;

/// Stripe's events are small; anything larger is not from Stripe.
pub const MAX_BODY_BYTES: usize = 512 * 1024;

pub async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Ok(payload) = std::str::from_utf8(&body) else {
        return (StatusCode::BAD_REQUEST, "payload is not UTF-8").into_response();
    };
    match receive_webhook(&state, payload, signature).await {
        Ok(Delivery::Processed) => (StatusCode::OK, "processed").into_response(),
        Ok(Delivery::Duplicate) => (StatusCode::OK, "already processed").into_response(),
        // Acknowledged so Stripe keeps the endpoint; finance reviews it in the back office.
        Ok(Delivery::Unreadable) => (StatusCode::OK, "stored for review").into_response(),
        Err(ServiceError::Payments(PaymentsError::BadSignature)) => {
            tracing::warn!("webhook with a bad signature refused");
            (StatusCode::BAD_REQUEST, "signature does not verify").into_response()
        }
        Err(error) => {
            tracing::error!(error = %app::error::error_chain(&error), "webhook not processed; Stripe will retry");
            (StatusCode::INTERNAL_SERVER_ERROR, "not processed; retry").into_response()
        }
    }
}
