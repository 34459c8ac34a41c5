//! Reconciling the escrow ledger with Stripe. The ledger says what Olivine believes happened
//! to the money; Stripe says what did. Once a day (and when a finance admin or
//! `olivine ledger reconcile` asks) every Stripe object the ledger books — an escrow charge's
//! payment, a refund to an organisation's card, a payout's transfer and its reversals — made
//! in the window is compared with its booking, both ways:
//!
//! - booked, but Stripe has no such object (or it never succeeded);
//! - at Stripe, paying for Olivine's escrow, but never booked (a refund made in Stripe's
//!   dashboard, a transfer whose answer was lost);
//! - both, with other amounts (or other reversed amounts).
//!
//! Stripe is read with its list endpoints, page by page, so a run costs a request per hundred
//! objects; a booking its page didn't show is retrieved on its own before it is called
//! missing. Objects younger than a grace period are left alone: a charge or a transfer Stripe
//! just made may be booked a moment later. The ledger's own check (balanced, running balances
//! equal to their entries, nothing overdrawn) runs with it. Each run and what it found is kept;
//! `/admin/finance/reconciliation` shows the latest, with contracts holding money longer than
//! Stripe lets funds wait.

pub mod api;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
mod repo;

#[cfg(feature = "ssr")]
pub use service::*;

#[cfg(feature = "ssr")]
mod service {
    use super::model::{
        Difference, DifferenceKind, HELD_TOO_LONG_DAYS, Reconciliation, ReconciliationPage,
        StripeObject, Trigger,
    };
    use super::repo::{self, Booked, NewRun};
    use crate::error::ServiceError;
    use crate::escrow::ledger;
    use crate::hire::reference::repo::money;
    use crate::ids::UserId;
    use crate::state::AppState;
    use chrono::{DateTime, Duration, Utc};
    use payments::{Intent, IntentStatus, PaymentsError, Refund, Transfer};
    use std::collections::{HashMap, HashSet};

    type Result<T> = std::result::Result<T, ServiceError>;

    /// How far back a run looks: past the 90 days Stripe holds funds for manual payouts.
    pub const WINDOW: Duration = Duration::days(100);
    /// Stripe objects younger than this may not be booked yet, and are not reported as such.
    pub const GRACE: Duration = Duration::minutes(15);
    /// Stripe is listed from a day before the window, so a booking made just inside it whose
    /// object was made just outside is found in the listing.
    const MARGIN: Duration = Duration::days(1);

    /// What a run compares, and who asked.
    #[derive(Clone, Copy, Debug)]
    pub struct Run {
        pub trigger: Trigger,
        pub started_by: Option<UserId>,
        /// Bookings and Stripe objects made since then are compared.
        pub since: DateTime<Utc>,
        /// Stripe objects made after this are not reported as unbooked.
        pub settled_before: DateTime<Utc>,
    }

    impl Run {
        /// The usual run: the last [`WINDOW`], leaving out the last [`GRACE`].
        pub fn usual(trigger: Trigger, started_by: Option<UserId>) -> Self {
            let now = Utc::now();
            Run {
                trigger,
                started_by,
                since: now - WINDOW,
                settled_before: now - GRACE,
            }
        }
    }

    /// What the ledger booked for Stripe's objects in the window.
    struct BookedAll {
        charges: Vec<Booked>,
        refunds: Vec<Booked>,
        transfers: Vec<Booked>,
    }

    /// What Stripe holds of Olivine's escrow money.
    #[derive(Debug, Default)]
    struct Stripe {
        intents: HashMap<String, Intent>,
        refunds: HashMap<String, Refund>,
        transfers: HashMap<String, Transfer>,
    }

    /// Runs a reconciliation and keeps what it found.
    pub async fn reconcile(state: &AppState, run: Run) -> Result<Reconciliation> {
        let started_at = Utc::now();
        let mut conn = state.db.acquire().await?;
        let booked = BookedAll {
            charges: repo::booked_charges(&mut conn, run.since).await?,
            refunds: repo::booked_refunds(&mut conn, run.since).await?,
            transfers: repo::booked_transfers(&mut conn, run.since).await?,
        };
        drop(conn);

        let listed_since = (run.since - MARGIN).timestamp();
        let payments = &state.payments;
        let mut stripe = Stripe {
            intents: by_id(payments.intents_since(listed_since).await?, |i| &i.id),
            refunds: by_id(payments.refunds_since(listed_since).await?, |r| &r.id),
            transfers: by_id(payments.transfers_since(listed_since).await?, |t| &t.id),
        };
        // A booking whose object the listing didn't show: ask for it by its id.
        for booked in &booked.charges {
            if !stripe.intents.contains_key(&booked.stripe_id)
                && let Some(intent) = found(payments.retrieve_intent(&booked.stripe_id).await)?
            {
                stripe.intents.insert(intent.id.clone(), intent);
            }
        }
        for booked in &booked.refunds {
            if !stripe.refunds.contains_key(&booked.stripe_id)
                && let Some(refund) = found(payments.retrieve_refund(&booked.stripe_id).await)?
            {
                stripe.refunds.insert(refund.id.clone(), refund);
            }
        }
        for booked in &booked.transfers {
            if !stripe.transfers.contains_key(&booked.stripe_id)
                && let Some(transfer) = found(payments.retrieve_transfer(&booked.stripe_id).await)?
            {
                stripe.transfers.insert(transfer.id.clone(), transfer);
            }
        }

        let mut conn = state.db.acquire().await?;
        // A refund names only its payment: it is escrow's if the payment is.
        let refunded_intents: Vec<String> = stripe
            .refunds
            .values()
            .filter_map(|r| r.payment_intent.clone())
            .collect();
        let escrow_intents: HashSet<String> = repo::escrow_intents(&mut conn, &refunded_intents)
            .await?
            .into_iter()
            .chain(
                stripe
                    .intents
                    .values()
                    .filter(|i| i.metadata.contains_key(ESCROW_CHARGE))
                    .map(|i| i.id.clone()),
            )
            .collect();
        let window = Window {
            since: run.since.timestamp(),
            settled_before: run.settled_before.timestamp(),
        };
        let mut differences = Vec::new();
        compare_all(&booked, &stripe, &escrow_intents, window, &mut differences);
        ledger_differences(&ledger::check(&mut conn).await?, &mut differences);
        let transactions = repo::transaction_count(&mut conn).await?;

        let id = uuid::Uuid::now_v7();
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        repo::insert_run(
            &mut conn,
            &NewRun {
                id,
                trigger: run.trigger,
                started_by: run.started_by,
                since: run.since,
                started_at,
                finished_at: Utc::now(),
                charges: count(booked.charges.len()),
                refunds: count(booked.refunds.len()),
                transfers: count(booked.transfers.len()),
                transactions,
                differences: &differences,
            },
        )
        .await?;
        if !differences.is_empty() {
            tracing::warn!(
                reconciliation = %id,
                differences = differences.len(),
                "the escrow ledger and Stripe disagree"
            );
        }
        repo::run(&mut conn, &state.vault, Some(id))
            .await?
            .ok_or_else(|| ServiceError::Internal("reconciling", "the run vanished".into()))
    }

    /// The metadata key escrow charges carry (see `funding::charge`).
    const ESCROW_CHARGE: &str = "escrow_charge";
    /// The metadata key payout transfers carry (see `payouts::pay_out`).
    const PAYOUT: &str = "payout";

    fn by_id<T>(items: Vec<T>, id: impl Fn(&T) -> &String) -> HashMap<String, T> {
        items.into_iter().map(|t| (id(&t).clone(), t)).collect()
    }

    /// `Ok(None)` when Stripe has no such object.
    fn found<T>(answer: std::result::Result<T, PaymentsError>) -> Result<Option<T>> {
        match answer {
            Ok(object) => Ok(Some(object)),
            Err(PaymentsError::Refused { code, .. })
                if code.as_deref() == Some("resource_missing") =>
            {
                Ok(None)
            }
            Err(other) => Err(other.into()),
        }
    }

    /// Unix seconds: what the comparison reports on.
    #[derive(Clone, Copy, Debug)]
    struct Window {
        since: i64,
        settled_before: i64,
    }

    impl Window {
        /// A Stripe object made then is old enough, and new enough, to need a booking.
        fn wants_booking(self, created: i64) -> bool {
            created >= self.since && created < self.settled_before
        }
    }

    fn difference(
        kind: DifferenceKind,
        object: StripeObject,
        reference: &str,
        currency: &str,
        booked: Option<i64>,
        at_stripe: Option<i64>,
        detail: String,
    ) -> Difference {
        Difference {
            kind,
            object,
            reference: reference.to_owned(),
            booked: booked.map(|m| money(m, currency)),
            at_stripe: at_stripe.map(|m| money(m, currency)),
            detail,
        }
    }

    /// A Stripe object as the comparison reads it.
    trait AtStripe {
        const OBJECT: StripeObject;
        fn id(&self) -> &str;
        fn currency(&self) -> &str;
        /// The money it moved, as Stripe has it now.
        fn moved(&self) -> i64;
        fn created(&self) -> i64;
        /// It moved money and needs a booking (a succeeded payment, a refund not failed).
        fn happened(&self) -> bool;
    }

    impl AtStripe for Intent {
        const OBJECT: StripeObject = StripeObject::Charge;
        fn id(&self) -> &str {
            &self.id
        }
        fn currency(&self) -> &str {
            &self.currency
        }
        fn moved(&self) -> i64 {
            if self.happened() {
                self.amount_received
            } else {
                0
            }
        }
        fn created(&self) -> i64 {
            self.created
        }
        fn happened(&self) -> bool {
            self.status == IntentStatus::Succeeded
        }
    }

    impl AtStripe for Refund {
        const OBJECT: StripeObject = StripeObject::Refund;
        fn id(&self) -> &str {
            &self.id
        }
        fn currency(&self) -> &str {
            &self.currency
        }
        fn moved(&self) -> i64 {
            if self.happened() { self.amount } else { 0 }
        }
        fn created(&self) -> i64 {
            self.created
        }
        fn happened(&self) -> bool {
            matches!(self.status.as_str(), "succeeded" | "pending")
        }
    }

    impl AtStripe for Transfer {
        const OBJECT: StripeObject = StripeObject::Transfer;
        fn id(&self) -> &str {
            &self.id
        }
        fn currency(&self) -> &str {
            &self.currency
        }
        fn moved(&self) -> i64 {
            self.amount
        }
        fn created(&self) -> i64 {
            self.created
        }
        fn happened(&self) -> bool {
            true
        }
    }

    /// Both ways for one kind of object: each booking against Stripe's object (missing, not
    /// happened, another amount), and each of Stripe's objects that are `escrows` against
    /// the bookings (never booked). `what` names a booking ("paid into escrow") and
    /// `whose` says whose money an unbooked object moved.
    fn compare<T: AtStripe>(
        booked: &[Booked],
        at_stripe: &HashMap<String, T>,
        escrows: impl Fn(&T) -> bool,
        whose: impl Fn(&T) -> String,
        what: &str,
        window: Window,
        out: &mut Vec<Difference>,
    ) {
        for b in booked {
            let found = at_stripe.get(&b.stripe_id);
            let (kind, detail) = match found {
                None => (
                    DifferenceKind::MissingAtStripe,
                    format!("Booked as {what}; Stripe has no such object."),
                ),
                Some(object) if !object.happened() => (
                    DifferenceKind::MissingAtStripe,
                    format!("Booked as {what}; at Stripe it never went through."),
                ),
                Some(object) if object.moved() != b.amount => (
                    DifferenceKind::Amount,
                    "Stripe moved another amount than the ledger booked.".to_owned(),
                ),
                Some(_) => continue,
            };
            out.push(difference(
                kind,
                T::OBJECT,
                &b.stripe_id,
                &b.currency,
                Some(b.amount),
                found.map(T::moved),
                detail,
            ));
        }
        let booked: HashSet<&str> = booked.iter().map(|b| b.stripe_id.as_str()).collect();
        for object in at_stripe.values() {
            if escrows(object)
                && object.happened()
                && window.wants_booking(object.created())
                && !booked.contains(object.id())
            {
                out.push(difference(
                    DifferenceKind::NotBooked,
                    T::OBJECT,
                    object.id(),
                    object.currency(),
                    None,
                    Some(object.moved()),
                    format!("{}; the ledger never booked it.", whose(object)),
                ));
            }
        }
    }

    fn compare_all(
        booked: &BookedAll,
        stripe: &Stripe,
        escrow_intents: &HashSet<String>,
        window: Window,
        out: &mut Vec<Difference>,
    ) {
        compare(
            &booked.charges,
            &stripe.intents,
            |i| i.metadata.contains_key(ESCROW_CHARGE),
            |i| {
                format!(
                    "Stripe took this payment for escrow charge {}",
                    i.metadata.get(ESCROW_CHARGE).map_or("?", String::as_str)
                )
            },
            "paid into escrow",
            window,
            out,
        );
        compare(
            &booked.refunds,
            &stripe.refunds,
            |r| {
                r.payment_intent
                    .as_ref()
                    .is_some_and(|i| escrow_intents.contains(i))
            },
            |r| {
                format!(
                    "Stripe refunded this from escrow payment {}",
                    r.payment_intent.as_deref().unwrap_or("?")
                )
            },
            "refunded",
            window,
            out,
        );
        compare(
            &booked.transfers,
            &stripe.transfers,
            |t| t.metadata.contains_key(PAYOUT),
            |t| {
                format!(
                    "Stripe made this transfer for payout {}",
                    t.metadata.get(PAYOUT).map_or("?", String::as_str)
                )
            },
            "paid out",
            window,
            out,
        );
        // What reversals took back of each transfer, on both sides.
        for b in &booked.transfers {
            if let Some(transfer) = stripe.transfers.get(&b.stripe_id)
                && transfer.amount_reversed != b.reversed
            {
                out.push(difference(
                    DifferenceKind::Reversed,
                    StripeObject::Transfer,
                    &b.stripe_id,
                    &b.currency,
                    Some(b.reversed),
                    Some(transfer.amount_reversed),
                    "Stripe reversed another amount of this transfer than the ledger took back."
                        .into(),
                ));
            }
        }
    }

    fn ledger_differences(findings: &ledger::Findings, out: &mut Vec<Difference>) {
        let mut found = |reference: String, detail: String| {
            out.push(difference(
                DifferenceKind::Ledger,
                StripeObject::Ledger,
                &reference,
                "",
                None,
                None,
                detail,
            ));
        };
        for tx in &findings.unbalanced {
            found(
                tx.to_string(),
                "This transaction's entries don't sum to zero.".into(),
            );
        }
        for (account, kept, sum) in &findings.drifted {
            found(
                account.to_string(),
                format!(
                    "The account's kept balance is {kept}, its entries sum to {sum} (minor units)."
                ),
            );
        }
        for account in &findings.overdrawn {
            found(
                account.to_string(),
                "The account is below zero, which it may never be.".into(),
            );
        }
    }

    /// Whether the daily run is due: none yet, or the last one began a day ago.
    pub async fn daily_due(state: &AppState) -> Result<bool> {
        let mut conn = state.db.acquire().await?;
        let last = repo::last_daily(&mut conn).await?;
        Ok(last.is_none_or(|at| Utc::now() - at >= Duration::hours(24)))
    }

    /// `/admin/finance/reconciliation`: the latest run and the money held too long.
    pub async fn page(state: &AppState) -> Result<ReconciliationPage> {
        let mut conn = state.db.acquire().await?;
        let now = state.clock.now();
        Ok(ReconciliationPage {
            latest: repo::run(&mut conn, &state.vault, None).await?,
            held_too_long: repo::held_since(
                &mut conn,
                now - Duration::days(HELD_TOO_LONG_DAYS),
                now,
            )
            .await?,
        })
    }
}
