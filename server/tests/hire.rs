//! The Hire face in the real database: reference data and radius search; the whole flow from
//! posting a shift to approved hours; seats under concurrent offers; the cancellation policy;
//! auto-approval; and that organisations and freelancers only ever reach their own records.

mod common;

use app::error::AppError;
use app::ids::{ApplicationId, ContractId, OrganisationId, PostingId, UserId};
use app::marketplace::model::{
    ContractEventKind, ContractStatus, HoursInput, PostingStatus, ProfileInput, ShiftInput, Side,
    TimesheetStatus,
};
use app::marketplace::repo::{self, ContractScope};
use app::marketplace::service::{self, Decision, HireError};
use app::state::AppState;
use chrono::{Duration, NaiveDate, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::collections::BTreeMap;

#[sqlx::test(migrations = "../migrations")]
async fn the_bundled_cities_answer_radius_searches(_: PgPoolOptions, options: PgConnectOptions) {
    let db = PgPoolOptions::new()
        .connect_with(options)
        .await
        .expect("db");
    let mut conn = db.acquire().await.expect("connection");

    let reference = repo::reference(&mut conn).await.expect("reference");
    assert!(reference.cities.len() >= 30, "about 30 cities or more");
    assert!(
        reference
            .cities
            .iter()
            .any(|c| c.name == "'s-Hertogenbosch")
    );
    assert!(
        reference.skills.iter().all(|c| !c.skills.is_empty()),
        "every category has skills"
    );
    assert_eq!(reference.skills[0].id, "hospitality", "taxonomy order");
    assert!(
        reference
            .certificates
            .iter()
            .any(|c| c.id == "forklift-licence" && c.expires)
    );

    let near: Vec<(String, f64)> = repo::cities_within(&mut conn, "nl-amsterdam", 60.0)
        .await
        .expect("radius")
        .into_iter()
        .map(|(city, km)| (city.id, km))
        .collect();
    assert_eq!(near[0], ("nl-amsterdam".to_owned(), 0.0));
    let km = |id: &str| near.iter().find(|(c, _)| c == id).map(|(_, km)| *km);
    let rotterdam = km("nl-rotterdam").expect("Rotterdam is within 60 km");
    assert!(
        (55.0..60.0).contains(&rotterdam),
        "Amsterdam–Rotterdam {rotterdam} km"
    );
    assert!(km("nl-utrecht").is_some_and(|d| (33.0..38.0).contains(&d)));
    assert_eq!(km("nl-groningen"), None, "Groningen is ~145 km away");
    assert!(near.windows(2).all(|w| w[0].1 <= w[1].1), "nearest first");

    assert!(
        repo::cities_within(&mut conn, "nl-nowhere", 60.0)
            .await
            .expect("query")
            .is_empty()
    );
}

/// The demo people and organisations the tests act as.
struct Cast {
    harbour: OrganisationId,
    meadow: OrganisationId,
    hana: UserId,
    mia: UserId,
    fay: UserId,
    finn: UserId,
}

async fn user(db: &sqlx::PgPool, email: &str) -> UserId {
    UserId(
        sqlx::query_scalar!(
            "SELECT user_id FROM users WHERE email = $1::text::citext",
            email
        )
        .fetch_one(db)
        .await
        .expect("user"),
    )
}

async fn organisation(db: &sqlx::PgPool, slug: &str) -> OrganisationId {
    OrganisationId(
        sqlx::query_scalar!(
            "SELECT organisation_id FROM organisations WHERE slug = $1",
            slug
        )
        .fetch_one(db)
        .await
        .expect("organisation"),
    )
}

fn profile_input(city: &str) -> ProfileInput {
    ProfileInput {
        headline: "Barista and bartender".into(),
        bio: "Ten years behind the bar.".into(),
        city: city.into(),
        travel_km: "40".into(),
        min_rate: "15,00".into(),
        languages: "nl, EN".into(),
        skills: BTreeMap::from([
            ("barista".into(), "3".into()),
            ("bartending".into(), "0".into()),
        ]),
        week: BTreeMap::from([
            ("1_from".into(), "08:00".into()),
            ("1_to".into(), "17:00".into()),
        ]),
    }
}

async fn cast(app: &common::App) -> Cast {
    let db = &app.db;
    let cast = Cast {
        harbour: organisation(db, "harbour-hotels").await,
        meadow: organisation(db, "meadow-events").await,
        hana: user(db, "hana@olivine.test").await,
        mia: user(db, "mia@olivine.test").await,
        fay: user(db, "fay@olivine.test").await,
        finn: user(db, "finn@olivine.test").await,
    };
    for who in [cast.fay, cast.finn] {
        service::save_profile(&app.state, who, &profile_input("nl-utrecht"))
            .await
            .expect("profile");
    }
    cast
}

/// Today on the Hire wall clock (the database's zone rules), `days` ahead.
fn day(days: i64) -> NaiveDate {
    (Utc::now() + Duration::days(days)).date_naive()
}

fn shift_input(date: NaiveDate, headcount: u32) -> ShiftInput {
    ShiftInput {
        title: "Barista, Christmas market".into(),
        description: "Coffee for the crowds.".into(),
        city: "nl-utrecht".into(),
        address: "Vredenburg 1".into(),
        date: date.format("%Y-%m-%d").to_string(),
        starts: "09:00".into(),
        ends: "17:30".into(),
        break_minutes: "30".into(),
        headcount: headcount.to_string(),
        wage: "16.00".into(),
        skills: BTreeMap::from([("barista".into(), "2".into())]),
    }
}

/// A published shift of `organisation` on `date`.
async fn open_shift(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    date: NaiveDate,
    headcount: u32,
) -> PostingId {
    let id = service::create_shift(state, organisation, by, &shift_input(date, headcount))
        .await
        .expect("create shift");
    service::change_shift(state, organisation, by, id, PostingStatus::Published)
        .await
        .expect("publish");
    id
}

fn refusal(result: Result<impl std::fmt::Debug, HireError>) -> AppError {
    match result {
        Err(HireError::Refused(error)) => error,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn posting(db: &sqlx::PgPool, id: PostingId) -> (String, i32) {
    let row = sqlx::query!(
        "SELECT status::text AS \"status!\", seats_taken FROM postings WHERE posting_id = $1",
        id.0
    )
    .fetch_one(db)
    .await
    .expect("posting");
    (row.status, row.seats_taken)
}

async fn application_status(db: &sqlx::PgPool, id: ApplicationId) -> String {
    sqlx::query_scalar!(
        "SELECT status::text AS \"s!\" FROM applications WHERE application_id = $1",
        id.0
    )
    .fetch_one(db)
    .await
    .expect("application")
}

fn hours(date: NaiveDate, starts: &str, ends: &str, break_minutes: &str) -> HoursInput {
    HoursInput {
        date: date.format("%Y-%m-%d").to_string(),
        starts: starts.into(),
        ends: ends.into(),
        break_minutes: break_minutes.into(),
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_shift_goes_from_posting_to_approved_hours(_: PgPoolOptions, options: PgConnectOptions) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = cast(&app).await;

    // The profile is saved as typed, and saving it made Fay a freelancer.
    let mut conn = db.acquire().await.expect("connection");
    let profile = repo::profile(&mut conn, c.fay)
        .await
        .expect("profile")
        .expect("exists");
    assert_eq!(profile.languages, ["nl", "en"]);
    assert_eq!(profile.skills.len(), 1, "level 0 means not chosen");
    assert_eq!(profile.min_rate.minor(), 1500);
    drop(conn);

    // A draft is invisible to freelancers until published.
    let date = day(3);
    let draft = service::create_shift(state, c.harbour, c.hana, &shift_input(date, 1))
        .await
        .expect("draft");
    assert_eq!(
        refusal(service::apply(state, c.fay, draft, "").await),
        AppError::NotFound
    );
    service::change_shift(state, c.harbour, c.hana, draft, PostingStatus::Published)
        .await
        .expect("publish");

    // Fay finds it within her radius, applies; applying twice is refused.
    let mut conn = db.acquire().await.expect("connection");
    let filter = app::marketplace::model::WorkFilter::from_query("", "", "barista", "", 1);
    let (found, total) = repo::open_shifts(&mut conn, c.fay, &filter, state.clock.now(), 20)
        .await
        .expect("work");
    assert_eq!((total, found[0].id), (1, draft));
    assert_eq!(found[0].distance_km.map(f64::round), Some(0.0));
    drop(conn);
    let application = service::apply(state, c.fay, draft, "I know the market.")
        .await
        .expect("apply");
    assert!(
        refusal(service::apply(state, c.fay, draft, "").await)
            .to_string()
            .contains("already applied")
    );

    // Harbour offers; the seat is held and the shift is filled; Fay accepts: a contract.
    service::offer(state, c.harbour, application)
        .await
        .expect("offer");
    assert_eq!(posting(db, draft).await, ("filled".into(), 1));
    let contract = service::accept_offer(state, c.fay, application)
        .await
        .expect("accept");
    assert_eq!(application_status(db, application).await, "hired");

    // Hours can't be submitted before the shift starts.
    let early =
        service::submit_hours(state, c.fay, contract, &hours(date, "09:00", "17:30", "30")).await;
    assert!(
        refusal(early)
            .to_string()
            .contains("once the shift has started")
    );

    // Four days later: Fay submits 8 h 30 less 30 min; €16/h → €128.00.
    state.clock.set_offset(Duration::days(4));
    let wrong_day = service::submit_hours(
        state,
        c.fay,
        contract,
        &hours(day(4), "09:00", "17:30", "30"),
    )
    .await;
    assert!(refusal(wrong_day).field_message("hours[date]").is_some());
    let bad = service::submit_hours(
        state,
        c.fay,
        contract,
        &hours(date, "09:00", "17:30", "600"),
    )
    .await;
    assert!(refusal(bad).field_message("hours[break_minutes]").is_some());
    service::submit_hours(state, c.fay, contract, &hours(date, "09:00", "17:30", "30"))
        .await
        .expect("submit");
    let again =
        service::submit_hours(state, c.fay, contract, &hours(date, "09:00", "17:30", "30")).await;
    assert!(refusal(again).to_string().contains("already submitted"));

    // Harbour disputes; Fay corrects and resubmits; Harbour adjusts to 7 h with a reason.
    service::answer_hours(
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
    service::submit_hours(state, c.fay, contract, &hours(date, "09:00", "17:15", "30"))
        .await
        .expect("resubmit");
    let no_reason = service::answer_hours(
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
    service::answer_hours(
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
    let contracts = repo::contracts(
        &mut conn,
        ContractScope::Freelancer(c.fay),
        state.clock.now(),
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
            (ContractEventKind::HoursApproved, 11200)
        ]
    );

    // Completed history shows in the record: one shift, on time.
    let record = repo::profile(&mut conn, c.fay)
        .await
        .expect("profile")
        .expect("exists")
        .reliability;
    assert_eq!(
        (record.completed, record.on_time, record.attendance()),
        (1, 1, Some(1.0))
    );

    // Events are append-only.
    let rewrite = sqlx::query!(
        "UPDATE contract_events SET amount_cents = 1 WHERE contract_id = $1",
        contract.0
    )
    .execute(&mut *conn)
    .await;
    assert!(rewrite.is_err());
}

#[sqlx::test(migrations = "../migrations")]
async fn concurrent_offers_never_fill_more_seats_than_the_shift_has(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = cast(&app).await;
    let shift = open_shift(state, c.harbour, c.hana, day(5), 2).await;

    // Twelve freelancers apply.
    let mut applications = Vec::new();
    for n in 0..12 {
        let id = UserId(uuid::Uuid::now_v7());
        let mut conn = db.acquire().await.expect("connection");
        app::accounts::repo::insert_user(
            &mut conn,
            id,
            &format!("f{n}@example.com"),
            &format!("Freelancer {n}"),
            None,
            true,
        )
        .await
        .expect("user");
        drop(conn);
        service::save_profile(state, id, &profile_input("nl-amersfoort"))
            .await
            .expect("profile");
        applications.push(service::apply(state, id, shift, "").await.expect("apply"));
    }
    // Two managers' worth of offers race for the two seats.
    let offers = applications.iter().map(|a| {
        let state = state.clone();
        let (org, a) = (c.harbour, *a);
        tokio::spawn(async move { service::offer(&state, org, a).await })
    });
    let results = futures::future::join_all(offers).await;
    let made = results.iter().filter(|r| matches!(r, Ok(Ok(())))).count();
    assert_eq!(made, 2, "exactly the headcount is offered");
    assert!(results.iter().all(|r| match r {
        Ok(Ok(())) => true,
        Ok(Err(HireError::Refused(e))) => e.to_string().contains("Every place"),
        _ => false,
    }));
    assert_eq!(posting(db, shift).await, ("filled".into(), 2));

    // A declined offer frees its seat and opens the shift again; a third offer now fits.
    let mut offered = Vec::new();
    for a in &applications {
        if application_status(db, *a).await == "offered" {
            offered.push(*a);
        }
    }
    let holder = sqlx::query_scalar!(
        "SELECT freelancer_id FROM applications WHERE application_id = $1",
        offered[0].0
    )
    .fetch_one(db)
    .await
    .expect("holder");
    assert!(
        refusal(service::step_back(state, UserId(holder), offered[0], "").await)
            .field_message("reason")
            .is_some()
    );
    service::step_back(state, UserId(holder), offered[0], "Found other work.")
        .await
        .expect("decline");
    assert_eq!(application_status(db, offered[0]).await, "declined");
    assert_eq!(posting(db, shift).await, ("published".into(), 1));
    let waiting = applications
        .iter()
        .find(|a| !offered.contains(a))
        .copied()
        .expect("one still waiting");
    service::offer(state, c.harbour, waiting)
        .await
        .expect("third offer");
    assert_eq!(posting(db, shift).await, ("filled".into(), 2));
}

#[sqlx::test(migrations = "../migrations")]
async fn cancellations_follow_the_policy(_: PgPoolOptions, options: PgConnectOptions) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = cast(&app).await;
    let hire = |shift: PostingId, who: UserId| {
        let state = state.clone();
        async move {
            let a = service::apply(&state, who, shift, "").await.expect("apply");
            service::offer(&state, c.harbour, a).await.expect("offer");
            service::accept_offer(&state, who, a).await.expect("accept")
        }
    };
    // In a week: the organisation cancels early and owes nothing.
    let early = open_shift(state, c.harbour, c.hana, day(7), 2).await;
    let contract = hire(early, c.fay).await;
    service::cancel_contract(
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
    let late = open_shift(state, c.harbour, c.hana, day(2), 2).await;
    let by_client = hire(late, c.fay).await;
    let by_freelancer = hire(late, c.finn).await;
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
    service::cancel_contract(
        state,
        Side::Organisation,
        c.harbour.0,
        c.hana,
        by_client,
        "Fewer guests.",
    )
    .await
    .expect("late client");
    service::cancel_contract(
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
    assert!(
        refusal(
            service::cancel_contract(state, Side::Freelancer, c.fay.0, c.fay, by_client, "x").await
        )
        .to_string()
        .contains("cancelled")
    );

    let events = sqlx::query!(
        r#"SELECT contract_id, kind AS "kind: ContractEventKind", late, amount_cents FROM contract_events
           WHERE kind <> 'hired' ORDER BY recorded_at"#
    )
    .fetch_all(db)
    .await
    .expect("events");
    let seen: Vec<_> = events
        .iter()
        .map(|e| (ContractId(e.contract_id), e.kind, e.late, e.amount_cents))
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
        posting(db, late).await,
        ("published".into(), 0),
        "seats given back"
    );
    let mut conn = db.acquire().await.expect("connection");
    let finn = repo::profile(&mut conn, c.finn)
        .await
        .expect("profile")
        .expect("exists")
        .reliability;
    assert_eq!((finn.late_cancellations, finn.attendance()), (1, Some(0.0)));

    // After the start, cancelling is refused and a no-show is recorded instead.
    let third_shift = open_shift(state, c.harbour, c.hana, day(3), 1).await;
    let third = hire(third_shift, c.fay).await;
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
    assert!(
        refusal(
            service::cancel_contract(state, Side::Organisation, c.harbour.0, c.hana, third, "x")
                .await
        )
        .to_string()
        .contains("started")
    );
    service::record_no_show(state, c.harbour, c.hana, third)
        .await
        .expect("no-show");
    let fay = repo::profile(&mut conn, c.fay)
        .await
        .expect("profile")
        .expect("exists")
        .reliability;
    assert_eq!(fay.no_shows, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn unanswered_hours_are_approved_after_the_window(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = cast(&app).await;
    let date = day(1);
    let shift = open_shift(state, c.harbour, c.hana, date, 1).await;
    let a = service::apply(state, c.fay, shift, "")
        .await
        .expect("apply");
    service::offer(state, c.harbour, a).await.expect("offer");
    let contract = service::accept_offer(state, c.fay, a)
        .await
        .expect("accept");

    state.clock.set_offset(Duration::days(2));
    service::submit_hours(state, c.fay, contract, &hours(date, "09:00", "17:30", "30"))
        .await
        .expect("submit");
    assert_eq!(
        service::auto_approve_due(state).await.expect("pass"),
        0,
        "inside the window"
    );

    // The configured window is 72 hours.
    state
        .clock
        .set_offset(Duration::days(2) + Duration::hours(73));
    assert_eq!(service::auto_approve_due(state).await.expect("pass"), 1);
    assert_eq!(
        service::auto_approve_due(state).await.expect("pass"),
        0,
        "once"
    );
    let row = sqlx::query!(
        r#"SELECT t.status AS "status: TimesheetStatus", c.status AS "contract: ContractStatus", t.amount_cents
           FROM timesheets t JOIN contracts c USING (contract_id) WHERE contract_id = $1"#,
        contract.0
    )
    .fetch_one(db)
    .await
    .expect("row");
    assert_eq!(
        (row.status, row.contract, row.amount_cents),
        (
            TimesheetStatus::AutoApproved,
            ContractStatus::Completed,
            12800
        )
    );
    let booked = sqlx::query_scalar!(
        "SELECT amount_cents FROM contract_events WHERE contract_id = $1 AND kind = 'hours_approved'",
        contract.0
    )
    .fetch_all(db)
    .await
    .expect("events");
    assert_eq!(booked, [12800]);
}

#[sqlx::test(migrations = "../migrations")]
async fn organisations_and_freelancers_reach_only_their_own(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = cast(&app).await;
    let harbour_shift = open_shift(state, c.harbour, c.hana, day(4), 3).await;
    let meadow_draft = service::create_shift(state, c.meadow, c.mia, &shift_input(day(4), 1))
        .await
        .expect("draft");
    let fay_applies = service::apply(state, c.fay, harbour_shift, "")
        .await
        .expect("apply");

    // Meadow can't see, offer, reject or change Harbour's shift, applicants or contracts.
    let mut conn = db.acquire().await.expect("connection");
    assert!(
        repo::shift(&mut conn, harbour_shift, Some(c.meadow), None)
            .await
            .expect("query")
            .is_none()
    );
    assert!(
        repo::applicants(&mut conn, c.meadow, harbour_shift)
            .await
            .expect("query")
            .is_empty()
    );
    assert_eq!(
        refusal(service::offer(state, c.meadow, fay_applies).await),
        AppError::NotFound
    );
    assert_eq!(
        refusal(service::reject(state, c.meadow, fay_applies, "No").await),
        AppError::NotFound
    );
    assert_eq!(
        refusal(
            service::change_shift(
                state,
                c.meadow,
                c.mia,
                harbour_shift,
                PostingStatus::Cancelled
            )
            .await
        ),
        AppError::NotFound
    );
    // Nobody outside Meadow finds its draft, not even through the published-shift page.
    assert!(
        repo::shift(&mut conn, meadow_draft, None, Some(c.fay))
            .await
            .expect("query")
            .is_none()
    );
    assert!(
        repo::shift(&mut conn, meadow_draft, Some(c.harbour), None)
            .await
            .expect("query")
            .is_none()
    );
    assert_eq!(
        repo::organisation_shifts(&mut conn, c.meadow)
            .await
            .expect("list")
            .len(),
        1
    );

    // Finn can't withdraw or accept Fay's application, or see it among his own.
    assert_eq!(
        refusal(service::step_back(state, c.finn, fay_applies, "Mine now").await),
        AppError::NotFound
    );
    service::offer(state, c.harbour, fay_applies)
        .await
        .expect("offer");
    assert_eq!(
        refusal(service::accept_offer(state, c.finn, fay_applies).await),
        AppError::NotFound
    );
    assert!(
        repo::my_applications(&mut conn, c.finn, None)
            .await
            .expect("list")
            .is_empty()
    );
    let contract = service::accept_offer(state, c.fay, fay_applies)
        .await
        .expect("accept");

    // Contracts: each side sees its own; the others reach nothing.
    assert_eq!(
        repo::contracts(
            &mut conn,
            ContractScope::Freelancer(c.fay),
            state.clock.now()
        )
        .await
        .expect("list")
        .len(),
        1
    );
    assert!(
        repo::contracts(
            &mut conn,
            ContractScope::Freelancer(c.finn),
            state.clock.now()
        )
        .await
        .expect("list")
        .is_empty()
    );
    assert!(
        repo::contracts(
            &mut conn,
            ContractScope::Posting(c.meadow, harbour_shift),
            state.clock.now()
        )
        .await
        .expect("list")
        .is_empty()
    );
    state.clock.set_offset(Duration::days(5));
    let date = day(4);
    assert_eq!(
        refusal(
            service::submit_hours(state, c.finn, contract, &hours(date, "09:00", "17:00", "0"))
                .await
        ),
        AppError::NotFound
    );
    assert_eq!(
        refusal(service::record_no_show(state, c.meadow, c.mia, contract).await),
        AppError::NotFound
    );
    service::submit_hours(state, c.fay, contract, &hours(date, "09:00", "17:00", "0"))
        .await
        .expect("submit");
    assert_eq!(
        refusal(service::answer_hours(state, c.meadow, c.mia, contract, Decision::Approve).await),
        AppError::NotFound
    );
    assert_eq!(
        refusal(
            service::cancel_contract(state, Side::Organisation, c.meadow.0, c.mia, contract, "x")
                .await
        ),
        AppError::NotFound
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_hire_demo_seed_is_complete_and_idempotent(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let first = server::seed::seed_hire(&app.db, day(0))
        .await
        .expect("seed");
    assert_eq!(first.freelancers, server::seed::FREELANCERS);
    assert!((75..=90).contains(&first.shifts), "{first:?}");
    let again = server::seed::seed_hire(&app.db, day(0))
        .await
        .expect("again");
    assert_eq!((again.freelancers, again.shifts), (0, 0));
    let row = sqlx::query!(
        r#"SELECT count(*) AS "profiles!", count(DISTINCT city_id) AS "cities!" FROM freelancer_profiles"#
    )
    .fetch_one(&app.db)
    .await
    .expect("counts");
    assert_eq!(row.profiles, 502, "500 generated plus Fay and Finn");
    assert!(
        row.cities >= 30,
        "30 cities for the generated ones, and Fay's and Finn's"
    );
    let organisations = sqlx::query_scalar!(
        r#"SELECT count(DISTINCT organisation_id) AS "n!" FROM postings WHERE status = 'published'"#
    )
    .fetch_one(&app.db)
    .await
    .expect("organisations");
    assert_eq!(organisations, 3);
}
