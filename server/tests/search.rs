//! The search index fed from the real catalog: facet counts equal SQL counts, and a committed
//! change reaches the index through the outbox.

use app::catalog::search::sync as search_sync;
use search::{SearchIndex, SearchRequest, SortOrder};
use server::config::Config;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

mod common;

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

async fn seeded(db: &PgPool) -> SearchIndex {
    server::seed::seed_demo(db, today()).await.expect("seed");
    let index = SearchIndex::in_memory().expect("index");
    search_sync::rebuild(db, &index, today(), |_| {})
        .await
        .expect("rebuild");
    index
}

fn browse() -> SearchRequest {
    SearchRequest {
        page: 1,
        per_page: 100,
        ..SearchRequest::default()
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn facet_counts_equal_sql_counts(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let index = seeded(&db).await;
    let published = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM products WHERE published_at IS NOT NULL"#
    )
    .fetch_one(&db)
    .await
    .unwrap();
    let results = index.search(&browse()).unwrap();
    assert_eq!(results.total as i64, published);

    let by_category = sqlx::query!(
        r#"SELECT c.slug, count(*) AS "n!" FROM products p JOIN categories c USING (category_id)
           WHERE p.published_at IS NOT NULL GROUP BY c.slug"#
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(results.facets.categories.len(), by_category.len());
    for row in by_category {
        let facet = results
            .facets
            .categories
            .iter()
            .find(|c| c.value == row.slug);
        assert_eq!(facet.map(|c| c.count as i64), Some(row.n), "{}", row.slug);
    }

    let free_from_milk = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM products
           WHERE published_at IS NOT NULL AND NOT ('milk' = ANY(allergens))"#
    )
    .fetch_one(&db)
    .await
    .unwrap();
    let mut r = browse();
    r.free_from = vec!["milk".into()];
    assert_eq!(index.search(&r).unwrap().total as i64, free_from_milk);
}

/// Two transactions change two products and commit in the reverse of the order their outbox
/// entries were numbered in: the node applies both, whenever it looks in between.
#[sqlx::test(migrations = "../migrations")]
async fn changes_committed_out_of_order_all_reach_the_index(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let db = common::own_pool(options).await;
    let index = seeded(&db).await;
    let mut conn = db.acquire().await.unwrap();
    let mut applied = search_sync::outbox_horizon(&mut conn).await.unwrap();
    drop(conn);
    let mut r = browse();
    r.sort = SortOrder::PriceLowHigh;
    let hits = index.search(&r).unwrap().hits;
    let (first, second) = (
        hits[hits.len() - 1].slug.clone(),
        hits[hits.len() - 2].slug.clone(),
    );
    let cheapen = "UPDATE variants SET price_minor = $2
                   WHERE product_id = (SELECT product_id FROM products WHERE slug = $1)";

    // The long transaction takes the lower outbox number…
    let mut long = db.begin().await.unwrap();
    sqlx::query(cheapen)
        .bind(&first)
        .bind(1_i64)
        .execute(&mut *long)
        .await
        .unwrap();
    // …a short one the higher, and commits first; the node looks meanwhile.
    let mut short = db.begin().await.unwrap();
    sqlx::query(cheapen)
        .bind(&second)
        .bind(2_i64)
        .execute(&mut *short)
        .await
        .unwrap();
    short.commit().await.unwrap();
    applied = search_sync::apply_outbox(&db, &index, applied, today())
        .await
        .unwrap();
    assert_eq!(index.search(&r).unwrap().hits[0].slug, second);

    // The long one commits last; its change is applied all the same.
    long.commit().await.unwrap();
    search_sync::apply_outbox(&db, &index, applied, today())
        .await
        .unwrap();
    let hits = index.search(&r).unwrap().hits;
    assert_eq!(
        (hits[0].slug.as_str(), hits[1].slug.as_str()),
        (first.as_str(), second.as_str())
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_committed_price_change_reaches_the_index_through_the_outbox(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let db = common::own_pool(options).await;
    let index = seeded(&db).await;
    let mut conn = db.acquire().await.unwrap();
    let applied = search_sync::outbox_horizon(&mut conn).await.unwrap();
    let mut r = browse();
    r.sort = SortOrder::PriceLowHigh;
    let before = index.search(&r).unwrap().hits;
    let last = before.last().expect("products").clone();
    assert_ne!(before[0].slug, last.slug);

    // The most expensive product becomes the cheapest, in one ordinary transaction.
    sqlx::query!(
        "UPDATE variants SET price_minor = 1
         WHERE product_id = (SELECT product_id FROM products WHERE slug = $1)",
        last.slug
    )
    .execute(&db)
    .await
    .unwrap();
    let applied = search_sync::apply_outbox(&db, &index, applied, today())
        .await
        .unwrap();
    assert_eq!(index.search(&r).unwrap().hits[0].slug, last.slug);

    // Unpublishing removes it.
    sqlx::query!(
        "UPDATE products SET published_at = NULL WHERE slug = $1",
        last.slug
    )
    .execute(&db)
    .await
    .unwrap();
    search_sync::apply_outbox(&db, &index, applied, today())
        .await
        .unwrap();
    assert!(
        index
            .search(&r)
            .unwrap()
            .hits
            .iter()
            .all(|h| h.slug != last.slug)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_node_builds_its_index_at_start_and_catches_up_after_a_restart(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let db = common::own_pool(options).await;
    server::seed::seed_demo(&db, today()).await.expect("seed");
    let dir = std::env::temp_dir().join(format!("olivine-search-node-{}", uuid::Uuid::now_v7()));
    let data_dir = dir.to_string_lossy().into_owned();
    let config = Config::from_lookup(|k| match k {
        "OLIVINE_ENV" => Some("dev".to_owned()),
        "OLIVINE_DATA_DIR" => Some(data_dir.clone()),
        _ => None,
    })
    .expect("config");
    let first = server::jobs::search_sync::open(&config, &db)
        .await
        .expect("open");
    let products = first.index.num_docs();
    assert!(products > 0);
    drop(first);

    // While the node is down, a product is unpublished.
    sqlx::query!(
        "UPDATE products SET published_at = NULL
         WHERE product_id = (SELECT product_id FROM products ORDER BY product_id LIMIT 1)"
    )
    .execute(&db)
    .await
    .unwrap();
    let second = server::jobs::search_sync::open(&config, &db)
        .await
        .expect("reopen");
    assert_eq!(second.index.num_docs(), products - 1);
    drop(second);

    // An index made from another database (say, a re-created one) is rebuilt, not caught up:
    // its position means nothing here.
    sqlx::query!("UPDATE products SET published_at = now() WHERE published_at IS NULL")
        .execute(&db)
        .await
        .unwrap();
    std::fs::write(
        dir.join("search").join("applied-seq"),
        "00000000-0000-0000-0000-000000000000 999999999",
    )
    .unwrap();
    let third = server::jobs::search_sync::open(&config, &db)
        .await
        .expect("reopen");
    assert_eq!(third.index.num_docs(), products);
    let _ = std::fs::remove_dir_all(&dir);
}
