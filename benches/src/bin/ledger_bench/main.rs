//! `cargo xtask bench ledger` runs this against an empty database (it migrates it): Hire's escrow
//! ledger under load through its service (`escrow::ledger::post`, one database transaction
//! per posting, as the settlement job books them).
//!
//! Sixteen real contracts are booked through Hire (the demo organisations and freelancers),
//! each escrow funded once with plenty, then workers release from them as approved hours do:
//! escrow → the freelancer's payable, and the fee → the platform's fee account, which every
//! release shares. Reports balanced postings per second and the latency of a release (begin to
//! commit, p50/p99) at 1 and 8 concurrent workers, checks the whole ledger afterwards, prints
//! a table and writes JSON.
//!
//! usage: ledger_bench <postgres-url> <out.json> [seconds-per-run]

mod reconciliation;

use anyhow::{Context, Result, bail, ensure};
use app::escrow::ledger::{self, Account, Posting};
use app::escrow::model::{TransactionKind, fee_for};
use app::ids::{ContractId, OrganisationId, UserId};
use app::money::Currency;
use app::state::AppState;
use benches::percentile;
use serde_json::json;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use test_support::hire::{Cast, hire_day};

const WORKERS: &[usize] = &[1, 8];
const CONTRACTS: usize = 16;
/// What each escrow is funded with: enough for every release of a long run.
const FUNDED: i64 = 1_000_000_000_000;
/// One release: an hour at €16, and the 10 % fee on it.
const PAY: i64 = 1_600;
const BASIS_POINTS: u32 = 1_000;

struct Booked {
    contract: ContractId,
    freelancer: UserId,
}

/// The app as the bench drives it, with its Stripe (the emulator, in this process).
struct Bench {
    state: AppState,
    organisation: OrganisationId,
    freelancers: [UserId; 2],
    _stripe: stripe_emulator::Emulator,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, database, out, rest @ ..] = args.as_slice() else {
        bail!("usage: ledger_bench <postgres-url> <out.json> [seconds-per-run]");
    };
    let seconds: u64 = match rest {
        [] => 10,
        [s] => s.parse().context("seconds-per-run is a number")?,
        _ => bail!("too many arguments"),
    };
    let db = PgPoolOptions::new()
        .max_connections(16)
        .connect(database)
        .await
        .context("connecting to the bench database")?;
    let (bench, booked) = book_contracts(&db).await?;
    fund(&db, &booked, bench.organisation).await?;
    let booked = Arc::new(booked);

    // Warm the pool and the database's caches first.
    run(&db, &booked, 2, Duration::from_secs(2)).await?;

    let mut rows = Vec::new();
    println!(
        "\n{:>7} {:>9} | {:>10} | {:>11} {:>11} | {:>6}",
        "workers", "postings", "postings/s", "release p50", "release p99", "errors"
    );
    for &workers in WORKERS {
        let run_time = Duration::from_secs(seconds);
        let (samples, errors) = run(&db, &booked, workers, run_time).await?;
        let rate = samples.len() as f64 / run_time.as_secs_f64();
        let (p50, p99) = (percentile(&samples, 0.50), percentile(&samples, 0.99));
        println!(
            "{workers:>7} {:>9} | {rate:>10.0} | {p50:>9.2}ms {p99:>9.2}ms | {errors:>6}",
            samples.len()
        );
        rows.push(json!({
            "workers": workers,
            "postings": samples.len(),
            "postings_per_s": rate,
            "release_p50_ms": p50,
            "release_p99_ms": p99,
            "errors": errors,
        }));
    }
    let mut conn = db.acquire().await?;
    let findings = ledger::check(&mut conn).await?;
    ensure!(findings.is_empty(), "the ledger doesn't hold: {findings:?}");
    println!("\nledger check: every transaction balanced, every balance equal to its entries");
    let reconciliation = reconciliation::measure(&bench, &booked).await?;
    let report = json!({
        "what": "escrow releases through escrow::ledger::post, one transaction each (escrow → payable, fee → platform fees)",
        "contracts": CONTRACTS,
        "seconds_per_run": seconds,
        "runs": rows,
        "reconciliation": reconciliation,
        "targets": { "postings_per_s": 2000, "release_p99_ms": 20, "reconciliation_s": 10 },
    });
    std::fs::write(out, serde_json::to_vec_pretty(&report)?)?;
    Ok(())
}

/// The demo accounts, and Harbour Hotels' contracts with Fay and Finn on sixteen days, booked
/// through Hire as managers and freelancers book them, in the freshly migrated database.
async fn book_contracts(db: &PgPool) -> Result<(Bench, Vec<Booked>)> {
    server::MIGRATOR.run(db).await.context("migrating")?;
    let (state, stripe) = benches::app_with_emulator(db).await?;
    server::seed::seed_accounts(db, &state.vault)
        .await
        .context("seeding the demo accounts")?;
    let cast = Cast::of(&state).await;
    let mut booked = Vec::with_capacity(CONTRACTS);
    for i in 0..CONTRACTS {
        let freelancer = if i % 2 == 0 { cast.fay } else { cast.finn };
        let day = hire_day(3 + i64::try_from(i / 2)?);
        let shift = cast.open_shift(&state, day, 1).await;
        let contract = cast.hire(&state, freelancer, shift).await;
        booked.push(Booked {
            contract,
            freelancer,
        });
    }
    Ok((
        Bench {
            state,
            organisation: cast.harbour,
            freelancers: [cast.fay, cast.finn],
            _stripe: stripe,
        },
        booked,
    ))
}

/// Each contract's escrow funded once, as a charge on the organisation's card funds it.
async fn fund(db: &PgPool, booked: &[Booked], organisation: OrganisationId) -> Result<()> {
    for b in booked {
        let posting = Posting::new(
            TransactionKind::Funding,
            format!("bench-funding:{}", b.contract),
            Currency::Eur,
        )
        .for_contract(b.contract)
        .moving(
            FUNDED,
            Account::OrganisationFunding(organisation),
            Account::ContractEscrow(b.contract),
        );
        let mut tx = db.begin().await?;
        ledger::post(&mut tx, &posting).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// `workers` tasks releasing for `run_time`, each from its own contracts in turn: how long
/// each release took (begin to commit), and how many failed.
async fn run(
    db: &PgPool,
    booked: &Arc<Vec<Booked>>,
    workers: usize,
    run_time: Duration,
) -> Result<(Vec<Duration>, u64)> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let errors = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + run_time;
    let mut tasks = Vec::with_capacity(workers);
    for worker in 0..workers {
        let (db, booked, errors) = (db.clone(), Arc::clone(booked), Arc::clone(&errors));
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            let mine: Vec<&Booked> = booked.iter().skip(worker).step_by(workers).collect();
            let mut turn = 0;
            while Instant::now() < deadline {
                let b = mine[turn % mine.len()];
                turn += 1;
                let key = format!("bench-release:{}", NEXT.fetch_add(1, Ordering::Relaxed));
                let posting = Posting::new(TransactionKind::Release, key, Currency::Eur)
                    .for_contract(b.contract)
                    .moving(
                        PAY,
                        Account::ContractEscrow(b.contract),
                        Account::FreelancerPayable(b.freelancer, b.contract),
                    )
                    .moving(
                        fee_for(PAY, BASIS_POINTS),
                        Account::ContractEscrow(b.contract),
                        Account::platform_fees_for(b.contract),
                    );
                let began = Instant::now();
                let booked = async {
                    let mut tx = db.begin().await?;
                    ledger::post(&mut tx, &posting).await?;
                    tx.commit().await?;
                    anyhow::Ok(())
                }
                .await;
                match booked {
                    Ok(()) => samples.push(began.elapsed()),
                    Err(error) => {
                        if errors.fetch_add(1, Ordering::Relaxed) == 0 {
                            eprintln!("a release failed: {error:#}");
                        }
                    }
                }
            }
            samples
        }));
    }
    let mut samples = Vec::new();
    for task in tasks {
        samples.extend(task.await?);
    }
    Ok((samples, errors.load(Ordering::Relaxed)))
}
