//! Catalog queries. Each takes a connection; the caller owns any transaction.

use super::model::{
    Allergen, CategorySummary, Ingredient, IngredientUnit, ProductCard, ProductDetail, ProductForm,
    ProductKind, SkinType, Sort, SubscribeOffer,
};
use crate::ids::{CategoryId, ProductId, VariantId};
use crate::inventory::model::StockStatus;
use crate::money::{Money, MoneyError};
use chrono::NaiveDate;
use sqlx::PgConnection;

fn money(minor: i64, currency: &str) -> Result<Money, sqlx::Error> {
    Money::from_parts(minor, currency).map_err(|e: MoneyError| sqlx::Error::Decode(Box::new(e)))
}

/// Categories with their count of published products; all of them, or the one with `slug`.
pub async fn categories(
    conn: &mut PgConnection,
    slug: Option<&str>,
) -> Result<Vec<CategorySummary>, sqlx::Error> {
    sqlx::query_as!(
        CategorySummary,
        r#"
        SELECT c.category_id AS "id: CategoryId", c.slug, c.name, c.tagline,
               c.kind AS "kind: ProductKind",
               count(p.product_id) AS "product_count!"
        FROM categories c
        LEFT JOIN products p ON p.category_id = c.category_id AND p.published_at IS NOT NULL
        WHERE ($1::text IS NULL OR c.slug = $1)
        GROUP BY c.category_id
        ORDER BY c.position, c.name
        "#,
        slug
    )
    .fetch_all(conn)
    .await
}

/// Every category's slug and name, for labels (no counts: cheap enough for every search).
pub async fn category_names(conn: &mut PgConnection) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query!("SELECT slug, name FROM categories ORDER BY position, name")
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(|r| (r.slug, r.name)).collect())
}

pub struct CardQuery<'a> {
    pub category_slug: Option<&'a str>,
    pub featured_only: bool,
    pub sort: Sort,
    pub limit: i64,
    pub offset: i64,
    /// Lots expiring on or before this date do not count as stock.
    pub sellable_after: NaiveDate,
}

/// Published product cards (cheapest price, sellable stock) and the total matching count.
pub async fn product_cards(
    conn: &mut PgConnection,
    q: CardQuery<'_>,
) -> Result<(Vec<ProductCard>, u64), sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        SELECT p.product_id AS "id: ProductId", p.slug, p.name, p.product_line, p.summary,
               p.form AS "form: ProductForm", p.accent_colour,
               cheapest.price_minor AS "price_minor!", cheapest.currency AS "currency!",
               cheapest.variant_count AS "variant_count!",
               COALESCE(stock.available, 0)::bigint AS "available!",
               count(*) OVER () AS "total!"
        FROM products p
        JOIN categories c ON c.category_id = p.category_id
        JOIN LATERAL (
            SELECT v.price_minor, v.currency, count(*) OVER () AS variant_count
            FROM variants v
            WHERE v.product_id = p.product_id
            ORDER BY v.price_minor, v.position
            LIMIT 1
        ) cheapest ON true
        LEFT JOIN LATERAL (
            SELECT sum(l.on_hand - l.reserved) AS available
            FROM lots l JOIN variants v ON v.variant_id = l.variant_id
            WHERE v.product_id = p.product_id AND l.expiry_date > $2
        ) stock ON true
        WHERE p.published_at IS NOT NULL
          AND ($1::text IS NULL OR c.slug = $1)
          AND (NOT $3 OR p.featured)
        ORDER BY
            CASE WHEN $4 = 'price-asc' THEN cheapest.price_minor END ASC,
            CASE WHEN $4 = 'price-desc' THEN cheapest.price_minor END DESC,
            CASE WHEN $4 = 'newest' THEN p.created_at END DESC,
            p.featured DESC, p.name, p.product_id
        LIMIT $5 OFFSET $6
        "#,
        q.category_slug,
        q.sellable_after,
        q.featured_only,
        q.sort.param(),
        q.limit,
        q.offset,
    )
    .fetch_all(conn)
    .await?;

    let total = rows
        .first()
        .map_or(0, |r| u64::try_from(r.total).unwrap_or(0));
    let cards = rows
        .into_iter()
        .map(|r| {
            Ok(ProductCard {
                id: r.id,
                slug: r.slug,
                name: r.name,
                product_line: r.product_line,
                summary: r.summary,
                form: r.form,
                accent_colour: r.accent_colour,
                price_from: money(r.price_minor, &r.currency)?,
                variant_count: r.variant_count,
                stock: StockStatus::from_available(r.available),
                image: None,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok((cards, total))
}

/// A published product's own fields; variants and ingredients are loaded separately.
pub async fn published_product(
    conn: &mut PgConnection,
    slug: &str,
) -> Result<Option<ProductDetail>, sqlx::Error> {
    let row = sqlx::query!(
        r#"
        SELECT p.product_id AS "id: ProductId", p.slug, p.name, p.product_line,
               c.slug AS category_slug, c.name AS category_name, c.kind AS "kind: ProductKind",
               p.form AS "form: ProductForm", p.accent_colour, p.summary, p.description,
               p.directions, p.disclaimer, p.benefits,
               p.skin_types AS "skin_types: Vec<SkinType>",
               p.allergens AS "allergens: Vec<Allergen>"
        FROM products p
        JOIN categories c ON c.category_id = p.category_id
        WHERE p.slug = $1 AND p.published_at IS NOT NULL
        "#,
        slug
    )
    .fetch_optional(conn)
    .await?;

    Ok(row.map(|r| ProductDetail {
        id: r.id,
        slug: r.slug,
        name: r.name,
        product_line: r.product_line,
        category_slug: r.category_slug,
        category_name: r.category_name,
        kind: r.kind,
        form: r.form,
        accent_colour: r.accent_colour,
        summary: r.summary,
        description: r.description,
        directions: r.directions,
        disclaimer: r.disclaimer,
        benefits: r.benefits,
        skin_types: r.skin_types,
        allergens: r.allergens,
        ingredients: Vec::new(),
        variants: Vec::new(),
        images: Vec::new(),
    }))
}

pub async fn ingredients(
    conn: &mut PgConnection,
    product: ProductId,
) -> Result<Vec<Ingredient>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        SELECT name, amount::text AS amount, unit AS "unit: IngredientUnit", daily_value_percent
        FROM product_ingredients
        WHERE product_id = $1
        ORDER BY position
        "#,
        product.0
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Ingredient {
            name: r.name,
            amount: r.amount.zip(r.unit),
            daily_value_percent: r.daily_value_percent,
        })
        .collect())
}

pub struct VariantRow {
    pub id: VariantId,
    pub sku: String,
    pub label: String,
    pub price: Money,
}

pub async fn variants(
    conn: &mut PgConnection,
    product: ProductId,
) -> Result<Vec<VariantRow>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        SELECT variant_id AS "id: VariantId", sku, label, price_minor, currency
        FROM variants
        WHERE product_id = $1
        ORDER BY position
        "#,
        product.0
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(VariantRow {
                id: r.id,
                sku: r.sku,
                label: r.label,
                price: money(r.price_minor, &r.currency)?,
            })
        })
        .collect()
}

/// Subscribe and save for `product`: its own rule, else its category's; `None` when neither
/// offers it.
pub async fn subscribe_offer(
    conn: &mut PgConnection,
    product: ProductId,
) -> Result<Option<SubscribeOffer>, sqlx::Error> {
    let bp = sqlx::query_scalar!(
        r#"
        SELECT subscribe_discount_bp($1) AS "discount_bp"
        "#,
        product.0
    )
    .fetch_one(conn)
    .await?;
    Ok(bp.and_then(SubscribeOffer::from_bp))
}

pub struct NewCategory<'a> {
    pub id: CategoryId,
    pub slug: &'a str,
    pub name: &'a str,
    pub tagline: &'a str,
    pub kind: ProductKind,
    pub position: i32,
}

/// Insert a category unless its slug exists; returns whether it was inserted.
pub async fn insert_category(
    conn: &mut PgConnection,
    c: &NewCategory<'_>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"
        INSERT INTO categories (category_id, slug, name, tagline, kind, position)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (slug) DO NOTHING
        "#,
        c.id.0,
        c.slug,
        c.name,
        c.tagline,
        c.kind as ProductKind,
        c.position,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub struct NewProduct<'a> {
    pub id: ProductId,
    pub category: CategoryId,
    pub slug: &'a str,
    pub name: &'a str,
    pub product_line: &'a str,
    pub form: ProductForm,
    pub summary: &'a str,
    pub description: &'a str,
    pub directions: &'a str,
    pub disclaimer: &'a str,
    pub benefits: &'a [String],
    pub skin_types: &'a [SkinType],
    pub allergens: &'a [Allergen],
    pub accent_colour: &'a str,
    pub featured: bool,
    pub published: bool,
}

/// Insert a product unless its slug exists; returns whether it was inserted.
pub async fn insert_product(
    conn: &mut PgConnection,
    p: &NewProduct<'_>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"
        INSERT INTO products (product_id, category_id, slug, name, product_line, form, summary,
                              description, directions, disclaimer, benefits, skin_types,
                              allergens, accent_colour, featured, published_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                CASE WHEN $16 THEN now() END)
        ON CONFLICT (slug) DO NOTHING
        "#,
        p.id.0,
        p.category.0,
        p.slug,
        p.name,
        p.product_line,
        p.form as ProductForm,
        p.summary,
        p.description,
        p.directions,
        p.disclaimer,
        p.benefits,
        p.skin_types as &[SkinType],
        p.allergens as &[Allergen],
        p.accent_colour,
        p.featured,
        p.published,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub struct NewIngredient<'a> {
    pub name: &'a str,
    /// Decimal text such as "25" or "0.5".
    pub amount: Option<(&'a str, IngredientUnit)>,
    pub daily_value_percent: Option<i32>,
}

pub async fn insert_ingredients(
    conn: &mut PgConnection,
    product: ProductId,
    ingredients: &[NewIngredient<'_>],
) -> Result<(), sqlx::Error> {
    for (position, ing) in (0_i32..).zip(ingredients) {
        let (amount, unit) = ing.amount.unzip();
        sqlx::query!(
            r#"
            INSERT INTO product_ingredients (product_id, position, name, amount, unit, daily_value_percent)
            VALUES ($1, $2, $3, $4::text::numeric, $5, $6)
            "#,
            product.0,
            position,
            ing.name,
            amount,
            unit as Option<IngredientUnit>,
            ing.daily_value_percent,
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub struct NewVariant<'a> {
    pub id: VariantId,
    pub product: ProductId,
    pub sku: &'a str,
    pub label: &'a str,
    pub pack_count: i32,
    pub price: Money,
    pub position: i32,
}

pub async fn insert_variant(
    conn: &mut PgConnection,
    v: &NewVariant<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        INSERT INTO variants (variant_id, product_id, sku, label, pack_count, price_minor, currency, position)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        "#,
        v.id.0,
        v.product.0,
        v.sku,
        v.label,
        v.pack_count,
        v.price.minor(),
        v.price.currency().code(),
        v.position,
    )
    .execute(conn)
    .await?;
    Ok(())
}
