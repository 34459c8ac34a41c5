//! The catalog editor's forms. Checking a form is pure (here, tested
//! below); the server functions store what passes and answer with field errors otherwise.

use super::model::ProductFields;
use crate::catalog::model::{Allergen, ProductForm, SkinType};
use crate::error::{AppError, Problems};
use crate::ids::CategoryId;
use crate::inventory::model::MovementReason;
use crate::money::{Currency, Money};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the shop prices in; every variant an admin adds is in this currency.
pub const SHOP_CURRENCY: Currency = Currency::Eur;

/// The product form as posted. Check boxes arrive as `product[skin_types][dry]=on`, so the
/// chosen options are the map's keys; every field may be missing from a hand-made request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductInput {
    pub name: String,
    /// Empty: made from the name.
    pub slug: String,
    pub category: String,
    pub product_line: String,
    pub form: String,
    pub summary: String,
    pub description: String,
    pub directions: String,
    pub disclaimer: String,
    /// Comma-separated: "sleep, recovery".
    pub benefits: String,
    pub skin_types: BTreeMap<String, String>,
    pub allergens: BTreeMap<String, String>,
    pub accent_colour: String,
    pub featured: Option<String>,
}

impl From<&ProductFields> for ProductInput {
    /// The form as it starts for this product.
    fn from(fields: &ProductFields) -> Self {
        let on = |keys: Vec<&str>| {
            keys.into_iter()
                .map(|k| (k.to_owned(), "on".to_owned()))
                .collect()
        };
        ProductInput {
            name: fields.name.clone(),
            slug: fields.slug.clone(),
            category: fields.category.0.to_string(),
            product_line: fields.product_line.clone(),
            form: fields.form.db_name().to_owned(),
            summary: fields.summary.clone(),
            description: fields.description.clone(),
            directions: fields.directions.clone(),
            disclaimer: fields.disclaimer.clone(),
            benefits: fields.benefits.join(", "),
            skin_types: on(fields.skin_types.iter().map(|s| s.db_name()).collect()),
            allergens: on(fields.allergens.iter().map(|a| a.db_name()).collect()),
            accent_colour: fields.accent_colour.clone(),
            featured: fields.featured.then(|| "on".to_owned()),
        }
    }
}

/// A URL slug from any text: lowercase ASCII letters and digits joined by single hyphens.
pub fn product_slug(text: &str) -> String {
    crate::accounts::model::slugify(text)
}

fn valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 96
        && slug.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn valid_colour(colour: &str) -> bool {
    colour.len() == 7
        && colour.starts_with('#')
        && colour[1..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn chosen<T: Copy>(
    problems: &mut Problems,
    field: &str,
    picked: &BTreeMap<String, String>,
    parse: fn(&str) -> Option<T>,
) -> Vec<T> {
    let mut out = Vec::new();
    for key in picked.keys() {
        match parse(key) {
            Some(value) => out.push(value),
            None => problems.add(field, format!("“{key}” is not one of the options.")),
        }
    }
    out
}

impl ProductInput {
    pub fn check(&self) -> Result<ProductFields, AppError> {
        let mut p = Problems::default();
        let name = p.text("product[name]", "product name", &self.name, 120);
        let slug = if self.slug.trim().is_empty() {
            product_slug(&name)
        } else {
            self.slug.trim().to_owned()
        };
        if !valid_slug(&slug) {
            p.add(
                "product[slug]",
                "Use lowercase letters, digits and single hyphens (like “night-repair-serum”).",
            );
        }
        let category = match uuid::Uuid::parse_str(self.category.trim()) {
            Ok(id) => Some(CategoryId(id)),
            Err(_) => {
                p.add("product[category]", "Choose a category.");
                None
            }
        };
        let product_line = p.text(
            "product[product_line]",
            "product line",
            &self.product_line,
            80,
        );
        let form = ProductForm::from_db_name(self.form.trim());
        if form.is_none() {
            p.add("product[form]", "Choose the product's form.");
        }
        let summary = p.text("product[summary]", "summary", &self.summary, 200);
        let description = p.text(
            "product[description]",
            "description",
            &self.description,
            5000,
        );
        let directions = p.text("product[directions]", "directions", &self.directions, 2000);
        let disclaimer = p.text("product[disclaimer]", "disclaimer", &self.disclaimer, 2000);
        let mut benefits: Vec<String> = Vec::new();
        for benefit in self
            .benefits
            .split(',')
            .map(str::trim)
            .filter(|b| !b.is_empty())
        {
            let benefit = benefit.to_lowercase();
            if benefit.chars().count() > 40 {
                p.add("product[benefits]", "Keep each benefit to 40 characters.");
            } else if !benefits.contains(&benefit) {
                benefits.push(benefit);
            }
        }
        if benefits.len() > 8 {
            p.add("product[benefits]", "List at most 8 benefits.");
        }
        let skin_types = chosen(
            &mut p,
            "product[skin_types]",
            &self.skin_types,
            SkinType::from_db_name,
        );
        let allergens = chosen(
            &mut p,
            "product[allergens]",
            &self.allergens,
            Allergen::from_db_name,
        );
        let accent_colour = self.accent_colour.trim().to_lowercase();
        if !valid_colour(&accent_colour) {
            p.add(
                "product[accent_colour]",
                "Pick a colour (six hex digits, like #4a7c59).",
            );
        }
        let (Some(category), Some(form)) = (category, form) else {
            return p.into_result(()).and(Err(AppError::Internal));
        };
        p.into_result(ProductFields {
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
            featured: self.featured.is_some(),
        })
    }
}

pub use crate::money::parse_price;

/// The variant form as posted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VariantInput {
    pub sku: String,
    pub label: String,
    pub pack_count: String,
    pub price: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidVariant {
    pub sku: String,
    pub label: String,
    pub pack_count: i32,
    pub price: Money,
}

impl VariantInput {
    pub fn check(&self) -> Result<ValidVariant, AppError> {
        let mut p = Problems::default();
        let sku = self.sku.trim().to_uppercase();
        let sku_ok = !sku.is_empty()
            && sku.len() <= 32
            && sku
                .split('-')
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric()));
        if !sku_ok {
            p.add(
                "variant[sku]",
                "Use capital letters, digits and single hyphens, at most 32 (like “SLP-014-2”).",
            );
        }
        let label = p.text("variant[label]", "size or pack label", &self.label, 60);
        let pack_count = match self.pack_count.trim() {
            "" => 1,
            text => match text.parse::<i32>() {
                Ok(n) if (1..=100).contains(&n) => n,
                _ => {
                    p.add("variant[pack_count]", "Enter a pack count from 1 to 100.");
                    1
                }
            },
        };
        let price = match parse_price(&self.price, SHOP_CURRENCY) {
            Ok(price) => price,
            Err(message) => {
                p.add("variant[price]", message);
                Money::zero(SHOP_CURRENCY)
            }
        };
        p.into_result(ValidVariant {
            sku,
            label,
            pack_count,
            price,
        })
    }
}

/// A newly received lot as posted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LotInput {
    pub batch_number: String,
    pub expiry_date: String,
    pub quantity: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidLot {
    pub batch_number: String,
    pub expiry_date: NaiveDate,
    pub quantity: i32,
}

impl LotInput {
    /// `today`: a lot must not arrive already expired.
    pub fn check(&self, today: NaiveDate) -> Result<ValidLot, AppError> {
        let mut p = Problems::default();
        let batch_number = self.batch_number.trim().to_uppercase();
        let batch_ok = (2..=40).contains(&batch_number.len())
            && batch_number
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphanumeric())
            && batch_number
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !batch_ok {
            p.add(
                "lot[batch_number]",
                "Enter the batch number as printed: 2–40 letters, digits or hyphens.",
            );
        }
        let expiry_date = match crate::dates::parse_form_date(&self.expiry_date) {
            Some(date) if date > today => date,
            Some(_) => {
                p.add(
                    "lot[expiry_date]",
                    "This lot has already expired; it can't be received.",
                );
                today
            }
            None => {
                p.add(
                    "lot[expiry_date]",
                    "Enter the best-before date (YYYY-MM-DD).",
                );
                today
            }
        };
        let quantity = match self.quantity.trim().parse::<i32>() {
            Ok(n) if (1..=100_000).contains(&n) => n,
            _ => {
                p.add(
                    "lot[quantity]",
                    "Enter how many units arrived (1 to 100 000).",
                );
                0
            }
        };
        p.into_result(ValidLot {
            batch_number,
            expiry_date,
            quantity,
        })
    }
}

/// A stock correction as posted: "-3" units, why, and an optional note.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AdjustmentInput {
    pub quantity: String,
    pub reason: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidAdjustment {
    pub quantity: i32,
    pub reason: MovementReason,
    pub note: String,
}

impl AdjustmentInput {
    pub fn check(&self) -> Result<ValidAdjustment, AppError> {
        let mut p = Problems::default();
        let text = self.quantity.trim().trim_start_matches('+');
        let quantity = match text.parse::<i32>() {
            Ok(0) => {
                p.add("adjust[quantity]", "Enter a change other than zero.");
                0
            }
            Ok(n) if n.abs() <= 100_000 => n,
            _ => {
                p.add(
                    "adjust[quantity]",
                    "Enter the change in units: negative removes (−3), positive adds (5).",
                );
                0
            }
        };
        let reason = MovementReason::from_db_name(self.reason.trim())
            .filter(|r| MovementReason::corrections().any(|c| c == *r));
        if reason.is_none() {
            p.add("adjust[reason]", "Choose why the stock changes.");
        }
        let note = self.note.trim().to_owned();
        if note.chars().count() > 500 {
            p.add("adjust[note]", "Keep the note to 500 characters.");
        }
        p.into_result(ValidAdjustment {
            quantity,
            reason: reason.unwrap_or(MovementReason::StockCount),
            note,
        })
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::model::ProductKind;

    fn good_product() -> ProductInput {
        ProductInput {
            name: "  Night Repair Serum ".into(),
            slug: String::new(),
            category: uuid::Uuid::nil().to_string(),
            product_line: "Olivine Lab".into(),
            form: "serum".into(),
            summary: "A calm night serum.".into(),
            description: "Long text.".into(),
            directions: "Two drops at night.".into(),
            disclaimer: ProductKind::Skincare.standard_disclaimer().into(),
            benefits: "Hydration, barrier, hydration".into(),
            skin_types: [("dry".to_owned(), "on".to_owned())].into(),
            allergens: BTreeMap::new(),
            accent_colour: "#4A7C59".into(),
            featured: Some("on".into()),
        }
    }

    fn fields(error: AppError) -> Vec<String> {
        let AppError::Unprocessable { fields, .. } = error else {
            panic!("expected field errors, got {error:?}")
        };
        fields.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn a_good_product_is_trimmed_slugged_and_deduplicated() {
        let valid = good_product().check().unwrap();
        assert_eq!(valid.name, "Night Repair Serum");
        assert_eq!(valid.slug, "night-repair-serum");
        assert_eq!(valid.benefits, vec!["hydration", "barrier"]);
        assert_eq!(valid.skin_types, vec![SkinType::Dry]);
        assert_eq!(valid.accent_colour, "#4a7c59");
        assert!(valid.featured);
    }

    #[test]
    fn a_stored_product_round_trips_through_its_form_and_diffs_by_field() {
        let valid = good_product().check().unwrap();
        let stored = ProductFields {
            name: valid.name.clone(),
            slug: valid.slug.clone(),
            category: valid.category,
            product_line: valid.product_line.clone(),
            form: valid.form,
            summary: valid.summary.clone(),
            description: valid.description.clone(),
            directions: valid.directions.clone(),
            disclaimer: valid.disclaimer.clone(),
            benefits: valid.benefits.clone(),
            skin_types: valid.skin_types.clone(),
            allergens: valid.allergens.clone(),
            accent_colour: valid.accent_colour.clone(),
            featured: valid.featured,
        };
        assert_eq!(ProductInput::from(&stored).check().unwrap(), valid);
        assert!(stored.changes(&valid).is_empty());
        let mut edited = ProductInput::from(&stored);
        edited.summary = "New summary.".into();
        edited.allergens = [("soy".to_owned(), "on".to_owned())].into();
        let changes = stored.changes(&edited.check().unwrap());
        assert_eq!(changes.names(), vec!["allergens", "summary"]);
        assert_eq!(
            changes.into_value()["summary"],
            serde_json::json!([stored.summary, "New summary."])
        );
    }

    #[test]
    fn every_bad_product_field_is_reported_at_once() {
        let input = ProductInput {
            slug: "Bad Slug".into(),
            skin_types: [("scaly".to_owned(), "on".to_owned())].into(),
            accent_colour: "green".into(),
            ..ProductInput::default()
        };
        let got = fields(input.check().unwrap_err());
        for expected in [
            "product[name]",
            "product[slug]",
            "product[category]",
            "product[product_line]",
            "product[form]",
            "product[summary]",
            "product[disclaimer]",
            "product[skin_types]",
            "product[accent_colour]",
        ] {
            assert!(
                got.iter().any(|f| f == expected),
                "{expected} missing from {got:?}"
            );
        }
    }

    #[test]
    fn prices_parse_exactly_or_not_at_all() {
        let eur = |minor| Money::new(minor, Currency::Eur);
        assert_eq!(parse_price("12.95", Currency::Eur), Ok(eur(1295)));
        assert_eq!(parse_price("12,9", Currency::Eur), Ok(eur(1290)));
        assert_eq!(parse_price(" €7 ", Currency::Eur), Ok(eur(700)));
        for bad in [
            "",
            "0",
            "0.00",
            "1.234",
            "-5",
            "12.9.5",
            "abc",
            "1e3",
            "99999999999",
        ] {
            assert!(parse_price(bad, Currency::Eur).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn variants_lots_and_adjustments_check_their_fields() {
        let variant = VariantInput {
            sku: "slp-014-2".into(),
            label: "60 capsules".into(),
            pack_count: String::new(),
            price: "19.50".into(),
        }
        .check()
        .unwrap();
        assert_eq!((variant.sku.as_str(), variant.pack_count), ("SLP-014-2", 1));
        assert_eq!(
            fields(VariantInput::default().check().unwrap_err()),
            vec!["variant[sku]", "variant[label]", "variant[price]"]
        );

        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let lot = LotInput {
            batch_number: "b26-001".into(),
            expiry_date: "2028-01-31".into(),
            quantity: "48".into(),
        }
        .check(today)
        .unwrap();
        assert_eq!((lot.batch_number.as_str(), lot.quantity), ("B26-001", 48));
        let expired = LotInput {
            batch_number: "B1".into(),
            expiry_date: "2026-11-24".into(),
            quantity: "0".into(),
        };
        assert_eq!(
            fields(expired.check(today).unwrap_err()),
            vec!["lot[expiry_date]", "lot[quantity]"]
        );

        let adjustment = AdjustmentInput {
            quantity: "-3".into(),
            reason: "damaged".into(),
            note: " dropped ".into(),
        }
        .check()
        .unwrap();
        assert_eq!(adjustment.quantity, -3);
        assert_eq!(adjustment.note, "dropped");
        // A correction can't pretend to be a receipt.
        let receipt = AdjustmentInput {
            quantity: "5".into(),
            reason: "received".into(),
            note: String::new(),
        };
        assert_eq!(fields(receipt.check().unwrap_err()), vec!["adjust[reason]"]);
    }
}
