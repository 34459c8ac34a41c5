//! Message threads: one per application (and so per contract, which grows from it), between
//! the freelancer and the organisation's managers. Each side has its own read mark, so the
//! unread count is what the other side wrote since. A thread closes when the application ended
//! without a hire (rejected, withdrawn or declined).

use crate::accounts::model::{Role, Viewer};
use crate::accounts::repo::{reveal_name, reveal_name_of};
use crate::error::{AppError, ServiceError};
use crate::hire::applications::model::ApplicationStatus;
use crate::hire::messages::model::{Message, Thread, ThreadSummary, Unread};
use crate::hire::notices;
use crate::hire::reference::model::Side;
use crate::hire::refusal::Refusal;
use crate::idempotency::{self, Claim, RequestKey};
use crate::ids::{ApplicationId, MessageId, OrganisationId, UserId};
use crate::state::AppState;
use crate::vault::{Sealed, Vault, VaultError};
use sqlx::PgConnection;

type Result<T> = std::result::Result<T, ServiceError>;

/// The endpoint a key of a sent message belongs to.
const SEND_MESSAGE: &str = "hire/message/send";

/// The longest message.
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// Who is reading or writing: a side and whose side it is (the organisation's id, or the
/// freelancer's own).
#[derive(Clone, Copy, Debug)]
pub struct Party {
    pub side: Side,
    pub owner: uuid::Uuid,
}

impl Party {
    pub fn organisation(id: OrganisationId) -> Self {
        Party {
            side: Side::Organisation,
            owner: id.0,
        }
    }

    pub fn freelancer(id: UserId) -> Self {
        Party {
            side: Side::Freelancer,
            owner: id.0,
        }
    }
}

/// The application's status if `party` is one of its two sides.
async fn status_for(
    conn: &mut PgConnection,
    party: Party,
    application: ApplicationId,
) -> std::result::Result<Option<ApplicationStatus>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT status AS "status: ApplicationStatus" FROM applications
           WHERE application_id = $1
             AND CASE WHEN $2 = 'organisation'::hire_side THEN organisation_id = $3
                      ELSE freelancer_id = $3 END"#,
        application.0,
        party.side as Side,
        party.owner
    )
    .fetch_optional(conn)
    .await
}

/// Open while the application is under way or ended in a hire.
fn is_open(status: ApplicationStatus) -> bool {
    !status.is_final() || status == ApplicationStatus::Hired
}

/// Mark everything the other side wrote in the thread as read by `side`.
async fn mark_read(
    conn: &mut PgConnection,
    side: Side,
    application: ApplicationId,
) -> std::result::Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO message_reads (application_id, side, read_at) VALUES ($1, $2, now())
         ON CONFLICT (application_id, side) DO UPDATE SET read_at = now()",
        application.0,
        side as Side
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A message's text, trimmed, or the refusal to show under the `body` field.
pub fn check_body(body: &str) -> std::result::Result<&str, AppError> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::field("body", "Write a message first."));
    }
    if body.chars().count() > MAX_MESSAGE_CHARS {
        return Err(AppError::field(
            "body",
            format!("Keep a message to {MAX_MESSAGE_CHARS} characters."),
        ));
    }
    Ok(body)
}

/// Add a checked message to a thread and mark what came before read for the writer's side
/// (writing means having read it).
pub async fn write(
    conn: &mut PgConnection,
    side: Side,
    by: UserId,
    application: ApplicationId,
    body: &str,
) -> std::result::Result<MessageId, sqlx::Error> {
    let id = MessageId(uuid::Uuid::now_v7());
    sqlx::query!(
        "INSERT INTO messages (message_id, application_id, by_side, sent_by, body)
         VALUES ($1, $2, $3, $4, $5)",
        id.0,
        application.0,
        side as Side,
        by.0,
        body
    )
    .execute(&mut *conn)
    .await?;
    mark_read(conn, side, application).await?;
    Ok(id)
}

/// `by` writes in the thread of `application` for `party`'s side.
pub async fn send(
    state: &AppState,
    party: Party,
    by: UserId,
    application: ApplicationId,
    body: &str,
) -> Result<MessageId> {
    send_once(state, party, by, application, body, None).await
}

/// [`send`], applied once per `key` however often it is sent.
pub async fn send_once(
    state: &AppState,
    party: Party,
    by: UserId,
    application: ApplicationId,
    body: &str,
    key: Option<RequestKey>,
) -> Result<MessageId> {
    let body = check_body(body)?;
    crate::ratelimit::check(
        &state.db,
        crate::ratelimit::MESSAGES_PER_USER,
        &by.to_string(),
    )
    .await?;
    let mut tx = state.db.begin().await?;
    // Sent again from the offline outbox after an answer was lost: the first one's message.
    if let Some(key) = key {
        let request = (party.side, application, body);
        if let Claim::Applied(first) =
            idempotency::claim(&mut tx, by, key, SEND_MESSAGE, &request).await?
        {
            // The first one recorded its message in the same transaction that claimed the key.
            return first
                .map(MessageId)
                .ok_or_else(|| AppError::Internal.into());
        }
    }
    let Some(status) = status_for(&mut tx, party, application).await? else {
        return Err(AppError::NotFound.into());
    };
    if !is_open(status) {
        return Err(Refusal::ConversationClosed.into());
    }
    let id = write(&mut tx, party.side, by, application, body).await?;
    if let Some(key) = key {
        idempotency::record_result(&mut tx, by, key, id.0).await?;
    }
    notices::message(&mut tx, application, party.side, by, body).await?;
    tx.commit().await?;
    Ok(id)
}

/// The thread as `party` sees it; opening it marks it read.
pub async fn open(state: &AppState, party: Party, application: ApplicationId) -> Result<Thread> {
    let mut tx = state.db.begin().await?;
    let Some(head) = sqlx::query!(
        r#"SELECT a.status AS "status: ApplicationStatus", p.title, o.name AS organisation,
                  o.slug, person_name(a.freelancer_id) AS "freelancer!: Sealed", a.freelancer_id,
                  a.posting_id
           FROM applications a
           JOIN postings p USING (posting_id)
           JOIN organisations o ON o.organisation_id = a.organisation_id
           WHERE a.application_id = $1
             AND CASE WHEN $2 = 'organisation'::hire_side THEN a.organisation_id = $3
                      ELSE a.freelancer_id = $3 END"#,
        application.0,
        party.side as Side,
        party.owner
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Err(AppError::NotFound.into());
    };
    let messages = thread_messages(&mut tx, &state.vault, application).await?;
    mark_read(&mut tx, party.side, application).await?;
    tx.commit().await?;
    Ok(Thread {
        application,
        posting_id: crate::ids::PostingId(head.posting_id),
        title: head.title,
        organisation: head.organisation,
        organisation_slug: head.slug,
        freelancer_id: UserId(head.freelancer_id),
        freelancer: reveal_name(&state.vault, &head.freelancer)?,
        status: head.status,
        open: is_open(head.status),
        messages,
    })
}

/// The messages about `application`, oldest first (read by either side, or by a finance
/// admin weighing a dispute).
pub async fn thread_messages(
    conn: &mut PgConnection,
    vault: &Vault,
    application: ApplicationId,
) -> std::result::Result<Vec<Message>, VaultError> {
    let rows = sqlx::query!(
        r#"SELECT m.by_side AS "by: Side", person_name(m.sent_by) AS "author: Sealed",
                  m.body, hire_local(m.sent_at) AS "at!"
           FROM messages m
           WHERE m.application_id = $1
           ORDER BY m.sent_at, m.message_id"#,
        application.0
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Message {
                by: r.by,
                author: reveal_name_of(vault, r.author.as_ref())?
                    .unwrap_or_else(|| "Former user".to_owned()),
                body: r.body,
                at: r.at,
            })
        })
        .collect()
}

/// `party`'s threads that have messages, latest first (up to 100), with what is unread.
pub async fn inbox(
    conn: &mut PgConnection,
    vault: &Vault,
    party: Party,
) -> std::result::Result<Vec<ThreadSummary>, VaultError> {
    let rows = sqlx::query!(
        r#"
        SELECT a.application_id, p.title, o.name AS organisation,
               person_name(a.freelancer_id) AS "freelancer!: Sealed",
               last.body AS "last_body!", last.at AS "last_at!",
               (SELECT count(*) FROM messages m
                WHERE m.application_id = a.application_id AND m.by_side <> $1
                  AND m.sent_at > coalesce(r.read_at, '-infinity')) AS "unread!"
        FROM applications a
        JOIN postings p USING (posting_id)
        JOIN organisations o ON o.organisation_id = a.organisation_id
        JOIN LATERAL (
            SELECT m.body, hire_local(m.sent_at) AS at, m.sent_at
            FROM messages m WHERE m.application_id = a.application_id
            ORDER BY m.sent_at DESC, m.message_id DESC LIMIT 1
        ) last ON true
        LEFT JOIN message_reads r ON r.application_id = a.application_id AND r.side = $1
        WHERE CASE WHEN $1 = 'organisation'::hire_side THEN a.organisation_id = $2
                   ELSE a.freelancer_id = $2 END
        ORDER BY last.sent_at DESC, a.application_id
        LIMIT 100
        "#,
        party.side as Side,
        party.owner
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(ThreadSummary {
                application: ApplicationId(r.application_id),
                title: r.title,
                counterpart: match party.side {
                    Side::Organisation => reveal_name(vault, &r.freelancer)?,
                    Side::Freelancer => r.organisation,
                },
                last: r.last_body.chars().take(140).collect(),
                last_at: r.last_at,
                unread: r.unread,
            })
        })
        .collect()
}

/// Messages `party`'s side hasn't read, over all its threads.
pub async fn unread(
    conn: &mut PgConnection,
    party: Party,
) -> std::result::Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM messages m
           JOIN applications a USING (application_id)
           LEFT JOIN message_reads r ON r.application_id = m.application_id AND r.side = $1
           WHERE m.by_side <> $1
             AND m.sent_at > coalesce(r.read_at, '-infinity')
             AND CASE WHEN $1 = 'organisation'::hire_side THEN a.organisation_id = $2
                      ELSE a.freelancer_id = $2 END"#,
        party.side as Side,
        party.owner
    )
    .fetch_one(conn)
    .await
}

/// Unread messages for `viewer`: as a freelancer (if they are one) and in each organisation.
pub async fn unread_for(
    conn: &mut PgConnection,
    viewer: &Viewer,
) -> std::result::Result<Unread, sqlx::Error> {
    let mut counts = Unread::default();
    if viewer.has(Role::Freelancer) {
        counts.freelancer = unread(conn, Party::freelancer(viewer.user_id)).await?;
    }
    for m in &viewer.memberships {
        let n = unread(conn, Party::organisation(m.organisation_id)).await?;
        counts.organisations.push((m.slug.clone(), n));
    }
    Ok(counts)
}
