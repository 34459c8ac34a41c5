//! The cart: what the person's cart holds.

use crate::error::ServiceError;
use crate::privacy::{Covered, Erased, Erasing, Holding, Part, Person};
use crate::state::AppState;
use sqlx::PgConnection;

/// `cart.json` in a person's data download.
pub const HOLDING: Holding = Holding {
    name: "cart",
    covers: COVERS,
    export: |state, person| Box::pin(export(state, person)),
    let_go: None,
    hold: None,
    erase: |_, conn, erasing| Box::pin(erase(conn, erasing)),
};

const COVERS: &[Covered] = &[
    Covered {
        table: "carts",
        columns: &["user_id"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "cart_lines",
        columns: &[],
        erased: Erased::Deleted,
    },
];

async fn export(state: &AppState, person: &Person) -> Result<Part, ServiceError> {
    let mut conn = state.db.acquire().await?;
    let user = person.id.0;
    let carts = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM carts t WHERE user_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let cart_lines = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM cart_lines t WHERE cart_id IN (SELECT cart_id FROM carts WHERE user_id = $1)"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Part::default()
        .table("carts", carts)
        .table("cart_lines", cart_lines))
}

async fn erase(conn: &mut PgConnection, erasing: &Erasing) -> Result<(), ServiceError> {
    // Lines go with their cart; an order made from it forgets it.
    sqlx::query!("DELETE FROM carts WHERE user_id = $1", erasing.id.0)
        .execute(conn)
        .await?;
    Ok(())
}
