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

/// How often a subscription delivers: every 1, 2 or 3 months.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Cadence(u8);

impl Cadence {
    pub const ALL: [Cadence; 3] = [Cadence(1), Cadence(2), Cadence(3)];

    /// Every `months` months, for 1 to 3.
    pub fn every(months: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|c| i64::from(c.0) == months)
    }

    pub fn months(self) -> u8 {
        self.0
    }

    /// "every month", "every 2 months".
    pub fn label(self) -> String {
        match self.0 {
            1 => "every month".to_owned(),
            n => format!("every {n} months"),
        }
    }

    /// A choice from a form: "once" or empty is a one-time purchase, "1" to "3" a subscription.
    pub fn parse_choice(raw: &str) -> Result<Option<Self>, crate::error::AppError> {
        match raw.trim() {
            "" | "once" => Ok(None),
            other => other
                .parse::<i64>()
                .ok()
                .and_then(Cadence::every)
                .map(Some)
                .ok_or_else(|| {
                    crate::error::AppError::field(
                        "every",
                        "Choose one-time, or a delivery every 1, 2 or 3 months.",
                    )
                }),
        }
    }
}

/// Subscribe and save, where the catalog offers it for a product: the discount off its price.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscribeOffer {
    /// Basis points off the list price (1000 = 10 %).
    pub discount_bp: u16,
}

impl SubscribeOffer {
    /// From the stored rule; `None` for a value the database would refuse.
    pub fn from_bp(bp: i32) -> Option<Self> {
        u16::try_from(bp)
            .ok()
            .filter(|bp| *bp <= 5000)
            .map(|discount_bp| SubscribeOffer { discount_bp })
    }

    /// The subscriber's unit price: the list price less the discount, rounded to the nearest
    /// cent (half up), never below one cent.
    pub fn price(self, list: Money) -> Money {
        let off = crate::money::div_round(
            i128::from(list.minor()) * i128::from(self.discount_bp),
            10_000,
        );
        let off = i64::try_from(off).unwrap_or(0);
        Money::new((list.minor() - off).max(1), list.currency())
    }

    /// "10%", "12.5%".
    pub fn percent_label(self) -> String {
        let (whole, rest) = (self.discount_bp / 100, self.discount_bp % 100);
        match rest {
            0 => format!("{whole}%"),
            r if r % 10 == 0 => format!("{whole}.{}%", r / 10),
            r => format!("{whole}.{r:02}%"),
        }
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
    /// Subscribe and save, when the product offers it.
    pub subscribe: Option<SubscribeOffer>,
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
    fn the_subscriber_price_takes_the_discount_off_rounded_to_the_cent() {
        use crate::money::Currency;
        let ten = SubscribeOffer::from_bp(1000).unwrap();
        assert_eq!(ten.price(Money::new(1590, Currency::Eur)).minor(), 1431);
        // 1595 × 15 % = 239.25 off → 1356 (rounded to the nearest cent).
        let fifteen = SubscribeOffer::from_bp(1500).unwrap();
        assert_eq!(fifteen.price(Money::new(1595, Currency::Eur)).minor(), 1356);
        assert_eq!(
            SubscribeOffer::from_bp(1250).unwrap().percent_label(),
            "12.5%"
        );
        assert_eq!(ten.percent_label(), "10%");
        assert_eq!(SubscribeOffer::from_bp(5001), None);
        assert_eq!(SubscribeOffer::from_bp(-1), None);
    }

    #[test]
    fn a_cadence_is_one_to_three_months_or_a_one_time_purchase() {
        assert_eq!(Cadence::parse_choice("once"), Ok(None));
        assert_eq!(Cadence::parse_choice(""), Ok(None));
        assert_eq!(Cadence::parse_choice(" 2 "), Ok(Cadence::every(2)));
        assert_eq!(Cadence::every(1).unwrap().label(), "every month");
        assert_eq!(Cadence::every(3).unwrap().label(), "every 3 months");
        for bad in ["0", "4", "monthly", "1.5"] {
            assert!(Cadence::parse_choice(bad).is_err(), "{bad}");
        }
    }

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
