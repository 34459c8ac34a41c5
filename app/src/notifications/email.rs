//! The email outbox: enqueue on the caller's transaction; the relay job (server/src/jobs/mail.rs)
//! takes due messages one at a time, sends and marks them.

use super::MailboxMessage;
use crate::ids::EmailId;
use sqlx::PgConnection;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body_text: String,
    /// Where the `List-Unsubscribe` header points (one-click, RFC 8058): mail a person may
    /// turn off.
    pub unsubscribe_url: Option<String>,
}

pub async fn enqueue(conn: &mut PgConnection, email: &Email) -> Result<EmailId, sqlx::Error> {
    let id = EmailId(uuid::Uuid::now_v7());
    sqlx::query!(
        "INSERT INTO email_outbox (email_id, recipient, subject, body_text, unsubscribe_url)
         VALUES ($1, $2, $3, $4, $5)",
        id.0,
        email.to,
        email.subject,
        email.body_text,
        email.unsubscribe_url,
    )
    .execute(conn)
    .await?;
    Ok(id)
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

/// A message not sent yet.
pub async fn unsent(conn: &mut PgConnection, id: EmailId) -> Result<Option<Email>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT recipient, subject, body_text, unsubscribe_url FROM email_outbox
         WHERE email_id = $1 AND sent_at IS NULL",
        id.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Email {
        to: r.recipient,
        subject: r.subject,
        body_text: r.body_text,
        unsubscribe_url: r.unsubscribe_url,
    }))
}

/// What the outbox keeps of a message once it is delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterSending {
    /// The body stays: the local dev mailbox is where it is read.
    KeepBody,
    /// A body holding a single-use link (reset, verification, invitation, unsubscribe) is
    /// replaced by a note, and an unsubscribe address is forgotten: the link worked once it
    /// reached the inbox, and must not outlive it in the database.
    RemoveLinks,
}

/// The note that replaces a delivered body that held a single-use link.
pub const REMOVED_BODY: &str =
    "(Delivered. The message held a single-use link, so its text was not kept.)";

pub async fn mark_sent(
    conn: &mut PgConnection,
    id: EmailId,
    transport: &str,
    after: AfterSending,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE email_outbox SET sent_at = now(), transport = $2, attempts = attempts + 1,
                last_error = NULL,
                body_text = CASE WHEN $3 AND body_text LIKE '%token=%' THEN $4 ELSE body_text END,
                unsubscribe_url = CASE WHEN $3 THEN NULL ELSE unsubscribe_url END
         WHERE email_id = $1 AND sent_at IS NULL",
        id.0,
        transport,
        after == AfterSending::RemoveLinks,
        REMOVED_BODY,
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

/// The newest messages delivered to the local mailbox.
pub async fn mailbox(
    conn: &mut PgConnection,
    limit: i64,
) -> Result<Vec<MailboxMessage>, sqlx::Error> {
    sqlx::query_as!(
        MailboxMessage,
        r#"SELECT email_id AS "email_id: EmailId", recipient, subject, body_text,
                  sent_at AS "sent_at!"
           FROM email_outbox
           WHERE transport = 'mailbox' AND sent_at IS NOT NULL
           ORDER BY sent_at DESC, email_id DESC
           LIMIT $1"#,
        limit
    )
    .fetch_all(conn)
    .await
}
