//! Support admins read the jobs and retry dead items; each retry is audited.

use super::model::JobsOverview;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::repo,
    crate::accounts::authz::{Need, authorize},
    crate::accounts::model::Role,
    crate::accounts::session::RequestMeta,
    crate::audit::{self, Action, Entry},
    crate::state::app_state,
};

#[server(endpoint = "admin/jobs")]
pub async fn load_jobs() -> Result<JobsOverview, AppError> {
    authorize(Need::Role(Role::AdminSupport)).await?;
    let mut conn = app_state()?.db.acquire().await?;
    let jobs = repo::jobs(&mut conn).await?;
    let dead = repo::dead_items(&mut conn).await?;
    Ok(JobsOverview { jobs, dead })
}

/// Put a dead item back in its job's queue (after the cause was fixed).
#[server(endpoint = "admin/jobs/retry")]
pub async fn retry_job_item(job: String, item: String) -> Result<(), AppError> {
    let admin = authorize(Need::Role(Role::AdminSupport))
        .await?
        .viewer
        .user_id;
    let ip = RequestMeta::current().await.ip;
    let mut tx = app_state()?.db.begin().await?;
    if !repo::revive(&mut tx, &job, &item).await? {
        return Err(AppError::NotFound.with_status());
    }
    let entry = Entry::new(Some(admin), Action::JobItemRetried)
        .ip(ip)
        .detail(serde_json::json!({ "job": job, "item": item }));
    audit::record(&mut tx, entry).await?;
    tx.commit().await.map_err(AppError::from)
}
