//! Back in stock in the real database: a shopper asks about a sold-out variant (not about one
//! on sale, not as a visitor), and once a sellable lot arrives the job tells everyone who asked,
//! once, and their requests end.

mod common;

use app::ids::{LotId, VariantId};
use app::inventory::repo::{NewLot, receive_lot};
use app::notifications::model::NotificationKind;
use app::restock::service as restock;
use axum::http::StatusCode;
use chrono::Days;
use common::user;
use server::seed::DEMO_PASSWORD;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use test_support::catalog::{ProductBuilder, category};

#[sqlx::test(migrations = "../migrations")]
async fn shoppers_who_asked_hear_once_when_a_sold_out_variant_is_back(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let (db, state) = (&app.db, &app.state);
    let mut conn = db.acquire().await.expect("connection");
    let shelf = category(&mut conn, "restock").await;
    // The 60-capsule tin has only a lot too close to its best-before to sell; the 120 has stock.
    ProductBuilder::new("Magnesium Glycinate")
        .variant("MG-60", 1290)
        .lot("OLD1", 20, 30)
        .variant("MG-120", 2190)
        .lot("NEW1", 400, 30)
        .insert(&mut conn, shelf)
        .await;
    let variant = |sku: &'static str| async move {
        VariantId(
            sqlx::query_scalar!("SELECT variant_id FROM variants WHERE sku = $1", sku)
                .fetch_one(db)
                .await
                .expect("variant"),
        )
    };
    let (sold_out, on_sale) = (variant("MG-60").await, variant("MG-120").await);

    // A visitor has asked about nothing and can't ask.
    let asked = |reply: common::Reply| {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        serde_json::from_str::<bool>(&reply.body).expect("bool")
    };
    let sold_out_id = sold_out.to_string();
    let mut visitor = app.browser();
    assert!(!asked(
        visitor
            .call("restock/asked", &[("variant", &sold_out_id)])
            .await
    ));
    let reply = visitor
        .call("restock/ask", &[("variant", &sold_out_id)])
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);

    // Ann asks about the sold-out tin (twice is once); the one on sale is refused.
    let mut ann = app.browser();
    assert!(common::ok(
        &ann.sign_in("ann@olivine.test", DEMO_PASSWORD).await
    ));
    for _ in 0..2 {
        let reply = ann.call("restock/ask", &[("variant", &sold_out_id)]).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    assert!(asked(
        ann.call("restock/asked", &[("variant", &sold_out_id)])
            .await
    ));
    let refused = common::unprocessable(
        &ann.call("restock/ask", &[("variant", &on_sale.to_string())])
            .await,
    );
    assert_eq!(
        refused.detail(),
        "Magnesium Glycinate (MG-120) is in stock: add it to your cart."
    );
    // Ben asks, then thinks better of it.
    let mut ben = app.browser();
    assert!(common::ok(
        &ben.sign_in("ben@olivine.test", DEMO_PASSWORD).await
    ));
    ben.call("restock/ask", &[("variant", &sold_out_id)]).await;
    let reply = ben
        .call("restock/withdraw", &[("variant", &sold_out_id)])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    // Nothing is back yet.
    let today = state.clock.today();
    assert!(
        restock::back(db, today, 10, &[])
            .await
            .expect("back")
            .is_empty()
    );

    // A fresh lot arrives: the tin is due, Ann hears it once, and her request is done.
    let fresh = NewLot {
        id: LotId(uuid::Uuid::new_v4()),
        variant: sold_out,
        batch_number: "NEW2",
        expiry_date: today.checked_add_days(Days::new(365)).expect("date"),
        quantity: 12,
    };
    assert!(receive_lot(&mut conn, &fresh, None).await.expect("lot"));
    assert_eq!(
        restock::back(db, today, 10, &[]).await.expect("back"),
        [sold_out]
    );
    assert_eq!(restock::tell(db, sold_out, today).await.expect("tell"), 1);
    assert_eq!(restock::tell(db, sold_out, today).await.expect("again"), 0);
    assert!(
        restock::back(db, today, 10, &[])
            .await
            .expect("back")
            .is_empty()
    );
    assert!(!asked(
        ann.call("restock/asked", &[("variant", &sold_out_id)])
            .await
    ));

    let told = |who: uuid::Uuid| async move {
        sqlx::query!(
            r#"SELECT kind AS "kind: NotificationKind", title, link FROM notifications
               WHERE user_id = $1"#,
            who
        )
        .fetch_all(db)
        .await
        .expect("notifications")
        .into_iter()
        .map(|r| (r.kind, r.title, r.link))
        .collect::<Vec<_>>()
    };
    let ann_id = user(db, "ann@olivine.test").await;
    assert_eq!(
        told(ann_id.0).await,
        [(
            NotificationKind::BackInStock,
            "Magnesium Glycinate is back in stock".to_owned(),
            "/products/magnesium-glycinate".to_owned()
        )]
    );
    let ben_id = user(db, "ben@olivine.test").await;
    assert!(told(ben_id.0).await.is_empty(), "Ben withdrew");
}
