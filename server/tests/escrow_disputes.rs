//! Disputes and the money they hold: a disputed claim moves from escrow to the contract's
//! frozen account, a resubmission lets it go again, and after the waiting days either side
//! asks Olivine to decide; a finance admin's release, refund or split is booked, completes the
//! contract, and gives the rest back to the organisation's card. Both sides are told.

mod common;

use app::escrow::ledger::Account;
use app::escrow::model::fee_for;
use app::hire::contracts::hours::{self, Decision};
use app::hire::contracts::repo::{ContractScope, contracts};
use app::hire::disputes::model::{DisputeBrief, DisputeStatus};
use app::hire::disputes::service as disputes;
use app::hire::reference::model::Side;
use app::ids::{ContractId, UserId};
use app::state::AppState;
use chrono::Duration;
use common::escrow::{
    BP, SHIFT_PAY, balance, fee_income, harbour_paying, ledger_holds, notices, run_jobs, starts_at,
    travel,
};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use test_support::hire::{
    JobBuilder, contract_state, hire_day, hire_monday, hours, monday_of, week_of,
};
use test_support::refusal;

/// The freelancer's view of the contract's disputes.
async fn disputes_of(state: &AppState, freelancer: UserId, id: ContractId) -> Vec<DisputeBrief> {
    let mut conn = state.db.acquire().await.expect("connection");
    let wait = disputes::escalation_wait(state);
    contracts(
        &mut conn,
        &state.vault,
        ContractScope::Freelancer(freelancer),
        state.clock.now(),
        wait,
    )
    .await
    .expect("contracts")
    .into_iter()
    .find(|c| c.id == id)
    .expect("the contract")
    .disputes
}

async fn timesheet_status(db: &PgPool, id: ContractId) -> String {
    sqlx::query_scalar("SELECT status::text FROM timesheets WHERE contract_id = $1")
        .bind(id.0)
        .fetch_one(db)
        .await
        .expect("timesheet")
}

#[sqlx::test(migrations = "../migrations")]
async fn a_disputed_shift_is_held_settled_escalated_and_split_by_finance(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let (app, c) = harbour_paying(options).await;
    let (state, db) = (&app.state, &app.db);
    let admin = common::user(db, "admin@olivine.test").await;
    let day = hire_day(3);
    let shift = c.open_shift(state, day, 1).await;
    let contract = c.hire(state, c.fay, shift).await;
    run_jobs(state).await;
    let held = SHIFT_PAY + fee_for(SHIFT_PAY, BP);
    assert_eq!(balance(db, Account::ContractEscrow(contract)).await, held);

    // Harbour disputes the eight hours claimed: their pay and fee are frozen.
    let started = starts_at(db, contract).await;
    travel(state, started + Duration::hours(10));
    hours::submit_hours(state, c.fay, contract, &hours(day, "09:00", "17:30", "30"))
        .await
        .expect("submit");
    let dispute = Decision::Dispute {
        reason: "Fay left at three",
    };
    hours::answer_hours(state, c.harbour, c.hana, contract, dispute)
        .await
        .expect("dispute");
    run_jobs(state).await;
    let frozen = Account::ContractFrozen(contract);
    assert_eq!(balance(db, frozen).await, held);
    assert_eq!(balance(db, Account::ContractEscrow(contract)).await, 0);
    let listed = disputes_of(state, c.fay, contract).await;
    assert_eq!(listed.len(), 1);
    let first = &listed[0];
    assert_eq!(
        (first.status, first.claimed.minor(), first.may_escalate),
        (DisputeStatus::Open, SHIFT_PAY, false)
    );
    // Nobody escalates before the sides had their days to settle it.
    let early = refusal(
        disputes::escalate(state, Side::Freelancer, c.fay.0, c.fay, first.id, "Help").await,
    );
    assert!(
        early.to_string().contains("Give the other side until"),
        "{early}"
    );

    // Fay corrects her hours: the dispute is settled and the hold goes back to escrow.
    hours::submit_hours(state, c.fay, contract, &hours(day, "09:00", "15:30", "30"))
        .await
        .expect("resubmit");
    run_jobs(state).await;
    assert_eq!(balance(db, frozen).await, 0);
    assert_eq!(balance(db, Account::ContractEscrow(contract)).await, held);
    assert!(disputes_of(state, c.fay, contract).await.is_empty());

    // Harbour disputes the six hours too; three days later Fay asks Olivine to decide.
    let dispute = Decision::Dispute {
        reason: "Nobody saw Fay after one",
    };
    hours::answer_hours(state, c.harbour, c.hana, contract, dispute)
        .await
        .expect("dispute again");
    run_jobs(state).await;
    let claim = 6 * 1600;
    assert_eq!(balance(db, frozen).await, claim + fee_for(claim, BP));
    // The clock runs on from each jump, so the second dispute was opened a little after
    // `started + 10 h`: an hour past its three days leaves no race with the wall clock.
    travel(state, started + Duration::hours(11) + Duration::days(3));
    let listed = disputes_of(state, c.fay, contract).await;
    let second = listed[0].clone();
    assert!(second.may_escalate, "{second:?}");
    // Meadow's owner can't reach Harbour's dispute, nor can a finance admin decide it before
    // someone asks.
    let stranger = disputes::escalate(
        state,
        Side::Organisation,
        c.meadow.0,
        c.mia,
        second.id,
        "Us",
    )
    .await;
    assert!(stranger.is_err());
    let unasked = refusal(disputes::resolve(state, admin, second.id, "release", "", "Paid").await);
    assert!(unasked.to_string().contains("asked Olivine"), "{unasked}");
    disputes::escalate(
        state,
        Side::Freelancer,
        c.fay.0,
        c.fay,
        second.id,
        "I was on the terrace until half past three",
    )
    .await
    .expect("escalate");
    let again = refusal(
        disputes::escalate(
            state,
            Side::Organisation,
            c.harbour.0,
            c.hana,
            second.id,
            "Us too",
        )
        .await,
    );
    assert!(again.to_string().contains("already waiting"), "{again}");
    let told = notices(db, c.hana, "dispute_escalated").await;
    assert_eq!(told.len(), 1, "{told:?}");

    // The back office sees the evidence.
    let detail = disputes::detail(state, second.id).await.expect("detail");
    assert_eq!(detail.dispute.status, DisputeStatus::Escalated);
    assert_eq!(detail.escalated_by.as_deref(), Some("Fay Freelancer"));
    assert_eq!(detail.frozen.minor(), claim + fee_for(claim, BP));
    assert!(detail.timesheet.is_some());
    assert!(
        detail
            .events
            .iter()
            .any(|e| e.reason == "Nobody saw Fay after one")
    );
    let waiting = disputes::list(state, "escalated").await.expect("list");
    assert_eq!(
        waiting.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![second.id]
    );

    // A split must be part of the claim; then €40 goes to Fay and the rest back to Harbour.
    let too_much = refusal(disputes::resolve(state, admin, second.id, "split", "96", "Half").await);
    assert!(too_much.field_message("amount").is_some(), "{too_much}");
    let no_note = refusal(disputes::resolve(state, admin, second.id, "split", "40", " ").await);
    assert!(no_note.field_message("note").is_some(), "{no_note}");
    disputes::resolve(
        state,
        admin,
        second.id,
        "split",
        "40",
        "Two and a half hours are shown by the till",
    )
    .await
    .expect("resolve");
    assert_eq!(contract_state(db, contract).await.0, "completed");
    assert_eq!(timesheet_status(db, contract).await, "resolved");
    run_jobs(state).await;
    let pay = 4000;
    assert_eq!(
        balance(db, Account::FreelancerPayable(c.fay, contract)).await,
        pay
    );
    assert_eq!(fee_income(db).await, fee_for(pay, BP));
    assert_eq!(balance(db, frozen).await, 0);
    assert_eq!(balance(db, Account::ContractEscrow(contract)).await, 0);
    assert_eq!(
        balance(db, Account::Refunds(c.harbour)).await,
        held - pay - fee_for(pay, BP)
    );
    assert_eq!(balance(db, Account::StripeClearing).await, 0);
    ledger_holds(db).await;
    // Told, both, with the reasons; decided once.
    let fay_told = notices(db, c.fay, "dispute_resolved").await;
    assert!(
        fay_told.len() == 1 && fay_told[0].contains("€40.00"),
        "{fay_told:?}"
    );
    let hana_told = notices(db, c.hana, "dispute_resolved").await;
    assert!(
        hana_told.len() == 1 && hana_told[0].contains("till"),
        "{hana_told:?}"
    );
    let twice = refusal(disputes::resolve(state, admin, second.id, "refund", "", "Again").await);
    assert!(twice.to_string().contains("asked Olivine"), "{twice}");
    let decided = disputes_of(state, c.fay, contract).await;
    assert_eq!(decided[0].status, DisputeStatus::Resolved);
    assert!(decided[0].decision().unwrap_or_default().contains("€40.00"));
    assert_eq!(run_jobs(state).await, 0, "nothing books twice");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action IN ('dispute_escalated', 'dispute_resolved')",
    )
    .fetch_one(db)
    .await
    .expect("audit");
    assert_eq!(audited, 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_unfunded_hourly_week_released_by_finance_is_charged_then_paid(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let (app, c) = harbour_paying(options).await;
    let (state, db) = (&app.state, &app.db);
    let admin = common::user(db, "admin@olivine.test").await;
    let first = hire_monday(3);
    let job = JobBuilder::from(first, first + Duration::days(4))
        .open(state, c.harbour, c.hana)
        .await;
    let job = c.hire(state, c.fay, job).await;
    run_jobs(state).await;

    // The only week is disputed: an hourly job's escrow holds nothing to freeze.
    travel(state, starts_at(db, job).await + Duration::days(5));
    hours::submit_week(state, c.fay, job, &week_of(first, "6"))
        .await
        .expect("week");
    let monday = monday_of(first);
    let dispute = Decision::Dispute {
        reason: "We never asked for weekend work",
    };
    hours::answer_week(state, c.harbour, c.hana, job, monday, dispute)
        .await
        .expect("dispute week");
    run_jobs(state).await;
    assert_eq!(balance(db, Account::ContractFrozen(job)).await, 0);
    travel(state, starts_at(db, job).await + Duration::days(9));
    let brief = disputes_of(state, c.fay, job).await.remove(0);
    assert_eq!(brief.week, Some(monday));
    disputes::escalate(
        state,
        Side::Organisation,
        c.harbour.0,
        c.hana,
        brief.id,
        "Please look",
    )
    .await
    .expect("escalate");
    assert_eq!(notices(db, c.fay, "dispute_escalated").await.len(), 1);

    // Released in full: the week is charged to the card with its fee, then paid to Fay, and
    // the job — its last week settled — completes.
    disputes::resolve(
        state,
        admin,
        brief.id,
        "release",
        "",
        "The rota shows weekend shifts",
    )
    .await
    .expect("resolve");
    assert_eq!(contract_state(db, job).await.0, "completed");
    run_jobs(state).await;
    let claim = brief.claimed.minor();
    assert!(claim > 0);
    assert_eq!(
        balance(db, Account::FreelancerPayable(c.fay, job)).await,
        claim
    );
    assert_eq!(fee_income(db).await, fee_for(claim, BP));
    assert_eq!(
        balance(db, Account::OrganisationFunding(c.harbour)).await,
        -(claim + fee_for(claim, BP))
    );
    assert_eq!(balance(db, Account::ContractEscrow(job)).await, 0);
    ledger_holds(db).await;
}
