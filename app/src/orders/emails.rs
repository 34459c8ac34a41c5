//! The emails an order sends: confirmation when paid, a note when shipped, and refunds.

use super::model::OrderDetail;
use crate::notifications::email::Email;

fn lines(detail: &OrderDetail) -> String {
    detail
        .lines
        .iter()
        .map(|l| {
            format!(
                "  {} × {} ({}) — {}",
                l.quantity,
                l.product_name,
                l.variant_label,
                l.unit_price
                    .checked_mul(l.quantity.unsigned_abs())
                    .unwrap_or(l.unit_price)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn confirmation(detail: &OrderDetail, link: &str) -> Email {
    let a = &detail.address;
    let discount = if detail.discount.minor() > 0 {
        format!(
            "Discount{}: -{}\n",
            detail
                .discount_code
                .as_deref()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default(),
            detail.discount
        )
    } else {
        String::new()
    };
    let points = if detail.points.minor() > 0 {
        format!("Loyalty points: -{}\n", detail.points)
    } else {
        String::new()
    };
    let tax = if detail.prices_include_tax {
        format!("Including VAT: {}", detail.tax)
    } else {
        format!("VAT: {}", detail.tax)
    };
    Email {
        to: detail.summary.email.clone(),
        subject: format!(
            "Your Olivine order {} is confirmed",
            detail.summary.reference
        ),
        body_text: format!(
            "Thank you for your order.\n\n\
             Order {reference}\n{lines}\n\n\
             Subtotal: {subtotal}\n{discount}{points}Shipping ({method}): {shipping}\n{tax}\n\
             Total paid: {total}\n\n\
             Shipping to:\n  {name}\n  {line1}{line2}\n  {postal} {city}\n  {country}\n\n\
             We'll email you again when it ships. Your order, its status and the batch numbers \
             of what we send are here:\n{link}\n",
            reference = detail.summary.reference,
            lines = lines(detail),
            subtotal = detail.subtotal,
            method = detail.shipping_method,
            shipping = detail.shipping,
            total = detail.summary.total,
            name = a.name,
            line1 = a.line1,
            line2 = if a.line2.is_empty() {
                String::new()
            } else {
                format!("\n  {}", a.line2)
            },
            postal = a.postal_code,
            city = a.city,
            country = a.country,
        ),
        unsubscribe_url: None,
    }
}

pub fn shipped(detail: &OrderDetail, link: &str) -> Email {
    let tracking = match (detail.tracking_number.as_deref(), detail.tracking_link()) {
        (Some(number), Some(url)) => {
            format!("{} tracking number {number}:\n{url}\n\n", detail.carrier)
        }
        (Some(number), None) => format!("{} tracking number {number}.\n\n", detail.carrier),
        _ => String::new(),
    };
    Email {
        to: detail.summary.email.clone(),
        subject: format!(
            "Your Olivine order {} is on its way",
            detail.summary.reference
        ),
        body_text: format!(
            "Your order {} has left our warehouse with {}.\n\n{tracking}Order details:\n{link}\n",
            detail.summary.reference, detail.carrier
        ),
        unsubscribe_url: None,
    }
}

pub fn refunded(detail: &OrderDetail, amount: crate::money::Money, link: &str) -> Email {
    Email {
        to: detail.summary.email.clone(),
        subject: format!("Refund for your Olivine order {}", detail.summary.reference),
        body_text: format!(
            "We have refunded {amount} for order {} to the card you paid with. It usually shows \
             on your statement within 5 to 10 working days.\n\nOrder details:\n{link}\n",
            detail.summary.reference
        ),
        unsubscribe_url: None,
    }
}
