//! The catalog back office's server functions, for admins with the catalog scope: authorize,
//! call the service. Every change runs in one transaction with its audit entry (see
//! `service.rs`); the search outbox triggers on the same tables, so the shop and its search see
//! the change as soon as it commits.

use super::forms::{AdjustmentInput, LotInput, ProductInput, VariantInput};
use super::model::{AdminProductsPage, EditorChoices, InventoryAlerts, ProductEditor};
use crate::error::AppError;
use crate::ids::{LotId, ProductId, VariantId};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::service,
    crate::accounts::authz::acting_admin,
    crate::accounts::model::Role,
    crate::audit::Actor,
    crate::media::model::Direction,
    crate::state::{AppState, app_state},
};

/// The signed-in catalog admin and the app state, or the refusal.
#[cfg(feature = "ssr")]
async fn catalog_admin() -> Result<(AppState, Actor), AppError> {
    let actor = acting_admin(Role::AdminCatalog).await?;
    Ok((app_state()?, actor))
}

/// One page of products matching `query` (name, slug or SKU), in `sort` order.
#[server(endpoint = "admin/products")]
pub async fn load_admin_products(
    query: String,
    sort: String,
    page: u32,
) -> Result<AdminProductsPage, AppError> {
    let (state, _) = catalog_admin().await?;
    Ok(service::products(&state, &query, &sort, page).await?)
}

/// Variants running low and lots expiring within `days` (default 60).
#[server(endpoint = "admin/inventory-alerts")]
pub async fn load_inventory_alerts(days: Option<u32>) -> Result<InventoryAlerts, AppError> {
    let (state, _) = catalog_admin().await?;
    Ok(service::inventory_alerts(&state, days).await?)
}

/// Everything the editor shows for one product.
#[server(endpoint = "admin/product-editor")]
pub async fn load_product_editor(id: ProductId) -> Result<ProductEditor, AppError> {
    let (state, _) = catalog_admin().await?;
    Ok(service::editor(&state, id).await?)
}

/// The categories a product can be filed under.
#[server(endpoint = "admin/editor-choices")]
pub async fn load_editor_choices() -> Result<EditorChoices, AppError> {
    let (state, _) = catalog_admin().await?;
    Ok(service::choices(&state).await?)
}

/// Create a product as a draft (publishing comes once it has a variant). Returns its id.
#[server(endpoint = "admin/product/create")]
pub async fn create_product(product: ProductInput) -> Result<ProductId, AppError> {
    let (state, actor) = catalog_admin().await?;
    Ok(service::create_product(&state, actor, product).await?)
}

/// Save a product's text and attributes.
#[server(endpoint = "admin/product/save")]
pub async fn save_product(id: ProductId, product: ProductInput) -> Result<(), AppError> {
    let (state, actor) = catalog_admin().await?;
    Ok(service::save_product(&state, actor, id, product).await?)
}

/// Put a product in the shop, or take it out.
#[server(endpoint = "admin/product/publish")]
pub async fn publish_product(id: ProductId, publish: bool) -> Result<(), AppError> {
    let (state, actor) = catalog_admin().await?;
    Ok(service::publish(&state, actor, id, publish).await?)
}

/// Add a size or pack to a product.
#[server(endpoint = "admin/variant/add")]
pub async fn add_variant(product: ProductId, variant: VariantInput) -> Result<(), AppError> {
    let (state, actor) = catalog_admin().await?;
    Ok(service::add_variant(&state, actor, product, variant).await?)
}

/// Change a variant's SKU, label, pack count or price.
#[server(endpoint = "admin/variant/save")]
pub async fn save_variant(id: VariantId, variant: VariantInput) -> Result<(), AppError> {
    let (state, actor) = catalog_admin().await?;
    Ok(service::save_variant(&state, actor, id, variant).await?)
}

/// Record a delivery: a new lot with its batch number, best-before date and quantity.
#[server(endpoint = "admin/lot/receive")]
pub async fn receive_lot(variant_id: VariantId, lot: LotInput) -> Result<(), AppError> {
    let (state, actor) = catalog_admin().await?;
    Ok(service::receive_lot(&state, actor, variant_id, lot).await?)
}

/// Correct a lot's stock by a number of units, with a reason; recorded as an entry.
#[server(endpoint = "admin/lot/adjust")]
pub async fn adjust_stock(lot_id: LotId, adjust: AdjustmentInput) -> Result<i64, AppError> {
    let (state, actor) = catalog_admin().await?;
    Ok(service::adjust_stock(&state, actor, lot_id, adjust).await?)
}

/// Change a photo's alt text.
#[server(endpoint = "admin/image/alt")]
pub async fn save_alt_text(image: uuid::Uuid, alt_text: String) -> Result<(), AppError> {
    let (state, actor) = catalog_admin().await?;
    Ok(service::save_alt_text(&state, actor, image, &alt_text).await?)
}

/// Move a photo one place earlier ("earlier") or later ("later"); the first is the cover.
#[server(endpoint = "admin/image/move")]
pub async fn move_image(image: uuid::Uuid, direction: String) -> Result<(), AppError> {
    let (state, actor) = catalog_admin().await?;
    let direction = match direction.as_str() {
        "earlier" => Direction::Earlier,
        "later" => Direction::Later,
        _ => return Err(AppError::invalid("Move a photo earlier or later.").with_status()),
    };
    Ok(service::move_image(&state, actor, image, direction).await?)
}

/// Take a photo off its product.
#[server(endpoint = "admin/image/remove")]
pub async fn remove_image(image: uuid::Uuid) -> Result<(), AppError> {
    let (state, actor) = catalog_admin().await?;
    Ok(service::remove_image(&state, actor, image).await?)
}

/// Make a photo's renditions again from its stored original with the current recipe.
#[server(endpoint = "admin/image/reprocess")]
pub async fn reprocess_image(image: uuid::Uuid) -> Result<(), AppError> {
    let (state, actor) = catalog_admin().await?;
    Ok(service::reprocess_image(&state, actor, image).await?)
}
