//! Feeding the search engine from the catalog: product documents from Postgres, and the
//! outbox the catalog's triggers fill in the same transaction as each change.
//!
//! Every node applies the outbox to its own index and remembers the last `seq` it applied, so
//! a change is searchable on every node about as soon as it commits.

use crate::catalog::model::ProductKind;
use crate::ids::ProductId;
use crate::inventory::model::sellable_expiry_after;
use chrono::NaiveDate;
use search::{ProductDoc, SearchIndex};
use sqlx::{PgConnection, PgPool};

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Search(#[from] search::SearchError),
}

/// Search documents for published products: all of them, or those in `only`. "In stock" uses
/// the shop's own rule: a lot counts while it has enough shelf life left on `today`.
pub async fn documents(
    conn: &mut PgConnection,
    only: Option<&[ProductId]>,
    today: NaiveDate,
) -> Result<Vec<ProductDoc>, sqlx::Error> {
    let ids: Option<Vec<uuid::Uuid>> = only.map(|ids| ids.iter().map(|id| id.0).collect());
    let rows = sqlx::query!(
        r#"
        SELECT p.product_id, p.slug, p.name, p.product_line, p.description,
               p.benefits, p.skin_types::text[] AS "skin_types!", p.allergens::text[] AS "allergens!",
               c.slug AS category_slug, c.name AS category_name, c.kind AS "kind: ProductKind",
               EXTRACT(EPOCH FROM p.created_at)::bigint AS "created!",
               ARRAY(SELECT i.name FROM product_ingredients i
                     WHERE i.product_id = p.product_id ORDER BY i.position) AS "ingredients!",
               prices.min_price AS "min_price?", prices.max_price AS "max_price?",
               -- Published reviews' average × 10 (the reviews table's trigger queues a
               -- product here whenever one is published or taken down).
               COALESCE((SELECT round(avg(r.rating) * 10) FROM reviews r
                         WHERE r.product_id = p.product_id AND r.status = 'published'),
                        0)::bigint AS "rating_tenths!",
               EXISTS (SELECT 1 FROM lots l JOIN variants v USING (variant_id)
                       WHERE v.product_id = p.product_id AND l.on_hand > l.reserved
                         AND l.expiry_date > $2) AS "in_stock!"
        FROM products p
        JOIN categories c USING (category_id)
        LEFT JOIN LATERAL (
            SELECT min(v.price_minor) AS min_price, max(v.price_minor) AS max_price
            FROM variants v WHERE v.product_id = p.product_id
        ) prices ON true
        WHERE p.published_at IS NOT NULL
          AND ($1::uuid[] IS NULL OR p.product_id = ANY($1))
        ORDER BY p.product_id
        "#,
        ids.as_deref(),
        sellable_expiry_after(today),
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ProductDoc {
            id: r.product_id.to_string(),
            slug: r.slug,
            name: r.name,
            brand_line: r.product_line,
            // The description opens with the summary already.
            description: r.description,
            ingredients: r.ingredients,
            benefits: r.benefits,
            category_slug: r.category_slug,
            category_names: vec![r.kind.label().to_owned(), r.category_name],
            skin_types: r.skin_types,
            allergens: r.allergens,
            price_min_cents: u64::try_from(r.min_price.unwrap_or(0)).unwrap_or(0),
            price_max_cents: u64::try_from(r.max_price.unwrap_or(0)).unwrap_or(0),
            in_stock: r.in_stock,
            rating_tenths: u64::try_from(r.rating_tenths).unwrap_or(0),
            created_unix: u64::try_from(r.created).unwrap_or(0),
        })
        .collect())
}

/// This database's identity: an index position only means something for the same database.
pub async fn database_id(conn: &mut PgConnection) -> Result<uuid::Uuid, sqlx::Error> {
    sqlx::query_scalar!("SELECT database_id FROM database_identity")
        .fetch_one(conn)
        .await
}

/// The outbox horizon now.
pub use crate::horizon::now as outbox_horizon;

/// Whether the outbox still holds every entry from horizon `applied` on (pruning has not
/// reached it).
pub async fn outbox_reaches(conn: &mut PgConnection, applied: i64) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT through_xid::text::bigint < $1 AS "reaches!" FROM search_outbox_pruned"#,
        applied
    )
    .fetch_one(conn)
    .await
}

/// Rebuild the whole index from Postgres; returns the outbox position it reflects.
pub async fn rebuild(
    db: &PgPool,
    index: &SearchIndex,
    today: NaiveDate,
    progress: impl FnMut(usize),
) -> Result<i64, SyncError> {
    let mut conn = db.acquire().await?;
    // Read the horizon first: whatever commits from it on is applied again later (harmless).
    let head = outbox_horizon(&mut conn).await?;
    let docs = documents(&mut conn, None, today).await?;
    index.rebuild(docs, progress)?;
    Ok(head)
}

/// Apply the outbox entries of transactions from horizon `applied` on; returns the new horizon.
/// Entries of transactions still running when it is read are applied again next time
/// (harmless), so an entry is never skipped whatever order transactions commit in.
pub async fn apply_outbox(
    db: &PgPool,
    index: &SearchIndex,
    applied: i64,
    today: NaiveDate,
) -> Result<i64, SyncError> {
    let mut conn = db.acquire().await?;
    // One statement, one snapshot: the horizon and the entries it covers agree.
    let batch = sqlx::query!(
        r#"SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS "horizon!",
                  array(SELECT DISTINCT product_id FROM search_outbox
                        WHERE xid >= $1::bigint::text::xid8) AS "products!""#,
        applied
    )
    .fetch_one(&mut *conn)
    .await?;
    let last = batch.horizon;
    if batch.products.is_empty() {
        return Ok(last.max(applied));
    }
    let mut ids: Vec<ProductId> = batch.products.into_iter().map(ProductId).collect();
    ids.sort_unstable();
    let docs = documents(&mut conn, Some(&ids), today).await?;
    // Products no longer published (or gone) leave the index.
    let gone: Vec<String> = ids
        .iter()
        .map(ToString::to_string)
        .filter(|id| !docs.iter().any(|d| &d.id == id))
        .collect();
    index.upsert(&docs)?;
    if !gone.is_empty() {
        index.remove(&gone)?;
    }
    Ok(last.max(applied))
}

/// Forget outbox entries every node has long applied (settled, a day old), and remember how far
/// that went.
pub async fn prune_outbox(conn: &mut PgConnection) -> Result<u64, sqlx::Error> {
    let done = sqlx::query_scalar!(
        r#"WITH gone AS (
               DELETE FROM search_outbox
               WHERE queued_at < now() - interval '1 day'
                 AND xid < pg_snapshot_xmin(pg_current_snapshot())
               RETURNING xid),
           moved AS (
               UPDATE search_outbox_pruned
               SET through_xid = greatest(through_xid, (SELECT max(xid) FROM gone)))
           SELECT count(*) AS "gone!" FROM gone"#
    )
    .fetch_one(conn)
    .await?;
    Ok(u64::try_from(done).unwrap_or(0))
}
