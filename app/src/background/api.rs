//! Support admins read the jobs and retry dead items; each retry is audited.

use super::model::JobsOverview;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::{repo, service},
    crate::accounts::authz::{Need, acting_admin, authorize},
    crate::accounts::model::Role,
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
    let admin = acting_admin(Role::AdminSupport).await?;
    Ok(service::retry(&app_state()?, admin, &job, &item).await?)
}
