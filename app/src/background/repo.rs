use super::model::{DeadItem, JobStatus};
use sqlx::PgConnection;

pub async fn jobs(conn: &mut PgConnection) -> Result<Vec<JobStatus>, sqlx::Error> {
    sqlx::query_as!(
        JobStatus,
        r#"SELECT j.name, j.last_finished_at, j.last_due, j.last_error, j.runs, j.items_done,
                  j.items_failed, j.panics, j.last_panic, j.last_panic_at,
                  count(i.item) FILTER (WHERE i.dead_at IS NULL AND i.retry_at IS NOT NULL)
                      AS "retrying!",
                  count(i.item) FILTER (WHERE i.dead_at IS NOT NULL) AS "dead!"
           FROM jobs j LEFT JOIN job_items i ON i.job = j.name
           GROUP BY j.name
           ORDER BY j.name"#
    )
    .fetch_all(conn)
    .await
}

pub async fn dead_items(conn: &mut PgConnection) -> Result<Vec<DeadItem>, sqlx::Error> {
    sqlx::query_as!(
        DeadItem,
        r#"SELECT job, item, attempts, coalesce(last_error, '') AS "last_error!",
                  dead_at AS "dead_at!"
           FROM job_items WHERE dead_at IS NOT NULL
           ORDER BY dead_at DESC LIMIT 100"#
    )
    .fetch_all(conn)
    .await
}

/// Send a dead item back to the queue with a fresh count of attempts; `false` when it is not
/// (or no longer) dead.
pub async fn revive(conn: &mut PgConnection, job: &str, item: &str) -> Result<bool, sqlx::Error> {
    let revived = sqlx::query!(
        "UPDATE job_items SET dead_at = NULL, attempts = 0, retry_at = NULL
         WHERE job = $1 AND item = $2 AND dead_at IS NOT NULL",
        job,
        item
    )
    .execute(conn)
    .await?;
    Ok(revived.rows_affected() == 1)
}
