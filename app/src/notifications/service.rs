//! A person's notifications: read a page of them, mark one or all read. Only their own.

use super::model::{
    EmailCadence, EmailPreference, NOTIFICATIONS_PER_PAGE, NotificationKind, NotificationPage,
    Unread, Unsubscribe,
};
use super::repo;
use crate::error::{AppError, ServiceError};
use crate::ids::{NotificationId, UserId};
use crate::tokens;
use crate::ui::{page_count, page_offset};
use crate::vault::Vault;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

pub type Result<T> = std::result::Result<T, ServiceError>;

/// Page `page` (from 1) of `user`'s notifications, newest first, with their counts.
pub async fn page(db: &PgPool, vault: &Vault, user: UserId, page: u32) -> Result<NotificationPage> {
    let mut conn = db.acquire().await?;
    let (total, unread) = repo::counts(&mut conn, user).await?;
    let per_page = i64::from(NOTIFICATIONS_PER_PAGE);
    let total_pages = page_count(total, NOTIFICATIONS_PER_PAGE);
    let page = page.clamp(1, total_pages);
    let offset = page_offset(i64::from(page), per_page);
    let notifications = repo::page(&mut conn, vault, user, offset, per_page).await?;
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

/// `user`'s email setting for every kind that has one (receipts and shipping notes are always
/// sent and have none), in the order of [`NotificationKind::ALL`].
pub async fn email_preferences(db: &PgPool, user: UserId) -> Result<Vec<EmailPreference>> {
    let set = repo::preferences(&mut *db.acquire().await?, user).await?;
    Ok(NotificationKind::ALL
        .iter()
        .filter(|kind| !kind.has_own_email())
        .map(|&kind| EmailPreference {
            kind,
            email: set
                .iter()
                .find(|p| p.kind == kind)
                .map_or(EmailCadence::Immediately, |p| p.email),
        })
        .collect())
}

/// Save `user`'s email settings; a kind that has its own email can't be set.
pub async fn set_email_preferences(
    db: &PgPool,
    user: UserId,
    choices: &[EmailPreference],
) -> Result<()> {
    if let Some(fixed) = choices.iter().find(|c| c.kind.has_own_email()) {
        return Err(AppError::invalid(format!(
            "“{}” emails are always sent: they are your receipts.",
            fixed.kind.label()
        ))
        .into());
    }
    repo::set_preferences(&mut *db.acquire().await?, user, choices).await?;
    Ok(())
}

/// What the unsubscribe link with `token` stops, without changing anything (its page asks
/// first: mail scanners open links).
pub async fn unsubscribe_link(db: &PgPool, token: &str) -> Result<Unsubscribe> {
    let found = repo::unsubscribe_link(&mut *db.acquire().await?, &tokens::digest(token)).await?;
    let (_, kind, used) = found.ok_or_else(invalid_link)?;
    Ok(Unsubscribe { kind, used })
}

/// Stop what the link with `token` is about: its kind's email, or the daily digest (every
/// kind on it). Using a link again changes nothing more.
pub async fn unsubscribe(db: &PgPool, token: &str, now: DateTime<Utc>) -> Result<Unsubscribe> {
    let hash = tokens::digest(token);
    let mut tx = db.begin().await?;
    let (user, kind, used) = repo::unsubscribe_link(&mut tx, &hash)
        .await?
        .ok_or_else(invalid_link)?;
    if !used {
        match kind {
            Some(kind) => {
                let off = EmailPreference {
                    kind,
                    email: EmailCadence::Off,
                };
                repo::set_preferences(&mut tx, user, &[off]).await?;
            }
            None => {
                repo::stop_digest(&mut tx, user).await?;
            }
        }
        repo::mark_unsubscribe_used(&mut tx, &hash, now).await?;
    }
    tx.commit().await?;
    Ok(Unsubscribe { kind, used })
}

fn invalid_link() -> ServiceError {
    AppError::invalid(
        "This unsubscribe link is not valid (it may be incomplete, or more than a year old). \
         Sign in and change your email settings on the notifications page instead.",
    )
    .into()
}
