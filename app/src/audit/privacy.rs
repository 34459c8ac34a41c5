//! The audit trail: what the person did, and what was done to their account.

use crate::error::ServiceError;
use crate::privacy::{Covered, Erased, Holding, Part, Person, keep_all};
use crate::state::AppState;

/// `audit.json` in a person's data download.
pub const HOLDING: Holding = Holding {
    name: "audit",
    covers: COVERS,
    export: |state, person| Box::pin(export(state, person)),
    let_go: None,
    hold: None,
    erase: keep_all,
};

const COVERS: &[Covered] = &[Covered {
    table: "audit_log",
    columns: &["actor_id"],
    erased: Erased::Kept("the append-only, hash-chained trail; its entries name account ids"),
}];

async fn export(state: &AppState, person: &Person) -> Result<Part, ServiceError> {
    let mut conn = state.db.acquire().await?;
    let user = person.id.0;
    let audit_log = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM audit_log t WHERE actor_id = $1 OR subject_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Part::default().table("audit_log", audit_log))
}
