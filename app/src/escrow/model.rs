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

/// `/hire/org/{slug}/billing`: whose billing and the card saved, if any.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Billing {
    pub organisation: String,
    pub card: Option<OrganisationCard>,
}
