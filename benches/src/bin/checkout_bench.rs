//! `cargo xtask bench checkout` runs this against a running release server (with its Stripe
//! emulator and database): shoppers that each add one item to a new cart and start checkout
//! (order placed, stock held first-expiry-first-out, PaymentIntent created), as many at once as
//! there are clients. Reports add-to-cart and checkout-start latency p50/p99 at 1 and 8
//! concurrent clients, prints a table and writes JSON.
//!
//! usage: checkout_bench <base-url> <postgres-url> <out.json> [seconds-per-run]

use anyhow::{Context, Result, bail};
use app::ids::{LotId, VariantId};
use app::inventory::repo::{NewLot, receive_lot};
use benches::percentile;
use serde_json::json;
use sqlx::postgres::PgPoolOptions;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CLIENTS: &[usize] = &[1, 8];
/// Variants the shoppers spread over, as real traffic spreads over a catalogue's best sellers.
const VARIANTS: i64 = 20;
/// Units received per variant before the run, so no checkout fails for want of stock.
const UNITS: i32 = 200_000;

/// Every turn is another shopper: their own email (below) and address (`x-forwarded-for`; the
/// bench's server trusts it), so the per-address and per-email checkout limits see real traffic.
const ADDRESS: &[(&str, &str)] = &[
    ("address[name]", "Bench Shopper"),
    ("address[line1]", "Keizersgracht 12"),
    ("address[line2]", ""),
    ("address[postal_code]", "1015 CS"),
    ("address[city]", "Amsterdam"),
    ("address[country]", "NL"),
    ("shipping_method", "standard"),
    ("discount_code", ""),
];

#[derive(Default)]
struct Samples {
    add: Vec<Duration>,
    start: Vec<Duration>,
    errors: u64,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, base, database, out, rest @ ..] = args.as_slice() else {
        bail!("usage: checkout_bench <base-url> <postgres-url> <out.json> [seconds-per-run]");
    };
    let seconds: u64 = match rest {
        [] => 10,
        [s] => s.parse().context("seconds-per-run is a number")?,
        _ => bail!("too many arguments"),
    };
    let variants = stock_up(database).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    let base = base.trim_end_matches('/').to_owned();

    // Warm the server's pools and caches first.
    run(&client, &base, &variants, 2, Duration::from_secs(2)).await?;

    let mut rows = Vec::new();
    println!(
        "\n{:>7} {:>10} | {:>8} {:>8} | {:>8} {:>8} | {:>9} {:>6}",
        "clients", "checkouts", "add p50", "add p99", "start p50", "p99", "orders/s", "errors"
    );
    for &clients in CLIENTS {
        let run_time = Duration::from_secs(seconds);
        let samples = run(&client, &base, &variants, clients, run_time).await?;
        let (add50, add99) = (
            percentile(&samples.add, 0.50),
            percentile(&samples.add, 0.99),
        );
        let (start50, start99) = (
            percentile(&samples.start, 0.50),
            percentile(&samples.start, 0.99),
        );
        let rate = samples.start.len() as f64 / run_time.as_secs_f64();
        println!(
            "{clients:>7} {:>10} | {add50:>8.2} {add99:>8.2} | {start50:>8.2} {start99:>8.2} | {rate:>9.1} {:>6}",
            samples.start.len(),
            samples.errors
        );
        rows.push(json!({
            "clients": clients,
            "checkouts": samples.start.len(),
            "errors": samples.errors,
            "orders_per_second": rate,
            "add_to_cart": { "p50_ms": add50, "p99_ms": add99, "n": samples.add.len() },
            "checkout_start": { "p50_ms": start50, "p99_ms": start99, "n": samples.start.len() },
        }));
    }
    let report = json!({
        "bench": "checkout",
        "seconds_per_run": seconds,
        "variants": variants.len(),
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "runs": rows,
    });
    std::fs::write(out, serde_json::to_string_pretty(&report)?)?;
    Ok(())
}

/// Receive a large lot for the first published variants, so every checkout finds stock.
async fn stock_up(database: &str) -> Result<Vec<String>> {
    let db = PgPoolOptions::new()
        .max_connections(2)
        .connect(database)
        .await?;
    let ids: Vec<uuid::Uuid> = sqlx::query_scalar(
        "SELECT v.variant_id FROM variants v JOIN products p USING (product_id)
         WHERE p.published_at IS NOT NULL AND v.price_minor >= 500
         ORDER BY p.slug, v.position LIMIT $1",
    )
    .bind(VARIANTS)
    .fetch_all(&db)
    .await?;
    if ids.is_empty() {
        bail!("no published variants: seed the demo catalogue first");
    }
    let expiry = chrono::Utc::now().date_naive() + chrono::Days::new(700);
    let mut conn = db.acquire().await?;
    for id in &ids {
        let lot = uuid::Uuid::now_v7();
        let batch = format!("BENCH-{}", lot.simple()).to_uppercase();
        receive_lot(
            &mut conn,
            &NewLot {
                id: LotId(lot),
                variant: VariantId(*id),
                batch_number: &batch,
                expiry_date: expiry,
                quantity: UNITS,
            },
            None,
        )
        .await?;
    }
    Ok(ids.iter().map(uuid::Uuid::to_string).collect())
}

/// `clients` shoppers, each in a loop for `run_time`: a new cart, one item, checkout.
async fn run(
    client: &reqwest::Client,
    base: &str,
    variants: &[String],
    clients: usize,
    run_time: Duration,
) -> Result<Samples> {
    let until = Instant::now() + run_time;
    let variants = Arc::new(variants.to_vec());
    let mut tasks = Vec::new();
    for shopper in 0..clients {
        let (client, base, variants) = (client.clone(), base.to_owned(), variants.clone());
        tasks.push(tokio::spawn(async move {
            let mut samples = Samples::default();
            let mut turn = shopper;
            while Instant::now() < until {
                let variant = &variants[turn % variants.len()];
                turn += clients;
                match checkout(&client, &base, variant, turn).await {
                    Ok((add, start)) => {
                        samples.add.push(add);
                        samples.start.push(start);
                    }
                    Err(error) => {
                        samples.errors += 1;
                        if samples.errors == 1 {
                            eprintln!("checkout_bench: {error:#}");
                        }
                    }
                }
            }
            samples
        }));
    }
    let mut all = Samples::default();
    for task in tasks {
        let samples = task.await?;
        all.add.extend(samples.add);
        all.start.extend(samples.start);
        all.errors += samples.errors;
    }
    Ok(all)
}

/// One shopper: add to a new (guest) cart, then start checkout. Answers both latencies.
async fn checkout(
    client: &reqwest::Client,
    base: &str,
    variant: &str,
    shopper: usize,
) -> Result<(Duration, Duration)> {
    // 198.18.0.0/15 is set aside for benchmarks: never a real client.
    let from = format!("198.18.{}.{}", (shopper / 256) % 256, shopper % 256);
    let email = format!("bench-{shopper}@example.com");
    let mut form = ADDRESS.to_vec();
    form.push(("email", &email));
    let began = Instant::now();
    let added = call(
        client,
        base,
        &from,
        "cart/add",
        None,
        &[("variant", variant), ("quantity", "1")],
    )
    .await?;
    let add = began.elapsed();
    let cookie = added
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .and_then(|c| c.to_str().ok())
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
        .context("add-to-cart set no session cookie")?;
    let began = Instant::now();
    let started = call(client, base, &from, "checkout/start", Some(&cookie), &form).await?;
    let start = began.elapsed();
    let body = started.text().await?;
    if !body.contains("client_secret") {
        bail!("checkout/start answered without a payment: {body}");
    }
    Ok((add, start))
}

async fn call(
    client: &reqwest::Client,
    base: &str,
    from: &str,
    endpoint: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> Result<reqwest::Response> {
    let mut request = client
        .post(format!("{base}/api/{endpoint}"))
        .header("accept", "application/json")
        .header("sec-fetch-site", "same-origin")
        .header("origin", base)
        .header("x-forwarded-for", from)
        .form(form);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await?;
    if !response.status().is_success() {
        let status = response.status();
        bail!(
            "{endpoint}: {status}: {}",
            response.text().await.unwrap_or_default()
        );
    }
    Ok(response)
}
