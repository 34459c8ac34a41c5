//! Steps other domains take when an order is paid, in the payment's own transaction, so the
//! orders domain imports none of them (subscriptions start from their first order this way).

use crate::accounts::hooks::BoxFuture;
use crate::error::ServiceError;
use crate::ids::{OrderId, UserId};
use chrono::NaiveDate;
use sqlx::PgConnection;

/// An order the moment its payment is booked.
#[derive(Clone, Debug)]
pub struct PaidOrder {
    pub order: OrderId,
    pub user: Option<UserId>,
    /// The Stripe customer that paid and the card it paid with, when the payment saved it.
    pub customer: Option<String>,
    pub payment_method: Option<String>,
    pub today: NaiveDate,
}

/// A step the app lists (`app::WHEN_PAID`) and the server hands to the app state.
#[derive(Clone, Copy)]
pub struct WhenPaid {
    /// For the log, when the step fails.
    pub name: &'static str,
    pub run:
        for<'a> fn(&'a mut PgConnection, &'a PaidOrder) -> BoxFuture<'a, Result<(), ServiceError>>,
}

impl std::fmt::Debug for WhenPaid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}
