//! Money as integer minor units with an explicit currency. Never floats.
//!
//! Conversion to and from the database's `bigint` + `char(3)` pair happens in one place
//! ([`Money::from_parts`]); arithmetic is checked and refuses to mix currencies.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    Eur,
    Gbp,
    Usd,
}

impl Currency {
    pub fn code(self) -> &'static str {
        match self {
            Currency::Eur => "EUR",
            Currency::Gbp => "GBP",
            Currency::Usd => "USD",
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Currency::Eur => "€",
            Currency::Gbp => "£",
            Currency::Usd => "$",
        }
    }

    /// Digits after the decimal point; all currencies we sell in use two.
    fn minor_digits(self) -> u32 {
        match self {
            Currency::Eur | Currency::Gbp | Currency::Usd => 2,
        }
    }

    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        match code.trim() {
            "EUR" => Ok(Currency::Eur),
            "GBP" => Ok(Currency::Gbp),
            "USD" => Ok(Currency::Usd),
            other => Err(MoneyError::UnknownCurrency(other.to_owned())),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("cannot combine amounts in {0} and {1}")]
    CurrencyMismatch(&'static str, &'static str),
    #[error("amount out of range")]
    Overflow,
    #[error("unknown currency code {0:?}")]
    UnknownCurrency(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    pub const fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Self::new(0, currency)
    }

    /// From the database's (`bigint`, `char(3)`) pair.
    pub fn from_parts(minor: i64, currency_code: &str) -> Result<Self, MoneyError> {
        Ok(Self::new(minor, Currency::parse(currency_code)?))
    }

    /// The amount as a plain decimal for a form field: "1295.50" (no symbol, no grouping).
    pub fn decimal(self) -> String {
        let scale = 10_i64.pow(self.currency.minor_digits());
        let digits = self.currency.minor_digits() as usize;
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let scale = scale.unsigned_abs();
        format!("{sign}{}.{:0digits$}", abs / scale, abs % scale)
    }

    pub fn minor(self) -> i64 {
        self.minor
    }

    pub fn currency(self) -> Currency {
        self.currency
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_sub(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    pub fn checked_mul(self, quantity: u32) -> Result<Money, MoneyError> {
        let minor = self
            .minor
            .checked_mul(i64::from(quantity))
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }

    /// Sum of amounts in one currency; `None` input gives zero in `currency`.
    pub fn sum(
        currency: Currency,
        amounts: impl IntoIterator<Item = Money>,
    ) -> Result<Money, MoneyError> {
        amounts
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(
                self.currency.code(),
                other.currency.code(),
            ))
        }
    }
}

/// Parse "12.95", "12,95" or "12" as an amount in `currency`.
pub fn parse_price(raw: &str, currency: Currency) -> Result<Money, &'static str> {
    let text = raw.trim().replace(',', ".");
    let text = text.strip_prefix('€').unwrap_or(&text).trim();
    let (whole, cents) = match text.split_once('.') {
        Some((whole, cents)) => (whole, cents),
        None => (text, ""),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !(cents.is_empty() || (digits(cents) && cents.len() <= 2)) {
        return Err("Enter a price like 12.95.");
    }
    let whole: i64 = whole.parse().map_err(|_| "That price is too large.")?;
    let cents: i64 = format!("{cents:0<2}").parse().unwrap_or(0);
    let minor = whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(cents))
        .filter(|m| *m <= 100_000_000)
        .ok_or("Keep the price under 1 000 000.")?;
    if minor == 0 {
        return Err("The price must be more than zero.");
    }
    Ok(Money::new(minor, currency))
}

/// Shop display format: `€1,234.50`, `-€0.99`.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = 10_u64.pow(self.currency.minor_digits());
        let abs = self.minor.unsigned_abs();
        let (major, minor) = (abs / scale, abs % scale);
        let sign = if self.minor < 0 { "-" } else { "" };
        write!(
            f,
            "{sign}{}{}.{minor:0width$}",
            self.currency.symbol(),
            group_thousands(major),
            width = self.currency.minor_digits() as usize
        )
    }
}

fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `numerator / denominator` rounded half up; both non-negative, denominator positive.
pub fn div_round(numerator: i128, denominator: i128) -> i128 {
    (2 * numerator + denominator) / (2 * denominator)
}

/// An amount computed in `i128`, back in minor units; too large is an overflow.
pub fn to_minor(value: i128) -> Result<i64, MoneyError> {
    i64::try_from(value).map_err(|_| MoneyError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::Eur)
    }

    #[test]
    fn formats_minor_units_with_symbol_and_grouping() {
        assert_eq!(eur(2490).to_string(), "€24.90");
        assert_eq!(eur(5).to_string(), "€0.05");
        assert_eq!(eur(0).to_string(), "€0.00");
        assert_eq!(eur(123_456_789).to_string(), "€1,234,567.89");
        assert_eq!(eur(-99).to_string(), "-€0.99");
        assert_eq!(Money::new(100_000, Currency::Gbp).to_string(), "£1,000.00");
        assert_eq!(eur(i64::MIN).to_string(), "-€92,233,720,368,547,758.08");
    }

    #[test]
    fn refuses_to_mix_currencies() {
        let err = eur(100).checked_add(Money::new(100, Currency::Usd));
        assert_eq!(err, Err(MoneyError::CurrencyMismatch("EUR", "USD")));
    }

    #[test]
    fn overflow_is_an_error_not_a_wrap() {
        assert_eq!(eur(i64::MAX).checked_add(eur(1)), Err(MoneyError::Overflow));
        assert_eq!(
            eur(i64::MAX / 2 + 1).checked_mul(2),
            Err(MoneyError::Overflow)
        );
        assert_eq!(eur(i64::MIN).checked_sub(eur(1)), Err(MoneyError::Overflow));
    }

    #[test]
    fn parses_database_parts() {
        assert_eq!(Money::from_parts(1999, "EUR"), Ok(eur(1999)));
        assert_eq!(
            Money::from_parts(1, "XYZ"),
            Err(MoneyError::UnknownCurrency("XYZ".into()))
        );
    }

    #[test]
    fn sums_a_list() {
        assert_eq!(
            Money::sum(Currency::Eur, [eur(1), eur(2), eur(3)]),
            Ok(eur(6))
        );
        assert_eq!(Money::sum(Currency::Eur, []), Ok(eur(0)));
    }

    proptest! {
        #[test]
        fn add_then_sub_round_trips(a in -1_000_000_000_000i64..1_000_000_000_000, b in -1_000_000_000_000i64..1_000_000_000_000) {
            let sum = eur(a).checked_add(eur(b)).unwrap();
            prop_assert_eq!(sum.checked_sub(eur(b)).unwrap(), eur(a));
        }

        #[test]
        fn multiplication_is_repeated_addition(a in -10_000_000i64..10_000_000, n in 0u32..50) {
            let repeated = Money::sum(Currency::Eur, std::iter::repeat_n(eur(a), n as usize)).unwrap();
            prop_assert_eq!(eur(a).checked_mul(n).unwrap(), repeated);
        }

        #[test]
        fn display_round_trips_to_minor_units(a in 0i64..i64::MAX) {
            let shown = eur(a).to_string();
            let digits: String = shown.chars().filter(char::is_ascii_digit).collect();
            prop_assert_eq!(digits.parse::<i64>().unwrap(), a);
        }
    }
}
