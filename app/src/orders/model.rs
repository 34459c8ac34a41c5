//! Orders as customers and admins see them, and the rules of their life: which status may follow
//! which, and what a shipping address must hold. Pure; shared by browser and server.

use crate::error::{AppError, Problems};
use crate::ids::OrderId;
use crate::money::Money;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pg_enum!(
    /// Where an order is in its life. `Cancelled` ends an unpaid order (or a paid one fully
    /// refunded before it shipped); `Refunded` a paid one whose money all went back.
    OrderStatus as "order_status" {
    PendingPayment = "pending_payment": "Awaiting payment",
    Paid = "paid": "Paid",
    Packed = "packed": "Packed",
    Shipped = "shipped": "Shipped",
    Delivered = "delivered": "Delivered",
    Cancelled = "cancelled": "Cancelled",
    Refunded = "refunded": "Refunded",
});

impl OrderStatus {
    /// Whether an order may move from `self` to `next`.
    pub fn may_become(self, next: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!(
            (self, next),
            (PendingPayment, Paid | Cancelled)
                | (Paid, Packed | Cancelled | Refunded)
                | (Packed, Shipped | Cancelled | Refunded)
                | (Shipped, Delivered | Refunded)
                | (Delivered, Refunded)
        )
    }

    /// The money was taken and has not all gone back.
    pub fn is_paid(self) -> bool {
        matches!(
            self,
            OrderStatus::Paid | OrderStatus::Packed | OrderStatus::Shipped | OrderStatus::Delivered
        )
    }

    /// The order is over: nothing more can happen to it.
    pub fn is_final(self) -> bool {
        matches!(self, OrderStatus::Cancelled | OrderStatus::Refunded)
    }
}

/// What the customer quotes: "OL-1001".
pub fn order_reference(number: i64) -> String {
    format!("OL-{number}")
}

/// A shipping address as typed, before checking.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressForm {
    pub name: String,
    pub line1: String,
    #[serde(default)]
    pub line2: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
}

/// A checked shipping address: trimmed, within limits, postal code in the country's format.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub name: String,
    pub line1: String,
    pub line2: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
}

impl AddressForm {
    /// Check the address against the countries we ship to (`postal_ok(country, code)` says
    /// whether a postal code fits that country; `None` means we don't ship there). Every problem
    /// is reported at once, each by its field.
    pub fn check(
        &self,
        postal_ok: impl Fn(&str, &str) -> Option<bool>,
    ) -> Result<Address, AppError> {
        let mut p = Problems::default();
        let name = p.text("address[name]", "name", &self.name, 100);
        let line1 = p.text("address[line1]", "street and number", &self.line1, 100);
        let line2 = self.line2.trim().to_owned();
        if line2.chars().count() > 100 {
            p.add("address[line2]", "Keep this line to 100 characters.");
        }
        let city = p.text("address[city]", "town or city", &self.city, 80);
        let country = self.country.trim().to_ascii_uppercase();
        let postal_code = self.postal_code.trim().to_ascii_uppercase();
        match postal_ok(&country, &postal_code) {
            None => p.add("address[country]", "Choose a country we ship to."),
            Some(_) if postal_code.is_empty() => {
                p.add("address[postal_code]", "Enter the postal code.");
            }
            Some(false) => p.add(
                "address[postal_code]",
                "That postal code doesn't look right for the country chosen.",
            ),
            Some(true) => {}
        }
        p.into_result(Address {
            name,
            line1,
            line2,
            postal_code,
            city,
            country,
        })
    }
}

/// One line of a placed order, as it was bought.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub sku: String,
    pub product_name: String,
    pub variant_label: String,
    pub unit_price: Money,
    pub quantity: i32,
    pub discount: Money,
    pub tax: Money,
    /// The lots it ships from: batch number, best-before and units (once paid).
    pub lots: Vec<ShippedLot>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippedLot {
    pub batch_number: String,
    pub best_before: NaiveDate,
    pub quantity: i32,
}

pg_enum!(
    /// What happened to an order, as its history shows it.
    OrderEventKind as "order_event_kind" {
    Placed = "placed": "Order placed",
    Paid = "paid": "Payment received",
    PaymentFailed = "payment_failed": "Payment not completed",
    PaymentMismatch = "payment_mismatch": "Payment differs from the order",
    AuthenticationRequested = "authentication_requested": "Card issuer asked for 3-D Secure",
    LatePayment = "late_payment": "Payment arrived late",
    PaymentUnavailable = "payment_unavailable": "Payment could not be started",
    Packed = "packed": "Packed",
    Shipped = "shipped": "Shipped",
    Delivered = "delivered": "Delivered",
    Refunded = "refunded": "Refund",
    Cancelled = "cancelled": "Cancelled",
    Expired = "expired": "Cancelled: not paid in time",
    Superseded = "superseded": "Replaced by a new checkout",
});

/// One entry of an order's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderEvent {
    pub kind: OrderEventKind,
    pub status: OrderStatus,
    pub detail: String,
    pub amount: Option<Money>,
    pub at: DateTime<Utc>,
}

/// An order in a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub id: OrderId,
    pub reference: String,
    pub status: OrderStatus,
    pub email: String,
    pub total: Money,
    pub refunded: Money,
    pub items: i64,
    pub placed_at: DateTime<Utc>,
}

/// An order with everything its page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDetail {
    pub summary: OrderSummary,
    pub lines: Vec<OrderLine>,
    pub subtotal: Money,
    pub discount: Money,
    pub discount_code: Option<String>,
    /// What loyalty points took off (100 points are €1).
    pub points: Money,
    pub shipping: Money,
    pub tax: Money,
    pub prices_include_tax: bool,
    pub address: Address,
    pub shipping_method: String,
    pub carrier: String,
    pub tracking_number: Option<String>,
    pub events: Vec<OrderEvent>,
}

impl OrderDetail {
    /// The carrier's public tracking page for this parcel, once it has a number.
    pub fn tracking_link(&self) -> Option<String> {
        let number = self.tracking_number.as_deref()?;
        tracking_url(
            &self.carrier,
            number,
            &self.address.postal_code,
            &self.address.country,
        )
    }
}

/// The public tracking page of the carriers we ship with.
pub fn tracking_url(
    carrier: &str,
    number: &str,
    postal_code: &str,
    country: &str,
) -> Option<String> {
    let enc = crate::ui::urlencode;
    let number = enc(number);
    Some(match carrier {
        "PostNL" => format!(
            "https://jouw.postnl.nl/track-and-trace/{number}-{}-{}",
            enc(country),
            enc(&postal_code.replace(' ', ""))
        ),
        "DHL" => format!("https://www.dhl.com/nl-en/home/tracking.html?tracking-id={number}"),
        "bpost" => format!("https://track.bpost.cloud/btr/web/#/search?itemCode={number}"),
        "Colissimo" => format!("https://www.laposte.fr/outils/suivre-vos-envois?code={number}"),
        _ => return None,
    })
}

/// A tracking number as an admin types it: letters and digits, 4 to 40.
pub fn parse_tracking_number(raw: &str) -> Result<String, AppError> {
    let number: String = raw
        .split_whitespace()
        .collect::<String>()
        .to_ascii_uppercase();
    if (4..=40).contains(&number.len()) && number.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(number)
    } else {
        Err(AppError::field(
            "tracking_number",
            "Enter the carrier's tracking number: 4 to 40 letters and digits.",
        ))
    }
}

/// A webhook delivery signed by Stripe that could not be read (kept raw for finance to check
/// in Stripe's dashboard what it was about).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnreadableEvent {
    pub id: uuid::Uuid,
    pub event_id: Option<String>,
    pub kind: Option<String>,
    pub received_at: DateTime<Utc>,
}

/// How long checkout holds the stock of an unpaid order.
pub const RESERVATION_MINUTES: i64 = 15;

/// A started checkout: the order awaiting payment and what the browser needs to pay for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentStart {
    pub order_id: OrderId,
    pub reference: String,
    pub total: Money,
    /// The PaymentIntent's client secret: lets the browser confirm this one payment, nothing else.
    pub client_secret: String,
    pub publishable_key: String,
    /// Where Stripe.js comes from (Stripe's own in production; the emulator's stand-in locally).
    pub stripe_js: String,
}

/// Orders per page in lists.
pub const ORDERS_PER_PAGE: i64 = 20;

/// One page of an order list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPage {
    pub orders: Vec<OrderSummary>,
    pub total: i64,
    pub page: i64,
}

impl OrderPage {
    pub fn of(orders: Vec<OrderSummary>, total: i64, page: i64) -> Self {
        OrderPage {
            orders,
            total,
            page: page.clamp(1, crate::ui::MAX_PAGE),
        }
    }

    /// The first row of page `page`.
    pub fn offset(page: i64) -> i64 {
        crate::ui::page_offset(page, ORDERS_PER_PAGE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn nl_only(country: &str, code: &str) -> Option<bool> {
        (country == "NL").then(|| {
            let b = code.as_bytes();
            code.len() == 7 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b' '
        })
    }

    fn form() -> AddressForm {
        AddressForm {
            name: " Ann de Vries ".into(),
            line1: "Keizersgracht 12".into(),
            line2: String::new(),
            postal_code: "1015 cs".into(),
            city: "Amsterdam".into(),
            country: "nl".into(),
        }
    }

    #[test]
    fn a_good_address_comes_back_tidied() {
        let address = form().check(nl_only).unwrap();
        assert_eq!(address.name, "Ann de Vries");
        assert_eq!(address.postal_code, "1015 CS");
        assert_eq!(address.country, "NL");
    }

    #[test]
    fn every_problem_is_reported_by_its_field() {
        let bad = AddressForm {
            name: " ".into(),
            city: String::new(),
            postal_code: "10".into(),
            ..form()
        };
        let AppError::Unprocessable { fields, .. } = bad.check(nl_only).unwrap_err() else {
            panic!("expected field errors");
        };
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            names,
            ["address[name]", "address[city]", "address[postal_code]"]
        );

        let abroad = AddressForm {
            country: "US".into(),
            ..form()
        };
        let AppError::Unprocessable { fields, .. } = abroad.check(nl_only).unwrap_err() else {
            panic!("expected field errors");
        };
        assert_eq!(fields[0].field, "address[country]");
    }

    #[test]
    fn tracking_numbers_are_tidied_and_checked() {
        assert_eq!(parse_tracking_number(" 3s abc 123 ").unwrap(), "3SABC123");
        assert!(parse_tracking_number("12").is_err());
        assert!(parse_tracking_number("3SABC-123").is_err());
        let link = tracking_url("PostNL", "3SABC123", "1015 CS", "NL").unwrap();
        assert_eq!(
            link,
            "https://jouw.postnl.nl/track-and-trace/3SABC123-NL-1015CS"
        );
        assert!(tracking_url("Unknown", "3SABC123", "", "NL").is_none());
    }

    fn status() -> impl Strategy<Value = OrderStatus> {
        prop::sample::select(OrderStatus::ALL.to_vec())
    }

    proptest! {
        /// Final states have no way out, nothing returns to awaiting payment, and only a paid
        /// order can be refunded or move towards the customer.
        #[test]
        fn transitions_respect_the_life_of_an_order(from in status(), to in status()) {
            if from.may_become(to) {
                prop_assert!(!from.is_final());
                prop_assert_ne!(to, OrderStatus::PendingPayment);
                prop_assert_ne!(from, to);
                if to == OrderStatus::Refunded || matches!(to, OrderStatus::Packed | OrderStatus::Shipped | OrderStatus::Delivered) {
                    prop_assert!(from.is_paid());
                }
            }
        }

        /// From awaiting payment every state is reachable, in order.
        #[test]
        fn every_state_is_reachable(target in status()) {
            let mut seen = vec![OrderStatus::PendingPayment];
            let mut frontier = seen.clone();
            while let Some(state) = frontier.pop() {
                for next in OrderStatus::ALL.iter().copied().filter(|n| state.may_become(*n)) {
                    if !seen.contains(&next) {
                        seen.push(next);
                        frontier.push(next);
                    }
                }
            }
            prop_assert!(seen.contains(&target));
        }
    }
}
