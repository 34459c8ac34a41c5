//! What an order costs, to the cent: subtotal, discount, shipping and tax, computed from data
//! (tax rates, the shipping table, a discount code). Pure and shared by browser and server: the
//! checkout summary shows exactly this quote and the payment charges exactly its total.
//!
//! Rules
//! - Catalog prices are what the shopper pays where prices include tax; where they don't, tax
//!   is added on top of them.
//! - A discount is taken off the goods, never off shipping, and never below zero. It is shared
//!   out over the lines in proportion to their value (largest remainder, so the shares add up to
//!   the discount exactly); each line's tax is computed on what is left of it.
//! - Loyalty points come off next, also off the goods only, at most half of what the goods
//!   cost after the code's discount; they are shared out over the lines the same way, and
//!   each line's tax is computed on what is left after both shares.
//! - Free shipping counts the goods after the code's discount (points are the shopper's own
//!   money: spending them never costs free shipping).
//! - Each amount is rounded half up to the cent once, per line; totals are sums of rounded
//!   amounts, so the parts always add up to the total.

use crate::discounts::model::{DiscountRefusal, DiscountTerms, NotApplied};
use crate::money::{Currency, Money, MoneyError, div_round, to_minor};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A tax rate in basis points: 900 is 9 %.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxRate(pub u32);

/// Whether the destination shows prices with tax included (EU consumers) or adds it at checkout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaxMode {
    Included,
    Added,
}

/// One cart line as checkout prices it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricedLine {
    pub unit_price: Money,
    pub quantity: u32,
    pub tax_rate: TaxRate,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShippingCharge {
    pub price: Money,
    /// Goods worth at least this much (after the discount) ship free.
    pub free_from: Option<Money>,
    pub tax_rate: TaxRate,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    #[error("nothing to price")]
    Empty,
    #[error(transparent)]
    Discount(#[from] DiscountRefusal),
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl From<NotApplied> for PricingError {
    fn from(error: NotApplied) -> Self {
        match error {
            NotApplied::Refused(refusal) => PricingError::Discount(refusal),
            NotApplied::Money(error) => PricingError::Money(error),
        }
    }
}

/// One line of the quote, in the order of the input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotedLine {
    /// Unit price × quantity.
    pub gross: Money,
    /// This line's share of the discount and of the loyalty points.
    pub discount: Money,
    /// Tax on what the line costs after its discount share (included in it, or added to it).
    pub tax: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub lines: Vec<QuotedLine>,
    pub subtotal: Money,
    /// The code's discount.
    pub discount: Money,
    /// What loyalty points took off.
    pub points: Money,
    pub shipping: Money,
    /// All tax: the goods' and the shipping's.
    pub tax: Money,
    pub tax_mode: TaxMode,
    /// What the shopper pays.
    pub total: Money,
}

/// The tax in (Included) or on (Added) a non-negative amount.
fn tax_of(amount: i64, rate: TaxRate, mode: TaxMode) -> Result<i64, MoneyError> {
    let (amount, rate) = (i128::from(amount), i128::from(rate.0));
    let tax = match mode {
        TaxMode::Included => div_round(amount * rate, 10_000 + rate),
        TaxMode::Added => div_round(amount * rate, 10_000),
    };
    to_minor(tax)
}

/// Shares of `total` in proportion to `weights` (non-negative, positive sum), adding up to
/// `total` exactly: floors first, then the leftover cents to the largest remainders (earlier
/// lines first on ties).
pub fn allocate(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if sum <= 0 || weights.is_empty() {
        return vec![0; weights.len()];
    }
    let exact: Vec<(i128, i128)> = weights
        .iter()
        .map(|w| {
            let product = i128::from(total) * i128::from(*w);
            (product / sum, product % sum)
        })
        .collect();
    let mut shares: Vec<i64> = exact
        .iter()
        .map(|(floor, _)| i64::try_from(*floor).unwrap_or(0))
        .collect();
    let handed_out: i64 = shares.iter().sum();
    let mut by_remainder: Vec<usize> = (0..weights.len()).collect();
    by_remainder.sort_by(|a, b| exact[*b].1.cmp(&exact[*a].1).then(a.cmp(b)));
    for index in by_remainder
        .into_iter()
        .take(usize::try_from(total - handed_out).unwrap_or(0))
    {
        shares[index] += 1;
    }
    shares
}

/// Price an order; `points_offered` is the value of the loyalty points the shopper spends, in
/// minor units (what exceeds half the goods stays unspent).
pub fn quote(
    lines: &[PricedLine],
    shipping: &ShippingCharge,
    discount: Option<&DiscountTerms>,
    points_offered: i64,
    tax_mode: TaxMode,
    now: DateTime<Utc>,
) -> Result<Quote, PricingError> {
    let first = lines.first().ok_or(PricingError::Empty)?;
    let currency: Currency = first.unit_price.currency();
    let gross = lines
        .iter()
        .map(|l| l.unit_price.checked_mul(l.quantity))
        .collect::<Result<Vec<Money>, _>>()?;
    let subtotal = Money::sum(currency, gross.iter().copied())?;
    let discount = match discount {
        Some(terms) => terms.amount_off(subtotal, now)?,
        None => Money::zero(currency),
    };
    let weights: Vec<i64> = gross.iter().map(|g| g.minor()).collect();
    let shares = allocate(discount.minor(), &weights);

    let goods_after_discount = subtotal.checked_sub(discount)?;
    let points = points_offered.clamp(0, goods_after_discount.minor() / 2);
    let left: Vec<i64> = weights.iter().zip(&shares).map(|(w, s)| w - s).collect();
    let point_shares = allocate(points, &left);
    let ships_free = shipping
        .free_from
        .map(|threshold| goods_after_discount.checked_sub(threshold))
        .transpose()?
        .is_some_and(|over| over.minor() >= 0);
    let shipping_price = if ships_free {
        Money::zero(currency)
    } else {
        shipping.price
    };

    let mut quoted = Vec::with_capacity(lines.len());
    for (((line, gross), share), points) in lines.iter().zip(&gross).zip(shares).zip(point_shares) {
        let net = gross.minor() - share - points;
        quoted.push(QuotedLine {
            gross: *gross,
            discount: Money::new(share + points, currency),
            tax: Money::new(tax_of(net, line.tax_rate, tax_mode)?, currency),
        });
    }
    let shipping_tax = Money::new(
        tax_of(shipping_price.minor(), shipping.tax_rate, tax_mode)?,
        currency,
    );
    let tax = Money::sum(currency, quoted.iter().map(|l| l.tax))?.checked_add(shipping_tax)?;
    let points = Money::new(points, currency);
    let mut total = goods_after_discount
        .checked_sub(points)?
        .checked_add(shipping_price)?;
    if tax_mode == TaxMode::Added {
        total = total.checked_add(tax)?;
    }
    Ok(Quote {
        lines: quoted,
        subtotal,
        discount,
        points,
        shipping: shipping_price,
        tax,
        tax_mode,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discounts::model::DiscountKind;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::Eur)
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap()
    }

    fn line(price: i64, quantity: u32, rate: u32) -> PricedLine {
        PricedLine {
            unit_price: eur(price),
            quantity,
            tax_rate: TaxRate(rate),
        }
    }

    fn standard(price: i64, free_from: Option<i64>) -> ShippingCharge {
        ShippingCharge {
            price: eur(price),
            free_from: free_from.map(eur),
            tax_rate: TaxRate(2100),
        }
    }

    fn code(kind: DiscountKind) -> DiscountTerms {
        DiscountTerms {
            code: "WELCOME".to_owned(),
            kind,
            minimum_subtotal: None,
            starts_at: now() - chrono::TimeDelta::days(1),
            ends_at: Some(now() + chrono::TimeDelta::days(1)),
        }
    }

    #[test]
    fn dutch_order_with_tax_included() {
        // 3 × €7.90 at 9 % and 1 × €24.50 at 21 %, €4.95 shipping at 21 %.
        let lines = [line(790, 3, 900), line(2450, 1, 2100)];
        let q = quote(
            &lines,
            &standard(495, None),
            None,
            0,
            TaxMode::Included,
            now(),
        )
        .unwrap();
        assert_eq!(q.subtotal, eur(4820));
        assert_eq!(q.shipping, eur(495));
        // 2370 × 9/109 = 195.69 → 196; 2450 × 21/121 = 425.21 → 425; 495 × 21/121 = 85.9 → 86.
        assert_eq!(q.lines[0].tax, eur(196));
        assert_eq!(q.lines[1].tax, eur(425));
        assert_eq!(q.tax, eur(196 + 425 + 86));
        assert_eq!(q.total, eur(4820 + 495));
    }

    #[test]
    fn tax_added_on_top_where_prices_exclude_it() {
        let q = quote(
            &[line(1000, 2, 810)],
            &standard(500, None),
            None,
            0,
            TaxMode::Added,
            now(),
        )
        .unwrap();
        // 2000 × 8.1 % = 162; shipping 500 × 21 % = 105.
        assert_eq!(q.tax, eur(162 + 105));
        assert_eq!(q.total, eur(2000 + 500 + 267));
    }

    #[test]
    fn a_percentage_code_comes_off_the_goods_and_shares_out_exactly() {
        let lines = [line(333, 1, 900), line(333, 1, 900), line(334, 1, 2100)];
        let q = quote(
            &lines,
            &standard(495, None),
            Some(&code(DiscountKind::Percent(1000))),
            0,
            TaxMode::Included,
            now(),
        )
        .unwrap();
        assert_eq!(q.discount, eur(100));
        let shares: Vec<i64> = q.lines.iter().map(|l| l.discount.minor()).collect();
        assert_eq!(shares.iter().sum::<i64>(), 100);
        assert_eq!(shares, [33, 33, 34]);
        assert_eq!(q.total, eur(1000 - 100 + 495));
    }

    #[test]
    fn a_fixed_code_never_takes_the_goods_below_zero_and_shipping_stays() {
        let q = quote(
            &[line(500, 1, 900)],
            &standard(495, None),
            Some(&code(DiscountKind::Fixed(eur(2000)))),
            0,
            TaxMode::Included,
            now(),
        )
        .unwrap();
        assert_eq!(q.discount, eur(500));
        assert_eq!(q.lines[0].tax, eur(0));
        assert_eq!(q.total, eur(495));
    }

    #[test]
    fn free_shipping_counts_the_goods_after_the_discount() {
        let shipping = standard(495, Some(5000));
        let lines = [line(2600, 2, 900)];
        let full = quote(&lines, &shipping, None, 0, TaxMode::Included, now()).unwrap();
        assert_eq!(full.shipping, eur(0));
        let discounted = quote(
            &lines,
            &shipping,
            Some(&code(DiscountKind::Percent(1000))),
            0,
            TaxMode::Included,
            now(),
        )
        .unwrap();
        assert_eq!(discounted.discount, eur(520));
        assert_eq!(discounted.shipping, eur(495));
    }

    #[test]
    fn points_take_at_most_half_the_goods_and_keep_free_shipping() {
        let shipping = standard(495, Some(5000));
        let lines = [line(2600, 2, 900)];
        let q = quote(&lines, &shipping, None, 10_000, TaxMode::Included, now()).unwrap();
        assert_eq!(q.points, eur(2600));
        assert_eq!(q.shipping, eur(0));
        assert_eq!(q.total, eur(2600));
        assert_eq!(q.lines[0].discount, eur(2600));
        // 2600 × 9/109 = 214.68 → 215: tax on what is left after the points.
        assert_eq!(q.tax, eur(215));
        // Fewer points than half: all of them, after the code's discount.
        let q = quote(
            &lines,
            &shipping,
            Some(&code(DiscountKind::Percent(1000))),
            300,
            TaxMode::Included,
            now(),
        )
        .unwrap();
        assert_eq!((q.discount, q.points), (eur(520), eur(300)));
        assert_eq!(q.total, eur(5200 - 520 - 300 + 495));
    }

    #[test]
    fn codes_outside_their_dates_or_below_their_minimum_are_refused() {
        let lines = [line(1000, 1, 900)];
        let shipping = standard(495, None);
        let mut early = code(DiscountKind::Percent(1000));
        early.starts_at = now() + chrono::TimeDelta::hours(1);
        let mut late = code(DiscountKind::Percent(1000));
        late.ends_at = Some(now());
        let mut big = code(DiscountKind::Percent(1000));
        big.minimum_subtotal = Some(eur(2500));
        let refusal = |terms: &DiscountTerms| {
            quote(&lines, &shipping, Some(terms), 0, TaxMode::Included, now())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(refusal(&early), "The code WELCOME isn't valid yet.");
        assert_eq!(refusal(&late), "The code WELCOME has expired.");
        assert_eq!(
            refusal(&big),
            "The code WELCOME needs an order of at least €25.00."
        );
        assert_eq!(
            quote(&[], &shipping, None, 0, TaxMode::Included, now()),
            Err(PricingError::Empty)
        );
    }

    fn arb_lines() -> impl Strategy<Value = Vec<PricedLine>> {
        prop::collection::vec(
            (
                1i64..50_000,
                1u32..=20,
                prop::sample::select(vec![0u32, 550, 900, 2100]),
            ),
            1..8,
        )
        .prop_map(|lines| {
            lines
                .into_iter()
                .map(|(price, quantity, rate)| line(price, quantity, rate))
                .collect()
        })
    }

    fn arb_discount() -> impl Strategy<Value = Option<DiscountTerms>> {
        prop_oneof![
            Just(None),
            (0u32..=10_000).prop_map(|p| Some(code(DiscountKind::Percent(p)))),
            (0i64..200_000).prop_map(|a| Some(code(DiscountKind::Fixed(eur(a))))),
        ]
    }

    proptest! {
        #[test]
        fn the_parts_always_add_up_to_the_total(
            lines in arb_lines(),
            discount in arb_discount(),
            shipping_price in 0i64..2_000,
            free_from in prop::option::of(0i64..100_000),
            added in any::<bool>(),
            points in 0i64..200_000,
        ) {
            let mode = if added { TaxMode::Added } else { TaxMode::Included };
            let shipping = standard(shipping_price, free_from);
            let q = quote(&lines, &shipping, discount.as_ref(), points, mode, now()).unwrap();

            let gross: i64 = lines.iter().map(|l| l.unit_price.minor() * i64::from(l.quantity)).sum();
            prop_assert_eq!(q.subtotal.minor(), gross);
            prop_assert!(q.discount.minor() >= 0 && q.discount.minor() <= q.subtotal.minor());
            let goods = q.subtotal.minor() - q.discount.minor();
            prop_assert_eq!(q.points.minor(), points.min(goods / 2));
            let shares: i64 = q.lines.iter().map(|l| l.discount.minor()).sum();
            prop_assert_eq!(shares, q.discount.minor() + q.points.minor());
            for l in &q.lines {
                prop_assert!(l.discount.minor() >= 0 && l.discount.minor() <= l.gross.minor());
                prop_assert!(l.tax.minor() >= 0);
            }
            let line_tax: i64 = q.lines.iter().map(|l| l.tax.minor()).sum();
            prop_assert!(q.tax.minor() >= line_tax);
            prop_assert!(q.shipping.minor() == 0 || q.shipping.minor() == shipping_price);
            let added_tax = if added { q.tax.minor() } else { 0 };
            prop_assert_eq!(
                q.total.minor(),
                goods - q.points.minor() + q.shipping.minor() + added_tax
            );
            if !added {
                prop_assert!(q.tax.minor() <= q.total.minor());
            }
            // The same order prices the same way every time.
            prop_assert_eq!(quote(&lines, &shipping, discount.as_ref(), points, mode, now()).unwrap(), q);
        }

        #[test]
        fn allocation_is_exact_and_proportional(
            total in 0i64..1_000_000,
            weights in prop::collection::vec(0i64..100_000, 1..10),
        ) {
            prop_assume!(weights.iter().sum::<i64>() > 0);
            let shares = allocate(total, &weights);
            prop_assert_eq!(shares.iter().sum::<i64>(), total);
            let sum: i64 = weights.iter().sum();
            for (share, weight) in shares.iter().zip(&weights) {
                let exact = i128::from(total) * i128::from(*weight);
                // Within one cent of the exact proportional share.
                prop_assert!((i128::from(*share) * i128::from(sum) - exact).abs() < i128::from(sum));
            }
        }
    }
}
