//! What the catalog back office shows: the product list, stock alerts and the editor.

use crate::audit::model::Changes;
use crate::catalog::model::{Allergen, ProductForm, ProductKind, SkinType};
use crate::ids::{CategoryId, LotId, ProductId, VariantId};
use crate::inventory::model::MovementReason;
use crate::media::model::ImageView;
use crate::money::Money;
use serde::{Deserialize, Serialize};

pub const ADMIN_PRODUCTS_PER_PAGE: u32 = 25;

/// Lots expiring within this many days are listed unless the admin picks another window.
pub const DEFAULT_EXPIRY_WINDOW_DAYS: u32 = 60;
pub const MAX_EXPIRY_WINDOW_DAYS: u32 = 730;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProductSort {
    #[default]
    Name,
    RecentlyChanged,
    LowestStock,
}

impl ProductSort {
    pub const ALL: [ProductSort; 3] = [
        ProductSort::Name,
        ProductSort::RecentlyChanged,
        ProductSort::LowestStock,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            ProductSort::Name => "name",
            ProductSort::RecentlyChanged => "changed",
            ProductSort::LowestStock => "stock",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ProductSort::Name => "Name",
            ProductSort::RecentlyChanged => "Recently changed",
            ProductSort::LowestStock => "Lowest stock",
        }
    }

    pub fn from_slug(slug: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.slug() == slug)
            .unwrap_or_default()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminProductRow {
    pub id: ProductId,
    pub slug: String,
    pub name: String,
    pub category: String,
    pub product_line: String,
    pub published: bool,
    pub variants: i64,
    /// Units on hand that can still be sold (enough shelf life left), over all variants.
    pub sellable_units: i64,
    pub images: i64,
    /// "2026-11-24 09:30".
    pub updated: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminProductsPage {
    pub rows: Vec<AdminProductRow>,
    pub total: i64,
    pub page: u32,
    pub total_pages: u32,
    pub query: String,
    pub sort: ProductSort,
}

/// A variant at or below the low-stock threshold (sold out included).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LowStockRow {
    pub sku: String,
    pub product_name: String,
    pub product_slug: String,
    pub variant_label: String,
    pub sellable_units: i64,
}

/// A lot with stock whose expiry falls inside the window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiringLotRow {
    pub batch_number: String,
    pub sku: String,
    pub product_name: String,
    pub product_slug: String,
    /// "2027-01-15".
    pub expiry_date: String,
    /// Negative once expired.
    pub days_left: i64,
    pub on_hand: i64,
    /// Too close to expiry to sell (the minimum remaining shelf life).
    pub unsellable: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryAlerts {
    pub threshold: i64,
    pub low_stock: Vec<LowStockRow>,
    pub window_days: u32,
    pub expiring: Vec<ExpiringLotRow>,
}

/// A category to choose from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryChoice {
    pub id: CategoryId,
    pub name: String,
    pub kind: ProductKind,
}

/// The editable fields of a product: as stored, and as a product form that passed every check
/// gives them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductFields {
    pub name: String,
    pub slug: String,
    pub category: CategoryId,
    pub product_line: String,
    pub form: ProductForm,
    pub summary: String,
    pub description: String,
    pub directions: String,
    pub disclaimer: String,
    pub benefits: Vec<String>,
    pub skin_types: Vec<SkinType>,
    pub allergens: Vec<Allergen>,
    pub accent_colour: String,
    pub featured: bool,
}

impl ProductFields {
    /// What `new` changes, before → after, for the audit log.
    pub fn changes(&self, new: &ProductFields) -> Changes {
        Changes::new()
            .field("name", &self.name, &new.name)
            .field("slug", &self.slug, &new.slug)
            .field("category", &self.category, &new.category)
            .field("product_line", &self.product_line, &new.product_line)
            .field("form", &self.form, &new.form)
            .field("summary", &self.summary, &new.summary)
            .field("description", &self.description, &new.description)
            .field("directions", &self.directions, &new.directions)
            .field("disclaimer", &self.disclaimer, &new.disclaimer)
            .field("benefits", &self.benefits, &new.benefits)
            .field("skin_types", &self.skin_types, &new.skin_types)
            .field("allergens", &self.allergens, &new.allergens)
            .field("accent_colour", &self.accent_colour, &new.accent_colour)
            .field("featured", &self.featured, &new.featured)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EditorLot {
    pub id: LotId,
    pub batch_number: String,
    /// "2027-03-31".
    pub expiry_date: String,
    pub on_hand: i64,
    /// Too close to expiry for the shop to sell.
    pub unsellable: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EditorVariant {
    pub id: VariantId,
    pub sku: String,
    pub label: String,
    pub pack_count: i32,
    pub price: Money,
    pub lots: Vec<EditorLot>,
}

/// One stock entry, newest first on the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovementRow {
    /// "2026-11-24 09:30".
    pub at: String,
    pub sku: String,
    pub batch_number: String,
    pub reason: MovementReason,
    pub quantity: i64,
    pub note: String,
    /// Who made it; `None` for the demo seed.
    pub by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EditorImage {
    pub id: uuid::Uuid,
    pub image: ImageView,
    /// "pending", "done" or "failed": whether AVIF versions exist yet.
    pub avif_state: String,
}

/// Everything the editor page of one product shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductEditor {
    pub id: ProductId,
    pub fields: ProductFields,
    pub published: bool,
    pub variants: Vec<EditorVariant>,
    pub images: Vec<EditorImage>,
    pub movements: Vec<MovementRow>,
}

/// The new-product page: the choices, and the standard disclaimers to start from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorChoices {
    pub categories: Vec<CategoryChoice>,
}

/// What an upload answers: the new photo on its product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedPhoto {
    pub id: uuid::Uuid,
    pub hash: String,
    pub width: u32,
    pub height: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_round_trip_and_unknown_falls_back_to_name() {
        for sort in ProductSort::ALL {
            assert_eq!(ProductSort::from_slug(sort.slug()), sort);
        }
        assert_eq!(ProductSort::from_slug("price"), ProductSort::Name);
    }
}
