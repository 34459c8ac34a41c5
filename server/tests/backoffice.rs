//! The back office's catalog lists against the seeded catalog: what they show equals what the
//! database says, searching and sorting work, and bad input is refused with a message.

use app::catalog::admin::model::{AdminProductsPage, InventoryAlerts};
use axum::http::StatusCode;
use server::seed::DEMO_PASSWORD;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

mod common;
use common::{App, Browser, app, ok};

async fn seeded_admin(db: PgPool) -> App {
    server::seed::seed_demo(&db, chrono::Utc::now().date_naive())
        .await
        .expect("seed");
    app(db).await
}

async fn signed_in_admin(app: &App) -> Browser<'_> {
    let mut browser = app.browser();
    assert!(ok(&browser
        .sign_in("admin@olivine.test", DEMO_PASSWORD)
        .await));
    browser
}

async fn products(
    browser: &mut Browser<'_>,
    query: &str,
    sort: &str,
    page: &str,
) -> AdminProductsPage {
    let reply = browser
        .call(
            "admin/products",
            &[("query", query), ("sort", sort), ("page", page)],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    serde_json::from_str(&reply.body).expect("products JSON")
}

#[sqlx::test(migrations = "../migrations")]
async fn product_list_searches_sorts_and_pages(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let app = seeded_admin(db).await;
    let mut admin = signed_in_admin(&app).await;

    let first = products(&mut admin, "", "name", "1").await;
    assert_eq!(first.total, 80);
    assert_eq!((first.rows.len(), first.total_pages), (25, 4));
    let names: Vec<&str> = first.rows.iter().map(|r| r.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "sorted by name");
    let last = products(&mut admin, "", "name", "4").await;
    assert_eq!(last.rows.len(), 5);

    // By SKU: the product owning it.
    let sku = sqlx::query!(
        "SELECT v.sku, p.slug FROM variants v JOIN products p USING (product_id) ORDER BY v.sku LIMIT 1"
    )
    .fetch_one(&app.db)
    .await
    .expect("a variant");
    let found = products(&mut admin, &sku.sku.to_lowercase(), "name", "1").await;
    assert_eq!(found.rows.len(), 1);
    assert_eq!(found.rows[0].slug, sku.slug);

    // Pattern characters are literal: "%" finds the names holding a percent sign, "_" none.
    let percent = products(&mut admin, "%", "name", "1").await;
    let holding =
        sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM products WHERE strpos(name, '%') > 0"#)
            .fetch_one(&app.db)
            .await
            .expect("count");
    assert_eq!(percent.total, holding);
    assert!(percent.rows.iter().all(|r| r.name.contains('%')));
    let none = products(&mut admin, "_", "name", "1").await;
    assert_eq!((none.total, none.rows.len()), (0, 0));

    // Lowest stock first, and the counts equal the database's.
    let by_stock = products(&mut admin, "", "stock", "1").await;
    let units: Vec<i64> = by_stock.rows.iter().map(|r| r.sellable_units).collect();
    assert!(units.windows(2).all(|w| w[0] <= w[1]), "{units:?}");
    let expected: i64 = sqlx::query_scalar!(
        r#"SELECT COALESCE(sum(l.on_hand), 0)::bigint AS "n!" FROM lots l
           JOIN variants v USING (variant_id) JOIN products p USING (product_id)
           WHERE p.slug = $1 AND l.expiry_date > current_date + 30"#,
        by_stock.rows[0].slug
    )
    .fetch_one(&app.db)
    .await
    .expect("units");
    assert_eq!(by_stock.rows[0].sellable_units, expected);

    let long = "x".repeat(101);
    let reply = admin
        .call(
            "admin/products",
            &[("query", &long), ("sort", "name"), ("page", "1")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.body.contains("at most 100 characters"),
        "{}",
        reply.body
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn stock_alerts_match_the_database(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let app = seeded_admin(db).await;
    let mut admin = signed_in_admin(&app).await;
    let reply = admin
        .call("admin/inventory-alerts", &[("days", "90")])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let alerts: InventoryAlerts = serde_json::from_str(&reply.body).expect("JSON");

    let low: Vec<String> = sqlx::query_scalar!(
        r#"SELECT v.sku AS "sku!" FROM variants v JOIN products p USING (product_id)
           WHERE p.published_at IS NOT NULL
             AND (SELECT COALESCE(sum(on_hand), 0) FROM lots l
                  WHERE l.variant_id = v.variant_id AND l.expiry_date > current_date + 30) <= 10
           ORDER BY 1"#
    )
    .fetch_all(&app.db)
    .await
    .expect("low stock");
    let mut shown: Vec<String> = alerts.low_stock.iter().map(|r| r.sku.clone()).collect();
    shown.sort();
    assert_eq!(shown, low);
    assert!(!low.is_empty(), "the seed has sold-out variants");

    let expiring: Vec<String> = sqlx::query_scalar!(
        "SELECT batch_number FROM lots WHERE on_hand > 0 AND expiry_date <= current_date + 90
         ORDER BY expiry_date, batch_number"
    )
    .fetch_all(&app.db)
    .await
    .expect("expiring");
    let mut shown: Vec<String> = alerts
        .expiring
        .iter()
        .map(|r| r.batch_number.clone())
        .collect();
    let days: Vec<i64> = alerts.expiring.iter().map(|r| r.days_left).collect();
    assert!(days.windows(2).all(|w| w[0] <= w[1]), "soonest first");
    assert!(
        alerts
            .expiring
            .iter()
            .all(|r| r.unsellable == (r.days_left <= 30))
    );
    shown.sort();
    let mut expected = expiring.clone();
    expected.sort();
    assert_eq!(shown, expected);

    for bad in ["0", "731"] {
        let reply = admin.call("admin/inventory-alerts", &[("days", bad)]).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            reply.body
        );
        assert!(
            reply.body.contains("between 1 and 730 days"),
            "{}",
            reply.body
        );
    }
}
