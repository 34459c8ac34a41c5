//! What a signed-in shopper is told about their order, written in the transaction that moves
//! it. Guests (no account) hear by email only.

use crate::money::Money;
use crate::notifications::model::{Notice, NotificationKind};
use crate::notifications::repo::notify;
use crate::orders::repo::Locked;
use sqlx::PgConnection;

async fn tell(
    conn: &mut PgConnection,
    order: &Locked,
    kind: NotificationKind,
    title: String,
    body: String,
) -> Result<(), sqlx::Error> {
    let Some(user) = order.user else {
        return Ok(());
    };
    let notice = Notice {
        mentions: Vec::new(),
        kind,
        title,
        body,
        link: format!("/orders/{}", order.id),
    };
    notify(conn, &[user], &notice).await
}

pub async fn paid(conn: &mut PgConnection, order: &Locked) -> Result<(), sqlx::Error> {
    let body = format!(
        "We received {} for order {}; it is being picked from the freshest batches.",
        order.total,
        order.reference()
    );
    let title = format!("Order {} paid", order.reference());
    tell(conn, order, NotificationKind::OrderPaid, title, body).await
}

/// `tracking`: the carrier and its tracking number, as the order's history says it.
pub async fn shipped(
    conn: &mut PgConnection,
    order: &Locked,
    tracking: &str,
) -> Result<(), sqlx::Error> {
    let body = format!("Order {} is on its way: {tracking}.", order.reference());
    let title = format!("Order {} shipped", order.reference());
    tell(conn, order, NotificationKind::OrderShipped, title, body).await
}

pub async fn refunded(
    conn: &mut PgConnection,
    order: &Locked,
    amount: Money,
) -> Result<(), sqlx::Error> {
    let body = format!(
        "{amount} of order {} is refunded to your card; banks take a few days to show it.",
        order.reference()
    );
    let title = format!("Order {} refunded", order.reference());
    tell(conn, order, NotificationKind::OrderRefunded, title, body).await
}
