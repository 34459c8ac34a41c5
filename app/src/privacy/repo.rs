//! The download requests (`data_exports`).

use super::model::{ErasureRow, ErasureStatus, ErasureView};
use crate::accounts::repo::{person_label, reveal_email, reveal_name};
use crate::ids::UserId;
use crate::vault::{Sealed, Vault, VaultError};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

pub struct ExportRow {
    pub requested_at: DateTime<Utc>,
    pub built_at: Option<DateTime<Utc>>,
    pub size_bytes: Option<i64>,
    pub expires_at: Option<DateTime<Utc>>,
    pub downloaded_at: Option<DateTime<Utc>>,
}

/// A new request, unless one is being built for `user` already; true when added.
pub async fn insert_request(
    conn: &mut PgConnection,
    id: Uuid,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let added = sqlx::query!(
        "INSERT INTO data_exports (export_id, user_id, requested_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) WHERE built_at IS NULL DO NOTHING",
        id,
        user.0,
        now
    )
    .execute(conn)
    .await?;
    Ok(added.rows_affected() == 1)
}

/// `user`'s latest requests, newest first.
pub async fn of_person(
    conn: &mut PgConnection,
    user: UserId,
    limit: i64,
) -> Result<Vec<ExportRow>, sqlx::Error> {
    sqlx::query_as!(
        ExportRow,
        "SELECT requested_at, built_at, size_bytes, expires_at, downloaded_at FROM data_exports
         WHERE user_id = $1 ORDER BY requested_at DESC LIMIT $2",
        user.0,
        limit
    )
    .fetch_all(conn)
    .await
}

/// Requests not built yet, oldest first, leaving out those resting after a failure.
pub async fn to_build(
    conn: &mut PgConnection,
    limit: i64,
    resting: &[String],
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT export_id FROM data_exports
         WHERE built_at IS NULL AND NOT (export_id::text = ANY($2))
         ORDER BY requested_at LIMIT $1",
        limit,
        resting
    )
    .fetch_all(conn)
    .await
}

/// The person a request not built yet is for: their id, address and name.
pub async fn unbuilt(
    conn: &mut PgConnection,
    vault: &Vault,
    id: Uuid,
) -> Result<Option<(UserId, String, String)>, VaultError> {
    let row = sqlx::query!(
        r#"SELECT e.user_id, person_email(e.user_id) AS "email!: Sealed",
                  person_name(e.user_id) AS "name!: Sealed"
             FROM data_exports e JOIN users u USING (user_id)
            WHERE e.export_id = $1 AND e.built_at IS NULL"#,
        id
    )
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok((
            UserId(r.user_id),
            reveal_email(vault, &r.email)?,
            reveal_name(vault, &r.name)?,
        ))
    })
    .transpose()
}

/// Record the built ZIP; false when another runner recorded it first.
pub async fn mark_built(
    conn: &mut PgConnection,
    id: Uuid,
    store_key: &str,
    size_bytes: i64,
    token_hash: &[u8],
    built_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE data_exports SET built_at = $2, store_key = $3, size_bytes = $4,
                token_hash = $5, expires_at = $6
         WHERE export_id = $1 AND built_at IS NULL",
        id,
        built_at,
        store_key,
        size_bytes,
        token_hash,
        expires_at
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The request the link names, if it is `user`'s, unused, unexpired and its ZIP still in the
/// store: its id and store key.
pub async fn usable_link(
    conn: &mut PgConnection,
    user: UserId,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> Result<Option<(Uuid, String)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT export_id, store_key AS "store_key!" FROM data_exports
           WHERE token_hash = $1 AND user_id = $2 AND downloaded_at IS NULL
             AND expires_at > $3 AND removed_at IS NULL"#,
        token_hash,
        user.0,
        now
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.export_id, r.store_key)))
}

/// Mark request `id` downloaded; false when it was already.
pub async fn take_link(
    conn: &mut PgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let taken = sqlx::query!(
        "UPDATE data_exports SET downloaded_at = $2
         WHERE export_id = $1 AND downloaded_at IS NULL AND removed_at IS NULL",
        id,
        now
    )
    .execute(conn)
    .await?;
    Ok(taken.rows_affected() == 1)
}

/// ZIPs to delete from the store: downloaded, or past their link's expiry.
pub async fn to_remove(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT export_id, store_key AS "store_key!" FROM data_exports
           WHERE built_at IS NOT NULL AND removed_at IS NULL
             AND (downloaded_at IS NOT NULL OR expires_at <= $1)
           ORDER BY expires_at LIMIT $2"#,
        now,
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.export_id, r.store_key))
        .collect())
}

pub async fn mark_removed(
    conn: &mut PgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE data_exports SET removed_at = $2 WHERE export_id = $1 AND removed_at IS NULL",
        id,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// An erasure request to be acted on: whose, and who they are until it is done.
pub struct DueErasure {
    pub user: UserId,
    pub email: String,
    pub name: String,
    pub held_because: Option<String>,
}

/// A new waiting erasure request; false when one already waits for `user`.
pub async fn insert_erasure(
    conn: &mut PgConnection,
    id: Uuid,
    user: UserId,
    asked_by: UserId,
    note: Option<&str>,
    (now, erase_after, deadline): (DateTime<Utc>, DateTime<Utc>, DateTime<Utc>),
) -> Result<bool, sqlx::Error> {
    let added = sqlx::query!(
        "INSERT INTO erasure_requests
             (erasure_id, user_id, asked_by, note, requested_at, erase_after, deadline)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (user_id) WHERE status = 'waiting' DO NOTHING",
        id,
        user.0,
        asked_by.0,
        note,
        now,
        erase_after,
        deadline
    )
    .execute(conn)
    .await?;
    Ok(added.rows_affected() == 1)
}

/// `user`'s waiting erasure request.
pub async fn waiting_erasure(
    conn: &mut PgConnection,
    user: UserId,
) -> Result<Option<ErasureView>, sqlx::Error> {
    sqlx::query_as!(
        ErasureView,
        r#"SELECT erasure_id AS id, requested_at, erase_after, asked_by <> user_id AS "by_support!",
                  held_because
             FROM erasure_requests WHERE user_id = $1 AND status = 'waiting'"#,
        user.0
    )
    .fetch_optional(conn)
    .await
}

/// Cancel erasure request `id` while it waits (only `user`'s, when given); whose it was.
pub async fn cancel_erasure(
    conn: &mut PgConnection,
    id: Uuid,
    user: Option<UserId>,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Option<UserId>, sqlx::Error> {
    let person = sqlx::query_scalar!(
        "UPDATE erasure_requests
            SET status = 'cancelled', cancelled_at = $4, cancelled_by = $3, held_because = NULL
          WHERE erasure_id = $1 AND status = 'waiting' AND ($2::uuid IS NULL OR user_id = $2)
          RETURNING user_id",
        id,
        user.map(|u| u.0),
        by.0,
        now
    )
    .fetch_optional(conn)
    .await?;
    Ok(person.map(UserId))
}

/// Requests for support: the waiting ones by deadline, then the latest done or cancelled.
pub async fn erasures_for_support(
    conn: &mut PgConnection,
    vault: &Vault,
    limit: i64,
) -> Result<Vec<ErasureRow>, VaultError> {
    let rows = sqlx::query!(
        r#"SELECT e.erasure_id AS id, p.user_id AS person_id,
                  person_name(p.user_id) AS "person_name!: Sealed",
                  person_email(p.user_id) AS "person_email!: Sealed",
                  p.erased_at IS NOT NULL AS "erased!",
                  a.user_id = p.user_id AS "themselves!",
                  person_name(a.user_id) AS "asked_by_name!: Sealed",
                  person_email(a.user_id) AS "asked_by_email!: Sealed",
                  e.note, e.requested_at, e.erase_after, e.deadline,
                  e.status AS "status: ErasureStatus", e.held_because,
                  coalesce(e.erased_at, e.cancelled_at) AS done_at
             FROM erasure_requests e
             JOIN users p ON p.user_id = e.user_id
             JOIN users a ON a.user_id = e.asked_by
            ORDER BY e.status = 'waiting' DESC,
                     CASE WHEN e.status = 'waiting' THEN e.deadline END,
                     coalesce(e.erased_at, e.cancelled_at) DESC
            LIMIT $1"#,
        limit
    )
    .fetch_all(conn)
    .await?;
    let label = |name: &Sealed, email: &Sealed| -> Result<String, VaultError> {
        Ok(person_label(vault, Some(name), Some(email))?.unwrap_or_default())
    };
    rows.into_iter()
        .map(|r| {
            Ok(ErasureRow {
                id: r.id,
                person: if r.erased {
                    format!("Erased account {}", r.person_id)
                } else {
                    label(&r.person_name, &r.person_email)?
                },
                asked_by: if r.themselves {
                    "Themselves".to_owned()
                } else {
                    label(&r.asked_by_name, &r.asked_by_email)?
                },
                note: r.note,
                requested_at: r.requested_at,
                erase_after: r.erase_after,
                deadline: r.deadline,
                status: r.status,
                held_because: r.held_because,
                done_at: r.done_at,
            })
        })
        .collect()
}

/// Waiting requests whose grace period is over.
pub async fn erasures_due(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    limit: i64,
    resting: &[String],
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT erasure_id FROM erasure_requests
          WHERE status = 'waiting' AND erase_after <= $1
            AND NOT (erasure_id::text = ANY($3))
          ORDER BY erase_after LIMIT $2",
        now,
        limit,
        resting
    )
    .fetch_all(conn)
    .await
}

/// Request `id` while it waits and is due, with its person as they still are; locked.
pub async fn lock_due_erasure(
    conn: &mut PgConnection,
    vault: &Vault,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<DueErasure>, VaultError> {
    let row = sqlx::query!(
        r#"SELECT u.user_id, person_email(u.user_id) AS "email!: Sealed",
                  person_name(u.user_id) AS "name!: Sealed",
                  e.held_because
             FROM erasure_requests e JOIN users u USING (user_id)
            WHERE e.erasure_id = $1 AND e.status = 'waiting' AND e.erase_after <= $2
            FOR UPDATE OF e"#,
        id,
        now
    )
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(DueErasure {
            user: UserId(r.user_id),
            email: reveal_email(vault, &r.email)?,
            name: reveal_name(vault, &r.name)?,
            held_because: r.held_because,
        })
    })
    .transpose()
}

/// Why request `id` waits past its grace period (none: nothing holds it any more).
pub async fn hold_erasure(
    conn: &mut PgConnection,
    id: Uuid,
    because: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE erasure_requests SET held_because = $2 WHERE erasure_id = $1 AND status = 'waiting'",
        id,
        because
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Request `id` is done.
pub async fn mark_erased(
    conn: &mut PgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE erasure_requests SET status = 'erased', erased_at = $2, held_because = NULL
          WHERE erasure_id = $1",
        id,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The stored downloads of `user`'s data, to take out of the store before they are erased.
pub async fn stored_exports(
    conn: &mut PgConnection,
    user: UserId,
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT export_id, store_key AS "store_key!" FROM data_exports
            WHERE user_id = $1 AND store_key IS NOT NULL AND removed_at IS NULL"#,
        user.0
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.export_id, r.store_key))
        .collect())
}
