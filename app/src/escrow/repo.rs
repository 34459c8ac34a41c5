//! Escrow's SQL: the ledger, the organisations' cards, and the charges and refunds that fund
//! and settle contracts. The ledger's balances and their
//! guards live in the database (the `ledger` migration); these queries only open accounts,
//! insert postings and read.

use super::ledger::{Account, Posting};
use super::model::{BillingCharge, ChargeStatus, OrganisationCard, RefundStatus};
use crate::accounts::repo::{reveal_email, reveal_name};
use crate::hire::contracts::model::{ContractEventKind, ContractStatus};
use crate::hire::postings::model::PostingKind;
use crate::hire::reference::repo::money;
use crate::ids::{
    ContractEventId, ContractId, EscrowChargeId, EscrowRefundId, LedgerTransactionId,
    OrganisationId, UserId,
};
use crate::money::Money;
use crate::vault::{Sealed, Vault, VaultError};
use chrono::{DateTime, Utc};
use payments::SavedCard;
use sqlx::PgConnection;
use uuid::Uuid;

/// The check that keeps escrow, payables and clearing at or above zero.
pub const NOT_OVERDRAWN: &str = "ledger_accounts_not_overdrawn";

/// Books the posting in one statement: opens its accounts that don't exist yet (in id order,
/// so two postings opening the same new accounts queue instead of deadlocking), then inserts
/// the transaction and its entries unless its business key was booked before. Whether it did.
///
/// One round trip, not two: nearly every posting's accounts exist already, and the entries'
/// foreign keys are checked at the end of the statement, when the accounts the first part
/// opened are there.
pub async fn insert_transaction(
    conn: &mut PgConnection,
    id: LedgerTransactionId,
    posting: &Posting,
    fingerprint: &[u8],
) -> Result<bool, sqlx::Error> {
    let currency = posting.currency();
    let mut opened = Opened::default();
    let (accounts, amounts): (Vec<Uuid>, Vec<i64>) = posting
        .legs()
        .iter()
        .map(|&(account, amount)| {
            let id = account.id(currency);
            opened.add(id, account);
            (id, amount)
        })
        .unzip();
    let inserted = sqlx::query!(
        "WITH opened AS (
             INSERT INTO ledger_accounts
                    (account_id, kind, organisation_id, contract_id, freelancer_id, shard, currency)
             SELECT id, kind::ledger_account_kind, organisation, contract, freelancer, shard, $7
               FROM UNNEST($10::uuid[], $11::text[], $12::uuid[], $13::uuid[], $14::uuid[],
                           $15::smallint[])
                    AS account(id, kind, organisation, contract, freelancer, shard)
              ORDER BY id
             ON CONFLICT DO NOTHING
         ), posted AS (
             INSERT INTO ledger_transactions
                    (transaction_id, business_key, kind, contract_id, fingerprint, memo, entry_count)
             VALUES ($1, $2, $3, $4, $5, $6, cardinality($8::uuid[]))
             ON CONFLICT (business_key) DO NOTHING
             RETURNING transaction_id
         )
         INSERT INTO ledger_entries (transaction_id, account_id, currency, amount_minor)
         SELECT posted.transaction_id, leg.account_id, $7, leg.amount_minor
           FROM posted, UNNEST($8::uuid[], $9::bigint[]) AS leg(account_id, amount_minor)",
        id.0,
        posting.key(),
        posting.kind() as _,
        posting.contract().map(|c| c.0),
        fingerprint,
        posting.memo_text(),
        currency.code(),
        &accounts,
        &amounts,
        &opened.ids,
        &opened.kinds,
        &opened.organisations as &[Option<Uuid>],
        &opened.contracts as &[Option<Uuid>],
        &opened.freelancers as &[Option<Uuid>],
        &opened.shards,
    )
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() > 0)
}

/// A posting's accounts, once each, as the columns of `ledger_accounts`.
#[derive(Default)]
struct Opened {
    ids: Vec<Uuid>,
    kinds: Vec<String>,
    organisations: Vec<Option<Uuid>>,
    contracts: Vec<Option<Uuid>>,
    freelancers: Vec<Option<Uuid>>,
    shards: Vec<i16>,
}

impl Opened {
    fn add(&mut self, id: Uuid, account: Account) {
        if self.ids.contains(&id) {
            return;
        }
        let owners = account.owners();
        self.ids.push(id);
        self.kinds.push(account.kind().db_name().to_owned());
        self.organisations.push(owners.organisation);
        self.contracts.push(owners.contract);
        self.freelancers.push(owners.freelancer);
        self.shards.push(owners.shard);
    }
}

/// The transaction booked under `key`, with its fingerprint.
pub async fn transaction_by_key(
    conn: &mut PgConnection,
    key: &str,
) -> Result<(LedgerTransactionId, Vec<u8>), sqlx::Error> {
    let row = sqlx::query!(
        "SELECT transaction_id, fingerprint FROM ledger_transactions WHERE business_key = $1",
        key,
    )
    .fetch_one(conn)
    .await?;
    Ok((LedgerTransactionId(row.transaction_id), row.fingerprint))
}

/// What the transaction booked under `key` moved into `account` (nothing when there is no
/// such transaction).
pub async fn moved_into(
    conn: &mut PgConnection,
    key: &str,
    account: Uuid,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT coalesce(sum(e.amount_minor), 0)::int8 AS "moved!"
           FROM ledger_transactions t JOIN ledger_entries e USING (transaction_id)
           WHERE t.business_key = $1 AND e.account_id = $2"#,
        key,
        account,
    )
    .fetch_one(conn)
    .await
}

/// An account's kept balance, or `None` when nothing was ever booked to it.
/// The sum of the balances of `accounts`; zero for accounts nothing was booked to.
pub async fn balance(conn: &mut PgConnection, accounts: &[Uuid]) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT coalesce(sum(balance_minor), 0)::bigint AS "minor!"
             FROM ledger_accounts WHERE account_id = ANY($1)"#,
        accounts,
    )
    .fetch_one(conn)
    .await
}

pub async fn unbalanced_transactions(
    conn: &mut PgConnection,
) -> Result<Vec<LedgerTransactionId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT DISTINCT transaction_id AS "id!: LedgerTransactionId" FROM (
               SELECT t.transaction_id
                 FROM ledger_transactions t
                 LEFT JOIN ledger_entries e USING (transaction_id)
                GROUP BY t.transaction_id, e.currency
               HAVING coalesce(sum(e.amount_minor), 0) <> 0 OR count(e.entry_id) < 2
           ) wrong
          ORDER BY 1"#
    )
    .fetch_all(conn)
    .await
}

pub async fn drifted_accounts(
    conn: &mut PgConnection,
) -> Result<Vec<(Uuid, i64, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT a.account_id, a.balance_minor, coalesce(sum(e.amount_minor), 0)::bigint AS "summed!"
             FROM ledger_accounts a
             LEFT JOIN ledger_entries e USING (account_id)
            GROUP BY a.account_id
           HAVING a.balance_minor <> coalesce(sum(e.amount_minor), 0)
            ORDER BY a.account_id"#
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.account_id, r.balance_minor, r.summed))
        .collect())
}

/// Accounts below zero that may not be, judged from their entries (not the kept balance, whose
/// check the database already enforces).
pub async fn overdrawn_accounts(conn: &mut PgConnection) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT a.account_id
           FROM ledger_accounts a
           JOIN ledger_entries e USING (account_id)
          WHERE a.kind <> 'organisation_funding'
          GROUP BY a.account_id
         HAVING sum(e.amount_minor) < 0
          ORDER BY a.account_id"
    )
    .fetch_all(conn)
    .await
}

/// The Stripe customer that stands for the organisation, once one was made.
pub async fn card_customer(
    conn: &mut PgConnection,
    organisation: OrganisationId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT stripe_customer FROM organisation_cards WHERE organisation_id = $1",
        organisation.0,
    )
    .fetch_optional(conn)
    .await
}

/// The organisation's name and the acting manager's email, for its Stripe customer.
pub async fn customer_details(
    conn: &mut PgConnection,
    vault: &Vault,
    organisation: OrganisationId,
    by: UserId,
) -> Result<(String, String), VaultError> {
    let row = sqlx::query!(
        r#"SELECT o.name, person_email($2) AS "email!: Sealed" FROM organisations o
            WHERE o.organisation_id = $1"#,
        organisation.0,
        by.0,
    )
    .fetch_one(conn)
    .await?;
    Ok((row.name, reveal_email(vault, &row.email)?))
}

/// Records the organisation's Stripe customer unless one is recorded already.
pub async fn open_card_account(
    conn: &mut PgConnection,
    organisation: OrganisationId,
    customer: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO organisation_cards (organisation_id, stripe_customer) VALUES ($1, $2)
         ON CONFLICT (organisation_id) DO NOTHING",
        organisation.0,
        customer,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Makes `card` the organisation's card: `None` when it already was (nothing changed),
/// otherwise the card it replaces, if any.
pub async fn save_card(
    conn: &mut PgConnection,
    organisation: OrganisationId,
    card: &SavedCard,
    by: UserId,
    at: DateTime<Utc>,
) -> Result<Option<Option<String>>, sqlx::Error> {
    let exp_month = i16::try_from(card.exp_month).unwrap_or_default();
    let exp_year = i16::try_from(card.exp_year).unwrap_or_default();
    sqlx::query_scalar!(
        "UPDATE organisation_cards new
            SET payment_method = $2, brand = $3, last4 = $4, exp_month = $5, exp_year = $6,
                saved_by = $7, saved_at = $8
           FROM organisation_cards old
          WHERE new.organisation_id = $1 AND old.organisation_id = new.organisation_id
            AND old.payment_method IS DISTINCT FROM $2
      RETURNING old.payment_method",
        organisation.0,
        card.id,
        card.brand,
        card.last4,
        exp_month,
        exp_year,
        by.0,
        at,
    )
    .fetch_optional(conn)
    .await
}

pub async fn saved_card(
    conn: &mut PgConnection,
    organisation: OrganisationId,
) -> Result<Option<OrganisationCard>, sqlx::Error> {
    sqlx::query_as!(
        OrganisationCard,
        r#"SELECT brand AS "brand!", last4 AS "last4!", exp_month AS "exp_month!",
                  exp_year AS "exp_year!", saved_at AS "saved_at!"
             FROM organisation_cards
            WHERE organisation_id = $1 AND payment_method IS NOT NULL"#,
        organisation.0,
    )
    .fetch_optional(conn)
    .await
}

pub async fn organisation_name(
    conn: &mut PgConnection,
    organisation: OrganisationId,
) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT name FROM organisations WHERE organisation_id = $1",
        organisation.0,
    )
    .fetch_one(conn)
    .await
}

// Funding: charges into escrow, refunds out of it, and the queue of contract events to book.

/// A contract event waiting to be booked, as the settlement reads it.
pub struct QueuedEvent {
    pub kind: ContractEventKind,
    pub amount: Money,
}

/// The first unbooked event of each contract that no charge is on its way for (nor approved
/// pay waiting for its payment to be fixed: its release comes first), oldest first,
/// leaving out `resting` (events the job holds or is waiting to retry).
pub async fn events_due(
    conn: &mut PgConnection,
    limit: i64,
    resting: &[String],
) -> Result<Vec<ContractEventId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT event_id AS "event_id!: ContractEventId" FROM (
               SELECT DISTINCT ON (q.contract_id) q.event_id, q.recorded_at
                 FROM escrow_event_queue q
                WHERE NOT EXISTS (SELECT 1 FROM escrow_charges c
                                   WHERE c.contract_id = q.contract_id
                                     AND (c.status IN ('pending', 'charging')
                                          OR (c.status = 'action_needed'
                                              AND c.releases_event IS NOT NULL)))
                ORDER BY q.contract_id, q.recorded_at, q.event_id
           ) first
          WHERE event_id::text <> ALL($2)
          ORDER BY recorded_at, event_id
          LIMIT $1"#,
        limit,
        resting,
    )
    .fetch_all(conn)
    .await
}

/// The contract an event queued for booking belongs to.
pub async fn queued_contract(
    conn: &mut PgConnection,
    event: ContractEventId,
) -> Result<Option<ContractId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT contract_id AS "contract_id: ContractId" FROM escrow_event_queue
            WHERE event_id = $1"#,
        event.0,
    )
    .fetch_optional(conn)
    .await
}

/// The contract's first unbooked event, with what it records (the contract is locked).
pub async fn first_queued(
    conn: &mut PgConnection,
    contract: ContractId,
) -> Result<Option<(ContractEventId, QueuedEvent)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT q.event_id, e.kind AS "kind: ContractEventKind", e.amount_minor, e.currency
             FROM escrow_event_queue q JOIN contract_events e USING (event_id)
            WHERE q.contract_id = $1
            ORDER BY q.recorded_at, q.event_id
            LIMIT 1"#,
        contract.0,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| {
        (
            ContractEventId(r.event_id),
            QueuedEvent {
                kind: r.kind,
                amount: money(r.amount_minor, &r.currency),
            },
        )
    }))
}

pub async fn dequeue(conn: &mut PgConnection, event: ContractEventId) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM escrow_event_queue WHERE event_id = $1",
        event.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether the contract has a charge in one of `statuses`, or (`release_waiting`) approved pay
/// still waiting for the manager to fix its payment.
pub async fn has_charges(
    conn: &mut PgConnection,
    contract: ContractId,
    statuses: &[ChargeStatus],
    release_waiting: bool,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM escrow_charges
                           WHERE contract_id = $1
                             AND (status = ANY($2)
                                  OR ($3 AND status = 'action_needed'
                                      AND releases_event IS NOT NULL))) AS "exists!""#,
        contract.0,
        statuses as &[ChargeStatus],
        release_waiting,
    )
    .fetch_one(conn)
    .await
}

/// Whether an event of the contract waits to be booked.
pub async fn has_queued(
    conn: &mut PgConnection,
    contract: ContractId,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM escrow_event_queue WHERE contract_id = $1) AS "exists!""#,
        contract.0,
    )
    .fetch_one(conn)
    .await
}

/// What an event recorded, for the release a charge pays for.
pub async fn event_kind(
    conn: &mut PgConnection,
    event: ContractEventId,
) -> Result<ContractEventKind, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT kind AS "kind: ContractEventKind" FROM contract_events WHERE event_id = $1"#,
        event.0,
    )
    .fetch_one(conn)
    .await
}

/// A charge to make: the booking's (`release` None) or approved pay's.
pub struct NewCharge {
    pub id: EscrowChargeId,
    pub contract: ContractId,
    pub organisation: OrganisationId,
    pub amount: Money,
    /// The approved event this pays for, and what its release moves to the freelancer and to
    /// the platform's fees.
    pub release: Option<(ContractEventId, i64, i64)>,
    pub deadline: Option<DateTime<Utc>>,
}

pub async fn insert_charge(conn: &mut PgConnection, new: &NewCharge) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO escrow_charges (charge_id, contract_id, organisation_id, releases_event,
                                     amount_minor, currency, release_pay_minor,
                                     release_fee_minor, deadline)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        new.id.0,
        new.contract.0,
        new.organisation.0,
        new.release.map(|r| r.0.0),
        new.amount.minor(),
        new.amount.currency().code(),
        new.release.map(|r| r.1),
        new.release.map(|r| r.2),
        new.deadline,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The booking's funding is not needed any more (the booking ended, or approved pay replaced
/// it) unless it was paid or is being paid.
pub async fn cancel_unpaid_booking(
    conn: &mut PgConnection,
    contract: ContractId,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE escrow_charges SET status = 'cancelled'
          WHERE contract_id = $1 AND releases_event IS NULL
            AND status IN ('pending', 'action_needed')",
        contract.0,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Charges the funding job has to make or finish, oldest first.
pub async fn charges_due(
    conn: &mut PgConnection,
    limit: i64,
    resting: &[String],
) -> Result<Vec<EscrowChargeId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT charge_id AS "id: EscrowChargeId" FROM escrow_charges
            WHERE status IN ('pending', 'charging') AND charge_id::text <> ALL($2)
            ORDER BY created_at, charge_id
            LIMIT $1"#,
        limit,
        resting,
    )
    .fetch_all(conn)
    .await
}

/// A charge as the funding job works it.
pub struct Charge {
    pub contract: ContractId,
    pub organisation: OrganisationId,
    pub amount: Money,
    pub status: ChargeStatus,
    pub attempt: i32,
    /// The approved event it pays for, with the release's pay and fee.
    pub release: Option<(ContractEventId, i64, i64)>,
    pub deadline: Option<DateTime<Utc>>,
    /// The PaymentIntent of the current attempt, once Stripe made one.
    pub payment_intent: Option<String>,
    /// The deadline on Hire's wall clock, for people.
    pub deadline_local: Option<chrono::NaiveDateTime>,
}

pub async fn lock_charge(
    conn: &mut PgConnection,
    id: EscrowChargeId,
) -> Result<Option<Charge>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT contract_id, organisation_id, amount_minor, currency,
                  status AS "status: ChargeStatus", attempt, releases_event, release_pay_minor,
                  release_fee_minor, deadline, payment_intent,
                  hire_local(deadline) AS deadline_local
             FROM escrow_charges WHERE charge_id = $1 FOR UPDATE"#,
        id.0,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Charge {
        contract: ContractId(r.contract_id),
        organisation: OrganisationId(r.organisation_id),
        amount: money(r.amount_minor, &r.currency),
        status: r.status,
        attempt: r.attempt,
        release: match (r.releases_event, r.release_pay_minor, r.release_fee_minor) {
            (Some(event), Some(pay), Some(fee)) => Some((ContractEventId(event), pay, fee)),
            _ => None,
        },
        deadline: r.deadline,
        payment_intent: r.payment_intent,
        deadline_local: r.deadline_local,
    }))
}

/// The organisation's Stripe customer and saved card, when it has one.
pub async fn chargeable_card(
    conn: &mut PgConnection,
    organisation: OrganisationId,
) -> Result<Option<(String, String)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT stripe_customer, payment_method AS "payment_method!" FROM organisation_cards
            WHERE organisation_id = $1 AND payment_method IS NOT NULL"#,
        organisation.0,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.stripe_customer, r.payment_method)))
}

pub async fn set_charge_status(
    conn: &mut PgConnection,
    id: EscrowChargeId,
    status: ChargeStatus,
    problem: Option<&str>,
    payment_intent: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE escrow_charges
            SET status = $2, problem = $3, payment_intent = coalesce($4, payment_intent)
          WHERE charge_id = $1",
        id.0,
        status as ChargeStatus,
        problem,
        payment_intent,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_funded(
    conn: &mut PgConnection,
    id: EscrowChargeId,
    payment_intent: &str,
    stripe_charge: &str,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE escrow_charges
            SET status = 'funded', problem = NULL, payment_intent = $2, stripe_charge = $3,
                funded_at = $4
          WHERE charge_id = $1",
        id.0,
        payment_intent,
        stripe_charge,
        at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Charges of `organisation` waiting for the manager (all, or the one `only`) go back to the
/// funding job as a new attempt. How many did.
pub async fn retry_charges(
    conn: &mut PgConnection,
    organisation: OrganisationId,
    only: Option<EscrowChargeId>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE escrow_charges
            SET status = 'pending', attempt = attempt + 1, problem = NULL, payment_intent = NULL
          WHERE organisation_id = $1 AND status = 'action_needed'
            AND ($2::uuid IS NULL OR charge_id = $2)",
        organisation.0,
        only.map(|c| c.0),
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Bookings whose funding still waits for the manager past its deadline, whose contract is
/// active with no hours or work handed in.
pub async fn lapsed_bookings(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<(EscrowChargeId, ContractId)>, sqlx::Error> {
    let rows = sqlx::query!(
        "SELECT ch.charge_id, ch.contract_id
           FROM escrow_charges ch JOIN contracts c USING (contract_id)
          WHERE ch.releases_event IS NULL AND ch.status = 'action_needed'
            AND ch.deadline <= $1 AND c.status = 'active'
          ORDER BY ch.deadline, ch.charge_id
          LIMIT $2",
        now,
        limit,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (EscrowChargeId(r.charge_id), ContractId(r.contract_id)))
        .collect())
}

/// Hours or work were handed in for the contract.
pub async fn work_handed_in(
    conn: &mut PgConnection,
    contract: ContractId,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM timesheets WHERE contract_id = $1)
               OR EXISTS (SELECT 1 FROM deliveries WHERE contract_id = $1) AS "handed_in!""#,
        contract.0,
    )
    .fetch_one(conn)
    .await
}

/// The contract's paid charges with what each still has to give back: (charge, intent, left).
pub async fn refundable_charges(
    conn: &mut PgConnection,
    contract: ContractId,
) -> Result<Vec<(EscrowChargeId, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT ch.charge_id,
                  ch.amount_minor - coalesce((SELECT sum(r.amount_minor) FROM escrow_refunds r
                                               WHERE r.charge_id = ch.charge_id
                                                 AND r.status <> 'failed'), 0)::bigint AS "left!"
             FROM escrow_charges ch
            WHERE ch.contract_id = $1 AND ch.status = 'funded'
            ORDER BY ch.funded_at, ch.charge_id"#,
        contract.0,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (EscrowChargeId(r.charge_id), r.left))
        .collect())
}

pub async fn insert_refund(
    conn: &mut PgConnection,
    id: EscrowRefundId,
    charge: EscrowChargeId,
    contract: ContractId,
    amount: Money,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO escrow_refunds (refund_id, charge_id, contract_id, amount_minor, currency)
         VALUES ($1, $2, $3, $4, $5)",
        id.0,
        charge.0,
        contract.0,
        amount.minor(),
        amount.currency().code(),
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn refunds_due(
    conn: &mut PgConnection,
    limit: i64,
    resting: &[String],
) -> Result<Vec<EscrowRefundId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT refund_id AS "id: EscrowRefundId" FROM escrow_refunds
            WHERE status = 'pending' AND refund_id::text <> ALL($2)
            ORDER BY created_at, refund_id
            LIMIT $1"#,
        limit,
        resting,
    )
    .fetch_all(conn)
    .await
}

/// A refund as the refund job works it.
pub struct Refund {
    pub contract: ContractId,
    pub organisation: OrganisationId,
    pub amount: Money,
    pub status: RefundStatus,
    pub payment_intent: String,
}

pub async fn lock_refund(
    conn: &mut PgConnection,
    id: EscrowRefundId,
) -> Result<Option<Refund>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT r.contract_id, ch.organisation_id, r.amount_minor, r.currency,
                  r.status AS "status: RefundStatus", ch.payment_intent AS "payment_intent!"
             FROM escrow_refunds r JOIN escrow_charges ch USING (charge_id)
            WHERE r.refund_id = $1 FOR UPDATE OF r"#,
        id.0,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Refund {
        contract: ContractId(r.contract_id),
        organisation: OrganisationId(r.organisation_id),
        amount: money(r.amount_minor, &r.currency),
        status: r.status,
        payment_intent: r.payment_intent,
    }))
}

pub async fn set_refund_status(
    conn: &mut PgConnection,
    id: EscrowRefundId,
    status: RefundStatus,
    stripe_refund: Option<&str>,
    problem: Option<&str>,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE escrow_refunds
            SET status = $2, stripe_refund = $3, problem = $4,
                refunded_at = CASE WHEN $2 = 'refunded'::escrow_refund_status THEN $5::timestamptz END
          WHERE refund_id = $1",
        id.0,
        status as RefundStatus,
        stripe_refund,
        problem,
        at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The organisation's charges for bookings, newest first.
pub async fn billing_charges(
    conn: &mut PgConnection,
    vault: &Vault,
    organisation: OrganisationId,
    limit: i64,
) -> Result<Vec<BillingCharge>, VaultError> {
    let rows = sqlx::query!(
        r#"SELECT ch.charge_id, p.title, person_name(c.freelancer_id) AS "freelancer!: Sealed",
                  ch.releases_event IS NULL AS "booking!", ch.amount_minor, ch.currency,
                  ch.status AS "status: ChargeStatus", ch.problem,
                  hire_local(ch.deadline) AS deadline, ch.created_at,
                  coalesce((SELECT sum(r.amount_minor) FROM escrow_refunds r
                             WHERE r.charge_id = ch.charge_id AND r.status = 'refunded'),
                           0)::bigint AS "refunded!"
             FROM escrow_charges ch
             JOIN contracts c USING (contract_id)
             JOIN postings p ON p.posting_id = c.posting_id
            WHERE ch.organisation_id = $1
            ORDER BY ch.created_at DESC, ch.charge_id
            LIMIT $2"#,
        organisation.0,
        limit,
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(BillingCharge {
                id: EscrowChargeId(r.charge_id),
                title: r.title,
                freelancer: reveal_name(vault, &r.freelancer)?,
                booking: r.booking,
                amount: money(r.amount_minor, &r.currency),
                status: r.status,
                problem: r.problem,
                deadline: r.deadline,
                refunded: money(r.refunded, &r.currency),
                created_at: r.created_at,
            })
        })
        .collect()
}

/// One contract's money as [`contract_statement`] reads it from the ledger, in minor units.
pub struct ContractStatement {
    pub contract: ContractId,
    pub title: String,
    pub kind: PostingKind,
    pub posting: Uuid,
    /// Sealed: [`crate::accounts::repo::reveal_name`] opens it.
    pub freelancer: Sealed,
    pub starts_at: chrono::NaiveDateTime,
    pub status: ContractStatus,
    pub currency: String,
    pub funded: i64,
    pub released: i64,
    pub fees: i64,
    pub refunded: i64,
    pub held: i64,
}

/// `organisation`'s contracts with money in the ledger, newest first, with what each one's
/// transactions moved: charged into escrow, released to the freelancer, taken as fees, given
/// back, and what escrow (and a dispute's frozen account) holds now.
pub async fn contract_statement(
    conn: &mut PgConnection,
    organisation: OrganisationId,
) -> Result<Vec<ContractStatement>, sqlx::Error> {
    sqlx::query_as!(
        ContractStatement,
        r#"SELECT c.contract_id AS "contract: ContractId", p.title, p.kind AS "kind: PostingKind",
                  p.posting_id AS posting, person_name(c.freelancer_id) AS "freelancer!: Sealed",
                  hire_local(c.starts_at) AS "starts_at!", c.status AS "status: ContractStatus",
                  c.currency,
                  coalesce(sum(e.amount_minor) FILTER (
                      WHERE a.kind = 'contract_escrow' AND t.kind = 'funding'), 0)::bigint AS "funded!",
                  coalesce(sum(e.amount_minor) FILTER (
                      WHERE a.kind = 'freelancer_payable'
                        AND t.kind IN ('release', 'cancellation', 'dispute_resolution')), 0)::bigint AS "released!",
                  coalesce(sum(e.amount_minor) FILTER (
                      WHERE a.kind = 'platform_fees'), 0)::bigint AS "fees!",
                  coalesce(-sum(e.amount_minor) FILTER (
                      WHERE a.kind IN ('contract_escrow', 'contract_frozen') AND t.kind = 'refund'), 0)::bigint AS "refunded!",
                  coalesce(sum(e.amount_minor) FILTER (
                      WHERE a.kind IN ('contract_escrow', 'contract_frozen')), 0)::bigint AS "held!"
             FROM contracts c
             JOIN postings p USING (posting_id)
             JOIN ledger_transactions t ON t.contract_id = c.contract_id
             JOIN ledger_entries e ON e.transaction_id = t.transaction_id
             JOIN ledger_accounts a ON a.account_id = e.account_id
            WHERE c.organisation_id = $1
            GROUP BY c.contract_id, p.posting_id
            ORDER BY c.starts_at DESC, c.contract_id"#,
        organisation.0,
    )
    .fetch_all(conn)
    .await
}
