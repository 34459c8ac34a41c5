//! Review server functions: anyone reads a product's reviews; a signed-in customer writes one
//! (the service checks they received the product) and votes; support admins moderate.

use super::model::{AdminReviewPage, MayReview, ProductReviews, ReviewStatus};
use crate::error::AppError;
use crate::ids::{ProductId, ReviewId};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::model::{ReviewSort, parse_decision},
    super::service,
    crate::accounts::authz::{Need, acting_admin, authorize, current_principal},
    crate::accounts::model::Role,
    crate::state::app_state,
};

/// `sort`: "newest" (the default) or "helpful"; `page` from 1.
#[server(endpoint = "reviews/product")]
pub async fn load_product_reviews(
    product: ProductId,
    #[server(default)] sort: String,
    #[server(default)] page: i64,
) -> Result<ProductReviews, AppError> {
    let viewer = current_principal().await?.map(|p| p.viewer.user_id);
    let sort = ReviewSort::from_param(&sort);
    Ok(service::for_product(&app_state()?, viewer, product, sort, page).await?)
}

/// `rating`: 1–5 stars.
#[server(endpoint = "reviews/write")]
pub async fn write_review(
    product: ProductId,
    #[server(default)] rating: String,
    title: String,
    body: String,
) -> Result<MayReview, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let state = app_state()?;
    Ok(service::write(
        &state,
        principal.viewer.user_id,
        product,
        &rating,
        &title,
        &body,
    )
    .await?)
}

/// Mark a published review helpful; its new count.
#[server(endpoint = "reviews/helpful")]
pub async fn mark_helpful(review: ReviewId) -> Result<i32, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    Ok(service::mark_helpful(&app_state()?, principal.viewer.user_id, review).await?)
}

/// `status`: "pending" (the default), "published" or "rejected".
#[server(endpoint = "admin/reviews")]
pub async fn admin_reviews(
    #[server(default)] status: String,
    #[server(default)] page: i64,
) -> Result<AdminReviewPage, AppError> {
    authorize(Need::Role(Role::AdminSupport)).await?;
    let status = ReviewStatus::from_db_name(status.trim()).unwrap_or(ReviewStatus::Pending);
    Ok(service::admin_page(&app_state()?, status, page).await?)
}

/// `decision`: "publish" or "reject" (with a `reason`, which its author reads).
#[server(endpoint = "admin/review/moderate")]
pub async fn moderate_review(
    review: ReviewId,
    decision: String,
    #[server(default)] reason: String,
) -> Result<ReviewStatus, AppError> {
    let by = acting_admin(Role::AdminSupport).await?;
    let decision = parse_decision(&decision, &reason).map_err(AppError::with_status)?;
    Ok(service::moderate(&app_state()?, by, review, &decision).await?)
}
