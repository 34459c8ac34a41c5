//! Notifications: what the person was told, their email settings and unsubscribes, and every
//! email sent to their address.

use super::email;
use super::model::FORMER_MEMBER;
use crate::error::ServiceError;
use crate::ids::EmailId;
use crate::privacy::{Covered, Erased, Erasing, Holding, Part, Person, with_opened};
use crate::state::AppState;
use crate::vault::Sealed;
use sqlx::PgConnection;

/// `notifications.json` in a person's data download.
pub const HOLDING: Holding = Holding {
    name: "notifications",
    covers: COVERS,
    export: |state, person| Box::pin(export(state, person)),
    let_go: None,
    hold: None,
    erase: |state, conn, erasing| Box::pin(erase(state, conn, erasing)),
};

const COVERS: &[Covered] = &[
    Covered {
        table: "notifications",
        columns: &["user_id"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "notification_preferences",
        columns: &["user_id", "email"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "email_unsubscribes",
        columns: &["user_id"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "email_outbox",
        columns: &["recipient", "recipient_lookup", "message_sealed"],
        erased: Erased::Deleted,
    },
];

async fn export(state: &AppState, person: &Person) -> Result<Part, ServiceError> {
    let mut conn = state.db.acquire().await?;
    let user = person.id.0;
    let email = person.email.as_str();
    // As they read them: the people a notification names by name (not by account id).
    let told = sqlx::query!(
        r#"SELECT to_jsonb(t) - 'mentions' AS "row!", title, body,
                  mentioned_names(mentions) AS "names!: Vec<Option<Sealed>>"
             FROM notifications t WHERE user_id = $1
            ORDER BY created_at, notification_id"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut notifications = Vec::with_capacity(told.len());
    for n in told {
        let (title, body) = super::repo::named(&state.vault, &n.names, &n.title, &n.body)?;
        notifications.push(with_opened(
            with_opened(n.row, "title", title)?,
            "body",
            body,
        )?);
    }
    let notification_preferences = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM notification_preferences t WHERE user_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let email_unsubscribes = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM email_unsubscribes t WHERE user_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let lookup = state.vault.email_lookup(&mut conn, email).await?;
    let mail = sqlx::query!(
        r#"SELECT to_jsonb(t) AS "row!", email_id AS "id: EmailId",
                  CASE WHEN message_sealed IS NOT NULL
                       THEN sealed_by(sealed_for, message_sealed) END AS "message: Sealed"
             FROM email_outbox t
            WHERE recipient_lookup = $1
            ORDER BY email_id"#,
        lookup
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut email_outbox = Vec::with_capacity(mail.len());
    for row in mail {
        let message = match &row.message {
            Some(sealed) => email::open(&state.vault, row.id, sealed)?,
            None => None,
        };
        email_outbox.push(with_opened(row.row, "message", message)?);
    }
    Ok(Part::default()
        .table("notifications", notifications)
        .table("notification_preferences", notification_preferences)
        .table("email_unsubscribes", email_unsubscribes)
        .table("email_outbox", email_outbox))
}

/// Their notifications, settings and mail go; what others were told or mailed names them no
/// more (their name and address become "a former member"). Notifications name people by a
/// mention, which reads so once their key is gone; those written before mentions named them
/// in the text, which is rewritten here.
async fn erase(
    state: &AppState,
    conn: &mut PgConnection,
    erasing: &Erasing,
) -> Result<(), ServiceError> {
    let user = erasing.id.0;
    let email = erasing.email.as_str();
    let lookup = state.vault.email_lookup(&mut *conn, email).await?;
    sqlx::query!("DELETE FROM notifications WHERE user_id = $1", user)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "DELETE FROM notification_preferences WHERE user_id = $1",
        user
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("DELETE FROM email_unsubscribes WHERE user_id = $1", user)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "DELETE FROM email_outbox WHERE recipient_lookup = $1",
        lookup
    )
    .execute(&mut *conn)
    .await?;
    let said: Vec<&str> = [email, erasing.name.as_str()]
        .into_iter()
        .filter(|said| said.chars().count() >= 2)
        .collect();
    unname_in_mail(state, conn, &said).await?;
    for said in said {
        // Notifications written before mentions.
        sqlx::query!(
            "UPDATE notifications SET title = replace(title, $1, $2), body = replace(body, $1, $2)
             WHERE strpos(title, $1) > 0 OR strpos(body, $1) > 0",
            said,
            FORMER_MEMBER
        )
        .execute(&mut *conn)
        .await?;
        // Mail an older version queued in the clear, not sent yet.
        sqlx::query!(
            "UPDATE email_outbox SET subject = replace(subject, $1, $2),
                                     body_text = replace(body_text, $1, $2)
             WHERE strpos(subject, $1) > 0 OR strpos(body_text, $1) > 0",
            said,
            FORMER_MEMBER
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Mail the outbox still holds for others (queued, or kept by the dev mailbox) names them as
/// "a former member": each message is opened, and sealed again where it named them.
async fn unname_in_mail(
    state: &AppState,
    conn: &mut PgConnection,
    said: &[&str],
) -> Result<(), ServiceError> {
    let mut after = EmailId(uuid::Uuid::nil());
    loop {
        let batch = email::kept(&mut *conn, &state.vault, after, 200).await?;
        let Some(last) = batch.last() else {
            return Ok(());
        };
        after = last.id;
        for kept in batch {
            let mut message = kept.email.clone();
            for said in said {
                message.subject = message.subject.replace(said, FORMER_MEMBER);
                message.body_text = message.body_text.replace(said, FORMER_MEMBER);
            }
            if message != kept.email {
                email::rewrite(&mut *conn, &state.vault, &kept, &message).await?;
            }
        }
    }
}
