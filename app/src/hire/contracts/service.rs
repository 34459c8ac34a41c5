//! Contract use cases: cancelling (with what the policy says is owed), no-shows, ending an
//! hourly job early, and the contract's event history.

use crate::audit::{self, Action, Entry};
use crate::hire::contracts::model::{
    CANCELLATION_POLICY, ContractEventKind, ContractStatus, pay_for,
};
use crate::hire::contracts::repo::{LockedContract, NewEvent};
use crate::hire::error::{Result, not_found, reason_text, refuse};
use crate::hire::notices;
use crate::hire::postings::model::{PayBasis, PostingKind};
use crate::hire::reference::model::Side;
use crate::hire::refusal::Refusal;
use crate::hire::time::paid_minutes;
use crate::hire::{contracts, postings};
use crate::ids::{ContractEventId, ContractId, OrganisationId, UserId};
use crate::money::Money;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// Lock a contract that belongs to `owner` on `side`.
pub(crate) async fn lock_contract_for(
    conn: &mut PgConnection,
    id: ContractId,
    side: Side,
    owner: uuid::Uuid,
) -> Result<LockedContract> {
    let Some(contract) = contracts::repo::lock_contract(conn, id).await? else {
        return not_found();
    };
    let owned = match side {
        Side::Organisation => contract.organisation.0 == owner,
        Side::Freelancer => contract.freelancer.0 == owner,
    };
    if owned { Ok(contract) } else { not_found() }
}

/// Cancel a locked, active contract for `side` under the cancellation policy.
pub(crate) async fn cancel_locked(
    conn: &mut PgConnection,
    id: ContractId,
    side: Side,
    by: Option<UserId>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(contract) = contracts::repo::lock_contract(conn, id).await? else {
        return not_found();
    };
    if contract.status != ContractStatus::Active {
        return refuse(Refusal::Contract(contract.status));
    }
    if contract.starts_at <= now {
        return refuse(Refusal::CancellingStarted(contract.kind));
    }
    let late = CANCELLATION_POLICY.is_late((contract.starts_at - now).num_minutes());
    let (kind, owed) = match side {
        Side::Organisation => {
            let minutes = paid_minutes(
                contract.starts_at.naive_utc(),
                contract.ends_at.naive_utc(),
                contract.break_minutes,
            );
            // The policy's share is of a shift's wage; a job cancelled late owes nothing but
            // is recorded as late all the same.
            let owed = if late && contract.kind == PostingKind::Shift {
                CANCELLATION_POLICY.owed_by_client(pay_for(minutes, contract.wage))
            } else {
                Money::zero(contract.wage.currency())
            };
            (ContractEventKind::CancelledByClient, owed)
        }
        Side::Freelancer => (
            ContractEventKind::CancelledByFreelancer,
            Money::zero(contract.wage.currency()),
        ),
    };
    contracts::repo::set_contract_status(
        conn,
        id,
        ContractStatus::Active,
        ContractStatus::Cancelled,
    )
    .await?;
    record_contract_event(
        conn,
        NewEvent {
            contract: id,
            kind,
            late,
            amount: owed,
            reason,
            by,
            at: now,
        },
    )
    .await?;
    postings::repo::free_seat(conn, contract.posting, now).await?;
    notices::booking_cancelled(conn, id, side, late, owed, reason).await?;
    Ok(())
}

/// The contract's hours or work are settled — approved, or a dispute about them decided: a
/// shift or a fixed-price job is over, an hourly job once the week with its last day is settled
/// and no other week waits for an answer or a correction.
pub(crate) async fn complete_if_settled(
    conn: &mut PgConnection,
    id: ContractId,
    contract: &LockedContract,
) -> Result<()> {
    if contract.status != ContractStatus::Active {
        return Ok(());
    }
    let completes = match (contract.kind, contract.pay_basis) {
        (PostingKind::Job, PayBasis::Hourly) => {
            contracts::timesheets::weeks_settled(conn, id, contract.ends_at).await?
        }
        (PostingKind::Shift, _) | (PostingKind::Job, PayBasis::Fixed) => true,
    };
    if completes {
        contracts::repo::set_contract_status(
            conn,
            id,
            ContractStatus::Active,
            ContractStatus::Completed,
        )
        .await?;
    }
    Ok(())
}

/// Either side cancels a contract before the shift starts.
pub async fn cancel_contract(
    state: &AppState,
    side: Side,
    owner: uuid::Uuid,
    by: UserId,
    id: ContractId,
    reason: &str,
) -> Result<()> {
    let reason = reason_text(reason, "reason")?;
    let mut tx = state.db.begin().await?;
    lock_contract_for(&mut tx, id, side, owner).await?;
    cancel_locked(&mut tx, id, side, Some(by), &reason, state.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// The organisation records that the freelancer did not turn up.
pub async fn record_no_show(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    id: ContractId,
) -> Result<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let contract = lock_contract_for(&mut tx, id, Side::Organisation, organisation.0).await?;
    if contract.kind != PostingKind::Shift {
        return refuse(Refusal::NoShowOfJob);
    }
    if contract.starts_at > now {
        return refuse(Refusal::NoShowBeforeStart);
    }
    if contracts::timesheets::timesheet_status(&mut tx, id)
        .await?
        .is_some()
    {
        return refuse(Refusal::NoShowWithHours);
    }
    if !contracts::repo::set_contract_status(
        &mut tx,
        id,
        ContractStatus::Active,
        ContractStatus::NoShow,
    )
    .await?
    {
        return refuse(Refusal::Contract(contract.status));
    }
    record_contract_event(
        &mut tx,
        NewEvent {
            contract: id,
            kind: ContractEventKind::NoShow,
            late: false,
            amount: Money::zero(contract.wage.currency()),
            reason: "",
            by: Some(by),
            at: now,
        },
    )
    .await?;
    notices::no_show(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// The organisation ends an hourly job early ("End the job"): with no week waiting for an
/// answer or a correction, the contract completes and is settled as a completed one.
pub async fn end_job(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    id: ContractId,
    reason: &str,
) -> Result<()> {
    let reason = reason_text(reason, "reason")?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let contract = lock_contract_for(&mut tx, id, Side::Organisation, organisation.0).await?;
    if contract.status != ContractStatus::Active {
        return refuse(Refusal::Contract(contract.status));
    }
    if contract.kind != PostingKind::Job || contract.pay_basis != PayBasis::Hourly {
        return refuse(Refusal::EndingNotHourly);
    }
    if contract.starts_at > now {
        return refuse(Refusal::EndingBeforeStart);
    }
    if contracts::timesheets::hours_waiting(&mut tx, id).await? {
        return refuse(Refusal::EndingWithHoursWaiting);
    }
    contracts::repo::set_contract_status(
        &mut tx,
        id,
        ContractStatus::Active,
        ContractStatus::Completed,
    )
    .await?;
    record_contract_event(
        &mut tx,
        NewEvent {
            contract: id,
            kind: ContractEventKind::EndedByClient,
            late: false,
            amount: Money::zero(contract.wage.currency()),
            reason: &reason,
            by: Some(by),
            at: now,
        },
    )
    .await?;
    notices::job_ended(&mut tx, id, &reason).await?;
    tx.commit().await?;
    Ok(())
}

/// A contract event (what is owed and why), and its line in the audit log, in the caller's
/// transaction; its id.
pub(crate) async fn record_contract_event(
    conn: &mut PgConnection,
    event: NewEvent<'_>,
) -> Result<ContractEventId> {
    let action = match event.kind {
        ContractEventKind::Hired => Action::ContractHired,
        ContractEventKind::CancelledByClient => Action::ContractCancelledByClient,
        ContractEventKind::CancelledByFreelancer => Action::ContractCancelledByFreelancer,
        ContractEventKind::NoShow => Action::NoShowRecorded,
        ContractEventKind::HoursApproved => Action::HoursApproved,
        ContractEventKind::WorkApproved => Action::WorkApproved,
        ContractEventKind::FundingLapsed => Action::BookingLapsed,
        ContractEventKind::EndedByClient => Action::JobEnded,
        ContractEventKind::Disputed => Action::DisputeOpened,
        ContractEventKind::DisputeSettled => Action::DisputeSettled,
        ContractEventKind::DisputeResolved => Action::DisputeResolved,
    };
    let entry = Entry::new(event.by, action)
        .subject(event.contract.0)
        .detail(serde_json::json!({
            "amount_minor": event.amount.minor(),
            "currency": event.amount.currency().code(),
            "late": event.late,
            "reason": event.reason,
        }));
    let id = contracts::repo::record_event(conn, event).await?;
    audit::record(conn, entry).await?;
    Ok(id)
}
