//! Steps other domains take when an order is paid, refunded or given up unpaid, in that
//! change's own transaction, so the orders domain imports none of them (subscriptions start
//! from their first order this way; loyalty points are earned, taken back and given back).

use crate::accounts::hooks::InTransaction;
use crate::ids::{OrderId, RefundId, UserId};
use crate::state::AppState;
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
pub type WhenPaid = InTransaction<AppState, PaidOrder>;

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
pub type WhenRefunded = InTransaction<AppState, RefundedOrder>;

/// An order given up before it was paid (cancelled, superseded, expired, or paid only after its
/// items sold out and refunded whole): what it held is let go.
#[derive(Clone, Debug)]
pub struct ReleasedOrder {
    pub order: OrderId,
    pub now: DateTime<Utc>,
}

/// A step the app lists (`app::WHEN_RELEASED`) and the server hands to the app state.
pub type WhenReleased = InTransaction<AppState, ReleasedOrder>;
