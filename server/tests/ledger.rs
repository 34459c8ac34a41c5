//! The escrow ledger: postings move money between accounts and book each business fact once;
//! the database itself refuses an unbalanced transaction, an overdrawn escrow and any edit of
//! what was booked; and thousands of random postings from concurrent workers leave every
//! balance equal to what was booked, never below zero, and nothing paid out that wasn't
//! released.

mod common;

use app::escrow::ledger::{self, Account, LedgerError, Posted, Posting};
use app::escrow::model::TransactionKind as Kind;
use app::ids::{ContractId, LedgerTransactionId, OrganisationId, UserId};
use app::money::Currency;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Row};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use test_support::hire::{Cast, hire_day};

/// A contract with who pays and who is paid.
#[derive(Clone, Copy, Debug)]
struct Booked {
    contract: ContractId,
    organisation: OrganisationId,
    freelancer: UserId,
    currency: Currency,
}

impl Booked {
    fn escrow(self) -> Account {
        Account::ContractEscrow(self.contract)
    }
    fn frozen(self) -> Account {
        Account::ContractFrozen(self.contract)
    }
    fn funding(self) -> Account {
        Account::OrganisationFunding(self.organisation)
    }
    fn payable(self) -> Account {
        Account::FreelancerPayable(self.freelancer, self.contract)
    }
    fn paid_out(self) -> Account {
        Account::FreelancerPaidOut(self.freelancer, self.contract)
    }
    fn refunds(self) -> Account {
        Account::Refunds(self.organisation)
    }
    fn fees(self) -> Account {
        Account::platform_fees_for(self.contract)
    }
}

/// Fay and Finn each hired on two of Harbour's shifts: four contracts.
async fn contracts(state: &app::state::AppState) -> Vec<Booked> {
    let c = Cast::of(state).await;
    let mut booked = Vec::new();
    for day in [3, 4] {
        let shift = c.open_shift(state, hire_day(day), 2).await;
        for who in [c.fay, c.finn] {
            let contract = c.hire(state, who, shift).await;
            booked.push(contract_of(&state.db, contract).await);
        }
    }
    booked
}

async fn contract_of(db: &PgPool, contract: ContractId) -> Booked {
    let row = sqlx::query(
        "SELECT organisation_id, freelancer_id, currency FROM contracts WHERE contract_id = $1",
    )
    .bind(contract.0)
    .fetch_one(db)
    .await
    .expect("contract");
    Booked {
        contract,
        organisation: OrganisationId(row.get(0)),
        freelancer: UserId(row.get(1)),
        currency: Currency::parse(row.get::<String, _>(2).as_str()).expect("currency"),
    }
}

async fn post(db: &PgPool, posting: &Posting) -> Result<Posted, LedgerError> {
    let mut tx = db.begin().await.expect("begin");
    let posted = ledger::post(&mut tx, posting).await?;
    tx.commit().await.map_err(LedgerError::Database)?;
    Ok(posted)
}

async fn balance(db: &PgPool, account: Account, currency: Currency) -> i64 {
    let mut conn = db.acquire().await.expect("connection");
    ledger::balance(&mut conn, account, currency)
        .await
        .expect("balance")
        .minor()
}

async fn assert_ledger_holds(db: &PgPool) {
    let mut conn = db.acquire().await.expect("connection");
    let findings = ledger::check(&mut conn).await.expect("check");
    assert!(findings.is_empty(), "{findings:?}");
}

fn funding(b: Booked, key: &str, amount: i64, fee: i64) -> Posting {
    Posting::new(Kind::Funding, key, b.currency)
        .for_contract(b.contract)
        .moving(amount, b.funding(), b.escrow())
        .moving(fee, b.funding(), b.fees())
}

fn release(b: Booked, key: &str, amount: i64) -> Posting {
    Posting::new(Kind::Release, key, b.currency)
        .for_contract(b.contract)
        .moving(amount, b.escrow(), b.payable())
}

#[sqlx::test(migrations = "../migrations")]
async fn a_posting_moves_money_once_however_often_it_is_booked(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let db = &app.db;
    let b = contracts(&app.state).await[0];

    let fund = funding(b, "charge:ch_test_1", 12_000, 1_200);
    let Ok(Posted::New(first)) = post(db, &fund).await else {
        panic!("the first booking is new");
    };
    for _ in 0..3 {
        assert_eq!(
            post(db, &fund).await.expect("replay"),
            Posted::Replayed(first)
        );
    }
    assert_eq!(balance(db, b.escrow(), b.currency).await, 12_000);
    assert_eq!(balance(db, b.fees(), b.currency).await, 1_200);
    assert_eq!(balance(db, b.funding(), b.currency).await, -13_200);

    // The same key with other amounts is a bug, not a retry: refused, nothing moves.
    let other = funding(b, "charge:ch_test_1", 12_500, 1_250);
    assert!(matches!(
        post(db, &other).await,
        Err(LedgerError::KeyReused(_))
    ));
    assert_eq!(balance(db, b.escrow(), b.currency).await, 12_000);

    // Partial releases, then one more than is left: refused whole, the escrow keeps its 2,000.
    post(db, &release(b, "event:1", 6_000))
        .await
        .expect("release");
    post(db, &release(b, "event:2", 4_000))
        .await
        .expect("release");
    assert!(matches!(
        post(db, &release(b, "event:3", 2_001)).await,
        Err(LedgerError::Overdrawn)
    ));
    assert_eq!(balance(db, b.escrow(), b.currency).await, 2_000);
    assert_eq!(balance(db, b.payable(), b.currency).await, 10_000);

    // Nothing to move books nothing; an account nothing was booked to holds zero.
    let empty = release(b, "event:4", 0);
    assert_eq!(post(db, &empty).await.expect("empty"), Posted::Nothing);
    assert_eq!(balance(db, b.frozen(), b.currency).await, 0);

    let booked: i64 = sqlx::query_scalar("SELECT count(*) FROM ledger_transactions")
        .fetch_one(db)
        .await
        .expect("count");
    assert_eq!(booked, 3);
    assert_ledger_holds(db).await;
}

/// What a statement run by someone writing SQL by hand got back: the database's message.
async fn refused(db: &PgPool, statements: &[&str]) -> String {
    let mut tx = db.begin().await.expect("begin");
    for statement in statements {
        if let Err(error) = sqlx::query(statement).execute(&mut *tx).await {
            return error.to_string();
        }
    }
    match tx.commit().await {
        Err(error) => error.to_string(),
        Ok(()) => panic!("the database accepted {statements:?}"),
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn the_database_refuses_what_the_ledger_never_writes(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let db = &app.db;
    let b = contracts(&app.state).await[0];
    post(db, &funding(b, "charge:ch_test_2", 5_000, 500))
        .await
        .expect("funding");
    let (escrow, fees) = (
        b.escrow().id(b.currency).to_string(),
        b.fees().id(b.currency).to_string(),
    );
    let posted: uuid::Uuid = sqlx::query_scalar("SELECT transaction_id FROM ledger_transactions")
        .fetch_one(db)
        .await
        .expect("transaction");
    let fresh = uuid::Uuid::new_v4();
    let zeros = "decode(repeat('00', 32), 'hex')";
    let transaction = |entries: u32| {
        format!(
            "INSERT INTO ledger_transactions (transaction_id, business_key, kind, fingerprint, entry_count)
             VALUES ('{fresh}', 'by-hand', 'release', {zeros}, {entries})"
        )
    };
    let entry = |transaction: uuid::Uuid, account: &str, currency: &str, amount: i64| {
        format!(
            "INSERT INTO ledger_entries (transaction_id, account_id, currency, amount_minor)
             VALUES ('{transaction}', '{account}', '{currency}', {amount})"
        )
    };

    // Unbalanced: caught at commit, whatever order the entries came in.
    let message = refused(
        db,
        &[
            &transaction(2),
            &entry(fresh, &escrow, "EUR", -100),
            &entry(fresh, &fees, "EUR", 99),
        ],
    )
    .await;
    assert!(message.contains("does not balance"), "{message}");
    // Fewer entries than declared (one side forgotten).
    let message = refused(db, &[&transaction(2), &entry(fresh, &fees, "EUR", 1)]).await;
    assert!(
        message.contains("declares 2 entries and has 1"),
        "{message}"
    );
    // A balanced pair appended to a transaction booked before changes what it booked.
    let message = refused(
        db,
        &[
            &entry(posted, &escrow, "EUR", -10),
            &entry(posted, &fees, "EUR", 10),
        ],
    )
    .await;
    assert!(
        message.contains("declares 4 entries and has 6"),
        "{message}"
    );
    // An entry in another currency than its account's.
    let message = refused(
        db,
        &[
            &transaction(2),
            &entry(fresh, &escrow, "GBP", -10),
            &entry(fresh, &fees, "GBP", 10),
        ],
    )
    .await;
    assert!(
        message.contains("ledger_entries_account_id_currency_fkey"),
        "{message}"
    );
    // More out of escrow than it holds, balanced or not.
    let message = refused(
        db,
        &[
            &transaction(2),
            &entry(fresh, &escrow, "EUR", -5_001),
            &entry(fresh, &fees, "EUR", 5_001),
        ],
    )
    .await;
    assert!(
        message.contains("ledger_accounts_not_overdrawn"),
        "{message}"
    );

    // What was booked stays booked.
    for statement in [
        "UPDATE ledger_entries SET amount_minor = amount_minor * 2",
        "DELETE FROM ledger_entries",
        "TRUNCATE ledger_entries CASCADE",
        "UPDATE ledger_transactions SET memo = 'edited'",
        "DELETE FROM ledger_transactions",
        "TRUNCATE ledger_transactions CASCADE",
        "UPDATE ledger_accounts SET balance_minor = balance_minor + 1",
        "DELETE FROM ledger_accounts",
        "TRUNCATE ledger_accounts CASCADE",
    ] {
        let message = refused(db, &[statement]).await;
        assert!(
            message.contains("append-only")
                || message.contains("never removed")
                || message.contains("only by posting"),
            "{statement}: {message}"
        );
    }
    assert_eq!(balance(db, b.escrow(), b.currency).await, 5_000);
    assert_eq!(balance(db, b.fees(), b.currency).await, 500);
    assert_ledger_holds(db).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn concurrent_releases_never_take_more_than_escrow_holds(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let db = PgPoolOptions::new()
        .max_connections(12)
        .connect_with(options)
        .await
        .expect("pool");
    let app = common::app(db).await;
    let b = contracts(&app.state).await[0];
    post(&app.db, &funding(b, "charge:ch_test_3", 10_000, 0))
        .await
        .expect("funding");

    // Ten workers at once each release 3,000 under its own key: three fit.
    let tries = (0..10).map(|n| {
        let db = app.db.clone();
        tokio::spawn(async move { post(&db, &release(b, &format!("event:{n}"), 3_000)).await })
    });
    let mut released = 0;
    for attempt in futures::future::join_all(tries).await {
        match attempt.expect("worker") {
            Ok(Posted::New(_)) => released += 1,
            Err(LedgerError::Overdrawn) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(released, 3);
    assert_eq!(balance(&app.db, b.escrow(), b.currency).await, 1_000);
    assert_eq!(balance(&app.db, b.payable(), b.currency).await, 9_000);
    assert_ledger_holds(&app.db).await;
}

/// One random step of the money's life on a contract, as a posting (or none when the contract
/// has nothing to move).
fn random_posting(rng: &mut StdRng, b: Booked, step: &str, pending: &mut Vec<Posting>) -> Posting {
    let amount = rng.random_range(1..=40_000);
    let key = |what: &str| format!("{what}:{step}");
    let posting =
        |kind: Kind, what: &str| Posting::new(kind, key(what), b.currency).for_contract(b.contract);
    match rng.random_range(0..10) {
        0 | 1 => funding(b, &key("charge"), amount, amount / 10),
        2 | 3 => release(b, &key("event"), amount),
        4 => posting(Kind::Freeze, "dispute").moving(amount, b.escrow(), b.frozen()),
        5 => {
            let to_freelancer = amount / 2;
            posting(Kind::DisputeResolution, "resolution")
                .moving(to_freelancer, b.frozen(), b.payable())
                .moving(amount - to_freelancer, b.frozen(), Account::StripeClearing)
        }
        6 => {
            // Sent to Stripe now, confirmed by a later step.
            let sent =
                posting(Kind::Refund, "refund").moving(amount, b.escrow(), Account::StripeClearing);
            pending.push(posting(Kind::RefundConfirmed, "refund-confirmed").moving(
                amount,
                Account::StripeClearing,
                b.refunds(),
            ));
            sent
        }
        7 => {
            let sent = posting(Kind::Payout, "transfer").moving(
                amount,
                b.payable(),
                Account::StripeClearing,
            );
            pending.push(posting(Kind::PayoutConfirmed, "transfer-confirmed").moving(
                amount,
                Account::StripeClearing,
                b.paid_out(),
            ));
            sent
        }
        8 => posting(Kind::PayoutReversed, "reversal").moving(amount, b.paid_out(), b.payable()),
        _ => match pending.pop() {
            Some(confirmation) => confirmation,
            None => release(b, &key("event"), amount),
        },
    }
}

/// What the model expects of each account: the sum of every booked leg.
type Expected = HashMap<uuid::Uuid, i64>;

#[sqlx::test(migrations = "../migrations")]
async fn random_postings_from_concurrent_workers_keep_every_balance_true(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    const WORKERS: u64 = 4;
    const STEPS: usize = 2_500;
    let seed: u64 = std::env::var("LEDGER_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_203);
    println!("LEDGER_SEED={seed}");
    let db = PgPoolOptions::new()
        .max_connections(WORKERS as u32 + 2)
        .connect_with(options)
        .await
        .expect("pool");
    let app = common::app(db).await;
    let booked = contracts(&app.state).await;
    let expected = Arc::new(Mutex::new(Expected::new()));

    let workers = (0..WORKERS).map(|worker| {
        let (db, booked, expected) = (app.db.clone(), booked.clone(), expected.clone());
        tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(seed ^ worker);
            let mut pending = Vec::new();
            let mut done: Vec<(Posting, LedgerTransactionId)> = Vec::new();
            let mut refused = 0;
            for step in 0..STEPS {
                // Now and then a step booked before is booked again: it must change nothing.
                if !done.is_empty() && rng.random_range(0..8) == 0 {
                    let (posting, first) = &done[rng.random_range(0..done.len())];
                    let again = post(&db, posting).await.expect("replay");
                    assert_eq!(
                        again,
                        Posted::Replayed(*first),
                        "replaying {}",
                        posting.key()
                    );
                    continue;
                }
                let b = booked[rng.random_range(0..booked.len())];
                let step_name = format!("w{worker}-s{step}");
                let posting = random_posting(&mut rng, b, &step_name, &mut pending);
                match post(&db, &posting).await {
                    Ok(Posted::New(id)) => {
                        let mut expected = expected.lock().expect("model");
                        for &(account, amount) in posting.legs() {
                            *expected.entry(account.id(b.currency)).or_default() += amount;
                        }
                        done.push((posting.clone(), id));
                    }
                    Err(LedgerError::Overdrawn) => {
                        refused += 1;
                        // A refused send confirms nothing.
                        if matches!(posting.kind(), Kind::Refund | Kind::Payout) {
                            pending.pop();
                        }
                    }
                    other => panic!("step {step_name}: {other:?}"),
                }
                // After every step, the accounts it touched hold what their entries say and
                // none that may not is below zero.
                assert_accounts_hold(&db, &posting).await;
            }
            (done.len(), refused)
        })
    });
    let mut booked_steps = 0;
    for worker in futures::future::join_all(workers).await {
        let (done, refused) = worker.expect("worker");
        assert!(done > STEPS / 3, "only {done} of {STEPS} steps booked");
        assert!(
            refused > 0,
            "no step ever overdrew: the test doesn't reach the guard"
        );
        booked_steps += done;
    }

    // Every booking once: as many transactions as steps booked, every account at the model's sum.
    let transactions: i64 = sqlx::query_scalar("SELECT count(*) FROM ledger_transactions")
        .fetch_one(&app.db)
        .await
        .expect("count");
    assert_eq!(transactions as usize, booked_steps);
    let expected = expected.lock().expect("model").clone();
    let kept: Vec<(uuid::Uuid, i64)> =
        sqlx::query_as("SELECT account_id, balance_minor FROM ledger_accounts")
            .fetch_all(&app.db)
            .await
            .expect("balances");
    assert_eq!(kept.len(), expected.len());
    for (account, minor) in kept {
        assert_eq!(Some(&minor), expected.get(&account), "account {account}");
    }
    // Nothing reached a freelancer that wasn't released to them.
    for b in &booked {
        let paid = balance(&app.db, b.paid_out(), b.currency).await;
        let released: i64 = sqlx::query_scalar(
            "SELECT coalesce(sum(e.amount_minor), 0)::bigint FROM ledger_entries e
               JOIN ledger_transactions t USING (transaction_id)
              WHERE e.account_id = $1 AND t.kind IN ('release', 'dispute_resolution')",
        )
        .bind(b.payable().id(b.currency))
        .fetch_one(&app.db)
        .await
        .expect("released");
        assert!(
            paid <= released,
            "{b:?}: paid out {paid} of {released} released"
        );
    }
    assert_ledger_holds(&app.db).await;
    println!("{booked_steps} postings booked by {WORKERS} workers");
}

async fn assert_accounts_hold(db: &PgPool, posting: &Posting) {
    let ids: Vec<uuid::Uuid> = posting
        .legs()
        .iter()
        .map(|&(account, _)| account.id(posting.currency()))
        .collect();
    let wrong: Vec<(uuid::Uuid, i64, i64)> = sqlx::query_as(
        "SELECT a.account_id, a.balance_minor, coalesce(sum(e.amount_minor), 0)::bigint
           FROM ledger_accounts a LEFT JOIN ledger_entries e USING (account_id)
          WHERE a.account_id = ANY($1)
          GROUP BY a.account_id
         HAVING a.balance_minor <> coalesce(sum(e.amount_minor), 0)
             OR (a.kind <> 'organisation_funding' AND a.balance_minor < 0)",
    )
    .bind(&ids)
    .fetch_all(db)
    .await
    .expect("accounts");
    assert!(wrong.is_empty(), "after {}: {wrong:?}", posting.key());
}
