//! Notifications: what the person was told, their email settings and unsubscribes, and every
//! email sent to their address.

use crate::error::ServiceError;
use crate::privacy::{Covered, Erased, Erasing, Holding, Part, Person};
use crate::state::AppState;
use sqlx::PgConnection;

/// `notifications.json` in a person's data download.
pub const HOLDING: Holding = Holding {
    name: "notifications",
    covers: COVERS,
    export: |state, person| Box::pin(export(state, person)),
    let_go: None,
    hold: None,
    erase: |_, conn, erasing| Box::pin(erase(conn, erasing)),
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
        columns: &["recipient"],
        erased: Erased::Deleted,
    },
];

async fn export(state: &AppState, person: &Person) -> Result<Part, ServiceError> {
    let mut conn = state.db.acquire().await?;
    let user = person.id.0;
    let email = person.email.as_str();
    let notifications = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM notifications t WHERE user_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
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
    let email_outbox = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM email_outbox t WHERE lower(recipient) = lower($1)"#,
        email
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Part::default()
        .table("notifications", notifications)
        .table("notification_preferences", notification_preferences)
        .table("email_unsubscribes", email_unsubscribes)
        .table("email_outbox", email_outbox))
}

/// What others were told or mailed about them.
const FORMER_MEMBER: &str = "a former member";

/// Their notifications, settings and mail go; what others were told or mailed names them no
/// more (their name and address become "a former member").
async fn erase(conn: &mut PgConnection, erasing: &Erasing) -> Result<(), ServiceError> {
    let user = erasing.id.0;
    let email = erasing.email.as_str();
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
        "DELETE FROM email_outbox WHERE lower(recipient) = lower($1)",
        email
    )
    .execute(&mut *conn)
    .await?;
    for said in [email, erasing.name.as_str()] {
        if said.chars().count() < 2 {
            continue;
        }
        sqlx::query!(
            "UPDATE notifications SET title = replace(title, $1, $2), body = replace(body, $1, $2)
             WHERE strpos(title, $1) > 0 OR strpos(body, $1) > 0",
            said,
            FORMER_MEMBER
        )
        .execute(&mut *conn)
        .await?;
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
