//! `cargo xtask bench matching` runs this: N synthetic, clustered freelancers (see
//! `server::match_data`), the HNSW index build time, and 200 fixed candidate searches whose
//! hard filters leave about 1 %, 10 % and 50 % of the profiles. Each search also runs as the
//! exact sort (the ground truth): reported are p50/p99 latency of the engine's search at 1 and
//! 8 concurrent clients, recall@20 against the exact answer, the share of searches returning
//! k rows, the strategies chosen, and the embedding model's throughput (texts/s).
//!
//! usage: matching_bench <postgres-url> <profiles> <out.json>  (the model: OLIVINE_MATCHING_MODEL)

use anyhow::{Context, Result};
use app::hire::matching::{self, Query, Settings, Strategy, Window};
use app::money::{Currency, Money};
use chrono::{Duration as Days, NaiveDate, TimeZone, Utc};
use server::match_data::{self, Rng};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

const K: usize = 20;
/// 200 searches: 67 narrow, 67 medium, 66 broad.
const QUERIES: [usize; 3] = [67, 67, 66];
use match_data::BIG_CITIES;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Narrow,
    Medium,
    Broad,
}

impl Level {
    fn label(self) -> &'static str {
        match self {
            Level::Narrow => "~1 % eligible",
            Level::Medium => "~10 % eligible",
            Level::Broad => "~50 % eligible",
        }
    }
}

/// A shift on `day` from `hour` for `hours`, Amsterdam time in winter (UTC+1).
fn window(day: NaiveDate, hour: u32, hours: i32) -> Window {
    let starts_at =
        Utc.from_utc_datetime(&day.and_hms_opt(hour, 0, 0).unwrap_or_default()) - Days::hours(1);
    Window {
        start_minute: (chrono::Datelike::weekday(&day).num_days_from_monday() * 1440 + hour * 60)
            as i32,
        minutes: hours * 60,
        starts_at,
        ends_at: starts_at + Days::hours(i64::from(hours)),
    }
}

async fn queries(
    db: &PgPool,
    topics: &[match_data::Topic],
    today: NaiveDate,
) -> Result<Vec<(Level, Query)>> {
    let mut rng = Rng::new(2026);
    let mut conn = db.acquire().await?;
    let mut out = Vec::new();
    for (level, count) in [Level::Narrow, Level::Medium, Level::Broad]
        .into_iter()
        .zip(QUERIES)
    {
        for _ in 0..count {
            let trade = rng.below(topics.len());
            let embedding = Some(match_data::near(&mut rng, &topics[trade], 0.5));
            let day = today + Days::days(3 + rng.below(21) as i64);
            let (origin, radius, hourly, window, certificates, min_attendance) = match level {
                Level::Broad => ("nl-utrecht", 250.0, None, None, vec![], None),
                Level::Medium => (
                    *rng.pick(BIG_CITIES),
                    100.0,
                    Some(2700 + 100 * rng.below(4) as i64),
                    Some(window(day, 9 + rng.below(3) as u32, 6)),
                    vec![],
                    None,
                ),
                Level::Narrow => (
                    *rng.pick(&BIG_CITIES[..5]),
                    100.0,
                    Some(2800),
                    Some(window(day, 10 + rng.below(6) as u32, 5)),
                    vec![(
                        (*rng.pick(&["food-hygiene", "first-aid", "bhv", "vca"])).to_owned(),
                        "Certificate".to_owned(),
                    )],
                    rng.chance(0.2).then_some(0.8),
                ),
            };
            let (cities, kms) = matching::reachable(&mut conn, origin, radius).await?;
            let origin_row = sqlx::query!(
                "SELECT latitude, longitude FROM cities WHERE city_id = $1",
                origin
            )
            .fetch_one(&mut *conn)
            .await?;
            let last_day = window.map_or(day + Days::days(14), |_| day);
            out.push((
                level,
                Query {
                    posting: None,
                    origin: (origin_row.latitude, origin_row.longitude),
                    radius_km: radius,
                    cities,
                    kms,
                    hourly: hourly.map(|c| Money::new(c, Currency::Eur)),
                    currency: Currency::Eur,
                    min_attendance,
                    window,
                    first_day: day,
                    last_day,
                    certificates,
                    skills: match_data::TRADES[trade]
                        .skills
                        .iter()
                        .take(2)
                        .map(|s| ((*s).to_owned(), (*s).to_owned(), 2))
                        .collect(),
                    embedding,
                },
            ));
        }
    }
    Ok(out)
}

/// One search's quality: the share of profiles eligible, recall@20 against the exact answer,
/// whether it returned k rows (or every eligible one when fewer), and how it ran.
struct Outcome {
    share: f64,
    recall: f64,
    full: bool,
    strategy: Strategy,
}

fn mean(list: &[&Outcome], f: impl Fn(&Outcome) -> f64) -> f64 {
    list.iter().map(|r| f(r)).sum::<f64>() / list.len().max(1) as f64
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// One timed search: its selectivity level, the strategy it took and how long it took.
type Timing = (Level, Strategy, Duration);

/// Every query once per client, `clients` at a time; each client starts at a different query.
async fn latency(
    db: &PgPool,
    queries: &[(Level, Query)],
    settings: &Settings,
    clients: usize,
) -> Result<Vec<Timing>> {
    let mut tasks = Vec::new();
    for c in 0..clients {
        let db = db.clone();
        let queries = queries.to_vec();
        let settings = settings.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = db.acquire().await?;
            let mut times = Vec::new();
            for i in 0..queries.len() {
                let (level, q) = &queries[(i + c * queries.len() / clients.max(1)) % queries.len()];
                let start = Instant::now();
                let found = matching::search(&mut conn, q, &settings).await?;
                times.push((*level, found.strategy, start.elapsed()));
            }
            anyhow::Ok(times)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(all)
}

/// The sorted durations of the timings that `keep` selects.
fn durations(timings: &[Timing], keep: impl Fn(&Timing) -> bool) -> Vec<Duration> {
    let mut d: Vec<Duration> = timings.iter().filter(|t| keep(t)).map(|t| t.2).collect();
    d.sort();
    d
}

fn embedding_throughput() -> Result<(f64, usize)> {
    let dir = std::env::var_os("OLIVINE_MATCHING_MODEL")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| ".data/models/all-MiniLM-L6-v2".into());
    let embedder = ::matching::embed::Embedder::load(&dir, 384)
        .with_context(|| format!("the model in {} (cargo xtask setup)", dir.display()))?;
    let mut rng = Rng::new(9);
    let texts: Vec<String> = (0..256)
        .map(|i| {
            let trade = rng.pick(match_data::TRADES);
            app::hire::matching::profile_text(
                &format!(
                    "{} worker with {} years of experience",
                    trade.name,
                    1 + i % 12
                ),
                "Reliable, punctual and used to busy weekends; happy to travel within the region.",
                &trade
                    .skills
                    .iter()
                    .map(|s| ((*s).replace('-', " "), 1 + (i % 4) as i16))
                    .collect::<Vec<_>>(),
                &["nl".to_owned(), "en".to_owned()],
            )
        })
        .collect();
    embedder.embed(&[texts[0].as_str()])?;
    let start = Instant::now();
    for batch in texts.chunks(32) {
        let batch: Vec<&str> = batch.iter().map(String::as_str).collect();
        embedder.embed(&batch)?;
    }
    Ok((
        texts.len() as f64 / start.elapsed().as_secs_f64(),
        texts.len(),
    ))
}

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, n, out] = args.as_slice() else {
        anyhow::bail!("usage: matching_bench <postgres-url> <profiles> <out.json>");
    };
    let n: usize = n.parse().context("profiles must be a number")?;
    let db = PgPoolOptions::new()
        .max_connections(10)
        .connect(url)
        .await?;
    sqlx::migrate!("../migrations").run(&db).await?;
    let today = Utc::now().date_naive();

    // Load without the index, then build it and time that.
    sqlx::query("DROP INDEX freelancer_profiles_embedding")
        .execute(&db)
        .await?;
    let start = Instant::now();
    let generated = match_data::generate(&db, n, 1, today, 384).await?;
    let load = start.elapsed();
    println!("loaded {n} freelancers in {:.1} s", load.as_secs_f64());
    // The triggers rewrote every profile row a few times while loading; a table filled over
    // months would have reused that space. Compact it first.
    let mut conn = db.acquire().await?;
    sqlx::query("VACUUM FULL freelancer_profiles")
        .execute(&mut *conn)
        .await?;
    let start = Instant::now();
    sqlx::query("SET maintenance_work_mem = '2GB'")
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "CREATE INDEX freelancer_profiles_embedding ON freelancer_profiles
         USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)",
    )
    .execute(&mut *conn)
    .await?;
    let build = start.elapsed();
    sqlx::query("VACUUM ANALYZE freelancer_profiles")
        .execute(&mut *conn)
        .await?;
    drop(conn);
    println!("HNSW index built in {:.1} s", build.as_secs_f64());

    let queries = queries(&db, &generated.topics, today).await?;
    let settings = Settings {
        k: K,
        ..Settings::default()
    };
    let everyone = Settings {
        k: K,
        pool: i64::MAX / 2,
        exact_below: i64::MAX,
        ..Settings::default()
    };

    // Ground truth and quality, one query at a time.
    let mut conn = db.acquire().await?;
    let mut rows: BTreeMap<Level, Vec<Outcome>> = BTreeMap::new();
    let mut exact_times = Vec::new();
    for (level, q) in &queries {
        let (_, eligible) = matching::exact(&mut conn, q, &everyone).await?;
        let start = Instant::now();
        let (truth, _) = matching::exact(&mut conn, q, &settings).await?;
        exact_times.push(start.elapsed());
        let found = matching::search(&mut conn, q, &settings).await?;
        let truth_ids: HashSet<uuid::Uuid> = truth.iter().map(|r| r.user_id).collect();
        let hits = found
            .ranked
            .iter()
            .filter(|r| truth_ids.contains(&r.user_id))
            .count();
        let recall = if truth.is_empty() {
            1.0
        } else {
            hits as f64 / truth.len() as f64
        };
        let full = found.ranked.len() == K.min(eligible);
        rows.entry(*level).or_default().push(Outcome {
            share: eligible as f64 / n as f64,
            recall,
            full,
            strategy: found.strategy,
        });
    }
    drop(conn);
    exact_times.sort();

    // Latency: a warm-up round, then 1 and 8 clients.
    latency(&db, &queries, &settings, 1).await?;
    let one_timed = latency(&db, &queries, &settings, 1).await?;
    let eight_timed = latency(&db, &queries, &settings, 8).await?;
    let one = durations(&one_timed, |_| true);
    let eight = durations(&eight_timed, |_| true);
    let (texts_per_s, texts) = embedding_throughput()?;

    let all: Vec<&Outcome> = rows.values().flatten().collect();
    let recall = mean(&all, |r| r.recall);
    let min_recall = all.iter().map(|r| r.recall).fold(1.0, f64::min);
    let full_share = mean(&all, |r| f64::from(u8::from(r.full)));
    println!(
        "matching benchmark: {n} freelancers, {} searches, k = {K}, pool {}",
        queries.len(),
        settings.pool
    );
    println!(
        "{:<16} {:>10} {:>10} {:>10} {:>10} {:>16}  strategies",
        "", "eligible", "recall@20", "min", "k rows", "p50/p99 1 client"
    );
    let mut levels = serde_json::Map::new();
    for (level, list) in &rows {
        let refs: Vec<&Outcome> = list.iter().collect();
        let strategies: BTreeMap<String, usize> = list.iter().fold(BTreeMap::new(), |mut m, r| {
            *m.entry(format!("{:?}", r.strategy)).or_default() += 1;
            m
        });
        let share = mean(&refs, |r| r.share);
        let level_recall = mean(&refs, |r| r.recall);
        let level_min = list.iter().map(|r| r.recall).fold(1.0, f64::min);
        let level_full = mean(&refs, |r| f64::from(u8::from(r.full)));
        let level_times = durations(&one_timed, |t| t.0 == *level);
        println!(
            "{:<16} {:>9.1}% {:>10.3} {:>10.3} {:>9.0}% {:>7.1}/{:>7.1} ms  {strategies:?}",
            level.label(),
            share * 100.0,
            level_recall,
            level_min,
            level_full * 100.0,
            percentile(&level_times, 0.5),
            percentile(&level_times, 0.99),
        );
        levels.insert(
            level.label().to_owned(),
            serde_json::json!({
                "queries": list.len(),
                "eligible_share": share,
                "recall_at_20": level_recall,
                "min_recall": level_min,
                "k_rows_share": level_full,
                "strategies": strategies,
                "p50_1": percentile(&level_times, 0.5),
                "p99_1": percentile(&level_times, 0.99),
            }),
        );
    }
    for strategy in [Strategy::Exact, Strategy::Hnsw, Strategy::HnswThenExact] {
        let times = durations(&one_timed, |t| t.1 == strategy);
        if !times.is_empty() {
            println!(
                "{strategy:?}: {} searches, p50/p99 {:.1}/{:.1} ms at 1 client",
                times.len(),
                percentile(&times, 0.5),
                percentile(&times, 0.99)
            );
        }
    }
    println!(
        "latency p50/p99: 1 client {:.2}/{:.2} ms, 8 clients {:.2}/{:.2} ms (exact sort alone p50/p99 {:.2}/{:.2} ms)",
        percentile(&one, 0.5),
        percentile(&one, 0.99),
        percentile(&eight, 0.5),
        percentile(&eight, 0.99),
        percentile(&exact_times, 0.5),
        percentile(&exact_times, 0.99),
    );
    println!(
        "recall@20 {recall:.3} (min {min_recall:.3}), k rows {:.0}%, index build {:.1} s, load {:.1} s, embedding {texts_per_s:.0} texts/s ({texts} texts)",
        full_share * 100.0,
        build.as_secs_f64(),
        load.as_secs_f64()
    );
    let json = serde_json::json!({
        "profiles": n,
        "searches": queries.len(),
        "k": K,
        "pool": settings.pool,
        "p50_1": percentile(&one, 0.5),
        "p99_1": percentile(&one, 0.99),
        "p50_8": percentile(&eight, 0.5),
        "p99_8": percentile(&eight, 0.99),
        "exact_p50": percentile(&exact_times, 0.5),
        "exact_p99": percentile(&exact_times, 0.99),
        "recall_at_20": recall,
        "min_recall_at_20": min_recall,
        "k_rows_share": full_share,
        "index_build_s": build.as_secs_f64(),
        "load_s": load.as_secs_f64(),
        "embedding_texts_per_s": texts_per_s,
        "levels": levels,
    });
    std::fs::write(out, serde_json::to_string_pretty(&json)?)?;
    Ok(())
}
