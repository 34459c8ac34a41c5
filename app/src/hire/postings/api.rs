//! Server functions for an organisation's shifts and jobs: drafts, publishing, closing.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::hire::access::{connection, member};
use crate::hire::postings::model::{Draft, JobInput, ShiftInput};
use crate::ids::PostingId;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {crate::hire::postings, crate::hire::postings::model::PostingStatus};

/// Save a new job as a draft; returns its id.
#[server(endpoint = "hire/org/job/create")]
pub async fn create_job(slug: String, job: JobInput) -> Result<PostingId, AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let form = postings::service::PostingForm::Job(&job);
    Ok(postings::service::create_posting(&state, organisation, user, form).await?)
}

/// Save changes to a draft job.
#[server(endpoint = "hire/org/job/update")]
pub async fn update_job_draft(slug: String, id: PostingId, job: JobInput) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    Ok(postings::service::update_draft(&state, organisation, user, id, &job).await?)
}

/// Save a new shift as a draft; returns its id.
#[server(endpoint = "hire/org/shift/create")]
pub async fn create_shift(slug: String, shift: ShiftInput) -> Result<PostingId, AppError> {
    let (state, organisation, user) = member(&slug).await?;
    Ok(postings::service::create_shift(&state, organisation, user, &shift).await?)
}

/// A draft shift or job as its form shows it, to edit.
#[server(endpoint = "hire/org/shift/draft")]
pub async fn load_draft(slug: String, id: PostingId) -> Result<Draft, AppError> {
    let (state, organisation, _) = member(&slug).await?;
    postings::repo::draft_input(&mut *connection(&state).await?, organisation, id)
        .await?
        .ok_or_else(|| AppError::NotFound.with_status())
}

/// Save changes to a draft shift.
#[server(endpoint = "hire/org/shift/update")]
pub async fn update_draft(slug: String, id: PostingId, shift: ShiftInput) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    Ok(postings::service::update_draft(&state, organisation, user, id, &shift).await?)
}

/// Publish, close or cancel a shift (`to`: `published`, `closed`, `cancelled`).
#[server(endpoint = "hire/org/shift/change")]
pub async fn change_shift(slug: String, id: PostingId, to: String) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let to = PostingStatus::from_db_name(&to)
        .ok_or_else(|| AppError::invalid("Choose what to do with the shift.").with_status())?;
    Ok(postings::service::change_shift(&state, organisation, user, id, to).await?)
}
