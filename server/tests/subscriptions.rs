//! Subscribe and save over HTTP against the Stripe emulator: a subscribed cart line costs the
//! subscriber price, needs an account, saves the card with the first payment and starts the
//! subscription exactly once; its customer skips, pauses, resumes, changes the interval and
//! quantity, swaps the size, moves its deliveries and cancels it, each change in its history; nobody else can touch it. Renewals,
//! with the clock moved: one order per delivery from lots that last, at the locked price and
//! then the catalog's; out of stock waits and then skips; declines are retried and then put
//! the subscription on hold; workers running together or killed midway charge nothing twice.

use app::cart::model::Cart;
use app::checkout::model::CheckoutSummary;
use app::checkout::service::SUBSCRIBING_NEEDS_AN_ACCOUNT;
use app::loyalty::model::{EntryKind, LoyaltyAccount};
use app::orders::model::PaymentStart;
use app::subscriptions::model::{
    AdminSubscription, AdminSubscriptionPage, RenewalStatus, SubscriptionEventKind,
    SubscriptionStatus, SubscriptionView, UnitsDue,
};
use axum::http::StatusCode;
use chrono::{Months, TimeDelta};
use server::seed::DEMO_PASSWORD;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

mod common;
use common::checkout::{checkout, parsed, pay, receive, refusal, stocked_variant};
use common::{App, Browser, shop};

async fn subscribe(browser: &mut Browser<'_>, variant: &str, quantity: &str, every: &str) -> Cart {
    parsed(
        &browser
            .call(
                "cart/add",
                &[
                    ("variant", variant),
                    ("quantity", quantity),
                    ("every", every),
                ],
            )
            .await,
    )
}

async fn mine(browser: &mut Browser<'_>) -> Vec<SubscriptionView> {
    parsed(&browser.call("subscriptions/mine", &[]).await)
}

#[sqlx::test(migrations = "../migrations")]
async fn a_subscription_starts_with_its_paid_order_and_its_customer_runs_it(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = shop(options).await;
    // A supplement: the demo's rule takes 10 % off supplements for subscribers.
    let variant = stocked_variant(&app, 20, 2000).await;
    let today = app.state.clock.today();

    // A guest may put a subscription in the cart but must sign in to check it out.
    let mut guest = app.browser();
    let cart = subscribe(&mut guest, &variant, "1", "1").await;
    assert_eq!(cart.lines[0].price_each().minor(), 1800);
    let refused = refusal(
        &checkout(
            &mut guest,
            "checkout/start",
            &[("email", "guest@example.com")],
        )
        .await,
    );
    assert_eq!(refused.detail(), SUBSCRIBING_NEEDS_AN_ACCOUNT);

    let mut ann = app.browser();
    assert_eq!(
        ann.sign_in("ann@olivine.test", DEMO_PASSWORD).await.status,
        StatusCode::OK
    );
    // An unknown interval is refused by field; so is subscribing to what isn't offered.
    let bad = refusal(
        &ann.call(
            "cart/add",
            &[("variant", &variant), ("quantity", "1"), ("every", "6")],
        )
        .await,
    );
    assert!(bad.field_message("every").is_some(), "{bad:?}");
    let skincare: uuid::Uuid = sqlx::query_scalar(
        "SELECT v.variant_id FROM variants v JOIN products p USING (product_id)
         JOIN categories c USING (category_id) WHERE c.kind = 'skincare' LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .expect("a skincare variant");
    let not_offered = refusal(
        &ann.call(
            "cart/add",
            &[
                ("variant", &skincare.to_string()),
                ("quantity", "1"),
                ("every", "1"),
            ],
        )
        .await,
    );
    assert!(
        not_offered.field_message("every").is_some(),
        "{not_offered:?}"
    );

    let cart = subscribe(&mut ann, &variant, "2", "1").await;
    assert_eq!(cart.lines.len(), 1, "the refused line was not added");
    assert!(cart.subscribes());
    assert_eq!(cart.subtotal().expect("sum"), cart.lines[0].total().ok());
    let summary: CheckoutSummary = parsed(&checkout(&mut ann, "checkout/summary", &[]).await);
    assert_eq!(summary.quote.subtotal.minor(), 2 * 1800);
    assert_eq!(
        summary.subscriptions.len(),
        1,
        "{:?}",
        summary.subscriptions
    );
    assert!(summary.subscriptions[0].ends_with("× 2, delivered every month"));

    let start: PaymentStart = parsed(&checkout(&mut ann, "checkout/start", &[]).await);
    assert_eq!(start.total.minor(), summary.quote.total.minor());
    assert!(
        mine(&mut ann).await.is_empty(),
        "nothing starts before payment"
    );
    let intent = pay(&app, &start, "pm_card_visa").await.expect("paid");
    let customer = intent.customer.clone().expect("paid as a Stripe customer");
    app.deliver_events().await;
    // Replayed payment events start nothing twice.
    for event in app.stripe.events() {
        app.webhook(&event.payload, &app.stripe.sign(&event.payload))
            .await;
    }

    let subscriptions = mine(&mut ann).await;
    assert_eq!(subscriptions.len(), 1);
    let s = &subscriptions[0];
    let first_renewal = today.checked_add_months(Months::new(1)).expect("date");
    assert_eq!(s.schedule.status, SubscriptionStatus::Active);
    assert_eq!(s.schedule.quantity, 2);
    assert_eq!(s.schedule.next_renewal_on, first_renewal);
    assert_eq!(s.next_unit_price.minor(), 1800);
    assert!(s.price_locked);
    assert_eq!(s.next_items.minor(), 3600);
    let total = s.next_total.expect("priced as at checkout");
    let shipping = s.next_shipping.expect("shipping");
    assert_eq!(total.minor(), 3600 + shipping.minor());
    // The card the first order was paid with is saved on the customer, for the renewals.
    let (saved_method, saved_customer): (String, String) = sqlx::query_as(
        "SELECT payment_method, stripe_customer FROM subscriptions WHERE subscription_id = $1",
    )
    .bind(s.id.0)
    .fetch_one(&app.db)
    .await
    .expect("subscription row");
    assert_eq!(saved_customer, customer);
    let cards = app
        .state
        .payments
        .saved_cards(&customer)
        .await
        .expect("cards");
    assert!(
        cards.iter().any(|c| c.id == saved_method),
        "{cards:?} / {saved_method}"
    );
    let id = s.id.to_string();

    // Someone else's subscription is not found, whatever they try.
    let mut ben = app.browser();
    ben.sign_in("ben@olivine.test", DEMO_PASSWORD).await;
    assert!(mine(&mut ben).await.is_empty());
    let hidden = ben.call("subscriptions/skip", &[("id", &id)]).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.body);
    // Nobody signed in: 401.
    let anonymous = app
        .browser()
        .call("subscriptions/skip", &[("id", &id)])
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    // Skip the next delivery: the one after it comes instead.
    let skipped: SubscriptionView = parsed(&ann.call("subscriptions/skip", &[("id", &id)]).await);
    let second = first_renewal
        .checked_add_months(Months::new(1))
        .expect("date");
    assert_eq!(skipped.schedule.next_renewal_on, second);

    // Pause to a date past it: nothing comes until then; a date in the past is refused.
    let too_soon = refusal(
        &ann.call(
            "subscriptions/pause",
            &[("id", &id), ("until", &today.to_string())],
        )
        .await,
    );
    assert!(too_soon.field_message("until").is_some(), "{too_soon:?}");
    let until = today + TimeDelta::days(70);
    let paused: SubscriptionView = parsed(
        &ann.call(
            "subscriptions/pause",
            &[("id", &id), ("until", &until.to_string())],
        )
        .await,
    );
    assert_eq!(paused.schedule.status, SubscriptionStatus::Paused);
    assert_eq!(paused.schedule.next_renewal_on, second.max(until));
    let refused_skip = refusal(&ann.call("subscriptions/skip", &[("id", &id)]).await);
    assert!(refused_skip.detail().contains("paused"), "{refused_skip:?}");
    let resumed: SubscriptionView = parsed(&ann.call("subscriptions/resume", &[("id", &id)]).await);
    assert_eq!(resumed.schedule.status, SubscriptionStatus::Active);
    assert_eq!(resumed.schedule.paused_until, None);

    let every: SubscriptionView = parsed(
        &ann.call("subscriptions/every", &[("id", &id), ("every", "2")])
            .await,
    );
    assert_eq!(every.schedule.every.months(), 2);
    let more: SubscriptionView = parsed(
        &ann.call("subscriptions/quantity", &[("id", &id), ("quantity", "3")])
            .await,
    );
    assert_eq!(more.schedule.quantity, 3);
    assert_eq!(more.next_items.minor(), 3 * 1800);

    // Cancelling needs a reason; "another reason" needs the words.
    let wordless = refusal(
        &ann.call(
            "subscriptions/cancel",
            &[("id", &id), ("reason", "other"), ("details", " ")],
        )
        .await,
    );
    assert!(wordless.field_message("details").is_some(), "{wordless:?}");
    let cancelled: SubscriptionView = parsed(
        &ann.call(
            "subscriptions/cancel",
            &[("id", &id), ("reason", "too_much"), ("details", "")],
        )
        .await,
    );
    assert_eq!(cancelled.schedule.status, SubscriptionStatus::Cancelled);
    assert_eq!(
        cancelled.cancel_reason.as_deref(),
        Some("I have too much at home")
    );
    let after = refusal(&ann.call("subscriptions/resume", &[("id", &id)]).await);
    assert!(after.detail().contains("cancelled"), "{after:?}");

    // Every change is in the history, in order, and nothing else.
    let kinds: Vec<SubscriptionEventKind> = cancelled.history.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            SubscriptionEventKind::Started,
            SubscriptionEventKind::Skipped,
            SubscriptionEventKind::Paused,
            SubscriptionEventKind::Resumed,
            SubscriptionEventKind::IntervalChanged,
            SubscriptionEventKind::QuantityChanged,
            SubscriptionEventKind::Cancelled,
        ]
    );
}

/// Sign in as `email`, subscribe to `quantity` of `variant` every month and pay with Visa.
/// Returns the browser and the subscription.
async fn subscribed<'a>(
    app: &'a App,
    email: &str,
    variant: &str,
    quantity: &str,
) -> (Browser<'a>, SubscriptionView) {
    let mut browser = app.browser();
    assert_eq!(
        browser.sign_in(email, DEMO_PASSWORD).await.status,
        StatusCode::OK
    );
    subscribe(&mut browser, variant, quantity, "1").await;
    let start: PaymentStart = parsed(&checkout(&mut browser, "checkout/start", &[]).await);
    pay(app, &start, "pm_card_visa").await.expect("paid");
    app.deliver_events().await;
    let mut mine = mine(&mut browser).await;
    assert_eq!(mine.len(), 1);
    (browser, mine.remove(0))
}

#[sqlx::test(migrations = "../migrations")]
async fn a_customer_swaps_the_size_and_moves_deliveries_and_the_next_renewal_follows(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = shop(options).await;
    // Two sizes of the same supplement: 20.00 and 30.00, 10 % off for subscribers.
    let small = stocked_variant(&app, 20, 2000).await;
    let large = stocked_variant(&app, 20, 3000).await;
    let (mut ann, s) = subscribed(&app, "ann@olivine.test", &small, "1").await;
    let id = s.id.to_string();
    let offered = s
        .sizes
        .iter()
        .find(|o| o.variant.to_string() == large)
        .expect("the other size is offered");
    assert_eq!(offered.unit_price.minor(), 2700);
    assert!(s.sizes.iter().all(|o| o.variant.to_string() != small));

    // The size it already is, another product's variant, or someone else's subscription: no.
    let same = refusal(
        &ann.call("subscriptions/size", &[("id", &id), ("variant", &small)])
            .await,
    );
    assert!(same.field_message("variant").is_some(), "{same:?}");
    let elsewhere: uuid::Uuid = sqlx::query_scalar(
        "SELECT v.variant_id FROM variants v
         WHERE v.product_id <> (SELECT product_id FROM variants WHERE variant_id = $1::uuid)
         LIMIT 1",
    )
    .bind(&small)
    .fetch_one(&app.db)
    .await
    .expect("another product's variant");
    let other = refusal(
        &ann.call(
            "subscriptions/size",
            &[("id", &id), ("variant", &elsewhere.to_string())],
        )
        .await,
    );
    assert!(other.field_message("variant").is_some(), "{other:?}");
    let mut ben = app.browser();
    ben.sign_in("ben@olivine.test", DEMO_PASSWORD).await;
    let hidden = ben
        .call("subscriptions/size", &[("id", &id), ("variant", &large)])
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.body);

    let swapped: SubscriptionView = parsed(
        &ann.call("subscriptions/size", &[("id", &id), ("variant", &large)])
            .await,
    );
    assert_eq!(swapped.variant_id.to_string(), large);
    assert_eq!(swapped.next_unit_price.minor(), 2700);
    assert!(swapped.price_locked);
    assert!(swapped.sizes.iter().any(|o| o.variant.to_string() == small));
    let last = swapped.history.last().expect("history");
    assert_eq!(last.kind, SubscriptionEventKind::VariantSwapped);
    assert!(last.detail.contains("€27.00"), "{}", last.detail);

    // A bad postal code is refused by its field, and nothing changes.
    let moving = |postal: &'static str| {
        [
            ("address[name]", "Ann de Vries"),
            ("address[line1]", "Oudegracht 5"),
            ("address[line2]", ""),
            ("address[postal_code]", postal),
            ("address[city]", "Utrecht"),
            ("address[country]", "NL"),
        ]
    };
    let mut pairs = vec![("id", id.as_str())];
    pairs.extend(moving("12345"));
    let bad = refusal(&ann.call("subscriptions/address", &pairs).await);
    assert!(
        bad.field_message("address[postal_code]").is_some(),
        "{bad:?}"
    );
    assert_eq!(mine(&mut ann).await[0].address.city, "Amsterdam");
    let mut pairs = vec![("id", id.as_str())];
    pairs.extend(moving("3511 ab"));
    let moved: SubscriptionView = parsed(&ann.call("subscriptions/address", &pairs).await);
    assert_eq!(moved.address.city, "Utrecht");
    assert_eq!(moved.address.postal_code, "3511 AB");
    assert_eq!(
        moved.history.last().map(|e| e.kind),
        Some(SubscriptionEventKind::AddressChanged)
    );
    // Sealed at rest: neither the row nor its history holds the street or the city.
    let rows: String = sqlx::query_scalar(
        "SELECT string_agg(to_jsonb(s)::text || encode(s.ship_to_sealed, 'escape'), ' ')
                || (SELECT string_agg(detail, ' ') FROM subscription_events)
           FROM subscriptions s",
    )
    .fetch_one(&app.db)
    .await
    .expect("subscriptions");
    // The postal code whole: its digits alone turn up in any hex of random bytes.
    for clear in [
        "Utrecht",
        "3511 AB",
        "3511 ab",
        "3511AB",
        "Amsterdam",
        "Keizersgracht",
    ] {
        assert!(!rows.contains(clear), "{clear} in the clear: {rows}");
    }
    // The same address again changes nothing.
    let again = refusal(&ann.call("subscriptions/address", &pairs).await);
    assert!(again.detail().contains("already"), "{again:?}");

    // The next renewal ships the new size to the new address at its price.
    days_later(
        &app,
        (s.schedule.next_renewal_on - app.state.clock.today()).num_days(),
    );
    renewal_pass(&app).await;
    let (order, variant, unit, buyer): (uuid::Uuid, uuid::Uuid, i64, app::vault::Sealed) =
        sqlx::query_as(
            "SELECT o.order_id, l.variant_id, l.unit_price_minor,
                    sealed_by(COALESCE(o.user_id, o.order_id), o.buyer_sealed)
             FROM orders o JOIN order_lines l USING (order_id)
             WHERE o.subscription_id = $1 AND o.status = 'paid'",
        )
        .bind(s.id.0)
        .fetch_one(&app.db)
        .await
        .expect("the renewal order");
    let city = app::orders::repo::reveal_buyer(&app.state.vault, app::ids::OrderId(order), &buyer)
        .expect("the buyer opens")
        .ship_to
        .city;
    assert_eq!(variant.to_string(), large);
    assert_eq!(unit, 2700);
    assert_eq!(city, "Utrecht");

    // A cancelled subscription changes no more.
    ann.call(
        "subscriptions/cancel",
        &[("id", &id), ("reason", "too_much")],
    )
    .await;
    let late = refusal(
        &ann.call("subscriptions/size", &[("id", &id), ("variant", &small)])
            .await,
    );
    assert!(late.detail().contains("cancelled"), "{late:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_back_office_lists_subscriptions_plans_their_stock_and_retries_a_waiting_delivery(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = shop(options).await;
    // Exactly the two units the first order takes: the renewal will wait for stock.
    let variant = stocked_variant(&app, 2, 2000).await;
    let (_ann, s) = subscribed(&app, "ann@olivine.test", &variant, "2").await;
    let id = s.id.to_string();
    let due = s.schedule.next_renewal_on;
    days_later(&app, (due - app.state.clock.today()).num_days());
    renewal_pass(&app).await;
    assert!(renewal_orders(&app, s.id.0).await.is_empty());

    let mut admin = app.browser();
    admin.sign_in("admin@olivine.test", DEMO_PASSWORD).await;
    let list = |status: &'static str, due_by: String, email: &'static str| {
        vec![
            ("status", status.to_owned()),
            ("due_by", due_by),
            ("email", email.to_owned()),
            ("page", "1".to_owned()),
        ]
    };
    let listed = async |admin: &mut Browser<'_>, pairs: Vec<(&str, String)>| {
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        parsed::<AdminSubscriptionPage>(&admin.call("admin/subscriptions", &pairs).await)
    };
    let found = listed(
        &mut admin,
        list("active", due.to_string(), "ANN@olivine.test"),
    )
    .await;
    assert_eq!(found.total, 1);
    assert_eq!(found.rows[0].id, s.id);
    assert_eq!(found.rows[0].renewal, Some(RenewalStatus::WaitingStock));
    let yesterday = due - TimeDelta::days(1);
    for pairs in [
        list("payment_needed", String::new(), ""),
        list("", yesterday.to_string(), ""),
        list("", String::new(), "ben@olivine.test"),
        list("", String::new(), "ann@"),
    ] {
        assert_eq!(listed(&mut admin, pairs).await.total, 0);
    }
    let bad = refusal(
        &admin
            .call(
                "admin/subscriptions",
                &[
                    ("status", "lost"),
                    ("due_by", ""),
                    ("email", ""),
                    ("page", "1"),
                ],
            )
            .await,
    );
    assert!(bad.field_message("status").is_some(), "{bad:?}");

    // The next 7 days need 2 units of it, and no lot that lasts can give them.
    let units = async |admin: &mut Browser<'_>| {
        let all: Vec<UnitsDue> = parsed(&admin.call("admin/subscriptions/units-due", &[]).await);
        all.into_iter()
            .find(|u| u.sku == s.sku)
            .map(|u| (u.deliveries, u.units, u.supply))
    };
    assert_eq!(units(&mut admin).await, Some((1, 2, 0)));
    receive(&app, &variant, "FRESH", 5, 400).await;
    assert_eq!(units(&mut admin).await, Some((1, 2, 5)));

    // Support tries the waiting delivery again: it is ordered and paid at once, once.
    let detail: AdminSubscription = parsed(&admin.call("admin/subscription", &[("id", &id)]).await);
    assert!(detail.can_retry);
    assert_eq!(detail.renewals[0].status, RenewalStatus::WaitingStock);
    let retried: AdminSubscription =
        parsed(&admin.call("admin/subscription/retry", &[("id", &id)]).await);
    app.deliver_events().await;
    assert!(!retried.can_retry);
    assert_eq!(retried.renewals[0].status, RenewalStatus::Paid);
    assert!(retried.renewals[0].order.is_some());
    let orders = renewal_orders(&app, s.id.0).await;
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert_eq!(orders[0].0, "paid");
    let kinds: Vec<_> = retried
        .subscription
        .history
        .iter()
        .map(|e| e.kind)
        .collect();
    assert!(
        kinds.contains(&SubscriptionEventKind::RetryOrdered),
        "{kinds:?}"
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'subscription_retried' AND subject_id = $1",
    )
    .bind(s.id.0)
    .fetch_one(&app.db)
    .await
    .expect("audit");
    assert_eq!(audited, 1);
    let again = refusal(&admin.call("admin/subscription/retry", &[("id", &id)]).await);
    assert!(again.detail().contains("nothing to try again"), "{again:?}");
    assert_eq!(units(&mut admin).await, None);
}

/// One pass of the renewal job, then the webhooks it caused.
async fn renewal_pass(app: &App) {
    let job = server::jobs::shop::Renewals::new(app.state.clone());
    server::jobs::pass(&app.db, &job)
        .await
        .expect("renewal pass");
    app.deliver_events().await;
}

/// Move the app's clock to `days` after today.
fn days_later(app: &App, days: i64) {
    app.state.clock.set_offset(TimeDelta::days(days));
}

/// The subscription's renewal orders: (status, unit price, quantity, due on), by due date.
async fn renewal_orders(app: &App, id: uuid::Uuid) -> Vec<(String, i64, i32, chrono::NaiveDate)> {
    sqlx::query_as(
        "SELECT o.status::text, l.unit_price_minor, l.quantity, o.renewal_due_on
         FROM orders o JOIN order_lines l USING (order_id)
         WHERE o.subscription_id = $1 ORDER BY o.renewal_due_on, o.placed_at",
    )
    .bind(id)
    .fetch_all(&app.db)
    .await
    .expect("renewal orders")
}

/// Successful charges Stripe made for `customer`.
async fn charges_of(app: &App, customer: &str) -> usize {
    app.state
        .payments
        .intents_since(0)
        .await
        .expect("intents")
        .iter()
        .filter(|i| {
            i.customer.as_deref() == Some(customer) && i.status == payments::IntentStatus::Succeeded
        })
        .count()
}

async fn customer_of(app: &App, id: uuid::Uuid) -> String {
    sqlx::query_scalar("SELECT stripe_customer FROM subscriptions WHERE subscription_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .expect("customer")
}

async fn history(browser: &mut Browser<'_>) -> Vec<SubscriptionEventKind> {
    mine(browser).await[0]
        .history
        .iter()
        .map(|e| e.kind)
        .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn renewals_ship_lasting_lots_at_the_locked_price_then_the_catalog_price_once_each(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = shop(options).await;
    let variant = stocked_variant(&app, 40, 2000).await;
    // A lot that sells today but would not last a month past the next delivery.
    receive(&app, &variant, "SHORT", 10, 80).await;
    let (mut ann, s) = subscribed(&app, "ann@olivine.test", &variant, "2").await;
    let id = s.id.0;
    let customer = customer_of(&app, id).await;
    assert_eq!(charges_of(&app, &customer).await, 1);
    // The catalog price goes up after sign-up: 2400, 2160 for subscribers.
    sqlx::query("UPDATE variants SET price_minor = 2400 WHERE variant_id = $1::uuid")
        .bind(&variant)
        .execute(&app.db)
        .await
        .expect("price");

    // Nothing is due yet.
    renewal_pass(&app).await;
    assert!(renewal_orders(&app, id).await.is_empty());

    let today = app.state.clock.today();
    let mut due = s.schedule.next_renewal_on;
    for renewal in 1..=4 {
        days_later(&app, (due - today).num_days());
        // Two workers at once, then a third pass: one order per delivery.
        let (a, b) = tokio::join!(
            app::subscriptions::renewals::renew(&app.state, s.id),
            app::subscriptions::renewals::renew(&app.state, s.id)
        );
        a.expect("renew");
        b.expect("renew");
        renewal_pass(&app).await;
        let orders = renewal_orders(&app, id).await;
        assert_eq!(orders.len(), renewal, "{orders:?}");
        let (status, unit, quantity, due_on) = orders.last().cloned().expect("an order");
        assert_eq!(status, "paid");
        assert_eq!(quantity, 2);
        assert_eq!(due_on, due);
        // The sign-up price for three renewals, then the catalog's less 10 %.
        assert_eq!(
            unit,
            if renewal <= 3 { 1800 } else { 2160 },
            "renewal {renewal}"
        );
        assert_eq!(charges_of(&app, &customer).await, 1 + renewal);
        let now = &mine(&mut ann).await[0];
        due = due.checked_add_months(Months::new(1)).expect("date");
        assert_eq!(now.schedule.next_renewal_on, due);
        assert_eq!(now.schedule.renewals_done, u32::try_from(renewal).unwrap());
    }
    // The first order took the short lot first (first expiry, first out); no renewal touched
    // it: each shipped from the lot that lasts.
    let short_left: i32 = sqlx::query_scalar(
        "SELECT on_hand FROM lots WHERE variant_id = $1::uuid AND batch_number = 'SHORT'",
    )
    .bind(&variant)
    .fetch_one(&app.db)
    .await
    .expect("short lot");
    assert_eq!(short_left, 8);
    let kinds = history(&mut ann).await;
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == SubscriptionEventKind::Renewed)
            .count(),
        4
    );
    // The third renewal earned its milestone, once; each paid order earned per euro.
    let points: LoyaltyAccount = parsed(&ann.call("loyalty/mine", &[("page", "1")]).await);
    let milestones: Vec<(Option<i32>, i64)> = points
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Renewal)
        .map(|e| (e.renewal_number, e.points))
        .collect();
    assert_eq!(milestones, [(Some(3), 100)]);
    assert_eq!(
        points
            .entries
            .iter()
            .filter(|e| e.kind == EntryKind::Purchase)
            .count(),
        5
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn out_of_stock_waits_a_week_then_skips_the_delivery(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = shop(options).await;
    let variant = stocked_variant(&app, 3, 2000).await;
    let (mut ann, s) = subscribed(&app, "ann@olivine.test", &variant, "2").await;
    // Someone buys the last unit.
    sqlx::query("UPDATE lots SET on_hand = reserved WHERE variant_id = $1::uuid")
        .bind(&variant)
        .execute(&app.db)
        .await
        .expect("sold out");
    let due = s.schedule.next_renewal_on;
    let today = app.state.clock.today();
    let from_due = |days: i64| (due - today).num_days() + days;

    days_later(&app, from_due(0));
    renewal_pass(&app).await;
    assert!(renewal_orders(&app, s.id.0).await.is_empty());
    assert_eq!(
        history(&mut ann).await.last(),
        Some(&SubscriptionEventKind::WaitingForStock)
    );
    let waiting: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notifications n
         WHERE n.user_id = $1 AND n.kind = 'renewal_waiting'",
    )
    .bind(common::user(&app.db, "ann@olivine.test").await.0)
    .fetch_one(&app.db)
    .await
    .expect("notices");
    assert_eq!(waiting, 1);

    // The next days: still waiting, told once.
    for day in 1..7 {
        days_later(&app, from_due(day));
        renewal_pass(&app).await;
    }
    let kinds = history(&mut ann).await;
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == SubscriptionEventKind::WaitingForStock)
            .count(),
        1
    );
    assert_eq!(mine(&mut ann).await[0].schedule.next_renewal_on, due);

    // A week: the delivery is skipped, nothing charged, the next one comes a month later.
    days_later(&app, from_due(7));
    renewal_pass(&app).await;
    let now = &mine(&mut ann).await[0];
    assert_eq!(
        now.schedule.next_renewal_on,
        due.checked_add_months(Months::new(1)).expect("date")
    );
    assert_eq!(now.schedule.renewals_done, 0);
    assert_eq!(
        now.history.last().map(|e| e.kind),
        Some(SubscriptionEventKind::SkippedOutOfStock)
    );
    assert!(renewal_orders(&app, s.id.0).await.is_empty());
    let customer = customer_of(&app, s.id.0).await;
    assert_eq!(charges_of(&app, &customer).await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_declined_renewal_is_retried_after_one_three_and_five_days_then_waits_for_a_card(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = shop(options).await;
    let variant = stocked_variant(&app, 20, 2000).await;
    let (mut ann, s) = subscribed(&app, "ann@olivine.test", &variant, "1").await;
    let customer = customer_of(&app, s.id.0).await;
    // The card on file now declines every payment (saved through a SetupIntent).
    let setup = app
        .state
        .payments
        .create_setup(&format!("test-setup-{}", s.id), &customer)
        .await
        .expect("setup");
    let saved = app
        .state
        .payments
        .confirm_setup(&setup.id, "pm_card_chargeCustomerFail")
        .await
        .expect("saved");
    sqlx::query("UPDATE subscriptions SET payment_method = $2 WHERE subscription_id = $1")
        .bind(s.id.0)
        .bind(saved.payment_method.expect("a card"))
        .execute(&app.db)
        .await
        .expect("card");
    let start_stock = common::checkout::stock(&app.db, &variant).await;
    let due = s.schedule.next_renewal_on;
    let today = app.state.clock.today();
    let from_due = |days: i64| (due - today).num_days() + days;

    // Due day, then the retries: each attempt is its own order, cancelled when declined, its
    // stock back on the shelf.
    for (attempt, day) in [(1, 0), (2, 1), (3, 3), (4, 5)] {
        // The day before a retry nothing happens.
        if day > 0 {
            days_later(&app, from_due(day - 1));
            renewal_pass(&app).await;
            assert_eq!(renewal_orders(&app, s.id.0).await.len(), attempt - 1);
        }
        days_later(&app, from_due(day));
        renewal_pass(&app).await;
        let orders = renewal_orders(&app, s.id.0).await;
        assert_eq!(orders.len(), attempt, "{orders:?}");
        assert!(orders.iter().all(|o| o.0 == "cancelled"), "{orders:?}");
        assert_eq!(
            common::checkout::stock(&app.db, &variant).await,
            start_stock,
            "a declined renewal holds no stock"
        );
    }
    let now = &mine(&mut ann).await[0];
    assert_eq!(now.schedule.status, SubscriptionStatus::PaymentNeeded);
    let kinds: Vec<_> = now.history.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == SubscriptionEventKind::PaymentFailed)
            .count(),
        3
    );
    assert_eq!(kinds.last(), Some(&SubscriptionEventKind::PaymentNeeded));
    let notices: Vec<String> = sqlx::query_scalar(
        "SELECT n.kind::text FROM notifications n
         WHERE n.user_id = $1 AND n.kind::text LIKE '%payment%'
         ORDER BY n.created_at",
    )
    .bind(common::user(&app.db, "ann@olivine.test").await.0)
    .fetch_all(&app.db)
    .await
    .expect("notices");
    assert_eq!(
        notices,
        [
            "renewal_payment_failed",
            "renewal_payment_failed",
            "renewal_payment_failed",
            "subscription_payment_needed"
        ]
    );
    // On hold: later passes do nothing.
    days_later(&app, from_due(6));
    renewal_pass(&app).await;
    assert_eq!(renewal_orders(&app, s.id.0).await.len(), 4);
    assert_eq!(charges_of(&app, &customer).await, 1);

    // A new card (saved with Stripe's form: a SetupIntent the browser confirms) puts the
    // subscription back on its feet and the waiting delivery is ordered at once.
    let id = s.id.to_string();
    let setup: app::ui::CardSetup =
        parsed(&ann.call("subscriptions/card-setup", &[("id", &id)]).await);
    let setup_id = setup
        .client_secret
        .split("_secret_")
        .next()
        .expect("setup id")
        .to_owned();
    let mut ben = app.browser();
    ben.sign_in("ben@olivine.test", DEMO_PASSWORD).await;
    let hidden = ben.call("subscriptions/card-setup", &[("id", &id)]).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.body);
    // Not confirmed yet: refused, nothing changes.
    let early = refusal(
        &ann.call(
            "subscriptions/card-saved",
            &[("id", &id), ("setup", &setup_id)],
        )
        .await,
    );
    assert!(
        early.detail().starts_with("The card wasn't saved"),
        "{early:?}"
    );
    app.state
        .payments
        .confirm_setup(&setup_id, "pm_card_visa")
        .await
        .expect("confirmed");
    let stolen = ben
        .call(
            "subscriptions/card-saved",
            &[("id", &id), ("setup", &setup_id)],
        )
        .await;
    assert_eq!(stolen.status, StatusCode::NOT_FOUND, "{}", stolen.body);
    let updated: SubscriptionView = parsed(
        &ann.call(
            "subscriptions/card-saved",
            &[("id", &id), ("setup", &setup_id)],
        )
        .await,
    );
    assert_eq!(updated.schedule.status, SubscriptionStatus::Active);
    assert_eq!(
        updated.history.last().map(|e| e.kind),
        Some(SubscriptionEventKind::CardUpdated)
    );
    // Recording it again changes nothing.
    let again: SubscriptionView = parsed(
        &ann.call(
            "subscriptions/card-saved",
            &[("id", &id), ("setup", &setup_id)],
        )
        .await,
    );
    assert_eq!(again.history.len(), updated.history.len());
    renewal_pass(&app).await;
    let orders = renewal_orders(&app, s.id.0).await;
    assert_eq!(orders.len(), 5, "{orders:?}");
    assert_eq!(orders[4].0, "paid");
    assert_eq!(orders[4].3, due);
    assert_eq!(charges_of(&app, &customer).await, 2);
    let now = &mine(&mut ann).await[0];
    assert_eq!(
        now.schedule.next_renewal_on,
        due.checked_add_months(Months::new(1)).expect("date")
    );
}

/// Successful renewal charges Stripe made, by subscription.
async fn renewal_charges(app: &App) -> std::collections::BTreeMap<String, usize> {
    let mut by_subscription = std::collections::BTreeMap::new();
    for intent in app.state.payments.intents_since(0).await.expect("intents") {
        if intent.status == payments::IntentStatus::Succeeded
            && let Some(id) = intent.metadata.get("subscription_id")
        {
            *by_subscription.entry(id.clone()).or_insert(0) += 1;
        }
    }
    by_subscription
}

/// Deliveries booked paid (renewal rows), of every subscription.
async fn paid_renewals(app: &App) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM subscription_renewals WHERE status = 'paid'")
        .fetch_one(&app.db)
        .await
        .expect("renewals")
}

/// Waits (at most `limit`) until `done` holds, checking every 20 ms.
async fn until(limit: std::time::Duration, what: &str, mut done: impl AsyncFnMut() -> bool) {
    let started = std::time::Instant::now();
    while !done().await {
        assert!(started.elapsed() < limit, "waited {limit:?} for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The real server's renewal job, killed with SIGKILL while Stripe's answers to its charges
/// are on their way (the emulator makes each charge, then holds its answer back) and again
/// once it has booked some of them, then started again: every delivery is charged once,
/// ordered once, holds its stock once, and moves its subscription on once.
#[sqlx::test(migrations = "../migrations")]
async fn the_renewal_job_killed_twice_mid_batch_charges_and_orders_each_delivery_once(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    const SHOPPERS: [&str; 4] = [
        "ann@olivine.test",
        "ben@olivine.test",
        "mia@olivine.test",
        "leo@olivine.test",
    ];
    let app = shop(options).await;
    let variant = stocked_variant(&app, 40, 2000).await;
    let mut subscriptions = Vec::new();
    for shopper in SHOPPERS {
        subscriptions.push(subscribed(&app, shopper, &variant, "1").await.1);
    }
    // The server runs on the real clock: every delivery is due today.
    let today = app.state.clock.today();
    sqlx::query("UPDATE subscriptions SET next_renewal_on = $1")
        .bind(today)
        .execute(&app.db)
        .await
        .expect("due today");
    app.stripe
        .delay_charges(std::time::Duration::from_millis(1_500));
    let base = app.stripe.base_url();
    let env = common::process::emulator_env(&base);
    let wait = std::time::Duration::from_secs(120);

    // Killed while the answers to its first charges are held back: charged, nothing booked.
    let server = common::process::Olivine::start_with(&app.db, &env).await;
    until(wait, "a renewal charge", async || {
        !renewal_charges(&app).await.is_empty()
    })
    .await;
    server.kill();
    assert_eq!(paid_renewals(&app).await, 0);
    assert!(renewal_charges(&app).await.values().all(|n| *n == 1));

    // Started again, it charges again under the same keys (Stripe answers with the same
    // charges) and is killed as soon as it has booked one.
    let server = common::process::Olivine::start_with(&app.db, &env).await;
    until(wait, "a booked renewal", async || {
        paid_renewals(&app).await > 0
    })
    .await;
    server.kill();

    app.stripe.delay_charges(std::time::Duration::ZERO);
    let server = common::process::Olivine::start_with(&app.db, &env).await;
    until(wait, "every renewal booked", async || {
        paid_renewals(&app).await == 4
    })
    .await;
    server.kill();

    let charges = renewal_charges(&app).await;
    assert_eq!(charges.len(), 4, "{charges:?}");
    assert!(charges.values().all(|n| *n == 1), "{charges:?}");
    let next = today.checked_add_months(Months::new(1)).expect("date");
    for s in &subscriptions {
        let orders = renewal_orders(&app, s.id.0).await;
        let live: Vec<_> = orders.iter().filter(|o| o.0 != "cancelled").collect();
        assert_eq!(live.len(), 1, "{orders:?}");
        assert_eq!(live[0].0, "paid");
        let (renewals_done, next_renewal_on): (i32, chrono::NaiveDate) = sqlx::query_as(
            "SELECT renewals_done, next_renewal_on FROM subscriptions WHERE subscription_id = $1",
        )
        .bind(s.id.0)
        .fetch_one(&app.db)
        .await
        .expect("subscription");
        assert_eq!((renewals_done, next_renewal_on), (1, next));
    }
    // Each paid delivery took one unit; nothing else holds or took any.
    let allocated: i64 = sqlx::query_scalar(
        "SELECT COALESCE(sum(a.quantity), 0) FROM order_allocations a
         JOIN orders o USING (order_id) WHERE o.subscription_id IS NOT NULL",
    )
    .fetch_one(&app.db)
    .await
    .expect("allocations");
    assert_eq!(allocated, 4);
    let (on_hand, reserved): (i64, i64) = sqlx::query_as(
        "SELECT sum(on_hand)::bigint, sum(reserved)::bigint FROM lots WHERE variant_id = $1::uuid",
    )
    .bind(&variant)
    .fetch_one(&app.db)
    .await
    .expect("lots");
    assert_eq!((on_hand, reserved), (40 - 4 - 4, 0));
}

/// The customer's renewal reminders: (body, link), oldest first.
async fn reminders(app: &App, email: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT n.body, n.link FROM notifications n
         WHERE n.user_id = $1 AND n.kind = 'renewal_reminder' ORDER BY n.created_at",
    )
    .bind(common::user(&app.db, email).await.0)
    .fetch_all(&app.db)
    .await
    .expect("reminders")
}

async fn reminder_pass(app: &App) {
    let job = server::jobs::shop::RenewalReminders::new(app.state.clone());
    server::jobs::pass(&app.db, &job)
        .await
        .expect("reminder pass");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_reminder_comes_once_three_days_before_says_the_price_and_skips_that_delivery_only(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    const ANN: &str = "ann@olivine.test";
    let app = shop(options).await;
    let variant = stocked_variant(&app, 40, 2000).await;
    let (mut ann, s) = subscribed(&app, ANN, &variant, "1").await;
    let id = s.id.to_string();
    let today = app.state.clock.today();
    let due = s.schedule.next_renewal_on;

    // Four days before: nothing yet. Three days before: one reminder, however many passes.
    days_later(&app, (due - today).num_days() - 4);
    reminder_pass(&app).await;
    assert!(reminders(&app, ANN).await.is_empty());
    days_later(&app, (due - today).num_days() - 3);
    reminder_pass(&app).await;
    reminder_pass(&app).await;
    let sent = reminders(&app, ANN).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let (body, link) = &sent[0];
    let total = mine(&mut ann).await[0].next_total.expect("priced");
    assert!(
        body.contains(&format!("{total}, charged to your saved card")),
        "{body}"
    );
    assert!(!body.contains("price changes"), "{body}");
    assert_eq!(link, &format!("/account/subscriptions?skip={id}&due={due}"));

    // The link's skip moves past that delivery only; clicked again it skips nothing more.
    let skipped: SubscriptionView = parsed(
        &ann.call(
            "subscriptions/skip",
            &[("id", &id), ("due", &due.to_string())],
        )
        .await,
    );
    let next = due.checked_add_months(Months::new(1)).expect("date");
    assert_eq!(skipped.schedule.next_renewal_on, next);
    let again = refusal(
        &ann.call(
            "subscriptions/skip",
            &[("id", &id), ("due", &due.to_string())],
        )
        .await,
    );
    assert!(
        again.detail().contains("no longer the next one"),
        "{again:?}"
    );
    assert_eq!(mine(&mut ann).await[0].schedule.next_renewal_on, next);

    // Past the price lock the catalog's price applies: the reminder says so before it does.
    sqlx::query("UPDATE subscriptions SET renewals_done = 3 WHERE subscription_id = $1")
        .bind(s.id.0)
        .execute(&app.db)
        .await
        .expect("three renewals");
    sqlx::query("UPDATE variants SET price_minor = 2400 WHERE variant_id = $1::uuid")
        .bind(&variant)
        .execute(&app.db)
        .await
        .expect("price");
    days_later(&app, (next - today).num_days() - 3);
    reminder_pass(&app).await;
    let sent = reminders(&app, ANN).await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        sent[1]
            .0
            .contains("The price changes from €18.00 to €21.60 each"),
        "{}",
        sent[1].0
    );
    assert!(sent[1].1.ends_with(&format!("due={next}")));

    // A pause that ends on a delivery's day doesn't stop its reminder.
    let until = next + TimeDelta::days(5);
    let paused: SubscriptionView = parsed(
        &ann.call(
            "subscriptions/pause",
            &[("id", &id), ("until", &until.to_string())],
        )
        .await,
    );
    assert_eq!(paused.schedule.next_renewal_on, until);
    days_later(&app, (until - today).num_days() - 3);
    reminder_pass(&app).await;
    let sent = reminders(&app, ANN).await;
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert!(sent[2].1.ends_with(&format!("due={until}")), "{sent:?}");
}
