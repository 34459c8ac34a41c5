//! Types the browser and the server share: what the shop's pages show.

use crate::ids::{CategoryId, ProductId, VariantId};
use crate::inventory::model::StockStatus;
use crate::media::model::ImageView;
use crate::money::Money;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pg_enum!(ProductKind as "product_kind" {
    Supplement = "supplement": "Supplements",
    Skincare = "skincare": "Skincare",
});

impl ProductKind {
    /// The label text every product of this kind carries unless an admin writes another.
    pub fn standard_disclaimer(self) -> &'static str {
        match self {
            ProductKind::Supplement => {
                "Food supplement. Do not exceed the recommended daily intake. Food supplements should not be used as a substitute for a varied and balanced diet and a healthy lifestyle. Keep out of the reach of young children. If you are pregnant, breastfeeding, taking medication or under medical supervision, consult your doctor before use. Store in a cool, dry place."
            }
            ProductKind::Skincare => {
                "For external use only. Avoid contact with the eyes; if contact occurs, rinse thoroughly with water. Patch test before first use and stop using if irritation occurs. Store below 25 °C away from direct sunlight."
            }
        }
    }
}

pg_enum!(ProductForm as "product_form" {
    Capsule = "capsule": "Capsules",
    Tablet = "tablet": "Tablets",
    Softgel = "softgel": "Softgels",
    Powder = "powder": "Powder",
    Gummy = "gummy": "Gummies",
    Liquid = "liquid": "Liquid",
    Serum = "serum": "Serum",
    Cream = "cream": "Cream",
    Cleanser = "cleanser": "Cleanser",
    Oil = "oil": "Oil",
    Balm = "balm": "Balm",
    Mist = "mist": "Mist",
});

pg_enum!(
    /// The EU's major food allergens that our products can contain.
    Allergen as "allergen" {
    Milk = "milk": "Milk",
    Egg = "egg": "Egg",
    Soy = "soy": "Soy",
    Gluten = "gluten": "Gluten",
    TreeNuts = "tree_nuts": "Tree nuts",
    Peanuts = "peanuts": "Peanuts",
    Fish = "fish": "Fish",
    Shellfish = "shellfish": "Shellfish",
    Sesame = "sesame": "Sesame",
});

pg_enum!(SkinType as "skin_type" {
    Dry = "dry": "Dry",
    Oily = "oily": "Oily",
    Combination = "combination": "Combination",
    Normal = "normal": "Normal",
    Sensitive = "sensitive": "Sensitive",
});

pg_enum!(IngredientUnit as "ingredient_unit" {
    Mg = "mg": "mg",
    Mcg = "mcg": "µg",
    G = "g": "g",
    Iu = "iu": "IU",
    BillionCfu = "billion_cfu": "billion CFU",
    Percent = "percent": "%",
});

/// How a category page is ordered; its URL form is `?sort=price-asc` etc.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sort {
    #[default]
    Featured,
    PriceLowToHigh,
    PriceHighToLow,
    Newest,
}

impl Sort {
    pub const ALL: [Sort; 4] = [
        Sort::Featured,
        Sort::PriceLowToHigh,
        Sort::PriceHighToLow,
        Sort::Newest,
    ];

    pub fn param(self) -> &'static str {
        match self {
            Sort::Featured => "featured",
            Sort::PriceLowToHigh => "price-asc",
            Sort::PriceHighToLow => "price-desc",
            Sort::Newest => "newest",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Featured => "Featured",
            Sort::PriceLowToHigh => "Price: low to high",
            Sort::PriceHighToLow => "Price: high to low",
            Sort::Newest => "Newest",
        }
    }

    /// Unknown values fall back to the default order rather than failing the page.
    pub fn from_param(param: Option<&str>) -> Self {
        Sort::ALL
            .into_iter()
            .find(|s| Some(s.param()) == param)
            .unwrap_or_default()
    }
}

pub const PRODUCTS_PER_PAGE: u32 = 6;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub total_items: u64,
    pub per_page: u32,
}

impl<T> Paged<T> {
    pub fn total_pages(&self) -> u32 {
        let per_page = u64::from(self.per_page.max(1));
        u32::try_from(self.total_items.div_ceil(per_page))
            .unwrap_or(u32::MAX)
            .max(1)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategorySummary {
    pub id: CategoryId,
    pub slug: String,
    pub name: String,
    pub tagline: String,
    pub kind: ProductKind,
    pub product_count: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductCard {
    pub id: ProductId,
    pub slug: String,
    pub name: String,
    pub product_line: String,
    pub summary: String,
    pub form: ProductForm,
    pub accent_colour: String,
    pub price_from: Money,
    pub variant_count: i64,
    pub stock: StockStatus,
    /// The first of the product's pictures; listings draw a pack shot without one.
    pub image: Option<ImageView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HomePage {
    pub featured: Vec<ProductCard>,
    pub categories: Vec<CategorySummary>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryPage {
    pub category: CategorySummary,
    pub sort: Sort,
    pub products: Paged<ProductCard>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ingredient {
    pub name: String,
    /// Exact decimal text from the database (`"25"`, `"0.5"`), never a float.
    pub amount: Option<(String, IngredientUnit)>,
    pub daily_value_percent: Option<i32>,
}

impl Ingredient {
    pub fn amount_label(&self) -> Option<String> {
        self.amount.as_ref().map(|(value, unit)| match unit {
            IngredientUnit::Percent => format!("{value}{}", unit.label()),
            IngredientUnit::Mg
            | IngredientUnit::Mcg
            | IngredientUnit::G
            | IngredientUnit::Iu
            | IngredientUnit::BillionCfu => format!("{value} {}", unit.label()),
        })
    }
}

/// One purchasable variant with what the shop shows for it right now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VariantOffer {
    pub id: VariantId,
    pub sku: String,
    pub label: String,
    pub price: Money,
    pub stock: StockStatus,
    /// Best-before date of the lot the next order would ship from (FEFO).
    pub best_before: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductDetail {
    pub id: ProductId,
    pub slug: String,
    pub name: String,
    pub product_line: String,
    pub category_slug: String,
    pub category_name: String,
    pub kind: ProductKind,
    pub form: ProductForm,
    pub accent_colour: String,
    pub summary: String,
    pub description: String,
    pub directions: String,
    pub disclaimer: String,
    pub benefits: Vec<String>,
    pub skin_types: Vec<SkinType>,
    pub allergens: Vec<Allergen>,
    pub ingredients: Vec<Ingredient>,
    pub variants: Vec<VariantOffer>,
    /// In display order.
    pub images: Vec<ImageView>,
}

impl ProductDetail {
    /// The variant named by `sku`, or the first one that can be bought, or the first.
    pub fn pick_variant(&self, sku: Option<&str>) -> Option<&VariantOffer> {
        sku.and_then(|sku| self.variants.iter().find(|v| v.sku == sku))
            .or_else(|| self.variants.iter().find(|v| v.stock.is_available()))
            .or_else(|| self.variants.first())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_round_trips_through_its_url_form() {
        for sort in Sort::ALL {
            assert_eq!(Sort::from_param(Some(sort.param())), sort);
        }
        assert_eq!(Sort::from_param(Some("bogus")), Sort::Featured);
        assert_eq!(Sort::from_param(None), Sort::Featured);
    }

    #[test]
    fn total_pages_rounds_up_and_is_at_least_one() {
        let page = |total| Paged::<()> {
            items: vec![],
            page: 1,
            total_items: total,
            per_page: 12,
        };
        assert_eq!(page(0).total_pages(), 1);
        assert_eq!(page(12).total_pages(), 1);
        assert_eq!(page(13).total_pages(), 2);
    }

    #[test]
    fn ingredient_amounts_read_naturally() {
        let ing = |amount| Ingredient {
            name: "x".into(),
            amount,
            daily_value_percent: None,
        };
        assert_eq!(
            ing(Some(("25".into(), IngredientUnit::Mcg)))
                .amount_label()
                .as_deref(),
            Some("25 µg")
        );
        assert_eq!(
            ing(Some(("2".into(), IngredientUnit::Percent)))
                .amount_label()
                .as_deref(),
            Some("2%")
        );
        assert_eq!(ing(None).amount_label(), None);
    }
}
