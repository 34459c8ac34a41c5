//! Checkout as the shop tests drive it: a variant with known stock, the checkout form with a
//! Dutch address, paying through the emulator.

use super::{App, Browser, Reply};
use app::orders::model::{OrderStatus, PaymentStart};
use axum::http::StatusCode;
use sqlx::PgPool;

/// A fresh variant of a published supplement, with one lot of `units` that keeps its shelf
/// life, so a test knows exactly what is in stock. Returns the variant id.
pub async fn stocked_variant(app: &App, units: i32, price_minor: i64) -> String {
    let db = &app.db;
    let product: uuid::Uuid = sqlx::query_scalar(
        "SELECT p.product_id FROM products p JOIN categories c USING (category_id)
         WHERE p.published_at IS NOT NULL AND c.kind = 'supplement'
         ORDER BY p.slug LIMIT 1",
    )
    .fetch_one(db)
    .await
    .expect("a supplement");
    let variant = uuid::Uuid::now_v7();
    let sku = format!("T{}", &variant.simple().to_string()[20..]).to_uppercase();
    sqlx::query(
        "INSERT INTO variants (variant_id, product_id, sku, label, price_minor, currency, position)
         SELECT $1, $2, $3, 'Test pack', $4, 'EUR', COALESCE(max(position), 0) + 1
         FROM variants WHERE product_id = $2",
    )
    .bind(variant)
    .bind(product)
    .bind(&sku)
    .bind(price_minor)
    .execute(db)
    .await
    .expect("variant");
    receive(app, &variant.to_string(), "T-1", units, 400).await;
    variant.to_string()
}

/// Receive a lot of `units` for `variant` expiring in `days`.
pub async fn receive(app: &App, variant: &str, batch: &str, units: i32, days: u64) {
    let mut conn = app.db.acquire().await.expect("connection");
    let expiry = chrono::Utc::now().date_naive() + chrono::Days::new(days);
    app::inventory::repo::receive_lot(
        &mut conn,
        &app::inventory::repo::NewLot {
            id: app::ids::LotId(uuid::Uuid::now_v7()),
            variant: app::ids::VariantId(variant.parse().expect("uuid")),
            batch_number: batch,
            expiry_date: expiry,
            quantity: units,
        },
        None,
    )
    .await
    .expect("lot");
}

/// (on hand, reserved) over the variant's lots.
pub async fn stock(db: &PgPool, variant: &str) -> (i64, i64) {
    sqlx::query_as(
        "SELECT COALESCE(sum(on_hand), 0)::bigint, COALESCE(sum(reserved), 0)::bigint
         FROM lots WHERE variant_id = $1::uuid",
    )
    .bind(variant)
    .fetch_one(db)
    .await
    .expect("stock")
}

pub const NL_ADDRESS: &[(&str, &str)] = &[
    ("address[name]", "Ann de Vries"),
    ("address[line1]", "Keizersgracht 12"),
    ("address[line2]", ""),
    ("address[postal_code]", "1015 cs"),
    ("address[city]", "Amsterdam"),
    ("address[country]", "NL"),
];

pub async fn checkout(browser: &mut Browser<'_>, endpoint: &str, extra: &[(&str, &str)]) -> Reply {
    let mut pairs: Vec<(&str, &str)> = NL_ADDRESS.to_vec();
    for (key, value) in extra {
        pairs.retain(|(k, _)| k != key);
        pairs.push((key, value));
    }
    for (key, default) in [
        ("email", ""),
        ("shipping_method", "standard"),
        ("discount_code", ""),
    ] {
        if !pairs.iter().any(|(k, _)| *k == key) {
            pairs.push((key, default));
        }
    }
    browser.call(endpoint, &pairs).await
}

pub fn parsed<T: serde::de::DeserializeOwned>(reply: &Reply) -> T {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    serde_json::from_str(&reply.body).expect("JSON")
}

pub fn refusal(reply: &Reply) -> app::error::AppError {
    super::unprocessable(reply)
}

pub fn intent_of(start: &PaymentStart) -> String {
    start
        .client_secret
        .split("_secret_")
        .next()
        .expect("intent id")
        .to_owned()
}

pub async fn pay(
    app: &App,
    start: &PaymentStart,
    method: &str,
) -> Result<payments::Intent, payments::PaymentsError> {
    app.state
        .payments
        .confirm_intent(&intent_of(start), method)
        .await
}

pub async fn add(browser: &mut Browser<'_>, variant: &str, quantity: &str) {
    let reply = browser
        .call("cart/add", &[("variant", variant), ("quantity", quantity)])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

/// Buy one of `variant` and pay; returns the order id.
pub async fn buy(app: &App, browser: &mut Browser<'_>, variant: &str) -> String {
    add(browser, variant, "1").await;
    let start: PaymentStart = parsed(&checkout(browser, "checkout/start", &[]).await);
    pay(app, &start, "pm_card_visa").await.expect("paid");
    app.deliver_events().await;
    start.order_id.to_string()
}

/// Walk the order to delivered, as support does.
pub async fn deliver(admin: &mut Browser<'_>, order: &str) {
    for (to, tracking) in [
        ("packed", ""),
        ("shipped", "3SABC1234567"),
        ("delivered", ""),
    ] {
        let status: OrderStatus = parsed(
            &admin
                .call(
                    "admin/order/advance",
                    &[("order", order), ("to", to), ("tracking_number", tracking)],
                )
                .await,
        );
        assert_eq!(status.db_name(), to);
    }
}
