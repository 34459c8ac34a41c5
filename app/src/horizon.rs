//! Reading a table by transaction horizon (the search outbox, notifications): every
//! transaction below the horizon has ended, so all of its rows are visible; rows of
//! transactions from it on may still appear. A reader that moves from horizon to horizon never
//! skips a row whose transaction committed after a later one.

use sqlx::PgConnection;

/// The horizon now.
pub async fn now(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS "horizon!""#
    )
    .fetch_one(conn)
    .await
}
