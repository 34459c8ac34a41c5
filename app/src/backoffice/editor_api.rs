//! The catalog editor's server functions, for admins with the catalog scope. Every change runs
//! in one transaction with its audit entry; the search outbox triggers on the same tables, so
//! the shop and its search see the change as soon as it commits.

use super::editor_model::{
    AdjustmentInput, EditorChoices, LotInput, ProductEditor, ProductInput, VariantInput,
};
use crate::error::AppError;
use crate::ids::{LotId, ProductId, VariantId};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::editor_model::{Direction, ProductFields, ValidProduct},
    super::editor_repo as repo,
    crate::accounts::authz::acting_admin,
    crate::accounts::model::Role,
    crate::audit::{Action, Actor},
    crate::catalog::repo::{NewProduct, NewVariant, insert_product, insert_variant},
    crate::inventory::model::sellable_expiry_after,
    crate::inventory::repo::{Adjusted, NewLot, adjust_lot},
    crate::state::{AppState, app_state},
    serde_json::json,
    sqlx::PgConnection,
};

/// The newest stock entries the editor lists.
#[cfg(feature = "ssr")]
const MOVEMENTS_SHOWN: i64 = 30;

#[cfg(feature = "ssr")]
fn not_found() -> AppError {
    AppError::NotFound.with_status()
}

/// Everything the editor shows for one product.
#[server(endpoint = "admin/product-editor")]
pub async fn load_product_editor(id: ProductId) -> Result<ProductEditor, AppError> {
    acting_admin(Role::AdminCatalog).await?;
    let state = app_state()?;
    let mut conn = state.db.acquire().await?;
    let (fields, published) = repo::product_fields(&mut conn, id)
        .await?
        .ok_or_else(not_found)?;
    let variants =
        repo::variants_with_lots(&mut conn, id, sellable_expiry_after(state.clock.today())).await?;
    let images = repo::images(&mut conn, id).await?;
    let movements = repo::movements(&mut conn, id, MOVEMENTS_SHOWN).await?;
    Ok(ProductEditor {
        id,
        fields,
        published,
        variants,
        images,
        movements,
    })
}

/// The categories a product can be filed under.
#[server(endpoint = "admin/editor-choices")]
pub async fn load_editor_choices() -> Result<EditorChoices, AppError> {
    acting_admin(Role::AdminCatalog).await?;
    let state = app_state()?;
    let mut conn = state.db.acquire().await?;
    Ok(EditorChoices {
        categories: repo::categories(&mut conn).await?,
    })
}

/// An empty disclaimer becomes the standard text for the chosen category's kind.
#[cfg(feature = "ssr")]
async fn with_standard_disclaimer(
    conn: &mut PgConnection,
    mut input: ProductInput,
) -> Result<ProductInput, AppError> {
    if input.disclaimer.trim().is_empty()
        && let Ok(id) = uuid::Uuid::parse_str(input.category.trim())
        && let Some(kind) = repo::category_kind(conn, crate::ids::CategoryId(id)).await?
    {
        input.disclaimer = kind.standard_disclaimer().to_owned();
    }
    Ok(input)
}

#[cfg(feature = "ssr")]
fn slug_taken() -> AppError {
    AppError::field(
        "product[slug]",
        "Another product already uses this web address; choose another.",
    )
    .with_status()
}

/// Create a product as a draft (publishing comes once it has a variant). Returns its id.
#[server(endpoint = "admin/product/create")]
pub async fn create_product(product: ProductInput) -> Result<ProductId, AppError> {
    let actor = acting_admin(Role::AdminCatalog).await?;
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    let valid = with_standard_disclaimer(&mut tx, product)
        .await?
        .check()
        .map_err(AppError::with_status)?;
    let id = ProductId(uuid::Uuid::now_v7());
    let ValidProduct {
        name,
        slug,
        category,
        product_line,
        form,
        summary,
        description,
        directions,
        disclaimer,
        benefits,
        skin_types,
        allergens,
        accent_colour,
        featured,
    } = &valid;
    let inserted = insert_product(
        &mut tx,
        &NewProduct {
            id,
            category: *category,
            slug,
            name,
            product_line,
            form: *form,
            summary,
            description,
            directions,
            disclaimer,
            benefits,
            skin_types,
            allergens,
            accent_colour,
            featured: *featured,
            published: false,
        },
    )
    .await;
    product_written(inserted)?;
    actor
        .record(
            &mut tx,
            Action::ProductCreated,
            id.0,
            json!({ "name": name, "slug": slug }),
        )
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// A product insert or update as the admin hears of it: `false` means the slug is taken.
#[cfg(feature = "ssr")]
fn product_written(written: Result<bool, sqlx::Error>) -> Result<(), AppError> {
    match written {
        Ok(true) => Ok(()),
        Ok(false) => Err(slug_taken()),
        Err(error) if repo::violates(&error, "products_category_id_fkey") => Err(AppError::field(
            "product[category]",
            "That category no longer exists.",
        )
        .with_status()),
        Err(error) => Err(error.into()),
    }
}

/// Save a product's text and attributes.
#[server(endpoint = "admin/product/save")]
pub async fn save_product(id: ProductId, product: ProductInput) -> Result<(), AppError> {
    let actor = acting_admin(Role::AdminCatalog).await?;
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    let valid = with_standard_disclaimer(&mut tx, product)
        .await?
        .check()
        .map_err(AppError::with_status)?;
    let (before, _): (ProductFields, bool) = repo::product_fields(&mut tx, id)
        .await?
        .ok_or_else(not_found)?;
    let changed = before.changes(&valid);
    if changed.is_empty() {
        return Ok(());
    }
    product_written(repo::update_product(&mut tx, id, &valid).await)?;
    actor
        .record(
            &mut tx,
            Action::ProductUpdated,
            id.0,
            json!({ "name": valid.name, "changed": changed }),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Put a product in the shop, or take it out.
#[server(endpoint = "admin/product/publish")]
pub async fn publish_product(id: ProductId, publish: bool) -> Result<(), AppError> {
    let actor = acting_admin(Role::AdminCatalog).await?;
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    let (fields, _) = repo::product_fields(&mut tx, id)
        .await?
        .ok_or_else(not_found)?;
    if publish && repo::variant_count(&mut tx, id).await? == 0 {
        return Err(AppError::invalid(
            "Add at least one variant with a price before publishing: the shop has nothing to sell yet.",
        )
        .with_status());
    }
    if repo::set_published(&mut tx, id, publish).await? {
        let action = if publish {
            Action::ProductPublished
        } else {
            Action::ProductUnpublished
        };
        actor
            .record(&mut tx, action, id.0, json!({ "name": fields.name }))
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(feature = "ssr")]
fn sku_taken() -> AppError {
    AppError::field(
        "variant[sku]",
        "Another variant already has this SKU; SKUs are unique.",
    )
    .with_status()
}

/// Add a size or pack to a product.
#[server(endpoint = "admin/variant/add")]
pub async fn add_variant(product: ProductId, variant: VariantInput) -> Result<(), AppError> {
    let actor = acting_admin(Role::AdminCatalog).await?;
    let valid = variant.check().map_err(AppError::with_status)?;
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    // Locks the product, so two variants added at once get distinct positions.
    repo::product_fields(&mut tx, product)
        .await?
        .ok_or_else(not_found)?;
    let position = repo::next_variant_position(&mut tx, product).await?;
    let id = VariantId(uuid::Uuid::now_v7());
    let inserted = insert_variant(
        &mut tx,
        &NewVariant {
            id,
            product,
            sku: &valid.sku,
            label: &valid.label,
            pack_count: valid.pack_count,
            price: valid.price,
            position,
        },
    )
    .await;
    match inserted {
        Ok(()) => {}
        Err(error) if repo::violates(&error, "variants_sku_key") => return Err(sku_taken()),
        Err(error) => return Err(error.into()),
    }
    actor
        .record(
            &mut tx,
            Action::VariantCreated,
            id.0,
            json!({ "product": product.0, "sku": valid.sku, "label": valid.label,
                    "price_minor": valid.price.minor() }),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Change a variant's SKU, label, pack count or price.
#[server(endpoint = "admin/variant/save")]
pub async fn save_variant(id: VariantId, variant: VariantInput) -> Result<(), AppError> {
    let actor = acting_admin(Role::AdminCatalog).await?;
    let valid = variant.check().map_err(AppError::with_status)?;
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    let (_, before) = repo::variant(&mut tx, id).await?.ok_or_else(not_found)?;
    if before == valid {
        return Ok(());
    }
    if !repo::update_variant(&mut tx, id, &valid).await? {
        return Err(sku_taken());
    }
    actor
        .record(
            &mut tx,
            Action::VariantUpdated,
            id.0,
            json!({
                "sku": [before.sku, valid.sku],
                "label": [before.label, valid.label],
                "pack_count": [before.pack_count, valid.pack_count],
                "price_minor": [before.price.minor(), valid.price.minor()],
            }),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Record a delivery: a new lot with its batch number, best-before date and quantity.
#[server(endpoint = "admin/lot/receive")]
pub async fn receive_lot(variant_id: VariantId, lot: LotInput) -> Result<(), AppError> {
    let actor = acting_admin(Role::AdminCatalog).await?;
    let state = app_state()?;
    let valid = lot
        .check(state.clock.today())
        .map_err(AppError::with_status)?;
    let mut tx = state.db.begin().await?;
    let (_, variant) = repo::variant(&mut tx, variant_id)
        .await?
        .ok_or_else(not_found)?;
    let id = LotId(uuid::Uuid::now_v7());
    let received = crate::inventory::repo::receive_lot(
        &mut tx,
        &NewLot {
            id,
            variant: variant_id,
            batch_number: &valid.batch_number,
            expiry_date: valid.expiry_date,
            quantity: valid.quantity,
        },
        Some(actor.user),
    )
    .await?;
    if !received {
        return Err(AppError::field(
            "lot[batch_number]",
            format!(
                "Batch {} of {} is already received. To change its stock, correct that lot instead.",
                valid.batch_number, variant.sku
            ),
        )
        .with_status());
    }
    actor
        .record(
            &mut tx,
            Action::LotReceived,
            id.0,
            json!({ "sku": variant.sku, "batch": valid.batch_number,
                    "expiry": valid.expiry_date, "quantity": valid.quantity }),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Correct a lot's stock by a number of units, with a reason; recorded as an entry.
#[server(endpoint = "admin/lot/adjust")]
pub async fn adjust_stock(lot_id: LotId, adjust: AdjustmentInput) -> Result<i64, AppError> {
    let actor = acting_admin(Role::AdminCatalog).await?;
    let valid = adjust.check().map_err(AppError::with_status)?;
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    let (_, _, batch) = repo::lot_owner(&mut tx, lot_id)
        .await?
        .ok_or_else(not_found)?;
    let outcome = adjust_lot(
        &mut tx,
        lot_id,
        valid.quantity,
        valid.reason,
        &valid.note,
        Some(actor.user),
    )
    .await?;
    let on_hand = match outcome {
        Adjusted::OnHand(on_hand) => on_hand,
        Adjusted::TooFew { on_hand, reserved } => {
            let held = match reserved {
                0 => String::new(),
                n => format!(" ({n} of them held for orders awaiting payment)"),
            };
            return Err(AppError::field(
                "adjust[quantity]",
                format!(
                    "Batch {batch} holds {on_hand}{held}; it can't lose {}.",
                    -valid.quantity
                ),
            )
            .with_status());
        }
        Adjusted::NoSuchLot => return Err(not_found()),
    };
    actor
        .record(
            &mut tx,
            Action::StockAdjusted,
            lot_id.0,
            json!({ "batch": batch, "quantity": valid.quantity,
                    "reason": valid.reason.db_name(), "note": valid.note, "on_hand": on_hand }),
        )
        .await?;
    tx.commit().await?;
    Ok(on_hand)
}

/// Check alt text: what a screen reader says instead of the photo.
pub fn check_alt_text(raw: &str) -> Result<String, AppError> {
    let alt = raw.trim();
    match alt.chars().count() {
        0 => Err(AppError::field(
            "alt_text",
            "Describe the photo for people who can't see it (for example “Amber bottle of night serum, 30 ml”).",
        )),
        1..=250 => Ok(alt.to_owned()),
        _ => Err(AppError::field(
            "alt_text",
            "Keep the description to 250 characters.",
        )),
    }
}

/// A photo's product and hash, locked; not found otherwise.
#[cfg(feature = "ssr")]
async fn photo(
    conn: &mut PgConnection,
    image: uuid::Uuid,
) -> Result<(ProductId, String, String), AppError> {
    repo::image_owner(conn, image).await?.ok_or_else(not_found)
}

/// Change a photo's alt text.
#[server(endpoint = "admin/image/alt")]
pub async fn save_alt_text(image: uuid::Uuid, alt_text: String) -> Result<(), AppError> {
    let actor = acting_admin(Role::AdminCatalog).await?;
    let alt = check_alt_text(&alt_text).map_err(AppError::with_status)?;
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    let (product, _, before) = photo(&mut tx, image).await?;
    if before == alt {
        return Ok(());
    }
    repo::set_alt_text(&mut tx, image, &alt).await?;
    actor
        .record(
            &mut tx,
            Action::ImageUpdated,
            image,
            json!({ "product": product.0, "alt_text": [before, alt] }),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Move a photo one place earlier ("earlier") or later ("later"); the first is the cover.
#[server(endpoint = "admin/image/move")]
pub async fn move_image(image: uuid::Uuid, direction: String) -> Result<(), AppError> {
    let actor = acting_admin(Role::AdminCatalog).await?;
    let direction = match direction.as_str() {
        "earlier" => Direction::Earlier,
        "later" => Direction::Later,
        _ => return Err(AppError::invalid("Move a photo earlier or later.").with_status()),
    };
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    let (product, _, _) = photo(&mut tx, image).await?;
    if repo::move_image(&mut tx, product, image, direction).await? {
        actor
            .record(
                &mut tx,
                Action::ImageMoved,
                image,
                json!({ "product": product.0, "direction": format!("{direction:?}").to_lowercase() }),
            )
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Take a photo off its product.
#[server(endpoint = "admin/image/remove")]
pub async fn remove_image(image: uuid::Uuid) -> Result<(), AppError> {
    let actor = acting_admin(Role::AdminCatalog).await?;
    let state = app_state()?;
    let mut tx = state.db.begin().await?;
    let (product, hash, alt) = photo(&mut tx, image).await?;
    repo::remove_image(&mut tx, product, image).await?;
    actor
        .record(
            &mut tx,
            Action::ImageRemoved,
            image,
            json!({ "product": product.0, "hash": hash, "alt_text": alt }),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Make a photo's renditions again from its stored original with the current recipe.
#[server(endpoint = "admin/image/reprocess")]
pub async fn reprocess_image(image: uuid::Uuid) -> Result<(), AppError> {
    let actor = acting_admin(Role::AdminCatalog).await?;
    let state = app_state()?;
    let (product, hash, _) = {
        let mut conn = state.db.acquire().await?;
        photo(&mut conn, image).await?
    };
    state
        .media
        .reprocess(&state.db, &hash)
        .await
        .map_err(|e| AppError::from(e).with_status())?;
    let mut conn = state.db.acquire().await?;
    actor
        .record(
            &mut conn,
            Action::ImageReprocessed,
            image,
            json!({ "product": product.0, "hash": hash }),
        )
        .await?;
    Ok(())
}

/// What an upload answers: the new photo on its product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedPhoto {
    pub id: uuid::Uuid,
    pub hash: String,
    pub width: u32,
    pub height: u32,
}

/// Check, process and store an uploaded photo, then add it to the end of `product`'s photos
/// (for the upload endpoint, which streams the file in and authorizes first).
#[cfg(feature = "ssr")]
pub async fn add_photo(
    state: &AppState,
    actor: Actor,
    product: ProductId,
    bytes: Vec<u8>,
    alt_text: &str,
) -> Result<UploadedPhoto, AppError> {
    let alt = check_alt_text(alt_text)?;
    let mut conn = state.db.acquire().await?;
    // Refuse an unknown product before spending a core on its photo.
    repo::product_fields(&mut conn, product)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let ingested = state.media.ingest(&state.db, bytes).await?;
    let mut tx = state.db.begin().await?;
    // Locked: parallel uploads to one product queue here for their positions.
    repo::product_fields(&mut tx, product)
        .await?
        .ok_or(AppError::NotFound)?;
    let id = crate::media::repo::attach(&mut tx, product, &ingested.hash, &alt).await?;
    actor
        .record(
            &mut tx,
            Action::ImageAdded,
            id,
            json!({ "product": product.0, "hash": ingested.hash, "alt_text": alt }),
        )
        .await?;
    tx.commit().await?;
    Ok(UploadedPhoto {
        id,
        hash: ingested.hash,
        width: ingested.width,
        height: ingested.height,
    })
}
