//! Reading product images for pages.

use super::model::{Direction, ImageView};
use crate::ids::ProductId;
use sqlx::PgConnection;
use std::collections::HashMap;

/// Rendition widths as stored (`int[]`), as the pages want them.
pub fn widths(values: Vec<i32>) -> Vec<u32> {
    values
        .into_iter()
        .filter_map(|w| u32::try_from(w).ok())
        .collect()
}

/// One picture of a product, as stored: its place in the product's gallery and whether its AVIF
/// versions exist yet.
pub struct Photo {
    pub product: ProductId,
    /// The `product_images` row.
    pub id: uuid::Uuid,
    /// "pending", "done" or "failed".
    pub avif_state: String,
    pub image: ImageView,
}

/// The pictures of `products`, each product's in display order.
pub async fn photos(
    conn: &mut PgConnection,
    products: &[ProductId],
) -> Result<Vec<Photo>, sqlx::Error> {
    let ids: Vec<uuid::Uuid> = products.iter().map(|p| p.0).collect();
    let rows = sqlx::query!(
        r#"SELECT pi.product_id AS "product_id: ProductId", pi.product_image_id, pi.alt_text,
                  m.content_hash, m.pipeline, m.width, m.height, m.webp_widths, m.avif_widths,
                  m.placeholder, m.dominant_colour, m.avif_state
           FROM product_images pi
           JOIN media_images m USING (content_hash)
           WHERE pi.product_id = ANY($1)
           ORDER BY pi.product_id, pi.position"#,
        &ids
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Photo {
            product: r.product_id,
            id: r.product_image_id,
            avif_state: r.avif_state,
            image: ImageView {
                hash: r.content_hash,
                pipeline: r.pipeline,
                width: u32::try_from(r.width).unwrap_or(0),
                height: u32::try_from(r.height).unwrap_or(0),
                webp_widths: widths(r.webp_widths),
                avif_widths: widths(r.avif_widths),
                placeholder: r.placeholder,
                colour: r.dominant_colour,
                alt: r.alt_text,
            },
        })
        .collect())
}

/// Each product's pictures in display order; products without any are absent.
pub async fn product_images(
    conn: &mut PgConnection,
    products: &[ProductId],
) -> Result<HashMap<ProductId, Vec<ImageView>>, sqlx::Error> {
    let mut out: HashMap<ProductId, Vec<ImageView>> = HashMap::new();
    for photo in photos(conn, products).await? {
        out.entry(photo.product).or_default().push(photo.image);
    }
    Ok(out)
}

/// Each product's first picture (the one listings show); products without any are absent.
pub async fn first_images(
    conn: &mut PgConnection,
    products: &[ProductId],
) -> Result<HashMap<ProductId, ImageView>, sqlx::Error> {
    Ok(product_images(conn, products)
        .await?
        .into_iter()
        .filter_map(|(id, all)| all.into_iter().next().map(|first| (id, first)))
        .collect())
}

/// Add an image at the end of a product's pictures (the same file again only updates its alt
/// text). Returns the picture's id. Callers adding several at once lock the product first, so
/// two uploads can't take the same position.
pub async fn attach(
    conn: &mut PgConnection,
    product: ProductId,
    hash: &str,
    alt_text: &str,
) -> Result<uuid::Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        r#"INSERT INTO product_images (product_image_id, product_id, content_hash, position, alt_text)
           SELECT $1, $2, $3, COALESCE(MAX(position) + 1, 0), $4
           FROM product_images WHERE product_id = $2
           ON CONFLICT (product_id, content_hash) DO UPDATE SET alt_text = EXCLUDED.alt_text
           RETURNING product_image_id"#,
        uuid::Uuid::now_v7(),
        product.0,
        hash,
        alt_text.trim(),
    )
    .fetch_one(conn)
    .await
}

/// A product photo's product, content hash and alt text.
pub async fn image_owner(
    conn: &mut PgConnection,
    image: uuid::Uuid,
) -> Result<Option<(ProductId, String, String)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT product_id AS "product: ProductId", content_hash, alt_text
           FROM product_images WHERE product_image_id = $1 FOR UPDATE"#,
        image
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.product, r.content_hash, r.alt_text)))
}

pub async fn set_alt_text(
    conn: &mut PgConnection,
    image: uuid::Uuid,
    alt_text: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE product_images SET alt_text = $2 WHERE product_image_id = $1",
        image,
        alt_text
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Swap a photo with its neighbour; `false` when it is already first (or last).
pub async fn move_image(
    conn: &mut PgConnection,
    product: ProductId,
    image: uuid::Uuid,
    direction: Direction,
) -> Result<bool, sqlx::Error> {
    // Lock the product's photos in order so concurrent moves serialise.
    let order = sqlx::query_scalar!(
        r#"SELECT product_image_id FROM product_images WHERE product_id = $1
           ORDER BY position FOR UPDATE"#,
        product.0
    )
    .fetch_all(&mut *conn)
    .await?;
    let Some(at) = order.iter().position(|id| *id == image) else {
        return Ok(false);
    };
    let other = match direction {
        Direction::Earlier => at.checked_sub(1),
        Direction::Later => Some(at + 1).filter(|i| *i < order.len()),
    };
    let Some(other) = other else {
        return Ok(false);
    };
    let mut order = order;
    order.swap(at, other);
    renumber(conn, &order).await?;
    Ok(true)
}

/// Give `order`'s photos positions 0, 1, 2… (the unique constraint is checked at commit).
async fn renumber(conn: &mut PgConnection, order: &[uuid::Uuid]) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE product_images pi SET position = o.position - 1
           FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, position)
           WHERE pi.product_image_id = o.id"#,
        order
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Take a photo off its product and close the gap it leaves. The stored image stays: another
/// product may show the same file, and its keys are content addresses.
pub async fn remove_image(
    conn: &mut PgConnection,
    product: ProductId,
    image: uuid::Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM product_images WHERE product_image_id = $1",
        image
    )
    .execute(&mut *conn)
    .await?;
    let rest = sqlx::query_scalar!(
        r#"SELECT product_image_id FROM product_images WHERE product_id = $1
           ORDER BY position FOR UPDATE"#,
        product.0
    )
    .fetch_all(&mut *conn)
    .await?;
    renumber(conn, &rest).await
}
