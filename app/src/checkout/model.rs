//! What the checkout page works with: destinations and their shipping methods, discount codes
//! and their limits, the form, and the summary that equals the charge. Pure.

use super::pricing::{Quote, TaxRate};
use crate::error::AppError;
use crate::money::Money;
use crate::orders::model::AddressForm;
use serde::{Deserialize, Serialize};

/// A shipping method to one country.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingOption {
    pub code: String,
    pub name: String,
    pub carrier: String,
    pub price: Money,
    /// Goods worth this much (after any discount) ship free.
    pub free_from: Option<Money>,
    pub days_min: i32,
    pub days_max: i32,
}

impl ShippingOption {
    /// "Standard (PostNL), 1–2 working days, €4.95 — free from €40.00".
    pub fn describe(&self) -> String {
        let days = if self.days_min == self.days_max {
            format!(
                "{} working day{}",
                self.days_min,
                if self.days_min == 1 { "" } else { "s" }
            )
        } else {
            format!("{}–{} working days", self.days_min, self.days_max)
        };
        let free = self
            .free_from
            .map(|from| format!(" — free from {from}"))
            .unwrap_or_default();
        format!(
            "{} ({}), {days}, {}{free}",
            self.name, self.carrier, self.price
        )
    }
}

/// A country we ship to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destination {
    pub code: String,
    pub name: String,
    pub prices_include_tax: bool,
    pub shipping_tax: TaxRate,
    pub methods: Vec<ShippingOption>,
}

/// The checkout form as posted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutForm {
    /// Where the receipt goes; a signed-in customer's account email is used instead.
    #[serde(default)]
    pub email: String,
    pub address: AddressForm,
    #[serde(default)]
    pub shipping_method: String,
    #[serde(default)]
    pub discount_code: String,
    /// Spend the customer's loyalty points (as many as the order allows).
    #[serde(default)]
    pub use_points: bool,
}

impl CheckoutForm {
    /// The form from its fields as the server functions receive them.
    pub fn new(
        email: String,
        address: AddressForm,
        shipping_method: String,
        discount_code: String,
        use_points: &str,
    ) -> Self {
        CheckoutForm {
            email,
            address,
            shipping_method,
            discount_code,
            use_points: matches!(use_points.trim(), "yes" | "on" | "true"),
        }
    }
}

/// A checked email address for a guest's receipt (the receipt itself proves it arrives).
pub fn check_email(raw: &str) -> Result<String, AppError> {
    crate::accounts::model::check_email(raw).map_err(|_| {
        AppError::field(
            "email",
            "Enter the email address for your receipt, like name@example.com.",
        )
    })
}

/// What the summary shows: the quote and how it came about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutSummary {
    pub quote: Quote,
    pub shipping: ShippingOption,
    /// The applied code, if any.
    pub discount_code: Option<String>,
    /// The lines that start a subscription, in words: "Magnesium (60 capsules) × 2, every month".
    pub subscriptions: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_receipt_email_is_refused_by_its_field() {
        assert_eq!(check_email(" ann@example.com ").unwrap(), "ann@example.com");
        assert!(
            check_email("ann@")
                .unwrap_err()
                .field_message("email")
                .is_some()
        );
    }

    #[test]
    fn shipping_options_describe_themselves() {
        let option = ShippingOption {
            code: "standard".into(),
            name: "Standard".into(),
            carrier: "PostNL".into(),
            price: Money::from_parts(495, "EUR").unwrap(),
            free_from: Some(Money::from_parts(4000, "EUR").unwrap()),
            days_min: 1,
            days_max: 2,
        };
        assert_eq!(
            option.describe(),
            "Standard (PostNL), 1–2 working days, €4.95 — free from €40.00"
        );
    }
}
