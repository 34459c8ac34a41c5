//! The job runner: supervision, item isolation, leases and one-node placement.

use server::jobs::{self, Job, Placement, Schedule};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod common;

/// A job over a fixed set of items, done in memory. Its work is idempotent the way the real
/// jobs' is: an item already done is left alone. Items named `poison…` always fail and
/// `panic…` always panic; the work takes `work_time`, which gives two runners time to meet.
struct Fixture {
    name: &'static str,
    schedule: Schedule,
    items: Vec<String>,
    done: Arc<Mutex<BTreeSet<String>>>,
    /// Every time an item's effect happened (an item listed twice was processed twice).
    effects: Arc<Mutex<Vec<String>>>,
    work_time: Duration,
    /// `due` panics while this is above zero (counting down).
    panics_left: Arc<AtomicUsize>,
    /// `due` lists every item, done or resting, as two runners reading their due lists at the
    /// same instant would: then only the lease (and the work's idempotence) keeps them apart.
    blind: bool,
    /// Items being worked on now, and the most there ever were at once.
    running: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
}

impl Fixture {
    fn new(name: &'static str, items: &[&str]) -> Self {
        Fixture {
            name,
            schedule: Schedule {
                every: Duration::from_millis(50),
                retry_after: Duration::ZERO,
                attempts: Some(3),
                batch: 100,
                ..Schedule::items(Duration::from_millis(50), Placement::EveryNode)
            },
            items: items.iter().map(|i| (*i).to_owned()).collect(),
            done: Arc::default(),
            effects: Arc::default(),
            work_time: Duration::ZERO,
            panics_left: Arc::default(),
            blind: false,
            running: Arc::default(),
            peak: Arc::default(),
        }
    }

    /// Another runner of the same job (as on a second node): same name, same items, same
    /// record of what was done.
    fn twin(&self) -> Self {
        Fixture {
            name: self.name,
            schedule: self.schedule,
            items: self.items.clone(),
            done: self.done.clone(),
            effects: self.effects.clone(),
            work_time: self.work_time,
            panics_left: self.panics_left.clone(),
            blind: self.blind,
            running: self.running.clone(),
            peak: self.peak.clone(),
        }
    }
}

#[async_trait::async_trait]
impl Job for Fixture {
    fn name(&self) -> &'static str {
        self.name
    }

    fn schedule(&self) -> Schedule {
        self.schedule
    }

    async fn due(&self, limit: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        if self
            .panics_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            panic!("the due list could not be read");
        }
        let done = self.done.lock().unwrap().clone();
        Ok(self
            .items
            .iter()
            .filter(|i| self.blind || (!done.contains(*i) && !resting.contains(i)))
            .take(usize::try_from(limit).unwrap())
            .cloned()
            .collect())
    }

    async fn work(&self, item: &str) -> anyhow::Result<()> {
        if self.done.lock().unwrap().contains(item) {
            return Ok(());
        }
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(self.work_time).await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        if item.starts_with("poison") {
            anyhow::bail!("{item} cannot be processed");
        }
        if item.starts_with("panic") {
            panic!("{item} broke the worker");
        }
        self.effects.lock().unwrap().push(item.to_owned());
        self.done.lock().unwrap().insert(item.to_owned());
        Ok(())
    }
}

async fn pool(options: PgConnectOptions) -> PgPool {
    common::own_pool(options).await
}

#[sqlx::test(migrations = "../migrations")]
async fn a_job_that_panics_is_restarted(_: PgPoolOptions, options: PgConnectOptions) {
    let db = pool(options).await;
    let job = Fixture::new("restarts", &["a", "b"]);
    job.panics_left.store(1, Ordering::SeqCst);
    let done = job.done.clone();
    let handles = jobs::Runner::new(db.clone()).with(job).start();

    // The first pass panics; the supervisor starts the job again after a second.
    common::within("the restarted job", async {
        while done.lock().unwrap().len() < 2 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    for handle in handles {
        handle.abort();
    }
    let row = sqlx::query!("SELECT panics, last_panic FROM jobs WHERE name = 'restarts'")
        .fetch_one(&db)
        .await
        .expect("the job's row");
    assert_eq!(row.panics, 1);
    assert_eq!(
        row.last_panic.as_deref(),
        Some("the due list could not be read")
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_poison_item_is_parked_while_the_others_go_on(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let db = pool(options).await;
    let job = Fixture::new("poison", &["a", "poison-1", "b", "panic-1", "c"]);

    let first = jobs::pass(&db, &job).await.expect("first pass");
    assert_eq!((first.due, first.done, first.failed), (5, 3, 2));
    assert_eq!(*job.effects.lock().unwrap(), ["a", "b", "c"]);

    // Retried (this schedule waits no time between attempts) until the third failure parks
    // them; after that no pass offers them again.
    for pass in 2..=3 {
        let again = jobs::pass(&db, &job).await.expect("retry pass");
        assert_eq!(
            (again.due, again.done, again.failed),
            (2, 0, 2),
            "pass {pass}"
        );
    }
    let idle = jobs::pass(&db, &job).await.expect("idle pass");
    assert_eq!((idle.due, idle.failed), (0, 0));

    let parked = sqlx::query!(
        r#"SELECT item, attempts, last_error AS "last_error!", dead_at IS NOT NULL AS "dead!"
           FROM job_items WHERE job = 'poison' ORDER BY item"#
    )
    .fetch_all(&db)
    .await
    .expect("items");
    assert_eq!(parked.len(), 2, "only the failed items keep a row");
    assert_eq!(parked[0].item, "panic-1");
    assert_eq!(parked[0].last_error, "panicked: panic-1 broke the worker");
    assert_eq!(parked[1].item, "poison-1");
    assert_eq!(parked[1].last_error, "poison-1 cannot be processed");
    assert!(parked.iter().all(|p| p.dead && p.attempts == 3));

    let totals = sqlx::query!(
        "SELECT runs, items_done, items_failed, last_due FROM jobs WHERE name = 'poison'"
    )
    .fetch_one(&db)
    .await
    .expect("the job's row");
    assert_eq!(
        (
            totals.runs,
            totals.items_done,
            totals.items_failed,
            totals.last_due
        ),
        (4, 3, 6, 0)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn two_runners_never_process_one_item_twice(_: PgPoolOptions, options: PgConnectOptions) {
    let db = pool(options).await;
    let names: Vec<String> = (0..30).map(|i| format!("item-{i:02}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut job = Fixture::new("shared", &names);
    job.work_time = Duration::from_millis(10);
    job.blind = true;
    let twin = job.twin();

    // Both work from the same due list of all thirty; the lease on each item lets one of them
    // do it.
    let (a, b) = tokio::join!(jobs::pass(&db, &job), jobs::pass(&db, &twin));
    let (a, b) = (a.expect("runner a"), b.expect("runner b"));
    assert_eq!((a.due, b.due), (30, 30));
    assert!(a.taken_elsewhere + b.taken_elsewhere > 0, "the runners met");

    let mut effects = job.effects.lock().unwrap().clone();
    let processed = effects.len();
    effects.sort();
    effects.dedup();
    assert_eq!(processed, effects.len(), "no item was processed twice");
    assert_eq!(effects.len(), 30, "every item was processed");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_job_works_on_as_many_items_at_once_as_its_schedule_says(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let db = pool(options).await;
    let names: Vec<String> = (0..12).map(|i| format!("item-{i:02}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut one_by_one = Fixture::new("one-by-one", &names);
    one_by_one.work_time = Duration::from_millis(30);
    let pass = jobs::pass(&db, &one_by_one).await.expect("pass");
    assert_eq!((pass.due, pass.done), (12, 12));
    assert_eq!(one_by_one.peak.load(Ordering::SeqCst), 1);

    let mut four = Fixture::new("four-at-once", &names);
    four.work_time = Duration::from_millis(30);
    four.schedule.concurrency = 4;
    let twin = four.twin();
    // Two runners of four each: never more than eight at once, and still each item once.
    let (a, b) = tokio::join!(jobs::pass(&db, &four), jobs::pass(&db, &twin));
    let (a, b) = (a.expect("runner a"), b.expect("runner b"));
    // Each runner reads its due list when it starts (without what the other has finished by
    // then). Each item on it a runner either did, found leased by the other, or (reaching it
    // after the other had finished it and let its lease go) found done already: the work is
    // idempotent, so "done" may count an item for both runners. That each happened once is
    // what the effects below show.
    for p in [&a, &b] {
        assert_eq!((p.done + p.taken_elsewhere, p.failed), (p.due, 0));
    }
    let peak = four.peak.load(Ordering::SeqCst);
    assert!((4..=8).contains(&peak), "{peak} at once");
    let mut effects = four.effects.lock().unwrap().clone();
    effects.sort();
    effects.dedup();
    assert_eq!(effects.len(), 12);
    assert_eq!(four.effects.lock().unwrap().len(), 12, "no item twice");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_one_node_job_runs_on_one_node_at_a_time(_: PgPoolOptions, options: PgConnectOptions) {
    let db = pool(options).await;
    let mut job = Fixture::new("singleton", &["only"]);
    job.schedule.placement = Placement::OneNode;
    job.work_time = Duration::from_millis(300);
    let twin = job.twin();

    let (a, b) = tokio::join!(jobs::pass(&db, &job), jobs::pass(&db, &twin));
    let (a, b) = (a.expect("runner a"), b.expect("runner b"));
    assert!(a.skipped != b.skipped, "exactly one pass ran: {a:?} {b:?}");
    assert_eq!(a.done + b.done, 1);

    // The turn was given back: the next pass runs (and finds nothing left).
    let next = jobs::pass(&db, &job).await.expect("next pass");
    assert!(!next.skipped);
    assert_eq!(next.due, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn support_admins_see_parked_items_and_send_them_back(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(pool(options).await).await;
    let mut job = Fixture::new("fragile", &["fine", "poison-7"]);
    job.schedule.attempts = Some(1);
    let pass = jobs::pass(&app.db, &job).await.expect("pass");
    assert_eq!((pass.done, pass.failed), (1, 1));

    let mut admin = app.browser();
    admin
        .sign_in("admin@olivine.test", server::seed::DEMO_PASSWORD)
        .await;
    let reply = admin.call("admin/jobs", &[]).await;
    assert!(common::ok(&reply), "{}", reply.body);
    let overview: app::background::model::JobsOverview =
        serde_json::from_str(&reply.body).expect("overview");
    let fragile = overview
        .jobs
        .iter()
        .find(|j| j.name == "fragile")
        .expect("the job is listed");
    assert_eq!((fragile.runs, fragile.items_done, fragile.dead), (1, 1, 1));
    assert_eq!(overview.dead.len(), 1);
    assert_eq!(overview.dead[0].item, "poison-7");
    assert_eq!(overview.dead[0].last_error, "poison-7 cannot be processed");

    // A shopper may not look, let alone retry.
    let mut shopper = app.browser();
    shopper
        .sign_in("ann@olivine.test", server::seed::DEMO_PASSWORD)
        .await;
    let refused = shopper
        .call(
            "admin/jobs/retry",
            &[("job", "fragile"), ("item", "poison-7")],
        )
        .await;
    assert_eq!(refused.status, axum::http::StatusCode::FORBIDDEN);

    let retried = admin
        .call(
            "admin/jobs/retry",
            &[("job", "fragile"), ("item", "poison-7")],
        )
        .await;
    assert!(common::ok(&retried), "{}", retried.body);
    let audited = sqlx::query_scalar!(
        "SELECT count(*) AS \"n!\" FROM audit_log WHERE action = 'job_item_retried'
           AND detail->>'item' = 'poison-7'"
    )
    .fetch_one(&app.db)
    .await
    .expect("audit");
    assert_eq!(audited, 1);
    // Back in the queue: the next pass offers it again (and it fails again, being poison).
    let again = jobs::pass(&app.db, &job).await.expect("pass");
    assert_eq!((again.due, again.failed), (1, 1));
    // Retrying something not parked is a 404.
    let missing = admin
        .call("admin/jobs/retry", &[("job", "fragile"), ("item", "fine")])
        .await;
    assert_eq!(missing.status, axum::http::StatusCode::NOT_FOUND);
}
