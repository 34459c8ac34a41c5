//! The catalog editor over HTTP, as the back office's forms call it: an admin builds a product
//! (variant, lot, stock correction, photo) and publishes it; the shop page and the search index
//! then show it. Bad input is refused field by field and writes nothing; stock can't go below
//! zero; every change leaves an audit entry and every stock change a stock entry.

use app::catalog::admin::model::ProductEditor;
use app::catalog::search::sync as search_sync;
use app::ids::ProductId;
use axum::http::StatusCode;
use search::{SearchIndex, SearchRequest};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

mod common;
use common::{Browser, Reply, app, signed_in};

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The field names an error reply names.
fn fields(reply: &Reply) -> Vec<String> {
    let error = common::unprocessable(reply);
    let app::error::AppError::Unprocessable { fields, .. } = error else {
        panic!("expected field errors, got {error:?}")
    };
    fields.into_iter().map(|f| f.field).collect()
}

async fn count(db: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(db)
        .await
        .expect("count")
}

async fn editor(browser: &mut Browser<'_>, id: ProductId) -> ProductEditor {
    let reply = browser
        .call("admin/product-editor", &[("id", &id.to_string())])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    serde_json::from_str(&reply.body).expect("editor JSON")
}

/// A PNG photo as an admin would upload it.
fn photo() -> Vec<u8> {
    common::pack_shot_png(app::catalog::model::ProductForm::Serum, "#4a7c59", 3)
}

/// POST a photo the way the uploader's XMLHttpRequest does.
async fn upload(
    browser: &mut Browser<'_>,
    product: ProductId,
    alt_text: Option<&str>,
    file: &[u8],
) -> Reply {
    let fields: Vec<(&str, &str)> = alt_text.map(|alt| ("alt_text", alt)).into_iter().collect();
    let url = format!("/admin/product-photos/{product}");
    browser
        .upload(&url, &fields, ("photo.png", "image/png", file))
        .await
}

fn variant_form<'a>(product: &'a str, sku: &'a str) -> [(&'a str, &'a str); 4] {
    [
        ("product", product),
        ("variant[sku]", sku),
        ("variant[label]", "30 ml"),
        ("variant[price]", "24,50"),
    ]
}

const PRODUCT: &[(&str, &str)] = &[
    ("product[name]", "Harbour Night Serum"),
    ("product[product_line]", "Olivine Lab"),
    ("product[form]", "serum"),
    ("product[summary]", "A calm overnight serum with squalane."),
    (
        "product[description]",
        "Squalane and oat lipids for dry skin, made in small batches.",
    ),
    ("product[directions]", "Two drops on clean skin at night."),
    ("product[benefits]", "hydration, barrier"),
    ("product[skin_types][dry]", "on"),
    ("product[accent_colour]", "#3B6E8F"),
];

#[sqlx::test(migrations = "../migrations")]
async fn an_admin_builds_a_product_that_the_shop_and_search_then_show(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let db = common::own_pool(options).await;
    server::seed::seed_demo(&db, today()).await.expect("seed");
    let index = SearchIndex::in_memory().expect("index");
    search_sync::rebuild(&db, &index, today(), |_| {})
        .await
        .expect("rebuild");
    let mut conn = db.acquire().await.expect("conn");
    let applied = search_sync::outbox_horizon(&mut conn).await.expect("head");
    drop(conn);
    let app = app(db.clone()).await;
    let mut admin = signed_in(&app, "admin@olivine.test").await;
    let category = sqlx::query_scalar!(
        "SELECT category_id::text AS \"id!\" FROM categories WHERE kind = 'skincare' ORDER BY position LIMIT 1"
    )
    .fetch_one(&db)
    .await
    .expect("a skincare category");
    let products_before = count(&db, "SELECT count(*) FROM products").await;

    // Every problem at once, nothing stored.
    let reply = admin
        .call(
            "admin/product/create",
            &[
                ("product[name]", " "),
                ("product[slug]", "Not A Slug"),
                ("product[accent_colour]", "green"),
                ("product[allergens][plutonium]", "on"),
            ],
        )
        .await;
    let named = fields(&reply);
    for field in [
        "product[name]",
        "product[slug]",
        "product[category]",
        "product[form]",
        "product[accent_colour]",
        "product[allergens]",
    ] {
        assert!(named.iter().any(|f| f == field), "{field} in {named:?}");
    }
    assert_eq!(
        count(&db, "SELECT count(*) FROM products").await,
        products_before
    );

    // A good product: a draft, slug from the name, the standard skincare disclaimer.
    let mut args = PRODUCT.to_vec();
    args.push(("product[category]", &category));
    let reply = admin.call("admin/product/create", &args).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let id: ProductId = serde_json::from_str(&reply.body).expect("id");
    let draft = editor(&mut admin, id).await;
    assert_eq!(draft.fields.slug, "harbour-night-serum");
    assert_eq!(draft.fields.accent_colour, "#3b6e8f");
    assert_eq!(
        draft.fields.disclaimer,
        app::catalog::model::ProductKind::Skincare.standard_disclaimer()
    );
    assert!(!draft.published);

    // The same name again: the web address is taken.
    let reply = admin.call("admin/product/create", &args).await;
    assert_eq!(fields(&reply), vec!["product[slug]"]);

    // Nothing to sell yet: publishing waits for a variant.
    let reply = admin
        .call(
            "admin/product/publish",
            &[("id", &id.to_string()), ("publish", "true")],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );

    // SKUs are unique across the catalog.
    let taken = sqlx::query_scalar!("SELECT sku FROM variants LIMIT 1")
        .fetch_one(&db)
        .await
        .expect("a seeded SKU");
    let id_text = id.to_string();
    let reply = admin
        .call("admin/variant/add", &variant_form(&id_text, &taken))
        .await;
    assert_eq!(fields(&reply), vec!["variant[sku]"]);
    let reply = admin
        .call("admin/variant/add", &variant_form(&id_text, "hns-030"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let built = editor(&mut admin, id).await;
    let variant = &built.variants[0];
    assert_eq!(
        (variant.sku.as_str(), variant.price.minor()),
        ("HNS-030", 2450)
    );

    // A lot arrives; the same batch can't arrive twice.
    let variant_id = variant.id.to_string();
    let expiry = (today() + chrono::Days::new(400)).to_string();
    let lot = [
        ("variant_id", variant_id.as_str()),
        ("lot[batch_number]", "hns-2611-a"),
        ("lot[expiry_date]", expiry.as_str()),
        ("lot[quantity]", "48"),
    ];
    let reply = admin.call("admin/lot/receive", &lot).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let reply = admin.call("admin/lot/receive", &lot).await;
    assert_eq!(fields(&reply), vec!["lot[batch_number]"]);

    // Corrections are entries with reasons; stock never goes below zero.
    let lot_id = editor(&mut admin, id).await.variants[0].lots[0]
        .id
        .to_string();
    let correction = |quantity: &'static str, reason: &'static str| {
        [
            ("lot_id".to_owned(), lot_id.clone()),
            ("adjust[quantity]".to_owned(), quantity.to_owned()),
            ("adjust[reason]".to_owned(), reason.to_owned()),
            ("adjust[note]".to_owned(), "Shelf count".to_owned()),
        ]
    };
    for (quantity, reason, expected) in [
        ("-49", "stock_count", StatusCode::UNPROCESSABLE_ENTITY),
        ("-3", "received", StatusCode::UNPROCESSABLE_ENTITY),
        ("0", "damaged", StatusCode::UNPROCESSABLE_ENTITY),
        ("-3", "damaged", StatusCode::OK),
        ("+1", "found", StatusCode::OK),
    ] {
        let pairs = correction(quantity, reason);
        let borrowed: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let reply = admin.call("admin/lot/adjust", &borrowed).await;
        assert_eq!(
            reply.status, expected,
            "{quantity} {reason}: {}",
            reply.body
        );
    }
    let stocked = editor(&mut admin, id).await;
    assert_eq!(stocked.variants[0].lots[0].on_hand, 46);
    let reasons: Vec<(i64, &str)> = stocked
        .movements
        .iter()
        .map(|m| (m.quantity, m.reason.db_name()))
        .collect();
    assert_eq!(
        reasons,
        vec![(1, "found"), (-3, "damaged"), (48, "received")]
    );
    assert_eq!(stocked.movements[0].by.as_deref(), Some("Ada Admin"));
    // Entries explain every lot's balance, the seed's included.
    let unexplained = count(
        &db,
        "SELECT count(*) FROM lots l
         WHERE on_hand <> (SELECT COALESCE(sum(quantity), 0) FROM stock_movements m WHERE m.lot_id = l.lot_id)",
    )
    .await;
    assert_eq!(unexplained, 0);
    // And they can't be rewritten.
    let rewrite = sqlx::query("UPDATE stock_movements SET quantity = 100")
        .execute(&db)
        .await;
    assert!(rewrite.is_err(), "stock entries are append-only");

    // Photos: a description is required and a non-image is refused; neither stores anything.
    let stored_before = count(&db, "SELECT count(*) FROM media_images").await;
    let reply = upload(&mut admin, id, None, &photo()).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert!(reply.body.contains("alt_text"), "{}", reply.body);
    let reply = upload(&mut admin, id, Some("A bottle"), b"GIF89a not really").await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM media_images").await,
        stored_before
    );
    let reply = upload(
        &mut admin,
        id,
        Some("Blue dropper bottle of Harbour Night Serum"),
        &photo(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    // A second photo, moved to the front, then described again.
    let second = common::pack_shot_png(app::catalog::model::ProductForm::Cream, "#3b6e8f", 9);
    let reply = upload(&mut admin, id, Some("Jar of Harbour Night Serum"), &second).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let photos = editor(&mut admin, id).await.images;
    assert_eq!(photos.len(), 2);
    let jar = photos[1].id.to_string();
    let reply = admin
        .call(
            "admin/image/move",
            &[("image", &jar), ("direction", "earlier")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let reply = admin
        .call("admin/image/alt", &[("image", &jar), ("alt_text", "  ")])
        .await;
    assert_eq!(fields(&reply), vec!["alt_text"]);
    let reply = admin
        .call("admin/image/reprocess", &[("image", &jar)])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let photos = editor(&mut admin, id).await.images;
    assert_eq!(photos[0].image.alt, "Jar of Harbour Night Serum");
    assert_eq!(
        photos[0].avif_state, "pending",
        "re-processing queues AVIF again"
    );
    let reply = admin
        .call(
            "admin/image/remove",
            &[("image", &photos[1].id.to_string())],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(editor(&mut admin, id).await.images.len(), 1);

    // Publish: the shop page shows it with its photo, and the search index finds it by a typo.
    let reply = admin
        .call(
            "admin/product/publish",
            &[("id", &id.to_string()), ("publish", "true")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let (status, page, _) = common::get(&app.router, "/products/harbour-night-serum", None).await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains("Harbour Night Serum"));
    assert!(
        page.contains("alt=\"Jar of Harbour Night Serum\""),
        "the photo is on the page"
    );
    search_sync::apply_outbox(&db, &index, applied, today())
        .await
        .expect("apply");
    let found = index
        .search(&SearchRequest {
            text: "harbor nigth serum".into(),
            page: 1,
            per_page: 5,
            ..SearchRequest::default()
        })
        .expect("search");
    assert_eq!(found.hits[0].slug, "harbour-night-serum");

    // Editing records what changed.
    let mut edited = args.clone();
    edited.retain(|(k, _)| *k != "product[summary]");
    edited.push(("product[summary]", "Now with oat lipids."));
    edited.push(("id", &id_text));
    let reply = admin.call("admin/product/save", &edited).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let admin_id = common::user(&db, "admin@olivine.test").await;
    let actions: Vec<(String, serde_json::Value)> = sqlx::query!(
        "SELECT action, detail FROM audit_log WHERE actor_id = $1
           AND action NOT LIKE 'sign%' ORDER BY audit_id",
        admin_id.0
    )
    .fetch_all(&db)
    .await
    .expect("audit")
    .into_iter()
    .map(|r| (r.action, r.detail))
    .collect();
    let names: Vec<&str> = actions.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "product_created",
            "variant_created",
            "lot_received",
            "stock_adjusted",
            "stock_adjusted",
            "image_added",
            "image_added",
            "image_moved",
            "image_reprocessed",
            "image_removed",
            "product_published",
            "product_updated",
        ]
    );
    assert_eq!(
        actions.last().map(|(_, d)| d["changes"].clone()),
        Some(serde_json::json!({
            "summary": ["A calm overnight serum with squalane.", "Now with oat lipids."]
        }))
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn only_catalog_admins_upload_photos(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    server::seed::seed_demo(&db, today()).await.expect("seed");
    let app = app(db.clone()).await;
    let product =
        sqlx::query_scalar!(r#"SELECT product_id AS "id: ProductId" FROM products LIMIT 1"#)
            .fetch_one(&db)
            .await
            .expect("a product");
    let mut anonymous = app.browser();
    let reply = upload(&mut anonymous, product, Some("A photo"), &photo()).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    let mut shopper = signed_in(&app, "ann@olivine.test").await;
    let reply = upload(&mut shopper, product, Some("A photo"), &photo()).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    let mut admin = signed_in(&app, "admin@olivine.test").await;
    let reply = upload(
        &mut admin,
        ProductId(uuid::Uuid::nil()),
        Some("A photo"),
        &photo(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.body);
    assert_eq!(count(&db, "SELECT count(*) FROM product_images").await, 0);
}
