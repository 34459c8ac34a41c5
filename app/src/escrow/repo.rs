//! Escrow's SQL: the ledger and the organisations' cards. The ledger's balances and their
//! guards live in the database (the `ledger` migration); these queries only open accounts,
//! insert postings and read.

use super::ledger::Posting;
use super::model::OrganisationCard;
use crate::ids::{LedgerTransactionId, OrganisationId, UserId};
use chrono::{DateTime, Utc};
use payments::SavedCard;
use sqlx::PgConnection;
use uuid::Uuid;

/// The check that keeps escrow, payables and clearing at or above zero.
pub const NOT_OVERDRAWN: &str = "ledger_accounts_not_overdrawn";

/// Opens the posting's accounts that don't exist yet, in id order, so two postings opening
/// the same new accounts queue instead of deadlocking.
pub async fn open_accounts(conn: &mut PgConnection, posting: &Posting) -> Result<(), sqlx::Error> {
    let currency = posting.currency();
    let mut ids = Vec::new();
    let mut kinds = Vec::new();
    let mut organisations = Vec::new();
    let mut contracts = Vec::new();
    let mut freelancers = Vec::new();
    for &(account, _) in posting.legs() {
        let id = account.id(currency);
        if ids.contains(&id) {
            continue;
        }
        let owners = account.owners();
        ids.push(id);
        kinds.push(account.kind().db_name().to_owned());
        organisations.push(owners.organisation);
        contracts.push(owners.contract);
        freelancers.push(owners.freelancer);
    }
    sqlx::query!(
        "INSERT INTO ledger_accounts (account_id, kind, organisation_id, contract_id, freelancer_id, currency)
         SELECT id, kind::ledger_account_kind, organisation, contract, freelancer, $6
           FROM UNNEST($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::uuid[])
                AS account(id, kind, organisation, contract, freelancer)
          ORDER BY id
         ON CONFLICT DO NOTHING",
        &ids,
        &kinds,
        &organisations as &[Option<Uuid>],
        &contracts as &[Option<Uuid>],
        &freelancers as &[Option<Uuid>],
        currency.code(),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Inserts the transaction and its entries unless its business key was booked before; whether
/// it did.
pub async fn insert_transaction(
    conn: &mut PgConnection,
    id: LedgerTransactionId,
    posting: &Posting,
    fingerprint: &[u8],
) -> Result<bool, sqlx::Error> {
    let currency = posting.currency();
    let (accounts, amounts): (Vec<Uuid>, Vec<i64>) = posting
        .legs()
        .iter()
        .map(|&(account, amount)| (account.id(currency), amount))
        .unzip();
    let inserted = sqlx::query!(
        "WITH posted AS (
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
    )
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() > 0)
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

/// An account's kept balance, or `None` when nothing was ever booked to it.
pub async fn balance(conn: &mut PgConnection, account: Uuid) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT balance_minor FROM ledger_accounts WHERE account_id = $1",
        account,
    )
    .fetch_optional(conn)
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
    organisation: OrganisationId,
    by: UserId,
) -> Result<(String, String), sqlx::Error> {
    let row = sqlx::query!(
        "SELECT o.name, u.email FROM organisations o, users u
          WHERE o.organisation_id = $1 AND u.user_id = $2",
        organisation.0,
        by.0,
    )
    .fetch_one(conn)
    .await?;
    Ok((row.name, row.email))
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
