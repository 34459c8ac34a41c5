//! Funding Hire bookings and settling them: a booking is charged to the organisation's saved
//! card when the freelancer accepts, approved pay moves from escrow to the freelancer (with
//! the platform's fee), cancellations follow the policy, what a closed contract didn't use goes
//! back to the card, a declined card waits for the manager, and an unpaid booking is released
//! at its deadline. Every step is booked once however often the jobs run it.

mod common;

use app::escrow::funding;
use app::escrow::ledger::Account;
use app::escrow::model::{ChargeStatus, ContractMoney, fee_for};
use app::escrow::{cards, model::BillingCharge};
use app::hire::contracts::hours::{self, Decision};
use app::hire::contracts::service as contract_service;
use app::hire::reference::model::Side;
use app::ids::OrganisationId;
use app::money::{Currency, Money};
use app::state::AppState;
use axum::http::StatusCode;
use chrono::Duration;
use common::escrow::{
    BP, SHIFT_PAY, balance, fee_income, harbour_paying, ledger_holds, notices, run_jobs, save_card,
    starts_at, travel,
};
use server::seed::DEMO_PASSWORD;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use test_support::hire::{Cast, JobBuilder, contract_state, hire_day, hours, monday_of, week_of};

async fn charges(state: &AppState, organisation: OrganisationId) -> Vec<BillingCharge> {
    cards::billing(state, organisation)
        .await
        .expect("billing")
        .charges
}

#[sqlx::test(migrations = "../migrations")]
async fn a_booking_is_funded_released_on_approval_and_the_rest_refunded(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let (app, c) = harbour_paying(options).await;
    let (state, db) = (&app.state, &app.db);
    let day = hire_day(3);
    let shift = c.open_shift(state, day, 1).await;
    let contract = c.hire(state, c.fay, shift).await;

    // Accepting funds the booking: the wage for the scheduled hours plus the fee, charged to
    // the card and held in the contract's escrow.
    assert!(run_jobs(state).await > 0);
    let held = SHIFT_PAY + fee_for(SHIFT_PAY, BP);
    assert_eq!(balance(db, Account::ContractEscrow(contract)).await, held);
    assert_eq!(
        balance(db, Account::OrganisationFunding(c.harbour)).await,
        -held
    );
    let listed = charges(state, c.harbour).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (
            listed[0].status,
            listed[0].amount.minor(),
            listed[0].booking
        ),
        (ChargeStatus::Funded, held, true)
    );
    let told = notices(db, c.fay, "booking_funded").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].contains("your €128.00 is held"), "{}", told[0]);

    // Six hours worked of eight, approved: their pay goes to Fay, the fee on it to the
    // platform, and the rest back to Harbour's card once the contract is complete.
    travel(state, starts_at(db, contract).await + Duration::hours(10));
    hours::submit_hours(state, c.fay, contract, &hours(day, "09:00", "15:30", "30"))
        .await
        .expect("submit");
    hours::answer_hours(state, c.harbour, c.hana, contract, Decision::Approve)
        .await
        .expect("approve");
    assert_eq!(contract_state(db, contract).await.0, "completed");
    run_jobs(state).await;
    let pay = 6 * 1600;
    let fee = fee_for(pay, BP);
    assert_eq!(
        balance(db, Account::FreelancerPayable(c.fay, contract)).await,
        pay
    );
    assert_eq!(fee_income(db).await, fee);
    assert_eq!(balance(db, Account::ContractEscrow(contract)).await, 0);
    assert_eq!(balance(db, Account::StripeClearing).await, 0);
    assert_eq!(
        balance(db, Account::Refunds(c.harbour)).await,
        held - pay - fee
    );
    let listed = charges(state, c.harbour).await;
    assert_eq!(listed[0].refunded.minor(), held - pay - fee);
    // Stripe agrees: the payment was refunded by that much.
    let refunded: i64 = sqlx::query_scalar(
        "SELECT sum(amount_minor)::bigint FROM escrow_refunds WHERE contract_id = $1 AND status = 'refunded'",
    )
    .bind(contract.0)
    .fetch_one(db)
    .await
    .expect("refunds");
    assert_eq!(refunded, held - pay - fee);
    ledger_holds(db).await;

    // Harbour's statement says the same: charged, released, fee, refunded, nothing held.
    let billing = cards::billing(state, c.harbour).await.expect("billing");
    let eur = |minor| Money::new(minor, Currency::Eur);
    let expected = ContractMoney {
        funded: eur(held),
        released: eur(pay),
        fees: eur(fee),
        refunded: eur(held - pay - fee),
        held: eur(0),
    };
    assert_eq!(billing.contracts.len(), 1);
    assert_eq!(billing.contracts[0].contract, contract);
    assert_eq!(billing.contracts[0].money, expected);
    assert_eq!(billing.totals, vec![expected]);
    // And so does its CSV file, for Harbour's members only.
    let path = "/hire/org/harbour-hotels/billing.csv";
    assert_eq!(
        app.browser().read(path).await.status,
        StatusCode::UNAUTHORIZED
    );
    let mut mia = app.browser();
    assert!(common::ok(
        &mia.sign_in("mia@olivine.test", DEMO_PASSWORD).await
    ));
    assert_eq!(mia.read(path).await.status, StatusCode::FORBIDDEN);
    let mut hana = app.browser();
    assert!(common::ok(
        &hana.sign_in("hana@olivine.test", DEMO_PASSWORD).await
    ));
    let csv = hana.read(path).await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert!(
        csv.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/csv")),
        "{:?}",
        csv.headers
    );
    let lines: Vec<&str> = csv.body.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "contract,starts,work,freelancer,status,currency,funded,released,fees,refunded,held"
    );
    let row = lines[1];
    assert!(row.starts_with(&contract.to_string()), "{row}");
    let amounts = [held, pay, fee, held - pay - fee, 0].map(|m| eur(m).decimal());
    assert!(
        row.ends_with(&format!(",Completed,EUR,{}", amounts.join(","))),
        "{row}"
    );
    assert_eq!(lines[2..], [""]);

    // Running every step again changes nothing.
    let transactions = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM ledger_transactions")
            .fetch_one(db)
            .await
            .expect("count")
    };
    let before = transactions().await;
    let charge_ids: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT charge_id FROM escrow_charges")
        .fetch_all(db)
        .await
        .expect("charges");
    for id in charge_ids {
        funding::charge(state, id.into()).await.expect("again");
    }
    let refund_ids: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT refund_id FROM escrow_refunds")
        .fetch_all(db)
        .await
        .expect("refunds");
    for id in refund_ids {
        funding::refund(state, id.into()).await.expect("again");
    }
    let event_ids: Vec<uuid::Uuid> =
        sqlx::query_scalar("SELECT event_id FROM contract_events WHERE contract_id = $1")
            .bind(contract.0)
            .fetch_all(db)
            .await
            .expect("events");
    for id in event_ids {
        assert!(
            !funding::settle_event(state, id.into())
                .await
                .expect("again")
        );
    }
    assert_eq!(run_jobs(state).await, 0);
    assert_eq!(transactions().await, before);
    ledger_holds(db).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_declined_card_waits_for_the_manager_and_an_unpaid_booking_is_released_at_its_deadline(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = Cast::of(state).await;

    // No card at all: the booking waits, and Harbour's managers hear how to fix it.
    let soon = c.open_shift(state, hire_day(3), 1).await;
    let unpaid = c.hire(state, c.fay, soon).await;
    run_jobs(state).await;
    let listed = charges(state, c.harbour).await;
    assert_eq!(listed[0].status, ChargeStatus::ActionNeeded);
    assert!(
        listed[0]
            .problem
            .as_deref()
            .unwrap_or_default()
            .contains("No card is saved"),
        "{:?}",
        listed[0].problem
    );
    assert!(listed[0].deadline.is_some());
    let told = notices(db, c.hana, "funding_needed").await;
    assert_eq!(told.len(), 1);
    assert!(told[0].contains("the booking is released"), "{}", told[0]);

    // A card that saves but declines every charge: trying again fails the same way.
    save_card(&app, c.harbour, c.hana, "pm_card_chargeCustomerFail").await;
    run_jobs(state).await;
    let listed = charges(state, c.harbour).await;
    assert_eq!(listed[0].status, ChargeStatus::ActionNeeded);
    assert!(
        listed[0]
            .problem
            .as_deref()
            .unwrap_or_default()
            .contains("declined"),
        "{:?}",
        listed[0].problem
    );
    funding::retry_charge(state, c.harbour, listed[0].id)
        .await
        .expect("retry");
    run_jobs(state).await;
    assert_eq!(
        charges(state, c.harbour).await[0].status,
        ChargeStatus::ActionNeeded
    );
    assert_eq!(notices(db, c.hana, "funding_needed").await.len(), 3);

    // Past the deadline (12 hours before the start) the booking is released: the contract is
    // cancelled, the place opens again and both sides are told. Nothing was charged.
    travel(state, starts_at(db, unpaid).await - Duration::hours(11));
    assert_eq!(funding::lapse_unfunded(state).await.expect("lapse"), 1);
    let (status, events) = contract_state(db, unpaid).await;
    assert_eq!(status, "cancelled");
    assert_eq!(events.last().map(|e| e.0.as_str()), Some("funding_lapsed"));
    assert_eq!(
        test_support::hire::posting_state(db, soon).await,
        ("published".to_owned(), 0)
    );
    assert_eq!(notices(db, c.fay, "funding_lapsed").await.len(), 1);
    assert_eq!(notices(db, c.hana, "funding_lapsed").await.len(), 1);
    run_jobs(state).await;
    assert_eq!(
        charges(state, c.harbour).await[0].status,
        ChargeStatus::Cancelled
    );
    assert_eq!(funding::lapse_unfunded(state).await.expect("again"), 0);

    // A later booking fails on the same card until a good card is saved: saving it charges
    // the waiting payment at once.
    let later = c.open_shift(state, hire_day(8), 1).await;
    let booked = c.hire(state, c.finn, later).await;
    run_jobs(state).await;
    assert_eq!(
        charges(state, c.harbour).await[0].status,
        ChargeStatus::ActionNeeded
    );
    save_card(&app, c.harbour, c.hana, "pm_card_visa").await;
    run_jobs(state).await;
    assert_eq!(
        charges(state, c.harbour).await[0].status,
        ChargeStatus::Funded
    );
    assert_eq!(
        balance(db, Account::ContractEscrow(booked)).await,
        SHIFT_PAY + fee_for(SHIFT_PAY, BP)
    );
    assert_eq!(funding::lapse_unfunded(state).await.expect("lapse"), 0);
    assert_eq!(
        contract_state(db, booked).await.0,
        "active",
        "a funded booking stays"
    );
    ledger_holds(db).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn cancellations_and_no_shows_settle_by_the_policy(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let (app, c) = harbour_paying(options).await;
    let (state, db) = (&app.state, &app.db);
    let held = SHIFT_PAY + fee_for(SHIFT_PAY, BP);
    let day = hire_day(4);
    let early = c
        .hire(state, c.fay, c.open_shift(state, day, 1).await)
        .await;
    let late = c
        .hire(state, c.finn, c.open_shift(state, day, 1).await)
        .await;
    let by_freelancer = c
        .hire(state, c.fay, c.open_shift(state, hire_day(6), 1).await)
        .await;
    let no_show = c
        .hire(state, c.finn, c.open_shift(state, hire_day(6), 1).await)
        .await;
    run_jobs(state).await;
    for contract in [early, late, by_freelancer, no_show] {
        assert_eq!(balance(db, Account::ContractEscrow(contract)).await, held);
    }

    // Cancelled in good time: everything goes back.
    contract_service::cancel_contract(
        state,
        Side::Organisation,
        c.harbour.0,
        c.hana,
        early,
        "Plans changed",
    )
    .await
    .expect("cancel");
    // Cancelled inside the notice period: half the wage (and the fee on it) is the
    // freelancer's, the rest goes back.
    travel(state, starts_at(db, late).await - Duration::hours(6));
    contract_service::cancel_contract(state, Side::Organisation, c.harbour.0, c.hana, late, "Rain")
        .await
        .expect("cancel late");
    // The freelancer cancels: the organisation gets it all back.
    contract_service::cancel_contract(
        state,
        Side::Freelancer,
        c.fay.0,
        c.fay,
        by_freelancer,
        "Ill",
    )
    .await
    .expect("cancel by freelancer");
    // Nobody came: the organisation gets it all back.
    travel(state, starts_at(db, no_show).await + Duration::hours(2));
    contract_service::record_no_show(state, c.harbour, c.hana, no_show)
        .await
        .expect("no-show");
    run_jobs(state).await;

    let share = SHIFT_PAY / 2;
    let share_fee = fee_for(share, BP);
    assert_eq!(
        balance(db, Account::FreelancerPayable(c.finn, late)).await,
        share
    );
    assert_eq!(
        balance(db, Account::FreelancerPayable(c.fay, early)).await,
        0
    );
    assert_eq!(fee_income(db).await, share_fee);
    for contract in [early, late, by_freelancer, no_show] {
        assert_eq!(balance(db, Account::ContractEscrow(contract)).await, 0);
    }
    assert_eq!(
        balance(db, Account::Refunds(c.harbour)).await,
        4 * held - share - share_fee
    );
    assert_eq!(
        balance(db, Account::OrganisationFunding(c.harbour)).await,
        -4 * held
    );
    ledger_holds(db).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn an_hourly_job_is_charged_week_by_week_and_a_fixed_price_on_acceptance(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let (app, c) = harbour_paying(options).await;
    let (state, db) = (&app.state, &app.db);
    let first = hire_day(3);
    let hourly = JobBuilder::from(first, first + Duration::days(27))
        .open(state, c.harbour, c.hana)
        .await;
    let hourly = c.hire(state, c.fay, hourly).await;
    let fixed = JobBuilder::from(first, first + Duration::days(2))
        .pays("fixed", "900")
        .open(state, c.harbour, c.hana)
        .await;
    let fixed = c.hire(state, c.finn, fixed).await;
    run_jobs(state).await;
    // The hourly job holds nothing yet; the fixed price is paid in full with its fee.
    assert_eq!(balance(db, Account::ContractEscrow(hourly)).await, 0);
    assert_eq!(
        balance(db, Account::ContractEscrow(fixed)).await,
        90_000 + fee_for(90_000, BP)
    );

    // A week of 7.5 hours approved: charged with its fee and released at once.
    travel(state, starts_at(db, hourly).await + Duration::days(1));
    hours::submit_week(state, c.fay, hourly, &week_of(first, "7.5"))
        .await
        .expect("week");
    let monday = monday_of(first);
    hours::answer_week(state, c.harbour, c.hana, hourly, monday, Decision::Approve)
        .await
        .expect("approve week");
    run_jobs(state).await;
    let week_pay = 15 * 1000;
    assert_eq!(
        balance(db, Account::FreelancerPayable(c.fay, hourly)).await,
        week_pay
    );
    assert_eq!(balance(db, Account::ContractEscrow(hourly)).await, 0);
    let week_charge = charges(state, c.harbour)
        .await
        .into_iter()
        .find(|charge| !charge.booking)
        .expect("the week's charge");
    assert_eq!(
        (week_charge.status, week_charge.amount.minor()),
        (ChargeStatus::Funded, week_pay + fee_for(week_pay, BP))
    );
    assert_eq!(contract_state(db, hourly).await.0, "active");

    // The manager ends the job early: not while a week waits for an answer; then it completes,
    // the freelancer is told, and nothing is left in escrow to give back.
    let next = monday + Duration::days(7);
    travel(state, starts_at(db, hourly).await + Duration::days(8));
    hours::submit_week(state, c.fay, hourly, &week_of(next, "4"))
        .await
        .expect("second week");
    let refused = test_support::refusal(
        contract_service::end_job(state, c.harbour, c.hana, hourly, "Budget cut").await,
    );
    assert!(refused.to_string().contains("Settle it first"), "{refused}");
    hours::answer_week(state, c.harbour, c.hana, hourly, next, Decision::Approve)
        .await
        .expect("approve second week");
    let no_reason = test_support::refusal(
        contract_service::end_job(state, c.harbour, c.hana, hourly, " ").await,
    );
    assert!(no_reason.field_message("reason").is_some());
    contract_service::end_job(state, c.harbour, c.hana, hourly, "Budget cut")
        .await
        .expect("end the job");
    let (status, events) = contract_state(db, hourly).await;
    assert_eq!(status, "completed");
    assert_eq!(events.last().map(|e| e.0.as_str()), Some("ended_by_client"));
    assert_eq!(notices(db, c.fay, "job_ended").await.len(), 1);
    run_jobs(state).await;
    let both_weeks = week_pay + 4 * 2000;
    assert_eq!(
        balance(db, Account::FreelancerPayable(c.fay, hourly)).await,
        both_weeks
    );
    assert_eq!(balance(db, Account::ContractEscrow(hourly)).await, 0);
    let ended_again = test_support::refusal(
        contract_service::end_job(state, c.harbour, c.hana, hourly, "Again").await,
    );
    assert!(
        ended_again.to_string().contains("completed"),
        "{ended_again}"
    );

    // The fixed-price work approved: all of it released, nothing to give back.
    hours::submit_delivery(state, c.finn, fixed, "Shelving done.")
        .await
        .expect("hand over");
    hours::answer_delivery(state, c.harbour, c.hana, fixed, None)
        .await
        .expect("approve work");
    run_jobs(state).await;
    assert_eq!(
        balance(db, Account::FreelancerPayable(c.finn, fixed)).await,
        90_000
    );
    assert_eq!(balance(db, Account::ContractEscrow(fixed)).await, 0);
    assert_eq!(balance(db, Account::Refunds(c.harbour)).await, 0);
    assert_eq!(
        fee_income(db).await,
        fee_for(week_pay, BP) + fee_for(4 * 2000, BP) + fee_for(90_000, BP)
    );
    ledger_holds(db).await;
}
