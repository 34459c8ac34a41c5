//! `cargo xtask bench search` runs this: N synthetic but plausible products, the engine's index
//! build time and query latency (p50/p99 at 1 and 8 concurrent clients) over a fixed query mix,
//! and the same data and queries through Postgres full-text search (tsvector + GIN, facet
//! counts by GROUP BY) as the baseline. Prints a table and writes JSON.
//!
//! usage: search_bench <postgres-url | none> <products> <out.json> (`none`: the engine alone)

use anyhow::{Context, Result};
use search::{PriceBucket, ProductDoc, SearchIndex, SearchRequest, SortOrder};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use std::sync::Arc;
use std::time::{Duration, Instant};

const LINES: &[&str] = &[
    "Olivine Essentials",
    "Tidewater Labs",
    "Northfield Botanics",
    "Meadowcraft",
    "Saltmarsh Skin",
    "Harbour Apothecary",
    "Fernhill",
    "Coastline Nutrition",
];
const CATEGORIES: &[(&str, &str)] = &[
    ("vitamins", "Vitamins"),
    ("minerals", "Minerals"),
    ("omega-oils", "Omega Fish Oils"),
    ("protein", "Protein Sport"),
    ("gut-health", "Gut Health"),
    ("herbal", "Herbal Adaptogens"),
    ("face-serums", "Face Serums"),
    ("moisturisers", "Moisturisers"),
    ("cleansers", "Cleansers Toners"),
    ("body-care", "Body Care"),
];
const ACTIVES: &[&str] = &[
    "Vitamin C",
    "Vitamin D3",
    "Vitamin B12",
    "Magnesium Glycinate",
    "Zinc Picolinate",
    "Iron Bisglycinate",
    "Omega-3",
    "Whey Protein",
    "Collagen Peptides",
    "Probiotic",
    "Ashwagandha",
    "Turmeric Curcumin",
    "Rhodiola",
    "Hyaluronic Acid",
    "Niacinamide",
    "Retinol",
    "Ceramide",
    "Squalane",
    "Shea Butter",
    "Aloe Vera",
    "Green Tea",
    "Elderberry",
    "Melatonin",
    "Ginseng",
    "Spirulina",
    "Biotin",
    "Folate",
    "Calcium",
    "Potassium",
    "Selenium",
];
const FORMS: &[&str] = &[
    "Capsules", "Tablets", "Gummies", "Powder", "Serum", "Cream", "Oil", "Balm", "Drops", "Mist",
];
const BENEFITS: &[&str] = &[
    "immunity",
    "energy",
    "sleep",
    "stress",
    "muscles",
    "bones",
    "heart",
    "digestion",
    "skin",
    "hydration",
    "radiance",
    "recovery",
    "focus",
    "joints",
];
const SKIN: &[&str] = &["dry", "oily", "combination", "normal", "sensitive"];
const ALLERGENS: &[&str] = &[
    "milk",
    "egg",
    "soy",
    "gluten",
    "tree_nuts",
    "peanuts",
    "fish",
    "shellfish",
    "sesame",
];
const ADJECTIVES: &[&str] = &[
    "Daily", "Advanced", "Gentle", "Pure", "Complete", "Night", "Morning", "Calming", "Active",
    "Organic",
];

/// A small deterministic generator (xorshift64*): the same catalogue on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn some(&mut self, items: &[&str], max: usize) -> Vec<String> {
        let n = self.below(max + 1);
        let mut out: Vec<String> = (0..n).map(|_| self.pick(items).to_owned()).collect();
        out.sort();
        out.dedup();
        out
    }
}

fn generate(n: usize) -> Vec<ProductDoc> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..n)
        .map(|i| {
            let active = rng.pick(ACTIVES);
            let form = rng.pick(FORMS);
            let (category, category_name) = CATEGORIES[rng.below(CATEGORIES.len())];
            let name = format!("{} {active} {form}", rng.pick(ADJECTIVES));
            let benefits = rng.some(BENEFITS, 3);
            let min = 500 + rng.below(6000) as u64;
            let max = min + [0, 0, 500, 1500, 3000][rng.below(5)];
            ProductDoc {
                id: format!("p{i}"),
                slug: format!("{}-{i}", name.to_lowercase().replace(' ', "-")),
                description: format!(
                    "{name} by {line}: {active} in an easy {form}, for {b}. Tested for purity, batch-tracked and shipped freshest first.",
                    line = LINES[i % LINES.len()],
                    form = form.to_lowercase(),
                    b = benefits.join(" and "),
                ),
                ingredients: vec![active.to_owned(), rng.pick(ACTIVES).to_owned()],
                benefits,
                category_slug: category.to_owned(),
                category_names: vec![category_name.to_owned()],
                skin_types: if category.contains("serum") || category.contains("moist") { rng.some(SKIN, 3) } else { Vec::new() },
                allergens: rng.some(ALLERGENS, 2),
                brand_line: LINES[i % LINES.len()].to_owned(),
                name,
                price_min_cents: min,
                price_max_cents: max,
                in_stock: rng.below(10) > 1,
                rating_tenths: 30 + rng.below(21) as u64,
                created_unix: 1_700_000_000 + i as u64 * 60,
            }
        })
        .collect()
}

/// The fixed mix: plain words, typos, synonyms-free phrases, facets and sorts.
fn queries() -> Vec<SearchRequest> {
    let q = |text: &str| SearchRequest {
        text: text.to_owned(),
        page: 1,
        per_page: 12,
        ..SearchRequest::default()
    };
    let mut out = Vec::new();
    for text in [
        "vitamin c",
        "magnesium",
        "sleep",
        "collagen peptides",
        "hyaluronic serum",
        "omega-3 capsules",
        "probiotic",
        "ashwagandha stress",
        "zinc",
        "gentle cream",
        "retinol night",
        "turmeric",
        "green tea",
        "biotin gummies",
        "calcium tablets",
    ] {
        out.push(q(text));
    }
    for text in ["magnesum", "vitamn d3", "colagen", "ashwaganda", "probiotc"] {
        out.push(q(text));
    }
    let mut r = q("vitamin");
    r.categories = vec!["vitamins".into()];
    out.push(r);
    let mut r = q("serum");
    r.skin_types = vec!["dry".into()];
    r.free_from = vec!["tree_nuts".into()];
    out.push(r);
    let mut r = q("protein");
    r.free_from = vec!["milk".into(), "soy".into()];
    r.sort = SortOrder::PriceLowHigh;
    out.push(r);
    let mut r = q("");
    r.benefits = vec!["sleep".into(), "stress".into()];
    r.in_stock_only = true;
    out.push(r);
    let mut r = q("");
    r.categories = vec!["minerals".into()];
    r.prices = vec![PriceBucket::Under10, PriceBucket::From10To20];
    r.sort = SortOrder::Newest;
    out.push(r);
    out
}

/// Client `client`'s share of `rounds` passes over the mix: every `clients`-th query.
fn share(
    queries: &[SearchRequest],
    rounds: usize,
    clients: usize,
    client: usize,
) -> impl Iterator<Item = &SearchRequest> {
    queries
        .iter()
        .cycle()
        .take(rounds * queries.len())
        .skip(client)
        .step_by(clients)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// Run every query `rounds` times spread over `clients` threads; p50/p99 in ms, and each
/// query's slowest time (in mix order) to show where the tail comes from.
fn engine_latency(
    index: &Arc<SearchIndex>,
    queries: &[SearchRequest],
    clients: usize,
    rounds: usize,
) -> Result<((f64, f64), Vec<Duration>)> {
    let mut handles = Vec::new();
    for c in 0..clients {
        let index = index.clone();
        let queries = queries.to_vec();
        handles.push(std::thread::spawn(
            move || -> Result<Vec<(usize, Duration)>> {
                let mut times = Vec::new();
                let mix = queries.len();
                for (i, q) in share(&queries, rounds, clients, c).enumerate() {
                    let start = Instant::now();
                    index.search(q)?;
                    times.push(((c + i * clients) % mix, start.elapsed()));
                }
                Ok(times)
            },
        ));
    }
    let mut all = Vec::new();
    let mut worst = vec![Duration::ZERO; queries.len()];
    for h in handles {
        for (query, time) in h
            .join()
            .map_err(|_| anyhow::anyhow!("a client thread panicked"))??
        {
            worst[query] = worst[query].max(time);
            all.push(time);
        }
    }
    all.sort();
    Ok(((percentile(&all, 0.5), percentile(&all, 0.99)), worst))
}

/// A query in a line: its words, filters and sort.
fn describe(q: &SearchRequest) -> String {
    let mut out = format!("{:?}", q.text);
    for (name, values) in [
        ("category", &q.categories),
        ("benefit", &q.benefits),
        ("skin", &q.skin_types),
        ("free-from", &q.free_from),
    ] {
        if !values.is_empty() {
            out.push_str(&format!(" {name}={}", values.join(",")));
        }
    }
    if !q.prices.is_empty() {
        let prices: Vec<&str> = q.prices.iter().map(|p| p.slug()).collect();
        out.push_str(&format!(" price={}", prices.join(",")));
    }
    if q.in_stock_only {
        out.push_str(" in-stock");
    }
    if q.sort != SortOrder::Relevance {
        out.push_str(&format!(" sort={:?}", q.sort));
    }
    out
}

async fn load_postgres(db: &PgPool, docs: &[ProductDoc]) -> Result<Duration> {
    sqlx::raw_sql(
        "DROP TABLE IF EXISTS bench_products;
         CREATE TABLE bench_products (
             id text PRIMARY KEY, name text, brand text, description text, ingredients text,
             benefits text[], category text, skin text[], allergens text[],
             price_min bigint, price_max bigint, in_stock boolean, rating bigint, created bigint,
             tsv tsvector GENERATED ALWAYS AS (
                 setweight(to_tsvector('english', name), 'A') ||
                 setweight(to_tsvector('english', brand || ' ' || ingredients), 'B') ||
                 setweight(to_tsvector('english', description), 'C')) STORED);",
    )
    .execute(db)
    .await?;
    let start = Instant::now();
    for chunk in docs.chunks(2000) {
        let mut b = sqlx::QueryBuilder::new(
            "INSERT INTO bench_products (id, name, brand, description, ingredients, benefits, category, skin, allergens, price_min, price_max, in_stock, rating, created) ",
        );
        b.push_values(chunk, |mut row, d| {
            row.push_bind(&d.id)
                .push_bind(&d.name)
                .push_bind(&d.brand_line)
                .push_bind(&d.description)
                .push_bind(d.ingredients.join(" "))
                .push_bind(&d.benefits)
                .push_bind(&d.category_slug)
                .push_bind(&d.skin_types)
                .push_bind(&d.allergens)
                .push_bind(d.price_min_cents as i64)
                .push_bind(d.price_max_cents as i64)
                .push_bind(d.in_stock)
                .push_bind(d.rating_tenths as i64)
                .push_bind(d.created_unix as i64);
        });
        b.build().execute(db).await?;
    }
    sqlx::raw_sql(
        "CREATE INDEX ON bench_products USING gin (tsv);
         CREATE INDEX ON bench_products (category);
         ANALYZE bench_products;",
    )
    .execute(db)
    .await?;
    Ok(start.elapsed())
}

/// The baseline for one request: the page, the total, and facet counts by GROUP BY, with the
/// same filters (no typo tolerance: Postgres full-text search has none).
async fn postgres_search(db: &PgPool, r: &SearchRequest) -> Result<()> {
    let prices: Vec<String> = r.prices.iter().map(|b| b.slug().to_owned()).collect();
    let filter = "($1 = '' OR tsv @@ websearch_to_tsquery('english', $1))
        AND (cardinality($2::text[]) = 0 OR category = ANY($2))
        AND (cardinality($3::text[]) = 0 OR benefits && $3)
        AND (cardinality($4::text[]) = 0 OR skin && $4)
        AND NOT (allergens && $5)
        AND (NOT $6 OR in_stock)
        AND (cardinality($7::text[]) = 0
             OR ('under-10' = ANY($7) AND price_min < 1000)
             OR ('10-20' = ANY($7) AND price_min < 2000 AND price_max >= 1000)
             OR ('20-40' = ANY($7) AND price_min < 4000 AND price_max >= 2000)
             OR ('over-40' = ANY($7) AND price_max >= 4000))";
    let order = match r.sort {
        SortOrder::Relevance => "ts_rank(tsv, websearch_to_tsquery('english', $1)) DESC",
        SortOrder::PriceLowHigh => "price_min ASC",
        SortOrder::PriceHighLow => "price_min DESC",
        SortOrder::Newest => "created DESC",
        SortOrder::Rating => "rating DESC",
    };
    let mut conn = db.acquire().await?;
    for sql in [
        format!("SELECT id, name FROM bench_products WHERE {filter} ORDER BY {order} LIMIT 12"),
        format!("SELECT count(*) FROM bench_products WHERE {filter}"),
        format!("SELECT category, count(*) FROM bench_products WHERE {filter} GROUP BY category"),
        format!(
            "SELECT b, count(*) FROM bench_products, unnest(benefits) b WHERE {filter} GROUP BY b"
        ),
        format!(
            "SELECT a, count(*) FROM bench_products, unnest(allergens) a WHERE {filter} GROUP BY a"
        ),
    ] {
        sqlx::query(&sql)
            .bind(&r.text)
            .bind(&r.categories)
            .bind(&r.benefits)
            .bind(&r.skin_types)
            .bind(&r.free_from)
            .bind(r.in_stock_only)
            .bind(&prices)
            .fetch_all(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn postgres_latency(
    db: &PgPool,
    queries: &[SearchRequest],
    clients: usize,
    rounds: usize,
) -> Result<(f64, f64)> {
    let mut tasks = Vec::new();
    for c in 0..clients {
        let db = db.clone();
        let queries = queries.to_vec();
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            for q in share(&queries, rounds, clients, c) {
                let start = Instant::now();
                postgres_search(&db, q).await?;
                times.push(start.elapsed());
            }
            anyhow::Ok(times)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    all.sort();
    Ok((percentile(&all, 0.5), percentile(&all, 0.99)))
}

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, n, out] = args.as_slice() else {
        anyhow::bail!("usage: search_bench <postgres-url | none> <products> <out.json>");
    };
    let n: usize = n.parse().context("products must be a number")?;
    let docs = generate(n);
    let queries = queries();

    let dir = std::env::temp_dir().join(format!("olivine-search-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (index, _) = SearchIndex::open_or_create(&dir)?;
    let start = Instant::now();
    index.rebuild(docs.clone(), |_| {})?;
    let build = start.elapsed();
    let index = Arc::new(index);
    // Warm up, then measure.
    engine_latency(&index, &queries, 1, 2)?;
    let (engine_1, worst) = engine_latency(&index, &queries, 1, 20)?;
    let (engine_8, _) = engine_latency(&index, &queries, 8, 40)?;
    drop(index);
    let _ = std::fs::remove_dir_all(&dir);
    let mut slowest: Vec<(Duration, &SearchRequest)> = worst.into_iter().zip(&queries).collect();
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    println!("engine, slowest queries at 1 client (worst of 20 runs):");
    for (time, q) in slowest.iter().take(5) {
        println!("  {:>7.2} ms  {}", time.as_secs_f64() * 1000.0, describe(q));
    }
    if url == "none" {
        println!(
            "engine only: build {:.1} s, p50/p99 1 client {:.2}/{:.2} ms, 8 clients {:.2}/{:.2} ms",
            build.as_secs_f64(),
            engine_1.0,
            engine_1.1,
            engine_8.0,
            engine_8.1
        );
        return Ok(());
    }

    let db = PgPoolOptions::new().max_connections(8).connect(url).await?;
    let pg_load = load_postgres(&db, &docs).await?;
    postgres_latency(&db, &queries, 1, 1).await?;
    let pg_1 = postgres_latency(&db, &queries, 1, 3).await?;
    let pg_8 = postgres_latency(&db, &queries, 8, 6).await?;

    println!(
        "search benchmark: {n} products, {} queries in the mix",
        queries.len()
    );
    println!(
        "{:<26} {:>12} {:>12} {:>12} {:>12}",
        "", "p50 1 cl.", "p99 1 cl.", "p50 8 cl.", "p99 8 cl."
    );
    println!(
        "{:<26} {:>9.2} ms {:>9.2} ms {:>9.2} ms {:>9.2} ms",
        "Tantivy engine", engine_1.0, engine_1.1, engine_8.0, engine_8.1
    );
    println!(
        "{:<26} {:>9.2} ms {:>9.2} ms {:>9.2} ms {:>9.2} ms",
        "Postgres FTS + GROUP BY", pg_1.0, pg_1.1, pg_8.0, pg_8.1
    );
    println!(
        "{:<26} {:>11.1}× {:>11.1}× {:>11.1}× {:>11.1}×",
        "ratio (Postgres / engine)",
        pg_1.0 / engine_1.0,
        pg_1.1 / engine_1.1,
        pg_8.0 / engine_8.0,
        pg_8.1 / engine_8.1
    );
    println!(
        "index build: engine {:.1} s, Postgres load + GIN {:.1} s",
        build.as_secs_f64(),
        pg_load.as_secs_f64()
    );
    let json = serde_json::json!({
        "products": n,
        "queries": queries.len(),
        "engine": { "build_s": build.as_secs_f64(), "p50_1": engine_1.0, "p99_1": engine_1.1, "p50_8": engine_8.0, "p99_8": engine_8.1 },
        "postgres": { "load_s": pg_load.as_secs_f64(), "p50_1": pg_1.0, "p99_1": pg_1.1, "p50_8": pg_8.0, "p99_8": pg_8.1 },
    });
    std::fs::write(out, serde_json::to_string_pretty(&json)?)?;
    Ok(())
}
