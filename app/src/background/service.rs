//! What support admins do with the background jobs.

use super::repo;
use crate::audit::{self, Action, Actor, Entry};
use crate::error::{AppError, ServiceError};
use crate::state::AppState;

/// Put a dead item back in its job's queue, audited in the same transaction.
pub async fn retry(
    state: &AppState,
    admin: Actor,
    job: &str,
    item: &str,
) -> Result<(), ServiceError> {
    let mut tx = state.db.begin().await?;
    if !repo::revive(&mut tx, job, item).await? {
        return Err(AppError::NotFound.into());
    }
    let entry = Entry::new(Some(admin.user), Action::JobItemRetried)
        .ip(admin.ip)
        .detail(serde_json::json!({ "job": job, "item": item }));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}
