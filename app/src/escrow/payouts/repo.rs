//! Payouts' SQL: freelancers' connected accounts and the payout of each release.

use crate::accounts::repo::reveal_email;
use crate::escrow::model::{PayoutLine, PayoutSetup, PayoutStatus, TransactionKind};
use crate::hire::postings::model::PostingKind;
use crate::hire::reference::repo::money;
use crate::ids::{ContractId, EscrowPayoutId, LedgerTransactionId, UserId};
use crate::money::Money;
use crate::vault::{Sealed, Vault, VaultError};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// A freelancer's connected account: its Stripe id and how far onboarding got.
pub async fn account(
    conn: &mut PgConnection,
    user: UserId,
) -> Result<Option<(String, PayoutSetup)>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT stripe_account, details_submitted, can_receive, currently_due
           FROM payout_accounts WHERE user_id = $1",
        user.0,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| {
        (
            r.stripe_account,
            PayoutSetup {
                details_submitted: r.details_submitted,
                can_receive: r.can_receive,
                currently_due: r.currently_due,
            },
        )
    }))
}

/// Records `user`'s connected account unless they have one; the one they have.
pub async fn insert_account(
    conn: &mut PgConnection,
    user: UserId,
    stripe_account: &str,
) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!(
        r#"WITH added AS (
               INSERT INTO payout_accounts (user_id, stripe_account) VALUES ($1, $2)
               ON CONFLICT (user_id) DO NOTHING RETURNING stripe_account)
           SELECT stripe_account AS "account!" FROM added
           UNION ALL
           SELECT stripe_account FROM payout_accounts WHERE user_id = $1"#,
        user.0,
        stripe_account,
    )
    .fetch_one(conn)
    .await
}

/// Stripe's news about a connected account; whose it is (none: not one of ours).
pub async fn update_account(
    conn: &mut PgConnection,
    stripe_account: &str,
    setup: &PayoutSetup,
) -> Result<Option<UserId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"UPDATE payout_accounts
              SET details_submitted = $2, can_receive = $3, currently_due = $4
            WHERE stripe_account = $1
        RETURNING user_id AS "user: UserId""#,
        stripe_account,
        setup.details_submitted,
        setup.can_receive,
        &setup.currently_due,
    )
    .fetch_optional(conn)
    .await
}

/// `user`'s account can receive again: their waiting payouts go at the job's next run.
pub async fn retry_now(conn: &mut PgConnection, user: UserId) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE escrow_payouts SET retry_at = NULL
          WHERE freelancer_id = $1 AND status = 'pending' AND retry_at IS NOT NULL",
        user.0,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A release's payout, in the release's transaction.
pub async fn insert_payout(
    conn: &mut PgConnection,
    release: LedgerTransactionId,
    contract: ContractId,
    freelancer: UserId,
    amount: Money,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO escrow_payouts
             (payout_id, release_transaction, contract_id, freelancer_id, amount_minor, currency)
         VALUES ($1, $2, $3, $4, $5, $6)",
        uuid::Uuid::now_v7(),
        release.0,
        contract.0,
        freelancer.0,
        amount.minor(),
        amount.currency().code(),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Payouts for the payout job: waiting ones whose freelancer's account can receive transfers
/// (and whose retry time has come), and ones left sending for 30 s — the payout job's lease —
/// (the process stopped before it recorded Stripe's answer), oldest first, leaving out
/// `resting`.
pub async fn due(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    limit: i64,
    resting: &[String],
) -> Result<Vec<EscrowPayoutId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT p.payout_id AS "id: EscrowPayoutId"
             FROM escrow_payouts p JOIN payout_accounts a ON a.user_id = p.freelancer_id
            WHERE p.payout_id::text <> ALL($3)
              AND ((p.status = 'pending' AND a.can_receive AND coalesce(p.retry_at <= $1, true))
                OR (p.status = 'sending' AND p.updated_at < $1 - interval '30 seconds'))
            ORDER BY p.created_at, p.payout_id
            LIMIT $2"#,
        now,
        limit,
        resting,
    )
    .fetch_all(conn)
    .await
}

/// A payout as the payout job works it, locked.
pub struct Payout {
    pub contract: ContractId,
    pub freelancer: UserId,
    pub release: LedgerTransactionId,
    pub amount: Money,
    pub status: PayoutStatus,
    pub attempt: i32,
    pub source_charge: Option<String>,
    /// The freelancer's connected account, if they have one, and whether it can receive.
    pub destination: Option<(String, bool)>,
}

pub async fn lock(
    conn: &mut PgConnection,
    id: EscrowPayoutId,
) -> Result<Option<Payout>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT p.contract_id, p.freelancer_id, p.release_transaction, p.amount_minor,
                  p.currency, p.status AS "status: PayoutStatus", p.attempt, p.source_charge,
                  a.stripe_account AS "stripe_account?", a.can_receive AS "can_receive?"
             FROM escrow_payouts p LEFT JOIN payout_accounts a ON a.user_id = p.freelancer_id
            WHERE p.payout_id = $1 FOR UPDATE OF p"#,
        id.0,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Payout {
        contract: ContractId(r.contract_id),
        freelancer: UserId(r.freelancer_id),
        release: LedgerTransactionId(r.release_transaction),
        amount: money(r.amount_minor, &r.currency),
        status: r.status,
        attempt: r.attempt,
        source_charge: r.source_charge,
        destination: r
            .stripe_account
            .map(|account| (account, r.can_receive.unwrap_or(false))),
    }))
}

/// The contract's oldest paid charge with `amount` left on it (not refunded, not transferred
/// by another payout): where the transfer's money comes from.
pub async fn source_charge(
    conn: &mut PgConnection,
    contract: ContractId,
    amount: Money,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT ch.stripe_charge AS "charge!" FROM escrow_charges ch
            WHERE ch.contract_id = $1 AND ch.status = 'funded' AND ch.currency = $3
              AND ch.amount_minor
                  - coalesce((SELECT sum(r.amount_minor) FROM escrow_refunds r
                               WHERE r.charge_id = ch.charge_id AND r.status <> 'failed'), 0)::bigint
                  - coalesce((SELECT sum(p.amount_minor - p.reversed_minor) FROM escrow_payouts p
                               WHERE p.source_charge = ch.stripe_charge
                                 AND p.status IN ('sending', 'paid')), 0)::bigint
                  >= $2
            ORDER BY ch.funded_at, ch.charge_id
            LIMIT 1"#,
        contract.0,
        amount.minor(),
        amount.currency().code(),
    )
    .fetch_optional(conn)
    .await
}

pub async fn set_sending(
    conn: &mut PgConnection,
    id: EscrowPayoutId,
    source_charge: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE escrow_payouts SET status = 'sending', source_charge = $2, problem = NULL
          WHERE payout_id = $1",
        id.0,
        source_charge,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_paid(
    conn: &mut PgConnection,
    id: EscrowPayoutId,
    transfer: &str,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE escrow_payouts SET status = 'paid', stripe_transfer = $2, paid_at = $3
          WHERE payout_id = $1",
        id.0,
        transfer,
        at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Stripe refused the transfer: back to waiting, tried again at `retry_at` under a new key.
pub async fn set_refused(
    conn: &mut PgConnection,
    id: EscrowPayoutId,
    problem: &str,
    retry_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE escrow_payouts
            SET status = 'pending', attempt = attempt + 1, source_charge = NULL,
                problem = left($2, 500), retry_at = $3
          WHERE payout_id = $1",
        id.0,
        problem,
        retry_at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The paid payout that made `transfer`, locked: (payout, contract, freelancer, amount, what
/// was reversed of it so far).
pub async fn lock_by_transfer(
    conn: &mut PgConnection,
    transfer: &str,
) -> Result<Option<(EscrowPayoutId, ContractId, UserId, Money, i64)>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT payout_id, contract_id, freelancer_id, amount_minor, currency, reversed_minor
           FROM escrow_payouts WHERE stripe_transfer = $1 FOR UPDATE",
        transfer,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| {
        (
            EscrowPayoutId(r.payout_id),
            ContractId(r.contract_id),
            UserId(r.freelancer_id),
            money(r.amount_minor, &r.currency),
            r.reversed_minor,
        )
    }))
}

pub async fn set_reversed(
    conn: &mut PgConnection,
    id: EscrowPayoutId,
    reversed_minor: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE escrow_payouts SET reversed_minor = $2 WHERE payout_id = $1",
        id.0,
        reversed_minor,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// One of a freelancer's contracts with money in the ledger, and its balances in minor units.
pub struct ContractMoney {
    pub contract: ContractId,
    pub title: String,
    pub organisation: String,
    pub kind: PostingKind,
    pub posting: uuid::Uuid,
    pub currency: String,
    /// Escrow and frozen: the organisation's money held for the contract, fees included.
    pub held: i64,
    pub payable: i64,
    pub paid: i64,
}

/// `freelancer`'s contracts with money in the ledger, newest first.
pub async fn contracts_with_money(
    conn: &mut PgConnection,
    freelancer: UserId,
) -> Result<Vec<ContractMoney>, sqlx::Error> {
    sqlx::query_as!(
        ContractMoney,
        r#"SELECT c.contract_id AS "contract: ContractId", p.title, o.name AS organisation,
                  p.kind AS "kind: PostingKind", p.posting_id AS posting, c.currency,
                  coalesce(sum(a.balance_minor) FILTER (
                      WHERE a.kind IN ('contract_escrow', 'contract_frozen')), 0)::bigint AS "held!",
                  coalesce(sum(a.balance_minor) FILTER (
                      WHERE a.kind = 'freelancer_payable' AND a.freelancer_id = $1), 0)::bigint AS "payable!",
                  coalesce(sum(a.balance_minor) FILTER (
                      WHERE a.kind = 'freelancer_paid_out' AND a.freelancer_id = $1), 0)::bigint AS "paid!"
             FROM contracts c
             JOIN postings p USING (posting_id)
             JOIN organisations o ON o.organisation_id = c.organisation_id
             JOIN ledger_accounts a ON a.contract_id = c.contract_id
            WHERE c.freelancer_id = $1
            GROUP BY c.contract_id, p.posting_id, o.organisation_id
            ORDER BY c.starts_at DESC, c.contract_id"#,
        freelancer.0,
    )
    .fetch_all(conn)
    .await
}

/// `freelancer`'s payouts, oldest first, with their contract.
pub async fn payouts_of(
    conn: &mut PgConnection,
    freelancer: UserId,
) -> Result<Vec<(ContractId, PayoutLine)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT p.payout_id AS "id: EscrowPayoutId", p.contract_id, t.kind AS "what: TransactionKind",
                  t.posted_at, p.amount_minor, p.currency, p.status AS "status: PayoutStatus",
                  p.paid_at, p.reversed_minor, p.problem
             FROM escrow_payouts p
             JOIN ledger_transactions t ON t.transaction_id = p.release_transaction
            WHERE p.freelancer_id = $1
            ORDER BY t.posted_at, p.payout_id"#,
        freelancer.0,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                ContractId(r.contract_id),
                PayoutLine {
                    id: r.id,
                    what: r.what,
                    released_at: r.posted_at,
                    amount: money(r.amount_minor, &r.currency),
                    status: r.status,
                    paid_at: r.paid_at,
                    reversed: money(r.reversed_minor, &r.currency),
                    problem: r.problem,
                },
            )
        })
        .collect())
}

/// What Stripe's account for `user` starts with: their email and their profile's country
/// (none: they have no freelancer profile).
pub async fn onboarding_details(
    conn: &mut PgConnection,
    vault: &Vault,
    user: UserId,
) -> Result<Option<(String, String)>, VaultError> {
    let row = sqlx::query!(
        r#"SELECT person_email(u.user_id) AS "email!: Sealed", c.country AS "country!"
             FROM users u
             JOIN freelancer_profiles f USING (user_id)
             JOIN cities c USING (city_id)
            WHERE u.user_id = $1"#,
        user.0,
    )
    .fetch_optional(conn)
    .await?;
    row.map(|r| Ok((reveal_email(vault, &r.email)?, r.country)))
        .transpose()
}
