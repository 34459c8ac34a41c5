//! Hire in the real database. Timesheets and work: jobs paid by the week or on approval, and auto-approval.

mod common;

use app::error::AppError;
use app::hire::contracts::hours::Decision;
use app::hire::contracts::model::{ContractStatus, TimesheetStatus};
use app::hire::postings::model::JobInput;
use app::hire::refusal::Refusal;
use app::hire::{applications, contracts, postings};
use chrono::{Datelike, Duration, NaiveDate};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use test_support::hire::{Cast, JobBuilder, contract_state, hire_day, hours, monday_of, week_of};
use test_support::refusal;

#[sqlx::test(migrations = "../migrations")]
async fn jobs_pay_by_the_week_or_for_approved_work(_: PgPoolOptions, options: PgConnectOptions) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = Cast::of(&app.state).await;

    // The job form is checked field by field.
    let bad = |input: JobInput| async move {
        refusal(
            postings::service::create_posting(
                state,
                c.harbour,
                c.hana,
                postings::service::PostingForm::Job(&input),
            )
            .await,
        )
    };
    let backwards = bad(JobBuilder::from(hire_day(5), hire_day(4))
        .pays("hourly", "24.50")
        .input())
    .await;
    assert!(backwards.field_message("job[ends]").is_some());
    let no_basis = bad(JobBuilder::from(hire_day(5), hire_day(6))
        .pays("", "24.50")
        .input())
    .await;
    assert!(no_basis.field_message("job[pay_basis]").is_some());
    let cheap = bad(JobBuilder::from(hire_day(5), hire_day(6))
        .pays("fixed", "5")
        .input())
    .await;
    assert!(cheap.field_message("job[pay]").is_some());
    let today = bad(JobBuilder::from(hire_day(0), hire_day(6))
        .pays("hourly", "24.50")
        .input())
    .await;
    assert!(today.field_message("job[starts]").is_some());

    // A shift pays what it posted: no proposals.
    let shift = c.open_shift(state, hire_day(5), 1).await;
    let proposal = refusal(applications::service::apply(state, c.fay, shift, "", "30").await);
    assert!(proposal.field_message("proposed").is_some());

    // An hourly job, taken at Fay's own rate: €26/h instead of €24.50.
    let (first, last) = (hire_day(2), hire_day(15));
    let hourly = JobBuilder::from(first, last)
        .pays("hourly", "24.50")
        .open(state, c.harbour, c.hana)
        .await;
    let hourly = c.hire_proposing(state, c.fay, hourly, "26").await;
    let shift_hours =
        contracts::hours::submit_hours(state, c.fay, hourly, &hours(first, "09:00", "17:00", "0"))
            .await;
    assert_eq!(refusal(shift_hours), Refusal::JobHoursByTheWeek.into());

    // Nine days on: a week before the job and a day still to come are refused; the first
    // week is submitted and approved, recording what is owed; the contract stays open.
    state.clock.set_offset(Duration::days(9));
    let before = refusal(
        contracts::hours::submit_week(state, c.fay, hourly, &week_of(hire_day(-7), "8")).await,
    );
    let field = |d: NaiveDate| format!("week[days][{}]", d.weekday().number_from_monday());
    assert!(before.field_message(&field(hire_day(-7))).is_some());
    let ahead = refusal(
        contracts::hours::submit_week(state, c.fay, hourly, &week_of(hire_day(12), "8")).await,
    );
    assert!(ahead.field_message(&field(hire_day(12))).is_some());
    let empty =
        refusal(contracts::hours::submit_week(state, c.fay, hourly, &week_of(first, "")).await);
    assert!(empty.field_message("week[days]").is_some());
    contracts::hours::submit_week(state, c.fay, hourly, &week_of(first, "8"))
        .await
        .expect("first week");
    let again =
        refusal(contracts::hours::submit_week(state, c.fay, hourly, &week_of(first, "8")).await);
    assert!(again.field_message("week[week]").is_some());
    let meadow = contracts::hours::answer_week(
        state,
        c.meadow,
        c.mia,
        hourly,
        monday_of(first),
        Decision::Approve,
    )
    .await;
    assert_eq!(refusal(meadow), AppError::NotFound);
    contracts::hours::answer_week(
        state,
        c.harbour,
        c.hana,
        hourly,
        monday_of(first),
        Decision::Approve,
    )
    .await
    .expect("approve");
    assert_eq!(
        contract_state(db, hourly).await,
        (
            "active".to_owned(),
            vec![
                ("hired".to_owned(), 0),
                ("hours_approved".to_owned(), 20_800)
            ]
        )
    );

    // After the last day: its week is disputed, corrected, and approved with fewer hours;
    // that settles the job.
    state.clock.set_offset(Duration::days(16));
    contracts::hours::submit_week(state, c.fay, hourly, &week_of(last, "6"))
        .await
        .expect("last week");
    contracts::hours::answer_week(
        state,
        c.harbour,
        c.hana,
        hourly,
        monday_of(last),
        Decision::Dispute {
            reason: "You left at two.",
        },
    )
    .await
    .expect("dispute");
    contracts::hours::submit_week(state, c.fay, hourly, &week_of(last, "5"))
        .await
        .expect("resubmit");
    let adjusted = week_of(last, "4.5");
    contracts::hours::answer_week(
        state,
        c.harbour,
        c.hana,
        hourly,
        monday_of(last),
        Decision::Adjust {
            hours: &adjusted,
            reason: "Left at half past one.",
        },
    )
    .await
    .expect("adjust");
    assert_eq!(
        contract_state(db, hourly).await,
        (
            "completed".to_owned(),
            vec![
                ("hired".to_owned(), 0),
                ("hours_approved".to_owned(), 20_800),
                // The second week was disputed, corrected and then adjusted.
                ("disputed".to_owned(), 15_600),
                ("dispute_settled".to_owned(), 0),
                ("hours_approved".to_owned(), 11_700)
            ]
        )
    );

    // A fixed-price job: the work is handed over once the job has started, disputed, handed
    // over again, and approved by the upkeep job when nobody answers.
    let fixed = JobBuilder::from(hire_day(18), hire_day(20))
        .pays("fixed", "900")
        .open(state, c.harbour, c.hana)
        .await;
    let fixed = c.hire(state, c.finn, fixed).await;
    let early = contracts::hours::submit_delivery(state, c.finn, fixed, "All done").await;
    assert_eq!(refusal(early), Refusal::HandOverBeforeStart.into());
    state.clock.set_offset(Duration::days(19));
    let blank = contracts::hours::submit_delivery(state, c.finn, fixed, " ").await;
    assert!(refusal(blank).field_message("note").is_some());
    contracts::hours::submit_delivery(state, c.finn, fixed, "Counters in, shelving up.")
        .await
        .expect("hand over");
    contracts::hours::answer_delivery(
        state,
        c.harbour,
        c.hana,
        fixed,
        Some("The back shelving is missing."),
    )
    .await
    .expect("dispute");
    contracts::hours::submit_delivery(state, c.finn, fixed, "Back shelving up too.")
        .await
        .expect("again");
    let week =
        contracts::hours::submit_week(state, c.finn, fixed, &week_of(hire_day(18), "8")).await;
    assert_eq!(refusal(week), Refusal::NotAnHourlyJob.into());
    state
        .clock
        .set_offset(Duration::days(19) + Duration::hours(73));
    assert_eq!(auto_approval_pass(state).await, 1);
    assert_eq!(
        contract_state(db, fixed).await,
        (
            "completed".to_owned(),
            vec![
                ("hired".to_owned(), 0),
                ("disputed".to_owned(), 90_000),
                ("dispute_settled".to_owned(), 0),
                ("work_approved".to_owned(), 90_000)
            ]
        )
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn unanswered_hours_are_approved_after_the_window(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = Cast::of(&app.state).await;
    let date = hire_day(1);
    let shift = c.open_shift(state, date, 1).await;
    let contract = c.hire(state, c.fay, shift).await;

    state.clock.set_offset(Duration::days(2));
    contracts::hours::submit_hours(state, c.fay, contract, &hours(date, "09:00", "17:30", "30"))
        .await
        .expect("submit");
    assert_eq!(auto_approval_pass(state).await, 0, "inside the window");

    // The configured window is 72 hours.
    state
        .clock
        .set_offset(Duration::days(2) + Duration::hours(73));
    // A claim far past the schedule (one left from before claims were capped) waits for a
    // person, however long it stays unanswered.
    let claimed = |minutes: i32| {
        sqlx::query!(
            "UPDATE timesheets SET minutes = $2, claimed_minutes = $2 WHERE contract_id = $1",
            contract.0,
            minutes
        )
        .execute(db)
    };
    claimed(14 * 60).await.expect("inflate");
    assert_eq!(auto_approval_pass(state).await, 0);
    claimed(8 * 60).await.expect("restore");
    assert_eq!(auto_approval_pass(state).await, 1);
    assert_eq!(auto_approval_pass(state).await, 0, "once");
    let row = sqlx::query!(
        r#"SELECT t.status AS "status: TimesheetStatus", c.status AS "contract: ContractStatus", t.amount_minor
           FROM timesheets t JOIN contracts c USING (contract_id) WHERE contract_id = $1"#,
        contract.0
    )
    .fetch_one(db)
    .await
    .expect("row");
    assert_eq!(
        (row.status, row.contract, row.amount_minor),
        (
            TimesheetStatus::AutoApproved,
            ContractStatus::Completed,
            12800
        )
    );
    let booked = sqlx::query_scalar!(
        "SELECT amount_minor FROM contract_events WHERE contract_id = $1 AND kind = 'hours_approved'",
        contract.0
    )
    .fetch_all(db)
    .await
    .expect("events");
    assert_eq!(booked, [12800]);
}

/// One pass of the auto-approval job: how many timesheets and deliveries it approved.
async fn auto_approval_pass(state: &app::state::AppState) -> usize {
    let job = server::jobs::hire::AutoApproval::new(state.clone());
    let pass = server::jobs::pass(&state.db, &job)
        .await
        .expect("auto-approval pass");
    assert_eq!(pass.failed, 0, "no item failed");
    pass.done
}
