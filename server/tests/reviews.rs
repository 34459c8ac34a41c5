//! Verified reviews over HTTP: only a customer whose order with the product was delivered may
//! review it, once; a review with a link waits for a support admin, who publishes it or
//! rejects it with a reason (audited, its author told); "helpful" counts one vote per person
//! and never the author's own; the product's summary, sorts and the search index's rating
//! follow what is published.

use app::catalog::search::sync as search_sync;
use app::reviews::model::{
    AdminReviewPage, HELD_FOR_LINK, MayReview, NOT_RECEIVED, ProductReviews, ReviewStatus,
};
use app::reviews::service::{OWN_REVIEW, REVIEWED_ALREADY, VOTED_ALREADY};
use axum::http::StatusCode;
use search::{SearchIndex, SearchRequest};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

mod common;
use common::checkout::{buy, deliver, parsed, refusal, stocked_variant};
use common::{Browser, shop, signed_in};

async fn reviews(browser: &mut Browser<'_>, product: &str, sort: &str) -> ProductReviews {
    parsed(
        &browser
            .call(
                "reviews/product",
                &[("product", product), ("sort", sort), ("page", "1")],
            )
            .await,
    )
}

async fn write(
    browser: &mut Browser<'_>,
    product: &str,
    rating: &str,
    body: &str,
) -> common::Reply {
    browser
        .call(
            "reviews/write",
            &[
                ("product", product),
                ("rating", rating),
                ("title", "My take"),
                ("body", body),
            ],
        )
        .await
}

fn by(reviews: &ProductReviews) -> Vec<(&str, i16, i32)> {
    reviews
        .reviews
        .iter()
        .map(|r| (r.author.as_str(), r.rating, r.helpful))
        .collect()
}

fn rated(index: &SearchIndex, slug: &str, min_rating: Option<u8>) -> Option<u64> {
    let found = index
        .search(&SearchRequest {
            min_rating,
            page: 1,
            per_page: 100,
            ..SearchRequest::default()
        })
        .expect("search");
    found
        .hits
        .into_iter()
        .find(|h| h.slug == slug)
        .map(|h| h.rating_tenths)
}

#[sqlx::test(migrations = "../migrations")]
async fn buyers_review_once_moderators_decide_and_ratings_reach_search(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = shop(options).await;
    let variant = stocked_variant(&app, 10, 2000).await;
    let (product, slug): (uuid::Uuid, String) = sqlx::query_as(
        "SELECT p.product_id, p.slug FROM variants v JOIN products p USING (product_id)
         WHERE v.variant_id = $1::uuid",
    )
    .bind(&variant)
    .fetch_one(&app.db)
    .await
    .expect("product");
    let product = product.to_string();
    let today = app.state.clock.today();
    let index = SearchIndex::in_memory().expect("index");
    search_sync::rebuild(&app.db, &index, today, |_| {})
        .await
        .expect("index built");
    let mut conn = app.db.acquire().await.expect("connection");
    let horizon = search_sync::outbox_horizon(&mut conn)
        .await
        .expect("horizon");
    drop(conn);
    assert_eq!(rated(&index, &slug, None), Some(0));

    let mut visitor = app.browser();
    let mut admin = signed_in(&app, "admin@olivine.test").await;
    let mut ann = signed_in(&app, "ann@olivine.test").await;
    let mut ben = signed_in(&app, "ben@olivine.test").await;
    let mut mia = signed_in(&app, "mia@olivine.test").await;
    assert_eq!(
        reviews(&mut visitor, &product, "").await.may,
        MayReview::SignIn
    );

    // Before her order is delivered Ann may not review: not when paid, nor when shipped.
    assert_eq!(
        reviews(&mut ann, &product, "").await.may,
        MayReview::NotReceived
    );
    let anns = buy(&app, &mut ann, &variant).await;
    let early = refusal(&write(&mut ann, &product, "5", "Lovely").await);
    assert_eq!(early.detail(), NOT_RECEIVED);
    deliver(&mut admin, &anns).await;
    assert_eq!(reviews(&mut ann, &product, "").await.may, MayReview::Write);

    // Every problem at once, and nothing is kept.
    let bad = refusal(&write(&mut ann, &product, "0", " ").await);
    assert!(bad.field_message("rating").is_some() && bad.field_message("body").is_some());
    // Published at once: no link.
    let written: MayReview = parsed(&write(&mut ann, &product, "4", "Calm nights.").await);
    assert_eq!(
        written,
        MayReview::Written {
            status: ReviewStatus::Published,
            reject_reason: None
        }
    );
    let again = refusal(&write(&mut ann, &product, "5", "Even better.").await);
    assert_eq!(again.detail(), REVIEWED_ALREADY);
    let seen = reviews(&mut visitor, &product, "").await;
    assert_eq!(seen.summary.stars, [0, 0, 0, 1, 0]);
    assert_eq!(by(&seen), [("Ann S.", 4, 0)]);

    // The trigger queued the product: the index now rates it 4.0, and "4 stars and up" finds it.
    let horizon = search_sync::apply_outbox(&app.db, &index, horizon, today)
        .await
        .expect("outbox");
    assert_eq!(rated(&index, &slug, Some(4)), Some(40));

    // Ben's review has a link: it waits, unseen, with why.
    let bens = buy(&app, &mut ben, &variant).await;
    deliver(&mut admin, &bens).await;
    let held: MayReview = parsed(&write(&mut ben, &product, "2", "Cheaper at deals.shop").await);
    assert_eq!(
        held,
        MayReview::Written {
            status: ReviewStatus::Pending,
            reject_reason: None
        }
    );
    assert_eq!(reviews(&mut visitor, &product, "").await.summary.count(), 1);
    let queue: AdminReviewPage = parsed(
        &admin
            .call("admin/reviews", &[("status", "pending"), ("page", "1")])
            .await,
    );
    assert_eq!((queue.waiting, queue.rows.len()), (1, 1));
    let bens_review = queue.rows[0].id.to_string();
    assert_eq!(queue.rows[0].held_because.as_deref(), Some(HELD_FOR_LINK));
    assert_eq!(queue.rows[0].author_email, "ben@olivine.test");

    // Helpful: once per person, never one's own; buying is not needed to vote.
    let anns_review = seen.reviews[0].id.to_string();
    let helpful = |n: i32, reply: &common::Reply| assert_eq!(parsed::<i32>(reply), n);
    helpful(
        1,
        &ben.call("reviews/helpful", &[("review", &anns_review)])
            .await,
    );
    let twice = refusal(
        &ben.call("reviews/helpful", &[("review", &anns_review)])
            .await,
    );
    assert_eq!(twice.detail(), VOTED_ALREADY);
    let own = refusal(
        &ann.call("reviews/helpful", &[("review", &anns_review)])
            .await,
    );
    assert_eq!(own.detail(), OWN_REVIEW);
    helpful(
        2,
        &mia.call("reviews/helpful", &[("review", &anns_review)])
            .await,
    );
    // A review still waiting can't be voted for.
    let waiting = mia
        .call("reviews/helpful", &[("review", &bens_review)])
        .await;
    assert_eq!(waiting.status, StatusCode::NOT_FOUND);
    let bens_view = reviews(&mut ben, &product, "").await;
    assert!(bens_view.reviews[0].voted && !bens_view.reviews[0].mine);

    // Rejecting needs a reason; publishing is audited and tells Ben.
    let no_reason = refusal(
        &admin
            .call(
                "admin/review/moderate",
                &[
                    ("review", &bens_review),
                    ("decision", "reject"),
                    ("reason", ""),
                ],
            )
            .await,
    );
    assert!(no_reason.field_message("reason").is_some());
    let published: ReviewStatus = parsed(
        &admin
            .call(
                "admin/review/moderate",
                &[("review", &bens_review), ("decision", "publish")],
            )
            .await,
    );
    assert_eq!(published, ReviewStatus::Published);
    let twice = refusal(
        &admin
            .call(
                "admin/review/moderate",
                &[("review", &bens_review), ("decision", "publish")],
            )
            .await,
    );
    assert!(twice.detail().contains("already"), "{}", twice.detail());
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'review_published' AND subject_id = $1::uuid",
    )
    .bind(&bens_review)
    .fetch_one(&app.db)
    .await
    .expect("audit");
    assert_eq!(audited, 1);
    let told: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notifications n
         WHERE n.user_id = $1 AND n.kind = 'review_published'",
    )
    .bind(common::user(&app.db, "ben@olivine.test").await.0)
    .fetch_one(&app.db)
    .await
    .expect("notifications");
    assert_eq!(told, 1);

    // Both show: newest first, or most helpful first; the summary spreads them.
    let newest = reviews(&mut visitor, &product, "newest").await;
    assert_eq!(by(&newest), [("Ben S.", 2, 0), ("Ann S.", 4, 2)]);
    assert_eq!(newest.summary.stars, [0, 1, 0, 1, 0]);
    assert_eq!(newest.summary.average_label(), "3.0");
    let helpful_first = reviews(&mut visitor, &product, "helpful").await;
    assert_eq!(by(&helpful_first), [("Ann S.", 4, 2), ("Ben S.", 2, 0)]);

    // Support takes Ann's down with a reason she reads; the rating follows to the index.
    let taken: ReviewStatus = parsed(
        &admin
            .call(
                "admin/review/moderate",
                &[
                    ("review", &anns_review),
                    ("decision", "reject"),
                    ("reason", "Medical claims"),
                ],
            )
            .await,
    );
    assert_eq!(taken, ReviewStatus::Rejected);
    assert_eq!(
        reviews(&mut ann, &product, "").await.may,
        MayReview::Written {
            status: ReviewStatus::Rejected,
            reject_reason: Some("Medical claims".into())
        }
    );
    search_sync::apply_outbox(&app.db, &index, horizon, today)
        .await
        .expect("outbox");
    assert_eq!(rated(&index, &slug, Some(2)), Some(20));
    assert_eq!(rated(&index, &slug, Some(3)), None);

    // Customers can't moderate.
    let denied = ann
        .call(
            "admin/review/moderate",
            &[("review", &anns_review), ("decision", "publish")],
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
}
