//! The whole router against a real, seeded database: pages, status codes, health checks.

use axum::http::StatusCode;
use server::config::Config;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

mod common;

fn today() -> chrono::NaiveDate {
    "2026-11-23".parse().expect("a date")
}

async fn app(db: PgPool) -> axum::Router {
    server::seed::seed_demo(&db, chrono::Utc::now().date_naive())
        .await
        .expect("seed");
    let config = Config::from_lookup(|k| (k == "OLIVINE_MEDIA_STORE").then(|| "memory".to_owned()))
        .expect("default config");
    server::router(server::app_state(&config, db).expect("state"), false)
}

async fn get(app: &axum::Router, path: &str) -> (StatusCode, String, axum::http::HeaderMap) {
    let (status, body, headers) = common::get(app, path, None).await;
    (status, String::from_utf8_lossy(&body).into_owned(), headers)
}

#[sqlx::test(migrations = "../migrations")]
async fn health_and_readiness(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let (status, body, headers) = get(&app, "/healthz").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
    assert!(
        headers.contains_key("x-request-id"),
        "every response carries its request id"
    );
    let (status, body, _) = get(&app, "/readyz").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ready"));
}

#[sqlx::test(migrations = "../migrations")]
async fn readiness_fails_when_the_database_is_gone(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let app = app(db.clone()).await;
    db.close().await;
    let (status, _, _) = get(&app, "/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
}

#[sqlx::test(migrations = "../migrations")]
async fn pages_render_completely_on_the_server(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let app = app(db).await;

    let (status, home, _) = get(&app, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("Customer favourites") && home.contains("Ashwagandha KSM-66"));
    assert_eq!(
        home.matches("class=\"card__title\"").count(),
        6,
        "six featured cards"
    );

    let (status, category, _) = get(&app, "/shop/vitamins?sort=price-asc").await;
    assert_eq!(status, StatusCode::OK);
    assert!(category.contains("8 products") && category.contains("rel=\"next\""));

    let (status, product, _) = get(&app, "/products/vitamin-d3-1000-iu").await;
    assert_eq!(status, StatusCode::OK);
    for expected in [
        "Vitamin D3 (cholecalciferol)",
        "25 µg",
        "500%",
        "Best before",
        "Food supplement",
        "<title>Vitamin D3 1000 IU — Olivine</title>",
    ] {
        assert!(
            product.contains(expected),
            "product page lacks {expected:?}"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn unknown_pages_are_404(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    for path in [
        "/no-such-page",
        "/products/no-such-product",
        "/shop/no-such-category",
        "/shop/vitamins?page=9",
    ] {
        let (status, body, _) = get(&app, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            body.contains("We couldn&#x27;t find that page")
                || body.contains("We couldn't find that page"),
            "{path}"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn the_demo_seed_is_complete_and_idempotent(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let first = server::seed::seed_demo(&db, today())
        .await
        .expect("first seed");
    assert_eq!(first.categories, 10);
    assert!(first.products >= 80, "{first}");
    let again = server::seed::seed_demo(&db, today())
        .await
        .expect("second seed");
    assert_eq!((again.products, again.variants, again.lots), (0, 0, 0));
    assert_eq!(again.skipped_products, first.products);

    let per_product: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT count(DISTINCT v.variant_id), count(l.lot_id) FROM products p
         JOIN variants v USING (product_id) LEFT JOIN lots l USING (variant_id) GROUP BY p.product_id",
    )
    .fetch_all(&db)
    .await
    .expect("counts");
    assert!(
        per_product
            .iter()
            .all(|(variants, _)| (1..=4).contains(variants))
    );
    let lots_per_variant: Vec<i64> = sqlx::query_scalar("SELECT count(l.lot_id) FROM variants v LEFT JOIN lots l USING (variant_id) GROUP BY v.variant_id")
        .fetch_all(&db)
        .await
        .expect("lot counts");
    assert!(lots_per_variant.iter().all(|n| (0..=3).contains(n)));
    assert!(
        lots_per_variant.contains(&0),
        "some variants are sold out, so that state is visible"
    );
}
