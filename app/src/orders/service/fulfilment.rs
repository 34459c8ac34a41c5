//! Fulfilment: a paid order is packed, shipped and delivered, each step in the order's history.

use super::{Result, queue_email};
use crate::audit::{self, Action, Actor};
use crate::error::AppError;
use crate::ids::OrderId;
use crate::orders::emails;
use crate::orders::model::{OrderEventKind, OrderStatus, parse_tracking_number};
use crate::orders::repo::{self, NewEvent};
use crate::state::AppState;

/// A fulfilment step by an admin: packed, shipped (with tracking number) or delivered.
pub async fn advance(
    state: &AppState,
    order: OrderId,
    to: OrderStatus,
    tracking_number: Option<&str>,
    by: Actor,
) -> Result<OrderStatus> {
    let actor = by.user;
    let (action, kind) = match to {
        OrderStatus::Packed => (Action::OrderPacked, OrderEventKind::Packed),
        OrderStatus::Shipped => (Action::OrderShipped, OrderEventKind::Shipped),
        OrderStatus::Delivered => (Action::OrderDelivered, OrderEventKind::Delivered),
        OrderStatus::PendingPayment
        | OrderStatus::Paid
        | OrderStatus::Cancelled
        | OrderStatus::Refunded => {
            return Err(AppError::invalid("Choose packed, shipped or delivered.").into());
        }
    };
    let tracking = if to == OrderStatus::Shipped {
        Some(parse_tracking_number(tracking_number.unwrap_or_default())?)
    } else {
        None
    };
    let mut tx = state.db.begin().await?;
    let locked = repo::lock(&mut tx, order)
        .await?
        .ok_or(AppError::NotFound)?;
    if !matches!(
        to,
        OrderStatus::Packed | OrderStatus::Shipped | OrderStatus::Delivered
    ) || !locked.status.may_become(to)
    {
        return Err(AppError::invalid(format!(
            "An order that is {} can't be marked {}.",
            locked.status.label().to_lowercase(),
            to.label().to_lowercase()
        ))
        .into());
    }
    repo::set_status(&mut tx, order, locked.status, to).await?;
    let detail = match &tracking {
        Some(number) => {
            repo::set_tracking(&mut tx, order, number).await?;
            format!("{} tracking number {number}", locked.carrier)
        }
        None => String::new(),
    };
    repo::record(
        &mut tx,
        order,
        &NewEvent {
            kind,
            status: to,
            detail: &detail,
            amount: None,
            actor: Some(actor),
        },
    )
    .await?;
    if to == OrderStatus::Shipped {
        queue_email(state, &mut tx, order, emails::shipped).await?;
        crate::orders::notices::shipped(&mut tx, &locked, &detail).await?;
    }
    let entry = by.entry(
        action,
        order.0,
        serde_json::json!({ "tracking_number": tracking.as_deref().unwrap_or_default() }),
    );
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(to)
}
