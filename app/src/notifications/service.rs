//! A person's notifications: read a page of them, mark one or all read. Only their own.

use super::model::{NOTIFICATIONS_PER_PAGE, NotificationPage, Unread};
use super::repo;
use crate::error::{AppError, ServiceError};
use crate::ids::{NotificationId, UserId};
use crate::ui::{page_count, page_offset};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

pub type Result<T> = std::result::Result<T, ServiceError>;

/// Page `page` (from 1) of `user`'s notifications, newest first, with their counts.
pub async fn page(db: &PgPool, user: UserId, page: u32) -> Result<NotificationPage> {
    let mut conn = db.acquire().await?;
    let (total, unread) = repo::counts(&mut conn, user).await?;
    let per_page = i64::from(NOTIFICATIONS_PER_PAGE);
    let total_pages = page_count(total, NOTIFICATIONS_PER_PAGE);
    let page = page.clamp(1, total_pages);
    let offset = page_offset(i64::from(page), per_page);
    let notifications = repo::page(&mut conn, user, offset, per_page).await?;
    Ok(NotificationPage {
        notifications,
        unread,
        total,
        page,
        total_pages,
    })
}

/// How many of `user`'s notifications are unread, with the cursor their live connection starts
/// from: anything from it on reaches the connection (perhaps counted too, never missed).
pub async fn unread(db: &PgPool, user: UserId) -> Result<Unread> {
    let mut conn = db.acquire().await?;
    let (count, horizon) = repo::unread(&mut conn, user).await?;
    Ok(Unread {
        count,
        cursor: horizon.to_string(),
    })
}

/// Mark notification `id` read; another person's is not found.
pub async fn mark_read(
    db: &PgPool,
    user: UserId,
    id: NotificationId,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut conn = db.acquire().await?;
    if repo::mark_read(&mut conn, user, id, now).await? {
        Ok(())
    } else {
        Err(AppError::NotFound.into())
    }
}

/// Mark all of `user`'s notifications read; how many were unread.
pub async fn mark_all_read(db: &PgPool, user: UserId, now: DateTime<Utc>) -> Result<u64> {
    let mut conn = db.acquire().await?;
    Ok(repo::mark_all_read(&mut conn, user, now).await?)
}
