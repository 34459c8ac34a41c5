//! Subscribe and save as the browser and the server share it: a subscription's schedule and
//! the rules that change it (a state machine), the price rule, and what the account page shows.

use crate::catalog::model::{Cadence, SubscribeOffer};
use crate::error::AppError;
use crate::ids::{SubscriptionId, VariantId};
use crate::money::Money;
use crate::orders::model::Address;
use chrono::{Months, NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};

pub use crate::dates::long_date;

pg_enum!(
    /// Where a subscription is. `PaymentNeeded` is a pause the shop made: the last retry of a
    /// declined renewal failed, and nothing renews until the card is updated.
    SubscriptionStatus as "subscription_status" {
    Active = "active": "Active",
    Paused = "paused": "Paused",
    PaymentNeeded = "payment_needed": "Payment needed",
    Cancelled = "cancelled": "Cancelled",
});

pg_enum!(
    /// What happened to a subscription, as its history shows it.
    SubscriptionEventKind as "subscription_event_kind" {
    Started = "started": "Subscribed",
    Skipped = "skipped": "Delivery skipped",
    Paused = "paused": "Paused",
    Resumed = "resumed": "Resumed",
    IntervalChanged = "interval_changed": "Delivery interval changed",
    QuantityChanged = "quantity_changed": "Quantity changed",
    VariantSwapped = "variant_swapped": "Size changed",
    AddressChanged = "address_changed": "Address changed",
    CardUpdated = "card_updated": "Card updated",
    Cancelled = "cancelled": "Cancelled",
    Renewed = "renewed": "Delivery ordered",
    WaitingForStock = "waiting_for_stock": "Waiting for stock",
    SkippedOutOfStock = "skipped_out_of_stock": "Skipped: out of stock",
    PaymentFailed = "payment_failed": "Payment failed",
    PaymentNeeded = "payment_needed": "Payment needed",
    RetryOrdered = "retry_ordered": "Tried again by support",
});

pg_enum!(
    /// Where one due delivery is (see the `subscription_renewals` table).
    RenewalStatus as "renewal_status" {
    Charging = "charging": "Charging",
    WaitingStock = "waiting_stock": "Waiting for stock",
    Retrying = "retrying": "Retrying payment",
    Paid = "paid": "Paid",
    Skipped = "skipped": "Skipped",
    Failed = "failed": "Failed",
});

/// Renewals that keep the price the customer subscribed at; later ones follow the catalog.
pub const PRICE_LOCKED_RENEWALS: u32 = 3;

/// The longest a customer may pause to a date (about six months); longer is "until I resume".
pub const LONGEST_PAUSE: TimeDelta = TimeDelta::days(183);

/// Longest reason a customer may give when cancelling.
pub const MAX_REASON_CHARS: usize = 500;

/// The parts of a subscription its rules act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub status: SubscriptionStatus,
    pub every: Cadence,
    pub quantity: i32,
    pub next_renewal_on: NaiveDate,
    /// While paused: the day it starts again by itself; `None` until the customer resumes.
    pub paused_until: Option<NaiveDate>,
    pub renewals_done: u32,
}

/// What a customer (or support, for them) asks of a subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Skip the next delivery: the one after it comes as planned. With `due`, only if the
    /// next delivery is still the one due then (a reminder's link, clicked late, skips nothing
    /// else).
    Skip {
        due: Option<NaiveDate>,
    },
    /// No deliveries until `until` (then it starts again by itself), or until resumed.
    Pause {
        until: Option<NaiveDate>,
    },
    Resume,
    Every(Cadence),
    Quantity(i32),
    Cancel {
        reason: String,
    },
}

impl Change {
    pub fn event(&self) -> SubscriptionEventKind {
        match self {
            Change::Skip { .. } => SubscriptionEventKind::Skipped,
            Change::Pause { .. } => SubscriptionEventKind::Paused,
            Change::Resume => SubscriptionEventKind::Resumed,
            Change::Every(_) => SubscriptionEventKind::IntervalChanged,
            Change::Quantity(_) => SubscriptionEventKind::QuantityChanged,
            Change::Cancel { .. } => SubscriptionEventKind::Cancelled,
        }
    }
}

/// Why people cancel, as the cancel form offers it: (form value, words).
pub const CANCEL_REASONS: &[(&str, &str)] = &[
    ("too_much", "I have too much at home"),
    ("too_expensive", "It costs too much"),
    ("not_working", "It didn't work for me"),
    ("switching", "I'm switching to another product"),
    ("other", "Another reason"),
];

/// The reason a cancel form gives, in words: a listed reason and what the customer added
/// ("Another reason" needs the words).
pub fn parse_cancel_reason(value: &str, details: &str) -> Result<String, AppError> {
    let details = details.trim();
    let Some((_, words)) = CANCEL_REASONS.iter().find(|(v, _)| *v == value.trim()) else {
        return Err(AppError::field("reason", "Choose why you are cancelling."));
    };
    if value.trim() == "other" && details.is_empty() {
        return Err(AppError::field(
            "details",
            "Tell us the reason in a few words.",
        ));
    }
    let reason = if details.is_empty() {
        (*words).to_owned()
    } else {
        format!("{words}: {details}")
    };
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::field(
            "details",
            format!("Keep it under {MAX_REASON_CHARS} characters."),
        ));
    }
    Ok(reason)
}

/// `date` plus `cadence`; the end of a shorter month stands in for a day it lacks (31 January
/// plus a month is 28 or 29 February).
pub fn add_cadence(date: NaiveDate, cadence: Cadence) -> NaiveDate {
    date.checked_add_months(Months::new(u32::from(cadence.months())))
        .unwrap_or(NaiveDate::MAX)
}

fn refused(message: impl Into<String>) -> AppError {
    AppError::invalid(message)
}

impl Schedule {
    /// The schedule as it stands on `today`: a pause whose date has come is over.
    pub fn as_of(self, today: NaiveDate) -> Schedule {
        match (self.status, self.paused_until) {
            (SubscriptionStatus::Paused, Some(until)) if until <= today => Schedule {
                status: SubscriptionStatus::Active,
                paused_until: None,
                next_renewal_on: self.next_renewal_on.max(until),
                ..self
            },
            _ => self,
        }
    }

    /// The schedule after `change` on `today` and a sentence for its history, or why it can't
    /// be made. `today` is the customer's day; `self` should already be [`Schedule::as_of`] it.
    pub fn apply(self, change: &Change, today: NaiveDate) -> Result<(Schedule, String), AppError> {
        use SubscriptionStatus as S;
        if self.status == S::Cancelled {
            return Err(refused(
                "This subscription was cancelled. Subscribe again from the product page.",
            ));
        }
        let tomorrow = today + TimeDelta::days(1);
        match change {
            Change::Skip { due } => {
                if let Some(due) = due
                    && (*due != self.next_renewal_on || self.status != S::Active)
                {
                    return Err(refused(self.not_coming(*due)));
                }
                if self.status != S::Active {
                    return Err(refused(match self.status {
                        S::PaymentNeeded => {
                            "Update your card first: this subscription is waiting for a payment."
                        }
                        S::Paused | S::Active | S::Cancelled => {
                            "A paused subscription has no delivery to skip."
                        }
                    }));
                }
                let next = add_cadence(self.next_renewal_on, self.every);
                Ok((
                    Schedule {
                        next_renewal_on: next,
                        ..self
                    },
                    format!(
                        "The delivery of {} is skipped; the next one is on {}.",
                        long_date(self.next_renewal_on),
                        long_date(next)
                    ),
                ))
            }
            Change::Pause { until } => {
                if self.status == S::PaymentNeeded {
                    return Err(refused(
                        "Update your card first: this subscription is already on hold for a payment.",
                    ));
                }
                match until {
                    Some(until) if *until <= today => Err(AppError::field(
                        "until",
                        "Choose a day after today to start again.",
                    )),
                    Some(until) if *until > today + LONGEST_PAUSE => Err(AppError::field(
                        "until",
                        "Pause for at most six months, or until you resume it.",
                    )),
                    Some(until) => {
                        let next = self.next_renewal_on.max(*until);
                        Ok((
                            Schedule {
                                status: S::Paused,
                                paused_until: Some(*until),
                                next_renewal_on: next,
                                ..self
                            },
                            format!(
                                "Paused until {}; the next delivery is on {}.",
                                long_date(*until),
                                long_date(next)
                            ),
                        ))
                    }
                    None => Ok((
                        Schedule {
                            status: S::Paused,
                            paused_until: None,
                            ..self
                        },
                        "Paused until resumed.".to_owned(),
                    )),
                }
            }
            Change::Resume => match self.status {
                S::Paused => {
                    let next = self.next_renewal_on.max(tomorrow);
                    Ok((
                        Schedule {
                            status: S::Active,
                            paused_until: None,
                            next_renewal_on: next,
                            ..self
                        },
                        format!("Resumed; the next delivery is on {}.", long_date(next)),
                    ))
                }
                S::PaymentNeeded => Err(refused(
                    "Update your card to resume: the last renewal could not be paid.",
                )),
                S::Active | S::Cancelled => Err(refused("This subscription isn't paused.")),
            },
            Change::Every(every) => {
                if *every == self.every {
                    return Err(AppError::field(
                        "every",
                        format!("It is already delivered {}.", every.label()),
                    ));
                }
                Ok((
                    Schedule {
                        every: *every,
                        ..self
                    },
                    format!(
                        "Now delivered {} (was {}); the next delivery stays on {}.",
                        every.label(),
                        self.every.label(),
                        long_date(self.next_renewal_on)
                    ),
                ))
            }
            Change::Quantity(quantity) => {
                let max = crate::cart::model::MAX_LINE_QUANTITY;
                if !(1..=max).contains(quantity) {
                    return Err(AppError::field(
                        "quantity",
                        format!("Choose a quantity from 1 to {max}."),
                    ));
                }
                if *quantity == self.quantity {
                    return Err(AppError::field(
                        "quantity",
                        format!("It is already {quantity} per delivery."),
                    ));
                }
                Ok((
                    Schedule {
                        quantity: *quantity,
                        ..self
                    },
                    format!("Now {quantity} per delivery (was {}).", self.quantity),
                ))
            }
            Change::Cancel { reason } => {
                let reason = reason.trim();
                if reason.is_empty() {
                    return Err(AppError::field(
                        "reason",
                        "Tell us why you are cancelling: it helps us do better.",
                    ));
                }
                if reason.chars().count() > MAX_REASON_CHARS {
                    return Err(AppError::field(
                        "reason",
                        format!("Keep the reason under {MAX_REASON_CHARS} characters."),
                    ));
                }
                Ok((
                    Schedule {
                        status: S::Cancelled,
                        paused_until: None,
                        ..self
                    },
                    format!("Cancelled: {reason}"),
                ))
            }
        }
    }

    /// The schedule after the renewal due on its date was placed. Only an active
    /// subscription renews.
    pub fn renewed(self) -> Result<Schedule, AppError> {
        if self.status != SubscriptionStatus::Active {
            return Err(refused(format!(
                "A {} subscription does not renew.",
                self.status.label().to_lowercase()
            )));
        }
        Ok(Schedule {
            next_renewal_on: add_cadence(self.next_renewal_on, self.every),
            renewals_done: self.renewals_done.saturating_add(1),
            ..self
        })
    }

    /// Why the delivery due on `due` (a reminder's) is not the next one to come, in words.
    pub fn not_coming(self, due: NaiveDate) -> String {
        let due = long_date(due);
        match (self.status, self.paused_until) {
            (SubscriptionStatus::Paused, Some(until)) => format!(
                "The delivery of {due} won't come: this subscription is paused until {}, and the next delivery is on {}.",
                long_date(until),
                long_date(self.next_renewal_on)
            ),
            (SubscriptionStatus::Paused, None) => {
                format!(
                    "The delivery of {due} won't come: this subscription is paused until you resume it."
                )
            }
            (SubscriptionStatus::PaymentNeeded, _) => format!(
                "The delivery of {due} is on hold: the last renewal could not be paid. Update your card to resume."
            ),
            (SubscriptionStatus::Cancelled, _) => {
                format!("The delivery of {due} won't come: this subscription was cancelled.")
            }
            (SubscriptionStatus::Active, _) => format!(
                "The delivery of {due} is no longer the next one: it was sent or skipped already. The next delivery is on {}.",
                long_date(self.next_renewal_on)
            ),
        }
    }

    /// The renewal the next delivery will be (1 = the first after the order that started it).
    pub fn next_renewal_number(self) -> u32 {
        self.renewals_done.saturating_add(1)
    }
}

/// The unit price of renewal number `renewal` (1 = the first after sign-up): the price
/// subscribed at for the first [`PRICE_LOCKED_RENEWALS`], then the catalog's price less the
/// subscription discount the catalog offers then (the list price when it offers none).
pub fn renewal_unit_price(
    renewal: u32,
    locked: Money,
    list_now: Money,
    offer_now: Option<SubscribeOffer>,
) -> Money {
    if renewal <= PRICE_LOCKED_RENEWALS {
        locked
    } else {
        offer_now.map_or(list_now, |offer| offer.price(list_now))
    }
}

/// One subscription as its customer sees it on `/account/subscriptions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionView {
    pub id: SubscriptionId,
    pub product_name: String,
    pub product_slug: String,
    pub variant_id: VariantId,
    pub variant_label: String,
    pub sku: String,
    pub schedule: Schedule,
    /// What the next delivery's items cost (the unit price under the price rule × quantity).
    pub next_items: Money,
    /// Unit price of the next delivery, and whether the sign-up price still holds for it.
    pub next_unit_price: Money,
    pub price_locked: bool,
    /// Shipping, tax and total of the next delivery, as at checkout; `None` when it can't be
    /// priced now (the product withdrawn, or no longer shipped to the address).
    pub next_shipping: Option<Money>,
    pub next_total: Option<Money>,
    pub ships_to: String,
    /// Where deliveries go, for the change-address form.
    pub address: Address,
    /// The sizes it can be swapped to (its product's other variants, at today's subscriber
    /// price); empty when the product no longer offers subscriptions.
    pub sizes: Vec<SizeOption>,
    pub started_on: NaiveDate,
    pub cancel_reason: Option<String>,
    /// Oldest first.
    pub history: Vec<SubscriptionEvent>,
}

/// A size a subscription can be swapped to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizeOption {
    pub variant: VariantId,
    pub label: String,
    /// Today's subscriber price of one.
    pub unit_price: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionEvent {
    pub kind: SubscriptionEventKind,
    pub detail: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// Subscriptions per page of the back office's list.
pub const ADMIN_PER_PAGE: i64 = 50;

/// A subscription in the back office's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminSubscriptionRow {
    pub id: SubscriptionId,
    pub email: String,
    pub product_name: String,
    pub variant_label: String,
    pub sku: String,
    pub quantity: i32,
    pub every: Cadence,
    pub status: SubscriptionStatus,
    pub next_renewal_on: NaiveDate,
    pub paused_until: Option<NaiveDate>,
    pub renewals_done: i32,
    /// Where the next delivery's renewal is, once the worker has started on it.
    pub renewal: Option<RenewalStatus>,
}

/// One page of the back office's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminSubscriptionPage {
    pub rows: Vec<AdminSubscriptionRow>,
    pub total: i64,
    pub page: i64,
}

/// What the deliveries due in the next days need of one variant, next to what its lots can
/// give them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitsDue {
    pub sku: String,
    pub product_name: String,
    pub variant_label: String,
    pub deliveries: i64,
    pub units: i64,
    /// Lots count when they keep past this day: the most demanding delivery's next one plus
    /// the shelf-life margin.
    pub lasting_beyond: NaiveDate,
    /// Free units in those lots.
    pub supply: i64,
}

/// One due delivery as the back office sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewalLine {
    pub due_on: NaiveDate,
    pub status: RenewalStatus,
    pub attempts: i32,
    pub retry_on: Option<NaiveDate>,
    pub last_error: Option<String>,
    /// The latest attempt's order: (id, "OL-1001").
    pub order: Option<(crate::ids::OrderId, String)>,
}

/// One subscription in the back office: as its customer sees it, whose it is, its deliveries,
/// and whether support may try the next one again now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminSubscription {
    pub subscription: SubscriptionView,
    pub email: String,
    /// Newest first.
    pub renewals: Vec<RenewalLine>,
    pub can_retry: bool,
}

/// Whether support may try the next delivery (its renewal in `renewal`) of a subscription in
/// `status` again now: it waits for a retry, for stock, or gave up on the card, and the
/// subscription would renew (active, or on hold for that card). A paused or cancelled one
/// would not.
pub fn retryable(status: SubscriptionStatus, renewal: RenewalStatus) -> bool {
    let renews = match status {
        SubscriptionStatus::Active | SubscriptionStatus::PaymentNeeded => true,
        SubscriptionStatus::Paused | SubscriptionStatus::Cancelled => false,
    };
    renews
        && match renewal {
            RenewalStatus::Retrying | RenewalStatus::WaitingStock | RenewalStatus::Failed => true,
            RenewalStatus::Charging | RenewalStatus::Paid | RenewalStatus::Skipped => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn monthly(next: NaiveDate) -> Schedule {
        Schedule {
            status: SubscriptionStatus::Active,
            every: Cadence::every(1).unwrap(),
            quantity: 1,
            next_renewal_on: next,
            paused_until: None,
            renewals_done: 0,
        }
    }

    #[test]
    fn support_retries_only_a_waiting_delivery_of_a_subscription_that_renews() {
        use RenewalStatus as R;
        use SubscriptionStatus as S;
        assert!(retryable(S::PaymentNeeded, R::Failed));
        assert!(retryable(S::Active, R::WaitingStock));
        assert!(retryable(S::Active, R::Retrying));
        assert!(!retryable(S::Paused, R::WaitingStock));
        assert!(!retryable(S::Cancelled, R::Retrying));
        assert!(!retryable(S::Active, R::Charging));
        assert!(!retryable(S::Active, R::Paid));
    }

    #[test]
    fn a_reminder_skips_only_the_delivery_it_was_sent_for() {
        let today = day(2027, 1, 5);
        let due = day(2027, 1, 8);
        let (after, _) = monthly(due)
            .apply(&Change::Skip { due: Some(due) }, today)
            .unwrap();
        assert_eq!(after.next_renewal_on, day(2027, 2, 8));
        // Clicked again, or after that delivery went out: nothing more is skipped.
        let again = after.apply(&Change::Skip { due: Some(due) }, today);
        assert!(
            again
                .unwrap_err()
                .to_string()
                .contains("no longer the next one")
        );
        // Paused since the reminder: the link says so rather than "sent already".
        let (paused, _) = monthly(due)
            .apply(
                &Change::Pause {
                    until: Some(day(2027, 1, 20)),
                },
                today,
            )
            .unwrap();
        let refused = paused
            .apply(&Change::Skip { due: Some(due) }, today)
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("paused until 20 January 2027"),
            "{refused}"
        );
    }

    #[test]
    fn skipping_moves_the_next_delivery_one_interval_on() {
        let today = day(2027, 1, 5);
        let (after, said) = monthly(day(2027, 1, 31))
            .apply(&Change::Skip { due: None }, today)
            .unwrap();
        assert_eq!(after.next_renewal_on, day(2027, 2, 28));
        assert_eq!(
            said,
            "The delivery of 31 January 2027 is skipped; the next one is on 28 February 2027."
        );
    }

    #[test]
    fn a_pause_to_a_date_ends_by_itself_on_that_date() {
        let today = day(2027, 1, 5);
        let (paused, _) = monthly(day(2027, 1, 10))
            .apply(
                &Change::Pause {
                    until: Some(day(2027, 3, 1)),
                },
                today,
            )
            .unwrap();
        assert_eq!(paused.status, SubscriptionStatus::Paused);
        assert_eq!(paused.next_renewal_on, day(2027, 3, 1));
        assert_eq!(paused.as_of(day(2027, 2, 28)), paused);
        let back = paused.as_of(day(2027, 3, 1));
        assert_eq!(back.status, SubscriptionStatus::Active);
        assert_eq!(back.paused_until, None);
        assert_eq!(back.next_renewal_on, day(2027, 3, 1));
        for bad in [today, today + TimeDelta::days(184)] {
            let error = monthly(day(2027, 1, 10))
                .apply(&Change::Pause { until: Some(bad) }, today)
                .unwrap_err();
            assert!(error.field_message("until").is_some(), "{bad}");
        }
    }

    #[test]
    fn resuming_never_schedules_a_delivery_in_the_past() {
        let today = day(2027, 4, 20);
        let paused = Schedule {
            status: SubscriptionStatus::Paused,
            ..monthly(day(2027, 2, 1))
        };
        let (resumed, _) = paused.apply(&Change::Resume, today).unwrap();
        assert_eq!(resumed.status, SubscriptionStatus::Active);
        assert_eq!(resumed.next_renewal_on, day(2027, 4, 21));
    }

    #[test]
    fn payment_needed_waits_for_a_new_card() {
        let today = day(2027, 1, 5);
        let held = Schedule {
            status: SubscriptionStatus::PaymentNeeded,
            ..monthly(day(2027, 1, 4))
        };
        for change in [
            Change::Skip { due: None },
            Change::Resume,
            Change::Pause { until: None },
        ] {
            assert!(held.apply(&change, today).is_err(), "{change:?}");
        }
        assert!(held.renewed().is_err());
        let (cancelled, _) = held
            .apply(
                &Change::Cancel {
                    reason: "Moving abroad".to_owned(),
                },
                today,
            )
            .unwrap();
        assert_eq!(cancelled.status, SubscriptionStatus::Cancelled);
    }

    #[test]
    fn a_cancel_reason_is_a_listed_one_with_optional_words() {
        assert_eq!(
            parse_cancel_reason("too_much", "  "),
            Ok("I have too much at home".to_owned())
        );
        assert_eq!(
            parse_cancel_reason("other", "Moving abroad"),
            Ok("Another reason: Moving abroad".to_owned())
        );
        assert!(
            parse_cancel_reason("other", "")
                .unwrap_err()
                .field_message("details")
                .is_some()
        );
        assert!(
            parse_cancel_reason("bogus", "x")
                .unwrap_err()
                .field_message("reason")
                .is_some()
        );
        assert!(parse_cancel_reason("too_much", &"x".repeat(500)).is_err());
    }

    #[test]
    fn cancelling_needs_a_reason() {
        let error = monthly(day(2027, 1, 10))
            .apply(
                &Change::Cancel {
                    reason: "  ".to_owned(),
                },
                day(2027, 1, 5),
            )
            .unwrap_err();
        assert!(error.field_message("reason").is_some());
    }

    #[test]
    fn the_signup_price_holds_for_three_renewals_then_follows_the_catalog() {
        let eur = |minor| Money::new(minor, Currency::Eur);
        let offer = SubscribeOffer::from_bp(1000);
        let locked = eur(1431);
        for renewal in 1..=3 {
            assert_eq!(
                renewal_unit_price(renewal, locked, eur(1790), offer),
                locked
            );
        }
        assert_eq!(renewal_unit_price(4, locked, eur(1790), offer), eur(1611));
        assert_eq!(renewal_unit_price(4, locked, eur(1790), None), eur(1790));
    }

    fn change() -> impl Strategy<Value = Option<Change>> {
        prop_oneof![
            Just(Some(Change::Skip { due: None })),
            (0i64..200).prop_map(|d| Some(Change::Pause {
                until: Some(day(2027, 1, 1) + TimeDelta::days(d))
            })),
            Just(Some(Change::Pause { until: None })),
            Just(Some(Change::Resume)),
            (1i64..=3).prop_map(|m| Some(Change::Every(Cadence::every(m).unwrap()))),
            (0i32..=22).prop_map(|q| Some(Change::Quantity(q))),
            prop_oneof![Just(""), Just("Too much stock at home")].prop_map(|r| Some(
                Change::Cancel {
                    reason: r.to_owned()
                }
            )),
            // None: the shop tries to renew what is due.
            Just(None),
        ]
    }

    proptest! {
        /// Every path through skip, pause, resume, interval and quantity changes, cancelling
        /// and renewals ends in a valid state; a cancelled subscription never changes again
        /// and never renews; a renewal is only ever placed for an active one that is due.
        #[test]
        fn every_path_ends_in_a_valid_state(
            steps in proptest::collection::vec((change(), 0i64..40), 1..60)
        ) {
            let mut today = day(2027, 1, 1);
            let mut schedule = monthly(day(2027, 1, 20));
            let mut cancelled_as = None;
            for (change, days) in steps {
                today += TimeDelta::days(days);
                schedule = schedule.as_of(today);
                let before = schedule;
                match change {
                    Some(change) => {
                        if let Ok((after, said)) = schedule.apply(&change, today) {
                            prop_assert!(!said.is_empty());
                            prop_assert!(before.status != SubscriptionStatus::Cancelled);
                            schedule = after;
                        }
                    }
                    None => {
                        if schedule.next_renewal_on <= today
                            && let Ok(after) = schedule.renewed()
                        {
                            prop_assert_eq!(before.status, SubscriptionStatus::Active);
                            prop_assert_eq!(after.renewals_done, before.renewals_done + 1);
                            prop_assert!(after.next_renewal_on > before.next_renewal_on);
                            schedule = after;
                        }
                    }
                }
                // Valid: a date to start again only while paused; quantity in range; the next
                // delivery never moves earlier than it was, except by resuming no earlier than
                // tomorrow.
                prop_assert!(schedule.paused_until.is_none() || schedule.status == SubscriptionStatus::Paused);
                prop_assert!((1..=20).contains(&schedule.quantity));
                if schedule.next_renewal_on < before.next_renewal_on {
                    prop_assert!(schedule.next_renewal_on > today);
                }
                if let Some(until) = schedule.paused_until {
                    prop_assert!(until > today || schedule.as_of(today).status == SubscriptionStatus::Active);
                    prop_assert!(schedule.next_renewal_on >= until);
                }
                if let Some(frozen) = cancelled_as {
                    prop_assert_eq!(schedule, frozen);
                    prop_assert!(schedule.renewed().is_err());
                }
                if schedule.status == SubscriptionStatus::Cancelled {
                    cancelled_as = Some(schedule);
                }
            }
        }
    }
}
