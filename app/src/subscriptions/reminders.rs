//! Renewal reminders: [`REMIND_DAYS_BEFORE`] days before each delivery the customer hears (a
//! notification, and an email as their settings say) what it will cost, whether the price
//! changes with it, and a link that skips exactly that delivery with one click. One reminder
//! per delivery: a row per (subscription, due date) is written in the transaction that sends
//! it.

use super::model::{PRICE_LOCKED_RENEWALS, SubscriptionStatus, long_date, renewal_unit_price};
use super::repo;
use crate::error::ServiceError;
use crate::ids::SubscriptionId;
use crate::money::Money;
use crate::notifications::model::{Notice, NotificationKind};
use crate::notifications::repo::notify;
use crate::state::AppState;
use chrono::{NaiveDate, TimeDelta};

type Result<T> = std::result::Result<T, ServiceError>;

/// How many days before a delivery its reminder goes out.
pub const REMIND_DAYS_BEFORE: i32 = 3;

/// Subscriptions whose customer is due a reminder, for the reminder job.
pub async fn due(state: &AppState, limit: i64, resting: &[String]) -> Result<Vec<SubscriptionId>> {
    let mut conn = state.db.acquire().await?;
    Ok(repo::reminders_due(
        &mut conn,
        state.clock.today(),
        REMIND_DAYS_BEFORE,
        limit,
        resting,
    )
    .await?)
}

/// The link in a reminder: the customer's subscriptions page, asking to skip the delivery of
/// `id` due on `due_on`.
pub fn skip_link(id: SubscriptionId, due_on: NaiveDate) -> String {
    format!("/account/subscriptions?skip={id}&due={due_on}")
}

/// Remind the customer of the next delivery of `id`, unless it is not in the reminder window
/// (any more) or they already were. Returns whether a reminder went out.
#[tracing::instrument(skip_all, fields(subscription = %id))]
pub async fn remind(state: &AppState, id: SubscriptionId) -> Result<bool> {
    let now = state.clock.now();
    let today = now.date_naive();
    let mut tx = state.db.begin().await?;
    let Some(sub) = repo::lock_for_renewal(&mut tx, &state.vault, id).await? else {
        return Ok(false);
    };
    let schedule = sub.schedule.as_of(today);
    let due_on = schedule.next_renewal_on;
    let window = today..=today + TimeDelta::days(i64::from(REMIND_DAYS_BEFORE));
    // A pause that ends by the delivery's day does not stop it.
    let delivers = schedule.as_of(due_on).status == SubscriptionStatus::Active;
    if !delivers || !window.contains(&due_on) {
        return Ok(false);
    }
    let renewal = schedule.next_renewal_number();
    let unit = renewal_unit_price(renewal, sub.locked_unit_price, sub.list_price, sub.offer);
    let quantity = schedule.quantity.unsigned_abs();
    let total = match super::renewals::price_next(&mut tx, &sub, unit, quantity, now).await {
        Ok(priced) => Some(priced.quote.total),
        Err(ServiceError::Refused(_)) => None,
        Err(other) => return Err(other),
    };
    let told_before = repo::last_reminded_price(&mut tx, id)
        .await?
        .and_then(|minor| Money::from_parts(minor, sub.locked_unit_price.currency().code()).ok())
        .unwrap_or(sub.locked_unit_price);
    if !repo::insert_reminder(&mut tx, id, due_on, unit, total).await? {
        return Ok(false);
    }
    let what = format!(
        "{} ({}) × {}",
        sub.product_name, sub.variant_label, schedule.quantity
    );
    let cost = match total {
        Some(total) => format!("{total}, charged to your saved card"),
        None => format!("{} each plus shipping", unit),
    };
    let price_news = price_change(renewal, told_before, unit);
    let notice = Notice {
        mentions: Vec::new(),
        kind: NotificationKind::RenewalReminder,
        title: format!("Your next delivery is on {}", long_date(due_on)),
        body: format!(
            "{what} ships on {}: {cost}.{price_news} Don't need it yet? Skip this delivery with one click.",
            long_date(due_on)
        ),
        link: skip_link(id, due_on),
    };
    notify(&mut tx, &[sub.user], &notice).await?;
    tx.commit().await?;
    Ok(true)
}

/// What the reminder says about the price: nothing when it stays as the customer last knew
/// it, otherwise the change and why.
fn price_change(renewal: u32, before: Money, now: Money) -> String {
    if before == now {
        return String::new();
    }
    let why = if renewal == PRICE_LOCKED_RENEWALS + 1 {
        format!(
            "your sign-up price held for {PRICE_LOCKED_RENEWALS} deliveries; from this one the shop's current price applies, less your subscription discount"
        )
    } else {
        "the shop's price changed".to_owned()
    };
    format!(" The price changes from {before} to {now} each with this delivery: {why}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reminder_announces_a_price_change_and_why() {
        let eur = |minor| Money::from_parts(minor, "EUR").unwrap();
        assert_eq!(price_change(2, eur(1800), eur(1800)), "");
        let after_lock = price_change(4, eur(1800), eur(2160));
        assert!(after_lock.contains("from €18.00 to €21.60"), "{after_lock}");
        assert!(after_lock.contains("sign-up price held for 3 deliveries"));
        assert!(price_change(6, eur(2160), eur(1980)).contains("the shop's price changed"));
    }
}
