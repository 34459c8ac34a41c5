//! Back office catalog and inventory server functions; the catalog admin scope only.

use super::model::{AdminProductsPage, InventoryAlerts};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::model::{
        ADMIN_PRODUCTS_PER_PAGE, DEFAULT_EXPIRY_WINDOW_DAYS, MAX_EXPIRY_WINDOW_DAYS, ProductSort,
    },
    super::repo,
    crate::accounts::authz::{Need, authorize},
    crate::accounts::model::Role,
    crate::inventory::model::{LOW_STOCK_THRESHOLD, sellable_expiry_after},
    crate::state::app_state,
    crate::ui::page_count,
};

/// One page of products matching `query` (name, slug or SKU), in `sort` order.
#[server(endpoint = "admin/products")]
pub async fn load_admin_products(
    query: String,
    sort: String,
    page: u32,
) -> Result<AdminProductsPage, AppError> {
    authorize(Need::Role(Role::AdminCatalog)).await?;
    let state = app_state()?;
    let query = query.trim().to_owned();
    if query.chars().count() > 100 {
        return Err(AppError::field("q", "Search with at most 100 characters.").with_status());
    }
    let sort = ProductSort::from_slug(&sort);
    let page = page.max(1);
    let per_page = i64::from(ADMIN_PRODUCTS_PER_PAGE);
    let mut conn = state.db.acquire().await?;
    let (rows, total) = repo::products(
        &mut conn,
        &query,
        sort,
        sellable_expiry_after(state.clock.today()),
        per_page,
        i64::from(page - 1) * per_page,
    )
    .await?;
    Ok(AdminProductsPage {
        rows,
        total,
        page,
        total_pages: page_count(total, ADMIN_PRODUCTS_PER_PAGE),
        query,
        sort,
    })
}

/// Variants running low and lots expiring within `days` (default 60).
#[server(endpoint = "admin/inventory-alerts")]
pub async fn load_inventory_alerts(days: Option<u32>) -> Result<InventoryAlerts, AppError> {
    authorize(Need::Role(Role::AdminCatalog)).await?;
    let days = days.unwrap_or(DEFAULT_EXPIRY_WINDOW_DAYS);
    if !(1..=MAX_EXPIRY_WINDOW_DAYS).contains(&days) {
        return Err(AppError::field(
            "days",
            format!("Choose a window between 1 and {MAX_EXPIRY_WINDOW_DAYS} days."),
        )
        .with_status());
    }
    let state = app_state()?;
    let today = state.clock.today();
    let until = today
        .checked_add_days(chrono::Days::new(u64::from(days)))
        .unwrap_or(chrono::NaiveDate::MAX);
    let sellable_after = sellable_expiry_after(today);
    let mut conn = state.db.acquire().await?;
    let low_stock = repo::low_stock(&mut conn, sellable_after, LOW_STOCK_THRESHOLD).await?;
    let expiring = repo::expiring(&mut conn, today, until, sellable_after).await?;
    Ok(InventoryAlerts {
        threshold: LOW_STOCK_THRESHOLD,
        low_stock,
        window_days: days,
        expiring,
    })
}
