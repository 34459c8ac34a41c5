//! Reconciliation's SQL: what the ledger booked for each Stripe object, the runs and their
//! differences, and money held too long.

use super::model::{
    Difference, DifferenceKind, HeldTooLong, Reconciliation, StripeObject, Trigger,
};
use crate::hire::reference::repo::money;
use crate::ids::{ContractId, UserId};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// What the ledger booked for one Stripe object, in minor units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Booked {
    /// Stripe's id.
    pub stripe_id: String,
    pub currency: String,
    pub amount: i64,
    /// Transfers only: what reversals took back.
    pub reversed: i64,
}

/// Escrow charges booked as funded since `since`: the payment intent and the amount the
/// funding transaction moved into escrow.
pub async fn booked_charges(
    conn: &mut PgConnection,
    since: DateTime<Utc>,
) -> Result<Vec<Booked>, sqlx::Error> {
    sqlx::query_as!(
        Booked,
        r#"SELECT ch.payment_intent AS "stripe_id!", ch.currency,
                  sum(e.amount_minor) FILTER (WHERE e.amount_minor > 0)::bigint AS "amount!",
                  0::bigint AS "reversed!"
             FROM ledger_transactions t
             JOIN ledger_entries e ON e.transaction_id = t.transaction_id
             JOIN escrow_charges ch ON t.business_key = 'escrow-charge:' || ch.charge_id::text
            WHERE t.kind = 'funding' AND t.posted_at >= $1 AND ch.payment_intent IS NOT NULL
            GROUP BY ch.charge_id"#,
        since,
    )
    .fetch_all(conn)
    .await
}

/// Refunds to organisations' cards booked as confirmed since `since`.
pub async fn booked_refunds(
    conn: &mut PgConnection,
    since: DateTime<Utc>,
) -> Result<Vec<Booked>, sqlx::Error> {
    sqlx::query_as!(
        Booked,
        r#"SELECT r.stripe_refund AS "stripe_id!", r.currency,
                  sum(e.amount_minor) FILTER (WHERE e.amount_minor > 0)::bigint AS "amount!",
                  0::bigint AS "reversed!"
             FROM ledger_transactions t
             JOIN ledger_entries e ON e.transaction_id = t.transaction_id
             JOIN escrow_refunds r ON t.business_key = 'escrow-refund-confirmed:' || r.refund_id::text
            WHERE t.kind = 'refund_confirmed' AND t.posted_at >= $1 AND r.stripe_refund IS NOT NULL
            GROUP BY r.refund_id"#,
        since,
    )
    .fetch_all(conn)
    .await
}

/// Payouts booked as paid since `since`: the transfer, its amount, and what the ledger took
/// back for its reversals.
pub async fn booked_transfers(
    conn: &mut PgConnection,
    since: DateTime<Utc>,
) -> Result<Vec<Booked>, sqlx::Error> {
    sqlx::query_as!(
        Booked,
        r#"WITH reversed AS (
               SELECT split_part(t.business_key, ':', 2) AS transfer,
                      sum(e.amount_minor) FILTER (WHERE e.amount_minor > 0) AS minor
                 FROM ledger_transactions t
                 JOIN ledger_entries e ON e.transaction_id = t.transaction_id
                WHERE t.kind = 'payout_reversed' AND t.posted_at >= $1
                  AND starts_with(t.business_key, 'transfer-reversed:')
                GROUP BY 1)
           SELECT p.stripe_transfer AS "stripe_id!", p.currency,
                  sum(e.amount_minor) FILTER (WHERE e.amount_minor > 0)::bigint AS "amount!",
                  coalesce(min(r.minor), 0)::bigint AS "reversed!"
             FROM ledger_transactions t
             JOIN ledger_entries e ON e.transaction_id = t.transaction_id
             JOIN escrow_payouts p ON t.business_key = 'escrow-payout-paid:' || p.payout_id::text
             LEFT JOIN reversed r ON r.transfer = p.stripe_transfer
            WHERE t.kind = 'payout_confirmed' AND t.posted_at >= $1 AND p.stripe_transfer IS NOT NULL
            GROUP BY p.payout_id"#,
        since,
    )
    .fetch_all(conn)
    .await
}

/// Which of `intents` pay for escrow charges (a refund names only its payment intent).
pub async fn escrow_intents(
    conn: &mut PgConnection,
    intents: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT payment_intent AS "intent!" FROM escrow_charges WHERE payment_intent = ANY($1)"#,
        intents,
    )
    .fetch_all(conn)
    .await
}

pub async fn transaction_count(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM ledger_transactions"#)
        .fetch_one(conn)
        .await
}

/// The run's head, as [`insert_run`] writes it.
pub struct NewRun<'a> {
    pub id: Uuid,
    pub trigger: Trigger,
    pub started_by: Option<UserId>,
    pub since: DateTime<Utc>,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub charges: i32,
    pub refunds: i32,
    pub transfers: i32,
    pub transactions: i64,
    pub differences: &'a [Difference],
}

pub async fn insert_run(conn: &mut PgConnection, run: &NewRun<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO ledger_reconciliations
               (reconciliation_id, trigger, started_by, since, started_at, finished_at,
                charges, refunds, transfers, transactions, differences)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"#,
        run.id,
        run.trigger as Trigger,
        run.started_by.map(|u| u.0),
        run.since,
        run.started_at,
        run.finished_at,
        run.charges,
        run.refunds,
        run.transfers,
        run.transactions,
        i32::try_from(run.differences.len()).unwrap_or(i32::MAX),
    )
    .execute(&mut *conn)
    .await?;
    let kinds: Vec<&str> = run.differences.iter().map(|d| d.kind.db_name()).collect();
    let objects: Vec<&str> = run.differences.iter().map(|d| d.object.db_name()).collect();
    let references: Vec<&str> = run
        .differences
        .iter()
        .map(|d| d.reference.as_str())
        .collect();
    let booked: Vec<Option<i64>> = run
        .differences
        .iter()
        .map(|d| d.booked.map(|m| m.minor()))
        .collect();
    let at_stripe: Vec<Option<i64>> = run
        .differences
        .iter()
        .map(|d| d.at_stripe.map(|m| m.minor()))
        .collect();
    let currencies: Vec<Option<&str>> = run
        .differences
        .iter()
        .map(|d| d.booked.or(d.at_stripe).map(|m| m.currency().code()))
        .collect();
    let details: Vec<&str> = run.differences.iter().map(|d| d.detail.as_str()).collect();
    sqlx::query!(
        r#"INSERT INTO ledger_reconciliation_differences
               (reconciliation_id, position, kind, object, reference, booked_minor, stripe_minor,
                currency, detail)
           SELECT $1, d.position - 1, d.kind::reconciliation_difference,
                  d.object::reconciliation_object, d.reference, d.booked, d.at_stripe,
                  d.currency, d.detail
             FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[],
                         $6::bigint[], $7::text[], $8::text[])
                  WITH ORDINALITY AS d(kind, object, reference, booked, at_stripe, currency, detail, position)"#,
        run.id,
        &kinds as &[&str],
        &objects as &[&str],
        &references as &[&str],
        &booked as &[Option<i64>],
        &at_stripe as &[Option<i64>],
        &currencies as &[Option<&str>],
        &details as &[&str],
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Run `id` (the latest when `None`), with what it found.
pub async fn run(
    conn: &mut PgConnection,
    vault: &crate::vault::Vault,
    id: Option<Uuid>,
) -> Result<Option<Reconciliation>, crate::vault::VaultError> {
    let Some(run) = sqlx::query!(
        r#"SELECT r.reconciliation_id, r.trigger AS "trigger: Trigger",
                  person_name(r.started_by) AS "started_by: crate::vault::Sealed",
                  r.since, r.started_at, r.finished_at, r.charges, r.refunds, r.transfers,
                  r.transactions
             FROM ledger_reconciliations r
            WHERE $1::uuid IS NULL OR r.reconciliation_id = $1
            ORDER BY r.started_at DESC, r.reconciliation_id DESC
            LIMIT 1"#,
        id,
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let rows = sqlx::query!(
        r#"SELECT kind AS "kind: DifferenceKind", object AS "object: StripeObject", reference, booked_minor, stripe_minor,
                  currency, detail
             FROM ledger_reconciliation_differences
            WHERE reconciliation_id = $1
            ORDER BY position"#,
        run.reconciliation_id,
    )
    .fetch_all(conn)
    .await?;
    let differences = rows
        .into_iter()
        .map(|d| {
            let currency = d.currency.unwrap_or_default();
            Difference {
                kind: d.kind,
                object: d.object,
                reference: d.reference,
                booked: d.booked_minor.map(|m| money(m, &currency)),
                at_stripe: d.stripe_minor.map(|m| money(m, &currency)),
                detail: d.detail,
            }
        })
        .collect();
    Ok(Some(Reconciliation {
        trigger: run.trigger,
        started_by: crate::accounts::repo::reveal_name_of(vault, run.started_by.as_ref())?,
        since: run.since,
        started_at: run.started_at,
        finished_at: run.finished_at,
        charges: run.charges,
        refunds: run.refunds,
        transfers: run.transfers,
        transactions: run.transactions,
        differences,
    }))
}

/// When the daily job last ran, if ever.
pub async fn last_daily(conn: &mut PgConnection) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT max(started_at) FROM ledger_reconciliations WHERE trigger = 'daily'"#
    )
    .fetch_one(conn)
    .await
}

/// Contracts whose escrow (or dispute hold) still has money from a charge paid before
/// `cutoff`, oldest first.
pub async fn held_since(
    conn: &mut PgConnection,
    cutoff: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<HeldTooLong>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT c.contract_id, p.title, o.name AS organisation, c.currency, held.minor AS "held!",
                  min(ch.funded_at) AS "funded_at!"
             FROM (SELECT a.contract_id, sum(a.balance_minor)::bigint AS minor
                     FROM ledger_accounts a
                    WHERE a.kind IN ('contract_escrow', 'contract_frozen')
                    GROUP BY a.contract_id
                   HAVING sum(a.balance_minor) > 0) held
             JOIN contracts c ON c.contract_id = held.contract_id
             JOIN postings p ON p.posting_id = c.posting_id
             JOIN organisations o ON o.organisation_id = c.organisation_id
             JOIN escrow_charges ch ON ch.contract_id = c.contract_id AND ch.status = 'funded'
            GROUP BY c.contract_id, p.posting_id, o.organisation_id, held.minor
           HAVING min(ch.funded_at) < $1
            ORDER BY min(ch.funded_at), c.contract_id"#,
        cutoff,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| HeldTooLong {
            contract: ContractId(r.contract_id),
            title: r.title,
            organisation: r.organisation,
            held: money(r.held, &r.currency),
            funded_at: r.funded_at,
            days: (now - r.funded_at).num_days(),
        })
        .collect())
}
