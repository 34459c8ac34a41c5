//! Contract queries: contracts, their events, and the lists both sides see.

use crate::hire::contracts::model::{
    ContractEvent, ContractEventKind, ContractStatus, ContractView, Delivery, Timesheet,
    TimesheetStatus,
};
use crate::hire::postings::model::{PayBasis, PostingKind};
use crate::hire::ratings::model::Rating;
use crate::hire::reference::model::Side;
use crate::hire::reference::repo::money;
use crate::ids::{
    ApplicationId, ContractEventId, ContractId, OrganisationId, PostingId, TimesheetId, UserId,
};
use crate::money::Money;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// A contract on the posting's terms as they stand now, at the freelancer's proposed rate or
/// price when they made one (the organisation offered on it).
pub async fn insert_contract(
    conn: &mut PgConnection,
    id: ContractId,
    application: ApplicationId,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO contracts (contract_id, application_id, posting_id, organisation_id,
                                freelancer_id, starts_at, ends_at, break_minutes, wage_minor,
                                currency, pay_basis)
         SELECT $1, a.application_id, a.posting_id, a.organisation_id, a.freelancer_id,
                p.starts_at, p.ends_at, p.break_minutes,
                coalesce(a.proposed_minor, p.wage_minor), p.currency, p.pay_basis
         FROM applications a JOIN postings p USING (posting_id)
         WHERE a.application_id = $2",
        id.0,
        application.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub struct NewEvent<'a> {
    pub contract: ContractId,
    pub kind: ContractEventKind,
    pub late: bool,
    pub amount: Money,
    pub reason: &'a str,
    pub by: Option<UserId>,
    pub at: DateTime<Utc>,
}

/// Records `event`; its id.
pub async fn record_event(
    conn: &mut PgConnection,
    event: NewEvent<'_>,
) -> Result<ContractEventId, sqlx::Error> {
    let id = ContractEventId(uuid::Uuid::now_v7());
    sqlx::query!(
        "INSERT INTO contract_events (event_id, contract_id, kind, late, amount_minor, currency,
                                      reason, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        id.0,
        event.contract.0,
        event.kind as ContractEventKind,
        event.late,
        event.amount.minor(),
        event.amount.currency().code(),
        event.reason,
        event.by.map(|u| u.0),
        event.at,
    )
    .execute(conn)
    .await?;
    Ok(id)
}

#[derive(Clone, Copy, Debug)]
pub struct LockedContract {
    pub status: ContractStatus,
    /// A shift's contract or a job's, and how it pays.
    pub kind: PostingKind,
    pub pay_basis: PayBasis,
    pub posting: PostingId,
    pub organisation: OrganisationId,
    pub freelancer: UserId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub break_minutes: i32,
    pub wage: Money,
}

pub async fn lock_contract(
    conn: &mut PgConnection,
    id: ContractId,
) -> Result<Option<LockedContract>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT c.status AS "status: ContractStatus", p.kind AS "kind: PostingKind",
                  c.pay_basis AS "pay_basis: PayBasis", c.posting_id, c.organisation_id,
                  c.freelancer_id, c.starts_at, c.ends_at, c.break_minutes, c.wage_minor,
                  c.currency
           FROM contracts c JOIN postings p USING (posting_id)
           WHERE c.contract_id = $1 FOR UPDATE OF c"#,
        id.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| LockedContract {
        status: r.status,
        kind: r.kind,
        pay_basis: r.pay_basis,
        posting: PostingId(r.posting_id),
        organisation: OrganisationId(r.organisation_id),
        freelancer: UserId(r.freelancer_id),
        starts_at: r.starts_at,
        ends_at: r.ends_at,
        break_minutes: r.break_minutes,
        wage: money(r.wage_minor, &r.currency),
    }))
}

pub async fn set_contract_status(
    conn: &mut PgConnection,
    id: ContractId,
    from: ContractStatus,
    to: ContractStatus,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE contracts SET status = $3 WHERE contract_id = $1 AND status = $2",
        id.0,
        from as ContractStatus,
        to as ContractStatus,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whose contracts to list.
#[derive(Clone, Copy, Debug)]
pub enum ContractScope {
    Freelancer(UserId),
    Posting(OrganisationId, PostingId),
    /// The organisation's contracts with hours waiting for an answer.
    Waiting(OrganisationId),
    /// One contract (for the back office).
    One(ContractId),
}

/// The contracts in `scope` as their two sides see them at `now`; a dispute may be escalated
/// once it has waited `dispute_wait`.
pub async fn contracts(
    conn: &mut PgConnection,
    vault: &crate::vault::Vault,
    scope: ContractScope,
    now: DateTime<Utc>,
    dispute_wait: chrono::Duration,
) -> Result<Vec<ContractView>, crate::vault::VaultError> {
    let (freelancer, organisation, posting, waiting, one) = match scope {
        ContractScope::Freelancer(user) => (Some(user.0), None, None, false, None),
        ContractScope::Posting(org, posting) => (None, Some(org.0), Some(posting.0), false, None),
        ContractScope::Waiting(org) => (None, Some(org.0), None, true, None),
        ContractScope::One(contract) => (None, None, None, false, Some(contract.0)),
    };
    let rows = sqlx::query!(
        r#"
        SELECT c.contract_id, c.application_id, c.posting_id, p.title, o.name AS organisation, o.slug,
               c.freelancer_id, person_name(c.freelancer_id) AS "name!: crate::vault::Sealed",
               c.status AS "status: ContractStatus",
               hire_local(c.starts_at) AS "starts!",
               hire_local(c.ends_at) AS "ends!",
               c.break_minutes, c.wage_minor, c.currency, c.starts_at <= $5 AS "started!",
               hire_local($5)::date AS "today!",
               p.kind AS "kind: PostingKind", c.pay_basis AS "pay_basis: PayBasis"
        FROM contracts c
        JOIN postings p USING (posting_id)
        JOIN organisations o ON o.organisation_id = c.organisation_id
        WHERE ($1::uuid IS NULL OR c.freelancer_id = $1)
          AND ($2::uuid IS NULL OR c.organisation_id = $2)
          AND ($3::uuid IS NULL OR c.posting_id = $3)
          AND ($6::uuid IS NULL OR c.contract_id = $6)
          AND (NOT $4
               OR EXISTS (SELECT 1 FROM timesheets t
                          WHERE t.contract_id = c.contract_id AND t.status = 'submitted')
               OR EXISTS (SELECT 1 FROM deliveries d
                          WHERE d.contract_id = c.contract_id AND d.status = 'submitted'))
        ORDER BY c.starts_at DESC, c.contract_id
        LIMIT 200
        "#,
        freelancer,
        organisation,
        posting,
        waiting,
        now,
        one,
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.contract_id).collect();
    let events = sqlx::query!(
        r#"SELECT contract_id, kind AS "kind: ContractEventKind", late, amount_minor, currency,
                  reason, hire_local(recorded_at) AS "at!"
           FROM contract_events WHERE contract_id = ANY($1) ORDER BY recorded_at, event_id"#,
        &ids
    )
    .fetch_all(&mut *conn)
    .await?;
    let ratings = sqlx::query!(
        r#"SELECT contract_id, by_side AS "by: Side", stars, comment FROM contract_ratings
           WHERE contract_id = ANY($1) ORDER BY by_side"#,
        &ids
    )
    .fetch_all(&mut *conn)
    .await?;
    let sheets = sqlx::query!(
        r#"SELECT contract_id, timesheet_id, status AS "status: TimesheetStatus",
                  hire_local(worked_from) AS "worked_from!",
                  hire_local(worked_to) AS "worked_to!",
                  break_minutes, claimed_minutes, minutes, amount_minor, currency, reason, week,
                  daily_minutes
           FROM timesheets WHERE contract_id = ANY($1)
           ORDER BY week DESC NULLS FIRST"#,
        &ids
    )
    .fetch_all(&mut *conn)
    .await?;
    let disputes = crate::hire::disputes::repo::briefs(conn, &ids, now, dispute_wait).await?;
    let deliveries = sqlx::query!(
        r#"SELECT contract_id, status AS "status: TimesheetStatus", note, amount_minor, currency,
                  reason
           FROM deliveries WHERE contract_id = ANY($1)"#,
        &ids
    )
    .fetch_all(conn)
    .await?;
    let names = rows
        .iter()
        .map(|r| crate::accounts::repo::reveal_name(vault, &r.name))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows
        .into_iter()
        .zip(names)
        .map(|(r, freelancer)| {
            let wage = money(r.wage_minor, &r.currency);
            let (weeks, mut shift): (Vec<Timesheet>, Vec<Timesheet>) = sheets
                .iter()
                .filter(|t| t.contract_id == r.contract_id)
                .map(|t| Timesheet {
                    id: TimesheetId(t.timesheet_id),
                    status: t.status,
                    worked_from: t.worked_from,
                    worked_to: t.worked_to,
                    break_minutes: t.break_minutes,
                    claimed_minutes: t.claimed_minutes,
                    minutes: t.minutes,
                    amount: money(t.amount_minor, &t.currency),
                    reason: t.reason.clone(),
                    week: t.week,
                    daily_minutes: t.daily_minutes.clone().unwrap_or_default(),
                })
                .partition(|t| t.week.is_some());
            let delivery = deliveries
                .iter()
                .find(|d| d.contract_id == r.contract_id)
                .map(|d| Delivery {
                    status: d.status,
                    note: d.note.clone(),
                    amount: money(d.amount_minor, &d.currency),
                    reason: d.reason.clone(),
                });
            ContractView {
                id: ContractId(r.contract_id),
                application_id: ApplicationId(r.application_id),
                posting_id: PostingId(r.posting_id),
                title: r.title,
                organisation: r.organisation,
                organisation_slug: r.slug,
                freelancer_id: UserId(r.freelancer_id),
                freelancer,
                status: r.status,
                starts: r.starts,
                ends: r.ends,
                break_minutes: r.break_minutes,
                wage,
                kind: r.kind,
                pay_basis: r.pay_basis,
                started: r.started,
                today: r.today,
                timesheet: shift.pop(),
                weeks,
                delivery,
                disputes: disputes
                    .iter()
                    .filter(|(contract, brief)| {
                        contract.0 == r.contract_id
                            && brief.status != crate::hire::disputes::model::DisputeStatus::Settled
                    })
                    .map(|(_, brief)| brief.clone())
                    .collect(),
                events: events
                    .iter()
                    .filter(|e| e.contract_id == r.contract_id)
                    .map(|e| ContractEvent {
                        kind: e.kind,
                        late: e.late,
                        amount: money(e.amount_minor, &e.currency),
                        reason: e.reason.clone(),
                        at: e.at,
                    })
                    .collect(),
                ratings: ratings
                    .iter()
                    .filter(|x| x.contract_id == r.contract_id)
                    .map(|x| Rating {
                        by: x.by,
                        stars: x.stars,
                        comment: x.comment.clone(),
                    })
                    .collect(),
            }
        })
        .collect())
}
