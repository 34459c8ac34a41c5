//! Loyalty points as customers and support see them, and their arithmetic: what a payment
//! earns, what a refund takes back, what points are worth at checkout. Pure; shared by browser
//! and server.

use crate::error::{AppError, Problems};
use crate::ids::{OrderId, UserId};
use crate::money::{Money, div_round};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pg_enum!(
    /// What earns points; how many is data (`loyalty_rules`).
    Earning as "loyalty_earning" {
    EuroPaid = "euro_paid": "Each euro paid",
    ReviewPublished = "review_published": "A published review",
    Renewal = "renewal": "A subscription renewal",
});

pg_enum!(
    /// Why points came or went.
    EntryKind as "loyalty_entry_kind" {
    Purchase = "purchase": "Order",
    PurchaseRefunded = "purchase_refunded": "Refund",
    Renewal = "renewal": "Subscription renewal",
    Review = "review": "Review published",
    ReviewWithdrawn = "review_withdrawn": "Review taken down",
    Redeemed = "redeemed": "Spent at checkout",
    RedemptionReturned = "redemption_returned": "Points given back",
    Adjustment = "adjustment": "Adjusted by support",
    Expired = "expired": "Expired",
});

/// Points a euro of discount costs at checkout.
pub const POINTS_PER_EURO: i64 = 100;
/// Points expire after this many months without any entry.
pub const EXPIRY_MONTHS: u32 = 12;
/// History entries per page.
pub const PER_PAGE: i64 = 20;
/// The most support adds or takes in one adjustment.
pub const MAX_ADJUSTMENT: i32 = 100_000;
pub const REASON_MAX: usize = 500;

/// One earning rule: `points` per euro paid, per published review, or on the `nth` renewal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarnRule {
    pub earning: Earning,
    pub nth: Option<i32>,
    pub points: i32,
}

impl EarnRule {
    /// "1 point for each €1 paid", "50 points for each published review", …
    pub fn describe(&self) -> String {
        let points = crate::ui::count_of(i64::from(self.points), "point");
        match (self.earning, self.nth) {
            (Earning::EuroPaid, _) => format!("{points} for each €1 you pay"),
            (Earning::ReviewPublished, _) => {
                format!("{points} for each review of yours that is published")
            }
            (Earning::Renewal, Some(nth)) => {
                format!(
                    "{points} when a subscription renews for the {} time",
                    ordinal(nth)
                )
            }
            (Earning::Renewal, None) => format!("{points} for a subscription renewal"),
        }
    }
}

/// "1st", "2nd", "3rd", "12th".
pub fn ordinal(n: i32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// The points that are worth `minor` cents off.
pub fn points_for_minor(minor: i64) -> i64 {
    minor.max(0) * POINTS_PER_EURO / 100
}

/// What `points` are worth off an order, in cents.
pub fn minor_for_points(points: i64) -> i64 {
    points.max(0) * 100 / POINTS_PER_EURO
}

/// Points a payment of `paid` earns at `per_euro` points for each whole unit of its currency.
pub fn earned_for_payment(paid: Money, per_euro: i32) -> i64 {
    paid.minor().max(0) / 100 * i64::from(per_euro)
}

/// Points to take back when an order that earned `earned` points, of `total`, has had
/// `refunded_before` refunded and now `refunded_after`: the share of the refund, counted so
/// that the shares of all its refunds add up to exactly `earned` once all of it is refunded.
pub fn refund_share(earned: i64, total: i64, refunded_before: i64, refunded_after: i64) -> i64 {
    if total <= 0 || earned <= 0 {
        return 0;
    }
    let share = |refunded: i64| {
        let refunded = i128::from(refunded.clamp(0, total));
        div_round(i128::from(earned) * refunded, i128::from(total))
    };
    i64::try_from(share(refunded_after) - share(refunded_before)).unwrap_or(0)
}

/// Whether an entry counts yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Settlement {
    Available,
    /// Its order is on its way; the points count 14 days after it arrives.
    AwaitingDelivery,
    /// Delivered; they count from this day, when the return window closes.
    Until(NaiveDate),
}

/// One line of a customer's points history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoyaltyEntry {
    pub kind: EntryKind,
    pub points: i64,
    pub at: DateTime<Utc>,
    pub order: Option<(OrderId, String)>,
    pub renewal_number: Option<i32>,
    /// The product reviewed, or support's reason.
    pub note: String,
    pub settlement: Settlement,
}

impl LoyaltyEntry {
    /// "Order OL-1042", "Subscription renewal (3rd)", "Review published: Vitamin D3", …
    pub fn describe(&self) -> String {
        let mut text = self.kind.label().to_owned();
        if let Some(nth) = self.renewal_number {
            text.push_str(&format!(" ({})", ordinal(nth)));
        }
        if let Some((_, reference)) = &self.order {
            match self.kind {
                EntryKind::Purchase => text = format!("Order {reference}"),
                EntryKind::PurchaseRefunded
                | EntryKind::Renewal
                | EntryKind::Redeemed
                | EntryKind::RedemptionReturned
                | EntryKind::Review
                | EntryKind::ReviewWithdrawn
                | EntryKind::Adjustment
                | EntryKind::Expired => text.push_str(&format!(" · order {reference}")),
            }
        }
        if !self.note.is_empty() {
            text.push_str(&format!(": {}", self.note));
        }
        text
    }
}

/// The balance: what can be spent now and what is still waiting for deliveries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    pub available: i64,
    pub pending: i64,
    /// The last entry; the points expire 12 months after it.
    pub last_activity: Option<DateTime<Utc>>,
}

impl Balance {
    /// The day the available points expire unless something happens first.
    pub fn expires_on(&self) -> Option<NaiveDate> {
        let last = self.last_activity?;
        (self.available > 0)
            .then(|| {
                last.date_naive()
                    .checked_add_months(chrono::Months::new(EXPIRY_MONTHS))
            })
            .flatten()
    }

    /// What the available points are worth at checkout, in euro cents.
    pub fn worth_minor(&self) -> i64 {
        minor_for_points(self.available)
    }
}

/// A customer's loyalty page: the balance, a page of history and how to earn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoyaltyAccount {
    pub balance: Balance,
    pub entries: Vec<LoyaltyEntry>,
    pub total: i64,
    pub page: i64,
    pub rules: Vec<EarnRule>,
}

/// The back office's view of one customer's points.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerPoints {
    pub user: UserId,
    pub name: String,
    pub email: String,
    pub account: LoyaltyAccount,
}

/// An adjustment as support typed it, checked: a whole number of points other than zero, and
/// a reason the customer reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Adjustment {
    pub points: i32,
    pub reason: String,
}

pub fn check_adjustment(points: &str, reason: &str) -> Result<Adjustment, AppError> {
    let mut problems = Problems::default();
    let points = match points.trim().trim_start_matches('+').parse::<i32>() {
        Ok(0) => {
            problems.add("points", "Add or take at least one point.");
            0
        }
        Ok(n) if n.abs() <= MAX_ADJUSTMENT => n,
        Ok(_) => {
            problems.add(
                "points",
                format!("Adjust by at most {MAX_ADJUSTMENT} points at a time."),
            );
            0
        }
        Err(_) => {
            problems.add(
                "points",
                "Enter a whole number of points: 250 adds, -250 takes away.",
            );
            0
        }
    };
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > REASON_MAX {
        problems.add(
            "reason",
            format!("Say why (up to {REASON_MAX} characters); the customer reads it."),
        );
    }
    problems.into_result(Adjustment {
        points,
        reason: reason.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use proptest::prelude::*;

    #[test]
    fn a_payment_earns_per_whole_euro() {
        assert_eq!(earned_for_payment(Money::new(4_299, Currency::Eur), 1), 42);
        assert_eq!(earned_for_payment(Money::new(99, Currency::Eur), 1), 0);
        assert_eq!(
            earned_for_payment(Money::new(10_000, Currency::Eur), 3),
            300
        );
    }

    #[test]
    fn ordinals_read_as_words_do() {
        let words: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 112].map(ordinal).into();
        assert_eq!(
            words,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "112th"
            ]
        );
    }

    #[test]
    fn adjustments_need_points_and_a_reason() {
        assert_eq!(
            check_adjustment("+250", " Parcel arrived damaged "),
            Ok(Adjustment {
                points: 250,
                reason: "Parcel arrived damaged".to_owned()
            })
        );
        assert_eq!(
            check_adjustment("-40", "Duplicate").map(|a| a.points),
            Ok(-40)
        );
        for (points, reason, field) in [
            ("0", "x", "points"),
            ("abc", "x", "points"),
            ("100001", "x", "points"),
            ("10", " ", "reason"),
        ] {
            let error = check_adjustment(points, reason).unwrap_err();
            assert!(error.field_message(field).is_some(), "{points} {reason:?}");
        }
    }

    #[test]
    fn the_balance_expires_a_year_after_the_last_entry() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let balance = Balance {
            available: 250,
            pending: 0,
            last_activity: Some(at("2026-02-28T10:00:00Z")),
        };
        assert_eq!(balance.expires_on(), NaiveDate::from_ymd_opt(2027, 2, 28));
        assert_eq!(balance.worth_minor(), 250);
        let empty = Balance {
            available: 0,
            ..balance
        };
        assert_eq!(empty.expires_on(), None);
    }

    proptest! {
        #[test]
        fn refund_shares_add_up_to_what_was_earned(
            earned in 0i64..100_000,
            total in 1i64..1_000_000,
            cuts in prop::collection::vec(1i64..1_000_000, 0..6),
        ) {
            // Refunds in any steps that end with the whole order refunded.
            let mut refunded = 0;
            let mut taken = 0;
            for cut in cuts {
                let after = (refunded + cut).min(total);
                let share = refund_share(earned, total, refunded, after);
                prop_assert!(share >= 0);
                taken += share;
                refunded = after;
                // Never more than the refunded share, rounded.
                prop_assert!(taken <= earned);
            }
            taken += refund_share(earned, total, refunded, total);
            prop_assert_eq!(taken, earned);
        }
    }
}
