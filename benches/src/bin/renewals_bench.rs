//! `cargo xtask bench renewals` runs this against an empty database (it migrates and seeds
//! it): subscribe-and-save renewals at scale, through the real renewal job.
//!
//! The demo catalog is seeded and each subscribable variant gets a lot that lasts; 10,000
//! subscriptions (of 10,000 customers, their saved cards at the Stripe emulator in this
//! process) all fall due today. Two runners of the `subscription-renewals` job, as two nodes
//! would run it, then work through them with the job's own schedule (batches of 200, eight
//! at once each): hold lasting stock first expiry first out, price, place the order, charge
//! the saved card off-session and book the payment. Reports renewals per second from the
//! first pass to the last delivery booked, and counts double charges (two successful
//! PaymentIntents for one delivery) and double orders (two live orders for one delivery).
//!
//! usage: renewals_bench <postgres-url> <out.json> [subscriptions]

use anyhow::{Context, Result, bail, ensure};
use app::ids::{LotId, VariantId};
use app::inventory::repo::{NewLot, receive_lot};
use app::state::AppState;
use serde_json::json;
use server::jobs::shop::Renewals;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use std::collections::HashMap;
use std::time::Instant;

/// Runners of the job, as on two nodes.
const NODES: usize = 2;
/// Customers share this many Stripe customers (each with its card saved).
const STRIPE_CUSTOMERS: usize = 200;

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, database, out, rest @ ..] = args.as_slice() else {
        bail!("usage: renewals_bench <postgres-url> <out.json> [subscriptions]");
    };
    let subscriptions: i64 = match rest {
        [] => 10_000,
        [n] => n.parse().context("subscriptions is a number")?,
        _ => bail!("too many arguments"),
    };
    let db = PgPoolOptions::new()
        .max_connections(24)
        .connect(database)
        .await
        .context("connecting to the bench database")?;
    server::MIGRATOR.run(&db).await.context("migrating")?;
    let today = chrono::Utc::now().date_naive();
    server::seed::seed_demo(&db, today)
        .await
        .context("seeding the demo shop")?;
    let (state, stripe) = benches::app_with_emulator(&db).await?;

    let variants = stock_subscribable_variants(&db, today).await?;
    let cards = saved_cards(&state).await?;
    subscribe(&db, subscriptions, &variants, &cards, today).await?;
    // The bench's customers were written in bulk with their addresses in the clear; seal them
    // as `olivine migrate` would, so renewals read them as they read anyone's.
    server::seal_clear_personal_data(&db, &state.vault).await?;
    println!(
        "\n{subscriptions} subscriptions due today over {} variants, {STRIPE_CUSTOMERS} Stripe customers; {NODES} runners",
        variants.len()
    );

    let started = Instant::now();
    let mut runners = Vec::with_capacity(NODES);
    for _ in 0..NODES {
        let (db, state) = (db.clone(), state.clone());
        runners.push(tokio::spawn(async move {
            let job = Renewals::new(state);
            let mut passes = 0_u32;
            let mut failed = 0_usize;
            loop {
                let pass = server::jobs::pass(&db, &job).await?;
                passes += 1;
                failed += pass.failed;
                if pass.due == 0 {
                    return anyhow::Ok((passes, failed));
                }
            }
        }));
    }
    let mut failed = 0;
    let mut passes = 0;
    for runner in runners {
        let (p, f) = runner.await??;
        passes += p;
        failed += f;
    }
    let elapsed = started.elapsed();

    let paid = paid_renewals(&db).await?;
    let double_orders = double_orders(&db).await?;
    let (charges, double_charges) = charges(&state).await?;
    let rate = paid as f64 / elapsed.as_secs_f64();
    println!(
        "{:>13} {:>9} | {:>10} | {:>7} {:>14} {:>13} | {:>6} {:>12}",
        "subscriptions",
        "seconds",
        "renewals/s",
        "charges",
        "double charges",
        "double orders",
        "passes",
        "failed items"
    );
    println!(
        "{subscriptions:>13} {:>9.1} | {rate:>10.0} | {charges:>7} {double_charges:>14} {double_orders:>13} | {passes:>6} {failed:>12}",
        elapsed.as_secs_f64()
    );
    ensure!(
        paid == subscriptions,
        "{paid} of {subscriptions} deliveries were booked paid"
    );
    let report = json!({
        "what": "subscription renewals due at once, worked through by the subscription-renewals job (place the order on lasting lots, price, charge the saved card off-session at the in-process Stripe emulator, book the payment)",
        "subscriptions": subscriptions,
        "variants": variants.len(),
        "runners": NODES,
        "batch": 200,
        "concurrency_per_runner": 8,
        "seconds": elapsed.as_secs_f64(),
        "renewals_per_s": rate,
        "paid": paid,
        "charges": charges,
        "double_charges": double_charges,
        "double_orders": double_orders,
        "passes": passes,
        "failed_items": failed,
        "targets": { "renewals_per_s": 100, "double_charges": 0 },
    });
    std::fs::write(out, serde_json::to_vec_pretty(&report)?)?;
    drop(stripe);
    Ok(())
}

/// The variants the demo offers subscribe-and-save on, each with a lot that outlasts every
/// interval (received as the back office receives one).
async fn stock_subscribable_variants(
    db: &PgPool,
    today: chrono::NaiveDate,
) -> Result<Vec<VariantId>> {
    let variants: Vec<uuid::Uuid> = sqlx::query_scalar(
        "SELECT v.variant_id FROM variants v JOIN products p USING (product_id)
         WHERE p.published_at IS NOT NULL AND subscribe_discount_bp(p.product_id) IS NOT NULL
         ORDER BY v.sku",
    )
    .fetch_all(db)
    .await?;
    ensure!(!variants.is_empty(), "the demo offers no subscriptions");
    let mut conn = db.acquire().await?;
    for (n, variant) in variants.iter().enumerate() {
        receive_lot(
            &mut conn,
            &NewLot {
                id: LotId(uuid::Uuid::now_v7()),
                variant: VariantId(*variant),
                batch_number: &format!("BENCH-{n}"),
                expiry_date: today + chrono::Days::new(730),
                quantity: 1_000_000,
            },
            None,
        )
        .await?;
    }
    Ok(variants.into_iter().map(VariantId).collect())
}

/// Stripe customers with a Visa card saved on each (a SetupIntent confirmed, as the account
/// page saves one): (customer, card).
async fn saved_cards(state: &AppState) -> Result<Vec<(String, String)>> {
    let mut cards = Vec::with_capacity(STRIPE_CUSTOMERS);
    for n in 0..STRIPE_CUSTOMERS {
        let payments = &state.payments;
        let customer = payments
            .create_customer(
                &format!("bench-customer-{n}"),
                &format!("bench-{n}@example.com"),
                None,
            )
            .await?
            .id;
        let setup = payments
            .create_setup(&format!("bench-setup-{n}"), &customer)
            .await?;
        let setup = payments.confirm_setup(&setup.id, "pm_card_visa").await?;
        let card = setup
            .saved_card()
            .map_err(|why| anyhow::anyhow!("no card saved: {why}"))?
            .to_owned();
        cards.push((customer, card));
    }
    Ok(cards)
}

/// `count` customers, each with a delivered first order and a monthly subscription started
/// from it, due today, spread over `variants` and `cards`.
async fn subscribe(
    db: &PgPool,
    count: i64,
    variants: &[VariantId],
    cards: &[(String, String)],
    today: chrono::NaiveDate,
) -> Result<()> {
    let variants: Vec<uuid::Uuid> = variants.iter().map(|v| v.0).collect();
    let customers: Vec<&str> = cards.iter().map(|c| c.0.as_str()).collect();
    let methods: Vec<&str> = cards.iter().map(|c| c.1.as_str()).collect();
    let (country, method): (String, String) = sqlx::query_as(
        "SELECT country_code::text, method_code FROM shipping_methods ORDER BY country_code, position LIMIT 1",
    )
    .fetch_one(db)
    .await?;
    let mut tx = db.begin().await?;
    sqlx::query(
        "CREATE TEMP TABLE bench_people ON COMMIT DROP AS
         SELECT n, gen_random_uuid() AS user_id, gen_random_uuid() AS order_id
         FROM generate_series(1, $1) AS n",
    )
    .bind(count)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO users (user_id, email, display_name, email_verified_at)
         SELECT user_id, 'bench-' || n || '@example.com', 'Bench customer ' || n, now()
         FROM bench_people",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO orders (order_id, user_id, email, status, currency, subtotal_minor,
                             discount_minor, shipping_minor, tax_minor, total_minor,
                             prices_include_tax, ship_name, ship_line1, ship_postal_code,
                             ship_city, ship_country, shipping_method, carrier)
         SELECT order_id, user_id, 'bench-' || n || '@example.com', 'delivered', 'EUR', 1800,
                0, 0, 0, 1800, true, 'Bench customer ' || n, 'Hauptstraße 1', '10115',
                'Berlin', $1, $2, 'DHL'
         FROM bench_people",
    )
    .bind(&country)
    .bind(&method)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO subscriptions (subscription_id, user_id, origin_order_id, variant_id,
                                    quantity, every_months, next_renewal_on,
                                    locked_unit_price_minor, currency, discount_bp, ship_name,
                                    ship_line1, ship_postal_code, ship_city, ship_country,
                                    shipping_method, stripe_customer, payment_method)
         SELECT gen_random_uuid(), b.user_id, b.order_id,
                ($3::uuid[])[1 + b.n % cardinality($3::uuid[])], 1, 1, $4,
                v.price_minor * 9 / 10, 'EUR', 1000, 'Bench customer ' || b.n, 'Hauptstraße 1',
                '10115', 'Berlin', $1, $2,
                ($5::text[])[1 + b.n % cardinality($5::text[])],
                ($6::text[])[1 + b.n % cardinality($6::text[])]
         FROM bench_people b
         JOIN variants v ON v.variant_id = ($3::uuid[])[1 + b.n % cardinality($3::uuid[])]",
    )
    .bind(&country)
    .bind(&method)
    .bind(&variants)
    .bind(today)
    .bind(&customers)
    .bind(&methods)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    sqlx::query("ANALYZE").execute(db).await?;
    Ok(())
}

async fn paid_renewals(db: &PgPool) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM subscription_renewals WHERE status = 'paid'")
            .fetch_one(db)
            .await?,
    )
}

/// Deliveries with more than one live (not cancelled) order.
async fn double_orders(db: &PgPool) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM (
             SELECT 1 FROM orders
             WHERE subscription_id IS NOT NULL AND status <> 'cancelled'
             GROUP BY subscription_id, renewal_due_on HAVING count(*) > 1) twice",
    )
    .fetch_one(db)
    .await?)
}

/// Successful renewal charges at Stripe, and how many deliveries were charged more than once
/// (a delivery is its subscription and its due date, both in the charge's metadata and
/// description).
async fn charges(state: &AppState) -> Result<(usize, usize)> {
    let charged: Vec<(String, String)> = state
        .payments
        .intents_since(0)
        .await?
        .into_iter()
        .filter(|intent| intent.status == payments::IntentStatus::Succeeded)
        .filter_map(|intent| {
            Some((
                intent.metadata.get("subscription_id")?.clone(),
                intent.metadata.get("order_id")?.clone(),
            ))
        })
        .collect();
    let orders: Vec<&str> = charged.iter().map(|(_, order)| order.as_str()).collect();
    // Each charged order's delivery date, read at once.
    let due: HashMap<String, String> = sqlx::query_as(
        "SELECT order_id::text, renewal_due_on::text FROM orders
         WHERE order_id::text = ANY($1) AND renewal_due_on IS NOT NULL",
    )
    .bind(&orders)
    .fetch_all(&state.db)
    .await?
    .into_iter()
    .collect();
    let charges = charged.len();
    let mut per_delivery: HashMap<(&str, &str), usize> = HashMap::new();
    for (subscription, order) in &charged {
        let due = due.get(order).map_or("", String::as_str);
        *per_delivery.entry((subscription, due)).or_insert(0) += 1;
    }
    let twice = per_delivery.values().filter(|n| **n > 1).count();
    Ok((charges, twice))
}
