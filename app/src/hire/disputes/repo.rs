//! Dispute queries.

use super::model::{DisputeBrief, DisputeStatus, DisputeSummary};
use crate::accounts::repo::{reveal_name, reveal_name_of};
use crate::hire::reference::repo::money;
use crate::ids::{ContractEventId, ContractId, DisputeId, UserId};
use crate::money::Money;
use crate::vault::{Sealed, Vault, VaultError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;

pub struct NewDispute<'a> {
    pub contract: ContractId,
    pub week: Option<NaiveDate>,
    pub claimed: Money,
    pub reason: &'a str,
    pub by: Option<UserId>,
    pub at: DateTime<Utc>,
    pub opened_event: ContractEventId,
}

pub async fn insert(
    conn: &mut PgConnection,
    new: &NewDispute<'_>,
) -> Result<DisputeId, sqlx::Error> {
    let id = DisputeId(uuid::Uuid::now_v7());
    sqlx::query!(
        "INSERT INTO disputes (dispute_id, contract_id, week, claimed_minor, currency, reason,
                               opened_by, opened_at, opened_event)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        id.0,
        new.contract.0,
        new.week,
        new.claimed.minor(),
        new.claimed.currency().code(),
        new.reason,
        new.by.map(|u| u.0),
        new.at,
        new.opened_event.0,
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// The dispute waiting on a contract's shift, week or hand-over, locked.
pub async fn lock_waiting(
    conn: &mut PgConnection,
    contract: ContractId,
    week: Option<NaiveDate>,
) -> Result<Option<DisputeId>, sqlx::Error> {
    let id = sqlx::query_scalar!(
        "SELECT dispute_id FROM disputes
         WHERE contract_id = $1 AND week IS NOT DISTINCT FROM $2
           AND status IN ('open', 'escalated')
         FOR UPDATE",
        contract.0,
        week
    )
    .fetch_optional(conn)
    .await?;
    Ok(id.map(DisputeId))
}

/// A dispute as its row says, locked for a change.
pub struct LockedDispute {
    pub contract: ContractId,
    pub week: Option<NaiveDate>,
    pub status: DisputeStatus,
    pub claimed: Money,
    pub opened_at: DateTime<Utc>,
}

pub async fn lock(
    conn: &mut PgConnection,
    id: DisputeId,
) -> Result<Option<LockedDispute>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT contract_id, week, status AS "status: DisputeStatus", claimed_minor, currency,
                  opened_at
           FROM disputes WHERE dispute_id = $1 FOR UPDATE"#,
        id.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| LockedDispute {
        contract: ContractId(r.contract_id),
        week: r.week,
        status: r.status,
        claimed: money(r.claimed_minor, &r.currency),
        opened_at: r.opened_at,
    }))
}

/// The contract a dispute is about, unlocked (to lock the contract first, as every change
/// does).
pub async fn contract_of(
    conn: &mut PgConnection,
    id: DisputeId,
) -> Result<Option<ContractId>, sqlx::Error> {
    let contract = sqlx::query_scalar!(
        "SELECT contract_id FROM disputes WHERE dispute_id = $1",
        id.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(contract.map(ContractId))
}

/// The freelancer submitted again: the dispute is settled by `event`.
pub async fn settle(
    conn: &mut PgConnection,
    id: DisputeId,
    event: ContractEventId,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE disputes SET status = 'settled', closed_event = $2
         WHERE dispute_id = $1 AND status IN ('open', 'escalated')",
        id.0,
        event.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn escalate(
    conn: &mut PgConnection,
    id: DisputeId,
    by: UserId,
    at: DateTime<Utc>,
    note: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE disputes SET status = 'escalated', escalated_by = $2, escalated_at = $3,
                escalation_note = $4
         WHERE dispute_id = $1 AND status = 'open'",
        id.0,
        by.0,
        at,
        note
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub struct Resolution<'a> {
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub released: Money,
    pub note: &'a str,
    pub event: ContractEventId,
}

pub async fn resolve(
    conn: &mut PgConnection,
    id: DisputeId,
    r: &Resolution<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE disputes SET status = 'resolved', resolved_by = $2, resolved_at = $3,
                released_minor = $4, resolution_note = $5, closed_event = $6
         WHERE dispute_id = $1 AND status = 'escalated'",
        id.0,
        r.by.0,
        r.at,
        r.released.minor(),
        r.note,
        r.event.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The `disputed` event whose hold the event `closing` (a settlement or a resolution) lets go.
pub async fn opened_by_closing(
    conn: &mut PgConnection,
    closing: ContractEventId,
) -> Result<Option<ContractEventId>, sqlx::Error> {
    let opened = sqlx::query_scalar!(
        "SELECT opened_event FROM disputes WHERE closed_event = $1",
        closing.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(opened.map(ContractEventId))
}

/// The disputes of `contracts` (newest first), as their two sides see them: whether each may
/// be escalated now, with `wait` between opening and escalation.
pub async fn briefs(
    conn: &mut PgConnection,
    contracts: &[uuid::Uuid],
    now: DateTime<Utc>,
    wait: chrono::Duration,
) -> Result<Vec<(ContractId, DisputeBrief)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT dispute_id, contract_id, week, status AS "status: DisputeStatus", claimed_minor,
                  currency, reason, opened_at, escalation_note, released_minor, resolution_note
           FROM disputes WHERE contract_id = ANY($1)
           ORDER BY opened_at DESC, dispute_id"#,
        contracts
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let escalates_from = r.opened_at + wait;
            let brief = DisputeBrief {
                id: DisputeId(r.dispute_id),
                week: r.week,
                status: r.status,
                claimed: money(r.claimed_minor, &r.currency),
                reason: r.reason,
                opened_at: r.opened_at,
                escalates_from,
                may_escalate: r.status == DisputeStatus::Open && now >= escalates_from,
                escalation_note: r.escalation_note,
                released: r.released_minor.map(|m| money(m, &r.currency)),
                resolution_note: r.resolution_note,
            };
            (ContractId(r.contract_id), brief)
        })
        .collect())
}

/// Disputes for the back office: those waiting for a decision first (oldest escalation
/// first), then the rest, newest first; `status` narrows the list.
pub async fn list(
    conn: &mut PgConnection,
    vault: &Vault,
    status: Option<DisputeStatus>,
) -> Result<Vec<DisputeSummary>, VaultError> {
    let rows = sqlx::query!(
        r#"SELECT d.dispute_id, p.title, o.name AS organisation,
                  person_name(c.freelancer_id) AS "freelancer!: Sealed",
                  d.status AS "status: DisputeStatus", d.claimed_minor, d.currency, d.opened_at,
                  d.escalated_at
           FROM disputes d
           JOIN contracts c USING (contract_id)
           JOIN postings p ON p.posting_id = c.posting_id
           JOIN organisations o ON o.organisation_id = c.organisation_id
           WHERE $1::dispute_status IS NULL OR d.status = $1
           ORDER BY d.status = 'escalated' DESC, d.escalated_at, d.opened_at DESC
           LIMIT 200"#,
        status as Option<DisputeStatus>
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(DisputeSummary {
                id: DisputeId(r.dispute_id),
                title: r.title,
                organisation: r.organisation,
                freelancer: reveal_name(vault, &r.freelancer)?,
                status: r.status,
                claimed: money(r.claimed_minor, &r.currency),
                opened_at: r.opened_at,
                escalated_at: r.escalated_at,
            })
        })
        .collect()
}

/// Who asked Olivine to decide `id`, by name.
pub async fn escalated_by(
    conn: &mut PgConnection,
    vault: &Vault,
    id: DisputeId,
) -> Result<Option<String>, VaultError> {
    let name = sqlx::query_scalar!(
        r#"SELECT person_name(d.escalated_by) AS "name: Sealed" FROM disputes d
            WHERE d.dispute_id = $1"#,
        id.0
    )
    .fetch_optional(conn)
    .await?;
    reveal_name_of(vault, name.flatten().as_ref())
}
