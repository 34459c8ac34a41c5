//! Disputes: opened when an organisation disputes hours or work, settled when the freelancer
//! submits again, escalated by either side once the waiting days have passed, and decided by a
//! finance admin. Each step is a contract event in the change's own transaction, so the
//! escrow books the hold, its release and the decision in order with everything else.

use super::model::{DisputeDetail, DisputeStatus, DisputeSummary, parse_outcome};
use super::repo::{self, NewDispute, Resolution};
use crate::audit::{self, Action, Entry};
use crate::error::AppError;
use crate::escrow::ledger::{self, Account};
use crate::hire::contracts::model::{ContractEventKind, TimesheetStatus};
use crate::hire::contracts::repo::{ContractScope, LockedContract, NewEvent};
use crate::hire::contracts::service::{lock_contract_for, record_contract_event};
use crate::hire::error::{Result, not_found, note_text, reason_text, refuse};
use crate::hire::postings::model::{PayBasis, PostingKind};
use crate::hire::reference::model::Side;
use crate::hire::refusal::Refusal;
use crate::hire::{contracts, messages, notices};
use crate::ids::{ContractId, DisputeId, UserId};
use crate::money::Money;
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;

/// How long a dispute waits for the two sides before either may escalate it.
pub fn escalation_wait(state: &AppState) -> chrono::Duration {
    chrono::Duration::from_std(state.config.dispute_escalation)
        .unwrap_or_else(|_| chrono::Duration::days(3))
}

/// The organisation disputed `claimed` of the contract's hours (a job's `week`) or work: the
/// escrow holds it until the dispute ends.
pub(crate) async fn open(
    conn: &mut PgConnection,
    contract: ContractId,
    week: Option<NaiveDate>,
    claimed: Money,
    reason: &str,
    by: Option<UserId>,
    at: DateTime<Utc>,
) -> Result<DisputeId> {
    let opened_event = record_contract_event(
        conn,
        NewEvent {
            contract,
            kind: ContractEventKind::Disputed,
            late: false,
            amount: claimed,
            reason,
            by,
            at,
        },
    )
    .await?;
    let new = NewDispute {
        contract,
        week,
        claimed,
        reason,
        by,
        at,
        opened_event,
    };
    Ok(repo::insert(conn, &new).await?)
}

/// The freelancer submitted the disputed hours (a job's `week`) or work again: the two sides
/// carry on as usual and the hold goes back to escrow. Nothing when no dispute waits.
pub(crate) async fn settle_by_resubmission(
    conn: &mut PgConnection,
    contract: &LockedContract,
    id: ContractId,
    week: Option<NaiveDate>,
    by: UserId,
    at: DateTime<Utc>,
) -> Result<()> {
    let Some(dispute) = repo::lock_waiting(conn, id, week).await? else {
        return Ok(());
    };
    let event = record_contract_event(
        conn,
        NewEvent {
            contract: id,
            kind: ContractEventKind::DisputeSettled,
            late: false,
            amount: Money::new(0, contract.wage.currency()),
            reason: "",
            by: Some(by),
            at,
        },
    )
    .await?;
    repo::settle(conn, dispute, event).await?;
    Ok(())
}

/// Either side asks Olivine to decide, once the dispute has waited long enough. `owner` is
/// the freelancer or the organisation `by` acts for.
pub async fn escalate(
    state: &AppState,
    side: Side,
    owner: uuid::Uuid,
    by: UserId,
    id: DisputeId,
    note: &str,
) -> Result<()> {
    let note = note_text(note, "note", "Tell Olivine what happened")?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let Some(contract) = repo::contract_of(&mut tx, id).await? else {
        return not_found();
    };
    lock_contract_for(&mut tx, contract, side, owner).await?;
    let Some(dispute) = repo::lock(&mut tx, id).await? else {
        return not_found();
    };
    match dispute.status {
        DisputeStatus::Open => {}
        DisputeStatus::Escalated => return refuse(Refusal::DisputeAlreadyEscalated),
        status @ (DisputeStatus::Settled | DisputeStatus::Resolved) => {
            return refuse(Refusal::DisputeNotWaiting(status));
        }
    }
    let from = dispute.opened_at + escalation_wait(state);
    if now < from {
        return refuse(Refusal::EscalatingTooEarly(from));
    }
    repo::escalate(&mut tx, id, by, now, &note).await?;
    let entry = Entry::new(Some(by), Action::DisputeEscalated)
        .subject(id.0)
        .detail(serde_json::json!({ "contract": contract.0, "side": side.db_name() }));
    audit::record(&mut tx, entry).await?;
    notices::dispute_escalated(&mut tx, contract, side).await?;
    tx.commit().await?;
    Ok(())
}

/// A finance admin decides an escalated dispute: the whole claim to the freelancer
/// (`release`), none of it (`refund`), or `amount` of it (`split`). The hours or work count as
/// settled, the contract completes as approval would have completed it, and both sides hear
/// the decision with its reasons.
pub async fn resolve(
    state: &AppState,
    by: UserId,
    id: DisputeId,
    outcome: &str,
    amount: &str,
    note: &str,
) -> Result<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let Some(contract_id) = repo::contract_of(&mut tx, id).await? else {
        return not_found();
    };
    let Some(contract) = contracts::repo::lock_contract(&mut tx, contract_id).await? else {
        return not_found();
    };
    let Some(dispute) = repo::lock(&mut tx, id).await? else {
        return not_found();
    };
    if dispute.status != DisputeStatus::Escalated {
        return refuse(Refusal::DisputeNotEscalated);
    }
    let released = parse_outcome(outcome, amount, dispute.claimed)?.released(dispute.claimed);
    // It is the decision's contract event's reason too, which holds 500 characters.
    let note = reason_text(note, "note")?;
    mark_resolved(&mut tx, contract_id, dispute.week, &contract).await?;
    let event = record_contract_event(
        &mut tx,
        NewEvent {
            contract: contract_id,
            kind: ContractEventKind::DisputeResolved,
            late: false,
            amount: released,
            reason: &note,
            by: Some(by),
            at: now,
        },
    )
    .await?;
    let resolution = Resolution {
        by,
        at: now,
        released,
        note: &note,
        event,
    };
    repo::resolve(&mut tx, id, &resolution).await?;
    contracts::service::complete_if_settled(&mut tx, contract_id, &contract).await?;
    let kept = Money::new(
        dispute.claimed.minor() - released.minor(),
        released.currency(),
    );
    notices::dispute_resolved(&mut tx, contract_id, released, kept, &note).await?;
    tx.commit().await?;
    Ok(())
}

/// The disputed hours (a job's week) or work count as settled by Olivine's decision.
async fn mark_resolved(
    conn: &mut PgConnection,
    contract: ContractId,
    week: Option<NaiveDate>,
    locked: &LockedContract,
) -> Result<()> {
    let done = if (locked.kind, locked.pay_basis) == (PostingKind::Job, PayBasis::Fixed) {
        sqlx::query!(
            "UPDATE deliveries SET status = $2, reason = NULL
             WHERE contract_id = $1 AND status = 'disputed'",
            contract.0,
            TimesheetStatus::Resolved as TimesheetStatus
        )
        .execute(&mut *conn)
        .await?
    } else {
        sqlx::query!(
            "UPDATE timesheets SET status = $3, reason = NULL
             WHERE contract_id = $1 AND week IS NOT DISTINCT FROM $2 AND status = 'disputed'",
            contract.0,
            week,
            TimesheetStatus::Resolved as TimesheetStatus
        )
        .execute(&mut *conn)
        .await?
    };
    if done.rows_affected() != 1 {
        return refuse(Refusal::ChangedMeanwhile);
    }
    Ok(())
}

/// The back office's list, narrowed to `status` (a `dispute_status` name) when given.
pub async fn list(state: &AppState, status: &str) -> Result<Vec<DisputeSummary>> {
    let status = match status.trim() {
        "" => None,
        name => Some(
            DisputeStatus::from_db_name(name)
                .ok_or_else(|| AppError::invalid("Choose a status from the list."))?,
        ),
    };
    let mut conn = state.db.acquire().await?;
    Ok(repo::list(&mut conn, &state.vault, status).await?)
}

/// What a finance admin sees before deciding.
pub async fn detail(state: &AppState, id: DisputeId) -> Result<DisputeDetail> {
    let mut conn = state.db.acquire().await?;
    let Some(contract_id) = repo::contract_of(&mut conn, id).await? else {
        return not_found();
    };
    let now = state.clock.now();
    let wait = escalation_wait(state);
    let Some(dispute) = repo::briefs(&mut conn, &[contract_id.0], now, wait)
        .await?
        .into_iter()
        .map(|(_, brief)| brief)
        .find(|brief| brief.id == id)
    else {
        return not_found();
    };
    let Some(contract) = contracts::repo::contracts(
        &mut conn,
        &state.vault,
        ContractScope::One(contract_id),
        now,
        wait,
    )
    .await?
    .pop() else {
        return not_found();
    };
    let escalated_by = repo::escalated_by(&mut conn, &state.vault, id).await?;
    let messages =
        messages::service::thread_messages(&mut conn, &state.vault, contract.application_id)
            .await?;
    let frozen = ledger::balance(
        &mut conn,
        Account::ContractFrozen(contract_id),
        contract.wage.currency(),
    )
    .await?;
    let timesheet = match dispute.week {
        Some(week) => contract
            .weeks
            .iter()
            .find(|t| t.week == Some(week))
            .cloned(),
        None => contract.timesheet.clone(),
    };
    Ok(DisputeDetail {
        contract: contract_id,
        title: contract.title,
        organisation: contract.organisation,
        freelancer: contract.freelancer,
        kind: contract.kind,
        pay_basis: contract.pay_basis,
        wage: contract.wage,
        escalated_by,
        timesheet,
        delivery: contract.delivery,
        events: contract.events,
        messages,
        frozen,
        dispute,
    })
}
