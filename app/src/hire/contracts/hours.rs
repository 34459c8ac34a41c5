//! Hours and handed-over work: submitting, approving, adjusting and disputing them, and the
//! approval of hours nobody answered.

use crate::error::AppError;
use crate::hire::contracts;
use crate::hire::contracts::model::{
    ContractEventKind, ContractStatus, HoursInput, TimesheetStatus, ValidHours, ValidWeek,
    WeekInput, pay_for,
};
use crate::hire::contracts::repo::{LockedContract, NewEvent};
use crate::hire::contracts::service::{
    complete_if_settled, lock_contract_for, record_contract_event,
};
use crate::hire::contracts::timesheets::{Answer, NewHours};
use crate::hire::error::{Result, note_text, reason_text, refuse};
use crate::hire::postings::model::{PayBasis, PostingKind};
use crate::hire::postings::service::instant;
use crate::hire::reference::model::Side;
use crate::hire::refusal::Refusal;
use crate::hire::{disputes, notices};
use crate::idempotency::{self, Claim, RequestKey};
use crate::ids::{ContractId, OrganisationId, UserId};
use crate::money::Money;
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sqlx::PgConnection;

/// The endpoint a key of submitted hours belongs to.
const SUBMIT_HOURS: &str = "hire/hours/submit";

/// Check typed hours against the contract: starting within 12 hours of the shift, ending no
/// later than now.
async fn hours_for(
    conn: &mut PgConnection,
    contract: &LockedContract,
    input: &HoursInput,
    now: DateTime<Utc>,
) -> Result<(ValidHours, i32, Money)> {
    let hours = input.check()?;
    let (from, to) = (
        instant(conn, hours.from).await?,
        instant(conn, hours.to).await?,
    );
    if to > now {
        return Err(AppError::field("hours[ends]", "Hours can't end in the future.").into());
    }
    let margin = chrono::Duration::hours(12);
    if from < contract.starts_at - margin || from > contract.ends_at + margin {
        return Err(
            AppError::field("hours[date]", "These hours are not on this shift's day.").into(),
        );
    }
    let minutes = i32::try_from(hours.minutes()).unwrap_or(0);
    if minutes == 0 {
        return Err(AppError::field("hours[ends]", "There are no hours to pay.").into());
    }
    let scheduled = (contract.ends_at - contract.starts_at).num_minutes();
    if i64::from(minutes) > scheduled + crate::hire::contracts::model::OVERTIME_MINUTES {
        return Err(AppError::field(
            "hours[ends]",
            format!(
                "That is more than the shift's {} plus an hour. Enter the hours worked; \
                 longer days are agreed with the organisation.",
                crate::hire::time::hours_label(scheduled)
            ),
        )
        .into());
    }
    Ok((hours, minutes, pay_for(i64::from(minutes), contract.wage)))
}

/// The freelancer submits (or, after a dispute, resubmits) the hours worked.
pub async fn submit_hours(
    state: &AppState,
    freelancer: UserId,
    id: ContractId,
    input: &HoursInput,
) -> Result<()> {
    submit_hours_once(state, freelancer, id, input, None).await
}

/// [`submit_hours`], applied once per `key` however often it is sent.
pub async fn submit_hours_once(
    state: &AppState,
    freelancer: UserId,
    id: ContractId,
    input: &HoursInput,
    key: Option<RequestKey>,
) -> Result<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    // Sent again from the offline outbox after an answer was lost: already applied.
    if let Some(key) = key
        && idempotency::claim(&mut tx, freelancer, key, SUBMIT_HOURS, &(id, input)).await?
            != Claim::Fresh
    {
        return Ok(());
    }
    let contract = lock_contract_for(&mut tx, id, Side::Freelancer, freelancer.0).await?;
    if contract.status != ContractStatus::Active {
        return refuse(Refusal::Contract(contract.status));
    }
    if contract.kind != PostingKind::Shift {
        return refuse(Refusal::JobHoursByTheWeek);
    }
    if contract.starts_at > now {
        return refuse(Refusal::HoursBeforeStart);
    }
    let (hours, minutes, amount) = hours_for(&mut tx, &contract, input, now).await?;
    let new = NewHours {
        contract: id,
        organisation: contract.organisation,
        freelancer,
        hours,
        week: None,
        minutes,
        amount,
        now,
    };
    if !contracts::timesheets::submit_hours(&mut tx, &new).await? {
        return refuse(Refusal::HoursAlreadySubmitted);
    }
    disputes::service::settle_by_resubmission(&mut tx, &contract, id, None, freelancer, now)
        .await?;
    notices::hours_submitted(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// How the organisation answers submitted hours (`H`: a shift's hours or a job's week, as
/// the manager sets them when adjusting).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision<'a, H = HoursInput> {
    Approve,
    Adjust { hours: &'a H, reason: &'a str },
    Dispute { reason: &'a str },
}

/// Is this hourly job's contract the freelancer's or organisation's to act on, and still
/// active?
fn active_job(contract: &LockedContract, basis: PayBasis) -> Result<()> {
    if contract.status != ContractStatus::Active {
        return refuse(Refusal::Contract(contract.status));
    }
    if contract.kind != PostingKind::Job || contract.pay_basis != basis {
        return refuse(match basis {
            PayBasis::Hourly => Refusal::NotAnHourlyJob,
            PayBasis::Fixed => Refusal::NotAFixedPriceJob,
        });
    }
    Ok(())
}

/// Check a typed week against an hourly job's contract: each day with hours lies within the
/// job's dates and has begun. The week as a timesheet row (Monday to Monday), its minutes
/// and its pay.
async fn week_for(
    conn: &mut PgConnection,
    contract: &LockedContract,
    input: &WeekInput,
    now: DateTime<Utc>,
) -> Result<(ValidWeek, ValidHours, i32, Money)> {
    let week = input.check()?;
    for (i, minutes) in (0_i64..).zip(week.minutes) {
        if minutes == 0 {
            continue;
        }
        let day = week.monday + chrono::Duration::days(i);
        let begins = instant(conn, day.and_time(NaiveTime::MIN)).await?;
        let field = format!("week[days][{}]", i + 1);
        if begins < contract.starts_at || begins >= contract.ends_at {
            return Err(AppError::field(
                &field,
                format!("{} is outside the job's dates.", day.format("%a %-d %b")),
            )
            .into());
        }
        if begins > now {
            return Err(AppError::field(&field, "Hours can't be for a day still to come.").into());
        }
    }
    let hours = ValidHours {
        from: week.monday.and_time(NaiveTime::MIN),
        to: (week.monday + chrono::Duration::days(7)).and_time(NaiveTime::MIN),
        break_minutes: 0,
    };
    let minutes = i32::try_from(week.total()).unwrap_or(0);
    Ok((
        week,
        hours,
        minutes,
        pay_for(i64::from(minutes), contract.wage),
    ))
}

/// The freelancer submits (or, after a dispute, resubmits) a week of an hourly job.
pub async fn submit_week(
    state: &AppState,
    freelancer: UserId,
    id: ContractId,
    input: &WeekInput,
) -> Result<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let contract = lock_contract_for(&mut tx, id, Side::Freelancer, freelancer.0).await?;
    active_job(&contract, PayBasis::Hourly)?;
    let (week, hours, minutes, amount) = week_for(&mut tx, &contract, input, now).await?;
    let new = NewHours {
        contract: id,
        organisation: contract.organisation,
        freelancer,
        hours,
        week: Some((week.monday, week.minutes)),
        minutes,
        amount,
        now,
    };
    if !contracts::timesheets::submit_hours(&mut tx, &new).await? {
        return Err(
            AppError::field("week[week]", "This week's hours are already submitted.").into(),
        );
    }
    let monday = Some(week.monday);
    disputes::service::settle_by_resubmission(&mut tx, &contract, id, monday, freelancer, now)
        .await?;
    notices::hours_submitted(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Approve, adjust (with a reason and the hours per day) or dispute (with a reason) a
/// submitted week of an hourly job. Approved weeks record what the organisation owes; the
/// contract completes once the week with the job's last day is approved and no week waits.
pub async fn answer_week(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    id: ContractId,
    week: NaiveDate,
    decision: Decision<'_, WeekInput>,
) -> Result<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let contract = lock_contract_for(&mut tx, id, Side::Organisation, organisation.0).await?;
    active_job(&contract, PayBasis::Hourly)?;
    let (to, adjusted, adjusted_days, reason) = match decision {
        Decision::Approve => (TimesheetStatus::Approved, None, None, None),
        Decision::Adjust { hours, reason } => {
            let reason = reason_text(reason, "reason")?;
            let (days, hours, minutes, amount) = week_for(&mut tx, &contract, hours, now).await?;
            if days.monday != week {
                return Err(
                    AppError::field("week[week]", "Adjust the hours of the same week.").into(),
                );
            }
            (
                TimesheetStatus::Adjusted,
                Some((minutes, amount, hours)),
                Some(days.minutes),
                Some(reason),
            )
        }
        Decision::Dispute { reason } => (
            TimesheetStatus::Disputed,
            None,
            None,
            Some(reason_text(reason, "reason")?),
        ),
    };
    let answer = Answer {
        contract: id,
        week: Some(week),
        to,
        adjusted,
        adjusted_days,
        reason: reason.as_deref(),
        by: Some(by),
        now,
    };
    settle(&mut tx, &contract, id, answer).await?;
    tx.commit().await?;
    Ok(())
}

/// The freelancer hands over a fixed-price job's work (again, after a dispute) with a note.
pub async fn submit_delivery(
    state: &AppState,
    freelancer: UserId,
    id: ContractId,
    note: &str,
) -> Result<()> {
    let note = note_text(note, "note", "Say what you delivered")?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let contract = lock_contract_for(&mut tx, id, Side::Freelancer, freelancer.0).await?;
    active_job(&contract, PayBasis::Fixed)?;
    if contract.starts_at > now {
        return refuse(Refusal::HandOverBeforeStart);
    }
    let new = contracts::timesheets::NewDelivery {
        contract: id,
        organisation: contract.organisation,
        freelancer,
        note: &note,
        amount: contract.wage,
        now,
    };
    if !contracts::timesheets::submit_delivery(&mut tx, &new).await? {
        return refuse(Refusal::AlreadyHandedOver);
    }
    disputes::service::settle_by_resubmission(&mut tx, &contract, id, None, freelancer, now)
        .await?;
    notices::work_handed_over(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// The organisation approves handed-over work (the price becomes payable and the contract
/// completes) or disputes it with a reason (`Some`).
pub async fn answer_delivery(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    id: ContractId,
    dispute: Option<&str>,
) -> Result<()> {
    let reason = dispute.map(|r| reason_text(r, "reason")).transpose()?;
    let mut tx = state.db.begin().await?;
    let contract = lock_contract_for(&mut tx, id, Side::Organisation, organisation.0).await?;
    active_job(&contract, PayBasis::Fixed)?;
    let to = if reason.is_some() {
        TimesheetStatus::Disputed
    } else {
        TimesheetStatus::Approved
    };
    deliver(
        &mut tx,
        state,
        &contract,
        id,
        to,
        reason.as_deref(),
        Some(by),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Answer a contract's handed-over work now; approval completes it and records the price owed.
async fn deliver(
    conn: &mut PgConnection,
    state: &AppState,
    contract: &LockedContract,
    id: ContractId,
    to: TimesheetStatus,
    reason: Option<&str>,
    by: Option<UserId>,
) -> Result<()> {
    let now = state.clock.now();
    let Some(amount) =
        contracts::timesheets::answer_delivery(conn, id, to, reason, by, now).await?
    else {
        return refuse(Refusal::NoWorkWaiting);
    };
    if to == TimesheetStatus::Disputed {
        let reason = reason.unwrap_or_default();
        disputes::service::open(conn, id, None, amount, reason, by, now).await?;
    }
    if to.is_approved() {
        complete_if_settled(conn, id, contract).await?;
        record_contract_event(
            conn,
            NewEvent {
                contract: id,
                kind: ContractEventKind::WorkApproved,
                late: false,
                amount,
                reason: "",
                by,
                at: now,
            },
        )
        .await?;
    }
    notices::work_answered(conn, id, to.is_approved()).await?;
    Ok(())
}

/// Approve, adjust (with a reason) or dispute (with a reason) submitted hours. Approved hours
/// complete the contract and record what the organisation owes.
pub async fn answer_hours(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    id: ContractId,
    decision: Decision<'_>,
) -> Result<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let contract = lock_contract_for(&mut tx, id, Side::Organisation, organisation.0).await?;
    let (to, adjusted, reason) = match decision {
        Decision::Approve => (TimesheetStatus::Approved, None, None),
        Decision::Adjust { hours, reason } => {
            let reason = reason_text(reason, "reason")?;
            let adjusted = hours_for(&mut tx, &contract, hours, now).await?;
            (
                TimesheetStatus::Adjusted,
                Some((adjusted.1, adjusted.2, adjusted.0)),
                Some(reason),
            )
        }
        Decision::Dispute { reason } => (
            TimesheetStatus::Disputed,
            None,
            Some(reason_text(reason, "reason")?),
        ),
    };
    settle(
        &mut tx,
        &contract,
        id,
        Answer {
            contract: id,
            week: None,
            to,
            adjusted,
            adjusted_days: None,
            reason: reason.as_deref(),
            by: Some(by),
            now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Apply an answer to a contract's waiting hours. Approved hours record what is owed; a
/// shift's complete its contract, a job's week does when it holds the job's last day and no
/// other week waits for an answer or a resubmission.
async fn settle(
    conn: &mut PgConnection,
    contract: &LockedContract,
    id: ContractId,
    answer: Answer<'_>,
) -> Result<()> {
    if contract.status != ContractStatus::Active {
        return refuse(Refusal::Contract(contract.status));
    }
    let Some(amount) = contracts::timesheets::answer_hours(conn, &answer).await? else {
        return refuse(Refusal::NoHoursWaiting);
    };
    notices::hours_answered(conn, id, answer.to, amount).await?;
    if answer.to == TimesheetStatus::Disputed {
        let reason = answer.reason.unwrap_or_default();
        disputes::service::open(conn, id, answer.week, amount, reason, answer.by, answer.now)
            .await?;
    }
    if answer.to.is_approved() {
        complete_if_settled(conn, id, contract).await?;
        record_contract_event(
            conn,
            NewEvent {
                contract: id,
                kind: ContractEventKind::HoursApproved,
                late: false,
                amount,
                reason: answer.reason.unwrap_or(""),
                by: answer.by,
                at: answer.now,
            },
        )
        .await?;
    }
    Ok(())
}

/// One thing the auto-approval job may approve: a contract's submitted hours (for a week of a
/// job, or a shift's one timesheet) or its handed-over work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoApprovalItem {
    Timesheet(ContractId, Option<NaiveDate>),
    Delivery(ContractId),
}

impl std::fmt::Display for AutoApprovalItem {
    /// `timesheet:<contract>:<week or ->` or `delivery:<contract>`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AutoApprovalItem::Timesheet(contract, Some(week)) => {
                write!(f, "timesheet:{contract}:{week}")
            }
            AutoApprovalItem::Timesheet(contract, None) => write!(f, "timesheet:{contract}:-"),
            AutoApprovalItem::Delivery(contract) => write!(f, "delivery:{contract}"),
        }
    }
}

impl std::str::FromStr for AutoApprovalItem {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let contract = |id: &str| {
            id.parse()
                .map(ContractId)
                .map_err(|e| format!("{text}: {e}"))
        };
        match text.split(':').collect::<Vec<_>>()[..] {
            ["timesheet", id, "-"] => Ok(AutoApprovalItem::Timesheet(contract(id)?, None)),
            ["timesheet", id, week] => Ok(AutoApprovalItem::Timesheet(
                contract(id)?,
                Some(week.parse().map_err(|e| format!("{text}: {e}"))?),
            )),
            ["delivery", id] => Ok(AutoApprovalItem::Delivery(contract(id)?)),
            _ => Err(format!("{text}: not a timesheet or delivery")),
        }
    }
}

/// Unanswered hours and deliveries submitted before this moment are approved automatically.
fn auto_approval_cutoff(state: &AppState) -> DateTime<Utc> {
    let window = chrono::Duration::from_std(state.config.timesheet_auto_approve)
        .unwrap_or_else(|_| chrono::Duration::hours(72));
    state.clock.now() - window
}

/// Hours and handed-over work nobody answered within the configured window, oldest first,
/// leaving out `resting` (items the job holds or is waiting to retry).
pub async fn auto_approval_due(
    state: &AppState,
    limit: i64,
    resting: &[String],
) -> Result<Vec<AutoApprovalItem>> {
    let cutoff = auto_approval_cutoff(state);
    // Resting items are left out here, so read enough to fill the batch without them.
    let read = limit.saturating_add(i64::try_from(resting.len()).unwrap_or(i64::MAX));
    let mut conn = state.db.acquire().await?;
    let mut due: Vec<AutoApprovalItem> =
        contracts::timesheets::due_for_auto_approval(&mut conn, cutoff, read, None)
            .await?
            .into_iter()
            .map(|(id, week)| AutoApprovalItem::Timesheet(id, week))
            .collect();
    due.extend(
        contracts::timesheets::deliveries_due(&mut conn, cutoff, read, None)
            .await?
            .into_iter()
            .map(AutoApprovalItem::Delivery),
    );
    due.retain(|item| !resting.contains(&item.to_string()));
    due.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(due)
}

/// Approve one item if it is still unanswered past the window (checked under its locks, so a
/// manager's answer in the meantime wins). Returns whether it was approved.
pub async fn auto_approve(state: &AppState, item: AutoApprovalItem) -> Result<bool> {
    let now = state.clock.now();
    let cutoff = auto_approval_cutoff(state);
    let mut tx = state.db.begin().await?;
    match item {
        AutoApprovalItem::Timesheet(id, week) => {
            let Some(contract) = contracts::repo::lock_contract(&mut tx, id).await? else {
                return Ok(false);
            };
            if contracts::timesheets::due_for_auto_approval(&mut tx, cutoff, 1, Some((id, week)))
                .await?
                .is_empty()
            {
                return Ok(false);
            }
            let answer = Answer {
                contract: id,
                week,
                to: TimesheetStatus::AutoApproved,
                adjusted: None,
                adjusted_days: None,
                reason: None,
                by: None,
                now,
            };
            settle(&mut tx, &contract, id, answer).await?;
        }
        AutoApprovalItem::Delivery(id) => {
            let Some(contract) = contracts::repo::lock_contract(&mut tx, id).await? else {
                return Ok(false);
            };
            if contracts::timesheets::deliveries_due(&mut tx, cutoff, 1, Some(id))
                .await?
                .is_empty()
            {
                return Ok(false);
            }
            let approved = TimesheetStatus::AutoApproved;
            deliver(&mut tx, state, &contract, id, approved, None, None).await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}
