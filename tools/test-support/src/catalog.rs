//! The Shop: a category, and a product with variants and lots:
//! `ProductBuilder::new("Vitamin D3").variant("D3-60", 790).lot("B1", 120, 40)`.

use app::catalog::model::{ProductForm, ProductKind};
use app::catalog::repo::{self, NewCategory, NewProduct, NewVariant};
use app::ids::{CategoryId, LotId, ProductId, VariantId};
use app::inventory::repo::{NewLot, receive_lot};
use app::money::{Currency, Money};
use chrono::{Days, NaiveDate};
use sqlx::PgConnection;
use uuid::Uuid;

pub fn today() -> NaiveDate {
    "2026-11-23".parse().expect("a valid date")
}

pub async fn category(conn: &mut PgConnection, slug: &str) -> CategoryId {
    let id = CategoryId(Uuid::new_v4());
    let new = NewCategory {
        id,
        slug,
        name: slug,
        tagline: "A test category",
        kind: ProductKind::Supplement,
        position: 0,
    };
    assert!(
        repo::insert_category(conn, &new)
            .await
            .expect("insert category")
    );
    id
}

struct VariantSpec {
    sku: String,
    price_cents: i64,
    lots: Vec<(String, u64, i32)>,
}

pub struct ProductBuilder {
    name: String,
    published: bool,
    featured: bool,
    variants: Vec<VariantSpec>,
}

impl ProductBuilder {
    pub fn new(name: &str) -> Self {
        ProductBuilder {
            name: name.to_owned(),
            published: true,
            featured: false,
            variants: Vec::new(),
        }
    }

    pub fn variant(mut self, sku: &str, price_cents: i64) -> Self {
        self.variants.push(VariantSpec {
            sku: sku.to_owned(),
            price_cents,
            lots: Vec::new(),
        });
        self
    }

    /// A lot of the last variant, expiring `days` after [`today`].
    pub fn lot(mut self, batch: &str, days: u64, quantity: i32) -> Self {
        self.variants
            .last_mut()
            .expect("add a variant before its lots")
            .lots
            .push((batch.to_owned(), days, quantity));
        self
    }

    pub fn unpublished(mut self) -> Self {
        self.published = false;
        self
    }

    pub fn featured(mut self) -> Self {
        self.featured = true;
        self
    }

    pub fn slug(&self) -> String {
        self.name.to_lowercase().replace(' ', "-")
    }

    pub async fn insert(self, conn: &mut PgConnection, category: CategoryId) -> ProductId {
        let id = ProductId(Uuid::new_v4());
        let slug = self.slug();
        let product = NewProduct {
            id,
            category,
            slug: &slug,
            name: &self.name,
            product_line: "Test Line",
            form: ProductForm::Capsule,
            summary: "A product for tests.",
            description: "Described.",
            directions: "Take one.",
            disclaimer: "Food supplement.",
            benefits: &[],
            skin_types: &[],
            allergens: &[],
            accent_colour: "#336699",
            featured: self.featured,
            published: self.published,
        };
        assert!(
            repo::insert_product(conn, &product)
                .await
                .expect("insert product")
        );
        for (position, v) in (0_i32..).zip(&self.variants) {
            let variant = VariantId(Uuid::new_v4());
            repo::insert_variant(
                conn,
                &NewVariant {
                    id: variant,
                    product: id,
                    sku: &v.sku,
                    label: &v.sku,
                    pack_count: 1,
                    price: Money::new(v.price_cents, Currency::Eur),
                    position,
                },
            )
            .await
            .expect("insert variant");
            for (batch, days, quantity) in &v.lots {
                receive_lot(
                    conn,
                    &NewLot {
                        id: LotId(Uuid::new_v4()),
                        variant,
                        batch_number: batch,
                        expiry_date: today().checked_add_days(Days::new(*days)).expect("a date"),
                        quantity: *quantity,
                    },
                    None,
                )
                .await
                .expect("insert lot");
            }
        }
        id
    }
}
