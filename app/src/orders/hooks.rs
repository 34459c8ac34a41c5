//! Steps other domains take when an order is paid or refunded, in that change's own
//! transaction, so the orders domain imports none of them (subscriptions start from their first
//! order this way; loyalty points are earned and taken back).

use crate::accounts::hooks::InTransaction;
use crate::ids::{OrderId, RefundId, UserId};
use chrono::{DateTime, NaiveDate, Utc};

/// An order the moment its payment is booked.
#[derive(Clone, Debug)]
pub struct PaidOrder {
    pub order: OrderId,
    pub user: Option<UserId>,
    /// The Stripe customer that paid and the card it paid with, when the payment saved it.
    pub customer: Option<String>,
    pub payment_method: Option<String>,
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
}

/// A step the app lists (`app::WHEN_PAID`) and the server hands to the app state.
pub type WhenPaid = InTransaction<PaidOrder>;

/// An order the moment a refund of it is confirmed by Stripe.
#[derive(Clone, Debug)]
pub struct RefundedOrder {
    pub order: OrderId,
    pub refund: RefundId,
    /// What the order cost, and what was refunded of it before and after this refund.
    pub total: i64,
    pub refunded_before: i64,
    pub refunded_after: i64,
    pub now: DateTime<Utc>,
}

/// A step the app lists (`app::WHEN_REFUNDED`) and the server hands to the app state.
pub type WhenRefunded = InTransaction<RefundedOrder>;
