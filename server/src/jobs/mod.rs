//! One runner for every background job.
//!
//! A job is a type ([`Job`]): a name, a [`Schedule`], the items due now and the work for one
//! item. The runner gives every job the same guarantees:
//!
//! - **Supervised**: a job whose pass panics is restarted with backoff, and the panic is logged
//!   and recorded under the job's name (`jobs.panics`), never lost with a silent task.
//! - **Items isolated**: each item runs on its own; one that fails (or panics) is tried again
//!   with backoff and, past the job's attempts, parked as dead with its error while the rest of
//!   the batch goes on. A support admin can retry a dead item on `/admin/jobs`.
//! - **No transaction held across work**: the runner keeps only leases (`job_items`), so an item
//!   that sends mail, calls Stripe or encodes an image holds no row lock while it does.
//! - **Placement**: [`Placement::OneNode`] jobs take a Postgres advisory lock for each pass, so
//!   with several nodes one of them runs it; [`Placement::EveryNode`] jobs run everywhere and
//!   the lease on each item keeps two nodes from taking the same one.
//!
//! Why not a job crate: underway 0.2 and sqlxmq 0.6 (the two on our sqlx 0.8) are queues of
//! enqueued task rows. Olivine's work already lives in its own tables (the email outbox, images
//! awaiting AVIF, texts awaiting embeddings, unpaid orders past their hold, stored Stripe
//! events), written in the transaction that made them due; a queue crate would copy each into a
//! second table and run it inside the worker's transaction. The runner below reads the due rows
//! where they are and keeps only what it needs to lease, retry and park them.

pub mod audit;
pub mod catalog;
pub mod escrow;
pub mod hire;
pub mod mail;
pub mod privacy;
pub mod search_sync;
pub mod shop;
pub mod wakeup;

use futures::{FutureExt, StreamExt};
use sqlx::Connection;
use sqlx::PgPool;
use sqlx::postgres::PgConnection;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Where a job runs when several nodes serve the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// One node per pass (a Postgres advisory lock); the others skip it.
    OneNode,
    /// Every node takes items; a lease keeps each item with one of them.
    EveryNode,
}

/// When and how a job runs.
#[derive(Clone, Copy, Debug)]
pub struct Schedule {
    /// Time between passes.
    pub every: Duration,
    pub placement: Placement,
    /// At most this many items per pass.
    pub batch: i64,
    /// Items of one pass worked on at once (on this node). More than one suits work that
    /// mostly waits on another service, such as a charge at Stripe.
    pub concurrency: usize,
    /// How long one item may take before another runner may take it again.
    pub lease: Duration,
    /// The first wait after a failure; it doubles with each further failure (at most an hour).
    pub retry_after: Duration,
    /// Failures before an item is parked as dead; `None` tries again for ever (sweeps).
    pub attempts: Option<i32>,
}

impl Schedule {
    /// A job that works through due rows: batches of 20, a 5-minute lease, retries from 10 s,
    /// parked after 8 failures.
    pub const fn items(every: Duration, placement: Placement) -> Self {
        Schedule {
            every,
            placement,
            batch: 20,
            concurrency: 1,
            lease: Duration::from_secs(300),
            retry_after: Duration::from_secs(10),
            attempts: Some(8),
        }
    }

    /// A sweep: one item per pass ([`PASS`]), on one node, tried again for ever.
    pub const fn sweep(every: Duration) -> Self {
        Schedule {
            every,
            placement: Placement::OneNode,
            batch: 1,
            concurrency: 1,
            lease: Duration::from_secs(300),
            retry_after: Duration::from_secs(10),
            attempts: None,
        }
    }
}

/// The one item of a sweep.
pub const PASS: &str = "pass";

/// A sweep's due list: its pass, unless that is resting after a failure.
pub fn sweep_due(resting: &[String]) -> Vec<String> {
    if resting.iter().any(|r| r == PASS) {
        Vec::new()
    } else {
        vec![PASS.to_owned()]
    }
}

/// A background job. Its items are keys of rows in the job's own tables (as text); the work for
/// one item must be idempotent, since a crash between doing it and recording it runs it again.
#[async_trait::async_trait]
pub trait Job: Send + Sync + 'static {
    /// Stable: it keys the job's rows in `jobs` and `job_items`.
    fn name(&self) -> &'static str;

    fn schedule(&self) -> Schedule;

    /// Items due now, oldest first, at most `limit`, leaving out `resting` (items another
    /// runner holds, ones waiting to be retried, and dead ones).
    async fn due(&self, limit: i64, resting: &[String]) -> anyhow::Result<Vec<String>>;

    /// The work for one item.
    async fn work(&self, item: &str) -> anyhow::Result<()>;
}

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    /// Skipped: another node holds this one-node job's turn.
    pub skipped: bool,
    pub due: usize,
    pub done: usize,
    pub failed: usize,
    /// Due items another runner leased first.
    pub taken_elsewhere: usize,
}

/// The jobs of one process, each under its own supervisor.
pub struct Runner {
    db: PgPool,
    jobs: Vec<Arc<dyn Job>>,
}

impl Runner {
    pub fn new(db: PgPool) -> Self {
        Runner {
            db,
            jobs: Vec::new(),
        }
    }

    #[must_use]
    pub fn with(mut self, job: impl Job) -> Self {
        self.jobs.push(Arc::new(job));
        self
    }

    /// Start every job; each runs until the process stops (or its handle is aborted).
    pub fn start(self) -> Vec<JoinHandle<()>> {
        self.jobs
            .into_iter()
            .map(|job| tokio::spawn(supervise(self.db.clone(), job)))
            .collect()
    }
}

/// Run `job` for good: when a pass panics, log and record it, wait (1 s, doubling up to
/// 5 minutes; back to 1 s after ten quiet minutes) and start it again.
pub async fn supervise(db: PgPool, job: Arc<dyn Job>) {
    let mut restarts: u32 = 0;
    loop {
        let started = tokio::time::Instant::now();
        let outcome = tokio::spawn(run_forever(db.clone(), job.clone())).await;
        let Err(error) = outcome else { return };
        if !error.is_panic() {
            return;
        }
        let message = panic_message(error.into_panic());
        if started.elapsed() > Duration::from_secs(600) {
            restarts = 0;
        }
        let wait = Duration::from_secs(1u64 << restarts.min(8)).min(Duration::from_secs(300));
        restarts += 1;
        tracing::error!(job = job.name(), panic = %message, restart_in = ?wait, "job panicked; restarting it");
        if let Err(error) = record_panic(&db, job.name(), &message).await {
            tracing::warn!(job = job.name(), %error, "could not record the panic");
        }
        tokio::time::sleep(wait).await;
    }
}

async fn run_forever(db: PgPool, job: Arc<dyn Job>) {
    let mut tick = tokio::time::interval(job.schedule().every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match pass(&db, &*job).await {
            Ok(pass) if pass.done + pass.failed > 0 => {
                tracing::info!(
                    job = job.name(),
                    done = pass.done,
                    failed = pass.failed,
                    "job pass"
                );
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(
                    job = job.name(),
                    error = format!("{error:#}"),
                    "job pass failed"
                );
            }
        }
    }
}

/// One pass of `job`: take the due items and work through them one at a time.
pub async fn pass(db: &PgPool, job: &dyn Job) -> anyhow::Result<Pass> {
    let schedule = job.schedule();
    let turn = match schedule.placement {
        Placement::OneNode => match Turn::take(db, job.name()).await? {
            Some(turn) => Some(turn),
            None => {
                return Ok(Pass {
                    skipped: true,
                    ..Pass::default()
                });
            }
        },
        Placement::EveryNode => None,
    };
    let result = work_through(db, job, &schedule).await;
    if let Some(turn) = turn {
        turn.release().await;
    }
    let name = job.name();
    let recorded = match &result {
        Ok(pass) => finished(db, name, pass, None).await,
        Err(error) => finished(db, name, &Pass::default(), Some(&format!("{error:#}"))).await,
    };
    if let Err(error) = recorded {
        tracing::warn!(job = name, %error, "could not record the pass");
    }
    result
}

async fn work_through(db: &PgPool, job: &dyn Job, schedule: &Schedule) -> anyhow::Result<Pass> {
    let name = job.name();
    started(db, name).await?;
    let resting = resting(db, name).await?;
    let due = job.due(schedule.batch, &resting).await?;
    let mut pass = Pass {
        due: due.len(),
        ..Pass::default()
    };
    let mut outcomes = futures::stream::iter(due)
        .map(|item| one_item(db, job, schedule, item))
        .buffer_unordered(schedule.concurrency.max(1));
    while let Some(outcome) = outcomes.next().await {
        match outcome? {
            Outcome::TakenElsewhere => pass.taken_elsewhere += 1,
            Outcome::Done => pass.done += 1,
            Outcome::Failed => pass.failed += 1,
        }
    }
    Ok(pass)
}

/// What became of one item of a pass.
enum Outcome {
    TakenElsewhere,
    Done,
    Failed,
}

/// Lease `item`, work on it and record how that went.
async fn one_item(
    db: &PgPool,
    job: &dyn Job,
    schedule: &Schedule,
    item: String,
) -> anyhow::Result<Outcome> {
    let name = job.name();
    let Some(lease) = lease(db, name, &item, schedule.lease).await? else {
        return Ok(Outcome::TakenElsewhere);
    };
    let outcome = AssertUnwindSafe(job.work(&item)).catch_unwind().await;
    let error = match outcome {
        Ok(Ok(())) => None,
        Ok(Err(error)) => Some(format!("{error:#}")),
        Err(panic) => Some(format!("panicked: {}", panic_message(panic))),
    };
    match error {
        None => {
            sqlx::query!(
                "DELETE FROM job_items WHERE job = $1 AND item = $2 AND lease_id = $3",
                name,
                item,
                lease
            )
            .execute(db)
            .await?;
            Ok(Outcome::Done)
        }
        Some(error) => {
            let dead = failed(db, name, &item, lease, &error, schedule).await?;
            tracing::warn!(job = name, %item, %error, dead, "job item failed");
            Ok(Outcome::Failed)
        }
    }
}

/// Items of `job` the next pass must leave alone: leased, waiting to retry, or dead.
async fn resting(db: &PgPool, job: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        "SELECT item FROM job_items
         WHERE job = $1 AND (dead_at IS NOT NULL OR leased_until > now() OR retry_at > now())",
        job
    )
    .fetch_all(db)
    .await
}

/// Lease `item` for `hold`, unless another runner holds it, it waits to be retried or it is
/// dead. Returns the lease's id.
async fn lease(
    db: &PgPool,
    job: &str,
    item: &str,
    hold: Duration,
) -> sqlx::Result<Option<uuid::Uuid>> {
    sqlx::query_scalar!(
        "INSERT INTO job_items (job, item, leased_until, lease_id)
         VALUES ($1, $2, now() + make_interval(secs => $3), gen_random_uuid())
         ON CONFLICT (job, item) DO UPDATE
            SET leased_until = excluded.leased_until, lease_id = excluded.lease_id
            WHERE job_items.dead_at IS NULL
              AND (job_items.leased_until IS NULL OR job_items.leased_until <= now())
              AND (job_items.retry_at IS NULL OR job_items.retry_at <= now())
         RETURNING lease_id AS \"lease_id!\"",
        job,
        item,
        hold.as_secs_f64()
    )
    .fetch_optional(db)
    .await
}

/// Record a failure under `lease`: retry later, or park the item as dead. Returns whether it
/// is now dead.
async fn failed(
    db: &PgPool,
    job: &str,
    item: &str,
    lease: uuid::Uuid,
    error: &str,
    schedule: &Schedule,
) -> sqlx::Result<bool> {
    let dead = sqlx::query_scalar!(
        "UPDATE job_items
         SET attempts = attempts + 1, leased_until = NULL, lease_id = NULL,
             last_error = left($4, 2000), failed_at = now(),
             retry_at = now() + least(interval '1 hour',
                                      make_interval(secs => $5 * power(2, least(attempts, 20)))),
             dead_at = CASE WHEN attempts + 1 >= $6 THEN now() END
         WHERE job = $1 AND item = $2 AND lease_id = $3
         RETURNING dead_at IS NOT NULL AS \"dead!\"",
        job,
        item,
        lease,
        error,
        schedule.retry_after.as_secs_f64(),
        schedule.attempts,
    )
    .fetch_optional(db)
    .await?;
    sqlx::query!(
        "UPDATE jobs SET items_failed = items_failed + 1 WHERE name = $1",
        job
    )
    .execute(db)
    .await?;
    Ok(dead.unwrap_or(false))
}

async fn started(db: &PgPool, job: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO jobs (name, last_started_at) VALUES ($1, now())
         ON CONFLICT (name) DO UPDATE SET last_started_at = now()",
        job
    )
    .execute(db)
    .await?;
    Ok(())
}

async fn finished(db: &PgPool, job: &str, pass: &Pass, error: Option<&str>) -> sqlx::Result<()> {
    if pass.skipped {
        return Ok(());
    }
    sqlx::query!(
        "INSERT INTO jobs (name, last_finished_at, last_due, last_error, runs, items_done)
         VALUES ($1, now(), $2, left($3, 2000), 1, $4)
         ON CONFLICT (name) DO UPDATE
            SET last_finished_at = now(), last_due = $2, last_error = left($3, 2000),
                runs = jobs.runs + 1, items_done = jobs.items_done + $4",
        job,
        i32::try_from(pass.due).unwrap_or(i32::MAX),
        error,
        i64::try_from(pass.done).unwrap_or(i64::MAX),
    )
    .execute(db)
    .await?;
    Ok(())
}

async fn record_panic(db: &PgPool, job: &str, message: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO jobs (name, panics, last_panic, last_panic_at) VALUES ($1, 1, left($2, 2000), now())
         ON CONFLICT (name) DO UPDATE
            SET panics = jobs.panics + 1, last_panic = left($2, 2000), last_panic_at = now()",
        job,
        message
    )
    .execute(db)
    .await?;
    Ok(())
}

fn panic_message(panic: Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// A one-node job's turn: a session-level advisory lock on a connection of its own, held for
/// one pass.
///
/// The connection is opened apart from the pool: a pass holding a pooled connection for its
/// lock while its work waits for another would, with every one-node job starting at once,
/// take the whole pool and leave requests waiting until they time out.
struct Turn {
    conn: Option<PgConnection>,
    job: &'static str,
}

impl Turn {
    async fn take(db: &PgPool, job: &'static str) -> sqlx::Result<Option<Turn>> {
        let mut conn = PgConnection::connect_with(&db.connect_options()).await?;
        let taken = sqlx::query_scalar!(
            "SELECT pg_try_advisory_lock(hashtext('olivine.job'), hashtext($1)) AS \"taken!\"",
            job
        )
        .fetch_one(&mut conn)
        .await?;
        Ok(taken.then_some(Turn {
            conn: Some(conn),
            job,
        }))
    }

    async fn release(mut self) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        let released = sqlx::query_scalar!(
            "SELECT pg_advisory_unlock(hashtext('olivine.job'), hashtext($1)) AS \"released!\"",
            self.job
        )
        .fetch_one(&mut conn)
        .await;
        if !matches!(released, Ok(true)) {
            tracing::warn!(
                job = self.job,
                "could not release a job's turn; closing its connection"
            );
        }
        // Closing the session also ends any lock it still holds.
        if let Err(error) = conn.close().await {
            tracing::debug!(job = self.job, %error, "closing a job's turn connection");
        }
    }
}
