//! The pure stock rules: which lots may be sold, which ships next (FEFO), how stock is shown.
//! The SQL side uses the same cut-off through [`sellable_expiry_after`].

use crate::ids::LotId;
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// A lot must keep this much shelf life on the day it ships; older lots are held back for the
/// back office's near-expiry list instead of being sent to a customer.
pub const MIN_REMAINING_SHELF_LIFE_DAYS: u64 = 30;

/// At or below this many sellable units the shop says "only N left".
pub const LOW_STOCK_THRESHOLD: i64 = 10;

pg_enum!(
    /// Why a lot's stock changed. Stored as text (`stock_movements.reason`); `Received` is the
    /// receipt that created the lot, `Sold` a paid order's units leaving, `Restocked` them
    /// coming back when the order is cancelled before shipping; the rest are corrections an admin
    /// chooses from.
    MovementReason as "text" {
    Received = "received": "Received",
    StockCount = "stock_count": "Stock count correction",
    Damaged = "damaged": "Damaged",
    Expired = "expired": "Expired, disposed of",
    ReturnedToSupplier = "returned_to_supplier": "Returned to supplier",
    Found = "found": "Found stock",
    QualityHold = "quality_hold": "Quality hold",
    Sold = "sold": "Sold",
    Restocked = "restocked": "Back on the shelf (order cancelled before shipping)",
});

impl MovementReason {
    /// The reasons an admin may give for a correction (receipts and sales are recorded by
    /// their own flows).
    pub fn corrections() -> impl Iterator<Item = MovementReason> {
        Self::ALL.iter().copied().filter(|r| {
            !matches!(
                r,
                MovementReason::Received | MovementReason::Sold | MovementReason::Restocked
            )
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotStock {
    pub lot_id: LotId,
    pub batch_number: String,
    pub expiry_date: NaiveDate,
    /// Units the lot can still promise: on hand less those held for pending orders.
    pub free: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StockStatus {
    InStock,
    Low { left: i64 },
    OutOfStock,
}

impl StockStatus {
    pub fn from_available(available: i64) -> Self {
        match available {
            n if n <= 0 => StockStatus::OutOfStock,
            n if n <= LOW_STOCK_THRESHOLD => StockStatus::Low { left: n },
            _ => StockStatus::InStock,
        }
    }

    pub fn label(self) -> String {
        match self {
            StockStatus::InStock => "In stock".to_owned(),
            StockStatus::Low { left } => format!("Only {left} left"),
            StockStatus::OutOfStock => "Out of stock".to_owned(),
        }
    }

    pub fn is_available(self) -> bool {
        !matches!(self, StockStatus::OutOfStock)
    }
}

/// Lots expiring on or before this date are not sold on `today`.
pub fn sellable_expiry_after(today: NaiveDate) -> NaiveDate {
    today
        .checked_add_days(Days::new(MIN_REMAINING_SHELF_LIFE_DAYS))
        .unwrap_or(NaiveDate::MAX)
}

fn is_sellable(lot: &LotStock, today: NaiveDate) -> bool {
    lot.free > 0 && lot.expiry_date > sellable_expiry_after(today)
}

/// Units that can be sold today across `lots`.
pub fn available(lots: &[LotStock], today: NaiveDate) -> i64 {
    lots.iter()
        .filter(|lot| is_sellable(lot, today))
        .map(|lot| lot.free)
        .sum()
}

/// The lot the next order would ship from: the sellable lot that expires first
/// (ties broken by batch number so the choice is stable).
pub fn next_to_ship(lots: &[LotStock], today: NaiveDate) -> Option<&LotStock> {
    lots.iter()
        .filter(|lot| is_sellable(lot, today))
        .min_by(|a, b| (a.expiry_date, &a.batch_number).cmp(&(b.expiry_date, &b.batch_number)))
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub lot_id: LotId,
    pub quantity: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("only {available} of {requested} units can be sold")]
pub struct Shortfall {
    pub requested: i64,
    pub available: i64,
}

/// Split `quantity` units over sellable lots, earliest expiry first.
pub fn allocate_fefo(
    lots: &[LotStock],
    quantity: i64,
    today: NaiveDate,
) -> Result<Vec<Allocation>, Shortfall> {
    let mut sellable: Vec<&LotStock> = lots.iter().filter(|l| is_sellable(l, today)).collect();
    sellable
        .sort_by(|a, b| (a.expiry_date, &a.batch_number).cmp(&(b.expiry_date, &b.batch_number)));

    let mut remaining = quantity;
    let mut allocations = Vec::new();
    for lot in sellable {
        if remaining <= 0 {
            break;
        }
        let take = remaining.min(lot.free);
        allocations.push(Allocation {
            lot_id: lot.lot_id,
            quantity: take,
        });
        remaining -= take;
    }
    if remaining > 0 {
        return Err(Shortfall {
            requested: quantity,
            available: quantity - remaining,
        });
    }
    Ok(allocations)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn lot(n: u128, batch: &str, expiry: &str, free: i64) -> LotStock {
        LotStock {
            lot_id: LotId(uuid::Uuid::from_u128(n)),
            batch_number: batch.into(),
            expiry_date: day(expiry),
            free,
        }
    }

    const TODAY: &str = "2026-11-23";

    #[test]
    fn next_to_ship_is_the_earliest_sellable_expiry() {
        let lots = [
            lot(1, "B-200", "2027-09-01", 40),
            lot(2, "B-100", "2027-03-01", 12),
            lot(3, "B-300", "2028-01-01", 90),
        ];
        assert_eq!(
            next_to_ship(&lots, day(TODAY)).unwrap().batch_number,
            "B-100"
        );
    }

    #[test]
    fn empty_and_nearly_expired_lots_are_skipped() {
        let lots = [
            lot(1, "EMPTY", "2027-01-01", 0),
            // Expires within the minimum remaining shelf life: held back.
            lot(2, "SHORT", "2026-12-20", 50),
            lot(3, "OK", "2027-06-01", 5),
        ];
        assert_eq!(next_to_ship(&lots, day(TODAY)).unwrap().batch_number, "OK");
        assert_eq!(available(&lots, day(TODAY)), 5);
    }

    #[test]
    fn shelf_life_boundary_is_exclusive() {
        let cutoff = sellable_expiry_after(day(TODAY));
        assert_eq!(cutoff, day("2026-12-23"));
        let on_cutoff = [lot(1, "EDGE", "2026-12-23", 3)];
        let after = [lot(1, "EDGE", "2026-12-24", 3)];
        assert_eq!(available(&on_cutoff, day(TODAY)), 0);
        assert_eq!(available(&after, day(TODAY)), 3);
    }

    #[test]
    fn nothing_to_ship_when_all_lots_are_unsellable() {
        let lots = [lot(1, "A", "2026-11-01", 10), lot(2, "B", "2027-01-01", 0)];
        assert_eq!(next_to_ship(&lots, day(TODAY)), None);
        assert_eq!(
            StockStatus::from_available(available(&lots, day(TODAY))),
            StockStatus::OutOfStock
        );
    }

    #[test]
    fn allocation_drains_earliest_lots_first() {
        let lots = [
            lot(1, "LATE", "2028-01-01", 100),
            lot(2, "EARLY", "2027-02-01", 3),
            lot(3, "MID", "2027-08-01", 4),
        ];
        let got = allocate_fefo(&lots, 9, day(TODAY)).unwrap();
        let ids: Vec<(u128, i64)> = got
            .iter()
            .map(|a| (a.lot_id.0.as_u128(), a.quantity))
            .collect();
        assert_eq!(ids, vec![(2, 3), (3, 4), (1, 2)]);
    }

    #[test]
    fn allocation_reports_the_shortfall() {
        let lots = [lot(1, "A", "2027-06-01", 2), lot(2, "B", "2026-12-01", 50)];
        assert_eq!(
            allocate_fefo(&lots, 5, day(TODAY)),
            Err(Shortfall {
                requested: 5,
                available: 2
            })
        );
    }

    #[test]
    fn stock_status_thresholds() {
        assert_eq!(StockStatus::from_available(0), StockStatus::OutOfStock);
        assert_eq!(StockStatus::from_available(-3), StockStatus::OutOfStock);
        assert_eq!(StockStatus::from_available(1), StockStatus::Low { left: 1 });
        assert_eq!(
            StockStatus::from_available(10),
            StockStatus::Low { left: 10 }
        );
        assert_eq!(StockStatus::from_available(11), StockStatus::InStock);
        assert_eq!(StockStatus::Low { left: 3 }.label(), "Only 3 left");
    }

    fn arb_lots() -> impl Strategy<Value = Vec<LotStock>> {
        prop::collection::vec((0i64..60, 0u64..900), 0..8).prop_map(|specs| {
            specs
                .into_iter()
                .enumerate()
                .map(|(i, (free, days))| LotStock {
                    lot_id: LotId(uuid::Uuid::from_u128(i as u128)),
                    batch_number: format!("L{i:03}"),
                    expiry_date: day(TODAY).checked_add_days(Days::new(days)).unwrap(),
                    free,
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn allocation_never_oversells_and_is_fefo(lots in arb_lots(), qty in 1i64..200) {
            let today = day(TODAY);
            match allocate_fefo(&lots, qty, today) {
                Ok(allocs) => {
                    prop_assert_eq!(allocs.iter().map(|a| a.quantity).sum::<i64>(), qty);
                    for a in &allocs {
                        let l = lots.iter().find(|l| l.lot_id == a.lot_id).unwrap();
                        prop_assert!(a.quantity > 0 && a.quantity <= l.free);
                        prop_assert!(l.expiry_date > sellable_expiry_after(today));
                    }
                    // Every lot used before the last one was drained completely.
                    for a in allocs.iter().take(allocs.len().saturating_sub(1)) {
                        let l = lots.iter().find(|l| l.lot_id == a.lot_id).unwrap();
                        prop_assert_eq!(a.quantity, l.free);
                    }
                    if let Some(first) = allocs.first() {
                        prop_assert_eq!(Some(first.lot_id), next_to_ship(&lots, today).map(|l| l.lot_id));
                    }
                }
                Err(short) => {
                    prop_assert_eq!(short.available, available(&lots, today));
                    prop_assert!(short.available < qty);
                }
            }
        }
    }
}
