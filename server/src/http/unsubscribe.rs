//! `POST /email/unsubscribe?token=…`: one-click unsubscribe (RFC 8058). Mail providers post
//! `List-Unsubscribe=One-Click` to the address in an email's `List-Unsubscribe` header, without
//! cookies and from no page of ours, so the token in the address is the whole authority (the
//! same-origin guard lets this path through). A person who opens the link instead gets the
//! page at the same address, which asks first.

use app::error::{AppError, ServiceError};
use app::state::AppState;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

pub const PATH: &str = "/email/unsubscribe";

#[derive(Deserialize)]
pub struct Link {
    token: String,
}

#[derive(Deserialize)]
pub struct OneClick {
    #[serde(rename = "List-Unsubscribe")]
    list_unsubscribe: String,
}

pub async fn one_click(
    State(state): State<AppState>,
    Query(link): Query<Link>,
    Form(body): Form<OneClick>,
) -> Response {
    if body.list_unsubscribe != "One-Click" {
        return (
            StatusCode::BAD_REQUEST,
            "expected List-Unsubscribe=One-Click",
        )
            .into_response();
    }
    match app::notifications::service::unsubscribe(&state.db, &link.token, state.clock.now()).await
    {
        Ok(done) => (
            StatusCode::OK,
            format!("Unsubscribed from {}.", done.what()),
        )
            .into_response(),
        Err(ServiceError::Refused(error @ AppError::Unprocessable { .. })) => {
            (StatusCode::BAD_REQUEST, error.to_string()).into_response()
        }
        Err(error) => {
            tracing::error!(error = %app::error::error_chain(&error), "one-click unsubscribe failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side; please try again.",
            )
                .into_response()
        }
    }
}
