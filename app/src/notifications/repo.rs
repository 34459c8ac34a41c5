//! Notifications in the database: written on the caller's transaction, read and marked by
//! their recipient only.

use super::model::{Notice, Notification, NotificationKind};
use crate::ids::{NotificationId, OrganisationId, UserId};
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
    sqlx::query!(
        "INSERT INTO notifications (notification_id, user_id, kind, title, body, link)
         SELECT id, user_id, $3, $4, $5, $6 FROM unnest($1::uuid[], $2::uuid[]) AS t(id, user_id)",
        &ids,
        &users,
        notice.kind as NotificationKind,
        notice.title,
        notice.body,
        notice.link,
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

/// One page of `user`'s notifications, newest first.
pub async fn page(
    conn: &mut PgConnection,
    user: UserId,
    offset: i64,
    limit: i64,
) -> Result<Vec<Notification>, sqlx::Error> {
    sqlx::query_as!(
        Notification,
        r#"SELECT notification_id AS "id: NotificationId", kind AS "kind: NotificationKind",
                  title, body, link, created_at AS at, read_at IS NOT NULL AS "read!"
           FROM notifications WHERE user_id = $1
           ORDER BY created_at DESC, notification_id DESC
           OFFSET $2 LIMIT $3"#,
        user.0,
        offset,
        limit,
    )
    .fetch_all(conn)
    .await
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
    from: i64,
    user: Option<UserId>,
) -> Result<Since, sqlx::Error> {
    // One statement, one snapshot: the horizon and the rows below it agree.
    let rows = sqlx::query!(
        r#"SELECT h.xmin::text::bigint AS "horizon!", n.user_id AS "user?: UserId",
                  n.xid::text::bigint AS "xid?",
                  n.notification_id AS "id?: NotificationId", n.kind AS "kind?: NotificationKind",
                  n.title AS "title?", n.body AS "body?", n.link AS "link?",
                  n.created_at AS "at?", n.read_at IS NOT NULL AS "read?"
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
    let notifications = rows
        .into_iter()
        .filter_map(|r| {
            Some((
                r.user?,
                r.xid?,
                Notification {
                    id: r.id?,
                    kind: r.kind?,
                    title: r.title?,
                    body: r.body?,
                    link: r.link?,
                    at: r.at?,
                    read: r.read?,
                },
            ))
        })
        .collect();
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
