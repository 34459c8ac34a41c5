//! The cart as the shopper sees it: lines with today's price and stock, and what changed since
//! they were added. Pure rules only; the browser and the server share them.

use crate::catalog::model::{Cadence, SubscribeOffer};
use crate::error::AppError;
use crate::ids::VariantId;
use crate::money::{Money, MoneyError};
use serde::{Deserialize, Serialize};

/// Most units of one variant a cart line holds: a household's supply, not a reseller's.
pub const MAX_LINE_QUANTITY: i32 = 20;

/// One variant in the cart, priced and stocked as of now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    pub variant_id: VariantId,
    pub sku: String,
    pub product_name: String,
    pub product_slug: String,
    pub variant_label: String,
    pub quantity: i32,
    pub unit_price: Money,
    /// The unit price when the shopper last saw it.
    pub seen_price: Money,
    /// Sellable units right now (not counting what other checkouts hold).
    pub available: i64,
    /// Withdrawn from sale since it was added.
    pub withdrawn: bool,
    /// Subscribed to (delivered again every so often) rather than bought once.
    pub every: Option<Cadence>,
    /// Subscribe and save as the catalog offers it for this product now.
    pub subscribe: Option<SubscribeOffer>,
}

/// Why a line can't go to checkout as it is, or what the shopper should know about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineNotice {
    SoldOut,
    Withdrawn,
    /// Chosen as a subscription, which the product no longer offers.
    NotSubscribable,
    OnlyLeft {
        available: i64,
    },
    PriceChanged {
        was: Money,
        now: Money,
    },
}

impl LineNotice {
    pub fn message(self) -> String {
        match self {
            LineNotice::SoldOut => "Sold out — remove it to check out.".to_owned(),
            LineNotice::Withdrawn => "No longer sold — remove it to check out.".to_owned(),
            LineNotice::NotSubscribable => {
                "Subscribe and save is no longer offered for this product — choose one-time to check out."
                    .to_owned()
            }
            LineNotice::OnlyLeft { available } => {
                format!("Only {available} left — lower the quantity to check out.")
            }
            LineNotice::PriceChanged { was, now } if now.minor() < was.minor() => {
                format!("Good news: the price dropped from {was} to {now}.")
            }
            LineNotice::PriceChanged { was, now } => {
                format!("The price changed from {was} to {now}.")
            }
        }
    }

    /// Blocks checkout until the shopper changes the line.
    pub fn blocks_checkout(self) -> bool {
        !matches!(self, LineNotice::PriceChanged { .. })
    }
}

impl CartLine {
    /// What one unit costs on this line: the subscriber's price when subscribed.
    pub fn price_each(&self) -> Money {
        match (self.every, self.subscribe) {
            (Some(_), Some(offer)) => offer.price(self.unit_price),
            (Some(_), None) | (None, None | Some(_)) => self.unit_price,
        }
    }

    pub fn total(&self) -> Result<Money, MoneyError> {
        self.price_each().checked_mul(self.quantity.unsigned_abs())
    }

    /// At most one notice: the one the shopper must act on first.
    pub fn notice(&self) -> Option<LineNotice> {
        if self.withdrawn {
            Some(LineNotice::Withdrawn)
        } else if self.available <= 0 {
            Some(LineNotice::SoldOut)
        } else if self.every.is_some() && self.subscribe.is_none() {
            Some(LineNotice::NotSubscribable)
        } else if i64::from(self.quantity) > self.available {
            Some(LineNotice::OnlyLeft {
                available: self.available,
            })
        } else if self.unit_price != self.seen_price {
            Some(LineNotice::PriceChanged {
                was: self.seen_price,
                now: self.unit_price,
            })
        } else {
            None
        }
    }

    /// The most this line may hold: stock and the per-line cap.
    pub fn max_quantity(&self) -> i32 {
        i32::try_from(self.available.clamp(1, i64::from(MAX_LINE_QUANTITY)))
            .unwrap_or(MAX_LINE_QUANTITY)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    /// In the order they were added.
    pub lines: Vec<CartLine>,
}

impl Cart {
    pub fn item_count(&self) -> i64 {
        self.lines.iter().map(|l| i64::from(l.quantity)).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Some line is a subscription: checking out needs an account and saves the card.
    pub fn subscribes(&self) -> bool {
        self.lines.iter().any(|l| l.every.is_some())
    }

    /// Sum of the line totals at today's prices; `None` for an empty cart.
    pub fn subtotal(&self) -> Result<Option<Money>, MoneyError> {
        let mut totals = self.lines.iter().map(CartLine::total);
        let Some(first) = totals.next() else {
            return Ok(None);
        };
        totals
            .try_fold(first?, |sum, line| sum.checked_add(line?))
            .map(Some)
    }

    /// Nothing sold out, withdrawn or short: checkout may start.
    pub fn can_check_out(&self) -> bool {
        !self.is_empty()
            && self
                .lines
                .iter()
                .all(|l| l.notice().is_none_or(|n| !n.blocks_checkout()))
    }
}

/// A quantity typed into a cart form: a whole number from 1 to [`MAX_LINE_QUANTITY`] (0 when
/// `allow_zero`, which removes the line).
pub fn parse_quantity(raw: &str, allow_zero: bool) -> Result<i32, AppError> {
    let low = if allow_zero { 0 } else { 1 };
    match raw.trim().parse::<i32>() {
        Ok(n) if (low..=MAX_LINE_QUANTITY).contains(&n) => Ok(n),
        Ok(_) | Err(_) => Err(AppError::field(
            "quantity",
            format!("Choose a quantity from {low} to {MAX_LINE_QUANTITY}."),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::Eur)
    }

    fn line(quantity: i32, price: i64, seen: i64, available: i64) -> CartLine {
        CartLine {
            variant_id: VariantId(uuid::Uuid::from_u128(u128::from(price.unsigned_abs()))),
            sku: "SKU-1".to_owned(),
            product_name: "Vitamin D3".to_owned(),
            product_slug: "vitamin-d3".to_owned(),
            variant_label: "60 capsules".to_owned(),
            quantity,
            unit_price: eur(price),
            seen_price: eur(seen),
            available,
            withdrawn: false,
            every: None,
            subscribe: None,
        }
    }

    #[test]
    fn notices_come_in_order_of_urgency() {
        assert_eq!(line(2, 1000, 1000, 5).notice(), None);
        assert_eq!(
            line(2, 1200, 1000, 5).notice(),
            Some(LineNotice::PriceChanged {
                was: eur(1000),
                now: eur(1200)
            })
        );
        assert_eq!(
            line(6, 1200, 1000, 5).notice(),
            Some(LineNotice::OnlyLeft { available: 5 })
        );
        assert_eq!(line(1, 1000, 1000, 0).notice(), Some(LineNotice::SoldOut));
        let mut gone = line(1, 1000, 1000, 0);
        gone.withdrawn = true;
        assert_eq!(gone.notice(), Some(LineNotice::Withdrawn));
    }

    #[test]
    fn a_subscribed_line_costs_the_subscriber_price_while_the_product_offers_it() {
        let mut subscribed = line(2, 1590, 1590, 5);
        subscribed.subscribe = SubscribeOffer::from_bp(1000);
        assert_eq!(subscribed.total(), Ok(eur(2 * 1590)));
        subscribed.every = Cadence::every(1);
        assert_eq!(subscribed.price_each(), eur(1431));
        assert_eq!(subscribed.total(), Ok(eur(2 * 1431)));
        assert_eq!(subscribed.notice(), None);
        subscribed.subscribe = None;
        assert_eq!(subscribed.notice(), Some(LineNotice::NotSubscribable));
        let cart = Cart {
            lines: vec![subscribed],
        };
        assert!(!cart.can_check_out());
        assert!(cart.subscribes());
    }

    #[test]
    fn a_price_change_is_news_not_a_blocker() {
        let cart = Cart {
            lines: vec![line(1, 1200, 1000, 5)],
        };
        assert!(cart.can_check_out());
        let short = Cart {
            lines: vec![line(1, 1200, 1000, 5), line(9, 500, 500, 3)],
        };
        assert!(!short.can_check_out());
        assert!(!Cart::default().can_check_out());
    }

    #[test]
    fn subtotal_sums_todays_prices() {
        let cart = Cart {
            lines: vec![line(2, 1295, 1000, 5), line(3, 450, 450, 9)],
        };
        assert_eq!(cart.subtotal(), Ok(Some(eur(2 * 1295 + 3 * 450))));
        assert_eq!(cart.item_count(), 5);
        assert_eq!(Cart::default().subtotal(), Ok(None));
    }

    #[test]
    fn quantities_are_whole_numbers_in_range() {
        assert_eq!(parse_quantity(" 3 ", false), Ok(3));
        assert_eq!(parse_quantity("0", true), Ok(0));
        for bad in ["0", "21", "-1", "2.5", "", "lots"] {
            let error = parse_quantity(bad, false).unwrap_err();
            assert_eq!(
                error.field_message("quantity"),
                Some("Choose a quantity from 1 to 20.")
            );
        }
    }

    #[test]
    fn the_most_a_line_may_hold_is_stock_capped_at_the_limit() {
        assert_eq!(line(1, 100, 100, 3).max_quantity(), 3);
        assert_eq!(line(1, 100, 100, 500).max_quantity(), 20);
        assert_eq!(line(1, 100, 100, 0).max_quantity(), 1);
    }
}
