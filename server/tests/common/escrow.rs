//! The escrow's jobs and ledger as the escrow tests drive them: save a card, run the jobs
//! until they rest, read balances and notices, move the clock, work and approve a shift,
//! onboard for payouts and pay out.

use app::escrow::cards;
use app::escrow::ledger::{self, Account};
use app::escrow::reconciliation::Run;
use app::escrow::reconciliation::model::Trigger;
use app::escrow::{funding, payouts};
use app::hire::contracts::hours::{self, Decision};
use app::ids::{ContractId, OrganisationId, UserId};
use app::money::Currency;
use app::state::AppState;
use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;
use test_support::hire::{Cast, hours as shift_hours};

/// The demo shift: 09:00–17:30 with a 30-minute break at €16.00 an hour.
pub const SHIFT_PAY: i64 = 8 * 1600;
/// The fee at the default 10 %.
pub const BP: u32 = 1000;

/// The app over `options`' database with the demo cast, and a Visa that always pays saved as
/// Harbour's card.
pub async fn harbour_paying(options: PgConnectOptions) -> (super::App, Cast) {
    let app = super::app(super::own_pool(options).await).await;
    let c = Cast::of(&app.state).await;
    save_card(&app, c.harbour, c.hana, "pm_card_visa").await;
    (app, c)
}

/// Saves `card` (a Stripe test payment method) as `organisation`'s, as the billing page does.
pub async fn save_card(app: &super::App, organisation: OrganisationId, by: UserId, card: &str) {
    let state = &app.state;
    let started = cards::start_card_setup(state, organisation, by)
        .await
        .expect("start");
    let setup = started
        .client_secret
        .split("_secret_")
        .next()
        .expect("setup id")
        .to_owned();
    state
        .payments
        .confirm_setup(&setup, card)
        .await
        .expect("confirm");
    cards::finish_card_setup(state, organisation, by, &setup)
        .await
        .expect("finish");
}

/// Runs the escrow's jobs until none has anything left to do: book events, make charges, send
/// refunds. How many items they worked.
pub async fn run_jobs(state: &AppState) -> usize {
    let mut worked = 0;
    loop {
        let mut round = 0;
        for event in funding::events_due(state, 100, &[]).await.expect("events") {
            if funding::settle_event(state, event).await.expect("settle") {
                round += 1;
            }
        }
        for charge in funding::charges_due(state, 100, &[])
            .await
            .expect("charges")
        {
            funding::charge(state, charge).await.expect("charge");
            round += 1;
        }
        for refund in funding::refunds_due(state, 100, &[])
            .await
            .expect("refunds")
        {
            funding::refund(state, refund).await.expect("refund");
            round += 1;
        }
        if round == 0 {
            return worked;
        }
        worked += round;
    }
}

pub async fn balance(db: &PgPool, account: Account) -> i64 {
    let mut conn = db.acquire().await.expect("connection");
    ledger::balance(&mut conn, account, Currency::Eur)
        .await
        .expect("balance")
        .minor()
}

/// What the platform earned in fees, over all its fee accounts.
pub async fn fee_income(db: &PgPool) -> i64 {
    let mut conn = db.acquire().await.expect("connection");
    ledger::platform_fee_income(&mut conn, Currency::Eur)
        .await
        .expect("fee income")
        .minor()
}

/// The whole ledger holds: every transaction balanced, every kept balance equal to its
/// entries, no escrow overdrawn.
pub async fn ledger_holds(db: &PgPool) {
    let mut conn = db.acquire().await.expect("connection");
    let findings = ledger::check(&mut conn).await.expect("check");
    assert!(findings.is_empty(), "{findings:?}");
}

/// The bodies of `user`'s notifications of `kind`, oldest first, as they read them.
pub async fn notices(db: &PgPool, user: UserId, kind: &str) -> Vec<String> {
    let mut conn = db.acquire().await.expect("connection");
    let vault = test_support::test_vault();
    let mut told = app::notifications::repo::page(&mut conn, &vault, user, 0, 1000)
        .await
        .expect("notifications");
    told.reverse();
    told.into_iter()
        .filter(|n| n.kind.db_name() == kind)
        .map(|n| n.body)
        .collect()
}

pub async fn starts_at(db: &PgPool, contract: ContractId) -> DateTime<Utc> {
    sqlx::query_scalar("SELECT starts_at FROM contracts WHERE contract_id = $1")
        .bind(contract.0)
        .fetch_one(db)
        .await
        .expect("contract")
}

/// Moves the app clock to `at`.
pub fn travel(state: &AppState, at: DateTime<Utc>) {
    state.clock.set_offset(Duration::zero());
    state.clock.set_offset(at - state.clock.now());
}

/// A reconciliation over the last day that reports everything Stripe made up to now.
pub fn today() -> Run {
    Run {
        trigger: Trigger::Command,
        started_by: None,
        since: Utc::now() - Duration::days(1),
        settled_before: Utc::now() + Duration::minutes(1),
    }
}

/// Runs the payout job until it rests; how many payouts it worked.
pub async fn run_payouts(state: &AppState) -> usize {
    let mut worked = 0;
    loop {
        let due = payouts::due(state, 100, &[]).await.expect("due");
        if due.is_empty() {
            return worked;
        }
        for id in due {
            payouts::pay_out(state, id).await.expect("pay out");
            worked += 1;
        }
    }
}

/// Fills in Stripe's onboarding form behind `link`, as the freelancer's browser does.
pub async fn onboard(link: &str) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = client.get(link).send().await.expect("form");
    assert_eq!(page.status(), 200, "the onboarding form opens");
    let done = client.post(link).send().await.expect("submit");
    assert!(done.status().is_redirection(), "{}", done.status());
    let back = done
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default();
    assert!(
        back.ends_with("/hire/profile?payouts=back#payouts"),
        "{back}"
    );
}

/// Fay's shift on `day`, worked from 09:00 to `until` (a 30-minute break) and approved: its
/// pay released to her payable and, for hours short of the booking, the rest refunded.
/// Harbour's card must be saved first.
pub async fn worked_shift(
    app: &super::App,
    c: &Cast,
    day: chrono::NaiveDate,
    until: &str,
) -> ContractId {
    let state = &app.state;
    let shift = c.open_shift(state, day, 1).await;
    let contract = c.hire(state, c.fay, shift).await;
    run_jobs(state).await;
    travel(
        state,
        starts_at(&app.db, contract).await + Duration::hours(10),
    );
    hours::submit_hours(
        state,
        c.fay,
        contract,
        &shift_hours(day, "09:00", until, "30"),
    )
    .await
    .expect("submit");
    hours::answer_hours(state, c.harbour, c.hana, contract, Decision::Approve)
        .await
        .expect("approve");
    run_jobs(state).await;
    contract
}

/// Fay's shift on `day`, worked as booked and approved (see [`worked_shift`]).
pub async fn approved_shift(app: &super::App, c: &Cast, day: chrono::NaiveDate) -> ContractId {
    worked_shift(app, c, day, "17:30").await
}
