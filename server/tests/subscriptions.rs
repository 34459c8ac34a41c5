//! Subscribe and save over HTTP against the Stripe emulator: a subscribed cart line costs the
//! subscriber price, needs an account, saves the card with the first payment and starts the
//! subscription exactly once; its customer skips, pauses, resumes, changes the interval and
//! quantity and cancels it, each change in its history; nobody else can touch it.

use app::cart::model::Cart;
use app::checkout::model::CheckoutSummary;
use app::checkout::service::SUBSCRIBING_NEEDS_AN_ACCOUNT;
use app::orders::model::PaymentStart;
use app::subscriptions::model::{SubscriptionEventKind, SubscriptionStatus, SubscriptionView};
use axum::http::StatusCode;
use chrono::{Months, TimeDelta};
use server::seed::DEMO_PASSWORD;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

mod common;
use common::checkout::{checkout, parsed, pay, refusal, stocked_variant};
use common::{Browser, shop};

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
