//! Catalog use cases behind the shop's pages.

use super::model::{
    CategoryPage, CategorySummary, HomePage, PRODUCTS_PER_PAGE, Paged, ProductCard, ProductDetail,
    Sort, VariantOffer,
};
use super::repo::{self, CardQuery};
use crate::inventory::model::{StockStatus, available, next_to_ship, sellable_expiry_after};
use crate::inventory::repo as inventory_repo;
use crate::media::repo as media_repo;
use chrono::NaiveDate;
use sqlx::PgPool;

const FEATURED_ON_HOME: i64 = 6;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("not found")]
    NotFound,
    #[error("catalog query failed")]
    Database(#[from] sqlx::Error),
}

#[tracing::instrument(skip_all)]
pub async fn home_page(db: &PgPool, today: NaiveDate) -> Result<HomePage, CatalogError> {
    let mut conn = db.acquire().await?;
    let categories = repo::categories(&mut conn, None).await?;
    let (featured, _) = repo::product_cards(
        &mut conn,
        CardQuery {
            category_slug: None,
            featured_only: true,
            sort: Sort::Featured,
            limit: FEATURED_ON_HOME,
            offset: 0,
            sellable_after: sellable_expiry_after(today),
        },
    )
    .await?;
    let featured = with_images(&mut conn, featured).await?;
    Ok(HomePage {
        featured,
        categories,
    })
}

#[tracing::instrument(skip_all)]
pub async fn all_categories(db: &PgPool) -> Result<Vec<CategorySummary>, CatalogError> {
    let mut conn = db.acquire().await?;
    Ok(repo::categories(&mut conn, None).await?)
}

#[tracing::instrument(skip_all, fields(category = %slug, page))]
pub async fn category_page(
    db: &PgPool,
    slug: &str,
    sort: Sort,
    page: u32,
    today: NaiveDate,
) -> Result<CategoryPage, CatalogError> {
    let mut conn = db.acquire().await?;
    let category = repo::categories(&mut conn, Some(slug))
        .await?
        .into_iter()
        .next()
        .ok_or(CatalogError::NotFound)?;
    let page = page.max(1);
    let (items, total_items) = repo::product_cards(
        &mut conn,
        CardQuery {
            category_slug: Some(slug),
            featured_only: false,
            sort,
            limit: i64::from(PRODUCTS_PER_PAGE),
            offset: i64::from(page - 1) * i64::from(PRODUCTS_PER_PAGE),
            sellable_after: sellable_expiry_after(today),
        },
    )
    .await?;
    // A page past the end is a URL that points nowhere, not an empty listing.
    if items.is_empty() && page > 1 {
        return Err(CatalogError::NotFound);
    }
    let items = with_images(&mut conn, items).await?;
    Ok(CategoryPage {
        category,
        sort,
        products: Paged {
            items,
            page,
            total_items,
            per_page: PRODUCTS_PER_PAGE,
        },
    })
}

#[tracing::instrument(skip_all, fields(product = %slug))]
pub async fn product_detail(
    db: &PgPool,
    slug: &str,
    today: NaiveDate,
) -> Result<ProductDetail, CatalogError> {
    let mut conn = db.acquire().await?;
    let mut product = repo::published_product(&mut conn, slug)
        .await?
        .ok_or(CatalogError::NotFound)?;
    product.ingredients = repo::ingredients(&mut conn, product.id).await?;
    product.images = media_repo::product_images(&mut conn, &[product.id])
        .await?
        .remove(&product.id)
        .unwrap_or_default();
    let lots = inventory_repo::lots_with_stock(&mut conn, product.id).await?;
    let subscribe = repo::subscribe_offer(&mut conn, product.id).await?;
    product.variants = repo::variants(&mut conn, product.id)
        .await?
        .into_iter()
        .map(|v| {
            let own_lots: Vec<_> = lots
                .iter()
                .filter(|(variant, _)| *variant == v.id)
                .map(|(_, lot)| lot.clone())
                .collect();
            VariantOffer {
                stock: StockStatus::from_available(available(&own_lots, today)),
                best_before: next_to_ship(&own_lots, today).map(|lot| lot.expiry_date),
                id: v.id,
                sku: v.sku,
                label: v.label,
                price: v.price,
                subscribe,
            }
        })
        .collect();
    Ok(product)
}

/// Each card with its product's first picture.
async fn with_images(
    conn: &mut sqlx::PgConnection,
    mut cards: Vec<ProductCard>,
) -> Result<Vec<ProductCard>, sqlx::Error> {
    let ids: Vec<_> = cards.iter().map(|c| c.id).collect();
    let mut images = media_repo::first_images(conn, &ids).await?;
    for card in &mut cards {
        card.image = images.remove(&card.id);
    }
    Ok(cards)
}

impl From<CatalogError> for crate::error::AppError {
    fn from(error: CatalogError) -> Self {
        match error {
            CatalogError::NotFound => crate::error::AppError::NotFound,
            CatalogError::Database(_) => crate::error::AppError::internal(&error),
        }
    }
}
