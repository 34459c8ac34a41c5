//! Review use cases: a product page's reviews and what its viewer may do; writing one (only a
//! customer with a delivered order holding the product, once per product); "helpful" votes,
//! one per person; and moderation, audited, its author told the outcome.

use super::hooks::DecidedReview;
use super::model::{
    AdminReviewPage, Decision, MayReview, NOT_RECEIVED, ProductReviews, ReviewSort, ReviewStatus,
    check_review,
};
use super::repo::{self, NewReview};
use crate::accounts::hooks::InTransaction;
use crate::audit::{Action, Actor};
use crate::error::{AppError, ServiceError};
use crate::ids::{ProductId, ReviewId, UserId};
use crate::notifications::model::{Notice, NotificationKind};
use crate::notifications::repo::notify;
use crate::state::AppState;
use sqlx::PgConnection;

type Result<T> = std::result::Result<T, ServiceError>;

pub const REVIEWED_ALREADY: &str = "You have reviewed this product already.";
pub const OWN_REVIEW: &str = "That is your own review: others decide whether it helps.";
pub const VOTED_ALREADY: &str = "You have marked this review helpful already.";

/// The reviews part of a published product's page, as `viewer` sees it.
pub async fn for_product(
    state: &AppState,
    viewer: Option<UserId>,
    product: ProductId,
    sort: ReviewSort,
    page: i64,
) -> Result<ProductReviews> {
    let mut conn = state.db.acquire().await?;
    if !repo::published(&mut conn, product).await? {
        return Err(AppError::NotFound.into());
    }
    let summary = repo::summary(&mut conn, product).await?;
    let reviews = repo::page(&mut conn, &state.vault, product, viewer, sort, page).await?;
    let may = may_review(&mut conn, viewer, product).await?;
    Ok(ProductReviews {
        product,
        summary,
        reviews,
        sort,
        page: page.max(1),
        may,
    })
}

async fn may_review(
    conn: &mut PgConnection,
    viewer: Option<UserId>,
    product: ProductId,
) -> Result<MayReview> {
    let Some(user) = viewer else {
        return Ok(MayReview::SignIn);
    };
    if let Some((status, reject_reason)) = repo::own(conn, user, product).await? {
        return Ok(MayReview::Written {
            status,
            reject_reason,
        });
    }
    Ok(match repo::delivered_order(conn, user, product).await? {
        Some(_) => MayReview::Write,
        None => MayReview::NotReceived,
    })
}

/// Write `user`'s review of `product`: published at once, or held for a moderator when it
/// holds a link.
pub async fn write(
    state: &AppState,
    user: UserId,
    product: ProductId,
    rating: &str,
    title: &str,
    body: &str,
) -> Result<MayReview> {
    let review = check_review(rating, title, body)?;
    let mut tx = state.db.begin().await?;
    let Some(order) = repo::delivered_order(&mut tx, user, product).await? else {
        return Err(AppError::invalid(NOT_RECEIVED).into());
    };
    let status = match review.held_because {
        Some(_) => ReviewStatus::Pending,
        None => ReviewStatus::Published,
    };
    let new = NewReview {
        id: ReviewId(uuid::Uuid::now_v7()),
        product,
        user,
        order,
        review: &review,
        status,
        at: state.clock.now(),
    };
    if !repo::insert(&mut tx, &new).await? {
        return Err(AppError::invalid(REVIEWED_ALREADY).into());
    }
    let decided = DecidedReview {
        review: new.id,
        author: user,
        product_name: repo::product_name(&mut tx, product).await?,
        status,
        now: new.at,
    };
    InTransaction::run_all(state.when_review_decided, state, &mut tx, &decided).await?;
    tx.commit().await?;
    Ok(MayReview::Written {
        status,
        reject_reason: None,
    })
}

/// Count `user` as finding a published review helpful, once; the review's new count.
pub async fn mark_helpful(state: &AppState, user: UserId, review: ReviewId) -> Result<i32> {
    let mut tx = state.db.begin().await?;
    let Some(author) = repo::published_author(&mut tx, review).await? else {
        return Err(AppError::NotFound.into());
    };
    if author == user {
        return Err(AppError::invalid(OWN_REVIEW).into());
    }
    let Some(count) = repo::vote(&mut tx, review, user).await? else {
        return Err(AppError::invalid(VOTED_ALREADY).into());
    };
    tx.commit().await?;
    Ok(count)
}

/// The moderation screen: one page of the reviews in `status`.
pub async fn admin_page(
    state: &AppState,
    status: ReviewStatus,
    page: i64,
) -> Result<AdminReviewPage> {
    let mut conn = state.db.acquire().await?;
    let (rows, total) = repo::admin_page(&mut conn, &state.vault, status, page).await?;
    let waiting = repo::waiting(&mut conn).await?;
    Ok(AdminReviewPage {
        status,
        rows,
        total,
        page: page.max(1),
        waiting,
    })
}

/// Publish or reject a review (a published one may be taken down, a rejected one published
/// after all); audited, and its author is told.
pub async fn moderate(
    state: &AppState,
    by: Actor,
    review: ReviewId,
    decision: &Decision,
) -> Result<ReviewStatus> {
    let mut tx = state.db.begin().await?;
    let Some(locked) = repo::lock(&mut tx, review).await? else {
        return Err(AppError::NotFound.into());
    };
    let to = decision.status();
    if !decision.may_follow(locked.status) {
        return Err(AppError::invalid(format!(
            "This review is {} already.",
            locked.status.label().to_lowercase()
        ))
        .into());
    }
    let reason = match decision {
        Decision::Publish => None,
        Decision::Reject { reason } => Some(reason.as_str()),
    };
    let now = state.clock.now();
    let moved = repo::set_status(&mut tx, review, locked.status, to, reason, by.user, now).await?;
    if !moved {
        return Err(AppError::invalid("This review changed meanwhile; look again.").into());
    }
    let (action, kind, title, body) = match decision {
        Decision::Publish => (
            Action::ReviewPublished,
            NotificationKind::ReviewPublished,
            format!("Your review of {} is published", locked.product_name),
            "Thank you: it now helps others choose.".to_owned(),
        ),
        Decision::Reject { reason } => (
            Action::ReviewRejected,
            NotificationKind::ReviewRejected,
            format!("Your review of {} was not published", locked.product_name),
            format!("Our moderators said: {reason}"),
        ),
    };
    by.record(
        &mut tx,
        action,
        review.0,
        serde_json::json!({
            "product": locked.product_slug,
            "from": locked.status.db_name(),
            "reason": reason,
        }),
    )
    .await?;
    let notice = Notice {
        mentions: Vec::new(),
        kind,
        title,
        body,
        link: format!("/products/{}#reviews", locked.product_slug),
    };
    notify(&mut tx, &[locked.author], &notice).await?;
    let decided = DecidedReview {
        review,
        author: locked.author,
        product_name: locked.product_name,
        status: to,
        now,
    };
    InTransaction::run_all(state.when_review_decided, state, &mut tx, &decided).await?;
    tx.commit().await?;
    Ok(to)
}
