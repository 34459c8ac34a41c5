//! The Hire face in the real database: reference data and radius search; the whole flow from
//! posting a shift to approved hours; seats under concurrent offers; the cancellation policy;
//! auto-approval; and that organisations and freelancers only ever reach their own records.

mod common;

use app::error::AppError;
use app::error::ServiceError;
use app::hire::certificates::model::MAX_CERTIFICATE_BYTES;
use app::hire::certificates::service as certificates;
use app::hire::contracts::hours::Decision;
use app::hire::contracts::model::{
    ContractEventKind, ContractStatus, HoursInput, TimesheetStatus, WeekInput,
};
use app::hire::contracts::repo::ContractScope;
use app::hire::messages::service::{self as messages, Party};
use app::hire::postings::model::{Draft, JobInput, PostingStatus, ShiftInput};
use app::hire::profiles::model::ProfileInput;
use app::hire::reference::model::Side;
use app::hire::{applications, contracts, postings, profiles, ratings, reference};
use app::ids::{ApplicationId, CertificateId, ContractId, OrganisationId, PostingId, UserId};
use app::state::AppState;
use axum::http::StatusCode;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use common::{organisation, user};
use server::seed::DEMO_PASSWORD;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::collections::BTreeMap;

#[sqlx::test(migrations = "../migrations")]
async fn the_bundled_cities_answer_radius_searches(_: PgPoolOptions, options: PgConnectOptions) {
    let db = PgPoolOptions::new()
        .connect_with(options)
        .await
        .expect("db");
    let mut conn = db.acquire().await.expect("connection");

    let reference = reference::repo::reference(&mut conn)
        .await
        .expect("reference");
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

    let near: Vec<(String, f64)> = reference::repo::cities_within(&mut conn, "nl-amsterdam", 60.0)
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
        reference::repo::cities_within(&mut conn, "nl-nowhere", 60.0)
            .await
            .expect("query")
            .is_empty()
    );
}

/// The demo people and organisations the tests act as.
#[derive(Clone, Copy)]
struct Cast {
    harbour: OrganisationId,
    meadow: OrganisationId,
    hana: UserId,
    mia: UserId,
    fay: UserId,
    finn: UserId,
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
        profiles::service::save_profile(&app.state, who, &profile_input("nl-utrecht"))
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
        certificates: BTreeMap::new(),
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
    let id =
        postings::service::create_shift(state, organisation, by, &shift_input(date, headcount))
            .await
            .expect("create shift");
    postings::service::change_shift(state, organisation, by, id, PostingStatus::Published)
        .await
        .expect("publish");
    id
}

fn refusal(result: Result<impl std::fmt::Debug, ServiceError>) -> AppError {
    match result {
        Err(ServiceError::Refused(error)) => error,
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
    let profile = profiles::repo::profile(&mut conn, c.fay)
        .await
        .expect("profile")
        .expect("exists");
    assert_eq!(profile.languages, ["nl", "en"]);
    assert_eq!(profile.skills.len(), 1, "level 0 means not chosen");
    assert_eq!(profile.min_rate.minor(), 1500);
    drop(conn);

    // A draft is invisible to freelancers until published.
    let date = day(3);
    let draft = postings::service::create_shift(state, c.harbour, c.hana, &shift_input(date, 1))
        .await
        .expect("draft");
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
        postings::repo::open_shifts(&mut conn, c.fay, &filter, state.clock.now(), 20)
            .await
            .expect("work");
    assert_eq!((total, found[0].id), (1, draft));
    assert_eq!(found[0].distance_km.map(f64::round), Some(0.0));
    assert!(!found[0].needs_certificates);
    // A page past the last still knows how many there are.
    let beyond = app::hire::postings::model::WorkFilter::from_query("", "", "barista", "", 3);
    let (none, total) =
        postings::repo::open_shifts(&mut conn, c.fay, &beyond, state.clock.now(), 20)
            .await
            .expect("work");
    assert_eq!((none.len(), total), (0, 1));
    drop(conn);
    let application = applications::service::apply(state, c.fay, draft, "I know the market.", "")
        .await
        .expect("apply");
    assert!(
        refusal(applications::service::apply(state, c.fay, draft, "", "").await)
            .to_string()
            .contains("already applied")
    );

    // Harbour offers; the seat is held and the shift is filled; Fay accepts: a contract.
    applications::service::offer(state, c.harbour, c.hana, application)
        .await
        .expect("offer");
    assert_eq!(posting(db, draft).await, ("filled".into(), 1));
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
    assert!(
        refusal(too_soon.await)
            .to_string()
            .contains("once the shift is completed")
    );

    // Hours can't be submitted before the shift starts.
    let early = contracts::hours::submit_hours(
        state,
        c.fay,
        contract,
        &hours(date, "09:00", "17:30", "30"),
    )
    .await;
    assert!(
        refusal(early)
            .to_string()
            .contains("once the shift has started")
    );

    // Four days later: Fay submits 8 h 30 less 30 min; €16/h → €128.00.
    // (Hours on the day before the shift: already past at any time of day, unlike the day
    // after, whose 17:30 is still ahead of the moved clock for most of the day.)
    state.clock.set_offset(Duration::days(4));
    let wrong_day = contracts::hours::submit_hours(
        state,
        c.fay,
        contract,
        &hours(day(2), "09:00", "17:30", "30"),
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
    assert!(
        refusal(inflated)
            .field_message("hours[ends]")
            .is_some_and(|m| m.contains("plus an hour"))
    );
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
    assert!(refusal(again).to_string().contains("already submitted"));

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
    let record = profiles::repo::profile(&mut conn, c.fay)
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
    assert!(
        refusal(harbour_rates("4").await)
            .to_string()
            .contains("already rated")
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
        ContractScope::Freelancer(c.fay),
        state.clock.now(),
    )
    .await
    .expect("contracts")
    .remove(0);
    assert_eq!(view.rating_by(Side::Organisation).map(|r| r.stars), Some(5));
    assert!(!view.awaits_rating_by(Side::Freelancer));

    // Fay worked for Harbour: its managers can invite her back to its next shift; Meadow's
    // list is its own.
    let next = open_shift(state, c.harbour, c.hana, day(10), 1).await;
    let back = applications::repo::past_workers(&mut conn, c.harbour, next)
        .await
        .expect("past workers");
    assert_eq!(
        back.iter()
            .map(|w| (w.freelancer_id, w.shifts))
            .collect::<Vec<_>>(),
        [(c.fay, 1)]
    );
    assert!(
        applications::repo::past_workers(&mut conn, c.meadow, next)
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

fn upload(type_id: &str, expires_on: &str, bytes: &[u8]) -> certificates::Upload {
    certificates::Upload {
        type_id: type_id.into(),
        expires_on: expires_on.into(),
        file_name: "C:\\scans\\haccp.pdf".into(),
        bytes: bytes.to_vec(),
    }
}

async fn certificate_state(db: &sqlx::PgPool, id: CertificateId) -> (String, Option<NaiveDate>) {
    let row = sqlx::query!(
        r#"SELECT status::text AS "status!", expires_on FROM freelancer_certificates
           WHERE certificate_id = $1"#,
        id.0
    )
    .fetch_one(db)
    .await
    .expect("certificate");
    (row.status, row.expires_on)
}

const PDF: &[u8] = b"%PDF-1.4 a scanned certificate";

#[sqlx::test(migrations = "../migrations")]
async fn only_verified_unexpired_certificates_open_shifts_that_require_them(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = cast(&app).await;
    let admin = user(db, "admin@olivine.test").await;
    let iso = |d: NaiveDate| d.format("%Y-%m-%d").to_string();

    // A shift on day 10 requires food hygiene; unknown certificates are refused.
    let mut input = shift_input(day(10), 2);
    input.certificates = BTreeMap::from([("made-up".into(), "on".into())]);
    let unknown = postings::service::create_shift(state, c.harbour, c.hana, &input).await;
    assert!(
        refusal(unknown)
            .field_message("shift[certificates]")
            .is_some()
    );
    input.certificates = BTreeMap::from([("food-hygiene".into(), "on".into())]);
    let shift = postings::service::create_shift(state, c.harbour, c.hana, &input)
        .await
        .expect("shift");
    postings::service::change_shift(state, c.harbour, c.hana, shift, PostingStatus::Published)
        .await
        .expect("publish");
    let without = refusal(applications::service::apply(state, c.fay, shift, "", "").await);
    assert!(
        without.to_string().contains("Food hygiene (HACCP)"),
        "{without}"
    );
    // Find-work cards say so before anyone opens the shift.
    let mut conn = db.acquire().await.expect("connection");
    let filter = app::hire::postings::model::WorkFilter::from_query("", "", "", "", 1);
    let (found, _) = postings::repo::open_shifts(&mut conn, c.fay, &filter, state.clock.now(), 20)
        .await
        .expect("work");
    let card = found.iter().find(|s| s.id == shift).expect("listed");
    assert!(card.needs_certificates);
    drop(conn);

    // Uploads are checked: the type, the document's real format, the expiry date.
    let bad = |u| async move { refusal(certificates::submit(state, c.fay, u).await) };
    assert!(
        bad(upload("made-up", "", PDF))
            .await
            .field_message("certificate_type")
            .is_some()
    );
    assert!(
        bad(upload(
            "food-hygiene",
            &iso(day(400)),
            b"MZ\x90\x00 not a pdf"
        ))
        .await
        .field_message("file")
        .is_some()
    );
    assert!(
        bad(upload("food-hygiene", &iso(day(400)), b""))
            .await
            .field_message("file")
            .is_some()
    );
    assert!(
        bad(upload("food-hygiene", "", PDF))
            .await
            .field_message("expires_on")
            .is_some()
    );
    assert!(
        bad(upload("food-hygiene", &iso(day(-1)), PDF))
            .await
            .field_message("expires_on")
            .is_some()
    );
    let first = certificates::submit(state, c.fay, upload("food-hygiene", &iso(day(400)), PDF))
        .await
        .expect("upload");
    let twice = bad(upload("food-hygiene", &iso(day(400)), PDF)).await;
    assert!(twice.to_string().contains("already waiting"), "{twice}");

    // Only Fay and support admins open the document; the queue holds it.
    let mut conn = db.acquire().await.expect("connection");
    let doc = certificates::document(&mut conn, first, c.fay, false)
        .await
        .expect("query")
        .expect("own");
    assert_eq!(
        (doc.content_type.as_str(), doc.file_name.as_str()),
        ("application/pdf", "haccp.pdf")
    );
    assert_eq!(doc.bytes, PDF);
    assert!(
        certificates::document(&mut conn, first, c.finn, false)
            .await
            .expect("query")
            .is_none()
    );
    assert!(
        certificates::document(&mut conn, first, admin, true)
            .await
            .expect("query")
            .is_some()
    );
    let (queue, waiting) = certificates::queue(&mut conn).await.expect("queue");
    assert_eq!((waiting, queue[0].certificate.id), (1, first));
    drop(conn);

    // Rejected with a reason (none is refused); still no application.
    let (d5, d300, d400) = (iso(day(5)), iso(day(300)), iso(day(400)));
    let acting = app::audit::Actor {
        user: admin,
        ip: None,
    };
    let review = |id, decision| certificates::review(state, acting, id, decision);
    let blank = review(first, certificates::Review::Reject { reason: " " }).await;
    assert!(refusal(blank).field_message("reason").is_some());
    review(
        first,
        certificates::Review::Reject {
            reason: "The scan is unreadable.",
        },
    )
    .await
    .expect("reject");
    assert_eq!(certificate_state(db, first).await.0, "rejected");
    let again = review(first, certificates::Review::Verify { expires_on: &d400 }).await;
    assert!(refusal(again).to_string().contains("already reviewed"));
    let audited = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM audit_log WHERE action = 'certificate_rejected' AND subject_id = $1"#,
        c.fay.0
    )
    .fetch_one(db)
    .await
    .expect("audit");
    assert_eq!(audited, 1);

    // Verified, but it runs out before the shift: still refused.
    let short = certificates::submit(state, c.fay, upload("food-hygiene", &iso(day(5)), PDF))
        .await
        .expect("upload");
    review(short, certificates::Review::Verify { expires_on: &d5 })
        .await
        .expect("verify");
    assert!(
        refusal(applications::service::apply(state, c.fay, shift, "", "").await)
            .to_string()
            .contains("Food hygiene")
    );

    // One valid past the shift, with the date the admin read off the document: Fay may apply.
    let long = certificates::submit(state, c.fay, upload("food-hygiene", &iso(day(400)), PDF))
        .await
        .expect("upload");
    review(long, certificates::Review::Verify { expires_on: &d300 })
        .await
        .expect("verify");
    assert_eq!(
        certificate_state(db, long).await,
        ("verified".into(), Some(day(300)))
    );
    applications::service::apply(state, c.fay, shift, "", "")
        .await
        .expect("apply");

    // A certificate that never expires needs no date.
    let diploma = certificates::submit(state, c.fay, upload("social-hygiene", "", PDF))
        .await
        .expect("upload");
    assert_eq!(
        certificate_state(db, diploma).await,
        ("pending".into(), None)
    );

    // Fay sees all four; only verified, unexpired ones count: two today, one after day 5.
    let mut conn = db.acquire().await.expect("connection");
    let mine = certificates::of(&mut conn, c.fay).await.expect("mine");
    assert_eq!(mine.len(), 4);
    let valid: Vec<_> = mine
        .iter()
        .filter(|x| x.valid_on(day(0)))
        .map(|x| x.id)
        .collect();
    assert_eq!(
        valid,
        [long, short],
        "newest first; rejected and pending don't count"
    );
    let later: Vec<_> = mine
        .iter()
        .filter(|x| x.valid_on(day(6)))
        .map(|x| x.id)
        .collect();
    assert_eq!(later, [long]);
}

#[sqlx::test(migrations = "../migrations")]
async fn certificate_documents_come_back_only_to_their_owner_and_support_admins(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    cast(&app).await;
    let expires = day(400).format("%Y-%m-%d").to_string();
    let fields = [
        ("certificate_type", "first-aid"),
        ("expires_on", expires.as_str()),
    ];
    let file = ("ehbo.pdf", "application/pdf", PDF);

    let mut anonymous = app.browser();
    let reply = anonymous.upload("/hire/certificates", &fields, file).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let mut ann = app.browser();
    assert!(common::ok(
        &ann.sign_in("ann@olivine.test", DEMO_PASSWORD).await
    ));
    let reply = ann.upload("/hire/certificates", &fields, file).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "not a freelancer");

    let mut fay = app.browser();
    assert!(common::ok(
        &fay.sign_in("fay@olivine.test", DEMO_PASSWORD).await
    ));
    let huge = vec![b'%'; MAX_CERTIFICATE_BYTES + 1];
    let reply = fay
        .upload(
            "/hire/certificates",
            &fields,
            ("big.pdf", "application/pdf", &huge),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("5 MB"), "{}", reply.body);
    let reply = fay.upload("/hire/certificates", &fields, file).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let answer: serde_json::Value = serde_json::from_str(&reply.body).expect("JSON");
    let id = answer["certificate"].as_str().expect("id").to_owned();
    assert_eq!(
        certificate_state(&app.db, CertificateId(id.parse().expect("uuid"))).await,
        ("pending".into(), Some(day(400)))
    );

    let path = format!("/hire/certificates/{id}/document");
    let (status, headers) = fay.fetch(&path).await;
    assert_eq!(status, StatusCode::OK);
    let header = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), "application/pdf");
    assert!(header("content-security-policy").starts_with("sandbox"));
    assert!(header("cache-control").contains("no-store"));
    assert_eq!(
        header("content-disposition"),
        "inline; filename=\"ehbo.pdf\""
    );

    let mut finn = app.browser();
    assert!(common::ok(
        &finn.sign_in("finn@olivine.test", DEMO_PASSWORD).await
    ));
    assert_eq!(finn.fetch(&path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(anonymous.fetch(&path).await.0, StatusCode::UNAUTHORIZED);
    let mut admin = app.browser();
    assert!(common::ok(
        &admin.sign_in("admin@olivine.test", DEMO_PASSWORD).await
    ));
    assert_eq!(admin.fetch(&path).await.0, StatusCode::OK);
}

#[sqlx::test(migrations = "../migrations")]
async fn messages_stay_between_the_two_sides_and_count_what_is_unread(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = cast(&app).await;
    let shift = open_shift(state, c.harbour, c.hana, day(6), 1).await;
    let application = applications::service::apply(state, c.fay, shift, "", "")
        .await
        .expect("apply");
    let fay = Party::freelancer(c.fay);
    let harbour = Party::organisation(c.harbour);

    // Harbour writes twice (an empty message is refused); Fay has two unread, Harbour none.
    let blank = messages::send(state, harbour, c.hana, application, "  ").await;
    assert!(refusal(blank).field_message("body").is_some());
    for text in ["Can you start at 8?", "Bring black shoes."] {
        messages::send(state, harbour, c.hana, application, text)
            .await
            .expect("send");
    }
    let mut conn = db.acquire().await.expect("connection");
    assert_eq!(messages::unread(&mut conn, fay).await.expect("unread"), 2);
    assert_eq!(
        messages::unread(&mut conn, harbour).await.expect("unread"),
        0
    );
    let inbox = messages::inbox(&mut conn, fay).await.expect("inbox");
    assert_eq!(inbox.len(), 1);
    assert_eq!(
        (
            inbox[0].unread,
            inbox[0].counterpart.as_str(),
            inbox[0].last.as_str()
        ),
        (2, "Harbour Hotels", "Bring black shoes.")
    );
    drop(conn);

    // Opening the thread reads it; Fay's reply is Harbour's one unread message.
    let thread = messages::open(state, fay, application).await.expect("open");
    let said: Vec<_> = thread
        .messages
        .iter()
        .map(|m| (m.by, m.body.as_str()))
        .collect();
    assert_eq!(
        said,
        [
            (Side::Organisation, "Can you start at 8?"),
            (Side::Organisation, "Bring black shoes.")
        ]
    );
    assert!(thread.open);
    messages::send(state, fay, c.fay, application, "Yes, see you then.")
        .await
        .expect("reply");
    let mut conn = db.acquire().await.expect("connection");
    assert_eq!(messages::unread(&mut conn, fay).await.expect("unread"), 0);
    assert_eq!(
        messages::unread(&mut conn, harbour).await.expect("unread"),
        1
    );
    drop(conn);

    // Nobody else reaches the thread.
    for outsider in [Party::organisation(c.meadow), Party::freelancer(c.finn)] {
        let read = messages::open(state, outsider, application).await;
        assert_eq!(refusal(read), AppError::NotFound);
        let write = messages::send(state, outsider, c.mia, application, "Hello").await;
        assert_eq!(refusal(write), AppError::NotFound);
        let mut conn = db.acquire().await.expect("connection");
        assert!(
            messages::inbox(&mut conn, outsider)
                .await
                .expect("inbox")
                .is_empty()
        );
        assert_eq!(
            messages::unread(&mut conn, outsider).await.expect("unread"),
            0
        );
    }

    // Turned down: the thread stays readable but takes no new messages.
    applications::service::reject(state, c.harbour, application, "We filled it internally.")
        .await
        .expect("reject");
    let closed = messages::send(state, harbour, c.hana, application, "Sorry!").await;
    assert!(refusal(closed).to_string().contains("closed"));
    assert!(
        !messages::open(state, fay, application)
            .await
            .expect("open")
            .open
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn managers_invite_freelancers_who_apply_from_it_or_decline(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = cast(&app).await;
    let shift = open_shift(state, c.harbour, c.hana, day(5), 2).await;

    // Hana invites Fay with a message: an invitation, no seat taken, the message waiting in
    // the thread.
    let invitation =
        applications::service::invite(state, c.harbour, c.hana, shift, c.fay, "Come back?")
            .await
            .expect("invite");
    assert_eq!(application_status(db, invitation).await, "invited");
    assert_eq!(posting(db, shift).await, ("published".to_owned(), 0));
    let mut conn = db.acquire().await.expect("connection");
    assert_eq!(
        messages::unread(&mut conn, Party::freelancer(c.fay))
            .await
            .expect("unread"),
        1
    );
    let open =
        applications::repo::invitable_shifts(&mut conn, &[c.harbour.0], c.fay, state.clock.now())
            .await
            .expect("invitable");
    assert!(open.iter().all(|s| s.id != shift), "already invited");
    let for_finn =
        applications::repo::invitable_shifts(&mut conn, &[c.harbour.0], c.finn, state.clock.now())
            .await
            .expect("invitable");
    assert_eq!(for_finn.iter().map(|s| s.id).collect::<Vec<_>>(), [shift]);
    drop(conn);

    // Not twice; not by another organisation; not to a draft; not someone without a profile;
    // no offer before Fay applies.
    let again = applications::service::invite(state, c.harbour, c.hana, shift, c.fay, "").await;
    assert!(refusal(again).to_string().contains("already"));
    let meadow = applications::service::invite(state, c.meadow, c.mia, shift, c.finn, "").await;
    assert_eq!(refusal(meadow), AppError::NotFound);
    let draft = postings::service::create_shift(state, c.harbour, c.hana, &shift_input(day(6), 1))
        .await
        .expect("draft");
    let to_draft = applications::service::invite(state, c.harbour, c.hana, draft, c.finn, "").await;
    assert!(refusal(to_draft).to_string().contains("open shift"));
    let nobody = applications::service::invite(state, c.harbour, c.hana, shift, c.mia, "").await;
    assert_eq!(refusal(nobody), AppError::NotFound);
    let early = applications::service::offer(state, c.harbour, c.hana, invitation).await;
    assert!(refusal(early).to_string().contains("hasn't applied"));

    // Fay applies from the invitation: the same application, now with her note.
    let applied = applications::service::apply(state, c.fay, shift, "Gladly.", "")
        .await
        .expect("apply");
    assert_eq!(applied, invitation);
    assert_eq!(application_status(db, invitation).await, "applied");
    let twice = applications::service::apply(state, c.fay, shift, "Again", "").await;
    assert!(refusal(twice).to_string().contains("already applied"));
    applications::service::offer(state, c.harbour, c.hana, invitation)
        .await
        .expect("offer after applying");

    // Finn declines his with a reason; Harbour can't revive it, and he can't apply after.
    let finn = applications::service::invite(state, c.harbour, c.hana, shift, c.finn, "")
        .await
        .expect("invite finn");
    let no_reason = applications::service::step_back(state, c.finn, finn, " ").await;
    assert!(refusal(no_reason).field_message("reason").is_some());
    applications::service::step_back(state, c.finn, finn, "Away that week.")
        .await
        .expect("decline");
    assert_eq!(application_status(db, finn).await, "declined");
    let revive = applications::service::invite(state, c.harbour, c.hana, shift, c.finn, "").await;
    assert!(refusal(revive).to_string().contains("already"));
    let after = applications::service::apply(state, c.finn, shift, "Changed my mind", "").await;
    assert!(refusal(after).to_string().contains("already applied"));
    assert_eq!(application_status(db, finn).await, "declined");

    // Cancelling a shift ends its outstanding invitations.
    let later = open_shift(state, c.harbour, c.hana, day(8), 2).await;
    let pending = applications::service::invite(state, c.harbour, c.hana, later, c.finn, "")
        .await
        .expect("invite");
    postings::service::change_shift(state, c.harbour, c.hana, later, PostingStatus::Cancelled)
        .await
        .expect("cancel");
    assert_eq!(application_status(db, pending).await, "rejected");
}

#[sqlx::test(migrations = "../migrations")]
async fn unanswered_offers_and_open_applications_expire(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = cast(&app).await;
    let shift = open_shift(state, c.harbour, c.hana, day(5), 1).await;
    let offered = applications::service::apply(state, c.fay, shift, "", "")
        .await
        .expect("apply");
    applications::service::offer(state, c.harbour, c.hana, offered)
        .await
        .expect("offer");
    // Starts after the offer window at any time of day (the clock moves 49 hours at most
    // before it should have started).
    let soon = open_shift(state, c.harbour, c.hana, day(3), 2).await;
    let applied = applications::service::apply(state, c.fay, soon, "", "")
        .await
        .expect("apply");
    let invited = applications::service::invite(state, c.harbour, c.hana, soon, c.finn, "")
        .await
        .expect("invite");
    assert_eq!(posting(db, shift).await, ("filled".to_owned(), 1));

    // Within the window nothing expires.
    state.clock.set_offset(Duration::hours(47));
    assert_eq!(
        applications::service::expire_due(state)
            .await
            .expect("expire"),
        0
    );

    // Past it, the offer expires and its seat comes back: the shift is open again.
    state.clock.set_offset(Duration::hours(49));
    assert_eq!(
        applications::service::expire_due(state)
            .await
            .expect("expire"),
        1
    );
    assert_eq!(application_status(db, offered).await, "expired");
    assert_eq!(posting(db, shift).await, ("published".to_owned(), 0));
    let late = applications::service::accept_offer(state, c.fay, offered).await;
    assert!(refusal(late).to_string().contains("expired"));

    // Once a shift starts, whatever is still open on it expires.
    state.clock.set_offset(Duration::days(4));
    assert_eq!(
        applications::service::expire_due(state)
            .await
            .expect("expire"),
        2
    );
    assert_eq!(application_status(db, applied).await, "expired");
    assert_eq!(application_status(db, invited).await, "expired");
    assert_eq!(
        applications::service::expire_due(state)
            .await
            .expect("expire"),
        0
    );
}

fn job_input(first: NaiveDate, last: NaiveDate, basis: &str, pay: &str) -> JobInput {
    JobInput {
        title: "Shop fit-out, new branch".into(),
        description: "Shelving and counters to the drawings.".into(),
        city: "nl-utrecht".into(),
        address: String::new(),
        starts: first.format("%Y-%m-%d").to_string(),
        ends: last.format("%Y-%m-%d").to_string(),
        headcount: "1".into(),
        pay_basis: basis.into(),
        pay: pay.into(),
        skills: BTreeMap::new(),
        certificates: BTreeMap::new(),
    }
}

/// A week's form with `hours` on `day` only.
fn week_of(day: NaiveDate, hours: &str) -> WeekInput {
    let weekday = day.weekday().number_from_monday().to_string();
    WeekInput {
        week: day.format("%Y-%m-%d").to_string(),
        days: BTreeMap::from([(weekday, hours.to_owned())]),
    }
}

async fn contract_state(db: &sqlx::PgPool, id: ContractId) -> (String, Vec<(String, i64)>) {
    let status = sqlx::query_scalar!(
        "SELECT status::text AS \"s!\" FROM contracts WHERE contract_id = $1",
        id.0
    )
    .fetch_one(db)
    .await
    .expect("contract");
    let events = sqlx::query!(
        "SELECT kind::text AS \"kind!\", amount_minor FROM contract_events
         WHERE contract_id = $1 ORDER BY recorded_at, event_id",
        id.0
    )
    .fetch_all(db)
    .await
    .expect("events")
    .into_iter()
    .map(|e| (e.kind, e.amount_minor))
    .collect();
    (status, events)
}

/// Post, publish, apply (with `proposed`), offer and accept: the contract.
async fn hire_for_job(
    state: &AppState,
    c: &Cast,
    who: UserId,
    job: &JobInput,
    proposed: &str,
) -> ContractId {
    let id = postings::service::create_posting(
        state,
        c.harbour,
        c.hana,
        postings::service::PostingForm::Job(job),
    )
    .await
    .expect("job");
    postings::service::change_shift(state, c.harbour, c.hana, id, PostingStatus::Published)
        .await
        .expect("publish");
    let application = applications::service::apply(state, who, id, "", proposed)
        .await
        .expect("apply");
    applications::service::offer(state, c.harbour, c.hana, application)
        .await
        .expect("offer");
    applications::service::accept_offer(state, who, application)
        .await
        .expect("accept")
}

#[sqlx::test(migrations = "../migrations")]
async fn jobs_pay_by_the_week_or_for_approved_work(_: PgPoolOptions, options: PgConnectOptions) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = cast(&app).await;

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
    let backwards = bad(job_input(day(5), day(4), "hourly", "24.50")).await;
    assert!(backwards.field_message("job[ends]").is_some());
    let no_basis = bad(job_input(day(5), day(6), "", "24.50")).await;
    assert!(no_basis.field_message("job[pay_basis]").is_some());
    let cheap = bad(job_input(day(5), day(6), "fixed", "5")).await;
    assert!(cheap.field_message("job[pay]").is_some());
    let today = bad(job_input(day(0), day(6), "hourly", "24.50")).await;
    assert!(today.field_message("job[starts]").is_some());

    // A shift pays what it posted: no proposals.
    let shift = open_shift(state, c.harbour, c.hana, day(5), 1).await;
    let proposal = refusal(applications::service::apply(state, c.fay, shift, "", "30").await);
    assert!(proposal.field_message("proposed").is_some());

    // An hourly job, taken at Fay's own rate: €26/h instead of €24.50.
    let (first, last) = (day(2), day(15));
    let hourly = hire_for_job(
        state,
        &c,
        c.fay,
        &job_input(first, last, "hourly", "24.50"),
        "26",
    )
    .await;
    let shift_hours =
        contracts::hours::submit_hours(state, c.fay, hourly, &hours(first, "09:00", "17:00", "0"))
            .await;
    assert!(
        refusal(shift_hours)
            .to_string()
            .contains("a week at a time")
    );

    // Nine days on: a week before the job and a day still to come are refused; the first
    // week is submitted and approved, recording what is owed; the contract stays open.
    state.clock.set_offset(Duration::days(9));
    let before =
        refusal(contracts::hours::submit_week(state, c.fay, hourly, &week_of(day(-7), "8")).await);
    let field = |d: NaiveDate| format!("week[days][{}]", d.weekday().number_from_monday());
    assert!(
        before
            .field_message(&field(day(-7)))
            .is_some_and(|m| m.contains("outside the job's dates"))
    );
    let ahead =
        refusal(contracts::hours::submit_week(state, c.fay, hourly, &week_of(day(12), "8")).await);
    assert!(
        ahead
            .field_message(&field(day(12)))
            .is_some_and(|m| m.contains("still to come"))
    );
    let empty =
        refusal(contracts::hours::submit_week(state, c.fay, hourly, &week_of(first, "")).await);
    assert!(empty.field_message("week[days]").is_some());
    contracts::hours::submit_week(state, c.fay, hourly, &week_of(first, "8"))
        .await
        .expect("first week");
    let again =
        refusal(contracts::hours::submit_week(state, c.fay, hourly, &week_of(first, "8")).await);
    assert!(again.field_message("week[week]").is_some());
    let monday = |d: NaiveDate| d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
    let meadow = contracts::hours::answer_week(
        state,
        c.meadow,
        c.mia,
        hourly,
        monday(first),
        Decision::Approve,
    )
    .await;
    assert_eq!(refusal(meadow), AppError::NotFound);
    contracts::hours::answer_week(
        state,
        c.harbour,
        c.hana,
        hourly,
        monday(first),
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
        monday(last),
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
        monday(last),
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
                ("hours_approved".to_owned(), 11_700)
            ]
        )
    );

    // A fixed-price job: the work is handed over once the job has started, disputed, handed
    // over again, and approved by the upkeep job when nobody answers.
    let fixed = hire_for_job(
        state,
        &c,
        c.finn,
        &job_input(day(18), day(20), "fixed", "900"),
        "",
    )
    .await;
    let early = contracts::hours::submit_delivery(state, c.finn, fixed, "All done").await;
    assert!(
        refusal(early)
            .to_string()
            .contains("once the job has started")
    );
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
    let week = contracts::hours::submit_week(state, c.finn, fixed, &week_of(day(18), "8")).await;
    assert!(refusal(week).to_string().contains("hourly job"));
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
                ("work_approved".to_owned(), 90_000)
            ]
        )
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_draft_shift_is_edited_until_it_is_published(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = cast(&app).await;
    let draft = postings::service::create_shift(state, c.harbour, c.hana, &shift_input(day(4), 1))
        .await
        .expect("draft");

    // The edit is saved whole: fields, times, skills and certificates, as the form shows them.
    let edited = ShiftInput {
        title: "Bartender, New Year's Eve".into(),
        starts: "20:00".into(),
        ends: "02:00".into(),
        break_minutes: "15".into(),
        headcount: "3".into(),
        wage: "18.50".into(),
        skills: BTreeMap::from([("bartending".into(), "3".into())]),
        certificates: BTreeMap::from([("social-hygiene".into(), "on".into())]),
        ..shift_input(day(5), 1)
    };
    postings::service::update_draft(state, c.harbour, c.hana, draft, &edited)
        .await
        .expect("edit");
    let mut conn = db.acquire().await.expect("connection");
    let saved = postings::repo::draft_input(&mut conn, c.harbour, draft)
        .await
        .expect("draft input")
        .expect("still a draft");
    assert_eq!(saved, Draft::Shift(edited.clone()));
    assert_eq!(
        postings::repo::draft_input(&mut conn, c.meadow, draft)
            .await
            .expect("draft input"),
        None
    );
    drop(conn);

    // A bad edit is refused field by field and changes nothing; another organisation's edit
    // finds nothing.
    let past = ShiftInput {
        date: day(-1).format("%Y-%m-%d").to_string(),
        ..edited.clone()
    };
    let refused = postings::service::update_draft(state, c.harbour, c.hana, draft, &past).await;
    assert!(refusal(refused).field_message("shift[starts]").is_some());
    let unknown = ShiftInput {
        city: "xx-nowhere".into(),
        ..edited.clone()
    };
    let refused = postings::service::update_draft(state, c.harbour, c.hana, draft, &unknown).await;
    assert!(refusal(refused).field_message("shift[city]").is_some());
    let other = postings::service::update_draft(state, c.meadow, c.mia, draft, &edited).await;
    assert_eq!(refusal(other), AppError::NotFound);
    let mut conn = db.acquire().await.expect("connection");
    assert_eq!(
        postings::repo::draft_input(&mut conn, c.harbour, draft)
            .await
            .expect("draft input"),
        Some(Draft::Shift(edited.clone()))
    );
    drop(conn);

    // Once published, freelancers may have read it: no more edits.
    postings::service::change_shift(state, c.harbour, c.hana, draft, PostingStatus::Published)
        .await
        .expect("publish");
    let late = postings::service::update_draft(state, c.harbour, c.hana, draft, &edited).await;
    assert!(refusal(late).to_string().contains("Only a draft"));
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
        profiles::service::save_profile(state, id, &profile_input("nl-amersfoort"))
            .await
            .expect("profile");
        applications.push(
            applications::service::apply(state, id, shift, "", "")
                .await
                .expect("apply"),
        );
    }
    // Two managers' worth of offers race for the two seats.
    let offers = applications.iter().map(|a| {
        let state = state.clone();
        let (org, manager, a) = (c.harbour, c.hana, *a);
        tokio::spawn(async move { applications::service::offer(&state, org, manager, a).await })
    });
    let results = futures::future::join_all(offers).await;
    let made = results.iter().filter(|r| matches!(r, Ok(Ok(())))).count();
    assert_eq!(made, 2, "exactly the headcount is offered");
    assert!(results.iter().all(|r| match r {
        Ok(Ok(())) => true,
        Ok(Err(ServiceError::Refused(e))) => e.to_string().contains("Every place"),
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
        refusal(applications::service::step_back(state, UserId(holder), offered[0], "").await)
            .field_message("reason")
            .is_some()
    );
    applications::service::step_back(state, UserId(holder), offered[0], "Found other work.")
        .await
        .expect("decline");
    assert_eq!(application_status(db, offered[0]).await, "declined");
    assert_eq!(posting(db, shift).await, ("published".into(), 1));
    let waiting = applications
        .iter()
        .find(|a| !offered.contains(a))
        .copied()
        .expect("one still waiting");
    applications::service::offer(state, c.harbour, c.hana, waiting)
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
            let a = applications::service::apply(&state, who, shift, "", "")
                .await
                .expect("apply");
            applications::service::offer(&state, c.harbour, c.hana, a)
                .await
                .expect("offer");
            applications::service::accept_offer(&state, who, a)
                .await
                .expect("accept")
        }
    };
    // In a week: the organisation cancels early and owes nothing.
    let early = open_shift(state, c.harbour, c.hana, day(7), 2).await;
    let contract = hire(early, c.fay).await;
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
    assert!(
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
        )
        .to_string()
        .contains("cancelled")
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
        posting(db, late).await,
        ("published".into(), 0),
        "seats given back"
    );
    let mut conn = db.acquire().await.expect("connection");
    let finn = profiles::repo::profile(&mut conn, c.finn)
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
            contracts::service::cancel_contract(
                state,
                Side::Organisation,
                c.harbour.0,
                c.hana,
                third,
                "x"
            )
            .await
        )
        .to_string()
        .contains("started")
    );
    contracts::service::record_no_show(state, c.harbour, c.hana, third)
        .await
        .expect("no-show");
    let fay = profiles::repo::profile(&mut conn, c.fay)
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
    let a = applications::service::apply(state, c.fay, shift, "", "")
        .await
        .expect("apply");
    applications::service::offer(state, c.harbour, c.hana, a)
        .await
        .expect("offer");
    let contract = applications::service::accept_offer(state, c.fay, a)
        .await
        .expect("accept");

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

#[sqlx::test(migrations = "../migrations")]
async fn organisations_and_freelancers_reach_only_their_own(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = cast(&app).await;
    let harbour_shift = open_shift(state, c.harbour, c.hana, day(4), 3).await;
    let meadow_draft =
        postings::service::create_shift(state, c.meadow, c.mia, &shift_input(day(4), 1))
            .await
            .expect("draft");
    let fay_applies = applications::service::apply(state, c.fay, harbour_shift, "", "")
        .await
        .expect("apply");

    // Meadow can't see, offer, reject or change Harbour's shift, applicants or contracts.
    let mut conn = db.acquire().await.expect("connection");
    assert!(
        postings::repo::shift(&mut conn, harbour_shift, Some(c.meadow), None)
            .await
            .expect("query")
            .is_none()
    );
    assert!(
        applications::repo::applicants(&mut conn, c.meadow, harbour_shift)
            .await
            .expect("query")
            .is_empty()
    );
    assert_eq!(
        refusal(applications::service::offer(state, c.meadow, c.mia, fay_applies).await),
        AppError::NotFound
    );
    assert_eq!(
        refusal(applications::service::reject(state, c.meadow, fay_applies, "No").await),
        AppError::NotFound
    );
    assert_eq!(
        refusal(
            postings::service::change_shift(
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
        postings::repo::shift(&mut conn, meadow_draft, None, Some(c.fay))
            .await
            .expect("query")
            .is_none()
    );
    assert!(
        postings::repo::shift(&mut conn, meadow_draft, Some(c.harbour), None)
            .await
            .expect("query")
            .is_none()
    );
    assert_eq!(
        postings::repo::organisation_shifts(&mut conn, c.meadow)
            .await
            .expect("list")
            .len(),
        1
    );

    // Finn can't withdraw or accept Fay's application, or see it among his own.
    assert_eq!(
        refusal(applications::service::step_back(state, c.finn, fay_applies, "Mine now").await),
        AppError::NotFound
    );
    applications::service::offer(state, c.harbour, c.hana, fay_applies)
        .await
        .expect("offer");
    assert_eq!(
        refusal(applications::service::accept_offer(state, c.finn, fay_applies).await),
        AppError::NotFound
    );
    assert!(
        applications::repo::my_applications(&mut conn, c.finn, None)
            .await
            .expect("list")
            .is_empty()
    );
    let contract = applications::service::accept_offer(state, c.fay, fay_applies)
        .await
        .expect("accept");

    // Contracts: each side sees its own; the others reach nothing.
    assert_eq!(
        contracts::repo::contracts(
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
        contracts::repo::contracts(
            &mut conn,
            ContractScope::Freelancer(c.finn),
            state.clock.now()
        )
        .await
        .expect("list")
        .is_empty()
    );
    assert!(
        contracts::repo::contracts(
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
            contracts::hours::submit_hours(
                state,
                c.finn,
                contract,
                &hours(date, "09:00", "17:00", "0")
            )
            .await
        ),
        AppError::NotFound
    );
    assert_eq!(
        refusal(contracts::service::record_no_show(state, c.meadow, c.mia, contract).await),
        AppError::NotFound
    );
    contracts::hours::submit_hours(state, c.fay, contract, &hours(date, "09:00", "17:00", "0"))
        .await
        .expect("submit");
    assert_eq!(
        refusal(
            contracts::hours::answer_hours(state, c.meadow, c.mia, contract, Decision::Approve)
                .await
        ),
        AppError::NotFound
    );
    assert_eq!(
        refusal(
            contracts::service::cancel_contract(
                state,
                Side::Organisation,
                c.meadow.0,
                c.mia,
                contract,
                "x"
            )
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
    assert_eq!(
        (again.freelancers, again.certificates, again.shifts),
        (0, 0, 0)
    );
    let certificates = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE status = 'verified') AS "verified!",
                  count(*) FILTER (WHERE status = 'pending') AS "pending!"
           FROM freelancer_certificates"#
    )
    .fetch_one(&app.db)
    .await
    .expect("certificates");
    assert_eq!(
        usize::try_from(certificates.verified + certificates.pending).ok(),
        Some(first.certificates)
    );
    assert!(certificates.verified > 300, "{}", certificates.verified);
    assert!(
        (5..=20).contains(&certificates.pending),
        "the verification queue has work: {}",
        certificates.pending
    );
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
    let jobs = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE pay_basis = 'hourly') AS "hourly!",
                  count(*) FILTER (WHERE pay_basis = 'fixed') AS "fixed!"
           FROM postings WHERE kind = 'job'"#
    )
    .fetch_one(&app.db)
    .await
    .expect("jobs");
    assert_eq!(
        (jobs.hourly, jobs.fixed),
        (6, 3),
        "a job every ninth posting"
    );
}

/// Anyone can create an organisation, so membership alone shows nothing of when a freelancer
/// is free: the week and days off are for the freelancer, support admins and organisations the
/// freelancer applied to or was invited by.
#[sqlx::test(migrations = "../migrations")]
async fn a_freelancers_availability_is_shown_only_to_organisations_they_know(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let state = &app.state;
    let c = cast(&app).await;
    let viewer = |user: UserId| viewer_of(&app.db, user);
    let shown = |profile: &app::hire::profiles::model::Profile| {
        (profile.availability_shown, profile.week.len())
    };
    // Harbour's manager, before Fay has anything to do with Harbour: skills yes, week no.
    let hana = viewer(c.hana).await;
    let profile = profiles::service::profile_for(state, &hana, false, c.fay)
        .await
        .expect("profile");
    assert_eq!(shown(&profile), (false, 0));
    assert!(
        !profile.skills.is_empty(),
        "the rest of the profile is shown"
    );
    // Fay herself, and a support admin, always.
    let fay = viewer(c.fay).await;
    assert_eq!(
        shown(
            &profiles::service::profile_for(state, &fay, false, c.fay)
                .await
                .expect("own")
        ),
        (true, 1)
    );
    assert_eq!(
        shown(
            &profiles::service::profile_for(state, &hana, true, c.fay)
                .await
                .expect("support")
        ),
        (true, 1)
    );
    // Once Fay applies to one of Harbour's shifts, Harbour sees when she works.
    let shift = open_shift(state, c.harbour, c.hana, day(3), 1).await;
    applications::service::apply(state, c.fay, shift, "", "")
        .await
        .expect("apply");
    let profile = profiles::service::profile_for(state, &hana, false, c.fay)
        .await
        .expect("profile");
    assert_eq!(shown(&profile), (true, 1));
}

/// A signed-in person as the server functions see them (no roles, their memberships).
async fn viewer_of(db: &sqlx::PgPool, user: UserId) -> app::accounts::model::Viewer {
    let mut conn = db.acquire().await.expect("conn");
    app::accounts::model::Viewer {
        user_id: user,
        email: String::new(),
        display_name: String::new(),
        roles: Vec::new(),
        memberships: app::accounts::repo::memberships_of(&mut conn, user)
            .await
            .expect("memberships"),
    }
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
