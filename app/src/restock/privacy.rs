//! Back in stock: the products the person asked to hear about.

use crate::error::ServiceError;
use crate::privacy::{Covered, Erased, Erasing, Holding, Part, Person};
use crate::state::AppState;
use sqlx::PgConnection;

/// `restock.json` in a person's data download.
pub const HOLDING: Holding = Holding {
    name: "restock",
    covers: COVERS,
    export: |state, person| Box::pin(export(state, person)),
    let_go: None,
    hold: None,
    erase: |_, conn, erasing| Box::pin(erase(conn, erasing)),
};

const COVERS: &[Covered] = &[Covered {
    table: "stock_requests",
    columns: &["user_id"],
    erased: Erased::Deleted,
}];

async fn export(state: &AppState, person: &Person) -> Result<Part, ServiceError> {
    let mut conn = state.db.acquire().await?;
    let user = person.id.0;
    let stock_requests = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM stock_requests t WHERE user_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Part::default().table("stock_requests", stock_requests))
}

async fn erase(conn: &mut PgConnection, erasing: &Erasing) -> Result<(), ServiceError> {
    sqlx::query!(
        "DELETE FROM stock_requests WHERE user_id = $1",
        erasing.id.0
    )
    .execute(conn)
    .await?;
    Ok(())
}
