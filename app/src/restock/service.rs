//! Asking to hear when a sold-out variant is back, and telling everyone who asked.

use super::repo;
use crate::error::{AppError, ServiceError};
use crate::ids::{UserId, VariantId};
use crate::inventory::model::sellable_expiry_after;
use crate::notifications::model::{Notice, NotificationKind};
use crate::notifications::repo::notify;
use chrono::NaiveDate;
use sqlx::PgPool;

pub type Result<T> = std::result::Result<T, ServiceError>;

/// Whether `user` is waiting to hear about `variant`.
pub async fn asked(db: &PgPool, user: UserId, variant: VariantId) -> Result<bool> {
    Ok(repo::asked(&mut *db.acquire().await?, user, variant).await?)
}

/// `user` asks to be told when `variant` is back; refused while it can be bought.
pub async fn ask(db: &PgPool, user: UserId, variant: VariantId, today: NaiveDate) -> Result<()> {
    let mut conn = db.acquire().await?;
    let Some(found) = repo::variant(&mut conn, variant, sellable_expiry_after(today)).await? else {
        return Err(AppError::NotFound.into());
    };
    if !found.published {
        return Err(AppError::NotFound.into());
    }
    if found.available > 0 {
        return Err(AppError::invalid(format!(
            "{} ({}) is in stock: add it to your cart.",
            found.product, found.label
        ))
        .into());
    }
    repo::ask(&mut conn, user, variant).await?;
    Ok(())
}

/// `user` no longer wants to hear about `variant`.
pub async fn withdraw(db: &PgPool, user: UserId, variant: VariantId) -> Result<()> {
    Ok(repo::withdraw(&mut *db.acquire().await?, user, variant).await?)
}

/// Variants on sale again that someone asked about, as job items.
pub async fn back(
    db: &PgPool,
    today: NaiveDate,
    limit: i64,
    resting: &[String],
) -> Result<Vec<VariantId>> {
    let after = sellable_expiry_after(today);
    Ok(repo::back(&mut *db.acquire().await?, after, limit, resting).await?)
}

/// Tell everyone who asked about `variant` that it is back, if it still is, and end their
/// requests, in one transaction; how many were told.
pub async fn tell(db: &PgPool, variant: VariantId, today: NaiveDate) -> Result<usize> {
    let mut tx = db.begin().await?;
    let found = repo::variant(&mut tx, variant, sellable_expiry_after(today)).await?;
    let Some(found) = found.filter(|v| v.published && v.available > 0) else {
        return Ok(0);
    };
    let waiting = repo::take_all(&mut tx, variant).await?;
    let notice = Notice {
        mentions: Vec::new(),
        kind: NotificationKind::BackInStock,
        title: format!("{} is back in stock", found.product),
        body: format!(
            "{} ({}) can be ordered again. You asked us to tell you; popular items go fast.",
            found.product, found.label
        ),
        link: format!("/products/{}", found.slug),
    };
    notify(&mut tx, &waiting, &notice).await?;
    tx.commit().await?;
    Ok(waiting.len())
}
