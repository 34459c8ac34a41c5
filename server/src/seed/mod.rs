//! `olivine seed --demo`: a deterministic, believable demo catalog.
//!
//! The same products, ids, SKUs and batch numbers every time; expiry dates are placed relative
//! to the day of seeding so the demo never goes stale. Re-running skips what exists.

mod accounts;
mod data;
mod hire;
mod images;

pub use accounts::{
    DEMO_ADMIN_AUTHENTICATOR, DEMO_PASSWORD, seed_accounts, seed_demo_authenticator,
};
pub use hire::{FREELANCERS, HireReport, seed_hire};
pub use images::{draw as draw_pack_shot, seed_images};

use anyhow::Context;
use app::catalog::model::ProductForm;
use app::catalog::repo::{self as catalog, NewCategory, NewIngredient, NewProduct, NewVariant};
use app::ids::{CategoryId, LotId, ProductId, VariantId};
use app::inventory::repo::{self as inventory, NewLot};
use app::money::{Currency, Money};
use chrono::{Days, NaiveDate};
use data::{CATALOG, LINES, ProductSpec};
use sqlx::PgPool;
use std::fmt;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub categories: usize,
    pub products: usize,
    pub variants: usize,
    pub lots: usize,
    pub skipped_products: usize,
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "demo catalog: {} categories, {} products, {} variants, {} lots added; {} products already present",
            self.categories, self.products, self.variants, self.lots, self.skipped_products
        )
    }
}

/// The demo seed creates an admin with a published password: never in production.
pub fn refuse_in_production(environment: crate::config::Environment) -> anyhow::Result<()> {
    anyhow::ensure!(
        environment != crate::config::Environment::Prod,
        "refusing to seed demo data with OLIVINE_ENV=prod: it creates admin@olivine.test with \
         the password published in the README"
    );
    Ok(())
}

/// A stable id for a named seed record (FNV-1a 128 over the key, as a version-8 UUID).
pub(crate) fn stable_id(key: &str) -> uuid::Uuid {
    let mut hash: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for byte in key.bytes() {
        hash ^= u128::from(byte);
        hash = hash.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
    }
    uuid::Uuid::new_v8(hash.to_be_bytes())
}

/// A small deterministic number from a key, for spreading stock and dates.
fn pick(key: &str, modulo: u64) -> u64 {
    let bytes = stable_id(key).into_bytes();
    u64::from_be_bytes([
        bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
    ]) % modulo
}

pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

/// Sizes a product of this form comes in: label, packs in the bundle, price multiplier in %.
fn sizes(form: ProductForm) -> &'static [(&'static str, i32, i64)] {
    match form {
        ProductForm::Capsule => &[
            ("60 capsules", 1, 100),
            ("120 capsules", 1, 180),
            ("3 × 120 capsules", 3, 480),
        ],
        ProductForm::Tablet => &[("90 tablets", 1, 100), ("180 tablets", 1, 175)],
        ProductForm::Softgel => &[
            ("60 softgels", 1, 100),
            ("120 softgels", 1, 180),
            ("2 × 120 softgels", 2, 330),
        ],
        ProductForm::Gummy => &[("60 gummies", 1, 100), ("2 × 60 gummies", 2, 185)],
        ProductForm::Powder => &[
            ("250 g", 1, 100),
            ("500 g", 1, 170),
            ("1 kg", 1, 300),
            ("2 × 1 kg", 2, 560),
        ],
        ProductForm::Liquid => &[("100 ml", 1, 100), ("250 ml", 1, 210)],
        ProductForm::Serum | ProductForm::Oil => &[("30 ml", 1, 100), ("60 ml", 1, 170)],
        ProductForm::Cream | ProductForm::Balm => &[
            ("50 ml", 1, 100),
            ("100 ml", 1, 175),
            ("2 × 100 ml", 2, 320),
        ],
        ProductForm::Cleanser => &[("150 ml", 1, 100), ("300 ml", 1, 170)],
        ProductForm::Mist => &[("100 ml", 1, 100)],
    }
}

/// Shop prices end in .90: round to whole euros, then take ten cents off.
fn shop_price(base: i64, percent: i64) -> i64 {
    ((base * percent / 100 + 50) / 100) * 100 - 10
}

fn directions(form: ProductForm) -> &'static str {
    match form {
        ProductForm::Capsule | ProductForm::Softgel => {
            "Take one daily with food and a glass of water. Do not exceed the recommended daily intake."
        }
        ProductForm::Tablet => {
            "Take one tablet daily with a meal. Swallow whole; do not chew. Do not exceed the recommended daily intake."
        }
        ProductForm::Gummy => {
            "Chew two gummies daily. Not suitable for children under three years."
        }
        ProductForm::Powder => {
            "Mix one level scoop into 250 ml of water, milk or a smoothie once a day."
        }
        ProductForm::Liquid => {
            "Shake well. Use as directed on the label; close the cap tightly after use."
        }
        ProductForm::Serum => {
            "After cleansing, smooth three to four drops over face and neck, morning or evening. Follow with moisturiser and, by day, sunscreen."
        }
        ProductForm::Oil => "Warm a few drops between your palms and press gently into clean skin.",
        ProductForm::Cream => {
            "Massage a small amount into clean skin until absorbed. Use morning and evening."
        }
        ProductForm::Balm => "Warm a little between your fingertips and apply where needed.",
        ProductForm::Cleanser => {
            "Massage onto damp skin for thirty seconds, then rinse with lukewarm water."
        }
        ProductForm::Mist => {
            "Hold 20 cm from the face and mist over closed eyes whenever skin needs refreshing."
        }
    }
}

fn description(spec: &ProductSpec, line: &str, category: &str) -> String {
    let benefits = spec.benefits.join(" and ");
    format!(
        "{} {} from {line} is part of our {} range, chosen for {benefits}. Every batch is tested by an \
         independent laboratory, and each order ships from the batch with the earliest best-before date \
         that still leaves you months of use.",
        spec.summary,
        spec.name,
        category.to_lowercase(),
    )
}

pub async fn seed_demo(db: &PgPool, today: NaiveDate) -> anyhow::Result<SeedReport> {
    let mut tx = db
        .begin()
        .await
        .context("cannot start the seed transaction")?;
    let mut report = SeedReport::default();
    for (position, cat) in (0_i32..).zip(CATALOG) {
        let category_id = CategoryId(stable_id(&format!("category:{}", cat.slug)));
        let category = NewCategory {
            id: category_id,
            slug: cat.slug,
            name: cat.name,
            tagline: cat.tagline,
            kind: cat.kind,
            position,
        };
        if catalog::insert_category(&mut tx, &category)
            .await
            .with_context(|| format!("category {}", cat.slug))?
        {
            report.categories += 1;
        }
        for (number, spec) in (1_u32..).zip(cat.products) {
            let slug = slugify(spec.name);
            let (line, accent) = LINES[spec.line];
            let product_id = ProductId(stable_id(&format!("product:{slug}")));
            let benefits: Vec<String> = spec.benefits.iter().map(|b| (*b).to_owned()).collect();
            let description = description(spec, line, cat.name);
            let product = NewProduct {
                id: product_id,
                category: category_id,
                slug: &slug,
                name: spec.name,
                product_line: line,
                form: spec.form,
                summary: spec.summary,
                description: &description,
                directions: directions(spec.form),
                disclaimer: cat.kind.standard_disclaimer(),
                benefits: &benefits,
                skin_types: spec.skin,
                allergens: spec.allergens,
                accent_colour: accent,
                featured: spec.featured,
                published: true,
            };
            if !catalog::insert_product(&mut tx, &product)
                .await
                .with_context(|| format!("product {slug}"))?
            {
                report.skipped_products += 1;
                continue;
            }
            report.products += 1;
            let ingredients: Vec<NewIngredient<'_>> = spec
                .ingredients
                .iter()
                .map(|ing| NewIngredient {
                    name: ing.0,
                    amount: ing.1,
                    daily_value_percent: ing.2,
                })
                .collect();
            catalog::insert_ingredients(&mut tx, product_id, &ingredients)
                .await
                .with_context(|| format!("ingredients of {slug}"))?;
            let (variants, lots) =
                seed_variants(&mut tx, cat.code, number, product_id, spec, today)
                    .await
                    .with_context(|| format!("variants of {slug}"))?;
            report.variants += variants;
            report.lots += lots;
        }
    }
    // A welcome code to try at checkout: 10 % off orders from €20, once per customer.
    sqlx::query!(
        r#"INSERT INTO discount_codes (code, description, percent_bp, currency, minimum_minor,
                                      max_per_customer)
           VALUES ('WELCOME10', '10 % off your first order from €20', 1000, 'EUR', 2000, 1)
           ON CONFLICT (code) DO NOTHING"#
    )
    .execute(&mut *tx)
    .await
    .context("demo discount code")?;
    // Subscribe and save: 10 % off every supplement, 15 % off the magnesium people take daily.
    sqlx::query!(
        r#"INSERT INTO subscribe_discounts (category_id, product_id, discount_bp)
           SELECT category_id, NULL::uuid, 1000 FROM categories WHERE kind = 'supplement'
           UNION ALL
           SELECT NULL::uuid, product_id, 1500 FROM products WHERE slug = 'magnesium-bisglycinate'
           ON CONFLICT DO NOTHING"#
    )
    .execute(&mut *tx)
    .await
    .context("demo subscribe-and-save rules")?;
    tx.commit()
        .await
        .context("cannot commit the demo catalog")?;
    Ok(report)
}

async fn seed_variants(
    tx: &mut sqlx::PgConnection,
    code: &str,
    number: u32,
    product: ProductId,
    spec: &ProductSpec,
    today: NaiveDate,
) -> Result<(usize, usize), sqlx::Error> {
    let all_sizes = sizes(spec.form);
    // Between one and all of the form's sizes, varying by product.
    let count = 1 + usize::try_from(pick(spec.name, all_sizes.len() as u64)).unwrap_or(0);
    let mut lots = 0;
    for (position, (label, pack_count, percent)) in (0_i32..).zip(&all_sizes[..count]) {
        let sku = format!("{code}-{number:03}-{}", position + 1);
        let variant = VariantId(stable_id(&format!("variant:{sku}")));
        catalog::insert_variant(
            tx,
            &NewVariant {
                id: variant,
                product,
                sku: &sku,
                label,
                pack_count: *pack_count,
                price: Money::new(shop_price(spec.base_price, *percent), Currency::Eur),
                position,
            },
        )
        .await?;
        // One variant in about fourteen is sold out; the rest hold one to three lots.
        if pick(&format!("soldout:{sku}"), 14) == 0 {
            continue;
        }
        let lot_count = 1 + pick(&format!("lots:{sku}"), 3);
        for n in 0..lot_count {
            let key = format!("lot:{sku}:{n}");
            // Mostly 3–30 months out; the first lot of some variants is close to expiry,
            // which the shop must hold back.
            let days = if n == 0 && pick(&format!("short:{sku}"), 9) == 0 {
                10
            } else {
                90 + pick(&key, 810)
            };
            let quantity = if pick(&format!("low:{sku}"), 8) == 0 {
                1 + pick(&key, 6)
            } else {
                12 + pick(&key, 140)
            };
            let batch = format!(
                "{code}{}{:03}{}",
                today.format("%y"),
                number,
                char::from(
                    b'A' + u8::try_from(position * 3 + i32::try_from(n).unwrap_or(0)).unwrap_or(0)
                        % 26
                )
            );
            inventory::receive_lot(
                tx,
                &NewLot {
                    id: LotId(stable_id(&key)),
                    variant,
                    batch_number: &batch,
                    expiry_date: today
                        .checked_add_days(Days::new(days))
                        .unwrap_or(NaiveDate::MAX),
                    quantity: i32::try_from(quantity).unwrap_or(i32::MAX),
                },
                None,
            )
            .await?;
            lots += 1;
        }
    }
    Ok((count, lots))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slugify("Vitamin D3 + K2"), "vitamin-d3-k2");
        assert_eq!(slugify("Lion's Mane Mushroom"), "lion-s-mane-mushroom");
        assert_eq!(slugify("Niacinamide 10% + Zinc"), "niacinamide-10-zinc");
    }

    #[test]
    fn prices_end_in_ninety_cents() {
        assert_eq!(shop_price(790, 100), 790);
        assert_eq!(shop_price(1590, 180), 2890);
        assert!(
            CATALOG
                .iter()
                .flat_map(|c| c.products)
                .all(|p| p.base_price % 100 == 90)
        );
    }

    #[test]
    fn the_catalog_is_large_unique_and_well_formed() {
        let products: Vec<_> = CATALOG.iter().flat_map(|c| c.products).collect();
        assert!(products.len() >= 80, "{} products", products.len());
        let mut slugs: Vec<_> = products.iter().map(|p| slugify(p.name)).collect();
        slugs.sort();
        slugs.dedup();
        assert_eq!(
            slugs.len(),
            products.len(),
            "product names must give unique slugs"
        );
        assert!(products.iter().all(|p| p.line < LINES.len()));
    }

    #[test]
    fn the_demo_seed_refuses_production() {
        use crate::config::Environment;
        let refused = refuse_in_production(Environment::Prod).unwrap_err();
        assert!(
            refused.to_string().contains("OLIVINE_ENV=prod"),
            "{refused}"
        );
        assert!(refuse_in_production(Environment::Dev).is_ok());
    }

    #[test]
    fn ids_are_stable() {
        assert_eq!(stable_id("product:x"), stable_id("product:x"));
        assert_ne!(stable_id("product:x"), stable_id("product:y"));
    }
}
