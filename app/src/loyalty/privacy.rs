//! Loyalty: the person's points, and (as an admin) the adjustments they made.

use crate::error::ServiceError;
use crate::privacy::{Covered, Erased, Holding, Part, Person, keep_all};
use crate::state::AppState;

/// `loyalty.json` in a person's data download.
pub const HOLDING: Holding = Holding {
    name: "loyalty",
    covers: COVERS,
    export: |state, person| Box::pin(export(state, person)),
    let_go: None,
    hold: None,
    erase: keep_all,
};

const COVERS: &[Covered] = &[Covered {
    table: "loyalty_entries",
    columns: &["user_id", "actor_id"],
    erased: Erased::Kept("the append-only points ledger"),
}];

async fn export(state: &AppState, person: &Person) -> Result<Part, ServiceError> {
    let mut conn = state.db.acquire().await?;
    let user = person.id.0;
    let loyalty_entries = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM loyalty_entries t WHERE user_id = $1 OR actor_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Part::default().table("loyalty_entries", loyalty_entries))
}
