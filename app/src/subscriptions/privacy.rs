//! Subscriptions: the person's subscribe-and-save plans, their history, renewals and reminders.

use crate::error::ServiceError;
use crate::ids::SubscriptionId;
use crate::privacy::{Covered, ERASED, Erased, Erasing, Holding, Part, Person, with_opened};
use crate::state::AppState;
use crate::vault::Sealed;
use sqlx::PgConnection;

/// `subscriptions.json` in a person's data download.
pub const HOLDING: Holding = Holding {
    name: "subscriptions",
    covers: COVERS,
    export: |state, person| Box::pin(export(state, person)),
    let_go: None,
    hold: None,
    erase: |_, conn, erasing| Box::pin(erase(conn, erasing)),
};

const COVERS: &[Covered] = &[
    Covered {
        table: "subscriptions",
        columns: &["user_id", "ship_to_sealed"],
        erased: Erased::Kept("ended, its address cleared; the orders it made are bookkeeping"),
    },
    Covered {
        table: "subscription_events",
        columns: &["actor"],
        erased: Erased::Kept("the subscription's history"),
    },
    Covered {
        table: "subscription_renewals",
        columns: &[],
        erased: Erased::Kept("the subscription's history"),
    },
    Covered {
        table: "subscription_reminders",
        columns: &[],
        erased: Erased::Kept("the subscription's history"),
    },
];

async fn export(state: &AppState, person: &Person) -> Result<Part, ServiceError> {
    let mut conn = state.db.acquire().await?;
    let user = person.id.0;
    let rows = sqlx::query!(
        r#"SELECT to_jsonb(t) AS "row!", subscription_id AS "id: SubscriptionId",
                  sealed_by(user_id, ship_to_sealed) AS "ship_to!: Sealed"
             FROM subscriptions t WHERE user_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut subscriptions = Vec::with_capacity(rows.len());
    for row in rows {
        let ship_to = super::repo::reveal_ship_to(&state.vault, row.id, &row.ship_to)?;
        subscriptions.push(with_opened(row.row, "ship_to", ship_to)?);
    }
    let subscription_events = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM subscription_events t WHERE subscription_id IN (SELECT subscription_id FROM subscriptions WHERE user_id = $1) OR actor = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let subscription_renewals = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM subscription_renewals t WHERE subscription_id IN (SELECT subscription_id FROM subscriptions WHERE user_id = $1)"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let subscription_reminders = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM subscription_reminders t WHERE subscription_id IN (SELECT subscription_id FROM subscriptions WHERE user_id = $1)"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Part::default()
        .table("subscriptions", subscriptions)
        .table("subscription_events", subscription_events)
        .table("subscription_renewals", subscription_renewals)
        .table("subscription_reminders", subscription_reminders))
}

/// Their subscriptions end (nothing renews for an erased account) and forget the address,
/// the saved card and what the person wrote; the history stays with the orders it made.
async fn erase(conn: &mut PgConnection, erasing: &Erasing) -> Result<(), ServiceError> {
    let user = erasing.id.0;
    sqlx::query!(
        "INSERT INTO subscription_events (subscription_id, kind, detail, at)
         SELECT subscription_id, 'cancelled', 'Ended: the account was erased.', $2
           FROM subscriptions WHERE user_id = $1 AND status <> 'cancelled'",
        user,
        erasing.now
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE subscription_events SET detail = $2
         WHERE kind = 'address_changed'
           AND subscription_id IN (SELECT subscription_id FROM subscriptions WHERE user_id = $1)",
        user,
        ERASED
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE subscriptions
            SET status = 'cancelled', cancelled_at = coalesce(cancelled_at, $3),
                cancel_reason = 'The account was erased.', paused_until = NULL,
                ship_to_sealed = NULL, stripe_customer = $2, payment_method = $2
          WHERE user_id = $1",
        user,
        ERASED,
        erasing.now
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
