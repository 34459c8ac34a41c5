//! Reviews: what the person wrote and voted, and (as an admin) what they moderated.

use crate::error::ServiceError;
use crate::privacy::{Covered, Erased, Erasing, Holding, Part, Person};
use crate::state::AppState;
use sqlx::PgConnection;

/// `reviews.json` in a person's data download.
pub const HOLDING: Holding = Holding {
    name: "reviews",
    covers: COVERS,
    export: |state, person| Box::pin(export(state, person)),
    let_go: None,
    hold: None,
    erase: |_, conn, erasing| Box::pin(erase(conn, erasing)),
};

const COVERS: &[Covered] = &[
    Covered {
        table: "reviews",
        columns: &["user_id", "moderated_by"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "review_votes",
        columns: &["user_id"],
        erased: Erased::Deleted,
    },
];

async fn export(state: &AppState, person: &Person) -> Result<Part, ServiceError> {
    let mut conn = state.db.acquire().await?;
    let user = person.id.0;
    let reviews = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM reviews t WHERE user_id = $1 OR moderated_by = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let review_votes = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM review_votes t WHERE user_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Part::default()
        .table("reviews", reviews)
        .table("review_votes", review_votes))
}

/// Their reviews go (the products' ratings follow in the search index, as for any review
/// deleted), and their helpful votes with what they counted.
async fn erase(conn: &mut PgConnection, erasing: &Erasing) -> Result<(), ServiceError> {
    let user = erasing.id.0;
    sqlx::query!(
        "UPDATE reviews SET helpful = helpful - 1
         WHERE review_id IN (SELECT review_id FROM review_votes WHERE user_id = $1)",
        user
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("DELETE FROM review_votes WHERE user_id = $1", user)
        .execute(&mut *conn)
        .await?;
    sqlx::query!("DELETE FROM reviews WHERE user_id = $1", user)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
