//! Catalog server functions: public, read-only endpoints for the shop's pages.

use super::model::{CategoryPage, CategorySummary, HomePage, ProductDetail, Sort};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::service, crate::state::app_state};

#[server(endpoint = "catalog/home")]
pub async fn load_home() -> Result<HomePage, AppError> {
    let state = app_state()?;
    Ok(service::home_page(&state.db, state.clock.today()).await?)
}

#[server(endpoint = "catalog/categories")]
pub async fn load_categories() -> Result<Vec<CategorySummary>, AppError> {
    let state = app_state()?;
    Ok(service::all_categories(&state.db).await?)
}

#[server(endpoint = "catalog/category")]
pub async fn load_category(slug: String, sort: Sort, page: u32) -> Result<CategoryPage, AppError> {
    let state = app_state()?;
    Ok(service::category_page(&state.db, &slug, sort, page, state.clock.today()).await?)
}

#[server(endpoint = "catalog/product")]
pub async fn load_product(slug: String) -> Result<ProductDetail, AppError> {
    let state = app_state()?;
    Ok(service::product_detail(&state.db, &slug, state.clock.today()).await?)
}

/// The search page's results for its URL query string.
#[server(endpoint = "catalog/search")]
pub async fn search_products(query: String) -> Result<super::search::model::SearchPage, AppError> {
    let state = app_state()?;
    let search = super::search::model::SearchState::from_query(&query);
    Ok(super::search::service::search_page(&state.db, &state.search, &search).await?)
}

/// As-you-type suggestions for the header's search box.
#[server(endpoint = "catalog/suggest")]
pub async fn suggest_products(
    prefix: String,
) -> Result<Vec<super::search::model::ProductSuggestion>, AppError> {
    let state = app_state()?;
    Ok(super::search::service::suggestions(&state.search, prefix).await?)
}
