//! Hire in the real database. Contracts: a shift from posting to approved hours and ratings, and the cancellation policy.

mod common;

use app::error::AppError;
use app::hire::contracts::hours::Decision;
use app::hire::contracts::model::{ContractEventKind, ContractStatus, TimesheetStatus};
use app::hire::contracts::repo::ContractScope;
use app::hire::postings::model::{PostingKind, PostingStatus};
use app::hire::reference::model::Side;
use app::hire::refusal::Refusal;
use app::hire::{applications, contracts, postings, profiles, ratings};
use app::ids::ContractId;
use chrono::{Duration, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use test_support::hire::{Cast, ShiftBuilder, application_status, hire_day, hours, posting_state};
use test_support::refusal;

#[sqlx::test(migrations = "../migrations")]
async fn a_shift_goes_from_posting_to_approved_hours(_: PgPoolOptions, options: PgConnectOptions) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = Cast::of(&app.state).await;

    // The profile is saved as typed, and saving it made Fay a freelancer.
    let mut conn = db.acquire().await.expect("connection");
    let profile = profiles::repo::profile(&mut conn, &state.vault, c.fay)
        .await
        .expect("profile")
        .expect("exists");
    assert_eq!(profile.languages, ["nl", "en"]);
    assert_eq!(profile.skills.len(), 1, "level 0 means not chosen");
    assert_eq!(profile.min_rate.minor(), 1500);
    drop(conn);

    // A draft is invisible to freelancers until published.
    let date = hire_day(3);
    let draft = ShiftBuilder::on(date).draft(state, c.harbour, c.hana).await;
    assert_eq!(
        refusal(applications::service::apply(state, c.fay, draft, "", "").await),
        AppError::NotFound
    );
    postings::service::change_shift(state, c.harbour, c.hana, draft, PostingStatus::Published)
        .await
        .expect("publish");

    // Fay finds it within her radius, applies; applying twice is refused.
    let mut conn = db.acquire().await.expect("connection");
    let filter = app::hire::postings::model::WorkFilter::from_query("", "", "barista", "", 1);
    let (found, total) =
        postings::repo::open_shifts(&mut conn, Some(c.fay), &filter, state.clock.now(), 20)
            .await
            .expect("work");
    assert_eq!((total, found[0].id), (1, draft));
    assert_eq!(found[0].distance_km.map(f64::round), Some(0.0));
    assert!(!found[0].needs_certificates);
    // A page past the last still knows how many there are.
    let beyond = app::hire::postings::model::WorkFilter::from_query("", "", "barista", "", 3);
    let (none, total) =
        postings::repo::open_shifts(&mut conn, Some(c.fay), &beyond, state.clock.now(), 20)
            .await
            .expect("work");
    assert_eq!((none.len(), total), (0, 1));
    drop(conn);
    let application = applications::service::apply(state, c.fay, draft, "I know the market.", "")
        .await
        .expect("apply");
    assert_eq!(
        refusal(applications::service::apply(state, c.fay, draft, "", "").await),
        Refusal::AlreadyApplied.into()
    );

    // Harbour offers; the seat is held and the shift is filled; Fay accepts: a contract.
    applications::service::offer(state, c.harbour, c.hana, application)
        .await
        .expect("offer");
    assert_eq!(posting_state(db, draft).await, ("filled".into(), 1));
    let contract = applications::service::accept_offer(state, c.fay, application)
        .await
        .expect("accept");
    assert_eq!(application_status(db, application).await, "hired");
    // The offer and the hire are in the audit trail, each by the person who acted.
    let audited: Vec<(String, Option<uuid::Uuid>)> = sqlx::query_as(
        "SELECT action, actor_id FROM audit_log
         WHERE action IN ('offer_made', 'contract_hired') ORDER BY chain_seq",
    )
    .fetch_all(db)
    .await
    .expect("audit");
    assert_eq!(
        audited,
        [
            ("offer_made".to_owned(), Some(c.hana.0)),
            ("contract_hired".to_owned(), Some(c.fay.0))
        ]
    );
    let too_soon =
        ratings::service::rate_contract(state, Side::Freelancer, c.fay.0, c.fay, contract, "5", "");
    assert_eq!(refusal(too_soon.await), Refusal::RatingTooEarly.into());

    // Hours can't be submitted before the shift starts.
    let early = contracts::hours::submit_hours(
        state,
        c.fay,
        contract,
        &hours(date, "09:00", "17:30", "30"),
    )
    .await;
    assert_eq!(refusal(early), Refusal::HoursBeforeStart.into());

    // Four days later: Fay submits 8 h 30 less 30 min; €16/h → €128.00.
    // (Hours on the day before the shift: already past at any time of day, unlike the day
    // after, whose 17:30 is still ahead of the moved clock for most of the day.)
    state.clock.set_offset(Duration::days(4));
    let wrong_day = contracts::hours::submit_hours(
        state,
        c.fay,
        contract,
        &hours(hire_day(2), "09:00", "17:30", "30"),
    )
    .await;
    assert!(refusal(wrong_day).field_message("hours[date]").is_some());
    let bad = contracts::hours::submit_hours(
        state,
        c.fay,
        contract,
        &hours(date, "09:00", "17:30", "600"),
    )
    .await;
    assert!(refusal(bad).field_message("hours[break_minutes]").is_some());
    // Far past the schedule (14 h paid for a shift of a working day) is refused, not left for
    // auto-approval to pay.
    let inflated = contracts::hours::submit_hours(
        state,
        c.fay,
        contract,
        &hours(date, "09:00", "23:30", "30"),
    )
    .await;
    assert!(refusal(inflated).field_message("hours[ends]").is_some());
    contracts::hours::submit_hours(state, c.fay, contract, &hours(date, "09:00", "17:30", "30"))
        .await
        .expect("submit");
    let again = contracts::hours::submit_hours(
        state,
        c.fay,
        contract,
        &hours(date, "09:00", "17:30", "30"),
    )
    .await;
    assert_eq!(refusal(again), Refusal::HoursAlreadySubmitted.into());

    // Harbour disputes; Fay corrects and resubmits; Harbour adjusts to 7 h with a reason.
    contracts::hours::answer_hours(
        state,
        c.harbour,
        c.hana,
        contract,
        Decision::Dispute {
            reason: "You left at 17:00.",
        },
    )
    .await
    .expect("dispute");
    contracts::hours::submit_hours(state, c.fay, contract, &hours(date, "09:00", "17:15", "30"))
        .await
        .expect("resubmit");
    let no_reason = contracts::hours::answer_hours(
        state,
        c.harbour,
        c.hana,
        contract,
        Decision::Adjust {
            hours: &hours(date, "09:00", "16:30", "30"),
            reason: " ",
        },
    )
    .await;
    assert!(refusal(no_reason).field_message("reason").is_some());
    contracts::hours::answer_hours(
        state,
        c.harbour,
        c.hana,
        contract,
        Decision::Adjust {
            hours: &hours(date, "09:00", "16:30", "30"),
            reason: "Left at 16:30 per the door log.",
        },
    )
    .await
    .expect("adjust");

    let mut conn = db.acquire().await.expect("connection");
    let contracts = contracts::repo::contracts(
        &mut conn,
        &state.vault,
        ContractScope::Freelancer(c.fay),
        state.clock.now(),
        chrono::Duration::days(3),
    )
    .await
    .expect("contracts");
    let view = &contracts[0];
    assert_eq!(view.status, ContractStatus::Completed);
    let sheet = view.timesheet.as_ref().expect("timesheet");
    assert_eq!(
        (sheet.status, sheet.claimed_minutes, sheet.minutes),
        (TimesheetStatus::Adjusted, 465, 420)
    );
    assert_eq!(sheet.amount.minor(), 11200, "7 h × €16");
    let kinds: Vec<_> = view
        .events
        .iter()
        .map(|e| (e.kind, e.amount.minor()))
        .collect();
    assert_eq!(
        kinds,
        [
            (ContractEventKind::Hired, 0),
            // The first claim was disputed, then corrected: the dispute settled.
            (ContractEventKind::Disputed, 12800),
            (ContractEventKind::DisputeSettled, 0),
            (ContractEventKind::HoursApproved, 11200)
        ]
    );
    assert!(view.disputes.is_empty(), "a settled dispute is history");

    // Completed history shows in the record: one shift, on time.
    let record = profiles::repo::profile(&mut conn, &state.vault, c.fay)
        .await
        .expect("profile")
        .expect("exists")
        .reliability;
    assert_eq!(
        (record.completed, record.on_time, record.attendance()),
        (1, 1, Some(1.0))
    );
    drop(conn);

    // Both sides rate each other once; others can't rate this contract.
    let harbour_rates = |stars: &'static str| {
        ratings::service::rate_contract(
            state,
            Side::Organisation,
            c.harbour.0,
            c.hana,
            contract,
            stars,
            "Great with the queue.",
        )
    };
    assert!(
        refusal(harbour_rates("6").await)
            .field_message("stars")
            .is_some()
    );
    harbour_rates("5").await.expect("harbour rates");
    assert_eq!(
        refusal(harbour_rates("4").await),
        Refusal::AlreadyRated.into()
    );
    let meadow = ratings::service::rate_contract(
        state,
        Side::Organisation,
        c.meadow.0,
        c.mia,
        contract,
        "1",
        "",
    );
    assert_eq!(refusal(meadow.await), AppError::NotFound);
    let finn = ratings::service::rate_contract(
        state,
        Side::Freelancer,
        c.finn.0,
        c.finn,
        contract,
        "1",
        "",
    );
    assert_eq!(refusal(finn.await), AppError::NotFound);
    ratings::service::rate_contract(
        state,
        Side::Freelancer,
        c.fay.0,
        c.fay,
        contract,
        "4",
        "Busy but fair.",
    )
    .await
    .expect("fay rates");
    let mut conn = db.acquire().await.expect("connection");
    let record = profiles::repo::reliability(&mut conn, &[c.fay])
        .await
        .expect("record")[0]
        .1;
    assert_eq!((record.ratings, record.average_rating()), (1, Some(5.0)));
    assert_eq!(
        postings::repo::organisation_rating(&mut conn, c.harbour)
            .await
            .expect("rating"),
        (Some(4.0), 1)
    );
    let view = contracts::repo::contracts(
        &mut conn,
        &state.vault,
        ContractScope::Freelancer(c.fay),
        state.clock.now(),
        chrono::Duration::days(3),
    )
    .await
    .expect("contracts")
    .remove(0);
    assert_eq!(view.rating_by(Side::Organisation).map(|r| r.stars), Some(5));
    assert!(!view.awaits_rating_by(Side::Freelancer));

    // Fay worked for Harbour: its managers can invite her back to its next shift; Meadow's
    // list is its own.
    let next = c.open_shift(state, hire_day(10), 1).await;
    let back = applications::repo::past_workers(&mut conn, &state.vault, c.harbour, next)
        .await
        .expect("past workers");
    assert_eq!(
        back.iter()
            .map(|w| (w.freelancer_id, w.shifts))
            .collect::<Vec<_>>(),
        [(c.fay, 1)]
    );
    assert!(
        applications::repo::past_workers(&mut conn, &state.vault, c.meadow, next)
            .await
            .expect("past workers")
            .is_empty()
    );

    // Events are append-only.
    let rewrite = sqlx::query!(
        "UPDATE contract_events SET amount_minor = 1 WHERE contract_id = $1",
        contract.0
    )
    .execute(&mut *conn)
    .await;
    assert!(rewrite.is_err());
}

#[sqlx::test(migrations = "../migrations")]
async fn cancellations_follow_the_policy(_: PgPoolOptions, options: PgConnectOptions) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = Cast::of(&app.state).await;
    // In a week: the organisation cancels early and owes nothing.
    let early = c.open_shift(state, hire_day(7), 2).await;
    let contract = c.hire(state, c.fay, early).await;
    contracts::service::cancel_contract(
        state,
        Side::Organisation,
        c.harbour.0,
        c.hana,
        contract,
        "Event moved.",
    )
    .await
    .expect("cancel");
    // The day after tomorrow, 09:00: move the clock to 12 hours before it, inside the notice period.
    let late = c.open_shift(state, hire_day(2), 2).await;
    let by_client = c.hire(state, c.fay, late).await;
    let by_freelancer = c.hire(state, c.finn, late).await;
    let starts = sqlx::query_scalar!(
        "SELECT starts_at FROM postings WHERE posting_id = $1",
        late.0
    )
    .fetch_one(db)
    .await
    .expect("start");
    state
        .clock
        .set_offset(starts - Duration::hours(12) - Utc::now());
    contracts::service::cancel_contract(
        state,
        Side::Organisation,
        c.harbour.0,
        c.hana,
        by_client,
        "Fewer guests.",
    )
    .await
    .expect("late client");
    contracts::service::cancel_contract(
        state,
        Side::Freelancer,
        c.finn.0,
        c.finn,
        by_freelancer,
        "Ill.",
    )
    .await
    .expect("late freelancer");
    // Cancelling twice is refused; the other side can't cancel a contract that isn't theirs.
    assert_eq!(
        refusal(
            contracts::service::cancel_contract(
                state,
                Side::Freelancer,
                c.fay.0,
                c.fay,
                by_client,
                "x"
            )
            .await
        ),
        Refusal::Contract(ContractStatus::Cancelled).into()
    );

    let events = sqlx::query!(
        r#"SELECT contract_id, kind AS "kind: ContractEventKind", late, amount_minor FROM contract_events
           WHERE kind <> 'hired' ORDER BY recorded_at"#
    )
    .fetch_all(db)
    .await
    .expect("events");
    let seen: Vec<_> = events
        .iter()
        .map(|e| (ContractId(e.contract_id), e.kind, e.late, e.amount_minor))
        .collect();
    assert_eq!(
        seen,
        [
            (contract, ContractEventKind::CancelledByClient, false, 0),
            // Half of 8 h at €16.
            (by_client, ContractEventKind::CancelledByClient, true, 6400),
            (
                by_freelancer,
                ContractEventKind::CancelledByFreelancer,
                true,
                0
            ),
        ]
    );
    assert_eq!(
        posting_state(db, late).await,
        ("published".into(), 0),
        "seats given back"
    );
    let mut conn = db.acquire().await.expect("connection");
    let finn = profiles::repo::profile(&mut conn, &state.vault, c.finn)
        .await
        .expect("profile")
        .expect("exists")
        .reliability;
    assert_eq!((finn.late_cancellations, finn.attendance()), (1, Some(0.0)));

    // After the start, cancelling is refused and a no-show is recorded instead.
    let third_shift = c.open_shift(state, hire_day(3), 1).await;
    let third = c.hire(state, c.fay, third_shift).await;
    let third_starts = sqlx::query_scalar!(
        "SELECT starts_at FROM postings WHERE posting_id = $1",
        third_shift.0
    )
    .fetch_one(db)
    .await
    .expect("start");
    state
        .clock
        .set_offset(third_starts + Duration::hours(1) - Utc::now());
    assert_eq!(
        refusal(
            contracts::service::cancel_contract(
                state,
                Side::Organisation,
                c.harbour.0,
                c.hana,
                third,
                "x"
            )
            .await
        ),
        Refusal::CancellingStarted(PostingKind::Shift).into()
    );
    contracts::service::record_no_show(state, c.harbour, c.hana, third)
        .await
        .expect("no-show");
    let fay = profiles::repo::profile(&mut conn, &state.vault, c.fay)
        .await
        .expect("profile")
        .expect("exists")
        .reliability;
    assert_eq!(fay.no_shows, 1);
}
