//! Discount codes: their terms, their limits, and why one doesn't apply.

use crate::money::{Money, MoneyError, div_round, to_minor};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiscountKind {
    /// Basis points off the goods: 1500 is 15 %.
    Percent(u32),
    /// A fixed amount off the goods (never more than they cost).
    Fixed(Money),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscountTerms {
    pub code: String,
    pub kind: DiscountKind,
    pub minimum_subtotal: Option<Money>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
}

/// Why a discount code doesn't apply to this order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum DiscountRefusal {
    #[error("The code {code} isn't valid yet.")]
    NotYetValid { code: String },
    #[error("The code {code} has expired.")]
    Expired { code: String },
    #[error("The code {code} needs an order of at least {minimum}.")]
    BelowMinimum { code: String, minimum: Money },
}

/// Why no amount comes off: the code doesn't apply, or the amounts don't add up.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotApplied {
    #[error(transparent)]
    Refused(#[from] DiscountRefusal),
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl DiscountTerms {
    /// The amount off goods worth `subtotal`, or why the code doesn't apply.
    pub fn amount_off(&self, subtotal: Money, now: DateTime<Utc>) -> Result<Money, NotApplied> {
        let code = self.code.clone();
        if now < self.starts_at {
            return Err(DiscountRefusal::NotYetValid { code }.into());
        }
        if self.ends_at.is_some_and(|end| now >= end) {
            return Err(DiscountRefusal::Expired { code }.into());
        }
        if let Some(minimum) = self.minimum_subtotal
            && subtotal.checked_sub(minimum)?.minor() < 0
        {
            return Err(DiscountRefusal::BelowMinimum { code, minimum }.into());
        }
        let off = match self.kind {
            DiscountKind::Percent(points) => to_minor(div_round(
                i128::from(subtotal.minor()) * i128::from(points.min(10_000)),
                10_000,
            ))?,
            DiscountKind::Fixed(amount) => {
                // Refuses a code in another currency.
                subtotal.checked_sub(amount)?;
                amount.minor().clamp(0, subtotal.minor())
            }
        };
        Ok(Money::new(off, subtotal.currency()))
    }
}

/// A discount code with its usage limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscountCode {
    pub terms: DiscountTerms,
    pub max_redemptions: Option<i32>,
    pub max_per_customer: Option<i32>,
    pub redemptions: i32,
}

/// A discount code as typed: spaces dropped, upper case; empty means none.
pub fn normalise_code(raw: &str) -> Option<String> {
    let code: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    (!code.is_empty()).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_tidied() {
        assert_eq!(normalise_code(" welcome 10 ").as_deref(), Some("WELCOME10"));
        assert_eq!(normalise_code("  "), None);
    }
}
