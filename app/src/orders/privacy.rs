//! Orders: the person's orders with their lines, history and refunds, their customer record at
//! the payment service, and (as an admin) refunds and payment events they handled.

use crate::error::ServiceError;
use crate::ids::{OrderId, UserId};
use crate::privacy::{Covered, Erased, Erasing, Holding, Part, Person, with_opened};
use crate::state::AppState;
use crate::vault::{KeyOwner, Sealed, Vault};
use sqlx::PgConnection;

/// `orders.json` in a person's data download.
pub const HOLDING: Holding = Holding {
    name: "orders",
    covers: COVERS,
    export: |state, person| Box::pin(export(state, person)),
    let_go: Some(|state, erasing| Box::pin(let_go(state, erasing))),
    hold: Some(|conn, user| Box::pin(hold(conn, user))),
    erase: |state, conn, erasing| Box::pin(erase(state, conn, erasing)),
};

const COVERS: &[Covered] = &[
    Covered {
        table: "orders",
        columns: &[
            "user_id",
            "email",
            "buyer_sealed",
            "email_lookup",
            "buyer_words",
        ],
        erased: Erased::Kept(
            "bookkeeping for 7 years: the buyer's email, name and address sealed with a retention key",
        ),
    },
    Covered {
        table: "order_lines",
        columns: &[],
        erased: Erased::Kept("bookkeeping"),
    },
    Covered {
        table: "order_events",
        columns: &["actor_id"],
        erased: Erased::Kept("bookkeeping"),
    },
    Covered {
        table: "refunds",
        columns: &["actor_id"],
        erased: Erased::Kept("bookkeeping"),
    },
    Covered {
        table: "discount_redemptions",
        columns: &["customer"],
        erased: Erased::Kept("a code's count; a guest's address in it becomes the order"),
    },
    Covered {
        table: "shop_customers",
        columns: &["user_id"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "stripe_unreadable_events",
        columns: &["reviewed_by"],
        erased: Erased::Kept("finance's records"),
    },
];

async fn export(state: &AppState, person: &Person) -> Result<Part, ServiceError> {
    let mut conn = state.db.acquire().await?;
    let user = person.id.0;
    let lookup = state.vault.email_lookup(&mut conn, &person.email).await?;
    let rows = sqlx::query!(
        r#"SELECT to_jsonb(t) AS "row!",
                  order_id AS "order: OrderId",
                  sealed_by(COALESCE(user_id, order_id), buyer_sealed) AS "buyer!: Sealed"
             FROM orders t
            WHERE user_id = $1 OR (user_id IS NULL AND email_lookup = $2)"#,
        user,
        lookup
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut orders = Vec::with_capacity(rows.len());
    for row in rows {
        let buyer = super::repo::reveal_buyer(&state.vault, row.order, &row.buyer)?;
        orders.push(with_opened(row.row, "buyer", buyer)?);
    }
    let order_lines = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM order_lines t WHERE order_id IN (SELECT order_id FROM orders WHERE user_id = $1 OR (user_id IS NULL AND email_lookup = $2))"#,
        user,
        lookup
    )
    .fetch_all(&mut *conn)
    .await?;
    let order_events = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM order_events t WHERE order_id IN (SELECT order_id FROM orders WHERE user_id = $1 OR (user_id IS NULL AND email_lookup = $2)) OR actor_id = $1"#,
        user,
        lookup
    )
    .fetch_all(&mut *conn)
    .await?;
    let refunds = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM refunds t WHERE order_id IN (SELECT order_id FROM orders WHERE user_id = $1 OR (user_id IS NULL AND email_lookup = $2)) OR actor_id = $1"#,
        user,
        lookup
    )
    .fetch_all(&mut *conn)
    .await?;
    let discount_redemptions = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM discount_redemptions t WHERE customer = $1::text OR customer = lower($2)"#,
        user.to_string(),
        person.email
    )
    .fetch_all(&mut *conn)
    .await?;
    let shop_customers = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM shop_customers t WHERE user_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let stripe_unreadable_events = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM stripe_unreadable_events t WHERE reviewed_by = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Part::default()
        .table("orders", orders)
        .table("order_lines", order_lines)
        .table("order_events", order_events)
        .table("refunds", refunds)
        .table("discount_redemptions", discount_redemptions)
        .table("shop_customers", shop_customers)
        .table("stripe_unreadable_events", stripe_unreadable_events))
}

/// An order still on its way is finished first: its delivery, a return or a refund may still
/// need the buyer's address and email.
async fn hold(conn: &mut PgConnection, user: UserId) -> Result<Option<&'static str>, sqlx::Error> {
    let travelling = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM orders WHERE user_id = $1
                            AND status IN ('paid', 'packed', 'shipped')) AS "travelling!""#,
        user.0
    )
    .fetch_one(conn)
    .await?;
    Ok(travelling.then_some("an order is still on its way"))
}

/// Their Stripe customer goes, with the cards saved on it.
async fn let_go(state: &AppState, erasing: &Erasing) -> Result<(), ServiceError> {
    let mut conn = state.db.acquire().await?;
    let customer = super::repo::customers::stripe_customer_of(&mut conn, erasing.id).await?;
    drop(conn);
    if let Some(customer) = customer {
        state
            .payments
            .delete_customer(&customer)
            .await
            .map_err(ServiceError::failed(
                "deleting an erased person's Stripe customer",
            ))?;
    }
    Ok(())
}

/// The context an order's retained buyer is sealed in.
pub fn retained_context(order: uuid::Uuid) -> String {
    format!("order-buyer:{order}")
}

/// Orders stay for bookkeeping: the buyer's email, name and address are sealed with the
/// erasure's retention key (deleted after 7 years) and cleared from the rows; the Stripe
/// customer's record goes.
async fn erase(
    state: &AppState,
    conn: &mut PgConnection,
    erasing: &Erasing,
) -> Result<(), ServiceError> {
    let user = erasing.id.0;
    let lookup = state.vault.email_lookup(&mut *conn, &erasing.email).await?;
    let orders = sqlx::query!(
        r#"SELECT order_id AS "order: OrderId", user_id IS NULL AS "guest!",
                  sealed_by(COALESCE(user_id, order_id), buyer_sealed) AS "buyer!: Sealed"
             FROM orders
            WHERE (user_id = $1 OR (user_id IS NULL AND email_lookup = $2))
              AND retained IS NULL
            FOR UPDATE"#,
        user,
        lookup
    )
    .fetch_all(&mut *conn)
    .await?;
    for order in orders {
        let buyer = super::repo::reveal_buyer(&state.vault, order.order, &order.buyer)?;
        let plain = serde_json::to_vec(&buyer)
            .map_err(ServiceError::failed("writing an order's retained buyer"))?;
        let sealed = state
            .vault
            .seal_retained(
                &mut *conn,
                erasing.retention_key,
                erasing.retain_until,
                &retained_context(order.order.0),
                &plain,
            )
            .await
            .map_err(ServiceError::failed(
                "sealing an order's buyer for retention",
            ))?;
        sqlx::query!(
            "UPDATE orders
                SET retained = $2, retention_key = $3, retained_until = $4, buyer_sealed = NULL,
                    email_lookup = NULL, buyer_words = '{}'
              WHERE order_id = $1",
            order.order.0,
            sealed,
            erasing.retention_key,
            erasing.retain_until,
        )
        .execute(&mut *conn)
        .await?;
        // A guest order's own key seals nothing else: it goes.
        if order.guest {
            Vault::forget(&mut *conn, KeyOwner::Guest(order.order)).await?;
        }
    }
    // A guest's codes counted by their address, counted by the order now.
    sqlx::query!(
        "UPDATE discount_redemptions SET customer = 'order:' || order_id WHERE customer = lower($1)",
        erasing.email
    )
    .execute(&mut *conn)
    .await?;
    // Stripe's events kept for their ids: those about their payments, customer or address
    // keep only that (an event waiting to be handled keeps all until it is).
    let customer = super::repo::customers::stripe_customer_of(&mut *conn, erasing.id).await?;
    sqlx::query!(
        r#"UPDATE stripe_events SET payload = '{}'::jsonb
            WHERE processed_at IS NOT NULL AND payload <> '{}'::jsonb
              AND (strpos(lower(payload::text), lower($1)) > 0
                   OR ($2::text IS NOT NULL AND strpos(payload::text, $2) > 0)
                   OR object_id IN (SELECT payment_intent_id FROM orders
                                     WHERE user_id = $3 AND payment_intent_id IS NOT NULL))"#,
        erasing.email,
        customer,
        user
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("DELETE FROM shop_customers WHERE user_id = $1", user)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
