//! The catalog back office's use cases: the product list and stock alerts, and every change
//! the editor makes (products, variants, lots and their stock entries, photos). Each change is
//! one transaction with its audit entry, so the change and its record commit together.

use super::forms::{AdjustmentInput, LotInput, ProductInput, VariantInput, check_alt_text};
use super::model::{
    ADMIN_PRODUCTS_PER_PAGE, AdminProductsPage, DEFAULT_EXPIRY_WINDOW_DAYS, EditorChoices,
    InventoryAlerts, MAX_EXPIRY_WINDOW_DAYS, ProductEditor, ProductFields, ProductSort,
    UploadedPhoto,
};
use super::repo;
use crate::audit::model::Changes;
use crate::audit::{Action, Actor};
use crate::catalog::repo::{NewProduct, NewVariant, insert_product, insert_variant};
use crate::error::{AppError, ServiceError, violates};
use crate::ids::{LotId, ProductId, VariantId};
use crate::inventory::model::{LOW_STOCK_THRESHOLD, sellable_expiry_after};
use crate::inventory::repo::{Adjusted, NewLot, adjust_lot};
use crate::media::model::Direction;
use crate::media::repo as photos;
use crate::state::AppState;
use crate::ui::page_count;
use serde_json::json;
use sqlx::PgConnection;

type Result<T> = std::result::Result<T, ServiceError>;

/// One page of products matching `query` (name, slug or SKU), in `sort` order.
pub async fn products(
    state: &AppState,
    query: &str,
    sort: &str,
    page: u32,
) -> Result<AdminProductsPage> {
    let query = query.trim().to_owned();
    if query.chars().count() > 100 {
        return Err(AppError::field("q", "Search with at most 100 characters.").into());
    }
    let sort = ProductSort::from_slug(sort);
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
pub async fn inventory_alerts(state: &AppState, days: Option<u32>) -> Result<InventoryAlerts> {
    let days = days.unwrap_or(DEFAULT_EXPIRY_WINDOW_DAYS);
    if !(1..=MAX_EXPIRY_WINDOW_DAYS).contains(&days) {
        return Err(AppError::field(
            "days",
            format!("Choose a window between 1 and {MAX_EXPIRY_WINDOW_DAYS} days."),
        )
        .into());
    }
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

/// The newest stock entries the editor lists.
const MOVEMENTS_SHOWN: i64 = 30;

fn not_found() -> ServiceError {
    AppError::NotFound.into()
}

/// Everything the editor shows for one product.
pub async fn editor(state: &AppState, id: ProductId) -> Result<ProductEditor> {
    let mut conn = state.db.acquire().await?;
    let (fields, published) = repo::product_fields(&mut conn, id)
        .await?
        .ok_or_else(not_found)?;
    let variants =
        repo::variants_with_lots(&mut conn, id, sellable_expiry_after(state.clock.today())).await?;
    let images = repo::images(&mut conn, id).await?;
    let movements = repo::movements(&mut conn, &state.vault, id, MOVEMENTS_SHOWN).await?;
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
pub async fn choices(state: &AppState) -> Result<EditorChoices> {
    let mut conn = state.db.acquire().await?;
    Ok(EditorChoices {
        categories: repo::categories(&mut conn).await?,
    })
}

/// An empty disclaimer becomes the standard text for the chosen category's kind.
async fn with_standard_disclaimer(
    conn: &mut PgConnection,
    mut input: ProductInput,
) -> Result<ProductInput> {
    if input.disclaimer.trim().is_empty()
        && let Ok(id) = uuid::Uuid::parse_str(input.category.trim())
        && let Some(kind) = repo::category_kind(conn, crate::ids::CategoryId(id)).await?
    {
        input.disclaimer = kind.standard_disclaimer().to_owned();
    }
    Ok(input)
}

fn slug_taken() -> ServiceError {
    AppError::field(
        "product[slug]",
        "Another product already uses this web address; choose another.",
    )
    .into()
}

/// Create a product as a draft (publishing comes once it has a variant). Returns its id.
pub async fn create_product(
    state: &AppState,
    actor: Actor,
    product: ProductInput,
) -> Result<ProductId> {
    let mut tx = state.db.begin().await?;
    let valid = with_standard_disclaimer(&mut tx, product).await?.check()?;
    let id = ProductId(uuid::Uuid::now_v7());
    let inserted = insert_product(&mut tx, &new_product(id, &valid)).await;
    product_written(inserted)?;
    actor
        .record(
            &mut tx,
            Action::ProductCreated,
            id.0,
            json!({ "name": valid.name, "slug": valid.slug }),
        )
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// A new product's row from its checked fields.
fn new_product(id: ProductId, p: &ProductFields) -> NewProduct<'_> {
    NewProduct {
        id,
        category: p.category,
        slug: &p.slug,
        name: &p.name,
        product_line: &p.product_line,
        form: p.form,
        summary: &p.summary,
        description: &p.description,
        directions: &p.directions,
        disclaimer: &p.disclaimer,
        benefits: &p.benefits,
        skin_types: &p.skin_types,
        allergens: &p.allergens,
        accent_colour: &p.accent_colour,
        featured: p.featured,
        published: false,
    }
}

/// A product insert or update as the admin hears of it: `false` means the slug is taken.
fn product_written(written: std::result::Result<bool, sqlx::Error>) -> Result<()> {
    match written {
        Ok(true) => Ok(()),
        Ok(false) => Err(slug_taken()),
        Err(error) if violates(&error, "products_category_id_fkey") => {
            Err(AppError::field("product[category]", "That category no longer exists.").into())
        }
        Err(error) => Err(error.into()),
    }
}

/// Save a product's text and attributes.
pub async fn save_product(
    state: &AppState,
    actor: Actor,
    id: ProductId,
    product: ProductInput,
) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let valid = with_standard_disclaimer(&mut tx, product).await?.check()?;
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
            json!({ "name": valid.name, "changes": changed.into_value() }),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Put a product in the shop, or take it out.
pub async fn publish(state: &AppState, actor: Actor, id: ProductId, publish: bool) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let (fields, _) = repo::product_fields(&mut tx, id)
        .await?
        .ok_or_else(not_found)?;
    if publish && repo::variant_count(&mut tx, id).await? == 0 {
        return Err(AppError::invalid(
            "Add at least one variant with a price before publishing: the shop has nothing to sell yet.",
        )
        .into());
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

fn sku_taken() -> ServiceError {
    AppError::field(
        "variant[sku]",
        "Another variant already has this SKU; SKUs are unique.",
    )
    .into()
}

/// Add a size or pack to a product.
pub async fn add_variant(
    state: &AppState,
    actor: Actor,
    product: ProductId,
    variant: VariantInput,
) -> Result<()> {
    let valid = variant.check()?;
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
        Err(error) if violates(&error, "variants_sku_key") => return Err(sku_taken()),
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
pub async fn save_variant(
    state: &AppState,
    actor: Actor,
    id: VariantId,
    variant: VariantInput,
) -> Result<()> {
    let valid = variant.check()?;
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
                "sku": valid.sku,
                "changes": Changes::new()
                    .field("sku", &before.sku, &valid.sku)
                    .field("label", &before.label, &valid.label)
                    .field("pack_count", &before.pack_count, &valid.pack_count)
                    .field("price_minor", &before.price.minor(), &valid.price.minor())
                    .into_value(),
            }),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Record a delivery: a new lot with its batch number, best-before date and quantity.
pub async fn receive_lot(
    state: &AppState,
    actor: Actor,
    variant_id: VariantId,
    lot: LotInput,
) -> Result<()> {
    let valid = lot.check(state.clock.today())?;
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
        .into());
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
pub async fn adjust_stock(
    state: &AppState,
    actor: Actor,
    lot_id: LotId,
    adjust: AdjustmentInput,
) -> Result<i64> {
    let valid = adjust.check()?;
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
            .into());
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

/// A photo's product and hash, locked; not found otherwise.
async fn photo(conn: &mut PgConnection, image: uuid::Uuid) -> Result<(ProductId, String, String)> {
    photos::image_owner(conn, image)
        .await?
        .ok_or_else(not_found)
}

/// Change a photo's alt text.
pub async fn save_alt_text(
    state: &AppState,
    actor: Actor,
    image: uuid::Uuid,
    alt_text: &str,
) -> Result<()> {
    let alt = check_alt_text(alt_text)?;
    let mut tx = state.db.begin().await?;
    let (product, _, before) = photo(&mut tx, image).await?;
    if before == alt {
        return Ok(());
    }
    photos::set_alt_text(&mut tx, image, &alt).await?;
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
pub async fn move_image(
    state: &AppState,
    actor: Actor,
    image: uuid::Uuid,
    direction: Direction,
) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let (product, _, _) = photo(&mut tx, image).await?;
    if photos::move_image(&mut tx, product, image, direction).await? {
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
pub async fn remove_image(state: &AppState, actor: Actor, image: uuid::Uuid) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let (product, hash, alt) = photo(&mut tx, image).await?;
    photos::remove_image(&mut tx, product, image).await?;
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
pub async fn reprocess_image(state: &AppState, actor: Actor, image: uuid::Uuid) -> Result<()> {
    let (product, hash, _) = {
        let mut conn = state.db.acquire().await?;
        photo(&mut conn, image).await?
    };
    state
        .media
        .reprocess(&state.db, &hash)
        .await
        .map_err(AppError::from)?;
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

/// Check, process and store an uploaded photo, then add it to the end of `product`'s photos
/// (for the upload endpoint, which streams the file in and authorizes first).
pub async fn add_photo(
    state: &AppState,
    actor: Actor,
    product: ProductId,
    bytes: Vec<u8>,
    alt_text: &str,
) -> Result<UploadedPhoto> {
    let alt = check_alt_text(alt_text)?;
    let mut conn = state.db.acquire().await?;
    // Refuse an unknown product before spending a core on its photo.
    repo::product_fields(&mut conn, product)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let ingested = state
        .media
        .ingest(&state.db, bytes)
        .await
        .map_err(AppError::from)?;
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
