//! What happens to an order after checkout: payment results from Stripe (webhooks, or the
//! shopper returning from the payment form), reservations that run out, fulfilment steps,
//! cancellations and refunds. Each change is one transaction that locks the order, checks the
//! state machine and appends to the order's history; Stripe calls carry idempotency keys from
//! our own ids, so retries and duplicate or reordered events have no second effect.

use super::model::{OrderDetail, OrderEventKind, OrderStatus};
use super::repo::{self, Locked, NewEvent};
use crate::error::ServiceError;
use crate::ids::OrderId;
use crate::notifications::email;
use crate::state::AppState;
use crate::vault::KeyOwner;
use sqlx::PgConnection;

mod fulfilment;
mod payment;
mod queries;
mod refunds;
mod webhooks;

pub use fulfilment::advance;
pub use payment::{
    apply_intent, cancel_unpaid, expire_unpaid, overdue, payment_for, resume, sync_payment,
};
pub use queries::{
    adopt_guest_orders, detail_after_payment, detail_for_admin, detail_for_customer,
    list_for_admin, list_for_customer, may_see,
};
pub use refunds::{RefundKind, cancel, refund, refund_typed};
pub use webhooks::{
    Delivery, finish_event, receive_webhook, review_unreadable, unprocessed_events,
    unreadable_events,
};

pub type Result<T> = std::result::Result<T, ServiceError>;

fn link(state: &AppState, order: OrderId) -> String {
    state.config.link(&format!("/orders/{order}"))
}

async fn queue_email(
    state: &AppState,
    conn: &mut PgConnection,
    order: OrderId,
    make: impl FnOnce(&OrderDetail, &str) -> email::Email,
) -> Result<()> {
    if let Some(detail) = repo::detail(conn, &state.vault, order).await?
        && let Some(account) = repo::owner(conn, order).await?
    {
        // Sealed with the key the order's buyer is sealed with.
        let owner = account.map_or(KeyOwner::Guest(order), KeyOwner::Person);
        let message = make(&detail, &link(state, order));
        email::enqueue(conn, &state.vault, owner, &message).await?;
    }
    Ok(())
}

async fn record(
    conn: &mut PgConnection,
    order: &Locked,
    kind: OrderEventKind,
    status: OrderStatus,
    detail: &str,
    amount: Option<i64>,
) -> Result<()> {
    repo::record(
        conn,
        order.id,
        &NewEvent {
            kind,
            status,
            detail,
            amount,
            actor: None,
        },
    )
    .await?;
    Ok(())
}
