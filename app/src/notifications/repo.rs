//! Notifications in the database: written on the caller's transaction, read and marked by
//! their recipient only.

use super::model::{
    EmailCadence, EmailPreference, FORMER_MEMBER, Notice, Notification, NotificationKind,
    with_names,
};
use crate::accounts::repo::{reveal_email, reveal_name};
use crate::ids::{NotificationId, OrganisationId, UserId};
use crate::vault::{PersonField, Sealed, Vault, VaultError};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// Write `notice` once for each of `users`.
pub async fn notify(
    conn: &mut PgConnection,
    users: &[UserId],
    notice: &Notice,
) -> Result<(), sqlx::Error> {
    let ids: Vec<uuid::Uuid> = users.iter().map(|_| uuid::Uuid::now_v7()).collect();
    let users: Vec<uuid::Uuid> = users.iter().map(|u| u.0).collect();
    let mentions: Vec<uuid::Uuid> = notice.mentions.iter().map(|u| u.0).collect();
    sqlx::query!(
        "INSERT INTO notifications
                (notification_id, user_id, kind, title, body, link, email_due, mentions)
         SELECT id, user_id, $3, $4, $5, $6, $7, $8
         FROM unnest($1::uuid[], $2::uuid[]) AS t(id, user_id)",
        &ids,
        &users,
        notice.kind as NotificationKind,
        notice.title,
        notice.body,
        notice.link,
        !notice.kind.has_own_email(),
        &mentions,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Write `notice` for every member of `organisation` but `except` (the member who acted).
pub async fn notify_members(
    conn: &mut PgConnection,
    organisation: OrganisationId,
    except: Option<UserId>,
    notice: &Notice,
) -> Result<(), sqlx::Error> {
    let members = sqlx::query_scalar!(
        r#"SELECT user_id AS "user_id: UserId" FROM organisation_members
           WHERE organisation_id = $1 AND user_id IS DISTINCT FROM $2
           ORDER BY user_id"#,
        organisation.0,
        except.map(|u| u.0),
    )
    .fetch_all(&mut *conn)
    .await?;
    notify(conn, &members, notice).await
}

/// The names of a notification's mentions as a query read them
/// (`mentioned_names(mentions) AS "names!: Vec<Option<Sealed>>"`), opened: [`FORMER_MEMBER`]
/// for someone erased.
fn names(vault: &Vault, sealed: &[Option<Sealed>]) -> Result<Vec<String>, VaultError> {
    sealed
        .iter()
        .map(|name| {
            Ok(match name {
                Some(name) => vault.reveal(PersonField::Name, name)?,
                None => None,
            }
            .unwrap_or_else(|| FORMER_MEMBER.to_owned()))
        })
        .collect()
}

/// A notification's title and body with the names of the people they mention.
pub(crate) fn named(
    vault: &Vault,
    sealed: &[Option<Sealed>],
    title: &str,
    body: &str,
) -> Result<(String, String), VaultError> {
    let names = names(vault, sealed)?;
    Ok((with_names(title, &names), with_names(body, &names)))
}

/// A notification as stored, its mentions' names still sealed.
struct Stored {
    id: NotificationId,
    kind: NotificationKind,
    title: String,
    body: String,
    link: String,
    at: DateTime<Utc>,
    read: bool,
    names: Vec<Option<Sealed>>,
}

impl Stored {
    fn opened(self, vault: &Vault) -> Result<Notification, VaultError> {
        let (title, body) = named(vault, &self.names, &self.title, &self.body)?;
        Ok(Notification {
            id: self.id,
            kind: self.kind,
            title,
            body,
            link: self.link,
            at: self.at,
            read: self.read,
        })
    }
}

/// One page of `user`'s notifications, newest first.
pub async fn page(
    conn: &mut PgConnection,
    vault: &Vault,
    user: UserId,
    offset: i64,
    limit: i64,
) -> Result<Vec<Notification>, VaultError> {
    let rows = sqlx::query_as!(
        Stored,
        r#"SELECT notification_id AS "id: NotificationId", kind AS "kind: NotificationKind",
                  title, body, link, created_at AS at, read_at IS NOT NULL AS "read!",
                  mentioned_names(mentions) AS "names!: Vec<Option<Sealed>>"
           FROM notifications WHERE user_id = $1
           ORDER BY created_at DESC, notification_id DESC
           OFFSET $2 LIMIT $3"#,
        user.0,
        offset,
        limit,
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(|r| r.opened(vault)).collect()
}

/// How many notifications `user` has: (all, unread).
pub async fn counts(conn: &mut PgConnection, user: UserId) -> Result<(i64, i64), sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT count(*) AS "all!", count(*) FILTER (WHERE read_at IS NULL) AS "unread!"
           FROM notifications WHERE user_id = $1"#,
        user.0,
    )
    .fetch_one(conn)
    .await?;
    Ok((row.all, row.unread))
}

/// How many of `user`'s notifications are unread, and the horizon of the same snapshot
/// (notifications of transactions from it on may or may not be in the count).
pub async fn unread(conn: &mut PgConnection, user: UserId) -> Result<(i64, i64), sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT count(*) AS "n!",
                  pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS "horizon!"
           FROM notifications WHERE user_id = $1 AND read_at IS NULL"#,
        user.0,
    )
    .fetch_one(conn)
    .await?;
    Ok((row.n, row.horizon))
}

/// Mark one of `user`'s notifications read; `false` when it isn't theirs.
pub async fn mark_read(
    conn: &mut PgConnection,
    user: UserId,
    id: NotificationId,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE notifications SET read_at = coalesce(read_at, $3)
         WHERE notification_id = $1 AND user_id = $2",
        id.0,
        user.0,
        now,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Mark all of `user`'s notifications read; how many were unread.
pub async fn mark_all_read(
    conn: &mut PgConnection,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL",
        user.0,
        now,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Notifications of transactions from horizon `from` on that had ended when read, with the new
/// horizon (every transaction below it had ended, so nothing below it can still appear): for
/// one person (`user`), or for everyone. Oldest transaction first.
pub async fn since(
    conn: &mut PgConnection,
    vault: &Vault,
    from: i64,
    user: Option<UserId>,
) -> Result<Since, VaultError> {
    // One statement, one snapshot: the horizon and the rows below it agree.
    let rows = sqlx::query!(
        r#"SELECT h.xmin::text::bigint AS "horizon!", n.user_id AS "user?: UserId",
                  n.xid::text::bigint AS "xid?",
                  n.notification_id AS "id?: NotificationId", n.kind AS "kind?: NotificationKind",
                  n.title AS "title?", n.body AS "body?", n.link AS "link?",
                  n.created_at AS "at?", n.read_at IS NOT NULL AS "read?",
                  mentioned_names(n.mentions) AS "names?: Vec<Option<Sealed>>"
           FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) h
           LEFT JOIN notifications n
             ON n.xid >= $1::bigint::text::xid8 AND n.xid < h.xmin
            AND ($2::uuid IS NULL OR n.user_id = $2)
           ORDER BY n.xid, n.created_at, n.notification_id"#,
        from,
        user.map(|u| u.0),
    )
    .fetch_all(conn)
    .await?;
    let horizon = rows.first().map_or(from, |r| r.horizon).max(from);
    let mut notifications = Vec::with_capacity(rows.len());
    for r in rows {
        // The LEFT JOIN's row with no notification: only the horizon.
        let (Some(user), Some(xid), Some(id), Some(kind), Some(title), Some(body)) =
            (r.user, r.xid, r.id, r.kind, r.title, r.body)
        else {
            continue;
        };
        let (Some(link), Some(at), Some(read)) = (r.link, r.at, r.read) else {
            continue;
        };
        let (title, body) = named(vault, &r.names.unwrap_or_default(), &title, &body)?;
        notifications.push((
            user,
            xid,
            Notification {
                id,
                kind,
                title,
                body,
                link,
                at,
                read,
            },
        ));
    }
    Ok(Since {
        horizon,
        notifications,
    })
}

/// What [`since`] read.
pub struct Since {
    pub horizon: i64,
    /// (recipient, its transaction, notification)
    pub notifications: Vec<(UserId, i64, Notification)>,
}

/// `user`'s email settings that differ from the default (at once).
pub async fn preferences(
    conn: &mut PgConnection,
    user: UserId,
) -> Result<Vec<EmailPreference>, sqlx::Error> {
    sqlx::query_as!(
        EmailPreference,
        r#"SELECT kind AS "kind: NotificationKind", email AS "email: EmailCadence"
           FROM notification_preferences WHERE user_id = $1"#,
        user.0,
    )
    .fetch_all(conn)
    .await
}

/// Set `user`'s email settings for the kinds in `choices`.
pub async fn set_preferences(
    conn: &mut PgConnection,
    user: UserId,
    choices: &[EmailPreference],
) -> Result<(), sqlx::Error> {
    let kinds: Vec<NotificationKind> = choices.iter().map(|c| c.kind).collect();
    let cadences: Vec<EmailCadence> = choices.iter().map(|c| c.email).collect();
    sqlx::query!(
        "INSERT INTO notification_preferences (user_id, kind, email)
         SELECT $1, kind, email FROM unnest($2::notification_kind[], $3::email_cadence[]) AS t(kind, email)
         ON CONFLICT (user_id, kind) DO UPDATE SET email = excluded.email
         WHERE notification_preferences.email <> excluded.email",
        user.0,
        &kinds as &[NotificationKind],
        &cadences as &[EmailCadence],
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Set every kind `user` gets in the daily digest to no email; how many there were.
pub async fn stop_digest(conn: &mut PgConnection, user: UserId) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE notification_preferences SET email = 'off' WHERE user_id = $1 AND email = 'daily'",
        user.0,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Notifications whose email is due now (kinds mailed at once, or turned off and only to be
/// settled), oldest first, leaving out `resting`.
pub async fn mail_due(
    conn: &mut PgConnection,
    limit: i64,
    resting: &[String],
) -> Result<Vec<NotificationId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT n.notification_id AS "id: NotificationId"
           FROM notifications n
           LEFT JOIN notification_preferences p USING (user_id, kind)
           WHERE n.email_due AND p.email IS DISTINCT FROM 'daily'
             AND NOT (n.notification_id::text = ANY($2))
           ORDER BY n.created_at
           LIMIT $1"#,
        limit,
        resting,
    )
    .fetch_all(conn)
    .await
}

/// A notification waiting for its email, with its recipient's address and setting.
pub struct ToMail {
    pub id: NotificationId,
    pub user: UserId,
    pub to: String,
    pub name: String,
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    pub link: String,
    pub cadence: EmailCadence,
}

/// Notification `id` if its email is still due, locked until the transaction ends.
pub async fn lock_for_mail(
    conn: &mut PgConnection,
    vault: &Vault,
    id: NotificationId,
) -> Result<Option<ToMail>, VaultError> {
    let Some(row) = sqlx::query!(
        r#"SELECT n.notification_id AS "id: NotificationId", n.user_id AS "user: UserId",
                  person_email(n.user_id) AS "to!: Sealed", person_name(n.user_id) AS "name!: Sealed",
                  n.kind AS "kind: NotificationKind",
                  n.title, n.body, n.link,
                  mentioned_names(n.mentions) AS "names!: Vec<Option<Sealed>>",
                  coalesce(p.email, 'immediately') AS "cadence!: EmailCadence"
           FROM notifications n
           JOIN users u USING (user_id)
           LEFT JOIN notification_preferences p USING (user_id, kind)
           WHERE n.notification_id = $1 AND n.email_due
           FOR UPDATE OF n"#,
        id.0,
    )
    .fetch_optional(conn)
    .await?
    else {
        return Ok(None);
    };
    let (title, body) = named(vault, &row.names, &row.title, &row.body)?;
    Ok(Some(ToMail {
        id: row.id,
        user: row.user,
        to: reveal_email(vault, &row.to)?,
        name: reveal_name(vault, &row.name)?,
        kind: row.kind,
        title,
        body,
        link: row.link,
        cadence: row.cadence,
    }))
}

/// Their email went out, or never will.
pub async fn settle_mail(
    conn: &mut PgConnection,
    ids: &[NotificationId],
) -> Result<(), sqlx::Error> {
    let ids: Vec<uuid::Uuid> = ids.iter().map(|i| i.0).collect();
    sqlx::query!(
        "UPDATE notifications SET email_due = false WHERE notification_id = ANY($1)",
        &ids,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// People with daily-digest notifications from before the latest morning digest time at `now`,
/// leaving out `resting`.
pub async fn digests_due(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    limit: i64,
    resting: &[String],
) -> Result<Vec<UserId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT n.user_id AS "user: UserId"
           FROM notifications n
           JOIN notification_preferences p USING (user_id, kind)
           WHERE n.email_due AND p.email = 'daily' AND n.created_at < digest_boundary($1)
             AND NOT (n.user_id::text = ANY($3))
           GROUP BY n.user_id
           ORDER BY min(n.created_at)
           LIMIT $2"#,
        now,
        limit,
        resting,
    )
    .fetch_all(conn)
    .await
}

/// `user`'s notifications for the digest due at `now`, oldest first, locked until the
/// transaction ends.
pub async fn lock_digest(
    conn: &mut PgConnection,
    vault: &Vault,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<Vec<Notification>, VaultError> {
    let rows = sqlx::query_as!(
        Stored,
        r#"SELECT n.notification_id AS "id: NotificationId", n.kind AS "kind: NotificationKind",
                  n.title, n.body, n.link, n.created_at AS at, n.read_at IS NOT NULL AS "read!",
                  mentioned_names(n.mentions) AS "names!: Vec<Option<Sealed>>"
           FROM notifications n
           JOIN notification_preferences p USING (user_id, kind)
           WHERE n.user_id = $1 AND n.email_due AND p.email = 'daily'
             AND n.created_at < digest_boundary($2)
           ORDER BY n.created_at, n.notification_id
           FOR UPDATE OF n"#,
        user.0,
        now,
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(|r| r.opened(vault)).collect()
}

/// A person's address and name.
pub async fn recipient(
    conn: &mut PgConnection,
    vault: &Vault,
    user: UserId,
) -> Result<(String, String), VaultError> {
    let r = sqlx::query!(
        r#"SELECT person_email($1) AS "email!: Sealed", person_name($1) AS "name!: Sealed""#,
        user.0
    )
    .fetch_one(conn)
    .await?;
    Ok((reveal_email(vault, &r.email)?, reveal_name(vault, &r.name)?))
}

/// Keep an unsubscribe token's hash: it stops `kind` (`None`: the daily digest) for `user`.
pub async fn add_unsubscribe(
    conn: &mut PgConnection,
    token_hash: &[u8],
    user: UserId,
    kind: Option<NotificationKind>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO email_unsubscribes (token_hash, user_id, kind) VALUES ($1, $2, $3)",
        token_hash,
        user.0,
        kind as Option<NotificationKind>,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// What the unsubscribe token with hash `token_hash` stops, for whom, and whether it was used.
pub async fn unsubscribe_link(
    conn: &mut PgConnection,
    token_hash: &[u8],
) -> Result<Option<(UserId, Option<NotificationKind>, bool)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT user_id AS "user: UserId", kind AS "kind: NotificationKind",
                  used_at IS NOT NULL AS "used!"
           FROM email_unsubscribes WHERE token_hash = $1"#,
        token_hash,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.user, r.kind, r.used)))
}

pub async fn mark_unsubscribe_used(
    conn: &mut PgConnection,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE email_unsubscribes SET used_at = coalesce(used_at, $2) WHERE token_hash = $1",
        token_hash,
        now,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Forget unsubscribe tokens older than a year (their emails are long read); how many.
pub async fn purge_unsubscribes(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "DELETE FROM email_unsubscribes WHERE created_at < $1::timestamptz - interval '1 year'",
        now,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
