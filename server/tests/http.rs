//! The whole router against a real, seeded database: pages, status codes, health checks.

use axum::http::StatusCode;
use server::config::Config;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

mod common;

fn today() -> chrono::NaiveDate {
    "2026-11-23".parse().expect("a date")
}

/// The app's state over a freshly seeded database.
async fn seeded_state(db: PgPool) -> app::state::AppState {
    server::seed::seed_demo(&db, chrono::Utc::now().date_naive())
        .await
        .expect("seed");
    let config = Config::from_lookup(|k| match k {
        "OLIVINE_ENV" => Some("dev".to_owned()),
        "OLIVINE_MEDIA_STORE" => Some("memory".to_owned()),
        "OLIVINE_AUDIT_CHECKPOINTS" => Some("memory".to_owned()),
        "OLIVINE_RESTRICTED_STORE" => Some("memory".to_owned()),
        "OLIVINE_MASTER_KEY" => Some(test_support::TEST_MASTER_KEY.to_owned()),
        _ => None,
    })
    .expect("default config");
    server::app_state(&config, db).expect("state")
}

async fn app(db: PgPool) -> axum::Router {
    server::router(seeded_state(db).await, false)
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

/// Pages keep rendering while other routers are built beside them. Building a router used to
/// generate the route list each time, which switches resource loading off for the whole process
/// while it runs; a page whose data started loading in that moment waited forever
/// (leptos-rs/leptos#4773, the intermittent `GET /` stall of parallel server tests).
#[sqlx::test(migrations = "../migrations")]
async fn pages_render_while_other_routers_are_built(_: PgPoolOptions, options: PgConnectOptions) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    let db = common::own_pool(options).await;
    let state = seeded_state(db).await;
    let app = server::router(state.clone(), false);
    let stop = Arc::new(AtomicBool::new(false));
    let built = Arc::new(AtomicUsize::new(0));
    let builder = {
        let (stop, built, runtime) = (
            stop.clone(),
            built.clone(),
            tokio::runtime::Handle::current(),
        );
        std::thread::spawn(move || {
            let _runtime = runtime.enter();
            while !stop.load(Ordering::Relaxed) {
                drop(server::router(state.clone(), false));
                built.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    for round in 0..40 {
        let rendered =
            tokio::time::timeout(std::time::Duration::from_secs(15), get(&app, "/")).await;
        let Ok((status, home, _)) = rendered else {
            stop.store(true, Ordering::Relaxed);
            panic!(
                "GET / (round {round}) never finished while {} routers were built beside it",
                built.load(Ordering::Relaxed)
            );
        };
        assert_eq!(status, StatusCode::OK, "round {round}");
        assert!(home.contains("Customer favourites"), "round {round}");
    }
    stop.store(true, Ordering::Relaxed);
    builder.join().expect("the router builder");
    assert!(
        built.load(Ordering::Relaxed) > 0,
        "routers were built while the pages rendered"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn every_response_carries_the_browser_security_headers(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    for path in [
        "/",
        "/products/vitamin-d3-1000-iu",
        "/no-such-page",
        "/healthz",
        "/favicon.svg",
    ] {
        let (_, _, headers) = get(&app, path).await;
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_else(|| panic!("{path} has no {name}"))
                .to_owned()
        };
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(
            header("referrer-policy"),
            "strict-origin-when-cross-origin",
            "{path}"
        );
        assert!(header("permissions-policy").contains("camera=()"), "{path}");
        assert!(
            header("content-security-policy").contains("frame-ancestors 'none'"),
            "{path}"
        );
        // Development serves plain HTTP: no HSTS there.
        assert!(!headers.contains_key("strict-transport-security"), "{path}");
    }

    // A page: its scripts carry this response's nonce, the policy names it, and no inline
    // script runs without it.
    let (_, home, headers) = get(&app, "/").await;
    let policy = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    assert!(nonce.len() >= 16, "{nonce}");
    let script_src = policy
        .split(';')
        .find(|d| d.contains("script-src"))
        .unwrap();
    assert!(!script_src.contains("unsafe-inline"), "{policy}");
    let inline_scripts: Vec<&str> = home
        .split("<script")
        .skip(1)
        .filter(|tag| !tag.split('>').next().unwrap_or_default().contains("src="))
        .collect();
    assert!(!inline_scripts.is_empty(), "the hydration script is inline");
    for tag in inline_scripts {
        let opening = tag.split('>').next().unwrap_or_default();
        assert!(
            opening.contains(&format!("nonce=\"{nonce}\"")),
            "inline script without the nonce: <script{opening}>"
        );
    }
    let (_, _, again) = get(&app, "/").await;
    assert_ne!(
        again["content-security-policy"], headers["content-security-policy"],
        "a new nonce for every response"
    );
    // The service worker may fetch this site's pages and files, and nothing else; any other
    // response that is not a page runs nothing and fetches nothing.
    let (_, _, worker) = get(&app, "/sw.js").await;
    assert_eq!(
        worker["content-security-policy"],
        "default-src 'none'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
    );
    let (_, _, health) = get(&app, "/healthz").await;
    assert_eq!(
        health["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
    );
    // Nobody signed in, no session: the catalog page may be cached.
    assert!(
        !headers.contains_key("cache-control")
            || !headers["cache-control"]
                .to_str()
                .unwrap()
                .contains("no-store")
    );
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

/// The built assets have their own route: content-hashed names cached for a year, compressed
/// for the browser, revalidated by ETag; an unknown file is a plain 404, never the app shell.
#[sqlx::test(migrations = "../migrations")]
async fn built_assets_are_served_cached_compressed_and_revalidated(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let db = common::own_pool(options).await;
    let site = std::env::temp_dir().join(format!("olivine-site-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(site.join("pkg")).expect("site");
    let script = "export function hydrate() { /* the glue */ }\n".repeat(200);
    std::fs::write(site.join("pkg/olivine.Q1w2E3r4T5y6.js"), &script).expect("js");
    std::fs::write(site.join("pkg/olivine.css"), "body { color: #222 }").expect("css");
    let root = site.display().to_string();
    let config = Config::from_lookup(|k| match k {
        "OLIVINE_ENV" => Some("dev".to_owned()),
        "OLIVINE_MEDIA_STORE" => Some("memory".to_owned()),
        "OLIVINE_AUDIT_CHECKPOINTS" => Some("memory".to_owned()),
        "OLIVINE_RESTRICTED_STORE" => Some("memory".to_owned()),
        "OLIVINE_MASTER_KEY" => Some(test_support::TEST_MASTER_KEY.to_owned()),
        "OLIVINE_SITE_ROOT" => Some(root.clone()),
        _ => None,
    })
    .expect("config");
    let app = server::router(server::app_state(&config, db).expect("state"), false);

    let request = |path: &str, headers: &[(&str, &str)]| {
        let mut request = axum::http::Request::get(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(axum::body::Body::empty()).expect("request")
    };
    use tower::ServiceExt;
    let response = app
        .clone()
        .oneshot(request(
            "/pkg/olivine.Q1w2E3r4T5y6.js",
            &[("accept-encoding", "gzip, br")],
        ))
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["content-encoding"], "br");
    assert_eq!(
        headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let compressed = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    assert!(
        compressed.len() < script.len() / 4,
        "{} bytes",
        compressed.len()
    );
    let etag = headers["etag"].to_str().unwrap().to_owned();

    let again = app
        .clone()
        .oneshot(request(
            "/pkg/olivine.Q1w2E3r4T5y6.js",
            &[("if-none-match", &etag)],
        ))
        .await
        .expect("response");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    let plain = app
        .clone()
        .oneshot(request("/pkg/olivine.css", &[]))
        .await
        .expect("response");
    assert_eq!(plain.status(), StatusCode::OK);
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.headers()["cache-control"], "no-cache");

    let (status, body, _) = get(&app, "/pkg/olivine.missing.wasm").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.contains("<html"), "{body}");
    let _ = std::fs::remove_dir_all(&site);
}
