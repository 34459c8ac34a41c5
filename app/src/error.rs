//! The one error type at the server-function boundary.
//!
//! Errors by layer: repos return `sqlx::Error`; services return [`ServiceError`];
//! server functions return [`AppError`], which shows the user a safe message (and field errors)
//! while the server logs the whole chain. Internal details never cross the wire.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("We couldn't find that page.")]
    NotFound,
    #[error("Please sign in to continue.")]
    Unauthorized,
    #[error("You don't have access to that.")]
    Forbidden,
    /// The action needs a second factor from this device: set one up first (`setup`), or
    /// enter a code now (at sign-in it was not asked, or it was longer ago than sensitive
    /// actions allow).
    #[error("{}", if *setup { SET_UP_SECOND_FACTOR } else { GIVE_SECOND_FACTOR })]
    SecondFactorRequired { setup: bool },
    #[error("{message}")]
    Unprocessable {
        message: String,
        fields: Vec<FieldError>,
    },
    #[error("That was tried too often in a short time. Please wait {} and try again.", wait_words(*retry_after_secs))]
    TooManyRequests { retry_after_secs: u64 },
    #[error("We couldn't reach the shop. Check your connection and try again.")]
    Unreachable,
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Internal,
}

const SET_UP_SECOND_FACTOR: &str =
    "The back office needs two-step sign-in. Set up an authenticator app to continue.";
const GIVE_SECOND_FACTOR: &str =
    "Enter a code from your authenticator app to confirm it's you, then try again.";

/// "1 second", "40 seconds", "3 minutes" (rounded up), "2 hours".
fn wait_words(secs: u64) -> String {
    let (n, unit) = match secs {
        0..=90 => (secs.max(1), "second"),
        91..=5400 => (secs.div_ceil(60), "minute"),
        _ => (secs.div_ceil(3600), "hour"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::Unreachable,
            // The decoder's own wording is for developers; a person gets a sentence to act on.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                AppError::Unprocessable {
                    message: "That request could not be read. Reload the page and try again."
                        .to_owned(),
                    fields: Vec::new(),
                }
            }
            ServerFnErrorErr::Registration(_)
            | ServerFnErrorErr::UnsupportedRequestMethod(_)
            | ServerFnErrorErr::ServerError(_)
            | ServerFnErrorErr::MiddlewareError(_)
            | ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::Serialization(_) => AppError::Internal,
        }
    }
}

impl AppError {
    /// A form-level problem the person can fix.
    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::Unprocessable {
            message: message.into(),
            fields: Vec::new(),
        }
    }

    /// A problem with one field, shown next to it.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        AppError::Unprocessable {
            message: "Please check the highlighted field.".to_owned(),
            fields: vec![FieldError {
                field: field.to_owned(),
                message,
            }],
        }
    }

    /// The HTTP status this error answers with (pages and server functions alike).
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::Unauthorized => 401,
            AppError::Forbidden | AppError::SecondFactorRequired { .. } => 403,
            AppError::Unprocessable { .. } => 422,
            AppError::TooManyRequests { .. } => 429,
            AppError::Unreachable => 502,
            AppError::Internal => 500,
        }
    }

    /// The most specific sentence: the first field's message, or the error's own.
    pub fn detail(&self) -> String {
        match self {
            AppError::Unprocessable { fields, .. } => fields
                .first()
                .map_or_else(|| self.to_string(), |f| f.message.clone()),
            AppError::NotFound
            | AppError::Unauthorized
            | AppError::Forbidden
            | AppError::SecondFactorRequired { .. }
            | AppError::TooManyRequests { .. }
            | AppError::Unreachable
            | AppError::Internal => self.to_string(),
        }
    }

    /// The message for `field`, if this error names it.
    pub fn field_message(&self, field: &str) -> Option<&str> {
        match self {
            AppError::Unprocessable { fields, .. } => fields
                .iter()
                .find(|f| f.field == field)
                .map(|f| f.message.as_str()),
            AppError::NotFound
            | AppError::Unauthorized
            | AppError::Forbidden
            | AppError::SecondFactorRequired { .. }
            | AppError::TooManyRequests { .. }
            | AppError::Unreachable
            | AppError::Internal => None,
        }
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// Set this error's HTTP status on the current response (server functions and pages).
    ///
    /// Not for a plain HTML form post (no JavaScript): Leptos answers those with a redirect back
    /// to the form, carrying the error for the page to show, and a 4xx status would stop the
    /// browser from following it.
    pub fn with_status(self) -> Self {
        use leptos::prelude::use_context;
        let plain_form_post = use_context::<http::request::Parts>().is_some_and(|request| {
            request.method == http::Method::POST
                && request
                    .headers
                    .get(http::header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|accept| accept.contains("text/html"))
        });
        if !plain_form_post && let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(self.status());
            if let AppError::TooManyRequests { retry_after_secs } = &self {
                response.insert_header(
                    http::header::RETRY_AFTER,
                    http::HeaderValue::from(*retry_after_secs),
                );
            }
        }
        self
    }

    /// Log the full error chain on the server; the user sees only the generic message.
    pub fn internal(error: &(dyn std::error::Error + 'static)) -> Self {
        tracing::error!(error = %error_chain(error), "internal error");
        AppError::Internal
    }

    pub fn status(&self) -> http::StatusCode {
        http::StatusCode::from_u16(self.status_code())
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// Did this statement fail on the named constraint (unique, foreign key, check)? The repos
/// turn such a failure into the answer the person can act on ("this SKU is taken").
#[cfg(feature = "ssr")]
pub fn violates(error: &sqlx::Error, constraint: &str) -> bool {
    error
        .as_database_error()
        .and_then(|e| e.constraint())
        .is_some_and(|c| c == constraint)
}

/// A database failure is ours, never the person's: it is logged whole and answered with the
/// generic message, so `?` carries a repo's `sqlx::Error` out of a server function.
#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        AppError::internal(&error)
    }
}

/// The one error shape of the domain services: a refusal the person can act on, or a failure
/// that is ours (the database, the payment service, anything else), which the person sees only
/// as the generic message while the server logs the whole chain.
#[cfg(feature = "ssr")]
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A refusal the person can act on (field errors, 403, "try again in N minutes").
    #[error(transparent)]
    Refused(#[from] AppError),
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("payment service error: {0}")]
    Payments(#[from] payments::PaymentsError),
    /// Any other failure of ours, with what was being done.
    #[error("{0}")]
    Internal(
        &'static str,
        #[source] Box<dyn std::error::Error + Send + Sync + 'static>,
    ),
}

#[cfg(feature = "ssr")]
impl From<crate::vault::VaultError> for ServiceError {
    fn from(error: crate::vault::VaultError) -> Self {
        match error {
            crate::vault::VaultError::Database(error) => ServiceError::Database(error),
            other @ (crate::vault::VaultError::Unreadable(_)
            | crate::vault::VaultError::UnknownMaster(_)) => {
                ServiceError::Internal("personal data vault", Box::new(other))
            }
        }
    }
}

#[cfg(feature = "ssr")]
impl ServiceError {
    /// For `map_err`: a failure of ours while doing `what`.
    pub fn failed<E: std::error::Error + Send + Sync + 'static>(
        what: &'static str,
    ) -> impl FnOnce(E) -> ServiceError {
        move |error| ServiceError::Internal(what, Box::new(error))
    }
}

#[cfg(feature = "ssr")]
impl From<ServiceError> for AppError {
    /// Every refusal sets the response's status, wherever it was raised.
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Refused(refusal) => refusal.with_status(),
            ServiceError::Payments(payments::PaymentsError::Refused { message, .. }) => {
                AppError::invalid(format!("The payment service refused: {message}")).with_status()
            }
            ServiceError::Database(_) | ServiceError::Payments(_) | ServiceError::Internal(..) => {
                AppError::internal(&error)
            }
        }
    }
}

/// An error and its causes, one line: "outer: inner: root".
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    chain
}

/// Field errors collected over a whole form, so every problem shows at once.
#[derive(Default)]
pub struct Problems(Vec<FieldError>);

impl Problems {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// A required text field, trimmed, between 1 and `max` characters.
    pub fn text(&mut self, field: &str, label: &str, raw: &str, max: usize) -> String {
        let value = raw.trim();
        if value.is_empty() {
            self.add(field, format!("Enter the {label}."));
        } else if value.chars().count() > max {
            self.add(field, format!("Keep the {label} to {max} characters."));
        }
        value.to_owned()
    }

    /// Nothing is wrong so far.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result<T>(self, value: T) -> Result<T, AppError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(AppError::Unprocessable {
                message: "Please check the highlighted fields.".to_owned(),
                fields: self.0,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_say_how_long_to_wait_in_words() {
        let wait = |secs| {
            AppError::TooManyRequests {
                retry_after_secs: secs,
            }
            .to_string()
        };
        assert_eq!(
            wait(1),
            "That was tried too often in a short time. Please wait 1 second and try again."
        );
        assert!(wait(42).contains("wait 42 seconds"));
        assert!(wait(601).contains("wait 11 minutes"));
        assert!(wait(7200).contains("wait 2 hours"));
    }
}
