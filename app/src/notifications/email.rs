//! The email outbox: enqueue on the caller's transaction; the relay job (server/src/jobs/mail.rs)
//! takes due messages one at a time, sends and marks them.

use super::MailboxMessage;
use crate::ids::EmailId;
use crate::vault::{KeyOwner, Sealed, Vault, VaultError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

/// A message. At rest it is sealed whole (`email_outbox.message_sealed`, bound to
/// `email:<id>`) with the data key of whom it is for, found by the HMAC of its address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body_text: String,
    /// Where the `List-Unsubscribe` header points (one-click, RFC 8058): mail a person may
    /// turn off.
    pub unsubscribe_url: Option<String>,
}

fn context(id: EmailId) -> String {
    format!("email:{}", id.0)
}

/// Queue `email` on the caller's transaction, sealed with `owner`'s key: the person it goes
/// to, or the guest order or invitation it is about when they have no account.
pub async fn enqueue(
    conn: &mut PgConnection,
    vault: &Vault,
    owner: KeyOwner,
    email: &Email,
) -> Result<EmailId, VaultError> {
    let id = EmailId(uuid::Uuid::now_v7());
    let lookup = vault.email_lookup(&mut *conn, &email.to).await?;
    let sealed = vault
        .seal_json(&mut *conn, owner, &context(id), email)
        .await?;
    sqlx::query!(
        "INSERT INTO email_outbox (email_id, sealed_for, message_sealed, recipient_lookup)
         VALUES ($1, $2, $3, $4)",
        id.0,
        owner.id(),
        sealed,
        lookup,
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// Open a message a query read as `sealed_by(sealed_for, message_sealed)`; `None` when its
/// key or the message is gone.
pub fn open(vault: &Vault, id: EmailId, sealed: &Sealed) -> Result<Option<Email>, VaultError> {
    vault.reveal_json(&context(id), sealed)
}

/// Messages due to go out, oldest first, leaving out `resting` (ids the relay holds or is
/// waiting to retry).
pub async fn due(
    conn: &mut PgConnection,
    limit: i64,
    resting: &[String],
) -> Result<Vec<EmailId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT email_id AS "email_id: EmailId" FROM email_outbox
           WHERE sent_at IS NULL AND next_attempt_at <= now() AND NOT (email_id::text = ANY($2))
           ORDER BY next_attempt_at
           LIMIT $1"#,
        limit,
        resting
    )
    .fetch_all(conn)
    .await
}

/// A message not sent yet; `None` when it went out meanwhile, or when it cannot be opened any
/// more (the key of whom it was for is gone), which deletes it: it can never go out.
pub async fn unsent(
    conn: &mut PgConnection,
    vault: &Vault,
    id: EmailId,
) -> Result<Option<Email>, VaultError> {
    let Some(row) = sqlx::query!(
        r#"SELECT CASE WHEN message_sealed IS NOT NULL
                       THEN sealed_by(sealed_for, message_sealed) END AS "message: Sealed",
                  recipient, subject, body_text, unsubscribe_url
             FROM email_outbox
            WHERE email_id = $1 AND sent_at IS NULL"#,
        id.0
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    // Queued by a version that kept mail in the clear.
    if let (Some(to), Some(subject), Some(body_text)) = (row.recipient, row.subject, row.body_text)
    {
        return Ok(Some(Email {
            to,
            subject,
            body_text,
            unsubscribe_url: row.unsubscribe_url,
        }));
    }
    let opened = match &row.message {
        Some(message) => open(vault, id, message)?,
        None => None,
    };
    if opened.is_none() {
        sqlx::query!(
            "DELETE FROM email_outbox WHERE email_id = $1 AND sent_at IS NULL",
            id.0
        )
        .execute(conn)
        .await?;
    }
    Ok(opened)
}

/// What the outbox keeps of a message once it is delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterSending {
    /// The sealed message stays: the local dev mailbox is where it is read.
    Keep,
    /// Only that it went out, when and to whose lookup hash: the message reached the inbox,
    /// and what it said (names, single-use links) must not outlive it in the database.
    Forget,
}

pub async fn mark_sent(
    conn: &mut PgConnection,
    id: EmailId,
    transport: &str,
    after: AfterSending,
) -> Result<(), sqlx::Error> {
    let forget = after == AfterSending::Forget;
    sqlx::query!(
        "UPDATE email_outbox SET sent_at = now(), transport = $2, attempts = attempts + 1,
                last_error = NULL, recipient = NULL, subject = NULL, body_text = NULL,
                message_sealed = CASE WHEN $3 THEN NULL ELSE message_sealed END,
                unsubscribe_url = NULL
         WHERE email_id = $1 AND sent_at IS NULL",
        id.0,
        transport,
        forget,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Record a failed attempt and back off exponentially (30 s, 1 min, 2 min … capped at 1 h).
pub async fn mark_failed(
    conn: &mut PgConnection,
    id: EmailId,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE email_outbox
         SET attempts = attempts + 1,
             last_error = left($2, 500),
             next_attempt_at = now() + least(interval '1 hour', interval '30 seconds' * power(2, attempts))
         WHERE email_id = $1 AND sent_at IS NULL",
        id.0,
        error,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The newest messages delivered to the local mailbox (those whose key is gone left out).
pub async fn mailbox(
    conn: &mut PgConnection,
    vault: &Vault,
    limit: i64,
) -> Result<Vec<MailboxMessage>, VaultError> {
    let rows = sqlx::query_as!(
        Stored,
        r#"SELECT email_id AS "id: EmailId", sent_at,
                  sealed_by(sealed_for, message_sealed) AS "sealed!: Sealed"
           FROM email_outbox
           WHERE transport = 'mailbox' AND sent_at IS NOT NULL AND message_sealed IS NOT NULL
           ORDER BY sent_at DESC, email_id DESC
           LIMIT $1"#,
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(opened(vault, rows)?
        .into_iter()
        .filter_map(|kept| {
            Some(MailboxMessage {
                email_id: kept.id,
                recipient: kept.email.to,
                subject: kept.email.subject,
                body_text: kept.email.body_text,
                sent_at: kept.sent_at?,
            })
        })
        .collect())
}

/// A message the outbox holds sealed, as a query reads it.
struct Stored {
    id: EmailId,
    sent_at: Option<DateTime<Utc>>,
    sealed: Sealed,
}

/// A message kept sealed in the outbox, opened.
pub struct Kept {
    pub id: EmailId,
    pub email: Email,
    /// When it went out (to the dev mailbox); `None` while queued.
    pub sent_at: Option<DateTime<Utc>>,
    sealed: Sealed,
}

/// `rows` opened, those whose key is gone left out.
fn opened(vault: &Vault, rows: Vec<Stored>) -> Result<Vec<Kept>, VaultError> {
    let mut kept = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(email) = open(vault, row.id, &row.sealed)? {
            kept.push(Kept {
                id: row.id,
                email,
                sent_at: row.sent_at,
                sealed: row.sealed,
            });
        }
    }
    Ok(kept)
}

/// The messages the outbox still holds (queued, or kept by the dev mailbox), opened, `limit`
/// after `after` in id order: erasure reads them for names to take out.
pub async fn kept(
    conn: &mut PgConnection,
    vault: &Vault,
    after: EmailId,
    limit: i64,
) -> Result<Vec<Kept>, VaultError> {
    let rows = sqlx::query_as!(
        Stored,
        r#"SELECT email_id AS "id: EmailId", sent_at,
                  sealed_by(sealed_for, message_sealed) AS "sealed!: Sealed"
             FROM email_outbox
            WHERE message_sealed IS NOT NULL AND email_id > $1
            ORDER BY email_id LIMIT $2"#,
        after.0,
        limit
    )
    .fetch_all(conn)
    .await?;
    opened(vault, rows)
}

/// Seal `message` in place of the kept one, with the same key.
pub async fn rewrite(
    conn: &mut PgConnection,
    vault: &Vault,
    kept: &Kept,
    message: &Email,
) -> Result<(), VaultError> {
    let plain = serde_json::to_vec(message)
        .map_err(|_| VaultError::Unreadable("a message that does not write as JSON"))?;
    let Some(sealed) = vault.reseal_in(&context(kept.id), &kept.sealed, &plain)? else {
        return Ok(());
    };
    sqlx::query!(
        "UPDATE email_outbox SET message_sealed = $2 WHERE email_id = $1",
        kept.id.0,
        sealed,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Seal the messages `from`'s key sealed again with `to`'s (a guest order's mail, when an
/// account adopts the order), before `from`'s key goes; how many.
pub async fn hand_over(
    conn: &mut PgConnection,
    vault: &Vault,
    from: KeyOwner,
    to: KeyOwner,
) -> Result<u64, VaultError> {
    let rows = sqlx::query!(
        r#"SELECT email_id AS "email_id: EmailId",
                  sealed_by(sealed_for, message_sealed) AS "message!: Sealed"
             FROM email_outbox
            WHERE sealed_for = $1 AND message_sealed IS NOT NULL
            ORDER BY email_id
            FOR UPDATE"#,
        from.id()
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut moved = 0;
    for row in rows {
        let Some(message) = open(vault, row.email_id, &row.message)? else {
            continue;
        };
        let sealed = vault
            .seal_json(&mut *conn, to, &context(row.email_id), &message)
            .await?;
        sqlx::query!(
            "UPDATE email_outbox SET message_sealed = $2, sealed_for = $3 WHERE email_id = $1",
            row.email_id.0,
            sealed,
            to.id(),
        )
        .execute(&mut *conn)
        .await?;
        moved += 1;
    }
    Ok(moved)
}

/// Give the messages an older version queued in the clear their address's lookup hash, and
/// forget what those already sent said; how many. (One still queued is read in the clear
/// until it goes out.)
pub async fn forget_clear_sent(conn: &mut PgConnection, vault: &Vault) -> Result<u64, VaultError> {
    crate::vault::seal_clear_rows(
        conn,
        vault,
        |conn| {
            Box::pin(async move {
                Ok(sqlx::query!(
                    r#"SELECT email_id AS "id: EmailId", recipient AS "recipient!"
                         FROM email_outbox
                        WHERE recipient IS NOT NULL
                          AND (sent_at IS NOT NULL OR recipient_lookup IS NULL)
                        ORDER BY email_id LIMIT 200"#
                )
                .fetch_all(conn)
                .await?)
            })
        },
        |tx, vault, row| {
            Box::pin(async move {
                let lookup = vault.email_lookup(&mut *tx, &row.recipient).await?;
                sqlx::query!(
                    "UPDATE email_outbox
                        SET recipient_lookup = $2,
                            recipient = CASE WHEN sent_at IS NULL THEN recipient END,
                            subject = CASE WHEN sent_at IS NULL THEN subject END,
                            body_text = CASE WHEN sent_at IS NULL THEN body_text END,
                            unsubscribe_url = CASE WHEN sent_at IS NULL THEN unsubscribe_url END
                      WHERE email_id = $1",
                    row.id.0,
                    lookup
                )
                .execute(&mut *tx)
                .await?;
                Ok(())
            })
        },
    )
    .await
}
