//! Hire in the real database. Postings: the reference cities, drafts edited until published, and the demo seed.

mod common;

use app::error::AppError;
use app::hire::postings::model::{Draft, PostingStatus, ShiftInput, WorkPage};
use app::hire::refusal::Refusal;
use app::hire::views::model::ShiftDetail;
use app::hire::{postings, reference};
use axum::http::StatusCode;
use server::seed::DEMO_PASSWORD;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::collections::BTreeMap;
use test_support::hire::{Cast, ShiftBuilder, hire_day};
use test_support::refusal;

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

#[sqlx::test(migrations = "../migrations")]
async fn a_draft_shift_is_edited_until_it_is_published(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = Cast::of(&app.state).await;
    let draft = ShiftBuilder::on(hire_day(4))
        .draft(state, c.harbour, c.hana)
        .await;

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
        ..ShiftBuilder::on(hire_day(5)).input()
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
        date: hire_day(-1).format("%Y-%m-%d").to_string(),
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
    assert_eq!(
        refusal(late),
        Refusal::NotADraft(PostingStatus::Published).into()
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_hire_demo_seed_is_complete_and_idempotent(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let first = server::seed::seed_hire(&app.db, &app.state.vault, hire_day(0))
        .await
        .expect("seed");
    assert_eq!(first.freelancers, server::seed::FREELANCERS);
    assert!((75..=90).contains(&first.shifts), "{first:?}");
    let again = server::seed::seed_hire(&app.db, &app.state.vault, hire_day(0))
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

/// A page as a visitor's browser gets it: status and HTML.
async fn visit(app: &common::App, path: &str) -> (StatusCode, String) {
    let request = axum::http::Request::get(path)
        .body(axum::body::Body::empty())
        .expect("request");
    let reply = app.browser().send(request).await;
    (reply.status, reply.body)
}

#[sqlx::test(migrations = "../migrations")]
async fn visitors_browse_open_work_without_anything_private(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let state = &app.state;
    let c = Cast::of(state).await;
    let open = c.open_shift(state, hire_day(3), 2).await;
    let draft = ShiftBuilder::on(hire_day(4))
        .draft(state, c.harbour, c.hana)
        .await;
    let filters = [
        ("within_km", "5"),
        ("min_wage", ""),
        ("skill", ""),
        ("from", ""),
        ("page", "1"),
    ];

    // A visitor finds the open shift (a radius means nothing without a home), not the draft.
    let reply = app.browser().call("hire/work", &filters).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let work: WorkPage = serde_json::from_str(&reply.body).expect("work page");
    let ids: Vec<_> = work.shifts.iter().map(|s| s.id).collect();
    assert_eq!(ids, [open]);
    assert!(!ids.contains(&draft));
    assert_eq!((work.home, work.signed_in), (None, false));
    assert_eq!(work.shifts[0].distance_km, None);

    // Its page: everything but the street address, and no application.
    let reply = app
        .browser()
        .call("hire/shift", &[("id", &open.to_string())])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let detail: ShiftDetail = serde_json::from_str(&reply.body).expect("shift");
    assert_eq!(detail.posting.summary.title, "Barista, Christmas market");
    assert_eq!(detail.posting.address, "");
    assert!(!detail.signed_in && !detail.can_apply && detail.mine.is_none());
    let reply = app
        .browser()
        .call("hire/shift", &[("id", &draft.to_string())])
        .await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "a draft is nobody's business"
    );

    // The pages render for a visitor and ask them to sign up or sign in.
    let (status, page) = visit(&app, "/hire/work").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Barista, Christmas market"), "{page}");
    assert!(
        page.contains("data-testid=\"visitor-invitation\""),
        "{page}"
    );
    let (status, page) = visit(&app, &format!("/hire/shifts/{open}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Sign in to apply"), "{page}");
    assert!(!page.contains("Vredenburg 1"), "no address: {page}");

    // Fay, a freelancer, still gets her radius, distances and the address.
    let mut fay = app.browser();
    assert!(common::ok(
        &fay.sign_in("fay@olivine.test", DEMO_PASSWORD).await
    ));
    let work: WorkPage =
        serde_json::from_str(&fay.call("hire/work", &filters).await.body).expect("work page");
    assert!(work.signed_in);
    assert_eq!(work.home.as_ref().map(|(_, km)| *km), Some(5));
    assert!(work.shifts.iter().all(|s| s.distance_km.is_some()));
    let detail: ShiftDetail = serde_json::from_str(
        &fay.call("hire/shift", &[("id", &open.to_string())])
            .await
            .body,
    )
    .expect("shift");
    assert_eq!(detail.posting.address, "Vredenburg 1");
    assert!(detail.signed_in && detail.can_apply);
}
