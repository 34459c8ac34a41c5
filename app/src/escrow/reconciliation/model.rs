//! What a reconciliation found, as the back office shows it.

use crate::money::Money;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pg_enum! {
    /// Who ran a reconciliation.
    Trigger as "reconciliation_trigger" {
        Daily = "daily": "The daily job",
        Admin = "admin": "A finance admin",
        Command = "command": "olivine ledger reconcile",
    }
}

pg_enum! {
    /// How the ledger and Stripe disagree about one object.
    DifferenceKind as "reconciliation_difference" {
        MissingAtStripe = "missing_at_stripe": "Booked, not at Stripe",
        NotBooked = "not_booked": "At Stripe, not booked",
        Amount = "amount": "Amounts differ",
        Reversed = "reversed": "Reversals differ",
        Ledger = "ledger": "Ledger inconsistent",
    }
}

pg_enum! {
    /// The object a difference is about.
    StripeObject as "reconciliation_object" {
        Charge = "charge": "Charge",
        Refund = "refund": "Refund",
        Transfer = "transfer": "Transfer",
        Ledger = "ledger": "Ledger",
    }
}

/// One disagreement: which object, what each side says, and in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    pub kind: DifferenceKind,
    pub object: StripeObject,
    /// Stripe's id (`pi_…`, `re_…`, `tr_…`), or the ledger's transaction or account.
    pub reference: String,
    pub booked: Option<Money>,
    pub at_stripe: Option<Money>,
    pub detail: String,
}

/// One run of the reconciliation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    pub trigger: Trigger,
    /// The finance admin who asked for it.
    pub started_by: Option<String>,
    /// Stripe objects made since then, and their bookings, were compared.
    pub since: DateTime<Utc>,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub charges: i32,
    pub refunds: i32,
    pub transfers: i32,
    /// Ledger transactions whose balance was checked.
    pub transactions: i64,
    pub differences: Vec<Difference>,
}

/// A contract whose escrow has held the organisation's money for longer than
/// [`HELD_TOO_LONG_DAYS`]: Stripe keeps funds for manual payouts at most 90 days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldTooLong {
    pub contract: crate::ids::ContractId,
    pub title: String,
    pub organisation: String,
    pub held: Money,
    /// When the contract's first charge was paid.
    pub funded_at: DateTime<Utc>,
    pub days: i64,
}

/// Held longer than this is flagged (Stripe's limit is 90 days).
pub const HELD_TOO_LONG_DAYS: i64 = 80;

/// `/admin/finance/reconciliation`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconciliationPage {
    pub latest: Option<Reconciliation>,
    pub held_too_long: Vec<HeldTooLong>,
}
