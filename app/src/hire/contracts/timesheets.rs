//! Timesheet and delivery queries: hours and work handed in, answered, and due for the
//! jobs that expire offers and approve unanswered hours.

use crate::hire::applications::model::ApplicationStatus;
use crate::hire::contracts::model::{TimesheetStatus, ValidHours};
use crate::hire::reference::repo::money;
use crate::ids::{ApplicationId, ContractId, OrganisationId, PostingId, TimesheetId, UserId};
use crate::money::Money;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sqlx::PgConnection;

pub struct NewHours {
    pub contract: ContractId,
    pub organisation: OrganisationId,
    pub freelancer: UserId,
    /// A shift's hours, or the whole week (Monday to Monday, no break) of a job's.
    pub hours: ValidHours,
    /// A job's week: its Monday and the minutes worked each day.
    pub week: Option<(NaiveDate, [i32; 7])>,
    pub minutes: i32,
    pub amount: Money,
    pub now: DateTime<Utc>,
}

/// Submit hours (a shift's, or one week of a job's): a first submission, or a resubmission of
/// disputed hours. `false` when that shift or week already has hours waiting or approved.
pub async fn submit_hours(conn: &mut PgConnection, new: &NewHours) -> Result<bool, sqlx::Error> {
    let (week, daily) = match new.week {
        Some((monday, days)) => (Some(monday), Some(days.to_vec())),
        None => (None, None),
    };
    let done = sqlx::query!(
        "INSERT INTO timesheets (timesheet_id, contract_id, organisation_id, freelancer_id,
                                 worked_from, worked_to, break_minutes, claimed_minutes, minutes,
                                 amount_minor, currency, submitted_at, week, daily_minutes)
         VALUES ($1, $2, $3, $4, hire_instant($5),
                 hire_instant($6), $7, $8, $8, $9, $10, $11,
                 $12, $13)
         ON CONFLICT (contract_id, week) DO UPDATE SET
             status = 'submitted', worked_from = EXCLUDED.worked_from,
             worked_to = EXCLUDED.worked_to, break_minutes = EXCLUDED.break_minutes,
             claimed_minutes = EXCLUDED.claimed_minutes, minutes = EXCLUDED.minutes,
             amount_minor = EXCLUDED.amount_minor, daily_minutes = EXCLUDED.daily_minutes,
             reason = NULL, submitted_at = EXCLUDED.submitted_at, answered_at = NULL,
             answered_by = NULL
         WHERE timesheets.status = 'disputed'",
        TimesheetId(uuid::Uuid::now_v7()).0,
        new.contract.0,
        new.organisation.0,
        new.freelancer.0,
        new.hours.from,
        new.hours.to,
        new.hours.break_minutes,
        new.minutes,
        new.amount.minor(),
        new.amount.currency().code(),
        new.now,
        week,
        daily.as_deref(),
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub struct Answer<'a> {
    pub contract: ContractId,
    /// The job's week answered; `None` for a shift's hours.
    pub week: Option<NaiveDate>,
    pub to: TimesheetStatus,
    /// Adjusted hours: (paid minutes, amount, the hours as the manager set them).
    pub adjusted: Option<(i32, Money, ValidHours)>,
    /// An adjusted week's minutes per day.
    pub adjusted_days: Option<[i32; 7]>,
    pub reason: Option<&'a str>,
    pub by: Option<UserId>,
    pub now: DateTime<Utc>,
}

/// Answer a submitted timesheet; returns the amount now approved (or `None` when it was not
/// waiting any more).
pub async fn answer_hours(
    conn: &mut PgConnection,
    answer: &Answer<'_>,
) -> Result<Option<Money>, sqlx::Error> {
    let (minutes, amount, from, to, break_minutes) = match answer.adjusted {
        Some((m, a, h)) => (
            Some(m),
            Some(a.minor()),
            Some(h.from),
            Some(h.to),
            Some(h.break_minutes),
        ),
        None => (None, None, None, None, None),
    };
    let days = answer.adjusted_days.map(|d| d.to_vec());
    let row = sqlx::query!(
        "UPDATE timesheets SET status = $2, reason = $3, answered_at = $4, answered_by = $5,
                minutes = coalesce($6, minutes), amount_minor = coalesce($7, amount_minor),
                worked_from = coalesce(hire_instant($8), worked_from),
                worked_to = coalesce(hire_instant($9), worked_to),
                break_minutes = coalesce($10, break_minutes),
                daily_minutes = coalesce($12, daily_minutes)
         WHERE contract_id = $1 AND week IS NOT DISTINCT FROM $11 AND status = 'submitted'
         RETURNING amount_minor, currency",
        answer.contract.0,
        answer.to as TimesheetStatus,
        answer.reason,
        answer.now,
        answer.by.map(|u| u.0),
        minutes,
        amount,
        from,
        to,
        break_minutes,
        answer.week,
        days.as_deref(),
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| money(r.amount_minor, &r.currency)))
}

/// An hourly job ending at `ends_at` has its weeks settled: the week holding its last day is
/// approved (or decided by Olivine) and no week waits for an answer or a resubmission.
pub async fn weeks_settled(
    conn: &mut PgConnection,
    contract: ContractId,
    ends_at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let last = crate::hire::time::last_day(ends_at.naive_utc());
    let last_monday =
        last - chrono::Duration::days(i64::from(last.weekday().num_days_from_monday()));
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM timesheets WHERE contract_id = $1 AND week >= $2
                            AND status IN ('approved', 'adjusted', 'auto_approved', 'resolved'))
              AND NOT EXISTS (SELECT 1 FROM timesheets WHERE contract_id = $1
                                AND status IN ('submitted', 'disputed')) AS "settled!""#,
        contract.0,
        last_monday
    )
    .fetch_one(conn)
    .await
}

/// Hours of the contract wait for the organisation's answer or the freelancer's correction.
pub async fn hours_waiting(
    conn: &mut PgConnection,
    contract: ContractId,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM timesheets WHERE contract_id = $1
                            AND status IN ('submitted', 'disputed')) AS "waiting!""#,
        contract.0,
    )
    .fetch_one(conn)
    .await
}

pub struct NewDelivery<'a> {
    pub contract: ContractId,
    pub organisation: OrganisationId,
    pub freelancer: UserId,
    pub note: &'a str,
    pub amount: Money,
    pub now: DateTime<Utc>,
}

/// Hand over a fixed-price job's work, or hand it over again after a dispute. `false` when it
/// is already waiting or approved.
pub async fn submit_delivery(
    conn: &mut PgConnection,
    new: &NewDelivery<'_>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "INSERT INTO deliveries (contract_id, organisation_id, freelancer_id, note, amount_minor,
                                 currency, submitted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (contract_id) DO UPDATE SET
             status = 'submitted', note = EXCLUDED.note, reason = NULL,
             submitted_at = EXCLUDED.submitted_at, answered_at = NULL, answered_by = NULL
         WHERE deliveries.status = 'disputed'",
        new.contract.0,
        new.organisation.0,
        new.freelancer.0,
        new.note,
        new.amount.minor(),
        new.amount.currency().code(),
        new.now,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Answer handed-over work; the amount it settles, or `None` when none was waiting.
pub async fn answer_delivery(
    conn: &mut PgConnection,
    contract: ContractId,
    to: TimesheetStatus,
    reason: Option<&str>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> Result<Option<Money>, sqlx::Error> {
    let row = sqlx::query!(
        "UPDATE deliveries SET status = $2, reason = $3, answered_at = $4, answered_by = $5
         WHERE contract_id = $1 AND status = 'submitted'
         RETURNING amount_minor, currency",
        contract.0,
        to as TimesheetStatus,
        reason,
        now,
        by.map(|u| u.0),
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| money(r.amount_minor, &r.currency)))
}

/// Work handed over before `cutoff` and never answered, locked for this pass.
pub async fn deliveries_due(
    conn: &mut PgConnection,
    cutoff: DateTime<Utc>,
    limit: i64,
    only: Option<ContractId>,
) -> Result<Vec<ContractId>, sqlx::Error> {
    let ids = sqlx::query_scalar!(
        "SELECT contract_id FROM deliveries WHERE status = 'submitted' AND submitted_at <= $1
           AND ($3::uuid IS NULL OR contract_id = $3)
         ORDER BY submitted_at LIMIT $2 FOR UPDATE SKIP LOCKED",
        cutoff,
        limit,
        only.map(|c| c.0)
    )
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().map(ContractId).collect())
}

/// Open applications past due, locked: offers made before `offered_before`, and anything
/// still open on a shift that started by `now`. (id, status, posting)
pub async fn due_to_expire(
    conn: &mut PgConnection,
    offered_before: DateTime<Utc>,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<(ApplicationId, ApplicationStatus, PostingId)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT a.application_id, a.status AS "status: ApplicationStatus", a.posting_id
           FROM applications a JOIN postings p USING (posting_id)
           WHERE (a.status = 'offered' AND (a.offered_at <= $1 OR p.starts_at <= $2))
              OR (a.status IN ('invited', 'applied') AND p.starts_at <= $2)
           ORDER BY a.application_id
           LIMIT $3
           FOR UPDATE OF a SKIP LOCKED"#,
        offered_before,
        now,
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                ApplicationId(r.application_id),
                r.status,
                PostingId(r.posting_id),
            )
        })
        .collect())
}

/// Hours submitted before `cutoff` and never answered, locked for this pass (other nodes skip
/// them): (contract, the job's week or `None` for a shift).
pub async fn due_for_auto_approval(
    conn: &mut PgConnection,
    cutoff: DateTime<Utc>,
    limit: i64,
    only: Option<(ContractId, Option<NaiveDate>)>,
) -> Result<Vec<(ContractId, Option<NaiveDate>)>, sqlx::Error> {
    let rows = sqlx::query!(
        "SELECT t.contract_id, t.week FROM timesheets t JOIN contracts c USING (contract_id)
         WHERE t.status = 'submitted' AND t.submitted_at <= $1
           -- A shift's claim past its schedule plus the overtime margin waits for a person.
           AND (t.week IS NOT NULL
                OR t.minutes <= EXTRACT(EPOCH FROM c.ends_at - c.starts_at) / 60 + $3::int8)
           AND ($4::uuid IS NULL OR (t.contract_id = $4 AND t.week IS NOT DISTINCT FROM $5))
         ORDER BY t.submitted_at LIMIT $2 FOR UPDATE OF t SKIP LOCKED",
        cutoff,
        limit,
        crate::hire::contracts::model::OVERTIME_MINUTES,
        only.map(|(c, _)| c.0),
        only.and_then(|(_, week)| week)
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (ContractId(r.contract_id), r.week))
        .collect())
}

pub async fn timesheet_status(
    conn: &mut PgConnection,
    contract: ContractId,
) -> Result<Option<TimesheetStatus>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT status AS "status: TimesheetStatus" FROM timesheets WHERE contract_id = $1"#,
        contract.0
    )
    .fetch_optional(conn)
    .await
}
