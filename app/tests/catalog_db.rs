//! Catalog queries and rules against a real Postgres (a fresh database per test).
#![cfg(feature = "ssr")]

use app::catalog::model::Sort;
use app::catalog::service::{self, CatalogError};
use app::inventory::model::StockStatus;
use chrono::Days;
use sqlx::PgPool;
use test_support::catalog::{ProductBuilder, category, today};

#[sqlx::test(migrations = "../migrations")]
async fn category_lists_published_products_sorted_by_price(db: PgPool) {
    let mut conn = db.acquire().await.unwrap();
    let cat = category(&mut conn, "vitamins").await;
    ProductBuilder::new("Mid")
        .variant("MID-1", 1500)
        .lot("B1", 200, 20)
        .insert(&mut conn, cat)
        .await;
    ProductBuilder::new("Cheap")
        .variant("CHP-1", 900)
        .variant("CHP-2", 2500)
        .insert(&mut conn, cat)
        .await;
    ProductBuilder::new("Dear")
        .variant("DER-1", 4000)
        .insert(&mut conn, cat)
        .await;
    ProductBuilder::new("Hidden")
        .variant("HID-1", 100)
        .unpublished()
        .insert(&mut conn, cat)
        .await;
    drop(conn);

    let page = service::category_page(&db, "vitamins", Sort::PriceLowToHigh, 1, today())
        .await
        .unwrap();
    let names: Vec<_> = page
        .products
        .items
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["Cheap", "Mid", "Dear"]);
    assert_eq!(page.products.total_items, 3);
    assert_eq!(
        page.category.product_count, 3,
        "the unpublished product is not counted"
    );
    // A card shows the cheapest variant's price and how many variants there are.
    assert_eq!(page.products.items[0].price_from.minor(), 900);
    assert_eq!(page.products.items[0].variant_count, 2);

    let desc = service::category_page(&db, "vitamins", Sort::PriceHighToLow, 1, today())
        .await
        .unwrap();
    let names: Vec<_> = desc
        .products
        .items
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["Dear", "Mid", "Cheap"]);
}

#[sqlx::test(migrations = "../migrations")]
async fn pages_split_the_listing_and_a_page_past_the_end_is_not_found(db: PgPool) {
    let mut conn = db.acquire().await.unwrap();
    let cat = category(&mut conn, "minerals").await;
    for n in 0..8 {
        ProductBuilder::new(&format!("Item {n}"))
            .variant(&format!("ITM-{n}"), 1000 + n)
            .insert(&mut conn, cat)
            .await;
    }
    drop(conn);

    let first = service::category_page(&db, "minerals", Sort::PriceLowToHigh, 1, today())
        .await
        .unwrap();
    let second = service::category_page(&db, "minerals", Sort::PriceLowToHigh, 2, today())
        .await
        .unwrap();
    assert_eq!(first.products.items.len(), 6);
    assert_eq!(second.products.items.len(), 2);
    assert_eq!(first.products.total_pages(), 2);
    assert_eq!(second.products.items[0].name, "Item 6");
    assert!(matches!(
        service::category_page(&db, "minerals", Sort::Featured, 3, today()).await,
        Err(CatalogError::NotFound)
    ));
    assert!(matches!(
        service::category_page(&db, "no-such-category", Sort::Featured, 1, today()).await,
        Err(CatalogError::NotFound)
    ));
}

#[sqlx::test(migrations = "../migrations")]
async fn stock_and_best_before_follow_fefo_and_skip_short_dated_lots(db: PgPool) {
    let mut conn = db.acquire().await.unwrap();
    let cat = category(&mut conn, "omega").await;
    let product = ProductBuilder::new("Fish Oil")
        .variant("FSH-60", 1690)
        .lot("SHORT", 10, 50) // expires within the minimum shelf life: not sold
        .lot("NEXT", 100, 3)
        .lot("LATER", 200, 4)
        .variant("FSH-120", 2990) // no lots at all
        .variant("FSH-240", 4990)
        .lot("EMPTY", 300, 0);
    let slug = product.slug();
    product.insert(&mut conn, cat).await;
    drop(conn);

    let detail = service::product_detail(&db, &slug, today()).await.unwrap();
    let small = &detail.variants[0];
    assert_eq!(small.stock, StockStatus::Low { left: 7 });
    assert_eq!(small.best_before, today().checked_add_days(Days::new(100)));
    for sold_out in &detail.variants[1..] {
        assert_eq!(sold_out.stock, StockStatus::OutOfStock);
        assert_eq!(sold_out.best_before, None);
    }
    // The listing's SQL applies the same shelf-life rule as the Rust one.
    let listing = service::category_page(&db, "omega", Sort::Featured, 1, today())
        .await
        .unwrap();
    assert_eq!(
        listing.products.items[0].stock,
        StockStatus::Low { left: 7 }
    );
    assert_eq!(
        detail.pick_variant(Some("FSH-240")).map(|v| v.sku.as_str()),
        Some("FSH-240")
    );
    assert_eq!(
        detail.pick_variant(None).map(|v| v.sku.as_str()),
        Some("FSH-60")
    );
    assert!(small.stock.is_available());
}

#[sqlx::test(migrations = "../migrations")]
async fn unknown_and_unpublished_products_are_not_found(db: PgPool) {
    let mut conn = db.acquire().await.unwrap();
    let cat = category(&mut conn, "herbal").await;
    ProductBuilder::new("Draft")
        .variant("DRF-1", 500)
        .unpublished()
        .insert(&mut conn, cat)
        .await;
    drop(conn);
    assert!(matches!(
        service::product_detail(&db, "draft", today()).await,
        Err(CatalogError::NotFound)
    ));
    assert!(matches!(
        service::product_detail(&db, "nothing", today()).await,
        Err(CatalogError::NotFound)
    ));
}

#[sqlx::test(migrations = "../migrations")]
async fn the_home_page_shows_featured_products_and_every_category(db: PgPool) {
    let mut conn = db.acquire().await.unwrap();
    let cat = category(&mut conn, "gut").await;
    category(&mut conn, "empty").await;
    ProductBuilder::new("Star")
        .variant("STR-1", 500)
        .featured()
        .insert(&mut conn, cat)
        .await;
    ProductBuilder::new("Plain")
        .variant("PLN-1", 500)
        .insert(&mut conn, cat)
        .await;
    drop(conn);
    let home = service::home_page(&db, today()).await.unwrap();
    assert_eq!(
        home.featured
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["Star"]
    );
    let counts: Vec<_> = home
        .categories
        .iter()
        .map(|c| (c.slug.as_str(), c.product_count))
        .collect();
    assert!(
        counts.contains(&("gut", 2)) && counts.contains(&("empty", 0)),
        "{counts:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_database_refuses_negative_stock_and_duplicate_skus(db: PgPool) {
    let mut conn = db.acquire().await.unwrap();
    let cat = category(&mut conn, "body").await;
    ProductBuilder::new("Balm")
        .variant("BLM-1", 900)
        .lot("L1", 100, 3)
        .insert(&mut conn, cat)
        .await;

    let negative = sqlx::query("UPDATE lots SET on_hand = on_hand - 4 WHERE batch_number = 'L1'")
        .execute(&mut *conn)
        .await
        .unwrap_err();
    assert!(
        negative.to_string().contains("lots_on_hand_check"),
        "{negative}"
    );

    let duplicate = sqlx::query(
        "INSERT INTO variants (variant_id, product_id, sku, label, price_minor, currency, position)
         SELECT gen_random_uuid(), product_id, 'BLM-1', 'Again', 900, 'EUR', 1 FROM variants WHERE sku = 'BLM-1'",
    )
    .execute(&mut *conn)
    .await
    .unwrap_err();
    assert!(
        duplicate.to_string().contains("variants_sku_key"),
        "{duplicate}"
    );
}
