//! What the back office's catalog and inventory pages show.

use crate::ids::ProductId;
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
