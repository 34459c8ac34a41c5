//! The matching engine in the real database: the hard filters hold on randomised freelancers
//! and postings whichever strategy runs, k results whenever k are eligible, explanations that
//! add up, deterministic order, and a profile edit that changes the matches once the embedding
//! job has run.

mod common;

use app::hire::matching::model::MatchFilter;
use app::hire::matching::{self, Query, Settings, Strategy};
use app::hire::postings::model::{JobInput, ShiftInput};
use app::hire::postings::service::PostingForm;
use app::hire::profiles::model::ProfileInput;
use app::hire::{postings, profiles};
use app::ids::{OrganisationId, PostingId, UserId};
use axum::http::StatusCode;
use chrono::{Duration, NaiveDate, Utc};
use common::{organisation, user};
use server::match_data::{self, Rng, TRADES};
use server::seed::DEMO_PASSWORD;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::collections::{BTreeMap, HashSet};
use test_support::hire::{JobBuilder, ProfileBuilder};

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

const CITIES: &[&str] = &[
    "nl-amsterdam",
    "nl-utrecht",
    "nl-rotterdam",
    "nl-eindhoven",
    "nl-groningen",
    "be-gent",
];

/// A random shift or job as a manager would fill in the form.
fn random_posting(rng: &mut Rng) -> PostingFormOwned {
    let trade = rng.pick(TRADES);
    let mut skills = BTreeMap::new();
    for skill in trade.skills.iter().take(rng.below(3)) {
        skills.insert((*skill).to_owned(), (1 + rng.below(4)).to_string());
    }
    let mut certificates = BTreeMap::new();
    if let Some(certificate) = trade.certificate.filter(|_| rng.chance(0.4)) {
        certificates.insert(certificate.to_owned(), "on".to_owned());
    }
    let city = (*rng.pick(CITIES)).to_owned();
    let date = today() + Duration::days(2 + rng.below(20) as i64);
    if rng.chance(0.6) {
        let start = 6 + rng.below(15);
        let hours = 3 + rng.below(8);
        let end = (start + hours) % 24;
        PostingFormOwned::Shift(ShiftInput {
            title: format!("{} shift", trade.name),
            description: format!("A {} shift.", trade.name),
            city,
            address: String::new(),
            date: date.format("%Y-%m-%d").to_string(),
            starts: format!("{start:02}:00"),
            ends: format!("{end:02}:30"),
            break_minutes: "0".into(),
            headcount: "1".into(),
            wage: format!("{}.00", 14 + rng.below(30)),
            skills,
            certificates,
        })
    } else {
        let fixed = rng.chance(0.4);
        PostingFormOwned::Job(JobInput {
            title: format!("{} job", trade.name),
            description: format!("A {} job.", trade.name),
            city,
            address: String::new(),
            starts: date.format("%Y-%m-%d").to_string(),
            ends: (date + Duration::days(rng.below(30) as i64))
                .format("%Y-%m-%d")
                .to_string(),
            headcount: "1".into(),
            pay_basis: if fixed { "fixed" } else { "hourly" }.into(),
            pay: if fixed {
                "900".into()
            } else {
                format!("{}.00", 14 + rng.below(30))
            },
            skills,
            certificates,
        })
    }
}

enum PostingFormOwned {
    Shift(ShiftInput),
    Job(JobInput),
}

impl PostingFormOwned {
    fn form(&self) -> PostingForm<'_> {
        match self {
            PostingFormOwned::Shift(s) => PostingForm::Shift(s),
            PostingFormOwned::Job(j) => PostingForm::Job(j),
        }
    }
}

/// Everyone the filters let through, by measuring every freelancer and reading the flags.
async fn truly_eligible(conn: &mut sqlx::PgConnection, q: &Query) -> HashSet<uuid::Uuid> {
    let everyone: Vec<uuid::Uuid> = sqlx::query_scalar!("SELECT user_id FROM freelancer_profiles")
        .fetch_all(&mut *conn)
        .await
        .expect("profiles");
    matching::measure(conn, q, &everyone)
        .await
        .expect("measure")
        .into_iter()
        .filter(|m| {
            m.near
                && m.paid_enough
                && m.reliable
                && m.available
                && m.not_off
                && m.free
                && m.missing_certificates.is_empty()
        })
        .map(|m| m.user_id)
        .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn hard_filters_hold_on_randomised_data(_: PgPoolOptions, options: PgConnectOptions) {
    let app = common::shop(options).await;
    let db = &app.db;
    let (organisation, hana) = (
        organisation(db, "harbour-hotels").await,
        user(db, "hana@olivine.test").await,
    );
    let generated = match_data::generate(db, 2000, 11, today(), 384)
        .await
        .expect("freelancers");
    sqlx::query("ANALYZE freelancer_profiles")
        .execute(db)
        .await
        .expect("analyze");
    let mut conn = db.acquire().await.expect("connection");
    let mut rng = Rng::new(5);
    let k = 10;
    // A pool larger than the table: the exact answer holds everyone eligible.
    let exact_settings = Settings {
        k,
        exact_below: i64::MAX,
        pool: 1_000_000,
        ..Settings::default()
    };
    let index_settings = Settings {
        k,
        exact_below: 0,
        pool: 40,
        ..Settings::default()
    };
    let mut strategies = HashSet::new();
    let mut sizes = Vec::new();
    for case in 0..30 {
        let input = random_posting(&mut rng);
        let posting =
            postings::service::create_posting(&app.state, organisation, hana, input.form())
                .await
                .unwrap_or_else(|e| panic!("case {case}: posting refused: {e:?}"));
        let topic = rng.below(generated.topics.len());
        let vector = match_data::near(&mut rng, &generated.topics[topic], 0.5);
        sqlx::query!(
            "UPDATE postings SET embedding = $2::text::vector WHERE posting_id = $1",
            posting.0,
            match_data::vector_text(&vector)
        )
        .execute(&mut *conn)
        .await
        .expect("posting vector");
        let filter = MatchFilter {
            within_km: Some(*rng.pick(&MatchFilter::RADII)),
            min_attendance: rng.chance(0.3).then_some(80),
        };
        let q = matching::posting_query(&mut conn, posting, Some(organisation), filter)
            .await
            .expect("query")
            .expect("the organisation's posting");
        let eligible = truly_eligible(&mut conn, &q).await;
        sizes.push(eligible.len());
        let want = k.min(eligible.len());

        let (exact, count) = matching::exact(&mut conn, &q, &exact_settings)
            .await
            .expect("exact");
        assert_eq!(
            count,
            eligible.len(),
            "case {case}: exact finds every eligible freelancer"
        );
        assert_eq!(
            exact.len(),
            want,
            "case {case}: k results when k are eligible"
        );
        assert!(
            exact.iter().all(|r| eligible.contains(&r.user_id)),
            "case {case}"
        );

        let found = matching::search(&mut conn, &q, &index_settings)
            .await
            .expect("index search");
        strategies.insert(found.strategy);
        assert_eq!(
            found.ranked.len(),
            want,
            "case {case}: {:?} returns k",
            found.strategy
        );
        for r in &found.ranked {
            assert!(
                eligible.contains(&r.user_id),
                "case {case}: {:?} returned a freelancer who fails a hard filter",
                found.strategy
            );
        }

        let auto = matching::search(
            &mut conn,
            &q,
            &Settings {
                k,
                ..Settings::default()
            },
        )
        .await
        .expect("search");
        assert_eq!(auto.ranked.len(), want, "case {case}");
        assert!(auto.ranked.iter().all(|r| eligible.contains(&r.user_id)));

        // The explained candidates agree with the ranking and add up.
        let candidates = matching::candidates(
            &mut conn,
            &test_support::test_vault(),
            organisation,
            posting,
            filter,
            &Settings {
                k,
                ..Settings::default()
            },
        )
        .await
        .expect("candidates")
        .expect("found")
        .candidates;
        assert_eq!(candidates.len(), want);
        for c in &candidates {
            assert!(c.fit.eligible(), "case {case}: {:?}", c.fit.checks);
            let sum: f64 = c.fit.score.contributions.iter().map(|x| x.points).sum();
            assert_eq!(
                c.fit.score.total, sum,
                "the explanation adds up to the score"
            );
        }
        assert!(
            candidates
                .windows(2)
                .all(|w| w[0].fit.score.total >= w[1].fit.score.total),
            "best first"
        );
    }
    // The cases covered both small and large eligible sets, and the index path ran.
    assert!(
        sizes.iter().any(|&n| n < k),
        "some case had fewer than k eligible: {sizes:?}"
    );
    assert!(
        sizes.iter().any(|&n| n > 100),
        "some case had many eligible: {sizes:?}"
    );
    assert!(strategies.contains(&Strategy::Hnsw), "{strategies:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn ties_come_back_in_the_same_order(_: PgPoolOptions, options: PgConnectOptions) {
    let app = common::shop(options).await;
    let db = &app.db;
    let (organisation, hana) = (
        organisation(db, "harbour-hotels").await,
        user(db, "hana@olivine.test").await,
    );
    // Eight identical profiles: every score ties.
    let mut ids = Vec::new();
    for n in 0..8 {
        let email = format!("twin{n}@olivine.test");
        let id = UserId(uuid::Uuid::now_v7());
        let mut conn = db.acquire().await.expect("connection");
        app::accounts::repo::insert_user(
            &mut conn,
            &app.state.vault,
            id,
            &email,
            "Twin",
            None,
            true,
        )
        .await
        .expect("user");
        drop(conn);
        profiles::service::save_profile(
            &app.state,
            id,
            &ProfileBuilder::new("Barista and bartender").input(),
        )
        .await
        .expect("profile");
        ids.push(id.0);
    }
    let posting = job("Barista").draft(&app.state, organisation, hana).await;
    let mut conn = db.acquire().await.expect("connection");
    let settings = Settings {
        k: 5,
        ..Settings::default()
    };
    let first = matching::candidates(
        &mut conn,
        &test_support::test_vault(),
        organisation,
        posting,
        MatchFilter::default(),
        &settings,
    )
    .await
    .expect("candidates")
    .expect("found")
    .candidates;
    ids.sort();
    let expected: Vec<uuid::Uuid> = ids.iter().take(5).copied().collect();
    let got: Vec<uuid::Uuid> = first.iter().map(|c| c.freelancer_id.0).collect();
    assert_eq!(got, expected, "equal scores in the order of their ids");
    for _ in 0..3 {
        let again = matching::candidates(
            &mut conn,
            &test_support::test_vault(),
            organisation,
            posting,
            MatchFilter::default(),
            &settings,
        )
        .await
        .expect("candidates")
        .expect("found")
        .candidates;
        assert_eq!(again, first);
    }
}

/// A job ten days out, five days long, with only `title` to match on.
fn job(title: &str) -> JobBuilder {
    let start = today() + Duration::days(10);
    JobBuilder::from(start, start + Duration::days(5)).titled(title)
}

fn model_dir() -> std::path::PathBuf {
    std::env::var_os("OLIVINE_MATCHING_MODEL")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../.data/models/all-MiniLM-L6-v2")
        })
}

#[sqlx::test(migrations = "../migrations")]
async fn a_profile_edit_changes_its_matches_after_the_embedding_job(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::shop(options).await;
    let db = &app.db;
    let embedder = std::sync::Arc::new(
        ::matching::embed::Embedder::load(&model_dir(), 384)
            .unwrap_or_else(|e| panic!("{e} — run `cargo xtask setup`")),
    );
    let (organisation, hana) = (
        organisation(db, "harbour-hotels").await,
        user(db, "hana@olivine.test").await,
    );
    let (fay, finn) = (
        user(db, "fay@olivine.test").await,
        user(db, "finn@olivine.test").await,
    );
    for who in [fay, finn] {
        profiles::service::save_profile(
            &app.state,
            who,
            &ProfileBuilder::new("Barista and bartender in busy cafés").input(),
        )
        .await
        .expect("profile");
    }
    let bar = job("Barista for our hotel café")
        .draft(&app.state, organisation, hana)
        .await;
    let warehouse = postings::service::create_posting(
        &app.state,
        organisation,
        hana,
        PostingForm::Job(&JobInput {
            description: "Order picking and forklift driving in our linen warehouse.".into(),
            ..job("Warehouse worker with forklift").input()
        }),
    )
    .await
    .expect("warehouse job");
    // Before the job reads the texts nothing orders by meaning, so no pool is cut by it:
    // everyone eligible is ranked by the other factors, and the page says so.
    let mut conn = db.acquire().await.expect("connection");
    let recommend = |pool| {
        let settings = Settings {
            k: 1,
            pool,
            ..Settings::default()
        };
        async move {
            let mut conn = db.acquire().await.expect("connection");
            matching::candidates(
                &mut conn,
                &test_support::test_vault(),
                organisation,
                warehouse,
                MatchFilter::default(),
                &settings,
            )
            .await
            .expect("candidates")
            .expect("found")
        }
    };
    let (narrow, wide) = (recommend(1).await, recommend(200).await);
    assert!(!narrow.description_read);
    assert_eq!(
        narrow.candidates, wide.candidates,
        "a pool of one still finds the best"
    );
    assert_eq!(embedding_pass(db, &embedder).await, 4);
    assert_eq!(embedding_pass(db, &embedder).await, 0);
    assert!(recommend(1).await.description_read);

    let before = top(&mut conn, organisation, warehouse).await;
    assert_eq!(before.len(), 2);
    assert_eq!(
        semantic(&before[0]),
        semantic(&before[1]),
        "same text, same meaning"
    );

    // Fay retrains: her profile now reads like the warehouse job.
    profiles::service::save_profile(
        &app.state,
        fay,
        &ProfileInput {
            bio: "Forklift licence; order picking and packing in warehouses.".into(),
            ..ProfileBuilder::new("Warehouse worker and forklift driver").input()
        },
    )
    .await
    .expect("edit");
    let stale = top(&mut conn, organisation, warehouse).await;
    assert_eq!(
        stale.iter().map(semantic).collect::<Vec<_>>(),
        before.iter().map(semantic).collect::<Vec<_>>(),
        "nothing changes until the embedding job runs"
    );
    assert_eq!(embedding_pass(db, &embedder).await, 1, "only Fay's profile");

    let after = top(&mut conn, organisation, warehouse).await;
    assert_eq!(
        after[0].freelancer_id, fay,
        "Fay now fits the warehouse job best"
    );
    assert!(semantic(&after[0]) > semantic(&after[1]) + 0.1);
    let bar_after = top(&mut conn, organisation, bar).await;
    assert_eq!(bar_after[0].freelancer_id, finn, "and Finn the café");

    // The manager's page asks over HTTP, without narrowing the defaults: the same list.
    let mut manager = app.browser();
    assert!(common::ok(
        &manager.sign_in("hana@olivine.test", DEMO_PASSWORD).await
    ));
    let reply = manager
        .call(
            "hire/org/shift/recommended",
            &[
                ("slug", "harbour-hotels"),
                ("shift", &warehouse.0.to_string()),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let listed: app::hire::matching::model::Recommendations =
        serde_json::from_str(&reply.body).expect("candidates as JSON");
    assert!(listed.description_read);
    assert_eq!(
        listed
            .candidates
            .iter()
            .map(|c| c.freelancer_id)
            .collect::<Vec<_>>(),
        after.iter().map(|c| c.freelancer_id).collect::<Vec<_>>()
    );
}

fn semantic(c: &app::hire::matching::model::Candidate) -> f64 {
    c.fit
        .score
        .of(::matching::Factor::Semantic)
        .map(|x| x.value)
        .unwrap_or_default()
}

async fn top(
    conn: &mut sqlx::PgConnection,
    organisation: OrganisationId,
    posting: PostingId,
) -> Vec<app::hire::matching::model::Candidate> {
    matching::candidates(
        conn,
        &test_support::test_vault(),
        organisation,
        posting,
        MatchFilter::default(),
        &Settings::default(),
    )
    .await
    .expect("candidates")
    .expect("found")
    .candidates
}

/// Recommended-candidate searches are heavy vector queries: one manager gets
/// `RECOMMENDATIONS_PER_USER` of them in its window, then a 429 that says how long to wait.
#[sqlx::test(migrations = "../migrations")]
async fn recommended_searches_are_limited_per_manager(_: PgPoolOptions, options: PgConnectOptions) {
    let app = common::shop(options).await;
    let (organisation, manager) = (
        organisation(&app.db, "harbour-hotels").await,
        user(&app.db, "hana@olivine.test").await,
    );
    let shift = job("Barista for our hotel café")
        .draft(&app.state, organisation, manager)
        .await
        .0
        .to_string();
    let mut hana = app.browser();
    assert!(common::ok(
        &hana.sign_in("hana@olivine.test", DEMO_PASSWORD).await
    ));
    let ask = [("slug", "harbour-hotels"), ("shift", shift.as_str())];
    for search in 0..app::ratelimit::RECOMMENDATIONS_PER_USER.max {
        let reply = hana.call("hire/org/shift/recommended", &ask).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "search {search}: {}",
            reply.body
        );
    }
    common::assert_too_many(&hana.call("hire/org/shift/recommended", &ask).await);
}

/// One pass of the embedding job: how many profiles and postings got a new vector.
async fn embedding_pass(
    db: &sqlx::PgPool,
    embedder: &std::sync::Arc<::matching::embed::Embedder>,
) -> usize {
    let job = server::jobs::hire::Embeddings::new(db.clone(), embedder.clone());
    let pass = server::jobs::pass(db, &job).await.expect("embedding pass");
    assert_eq!(pass.failed, 0, "no text failed");
    pass.done
}
