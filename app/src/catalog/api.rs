//! Catalog server functions: public, read-only endpoints for the shop's pages.

use super::model::{CategoryPage, CategorySummary, HomePage, ProductDetail, Sort};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::service, crate::state::app_state};

#[server(endpoint = "catalog/home")]
pub async fn load_home() -> Result<HomePage, AppError> {
    let state = app_state()?;
    Ok(service::home_page(&state.db, service::today()).await?)
}

#[server(endpoint = "catalog/categories")]
pub async fn load_categories() -> Result<Vec<CategorySummary>, AppError> {
    let state = app_state()?;
    Ok(service::all_categories(&state.db).await?)
}

#[server(endpoint = "catalog/category")]
pub async fn load_category(slug: String, sort: Sort, page: u32) -> Result<CategoryPage, AppError> {
    let state = app_state()?;
    Ok(service::category_page(&state.db, &slug, sort, page, service::today()).await?)
}

#[server(endpoint = "catalog/product")]
pub async fn load_product(slug: String) -> Result<ProductDetail, AppError> {
    let state = app_state()?;
    Ok(service::product_detail(&state.db, &slug, service::today()).await?)
}
