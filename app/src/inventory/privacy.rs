//! Inventory: stock movements the person recorded as an admin.

use crate::error::ServiceError;
use crate::privacy::{Covered, Erased, Holding, Part, Person, keep_all};
use crate::state::AppState;

/// `inventory.json` in a person's data download.
pub const HOLDING: Holding = Holding {
    name: "inventory",
    covers: COVERS,
    export: |state, person| Box::pin(export(state, person)),
    let_go: None,
    hold: None,
    erase: keep_all,
};

const COVERS: &[Covered] = &[Covered {
    table: "stock_movements",
    columns: &["actor_id"],
    erased: Erased::Kept("stock's history"),
}];

async fn export(state: &AppState, person: &Person) -> Result<Part, ServiceError> {
    let mut conn = state.db.acquire().await?;
    let user = person.id.0;
    let stock_movements = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM stock_movements t WHERE actor_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Part::default().table("stock_movements", stock_movements))
}
