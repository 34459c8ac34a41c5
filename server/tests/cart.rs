//! The cart over HTTP, as the shop's forms call it: guests and customers fill carts, stock and
//! prices are checked on every change, refusals leave the cart as it was, the shopper hears
//! about sell-outs and price changes, and a guest's cart joins the account's at sign-in.

use app::cart::model::{Cart, LineNotice};
use axum::http::StatusCode;
use server::seed::DEMO_PASSWORD;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

mod common;
use common::{Browser, Reply, ok, shop};

/// Two sellable variants of the demo catalog: (variant id, sellable units).
async fn two_variants(db: &PgPool) -> [(String, i64); 2] {
    let rows = sqlx::query!(
        r#"
        SELECT v.variant_id::text AS "id!", sum(l.on_hand)::bigint AS "units!"
        FROM variants v
        JOIN products p ON p.product_id = v.product_id AND p.published_at IS NOT NULL
        JOIN lots l ON l.variant_id = v.variant_id AND l.expiry_date > current_date + 30
        GROUP BY v.variant_id
        HAVING sum(l.on_hand) BETWEEN 5 AND 500
        ORDER BY v.variant_id
        LIMIT 2
        "#
    )
    .fetch_all(db)
    .await
    .expect("variants");
    let [a, b] = <[_; 2]>::try_from(rows).unwrap_or_else(|rows| {
        panic!("two sellable variants, found {}", rows.len());
    });
    [(a.id, a.units), (b.id, b.units)]
}

fn cart(reply: &Reply) -> Cart {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    serde_json::from_str(&reply.body).expect("cart JSON")
}

fn refusal(reply: &Reply) -> String {
    common::unprocessable(reply).detail()
}

async fn add(browser: &mut Browser<'_>, variant: &str, quantity: &str) -> Reply {
    browser
        .call("cart/add", &[("variant", variant), ("quantity", quantity)])
        .await
}

async fn set(browser: &mut Browser<'_>, variant: &str, quantity: &str) -> Reply {
    browser
        .call("cart/set", &[("variant", variant), ("quantity", quantity)])
        .await
}

fn quantities(cart: &Cart) -> Vec<(String, i32)> {
    cart.lines
        .iter()
        .map(|l| (l.variant_id.to_string(), l.quantity))
        .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_guest_fills_a_cart_within_stock_and_hears_about_changes(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = shop(options).await;
    let db = app.db.clone();
    let [(a, a_units), (b, _)] = two_variants(&db).await;
    let mut guest = app.browser();

    assert!(cart(&guest.call("cart/view", &[]).await).is_empty());
    let filled = cart(&add(&mut guest, &a, "2").await);
    assert_eq!(quantities(&filled), [(a.clone(), 2)]);
    assert_eq!(quantities(&cart(&add(&mut guest, &b, "1").await)).len(), 2);
    let filled = cart(&add(&mut guest, &a, "1").await);
    assert_eq!(quantities(&filled), [(a.clone(), 3), (b.clone(), 1)]);
    assert_eq!(filled.item_count(), 4);
    let line = &filled.lines[0];
    let price_of = |variant: &str| {
        sqlx::query_scalar::<_, i64>("SELECT price_minor FROM variants WHERE variant_id = $1::uuid")
            .bind(variant.to_owned())
            .fetch_one(&db)
    };
    let (a_price, b_price) = (
        price_of(&a).await.expect("price"),
        price_of(&b).await.expect("price"),
    );
    assert_eq!(line.unit_price.minor(), a_price);
    let subtotal = filled.subtotal().expect("sums").expect("not empty");
    assert_eq!(subtotal.minor(), 3 * a_price + b_price);
    assert_eq!(line.notice(), None);

    // Bad quantities and more than the shelf holds are refused; the cart stays as it was.
    for bad in ["0", "21", "two", ""] {
        assert_eq!(
            refusal(&add(&mut guest, &a, bad).await),
            "Choose a quantity from 1 to 20."
        );
    }
    let over = i32::try_from(a_units).unwrap().min(20) - 3 + 1;
    let message = refusal(&add(&mut guest, &a, &over.to_string()).await);
    if a_units < 20 {
        assert!(
            message.starts_with(&format!("Only {a_units} of ")),
            "{message}"
        );
        assert!(
            message.ends_with("and your cart already holds 3."),
            "{message}"
        );
    } else {
        assert_eq!(message, "You can buy at most 20 of one item per order.");
    }
    let unknown = uuid::Uuid::now_v7().to_string();
    assert_eq!(
        refusal(&add(&mut guest, &unknown, "1").await),
        "Sorry, that product is no longer sold."
    );
    assert_eq!(
        quantities(&cart(&guest.call("cart/view", &[]).await)),
        [(a.clone(), 3), (b.clone(), 1)]
    );

    // Someone else's cart is theirs alone.
    let mut stranger = app.browser();
    assert!(cart(&stranger.call("cart/view", &[]).await).is_empty());

    // The price goes up while it sits in the cart: the shopper is told, and "OK" (setting the
    // same quantity) acknowledges it.
    sqlx::query("UPDATE variants SET price_minor = price_minor + 100 WHERE variant_id = $1::uuid")
        .bind(&a)
        .execute(&db)
        .await
        .expect("reprice");
    let seen = cart(&guest.call("cart/view", &[]).await);
    let Some(LineNotice::PriceChanged { was, now }) = seen.lines[0].notice() else {
        panic!("a price notice, got {:?}", seen.lines[0].notice());
    };
    assert_eq!(now.minor() - was.minor(), 100);
    assert!(seen.can_check_out(), "a new price is news, not a blocker");
    let acknowledged = cart(&set(&mut guest, &a, "3").await);
    assert_eq!(acknowledged.lines[0].notice(), None);

    // It sells out: the line says so and checkout is blocked until it goes.
    sqlx::query("UPDATE lots SET on_hand = 0 WHERE variant_id = $1::uuid")
        .bind(&b)
        .execute(&db)
        .await
        .expect("sell out");
    let sold_out = cart(&guest.call("cart/view", &[]).await);
    assert_eq!(sold_out.lines[1].notice(), Some(LineNotice::SoldOut));
    assert!(!sold_out.can_check_out());
    assert!(refusal(&set(&mut guest, &b, "2").await).ends_with("has just sold out."));
    let removed = cart(&guest.call("cart/remove", &[("variant", &b)]).await);
    assert_eq!(quantities(&removed), [(a.clone(), 3)]);
    assert!(removed.can_check_out());

    // Quantity 0 removes a line too.
    assert!(cart(&set(&mut guest, &a, "0").await).is_empty());

    // Five tabs add one each at the same moment: none of the adds is lost.
    let tab = || {
        let mut tab = Browser {
            app: &app,
            cookie: guest.cookie.clone(),
            set_cookie: None,
            from: guest.from,
            device: None,
        };
        let a = a.clone();
        async move { add(&mut tab, &a, "1").await.status }
    };
    let statuses = tokio::join!(tab(), tab(), tab(), tab(), tab());
    let statuses = [statuses.0, statuses.1, statuses.2, statuses.3, statuses.4];
    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert_eq!(
        quantities(&cart(&guest.call("cart/view", &[]).await)),
        [(a.clone(), 5)]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_guest_cart_joins_the_account_cart_at_sign_in(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = shop(options).await;
    let db = app.db.clone();
    let [(a, _), (b, _)] = two_variants(&db).await;

    // Ann left one of A in her cart on another device.
    let mut laptop = app.browser();
    assert!(ok(&laptop.sign_in("ann@olivine.test", DEMO_PASSWORD).await));
    cart(&add(&mut laptop, &a, "1").await);

    // On her phone, as a guest, she adds two of A and one of B, then signs in.
    let mut phone = app.browser();
    cart(&add(&mut phone, &a, "2").await);
    cart(&add(&mut phone, &b, "1").await);
    assert!(ok(&phone.sign_in("ann@olivine.test", DEMO_PASSWORD).await));
    let merged = cart(&phone.call("cart/view", &[]).await);
    assert_eq!(quantities(&merged), [(a.clone(), 3), (b.clone(), 1)]);
    // One cart, seen from both devices; the guest cart is gone.
    assert_eq!(
        quantities(&cart(&laptop.call("cart/view", &[]).await)),
        quantities(&merged)
    );
    let carts: i64 = sqlx::query_scalar("SELECT count(*) FROM carts")
        .fetch_one(&db)
        .await
        .expect("count");
    assert_eq!(carts, 1);

    // Signing out leaves an empty guest cart behind, not Ann's.
    assert!(ok(&phone.call("accounts/sign-out", &[]).await));
    assert!(cart(&phone.call("cart/view", &[]).await).is_empty());
}
