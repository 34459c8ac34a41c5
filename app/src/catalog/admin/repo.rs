//! The catalog back office's queries: the product list, stock alerts and the editor. Each takes
//! a connection; the service owns the transaction (and writes the audit entry on it).

use super::forms::ValidVariant;
use super::model::{
    AdminProductRow, CategoryChoice, EditorImage, EditorLot, EditorVariant, ExpiringLotRow,
    LowStockRow, MovementRow, ProductFields, ProductSort,
};
use crate::catalog::model::{Allergen, ProductForm, ProductKind, SkinType};
use crate::error::violates;
use crate::ids::{CategoryId, LotId, ProductId, VariantId};
use crate::inventory::model::MovementReason;
use crate::money::Money;
use chrono::NaiveDate;
use sqlx::PgConnection;

pub async fn categories(conn: &mut PgConnection) -> Result<Vec<CategoryChoice>, sqlx::Error> {
    sqlx::query_as!(
        CategoryChoice,
        r#"SELECT category_id AS "id: CategoryId", name, kind AS "kind: ProductKind"
           FROM categories ORDER BY kind, position, name"#
    )
    .fetch_all(conn)
    .await
}

pub async fn category_kind(
    conn: &mut PgConnection,
    category: CategoryId,
) -> Result<Option<ProductKind>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT kind AS "kind: ProductKind" FROM categories WHERE category_id = $1"#,
        category.0
    )
    .fetch_optional(conn)
    .await
}

/// A product's editable fields and whether it is published. The row stays locked until the
/// caller's transaction ends, so a diff taken from it is against what the update replaces
/// (outside a transaction the lock ends with the statement).
pub async fn product_fields(
    conn: &mut PgConnection,
    product: ProductId,
) -> Result<Option<(ProductFields, bool)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT name, slug, category_id AS "category: CategoryId", product_line,
                  form AS "form: ProductForm", summary, description, directions, disclaimer,
                  benefits, skin_types AS "skin_types: Vec<SkinType>",
                  allergens AS "allergens: Vec<Allergen>", accent_colour, featured,
                  published_at IS NOT NULL AS "published!"
           FROM products WHERE product_id = $1
           FOR UPDATE"#,
        product.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| {
        (
            ProductFields {
                name: r.name,
                slug: r.slug,
                category: r.category,
                product_line: r.product_line,
                form: r.form,
                summary: r.summary,
                description: r.description,
                directions: r.directions,
                disclaimer: r.disclaimer,
                benefits: r.benefits,
                skin_types: r.skin_types,
                allergens: r.allergens,
                accent_colour: r.accent_colour,
                featured: r.featured,
            },
            r.published,
        )
    }))
}

/// Overwrite a product's editable fields; `false` when the slug belongs to another product.
pub async fn update_product(
    conn: &mut PgConnection,
    product: ProductId,
    p: &ProductFields,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"UPDATE products
           SET name = $2, slug = $3, category_id = $4, product_line = $5, form = $6,
               summary = $7, description = $8, directions = $9, disclaimer = $10,
               benefits = $11, skin_types = $12, allergens = $13, accent_colour = $14,
               featured = $15
           WHERE product_id = $1"#,
        product.0,
        p.name,
        p.slug,
        p.category.0,
        p.product_line,
        p.form as ProductForm,
        p.summary,
        p.description,
        p.directions,
        p.disclaimer,
        &p.benefits,
        &p.skin_types as &[SkinType],
        &p.allergens as &[Allergen],
        p.accent_colour,
        p.featured,
    )
    .execute(conn)
    .await;
    match done {
        Ok(_) => Ok(true),
        Err(error) if violates(&error, "products_slug_key") => Ok(false),
        Err(error) => Err(error),
    }
}

/// Publish or withdraw; returns whether anything changed.
pub async fn set_published(
    conn: &mut PgConnection,
    product: ProductId,
    published: bool,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"UPDATE products SET published_at = CASE WHEN $2 THEN now() END
           WHERE product_id = $1 AND (published_at IS NOT NULL) <> $2"#,
        product.0,
        published,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn variant_count(
    conn: &mut PgConnection,
    product: ProductId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM variants WHERE product_id = $1"#,
        product.0
    )
    .fetch_one(conn)
    .await
}

/// The position after a product's last variant.
pub async fn next_variant_position(
    conn: &mut PgConnection,
    product: ProductId,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT COALESCE(max(position) + 1, 0) AS "n!" FROM variants WHERE product_id = $1"#,
        product.0
    )
    .fetch_one(conn)
    .await
}

/// A variant's current values (locked), and its product.
pub async fn variant(
    conn: &mut PgConnection,
    variant: VariantId,
) -> Result<Option<(ProductId, ValidVariant)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT product_id AS "product: ProductId", sku, label, pack_count, price_minor, currency
           FROM variants WHERE variant_id = $1 FOR UPDATE"#,
        variant.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(|r| {
        let price = Money::from_parts(r.price_minor, &r.currency).ok()?;
        Some((
            r.product,
            ValidVariant {
                sku: r.sku,
                label: r.label,
                pack_count: r.pack_count,
                price,
            },
        ))
    }))
}

/// Overwrite a variant; `false` when the SKU belongs to another variant.
pub async fn update_variant(
    conn: &mut PgConnection,
    variant: VariantId,
    v: &ValidVariant,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"UPDATE variants SET sku = $2, label = $3, pack_count = $4, price_minor = $5, currency = $6
           WHERE variant_id = $1"#,
        variant.0,
        v.sku,
        v.label,
        v.pack_count,
        v.price.minor(),
        v.price.currency().code(),
    )
    .execute(conn)
    .await;
    match done {
        Ok(_) => Ok(true),
        Err(error) if violates(&error, "variants_sku_key") => Ok(false),
        Err(error) => Err(error),
    }
}

/// The product and variant a lot belongs to, with its batch number.
pub async fn lot_owner(
    conn: &mut PgConnection,
    lot: LotId,
) -> Result<Option<(ProductId, VariantId, String)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT v.product_id AS "product: ProductId", l.variant_id AS "variant: VariantId",
                  l.batch_number
           FROM lots l JOIN variants v USING (variant_id) WHERE l.lot_id = $1"#,
        lot.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.product, r.variant, r.batch_number)))
}

/// Every variant of a product in order, each with its lots (soonest expiry first).
pub async fn variants_with_lots(
    conn: &mut PgConnection,
    product: ProductId,
    sellable_after: NaiveDate,
) -> Result<Vec<EditorVariant>, sqlx::Error> {
    let variants = sqlx::query!(
        r#"SELECT variant_id AS "id: VariantId", sku, label, pack_count, price_minor, currency
           FROM variants WHERE product_id = $1 ORDER BY position"#,
        product.0
    )
    .fetch_all(&mut *conn)
    .await?;
    let lots = sqlx::query!(
        r#"SELECT l.lot_id AS "id: LotId", l.variant_id AS "variant: VariantId", l.batch_number,
                  l.expiry_date, l.on_hand
           FROM lots l JOIN variants v USING (variant_id)
           WHERE v.product_id = $1
           ORDER BY l.expiry_date, l.batch_number"#,
        product.0
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(variants
        .into_iter()
        .filter_map(|v| {
            let price = Money::from_parts(v.price_minor, &v.currency).ok()?;
            Some(EditorVariant {
                lots: lots
                    .iter()
                    .filter(|l| l.variant == v.id)
                    .map(|l| EditorLot {
                        id: l.id,
                        batch_number: l.batch_number.clone(),
                        expiry_date: l.expiry_date.to_string(),
                        on_hand: i64::from(l.on_hand),
                        unsellable: l.expiry_date <= sellable_after,
                    })
                    .collect(),
                id: v.id,
                sku: v.sku,
                label: v.label,
                pack_count: v.pack_count,
                price,
            })
        })
        .collect())
}

/// A product's latest stock entries, newest first.
pub async fn movements(
    conn: &mut PgConnection,
    vault: &crate::vault::Vault,
    product: ProductId,
    limit: i64,
) -> Result<Vec<MovementRow>, crate::vault::VaultError> {
    let rows = sqlx::query!(
        r#"SELECT to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS "at!",
                  v.sku, l.batch_number, m.reason, m.quantity, m.note,
                  person_name(m.actor_id) AS "by: crate::vault::Sealed"
           FROM stock_movements m
           JOIN lots l USING (lot_id)
           JOIN variants v USING (variant_id)
           WHERE v.product_id = $1
           ORDER BY m.created_at DESC, m.movement_id DESC
           LIMIT $2"#,
        product.0,
        limit,
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(MovementRow {
                at: r.at,
                sku: r.sku,
                batch_number: r.batch_number,
                reason: MovementReason::from_db_name(&r.reason)
                    .unwrap_or(MovementReason::StockCount),
                quantity: i64::from(r.quantity),
                note: r.note,
                by: crate::accounts::repo::reveal_name_of(vault, r.by.as_ref())?,
            })
        })
        .collect()
}

/// A product's photos in order, with their AVIF state.
pub async fn images(
    conn: &mut PgConnection,
    product: ProductId,
) -> Result<Vec<EditorImage>, sqlx::Error> {
    Ok(crate::media::repo::photos(conn, &[product])
        .await?
        .into_iter()
        .map(|p| EditorImage {
            id: p.id,
            image: p.image,
            avif_state: p.avif_state,
        })
        .collect())
}

/// `%term%` for ILIKE, with the pattern characters in `term` taken literally.
fn contains_pattern(term: &str) -> String {
    let escaped = term
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Products whose name, slug or any SKU contains `query`, one page in `sort` order, with the
/// total count.
pub async fn products(
    conn: &mut PgConnection,
    query: &str,
    sort: ProductSort,
    sellable_after: NaiveDate,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AdminProductRow>, i64), sqlx::Error> {
    let pattern = contains_pattern(query);
    let sort_key = sort.slug();
    let rows = sqlx::query!(
        r#"WITH matching AS (
               SELECT p.product_id, p.slug, p.name, p.product_line, p.published_at, p.updated_at,
                      c.name AS category
               FROM products p JOIN categories c USING (category_id)
               WHERE $1 = '%%'
                  OR p.name ILIKE $1 OR p.slug ILIKE $1
                  OR EXISTS (SELECT 1 FROM variants v
                             WHERE v.product_id = p.product_id AND v.sku ILIKE $1)
           )
           SELECT m.product_id AS "id: ProductId", m.slug, m.name, m.product_line, m.category,
                  m.published_at IS NOT NULL AS "published!",
                  to_char(m.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS "updated!",
                  (SELECT count(*) FROM variants v WHERE v.product_id = m.product_id) AS "variants!",
                  (SELECT COALESCE(sum(l.on_hand - l.reserved), 0)::bigint FROM lots l JOIN variants v USING (variant_id)
                   WHERE v.product_id = m.product_id AND l.expiry_date > $2) AS "sellable!",
                  (SELECT count(*) FROM product_images i WHERE i.product_id = m.product_id) AS "images!",
                  count(*) OVER () AS "total!"
           FROM matching m
           ORDER BY
               CASE WHEN $3 = 'changed' THEN m.updated_at END DESC,
               CASE WHEN $3 = 'stock' THEN
                   (SELECT COALESCE(sum(l.on_hand - l.reserved), 0) FROM lots l JOIN variants v USING (variant_id)
                    WHERE v.product_id = m.product_id AND l.expiry_date > $2) END ASC,
               m.name, m.slug
           LIMIT $4 OFFSET $5"#,
        pattern,
        sellable_after,
        sort_key,
        limit,
        offset,
    )
    .fetch_all(&mut *conn)
    .await?;
    let total = match rows.first() {
        Some(r) => r.total,
        // Past the last page the window is empty; count on its own.
        None => {
            sqlx::query_scalar!(
                r#"SELECT count(*) AS "n!" FROM products p
               WHERE $1 = '%%' OR p.name ILIKE $1 OR p.slug ILIKE $1
                  OR EXISTS (SELECT 1 FROM variants v
                             WHERE v.product_id = p.product_id AND v.sku ILIKE $1)"#,
                pattern
            )
            .fetch_one(&mut *conn)
            .await?
        }
    };
    Ok((
        rows.into_iter()
            .map(|r| AdminProductRow {
                id: r.id,
                slug: r.slug,
                name: r.name,
                category: r.category,
                product_line: r.product_line,
                published: r.published,
                variants: r.variants,
                sellable_units: r.sellable,
                images: r.images,
                updated: r.updated,
            })
            .collect(),
        total,
    ))
}

/// Variants of published products with at most `threshold` sellable units, fewest first.
pub async fn low_stock(
    conn: &mut PgConnection,
    sellable_after: NaiveDate,
    threshold: i64,
) -> Result<Vec<LowStockRow>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT v.sku, v.label, p.name, p.slug,
                  COALESCE(sum(l.on_hand - l.reserved) FILTER (WHERE l.expiry_date > $1), 0)::bigint AS "sellable!"
           FROM variants v
           JOIN products p USING (product_id)
           LEFT JOIN lots l USING (variant_id)
           WHERE p.published_at IS NOT NULL
           GROUP BY v.variant_id, p.product_id
           HAVING COALESCE(sum(l.on_hand - l.reserved) FILTER (WHERE l.expiry_date > $1), 0) <= $2
           ORDER BY 5, p.name, v.sku"#,
        sellable_after,
        threshold,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| LowStockRow {
            sku: r.sku,
            product_name: r.name,
            product_slug: r.slug,
            variant_label: r.label,
            sellable_units: r.sellable,
        })
        .collect())
}

/// Lots with stock that expire on or before `until`, soonest first; `unsellable` marks those
/// at or inside the minimum remaining shelf life (`sellable_after`).
pub async fn expiring(
    conn: &mut PgConnection,
    today: NaiveDate,
    until: NaiveDate,
    sellable_after: NaiveDate,
) -> Result<Vec<ExpiringLotRow>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT l.batch_number, l.expiry_date, l.on_hand, v.sku, p.name, p.slug
           FROM lots l
           JOIN variants v USING (variant_id)
           JOIN products p USING (product_id)
           WHERE l.on_hand > 0 AND l.expiry_date <= $1
           ORDER BY l.expiry_date, p.name, l.batch_number"#,
        until,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ExpiringLotRow {
            batch_number: r.batch_number,
            sku: r.sku,
            product_name: r.name,
            product_slug: r.slug,
            expiry_date: r.expiry_date.to_string(),
            days_left: (r.expiry_date - today).num_days(),
            on_hand: i64::from(r.on_hand),
            unsellable: r.expiry_date <= sellable_after,
        })
        .collect())
}
