//! The ledger's vocabulary, shared by the pages that show balances and the server that books
//! them.

pg_enum! {
    /// What an account holds. Amounts entering an account are positive; only an organisation's
    /// funding account goes below zero (it is where the money the organisation paid comes from).
    AccountKind as "ledger_account_kind" {
        OrganisationFunding = "organisation_funding": "Paid in by the organisation",
        ContractEscrow = "contract_escrow": "Held in escrow",
        ContractFrozen = "contract_frozen": "Held while disputed",
        FreelancerPayable = "freelancer_payable": "Released, to be paid out",
        FreelancerPaidOut = "freelancer_paid_out": "Paid out",
        PlatformFees = "platform_fees": "Platform fees",
        Refunds = "refunds": "Refunded",
        StripeClearing = "stripe_clearing": "With Stripe, awaiting confirmation",
    }
}

pg_enum! {
    /// What a ledger transaction books.
    TransactionKind as "ledger_transaction_kind" {
        Funding = "funding": "Booking funded",
        Release = "release": "Released to the freelancer",
        Cancellation = "cancellation": "Cancellation settled",
        Freeze = "freeze": "Held for a dispute",
        DisputeResolution = "dispute_resolution": "Dispute resolved",
        Refund = "refund": "Refund sent",
        RefundConfirmed = "refund_confirmed": "Refund confirmed",
        Payout = "payout": "Payout sent",
        PayoutConfirmed = "payout_confirmed": "Payout confirmed",
        PayoutReversed = "payout_reversed": "Payout reversed",
    }
}

/// The card an organisation's bookings are charged to, as a manager recognises it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OrganisationCard {
    /// `visa`, `mastercard`, …
    pub brand: String,
    pub last4: String,
    pub exp_month: i16,
    pub exp_year: i16,
    pub saved_at: chrono::DateTime<chrono::Utc>,
}

impl OrganisationCard {
    /// "Visa •••• 4242, expires 04/2030".
    pub fn describe(&self) -> String {
        let mut brand = self.brand.clone();
        if let Some(first) = brand.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        format!(
            "{brand} •••• {}, expires {:02}/{}",
            self.last4, self.exp_month, self.exp_year
        )
    }
}

/// What the browser needs to save a card with Stripe's form: the SetupIntent's client secret
/// and which Stripe.js to load with which key.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CardSetup {
    pub client_secret: String,
    pub publishable_key: String,
    pub stripe_js: String,
}

/// `/hire/org/{slug}/billing`: whose billing, the card saved, if any, and what was charged
/// to it for bookings.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Billing {
    pub organisation: String,
    pub card: Option<OrganisationCard>,
    /// Charges for bookings, newest first.
    pub charges: Vec<BillingCharge>,
}

pg_enum! {
    /// Where a charge into a contract's escrow is.
    ChargeStatus as "escrow_charge_status" {
        Pending = "pending": "Waiting to be charged",
        Charging = "charging": "Being charged",
        Funded = "funded": "Paid into escrow",
        ActionNeeded = "action_needed": "Payment needed",
        Cancelled = "cancelled": "Not needed",
    }
}

impl ChargeStatus {
    /// Still to be paid: the booking (or the approved pay) waits for it.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ChargeStatus::Pending | ChargeStatus::Charging | ChargeStatus::ActionNeeded
        )
    }
}

pg_enum! {
    /// Where money given back to an organisation's card is.
    RefundStatus as "escrow_refund_status" {
        Pending = "pending": "Being refunded",
        Refunded = "refunded": "Refunded",
        Failed = "failed": "Refund failed",
    }
}

/// One charge for a booking as the billing page lists it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BillingCharge {
    pub id: crate::ids::EscrowChargeId,
    /// The shift or job, and who works it.
    pub title: String,
    pub freelancer: String,
    /// The booking's funding at hiring; otherwise approved pay the escrow didn't hold.
    pub booking: bool,
    pub amount: crate::money::Money,
    pub status: ChargeStatus,
    /// Why it isn't paid, in the bank's (or Stripe's) words.
    pub problem: Option<String>,
    /// A booking not funded by then (on Hire's wall clock) is released.
    pub deadline: Option<chrono::NaiveDateTime>,
    /// What was given back from this charge so far.
    pub refunded: crate::money::Money,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// The platform's fee on `amount_minor` at `basis_points` (1/100 of a percent), rounded half up
/// to the minor unit. Never more on a smaller amount, so a release of part of a funded booking
/// never needs more fee than the booking paid.
pub fn fee_for(amount_minor: i64, basis_points: u32) -> i64 {
    (amount_minor * i64::from(basis_points) + 5_000) / 10_000
}
