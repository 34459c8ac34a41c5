//! Application use cases: apply, invite, offer, reject, withdraw, accept, and offers that
//! expire. Seats are taken with a guarded update, so concurrent offers never fill more places
//! than the shift has.

use crate::accounts::model::Viewer;
use crate::audit::{self, Action, Entry};
use crate::error::AppError;
use crate::hire::applications::model::{ApplicationStatus, check_proposal};
use crate::hire::applications::repo::{LockedApplication, NewApplication};
use crate::hire::certificates::service as certificates;
use crate::hire::contracts::model::ContractEventKind;
use crate::hire::contracts::repo::NewEvent;
use crate::hire::contracts::service::record_contract_event;
use crate::hire::error::{Result, not_found, reason_text, refuse};
use crate::hire::messages::service as messages;
use crate::hire::notices;
use crate::hire::postings::model::{PostingDetail, PostingStatus, ShiftSummary};
use crate::hire::reference::model::Side;
use crate::hire::refusal::Refusal;
use crate::hire::{applications, contracts, postings, profiles};
use crate::ids::{ApplicationId, ContractId, OrganisationId, PostingId, UserId};
use crate::money::Money;
use crate::state::AppState;
use sqlx::PgConnection;

/// The freelancer applies to a shift or job (or applies from an invitation to it), with a note
/// and, for a job, optionally their own rate or price.
pub async fn apply(
    state: &AppState,
    freelancer: UserId,
    posting: PostingId,
    note: &str,
    proposed: &str,
) -> Result<ApplicationId> {
    let note = note.trim();
    if note.chars().count() > 2000 {
        return Err(AppError::field("note", "Keep the note to 2000 characters.").into());
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    if !profiles::repo::has_profile(&mut tx, freelancer).await? {
        return refuse(Refusal::ProfileBeforeApplying);
    }
    let Some(PostingDetail { summary: shift, .. }) =
        postings::repo::shift(&mut tx, posting, None, Some(freelancer)).await?
    else {
        return not_found();
    };
    if !shift.status.accepts_applications() {
        return refuse(match shift.status {
            PostingStatus::Filled => Refusal::Full,
            PostingStatus::Draft
            | PostingStatus::Published
            | PostingStatus::Closed
            | PostingStatus::Cancelled => Refusal::NotTakingApplications,
        });
    }
    let proposed = check_proposal(proposed, shift.kind, shift.pay_basis)?;
    let Some((_, starts_at)) =
        postings::repo::lock_posting(&mut tx, shift.organisation_id, posting).await?
    else {
        return not_found();
    };
    if starts_at <= now {
        return refuse(Refusal::Started(shift.kind));
    }
    let missing = certificates::missing(&mut tx, freelancer, posting).await?;
    if !missing.is_empty() {
        return refuse(Refusal::MissingCertificates(missing));
    }
    let new = NewApplication {
        id: ApplicationId(uuid::Uuid::now_v7()),
        posting,
        organisation: shift.organisation_id,
        freelancer,
        status: ApplicationStatus::Applied,
        note,
        proposed,
        invited_by: None,
    };
    let Some(id) = applications::repo::insert_application(&mut tx, &new).await? else {
        return refuse(Refusal::AlreadyApplied);
    };
    notices::application_received(&mut tx, id).await?;
    tx.commit().await?;
    Ok(id)
}

/// A manager invites a freelancer to apply to an open shift, with an optional first message
/// in the application's thread. The invitation takes no seat; the freelancer applies from it
/// (the usual checks apply then) or declines it.
pub async fn invite(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    posting: PostingId,
    freelancer: UserId,
    message: &str,
) -> Result<ApplicationId> {
    let message = match message.trim() {
        "" => None,
        text => Some(messages::check_body(text)?),
    };
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let Some((status, starts_at)) =
        postings::repo::lock_posting(&mut tx, organisation, posting).await?
    else {
        return not_found();
    };
    if !status.accepts_applications() || starts_at <= now {
        return refuse(Refusal::NotInvitable);
    }
    if !profiles::repo::has_profile(&mut tx, freelancer).await? {
        return not_found();
    }
    let new = NewApplication {
        id: ApplicationId(uuid::Uuid::now_v7()),
        posting,
        organisation,
        freelancer,
        status: ApplicationStatus::Invited,
        note: "",
        proposed: None,
        invited_by: Some(by),
    };
    let Some(id) = applications::repo::insert_application(&mut tx, &new).await? else {
        return refuse(Refusal::AlreadyInvited);
    };
    if let Some(message) = message {
        messages::write(&mut tx, Side::Organisation, by, id, message).await?;
    }
    notices::invited(&mut tx, id).await?;
    tx.commit().await?;
    Ok(id)
}

/// Lock an application and check that `side` (the organisation `organisation`, or the
/// freelancer `user`) may move it to `to`.
async fn lock_for(
    conn: &mut PgConnection,
    id: ApplicationId,
    side: Side,
    owner: uuid::Uuid,
    to: ApplicationStatus,
) -> Result<LockedApplication> {
    let Some(application) = applications::repo::lock_application(conn, id).await? else {
        return not_found();
    };
    let owned = match side {
        Side::Organisation => application.organisation.0 == owner,
        Side::Freelancer => application.freelancer.0 == owner,
    };
    if !owned {
        return not_found();
    }
    if application.status.moved_by(to) != Some(side) {
        return refuse(Refusal::Application(application.status));
    }
    Ok(application)
}

/// The organisation offers a place: the offer holds a seat until it is answered.
pub async fn offer(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    id: ApplicationId,
) -> Result<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let application = lock_for(
        &mut tx,
        id,
        Side::Organisation,
        organisation.0,
        ApplicationStatus::Offered,
    )
    .await?;
    if !postings::repo::take_seat(&mut tx, application.posting).await? {
        return refuse(Refusal::NoPlaceToOffer);
    }
    applications::repo::set_application_status(
        &mut tx,
        id,
        application.status,
        ApplicationStatus::Offered,
        None,
        now,
    )
    .await?;
    let entry = Entry::new(Some(by), Action::OfferMade)
        .subject(id.0)
        .detail(serde_json::json!({ "organisation": organisation.0 }));
    audit::record(&mut tx, entry).await?;
    notices::offer_made(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// The organisation turns an application down (or takes back its offer).
pub async fn reject(
    state: &AppState,
    organisation: OrganisationId,
    id: ApplicationId,
    reason: &str,
) -> Result<()> {
    end_application(state, Side::Organisation, organisation.0, id, reason).await
}

/// The freelancer withdraws an application, or declines an invitation or an offer.
pub async fn step_back(
    state: &AppState,
    freelancer: UserId,
    id: ApplicationId,
    reason: &str,
) -> Result<()> {
    end_application(state, Side::Freelancer, freelancer.0, id, reason).await
}

/// End an application, with a reason, for the side that owns it: rejected by the
/// organisation; withdrawn, or (an invitation or an offer) declined, by the freelancer. A
/// held seat is given back.
async fn end_application(
    state: &AppState,
    side: Side,
    owner: uuid::Uuid,
    id: ApplicationId,
    reason: &str,
) -> Result<()> {
    let reason = reason_text(reason, "reason")?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let Some(current) = applications::repo::lock_application(&mut tx, id).await? else {
        return not_found();
    };
    let to = match (side, current.status) {
        (Side::Organisation, _) => ApplicationStatus::Rejected,
        (Side::Freelancer, ApplicationStatus::Invited | ApplicationStatus::Offered) => {
            ApplicationStatus::Declined
        }
        (Side::Freelancer, _) => ApplicationStatus::Withdrawn,
    };
    let application = lock_for(&mut tx, id, side, owner, to).await?;
    if application.status.holds_seat() {
        postings::repo::free_seat(&mut tx, application.posting, now).await?;
    }
    applications::repo::set_application_status(
        &mut tx,
        id,
        application.status,
        to,
        Some(&reason),
        now,
    )
    .await?;
    notices::application_ended(&mut tx, id, application.status, to, &reason).await?;
    tx.commit().await?;
    Ok(())
}

/// The freelancer accepts an offer: the contract is made on the shift's terms.
pub async fn accept_offer(
    state: &AppState,
    freelancer: UserId,
    id: ApplicationId,
) -> Result<ContractId> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let application = lock_for(
        &mut tx,
        id,
        Side::Freelancer,
        freelancer.0,
        ApplicationStatus::Hired,
    )
    .await?;
    let Some((_, starts_at)) =
        postings::repo::lock_posting(&mut tx, application.organisation, application.posting)
            .await?
    else {
        return not_found();
    };
    if starts_at <= now {
        return refuse(Refusal::OfferAfterStart);
    }
    applications::repo::set_application_status(
        &mut tx,
        id,
        application.status,
        ApplicationStatus::Hired,
        None,
        now,
    )
    .await?;
    let contract = ContractId(uuid::Uuid::now_v7());
    contracts::repo::insert_contract(&mut tx, contract, id).await?;
    let locked = contracts::repo::lock_contract(&mut tx, contract)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    record_contract_event(
        &mut tx,
        NewEvent {
            contract,
            kind: ContractEventKind::Hired,
            late: false,
            amount: Money::zero(locked.wage.currency()),
            reason: "",
            by: Some(freelancer),
            at: now,
        },
    )
    .await?;
    notices::offer_accepted(&mut tx, id).await?;
    tx.commit().await?;
    Ok(contract)
}

/// The open shifts of the organisations `viewer` belongs to that they can invite `freelancer`
/// to (empty for anyone who manages none).
pub async fn invitable_shifts(
    state: &AppState,
    viewer: &Viewer,
    freelancer: UserId,
) -> Result<Vec<ShiftSummary>> {
    let organisations: Vec<uuid::Uuid> = viewer
        .memberships
        .iter()
        .map(|m| m.organisation_id.0)
        .collect();
    if organisations.is_empty() {
        return Ok(Vec::new());
    }
    let mut conn = state.db.acquire().await?;
    let now = state.clock.now();
    Ok(applications::repo::invitable_shifts(&mut conn, &organisations, freelancer, now).await?)
}

/// Expire what waited too long: offers unanswered for the configured window (their seats
/// come back, so the shift can be offered to someone else), and invitations, applications and
/// offers still open when their shift starts. Safe on several nodes at once (each pass locks
/// the rows it takes). Returns how many expired.
pub async fn expire_due(state: &AppState) -> Result<usize> {
    let now = state.clock.now();
    let window = chrono::Duration::from_std(state.config.offer_expiry)
        .unwrap_or_else(|_| chrono::Duration::hours(48));
    let mut tx = state.db.begin().await?;
    let due = contracts::timesheets::due_to_expire(&mut tx, now - window, now, 100).await?;
    for (id, status, posting) in &due {
        applications::repo::set_application_status(
            &mut tx,
            *id,
            *status,
            ApplicationStatus::Expired,
            None,
            now,
        )
        .await?;
        if status.holds_seat() {
            postings::repo::free_seat(&mut tx, *posting, now).await?;
        }
        if *status == ApplicationStatus::Offered {
            notices::offer_expired(&mut tx, *id).await?;
        }
    }
    tx.commit().await?;
    Ok(due.len())
}
