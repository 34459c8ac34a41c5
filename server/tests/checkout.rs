//! Checkout and payment over HTTP against the Stripe emulator: the order is priced from the
//! rate tables, holds its stock first-expiry-first-out, is paid through a PaymentIntent and
//! webhooks; declines keep the cart; duplicates, reordering and crashes change nothing twice;
//! many simultaneous checkouts never sell a unit that isn't there.

use app::checkout::model::CheckoutSummary;
use app::notifications::model::{NotificationKind, NotificationPage};
use app::orders::model::PaymentStart;
use app::orders::model::{OrderDetail, OrderStatus};
use axum::http::StatusCode;
use server::seed::DEMO_PASSWORD;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

mod common;
use common::checkout::{
    add, checkout, intent_of, parsed, pay, receive, refusal, stock, stocked_variant,
};
use common::{Browser, shop};

async fn order(browser: &mut Browser<'_>, start: &PaymentStart) -> OrderDetail {
    parsed(
        &browser
            .call(
                "orders/detail",
                &[("order", &start.order_id.to_string()), ("sync", "false")],
            )
            .await,
    )
}

async fn event_kinds(db: &PgPool, order: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT kind::text FROM order_events WHERE order_id = $1::uuid ORDER BY event_id",
    )
    .bind(order)
    .fetch_all(db)
    .await
    .expect("events")
}

#[sqlx::test(migrations = "../migrations")]
async fn a_customer_pays_and_stock_money_and_history_agree(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = shop(options).await;
    let variant = stocked_variant(&app, 5, 1995).await;
    // A second lot expiring sooner ships first.
    receive(&app, &variant, "T-0", 1, 200).await;
    let mut ann = app.browser();
    assert_eq!(
        ann.sign_in("ann@olivine.test", DEMO_PASSWORD).await.status,
        StatusCode::OK
    );
    add(&mut ann, &variant, "2").await;

    // The summary is computed from the tables: NL, supplements at 9 % VAT included, standard
    // shipping €4.95 (free from €40), shipping taxed at 21 %.
    let summary: CheckoutSummary = parsed(&checkout(&mut ann, "checkout/summary", &[]).await);
    let q = &summary.quote;
    assert_eq!(q.subtotal.minor(), 3990);
    assert_eq!(q.shipping.minor(), 495);
    assert_eq!(q.total.minor(), 3990 + 495);
    // 3990 × 9/109 = 329.45 → 329; 495 × 21/121 = 85.9 → 86.
    assert_eq!(q.tax.minor(), 329 + 86);

    // Field problems come back together, by field, and nothing is placed.
    let bad = refusal(
        &checkout(
            &mut ann,
            "checkout/start",
            &[("address[postal_code]", "12"), ("address[city]", " ")],
        )
        .await,
    );
    assert!(
        bad.field_message("address[postal_code]").is_some(),
        "{bad:?}"
    );
    assert!(bad.field_message("address[city]").is_some(), "{bad:?}");
    assert_eq!(stock(&app.db, &variant).await, (6, 0));

    let start: PaymentStart = parsed(&checkout(&mut ann, "checkout/start", &[]).await);
    assert_eq!(start.total.minor(), q.total.minor());
    assert_eq!(stock(&app.db, &variant).await, (6, 2), "two units held");
    let placed = order(&mut ann, &start).await;
    assert_eq!(placed.summary.status, OrderStatus::PendingPayment);
    assert_eq!(placed.address.postal_code, "1015 CS");

    // The card is charged exactly the summary's total; the webhook marks the order paid.
    let intent = pay(&app, &start, "pm_card_visa").await.expect("paid");
    assert_eq!(intent.amount_received, q.total.minor());
    app.deliver_events().await;
    let paid = order(&mut ann, &start).await;
    assert_eq!(paid.summary.status, OrderStatus::Paid);
    assert_eq!(
        stock(&app.db, &variant).await,
        (4, 0),
        "sold units left the shelf"
    );
    // First expiry first out: the one unit of T-0, then one of T-1.
    let lots: Vec<(String, i32)> = paid.lines[0]
        .lots
        .iter()
        .map(|l| (l.batch_number.clone(), l.quantity))
        .collect();
    assert_eq!(lots, [("T-0".to_owned(), 1), ("T-1".to_owned(), 1)]);
    assert_eq!(
        event_kinds(&app.db, &start.order_id.to_string()).await,
        ["placed", "paid"]
    );
    // The bought lines left the cart; the confirmation went out.
    let cart: app::cart::model::Cart = parsed(&ann.call("cart/view", &[]).await);
    assert!(cart.is_empty());
    let mail = app.last_mail_to("ann@olivine.test").await;
    assert!(mail.contains(&start.reference), "{mail}");
    // Every lot's entries still add up to what it holds.
    let drift: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM lots l WHERE on_hand <> (SELECT COALESCE(sum(quantity), 0)
         FROM stock_movements m WHERE m.lot_id = l.lot_id)",
    )
    .fetch_one(&app.db)
    .await
    .expect("drift");
    assert_eq!(drift, 0);

    // Nobody else sees the order.
    let mut ben = app.browser();
    ben.sign_in("ben@olivine.test", DEMO_PASSWORD).await;
    let hidden = ben
        .call(
            "orders/detail",
            &[("order", &start.order_id.to_string()), ("sync", "false")],
        )
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.body);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_decline_keeps_the_cart_and_the_hold_and_another_card_pays(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = shop(options).await;
    let variant = stocked_variant(&app, 3, 1200).await;
    let mut guest = app.browser();
    add(&mut guest, &variant, "1").await;
    let no_email = refusal(&checkout(&mut guest, "checkout/start", &[]).await);
    assert!(no_email.field_message("email").is_some());
    let start: PaymentStart = parsed(
        &checkout(
            &mut guest,
            "checkout/start",
            &[("email", "guest@example.com")],
        )
        .await,
    );

    let declined = pay(&app, &start, "pm_card_chargeDeclinedInsufficientFunds")
        .await
        .unwrap_err();
    assert!(matches!(declined, payments::PaymentsError::Refused { .. }));
    app.deliver_events().await;
    let pending = order(&mut guest, &start).await;
    assert_eq!(pending.summary.status, OrderStatus::PendingPayment);
    assert_eq!(
        pending.events.last().map(|e| e.detail.as_str()),
        Some("Your card has insufficient funds.")
    );
    let cart: app::cart::model::Cart = parsed(&guest.call("cart/view", &[]).await);
    assert_eq!(cart.item_count(), 1, "the cart is intact");
    assert_eq!(
        stock(&app.db, &variant).await,
        (3, 1),
        "still held for the retry"
    );

    // Paying again continues the same order and intent.
    let again: PaymentStart = parsed(
        &guest
            .call("checkout/resume", &[("order", &start.order_id.to_string())])
            .await,
    );
    assert_eq!(intent_of(&again), intent_of(&start));
    pay(&app, &again, "pm_card_authenticationRequired")
        .await
        .expect("needs 3-D Secure");
    app.deliver_events().await;
    assert!(app.stripe.authenticate(&intent_of(&again), true));
    // The shopper returns before the webhook: the page asks Stripe and shows the order paid.
    let synced: OrderDetail = parsed(
        &guest
            .call(
                "orders/detail",
                &[("order", &start.order_id.to_string()), ("sync", "true")],
            )
            .await,
    );
    assert_eq!(synced.summary.status, OrderStatus::Paid);
    app.deliver_events().await;
    assert_eq!(stock(&app.db, &variant).await, (2, 0));
    assert_eq!(
        event_kinds(&app.db, &start.order_id.to_string()).await,
        [
            "placed",
            "payment_failed",
            "authentication_requested",
            "paid"
        ]
    );

    // A guest's orders become the account's when they sign in.
    let mut listed: app::orders::model::OrderPage =
        parsed(&guest.call("orders/mine", &[("page", "1")]).await);
    assert_eq!(listed.orders.len(), 1);
    guest.sign_in("ben@olivine.test", DEMO_PASSWORD).await;
    listed = parsed(&guest.call("orders/mine", &[("page", "1")]).await);
    assert_eq!(listed.orders[0].id, start.order_id);
    // Its buyer, as typed, now sealed with the account's key: the order's own key is gone.
    assert_eq!(listed.orders[0].email, "guest@example.com");
    let guest_keys = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM guest_keys"#)
        .fetch_one(&app.db)
        .await
        .expect("count");
    assert_eq!(guest_keys, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn webhooks_replayed_shuffled_or_after_a_crash_act_once(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = shop(options).await;
    let variant = stocked_variant(&app, 4, 1500).await;
    let mut ann = app.browser();
    ann.sign_in("ann@olivine.test", DEMO_PASSWORD).await;
    add(&mut ann, &variant, "2").await;
    let start: PaymentStart = parsed(&checkout(&mut ann, "checkout/start", &[]).await);
    pay(&app, &start, "pm_card_chargeDeclined")
        .await
        .unwrap_err();
    pay(&app, &start, "pm_card_visa").await.expect("paid");

    // The server "crashed" before any webhook arrived: the order still waits.
    assert_eq!(
        order(&mut ann, &start).await.summary.status,
        OrderStatus::PendingPayment
    );
    // A forged or stale signature is refused and changes nothing.
    let events = app.stripe.events();
    let forged = app.webhook(&events[0].payload, "t=1,v1=deadbeef").await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);

    // Stripe's retries then arrive three times each, in shuffled order.
    let mut deliveries: Vec<_> = events.iter().chain(&events).chain(&events).collect();
    let mut seed = 0x9e37_79b9_u64;
    for i in (1..deliveries.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        deliveries.swap(i, usize::try_from(seed % (i as u64 + 1)).unwrap());
    }
    for event in deliveries {
        let reply = app
            .webhook(&event.payload, &app.stripe.sign(&event.payload))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let paid = order(&mut ann, &start).await;
    assert_eq!(paid.summary.status, OrderStatus::Paid);
    assert_eq!(stock(&app.db, &variant).await, (2, 0), "sold once");
    let kinds = event_kinds(&app.db, &start.order_id.to_string()).await;
    assert_eq!(
        kinds.iter().filter(|k| *k == "paid").count(),
        1,
        "{kinds:?}"
    );
    let sold: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM stock_movements m JOIN lots l USING (lot_id)
         WHERE l.variant_id = $1::uuid AND m.reason = 'sold'",
    )
    .bind(&variant)
    .fetch_one(&app.db)
    .await
    .expect("movements");
    assert_eq!(sold, 1);

    // An event stored but never processed (a crash mid-delivery) is finished by the job.
    let mut bob = app.browser();
    bob.sign_in("ben@olivine.test", DEMO_PASSWORD).await;
    add(&mut bob, &variant, "1").await;
    let second: PaymentStart = parsed(&checkout(&mut bob, "checkout/start", &[]).await);
    pay(&app, &second, "pm_card_visa").await.expect("paid");
    let intent = intent_of(&second);
    sqlx::query(
        "INSERT INTO stripe_events (event_id, type, object_id, payload, received_at)
         VALUES ('evt_crashed', 'payment_intent.succeeded', $1, '{}', now() - interval '5 minutes')",
    )
    .bind(&intent)
    .execute(&app.db)
    .await
    .expect("stored event");
    let retry = server::jobs::shop::StripeEventRetry::new(app.state.clone());
    let pass = server::jobs::pass(&app.db, &retry).await.expect("retry");
    assert_eq!((pass.due, pass.done), (1, 1));
    assert_eq!(
        order(&mut bob, &second).await.summary.status,
        OrderStatus::Paid
    );
    assert_eq!(stock(&app.db, &variant).await, (1, 0));
}

#[sqlx::test(migrations = "../migrations")]
async fn unpaid_orders_expire_and_give_back_stock_and_codes(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = shop(options).await;
    let variant = stocked_variant(&app, 2, 5000).await;
    sqlx::query(
        "INSERT INTO discount_codes (code, percent_bp, currency, max_redemptions, max_per_customer)
         VALUES ('ONCE10', 1000, 'EUR', 1, 1)",
    )
    .execute(&app.db)
    .await
    .expect("code");
    let mut ann = app.browser();
    ann.sign_in("ann@olivine.test", DEMO_PASSWORD).await;
    add(&mut ann, &variant, "2").await;
    let start: PaymentStart =
        parsed(&checkout(&mut ann, "checkout/start", &[("discount_code", "once10")]).await);
    // €100.00 − 10 % = €90.00, which ships free in NL.
    assert_eq!(start.total.minor(), 9000);

    // Someone else finds it held, and the code used up.
    let mut ben = app.browser();
    ben.sign_in("ben@olivine.test", DEMO_PASSWORD).await;
    let sold_out = ben
        .call("cart/add", &[("variant", &variant), ("quantity", "1")])
        .await;
    assert!(
        common::unprocessable(&sold_out)
            .detail()
            .contains("sold out"),
        "{}",
        sold_out.body
    );

    // The hold runs out: the job cancels the intent, then the order, and gives everything back.
    sqlx::query(
        "UPDATE orders SET reserved_until = now() - interval '1 second' WHERE order_id = $1::uuid",
    )
    .bind(start.order_id.to_string())
    .execute(&app.db)
    .await
    .expect("overdue");
    let expiry = server::jobs::shop::UnpaidOrderExpiry::new(app.state.clone());
    let pass = server::jobs::pass(&app.db, &expiry).await.expect("job");
    assert_eq!((pass.due, pass.done), (1, 1));
    assert_eq!(
        order(&mut ann, &start).await.summary.status,
        OrderStatus::Cancelled
    );
    assert_eq!(stock(&app.db, &variant).await, (2, 0));
    let intent = app
        .state
        .payments
        .retrieve_intent(&intent_of(&start))
        .await
        .expect("intent");
    assert_eq!(intent.status, payments::IntentStatus::Canceled);
    let late = pay(&app, &start, "pm_card_visa").await;
    assert!(late.is_err(), "a cancelled intent can't be paid");

    // The code is free again, once per customer.
    add(&mut ben, &variant, "1").await;
    let bens: PaymentStart =
        parsed(&checkout(&mut ben, "checkout/start", &[("discount_code", "ONCE10")]).await);
    pay(&app, &bens, "pm_card_visa").await.expect("paid");
    app.deliver_events().await;
    // (Ann's cart still asks for 2; one is left.)
    let fewer = ann
        .call("cart/set", &[("variant", &variant), ("quantity", "1")])
        .await;
    assert_eq!(fewer.status, StatusCode::OK, "{}", fewer.body);
    let again =
        refusal(&checkout(&mut ann, "checkout/summary", &[("discount_code", "ONCE10")]).await);
    assert_eq!(
        again.field_message("discount_code"),
        Some("The code ONCE10 has been used up.")
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn admins_fulfil_refund_and_cancel(_: PgPoolOptions, options: PgConnectOptions) {
    let app = shop(options).await;
    let variant = stocked_variant(&app, 5, 2000).await;
    let mut ann = app.browser();
    ann.sign_in("ann@olivine.test", DEMO_PASSWORD).await;
    add(&mut ann, &variant, "2").await;
    let start: PaymentStart = parsed(&checkout(&mut ann, "checkout/start", &[]).await);
    pay(&app, &start, "pm_card_visa").await.expect("paid");
    app.deliver_events().await;
    let id = start.order_id.to_string();

    // Customers can't reach the back office.
    let denied = ann
        .call(
            "admin/order/refund",
            &[("order", &id), ("amount", "1"), ("reason", "x")],
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);

    let mut admin = app.browser();
    admin.sign_in("admin@olivine.test", DEMO_PASSWORD).await;
    let skip = admin
        .call(
            "admin/order/advance",
            &[
                ("order", &id),
                ("to", "shipped"),
                ("tracking_number", "3SABC1234567"),
            ],
        )
        .await;
    assert!(
        refusal(&skip).detail().contains("can't be marked shipped"),
        "{}",
        skip.body
    );
    let packed: OrderStatus = parsed(
        &admin
            .call(
                "admin/order/advance",
                &[("order", &id), ("to", "packed"), ("tracking_number", "")],
            )
            .await,
    );
    assert_eq!(packed, OrderStatus::Packed);
    let no_number = admin
        .call(
            "admin/order/advance",
            &[("order", &id), ("to", "shipped"), ("tracking_number", "")],
        )
        .await;
    assert!(
        refusal(&no_number)
            .field_message("tracking_number")
            .is_some()
    );
    let shipped: OrderStatus = parsed(
        &admin
            .call(
                "admin/order/advance",
                &[
                    ("order", &id),
                    ("to", "shipped"),
                    ("tracking_number", "3s abc 1234567"),
                ],
            )
            .await,
    );
    assert_eq!(shipped, OrderStatus::Shipped);
    let detail = order(&mut ann, &start).await;
    assert_eq!(
        detail.tracking_link().as_deref(),
        Some("https://jouw.postnl.nl/track-and-trace/3SABC1234567-NL-1015CS")
    );
    assert!(
        app.last_mail_to("ann@olivine.test")
            .await
            .contains("3SABC1234567")
    );

    // Refunds: partial, too much, then the rest.
    let total = detail.summary.total.minor();
    let part: OrderStatus = parsed(
        &admin
            .call(
                "admin/order/refund",
                &[
                    ("order", &id),
                    ("amount", "5,00"),
                    ("reason", "One tub arrived dented"),
                ],
            )
            .await,
    );
    assert_eq!(part, OrderStatus::Shipped);
    let over = admin
        .call(
            "admin/order/refund",
            &[("order", &id), ("amount", "1000"), ("reason", "Oops")],
        )
        .await;
    assert!(
        refusal(&over).field_message("amount").is_some(),
        "{}",
        over.body
    );
    let rest = format!("{}.{:02}", (total - 500) / 100, (total - 500) % 100);
    let full: OrderStatus = parsed(
        &admin
            .call(
                "admin/order/refund",
                &[("order", &id), ("amount", &rest), ("reason", "Returned")],
            )
            .await,
    );
    assert_eq!(full, OrderStatus::Refunded);
    let refunded = order(&mut ann, &start).await;
    assert_eq!(refunded.summary.refunded.minor(), total);
    assert_eq!(
        event_kinds(&app.db, &id).await,
        [
            "placed", "paid", "packed", "shipped", "refunded", "refunded"
        ]
    );
    // Ann heard of each step in her notifications, newest first, each linking to the order.
    let told: NotificationPage =
        parsed(&ann.call("accounts/notifications", &[("page", "1")]).await);
    let kinds: Vec<_> = told.notifications.iter().map(|n| n.kind).collect();
    assert_eq!(
        kinds,
        [
            NotificationKind::OrderRefunded,
            NotificationKind::OrderRefunded,
            NotificationKind::OrderShipped,
            NotificationKind::OrderPaid
        ]
    );
    assert!(told.notifications[2].body.contains("3SABC1234567"));
    assert!(
        told.notifications
            .iter()
            .all(|n| n.link == format!("/orders/{id}"))
    );

    // Cancelling a paid order before it ships refunds it and puts the units back.
    add(&mut ann, &variant, "1").await;
    let second: PaymentStart = parsed(&checkout(&mut ann, "checkout/start", &[]).await);
    pay(&app, &second, "pm_card_visa").await.expect("paid");
    app.deliver_events().await;
    assert_eq!(stock(&app.db, &variant).await, (2, 0));
    let cancelled: OrderStatus = parsed(
        &admin
            .call(
                "admin/order/cancel",
                &[
                    ("order", &second.order_id.to_string()),
                    ("reason", "Customer asked by phone"),
                ],
            )
            .await,
    );
    assert_eq!(cancelled, OrderStatus::Cancelled);
    assert_eq!(stock(&app.db, &variant).await, (3, 0));
    let audit: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action LIKE 'order_%'")
            .fetch_one(&app.db)
            .await
            .expect("audit");
    assert_eq!(audit, 5);
}

/// 200 shoppers check out the last 10 units at once: exactly 10 orders get stock, all 10 are
/// paid, the shelf ends at zero, and nobody is charged for a unit that isn't there. Twice.
#[sqlx::test(migrations = "../migrations")]
async fn two_hundred_simultaneous_checkouts_sell_exactly_ten(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = shop(options).await;
    for round in 0..2_u8 {
        let variant = stocked_variant(&app, 10, 990).await;
        let mut browsers: Vec<Browser<'_>> = (0..200).map(|_| app.browser()).collect();
        // 200 shoppers, each from their own address (198.18.0.0/15: benchmark addresses).
        for (i, browser) in browsers.iter_mut().enumerate() {
            browser.from =
                std::net::Ipv4Addr::new(198, 18, round, u8::try_from(i).expect("< 256")).into();
        }
        for browser in &mut browsers {
            add(browser, &variant, "1").await;
        }
        let email = |i: usize| format!("buyer{round}-{i}@example.com");
        let emails: Vec<String> = (0..200).map(email).collect();
        let attempts = browsers
            .iter_mut()
            .zip(&emails)
            .map(|(browser, email)| async move {
                checkout(browser, "checkout/start", &[("email", email)]).await
            });
        let replies = futures::future::join_all(attempts).await;
        let started: Vec<PaymentStart> = replies
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .map(parsed)
            .collect();
        let refused = replies
            .iter()
            .filter(|r| r.status != StatusCode::OK)
            .collect::<Vec<_>>();
        assert_eq!(started.len(), 10, "round {round}");
        for reply in &refused {
            let message = refusal(reply).detail().to_lowercase();
            assert!(message.contains("sold out"), "{}", reply.body);
        }
        assert_eq!(stock(&app.db, &variant).await, (10, 10));
        for start in &started {
            pay(&app, start, "pm_card_visa").await.expect("paid");
        }
        app.deliver_events().await;
        assert_eq!(stock(&app.db, &variant).await, (0, 0), "round {round}");
        let paid: i64 = sqlx::query_scalar(
            "SELECT count(DISTINCT o.order_id) FROM orders o JOIN order_lines l USING (order_id)
             WHERE l.variant_id = $1::uuid AND o.status = 'paid'",
        )
        .bind(&variant)
        .fetch_one(&app.db)
        .await
        .expect("paid orders");
        assert_eq!(paid, 10, "round {round}");
    }
}

/// A second click, a second tab or a retry reuses the cart's pending order and its payment;
/// a changed cart replaces it; and starts are limited per cart.
#[sqlx::test(migrations = "../migrations")]
async fn starting_checkout_again_reuses_the_pending_order(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = shop(options).await;
    let variant = stocked_variant(&app, 10, 1290).await;
    let mut guest = app.browser();
    add(&mut guest, &variant, "2").await;
    let email = [("email", "twice@example.com")];
    let first: PaymentStart = parsed(&checkout(&mut guest, "checkout/start", &email).await);
    let again: PaymentStart = parsed(&checkout(&mut guest, "checkout/start", &email).await);
    assert_eq!(again.order_id, first.order_id);
    assert_eq!(again.client_secret, first.client_secret);
    assert_eq!(stock(&app.db, &variant).await, (10, 2), "held once");

    // Two tabs at the same moment: one order, one PaymentIntent.
    let mut tab = app.browser();
    tab.cookie = guest.cookie.clone();
    let (a, b) = tokio::join!(
        checkout(&mut guest, "checkout/start", &email),
        checkout(&mut tab, "checkout/start", &email)
    );
    let (a, b): (PaymentStart, PaymentStart) = (parsed(&a), parsed(&b));
    assert_eq!((a.order_id, b.order_id), (first.order_id, first.order_id));
    let orders: i64 = sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(&app.db)
        .await
        .expect("orders");
    assert_eq!(orders, 1);

    // Another quantity is another order: the first is superseded and its stock returns.
    add(&mut guest, &variant, "1").await;
    let changed: PaymentStart = parsed(&checkout(&mut guest, "checkout/start", &email).await);
    assert_ne!(changed.order_id, first.order_id);
    assert_eq!(stock(&app.db, &variant).await, (10, 3));
    let statuses: Vec<String> =
        sqlx::query_scalar("SELECT status::text FROM orders ORDER BY order_number")
            .fetch_all(&app.db)
            .await
            .expect("statuses");
    assert_eq!(statuses, ["cancelled", "pending_payment"]);

    // Starts from one cart are limited (each would hold stock and mint a PaymentIntent).
    let limit = app::ratelimit::CHECKOUT_PER_CART.max;
    let used = 5;
    for _ in used..limit {
        parsed::<PaymentStart>(&checkout(&mut guest, "checkout/start", &email).await);
    }
    common::assert_too_many(&checkout(&mut guest, "checkout/start", &email).await);
}

/// A delivery Stripe signed but we cannot read (an API version drift) is kept and answered 200,
/// so Stripe never disables the endpoint, and finance admins see it until reviewed; a forged
/// one is still refused.
#[sqlx::test(migrations = "../migrations")]
async fn signed_but_unreadable_webhooks_are_kept_for_finance(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = shop(options).await;
    let drifted = r#"{"id":"evt_new_shape","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":7}}}"#;
    let forged = app.webhook(drifted, "t=1,v1=00").await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
    for _ in 0..2 {
        let reply = app.webhook(drifted, &app.stripe.sign(drifted)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let mut admin = app.browser();
    assert!(common::ok(
        &admin.sign_in("admin@olivine.test", DEMO_PASSWORD).await
    ));
    let events: Vec<app::orders::model::UnreadableEvent> =
        parsed(&admin.call("admin/stripe/unreadable", &[]).await);
    assert_eq!(events.len(), 1, "stored once");
    assert_eq!(events[0].event_id.as_deref(), Some("evt_new_shape"));
    assert_eq!(events[0].kind.as_deref(), Some("payment_intent.succeeded"));
    let id = events[0].id.to_string();
    let reviewed = admin
        .call("admin/stripe/unreadable/review", &[("id", &id)])
        .await;
    assert_eq!(reviewed.status, StatusCode::OK, "{}", reviewed.body);
    let events: Vec<app::orders::model::UnreadableEvent> =
        parsed(&admin.call("admin/stripe/unreadable", &[]).await);
    assert!(events.is_empty());
}

/// Guessing discount codes: a cart may try only so many codes that don't exist; real codes
/// and other carts are unaffected until theirs run out.
#[sqlx::test(migrations = "../migrations")]
async fn guessing_discount_codes_is_limited(_: PgPoolOptions, options: PgConnectOptions) {
    let app = shop(options).await;
    let variant = stocked_variant(&app, 10, 1290).await;
    let mut guesser = app.browser();
    add(&mut guesser, &variant, "1").await;
    for guess in 0..app::ratelimit::UNKNOWN_CODES_PER_CART.max {
        let code = format!("GUESS{guess}");
        let reply = checkout(
            &mut guesser,
            "checkout/summary",
            &[("discount_code", &code)],
        )
        .await;
        assert!(refusal(&reply).field_message("discount_code").is_some());
    }
    common::assert_too_many(
        &checkout(
            &mut guesser,
            "checkout/summary",
            &[("discount_code", "WELCOME10")],
        )
        .await,
    );
    // Without a code the summary still works.
    parsed::<CheckoutSummary>(&checkout(&mut guesser, "checkout/summary", &[]).await);
}
