//! Payouts through Stripe Connect: released pay waits for the freelancer's onboarding, goes out
//! as one transfer per release from the contract's funding charge, is booked from payable to
//! paid out, and a reversal in Stripe — delivered three times, in any order — makes it payable
//! again once. When Stripe needs more from the freelancer, payouts wait for them.

mod common;

use app::escrow::ledger::Account;
use app::escrow::model::{PayoutStatus, fee_for};
use app::escrow::payouts;
use app::ids::UserId;
use common::escrow::{
    BP, SHIFT_PAY, approved_shift, balance, fee_income, harbour_paying, ledger_holds, notices,
    onboard, run_payouts,
};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::time::{Duration as Wait, Instant};
use test_support::hire::hire_day;

/// The freelancer's payouts as (status, amount, reversed, transfer).
async fn payouts_of(db: &PgPool, freelancer: UserId) -> Vec<(String, i64, i64, Option<String>)> {
    sqlx::query_as(
        "SELECT status::text, amount_minor, reversed_minor, stripe_transfer
           FROM escrow_payouts WHERE freelancer_id = $1 ORDER BY created_at",
    )
    .bind(freelancer.0)
    .fetch_all(db)
    .await
    .expect("payouts")
}

/// The one connected account in the database.
async fn stripe_account(db: &PgPool) -> String {
    sqlx::query_scalar("SELECT stripe_account FROM payout_accounts")
        .fetch_one(db)
        .await
        .expect("account")
}

/// The emulator's events of `kind` so far, as signed payloads.
fn events_of(app: &common::App, kind: &str) -> Vec<String> {
    app.stripe
        .events()
        .into_iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.payload)
        .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn released_pay_waits_for_onboarding_then_goes_out_once_and_a_reversal_comes_back_once(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let (app, c) = harbour_paying(options).await;
    let (state, db) = (&app.state, &app.db);
    let contract = approved_shift(&app, &c, hire_day(3)).await;
    let payable = Account::FreelancerPayable(c.fay, contract);
    let paid_out = Account::FreelancerPaidOut(c.fay, contract);
    assert_eq!(balance(db, payable).await, SHIFT_PAY);
    assert_eq!(fee_income(db).await, fee_for(SHIFT_PAY, BP));

    // No connected account yet: the payout waits, and her earnings say why.
    assert_eq!(run_payouts(state).await, 0);
    assert_eq!(
        payouts_of(db, c.fay).await,
        vec![("pending".to_owned(), SHIFT_PAY, 0, None)]
    );
    let earnings = payouts::earnings(state, c.fay).await.expect("earnings");
    assert_eq!(earnings.setup, None);
    assert_eq!(earnings.totals[0].payable.minor(), SHIFT_PAY);
    assert_eq!(
        earnings.contracts[0].payouts[0].status,
        PayoutStatus::Pending
    );

    // She starts onboarding twice (one account), leaves the first form, finishes the second.
    let first = payouts::start_onboarding(state, c.fay).await.expect("link");
    let link = payouts::start_onboarding(state, c.fay)
        .await
        .expect("again");
    assert_ne!(first, link);
    let accounts: i64 = sqlx::query_scalar("SELECT count(*) FROM payout_accounts")
        .fetch_one(db)
        .await
        .expect("accounts");
    assert_eq!(accounts, 1);
    let setup = payouts::setup(state, c.fay).await.expect("setup");
    assert!(setup.is_some_and(|s| !s.can_receive && !s.currently_due.is_empty()));
    assert_eq!(run_payouts(state).await, 0);
    onboard(&link).await;
    app.deliver_events().await;
    let setup = payouts::setup(state, c.fay).await.expect("setup");
    assert!(setup.is_some_and(|s| s.can_receive && s.currently_due.is_empty()));

    // Paid out: one transfer from the booking's charge, grouped by the contract.
    assert_eq!(run_payouts(state).await, 1);
    assert_eq!(balance(db, payable).await, 0);
    assert_eq!(balance(db, paid_out).await, SHIFT_PAY);
    assert_eq!(balance(db, Account::StripeClearing).await, 0);
    let paid = payouts_of(db, c.fay).await;
    assert_eq!((paid[0].0.as_str(), paid[0].1), ("paid", SHIFT_PAY));
    let transfer = paid[0].3.clone().expect("transfer");
    let created = events_of(&app, "transfer.created");
    assert_eq!(created.len(), 1);
    let object: serde_json::Value = serde_json::from_str(&created[0]).expect("event");
    let object = &object["data"]["object"];
    let charge: String =
        sqlx::query_scalar("SELECT stripe_charge FROM escrow_charges WHERE contract_id = $1")
            .bind(contract.0)
            .fetch_one(db)
            .await
            .expect("charge");
    assert_eq!(object["source_transaction"], charge.as_str());
    assert_eq!(
        object["transfer_group"],
        format!("contract-{contract}").as_str()
    );
    assert_eq!(object["amount"], SHIFT_PAY);
    assert_eq!(notices(db, c.fay, "payout_sent").await.len(), 1);

    // Nothing more goes out, however often the job runs or the payout is worked again.
    assert_eq!(run_payouts(state).await, 0);
    let id = payouts::earnings(state, c.fay)
        .await
        .expect("earnings")
        .contracts[0]
        .payouts[0]
        .id;
    payouts::pay_out(state, id).await.expect("again");
    assert_eq!(events_of(&app, "transfer.created").len(), 1);
    assert_eq!(balance(db, paid_out).await, SHIFT_PAY);

    // Stripe reverses €10 of it. The event arrives three times, mixed with a replayed
    // account update; the €10 is payable again, once.
    state
        .payments
        .reverse_transfer(&transfer, Some(1_000), "test-reversal-1")
        .await
        .expect("reverse");
    let reversed = events_of(&app, "transfer.reversed");
    let updated = events_of(&app, "account.updated");
    assert_eq!(reversed.len(), 1);
    let deliveries = [
        &reversed[0],
        &updated[0],
        &reversed[0],
        &updated[0],
        &reversed[0],
    ];
    for payload in deliveries {
        let reply = app.webhook(payload, &app.stripe.sign(payload)).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    assert_eq!(balance(db, paid_out).await, SHIFT_PAY - 1_000);
    assert_eq!(balance(db, payable).await, 1_000);
    assert_eq!(payouts_of(db, c.fay).await[0].2, 1_000);
    let earnings = payouts::earnings(state, c.fay).await.expect("earnings");
    assert_eq!(earnings.totals[0].paid.minor(), SHIFT_PAY - 1_000);
    assert_eq!(earnings.contracts[0].payouts[0].reversed.minor(), 1_000);
    ledger_holds(db).await;

    // Stripe needs her ID: payouts wait, and her profile asks her to finish onboarding.
    let account = stripe_account(db).await;
    assert!(app.stripe.require(&account, &["individual.id_number"]));
    app.deliver_events().await;
    let setup = payouts::setup(state, c.fay)
        .await
        .expect("setup")
        .expect("an account");
    assert!(!setup.can_receive);
    assert_eq!(setup.due_in_words(), "proof of your identity");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_refused_transfer_books_the_money_back_and_waits_for_the_account(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let (app, c) = harbour_paying(options).await;
    let (state, db) = (&app.state, &app.db);
    let contract = approved_shift(&app, &c, hire_day(3)).await;
    let link = payouts::start_onboarding(state, c.fay).await.expect("link");
    onboard(&link).await;
    app.deliver_events().await;

    // Stripe turns the account off between our reading it and the transfer (its event is
    // late): the transfer is refused, the money goes back to payable, and the payout waits.
    let account = stripe_account(db).await;
    assert!(app.stripe.require(&account, &["external_account"]));
    assert_eq!(run_payouts(state).await, 1);
    let payable = Account::FreelancerPayable(c.fay, contract);
    assert_eq!(balance(db, payable).await, SHIFT_PAY);
    assert_eq!(balance(db, Account::StripeClearing).await, 0);
    let waiting = &payouts::earnings(state, c.fay)
        .await
        .expect("earnings")
        .contracts[0]
        .payouts[0];
    assert_eq!(waiting.status, PayoutStatus::Pending);
    assert!(waiting.problem.is_some(), "{waiting:?}");
    assert_eq!(run_payouts(state).await, 0, "it waits for the freelancer");

    // She adds her bank account again: the payout goes out, under its second attempt's key.
    let link = payouts::start_onboarding(state, c.fay).await.expect("link");
    onboard(&link).await;
    app.deliver_events().await;
    assert_eq!(run_payouts(state).await, 1);
    assert_eq!(balance(db, payable).await, 0);
    assert_eq!(
        balance(db, Account::FreelancerPaidOut(c.fay, contract)).await,
        SHIFT_PAY
    );
    assert_eq!(events_of(&app, "transfer.created").len(), 1);
    ledger_holds(db).await;
}

/// Waits (at most `limit`) until `done` holds, checking every 20 ms.
async fn until(limit: Wait, what: &str, mut done: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < limit, "waited {limit:?} for {what}");
        tokio::time::sleep(Wait::from_millis(20)).await;
    }
}

/// The real server's payout job, killed with SIGKILL twice while Stripe's answer to a transfer
/// is on its way (the emulator makes each transfer, then holds its answer back), and started
/// again: the payouts left sending go again under their keys, and each payout is one transfer.
#[sqlx::test(migrations = "../migrations")]
async fn the_payout_job_killed_twice_mid_transfer_still_makes_each_transfer_once(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    const SHIFTS: usize = 4;
    let (app, c) = harbour_paying(options).await;
    let (state, db) = (&app.state, &app.db);
    let mut contracts = Vec::new();
    for n in 0..SHIFTS {
        let day = hire_day(3 + i64::try_from(n).expect("small"));
        contracts.push(approved_shift(&app, &c, day).await);
    }
    let link = payouts::start_onboarding(state, c.fay).await.expect("link");
    onboard(&link).await;
    app.deliver_events().await;
    app.stripe.delay_transfers(Wait::from_millis(1_500));

    let base = app.stripe.base_url();
    let env = common::process::emulator_env(&base);
    let transfers = || events_of(&app, "transfer.created").len();
    let statuses = async || {
        payouts_of(db, c.fay)
            .await
            .into_iter()
            .map(|p| p.0)
            .collect::<Vec<_>>()
    };
    for crash in 1..=2 {
        let server = common::process::Olivine::start_with(db, &env).await;
        // A new transfer is made: its answer is held back, and the server is killed waiting.
        until(Wait::from_secs(120), "a transfer", async || {
            transfers() >= crash
        })
        .await;
        server.kill();
        assert_eq!(transfers(), crash);
        let now = statuses().await;
        let sending = now.iter().filter(|s| *s == "sending").count();
        assert!(sending >= 1, "killed while sending: {now:?}");
        // What it left sending is booked as handed to Stripe, nothing more.
        assert_eq!(
            balance(db, Account::StripeClearing).await,
            SHIFT_PAY * i64::try_from(sending).expect("small")
        );
    }
    let server = common::process::Olivine::start_with(db, &env).await;
    until(Wait::from_secs(240), "every payout paid", async || {
        statuses().await.iter().all(|s| s == "paid")
    })
    .await;
    server.kill();

    assert_eq!(transfers(), SHIFTS, "one transfer per payout");
    let paid = payouts_of(db, c.fay).await;
    let mut made: Vec<_> = paid.iter().filter_map(|p| p.3.clone()).collect();
    made.sort();
    made.dedup();
    assert_eq!(made.len(), SHIFTS);
    for contract in contracts {
        assert_eq!(
            balance(db, Account::FreelancerPayable(c.fay, contract)).await,
            0
        );
        assert_eq!(
            balance(db, Account::FreelancerPaidOut(c.fay, contract)).await,
            SHIFT_PAY
        );
    }
    assert_eq!(balance(db, Account::StripeClearing).await, 0);
    assert_eq!(notices(db, c.fay, "payout_sent").await.len(), SHIFTS);
    ledger_holds(db).await;
}
