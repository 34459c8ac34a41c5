//! Loyalty points over HTTP: a paid order earns per euro, waits for delivery and the return
//! window, and refunds take back their share; a published review earns once and a takedown
//! takes it back; support adjusts with a reason (audited, never below zero, the customer told);
//! a year without activity expires the balance, once; checkout spends points on up to half the
//! items, and an order given up or refunded gives them back.

use app::checkout::model::CheckoutSummary;
use app::loyalty::model::{
    Balance, CustomerPoints, EntryKind, LoyaltyAccount, LoyaltyEntry, Settlement,
};
use app::loyalty::service::NO_SUCH_CUSTOMER;
use app::orders::model::{OrderStatus, PaymentStart};
use chrono::{Months, TimeDelta};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

mod common;
use common::checkout::{add, buy, checkout, deliver, parsed, pay, refusal, stocked_variant};
use common::{App, Browser, shop, signed_in};

async fn points(browser: &mut Browser<'_>) -> LoyaltyAccount {
    parsed(&browser.call("loyalty/mine", &[("page", "1")]).await)
}

fn kinds(account: &LoyaltyAccount) -> Vec<(EntryKind, i64)> {
    account
        .entries
        .iter()
        .rev()
        .map(|e| (e.kind, e.points))
        .collect()
}

async fn total_of(app: &App, order: &str) -> i64 {
    sqlx::query_scalar("SELECT total_minor FROM orders WHERE order_id = $1::uuid")
        .bind(order)
        .fetch_one(&app.db)
        .await
        .expect("order total")
}

async fn count(app: &App, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.db)
        .await
        .expect("count")
}

fn latest(account: &LoyaltyAccount) -> &LoyaltyEntry {
    account.entries.first().expect("an entry")
}

#[sqlx::test(migrations = "../migrations")]
async fn an_order_earns_after_its_return_window_and_refunds_take_their_share_back(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = shop(options).await;
    let variant = stocked_variant(&app, 10, 2000).await;
    let mut admin = signed_in(&app, "admin@olivine.test").await;
    let mut ann = signed_in(&app, "ann@olivine.test").await;
    assert_eq!(points(&mut ann).await.balance, Balance::default());

    // Paid: one point per whole euro, pending until the order arrives.
    let order = buy(&app, &mut ann, &variant).await;
    let total = total_of(&app, &order).await;
    let earned = total / 100;
    assert!(earned >= 20, "{total}");
    let paid = points(&mut ann).await;
    assert_eq!((paid.balance.available, paid.balance.pending), (0, earned));
    assert_eq!(kinds(&paid), [(EntryKind::Purchase, earned)]);
    assert_eq!(latest(&paid).settlement, Settlement::AwaitingDelivery);
    assert!(latest(&paid).describe().starts_with("Order OL-"));
    // The rules read as data.
    assert!(
        paid.rules
            .iter()
            .any(|r| r.describe() == "1 point for each €1 you pay")
    );

    // Delivered: still pending, until the return window closes 14 days later.
    deliver(&mut admin, &order).await;
    let delivered = points(&mut ann).await;
    let opens = app.state.clock.today() + TimeDelta::days(14);
    assert_eq!(latest(&delivered).settlement, Settlement::Until(opens));
    assert_eq!(delivered.balance.available, 0);
    app.state.clock.set_offset(TimeDelta::days(15));
    let settled = points(&mut ann).await;
    assert_eq!(
        (settled.balance.available, settled.balance.pending),
        (earned, 0)
    );
    assert_eq!(latest(&settled).settlement, Settlement::Available);

    // A partial refund takes back its share; the rest of the order takes back the rest.
    let status: OrderStatus = parsed(
        &admin
            .call(
                "admin/order/refund",
                &[
                    ("order", &order),
                    ("amount", "5,00"),
                    ("reason", "Dented tub"),
                ],
            )
            .await,
    );
    assert_eq!(status, OrderStatus::Delivered);
    let share = (earned * 500 + total / 2) / total;
    let part = points(&mut ann).await;
    assert_eq!(part.balance.available, earned - share);
    assert_eq!(
        kinds(&part),
        [
            (EntryKind::Purchase, earned),
            (EntryKind::PurchaseRefunded, -share)
        ]
    );
    let rest = format!("{},{:02}", (total - 500) / 100, (total - 500) % 100);
    let status: OrderStatus = parsed(
        &admin
            .call(
                "admin/order/refund",
                &[("order", &order), ("amount", &rest), ("reason", "Returned")],
            )
            .await,
    );
    assert_eq!(status, OrderStatus::Refunded);
    let refunded = points(&mut ann).await;
    assert_eq!(refunded.balance.available, 0);
    assert_eq!(
        refunded.entries.iter().map(|e| e.points).sum::<i64>(),
        0,
        "{:?}",
        kinds(&refunded)
    );

    // The ledger keeps its history: no entry can be changed or removed.
    let change = sqlx::query("UPDATE loyalty_entries SET points = 1000")
        .execute(&app.db)
        .await;
    assert!(change.is_err());
    let remove = sqlx::query("DELETE FROM loyalty_entries")
        .execute(&app.db)
        .await;
    assert!(remove.is_err());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_published_review_earns_once_and_a_takedown_takes_it_back(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = shop(options).await;
    let variant = stocked_variant(&app, 10, 2000).await;
    let product: String =
        sqlx::query_scalar("SELECT product_id::text FROM variants WHERE variant_id = $1::uuid")
            .bind(&variant)
            .fetch_one(&app.db)
            .await
            .expect("product");
    let mut admin = signed_in(&app, "admin@olivine.test").await;
    let mut ann = signed_in(&app, "ann@olivine.test").await;
    let order = buy(&app, &mut ann, &variant).await;
    deliver(&mut admin, &order).await;
    let earned = total_of(&app, &order).await / 100;

    let written = ann
        .call(
            "reviews/write",
            &[
                ("product", &product),
                ("rating", "5"),
                ("title", "Works"),
                ("body", "Sleep came easier."),
            ],
        )
        .await;
    assert!(common::ok(&written), "{}", written.body);
    let reviewed = points(&mut ann).await;
    // The review's points count at once; the order's still wait for the return window.
    assert_eq!(reviewed.balance.available, 50);
    assert_eq!(reviewed.balance.pending, earned);
    assert_eq!(latest(&reviewed).kind, EntryKind::Review);
    assert!(
        latest(&reviewed)
            .describe()
            .starts_with("Review published: ")
    );
    let review: String = sqlx::query_scalar("SELECT review_id::text FROM reviews")
        .fetch_one(&app.db)
        .await
        .expect("review");

    // Taken down: the points go; published again: they do not come twice.
    for (decision, reason) in [("reject", "Medical claims"), ("publish", "")] {
        let reply = admin
            .call(
                "admin/review/moderate",
                &[
                    ("review", &review),
                    ("decision", decision),
                    ("reason", reason),
                ],
            )
            .await;
        assert!(common::ok(&reply), "{}", reply.body);
    }
    let after = points(&mut ann).await;
    assert_eq!(after.balance.available, 0);
    assert_eq!(
        kinds(&after),
        [
            (EntryKind::Purchase, earned),
            (EntryKind::Review, 50),
            (EntryKind::ReviewWithdrawn, -50)
        ]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn support_adjusts_with_a_reason_and_a_dormant_balance_expires_once(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = shop(options).await;
    let mut admin = signed_in(&app, "admin@olivine.test").await;
    let mut ann = signed_in(&app, "ann@olivine.test").await;
    let find = async |admin: &mut Browser<'_>, email: &str| {
        admin
            .call("admin/loyalty", &[("email", email), ("page", "1")])
            .await
    };
    let unknown = refusal(&find(&mut admin, "nobody@olivine.test").await);
    assert_eq!(unknown.field_message("email"), Some(NO_SUCH_CUSTOMER));
    let found: Option<CustomerPoints> = parsed(&find(&mut admin, " ANN@olivine.test ").await);
    let found = found.expect("Ann");
    assert_eq!(found.email, "ann@olivine.test");
    let ann_id = found.user.to_string();
    let adjust = async |admin: &mut Browser<'_>, points: &str, reason: &str| {
        admin
            .call(
                "admin/loyalty/adjust",
                &[("user", &ann_id), ("points", points), ("reason", reason)],
            )
            .await
    };

    // Nothing to take yet; a bad number and a missing reason are both said at once.
    let below = refusal(&adjust(&mut admin, "-10", "Duplicate").await);
    assert_eq!(
        below.field_message("points"),
        Some("Only 0 points available to take.")
    );
    let bad = refusal(&adjust(&mut admin, "ten", " ").await);
    assert!(bad.field_message("points").is_some() && bad.field_message("reason").is_some());

    let added: Balance = parsed(&adjust(&mut admin, "+250", "The parcel came a week late").await);
    assert_eq!(added.available, 250);
    let taken: Balance = parsed(&adjust(&mut admin, "-50", "Counted twice").await);
    assert_eq!(taken.available, 200);
    let mine = points(&mut ann).await;
    assert_eq!(mine.balance.available, 200);
    assert_eq!(
        latest(&mine).describe(),
        "Adjusted by support: Counted twice"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM audit_log WHERE action = 'points_adjusted'"
        )
        .await,
        2
    );
    let ann_id = common::user(&app.db, "ann@olivine.test").await;
    let told: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notifications n
         WHERE n.user_id = $1 AND n.kind = 'points_adjusted'",
    )
    .bind(ann_id.0)
    .fetch_one(&app.db)
    .await
    .expect("count");
    assert_eq!(told, 2);
    let expires = mine.balance.expires_on().expect("an expiry date");
    assert_eq!(
        Some(expires),
        app.state.clock.today().checked_add_months(Months::new(12))
    );

    // Eleven months on nothing expires; thirteen months on the balance does, once.
    let job = server::jobs::shop::PointsExpiry::new(app.state.clone());
    app.state.clock.set_offset(TimeDelta::days(335));
    server::jobs::pass(&app.db, &job)
        .await
        .expect("expiry pass");
    assert_eq!(points(&mut ann).await.balance.available, 200);
    app.state.clock.set_offset(TimeDelta::days(396));
    server::jobs::pass(&app.db, &job)
        .await
        .expect("expiry pass");
    server::jobs::pass(&app.db, &job)
        .await
        .expect("expiry pass");
    let expired = points(&mut ann).await;
    assert_eq!(expired.balance.available, 0);
    assert_eq!(
        kinds(&expired),
        [
            (EntryKind::Adjustment, 250),
            (EntryKind::Adjustment, -50),
            (EntryKind::Expired, -200)
        ]
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM notifications WHERE kind = 'points_expired'",
        )
        .await,
        1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn checkout_spends_points_on_up_to_half_the_items_and_gives_them_back(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = shop(options).await;
    let variant = stocked_variant(&app, 10, 2000).await;
    let mut admin = signed_in(&app, "admin@olivine.test").await;
    let mut ann = signed_in(&app, "ann@olivine.test").await;
    let ann_id = common::user(&app.db, "ann@olivine.test").await.to_string();
    let gift = admin
        .call(
            "admin/loyalty/adjust",
            &[
                ("user", &ann_id),
                ("points", "1500"),
                ("reason", "Welcome gift"),
            ],
        )
        .await;
    assert!(common::ok(&gift), "{}", gift.body);
    add(&mut ann, &variant, "1").await;

    // The summary: €20.00 of items, so at most €10.00 of points; without asking, none.
    let plain: CheckoutSummary = parsed(&checkout(&mut ann, "checkout/summary", &[]).await);
    assert_eq!(plain.quote.points.minor(), 0);
    let using: CheckoutSummary =
        parsed(&checkout(&mut ann, "checkout/summary", &[("use_points", "yes")]).await);
    assert_eq!(using.quote.points.minor(), 1000);
    assert_eq!(using.quote.total.minor(), plain.quote.total.minor() - 1000);

    // Placing the order spends them at once; giving the order up brings them back.
    let start: PaymentStart =
        parsed(&checkout(&mut ann, "checkout/start", &[("use_points", "yes")]).await);
    assert_eq!(start.total.minor(), using.quote.total.minor());
    assert_eq!(points(&mut ann).await.balance.available, 500);
    let cancelled = admin
        .call(
            "admin/order/cancel",
            &[
                ("order", &start.order_id.to_string()),
                ("reason", "Asked by phone"),
            ],
        )
        .await;
    assert!(common::ok(&cancelled), "{}", cancelled.body);
    let back = points(&mut ann).await;
    assert_eq!(back.balance.available, 1500);
    assert_eq!(latest(&back).kind, EntryKind::RedemptionReturned);

    // Spent again (the cart kept its line) and paid: the order shows the points, and earns on
    // what was paid.
    let start: PaymentStart =
        parsed(&checkout(&mut ann, "checkout/start", &[("use_points", "yes")]).await);
    pay(&app, &start, "pm_card_visa").await.expect("paid");
    app.deliver_events().await;
    let order = start.order_id.to_string();
    let total = total_of(&app, &order).await;
    assert_eq!(total, using.quote.total.minor());
    let detail: app::orders::model::OrderDetail = parsed(
        &ann.call("orders/detail", &[("order", &order), ("sync", "false")])
            .await,
    );
    assert_eq!(detail.points.minor(), 1000);
    let paid = points(&mut ann).await;
    assert_eq!(
        (paid.balance.available, paid.balance.pending),
        (500, total / 100)
    );

    // Refunding half of what was paid gives back half of the points spent.
    let half = total / 2;
    let amount = format!("{},{:02}", half / 100, half % 100);
    let refunded = admin
        .call(
            "admin/order/refund",
            &[
                ("order", &order),
                ("amount", &amount),
                ("reason", "Half returned"),
            ],
        )
        .await;
    assert!(common::ok(&refunded), "{}", refunded.body);
    let after = points(&mut ann).await;
    let returned = (1000 * half + total / 2) / total;
    assert_eq!(after.balance.available, 500 + returned);
    assert_eq!(
        kinds(&after).last(),
        Some(&(EntryKind::RedemptionReturned, returned))
    );
}
