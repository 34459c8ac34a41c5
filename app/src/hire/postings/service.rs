//! Posting use cases: create shifts and jobs, edit drafts, publish, change and cancel.

use crate::error::AppError;
use crate::hire::applications::model::ApplicationStatus;
use crate::hire::contracts::model::ContractStatus;
use crate::hire::contracts::service::cancel_locked;
use crate::hire::error::{Result, not_found, refuse};
use crate::hire::notices;
use crate::hire::postings::model::{JobInput, PostingStatus, ShiftInput, ValidPosting};
use crate::hire::reference::model::Side;
use crate::hire::reference::service::check_reference;
use crate::hire::refusal::Refusal;
use crate::hire::{applications, contracts, postings};
use crate::ids::{OrganisationId, PostingId, UserId};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// The wall-clock start of a shift, as an instant, through the database's zone rules.
pub(crate) async fn instant(
    conn: &mut PgConnection,
    local: chrono::NaiveDateTime,
) -> Result<DateTime<Utc>> {
    Ok(
        sqlx::query_scalar!(r#"SELECT hire_instant($1) AS "at!""#, local)
            .fetch_one(conn)
            .await?,
    )
}

/// A posting as typed: a shift's form or a job's.
#[derive(Clone, Copy, Debug)]
pub enum PostingForm<'a> {
    Shift(&'a ShiftInput),
    Job(&'a JobInput),
}

impl<'a> From<&'a ShiftInput> for PostingForm<'a> {
    fn from(input: &'a ShiftInput) -> Self {
        PostingForm::Shift(input)
    }
}

impl<'a> From<&'a JobInput> for PostingForm<'a> {
    fn from(input: &'a JobInput) -> Self {
        PostingForm::Job(input)
    }
}

impl PostingForm<'_> {
    /// The form's fields' prefix.
    fn name(self) -> &'static str {
        match self {
            PostingForm::Shift(_) => "shift",
            PostingForm::Job(_) => "job",
        }
    }

    /// The typed posting checked on its own, then against the database: known references, a
    /// start in the future (a job's first day after today).
    async fn check(self, conn: &mut PgConnection, state: &AppState) -> Result<ValidPosting> {
        let posting = match self {
            PostingForm::Shift(input) => input.check()?,
            PostingForm::Job(input) => input.check()?,
        };
        let form = self.name();
        check_reference(
            conn,
            form,
            &posting.city,
            &posting.skills,
            &posting.certificates,
        )
        .await?;
        if instant(conn, posting.starts).await? <= state.clock.now() {
            let message = match self {
                PostingForm::Shift(_) => "The shift must start in the future.",
                PostingForm::Job(_) => "The job's first day must be after today.",
            };
            return Err(AppError::field(&format!("{form}[starts]"), message).into());
        }
        Ok(posting)
    }
}

/// A new shift or job, saved as a draft.
pub async fn create_posting(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    form: PostingForm<'_>,
) -> Result<PostingId> {
    let mut tx = state.db.begin().await?;
    let posting = form.check(&mut tx, state).await?;
    let id = PostingId(uuid::Uuid::now_v7());
    postings::repo::save_draft(&mut tx, id, organisation, by, &posting).await?;
    tx.commit().await?;
    Ok(id)
}

/// A new shift, saved as a draft.
pub async fn create_shift(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    input: &ShiftInput,
) -> Result<PostingId> {
    create_posting(state, organisation, by, PostingForm::Shift(input)).await
}

/// Rewrite a draft: the same checks as a new one. Published postings are not edited
/// (freelancers applied to what they read); cancel and post again instead.
pub async fn update_draft<'a>(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    id: PostingId,
    form: impl Into<PostingForm<'a>>,
) -> Result<()> {
    let form = form.into();
    let mut tx = state.db.begin().await?;
    let Some((status, _)) = postings::repo::lock_posting(&mut tx, organisation, id).await? else {
        return not_found();
    };
    if status != PostingStatus::Draft {
        return refuse(Refusal::NotADraft(status));
    }
    let posting = form.check(&mut tx, state).await?;
    if !postings::repo::save_draft(&mut tx, id, organisation, by, &posting).await? {
        return refuse(Refusal::OtherKindOfDraft(form.name()));
    }
    tx.commit().await?;
    Ok(())
}

/// Publish, close or cancel a shift. Cancelling ends every open application and offer and
/// cancels the contracts under the cancellation policy.
pub async fn change_shift(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    posting: PostingId,
    to: PostingStatus,
) -> Result<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let Some((status, starts_at)) =
        postings::repo::lock_posting(&mut tx, organisation, posting).await?
    else {
        return not_found();
    };
    if !status.may_become(to) || to == PostingStatus::Filled {
        return refuse(Refusal::PostingMove { from: status, to });
    }
    if to == PostingStatus::Published && starts_at <= now {
        return refuse(Refusal::OpeningAfterStart);
    }
    if to == PostingStatus::Cancelled && starts_at <= now {
        return refuse(Refusal::CancellingAfterStart);
    }
    if to == PostingStatus::Cancelled {
        let reason = "The organisation cancelled the shift.";
        for application in
            applications::repo::applicants(&mut tx, &state.vault, organisation, posting).await?
        {
            if matches!(
                application.status,
                ApplicationStatus::Invited
                    | ApplicationStatus::Applied
                    | ApplicationStatus::Offered
            ) {
                applications::repo::set_application_status(
                    &mut tx,
                    application.id,
                    application.status,
                    ApplicationStatus::Rejected,
                    Some(reason),
                    now,
                )
                .await?;
                notices::application_ended(
                    &mut tx,
                    application.id,
                    application.status,
                    ApplicationStatus::Rejected,
                    reason,
                )
                .await?;
            }
        }
        let contracts = contracts::repo::contracts(
            &mut tx,
            &state.vault,
            contracts::repo::ContractScope::Posting(organisation, posting),
            now,
            crate::hire::disputes::service::escalation_wait(state),
        )
        .await?;
        for contract in contracts
            .iter()
            .filter(|c| c.status == ContractStatus::Active)
        {
            cancel_locked(
                &mut tx,
                contract.id,
                Side::Organisation,
                Some(by),
                reason,
                now,
            )
            .await?;
        }
    }
    if !postings::repo::set_posting_status(&mut tx, posting, status, to, now).await? {
        return refuse(Refusal::ChangedMeanwhile);
    }
    tx.commit().await?;
    Ok(())
}
