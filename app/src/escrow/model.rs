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

pub use crate::ui::CardSetup;

/// `/hire/org/{slug}/billing`: whose billing, the card saved, if any, and what was charged
/// to it for bookings.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Billing {
    pub organisation: String,
    pub card: Option<OrganisationCard>,
    /// Charges for bookings, newest first.
    pub charges: Vec<BillingCharge>,
    /// One per currency the organisation's contracts are in.
    pub totals: Vec<ContractMoney>,
    /// Contracts with money in escrow's ledger, newest first.
    pub contracts: Vec<BillingContract>,
}

/// What a contract's money did, seen from the organisation, as its ledger books it.
/// `funded = released + fees + refunded + held`, always.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ContractMoney {
    /// Charged to the card into escrow.
    pub funded: crate::money::Money,
    /// Released to the freelancer: approved pay, cancellation shares, dispute decisions.
    pub released: crate::money::Money,
    /// The platform's fee on what was released.
    pub fees: crate::money::Money,
    /// Given back to the card.
    pub refunded: crate::money::Money,
    /// Still in escrow (or frozen by a dispute).
    pub held: crate::money::Money,
}

impl ContractMoney {
    pub fn zero(currency: crate::money::Currency) -> Self {
        let zero = crate::money::Money::zero(currency);
        Self {
            funded: zero,
            released: zero,
            fees: zero,
            refunded: zero,
            held: zero,
        }
    }

    /// `self` with `other` added, field by field; `None` if the currencies differ.
    pub fn plus(self, other: ContractMoney) -> Option<Self> {
        Some(Self {
            funded: self.funded.checked_add(other.funded).ok()?,
            released: self.released.checked_add(other.released).ok()?,
            fees: self.fees.checked_add(other.fees).ok()?,
            refunded: self.refunded.checked_add(other.refunded).ok()?,
            held: self.held.checked_add(other.held).ok()?,
        })
    }

    /// Adds `money` to the totals of its currency in `totals`.
    pub fn add_to(self, totals: &mut Vec<ContractMoney>) {
        let currency = self.funded.currency();
        match totals.iter_mut().find(|t| t.funded.currency() == currency) {
            Some(total) => *total = total.plus(self).unwrap_or(*total),
            None => totals.push(self),
        }
    }
}

/// One contract on the organisation's billing page and in its CSV export.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BillingContract {
    pub contract: crate::ids::ContractId,
    /// The shift or job, its page, and who works it.
    pub title: String,
    pub href: String,
    pub freelancer: String,
    pub starts_at: chrono::NaiveDateTime,
    pub status: crate::hire::contracts::model::ContractStatus,
    pub money: ContractMoney,
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

pg_enum! {
    /// Where a payout of released pay to a freelancer's connected account is.
    PayoutStatus as "escrow_payout_status" {
        Pending = "pending": "Waiting to be paid out",
        Sending = "sending": "On its way",
        Paid = "paid": "Paid out",
    }
}

/// Where a freelancer's payouts go: their Stripe connected account, as far as onboarding got.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PayoutSetup {
    /// The freelancer finished Stripe's onboarding form once.
    pub details_submitted: bool,
    /// Transfers to the account are allowed: payouts go out.
    pub can_receive: bool,
    /// What Stripe still needs, in Stripe's field names.
    pub currently_due: Vec<String>,
}

impl PayoutSetup {
    /// What Stripe asks for, in words: "your date of birth, your bank account".
    pub fn due_in_words(&self) -> String {
        let mut words: Vec<&str> = self
            .currently_due
            .iter()
            .map(|field| requirement_in_words(field))
            .collect();
        words.dedup();
        words.join(", ")
    }
}

fn requirement_in_words(field: &str) -> &'static str {
    match field.split('.').next().unwrap_or_default() {
        "external_account" => "your bank account",
        "tos_acceptance" => "accepting Stripe's terms",
        "business_profile" => "a website or description of your work",
        "individual" if field.contains("dob") => "your date of birth",
        "individual" if field.contains("name") => "your name",
        "individual" if field.contains("address") => "your address",
        "individual" => "proof of your identity",
        _ => "more details",
    }
}

/// `/hire/work/earnings`: what a freelancer has earned and where it is.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Earnings {
    pub setup: Option<PayoutSetup>,
    /// One per currency earned in.
    pub totals: Vec<EarningsTotals>,
    /// Contracts with money held, released or paid, newest first.
    pub contracts: Vec<EarningsContract>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EarningsTotals {
    /// The freelancer's pay held in escrow for work not approved yet (or disputed).
    pub held: crate::money::Money,
    /// Released to them, not paid out yet.
    pub payable: crate::money::Money,
    /// Handed to Stripe, not confirmed yet.
    pub on_the_way: crate::money::Money,
    pub paid: crate::money::Money,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EarningsContract {
    pub title: String,
    pub organisation: String,
    /// The shift's or job's page.
    pub href: String,
    pub held: crate::money::Money,
    /// One per release (a shift's hours, a job's week, a hand-over), oldest first.
    pub payouts: Vec<PayoutLine>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PayoutLine {
    pub id: crate::ids::EscrowPayoutId,
    /// What released it: approved hours or work, a late cancellation, a dispute's decision.
    pub what: TransactionKind,
    pub released_at: chrono::DateTime<chrono::Utc>,
    pub amount: crate::money::Money,
    pub status: PayoutStatus,
    pub paid_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Taken back by a reversal in Stripe: payable again.
    pub reversed: crate::money::Money,
    /// Why the last transfer was refused, in Stripe's words.
    pub problem: Option<String>,
}

/// The largest pay whose total with the fee at `basis_points` fits in `total_minor`: the
/// freelancer's part of what an escrow holds.
pub fn pay_within(total_minor: i64, basis_points: u32) -> i64 {
    if total_minor <= 0 {
        return 0;
    }
    let mut pay = total_minor * 10_000 / (10_000 + i64::from(basis_points));
    while pay + 1 + fee_for(pay + 1, basis_points) <= total_minor {
        pay += 1;
    }
    while pay > 0 && pay + fee_for(pay, basis_points) > total_minor {
        pay -= 1;
    }
    pay
}

/// The platform's fee on `amount_minor` at `basis_points` (1/100 of a percent), rounded half up
/// to the minor unit. Never more on a smaller amount, so a release of part of a funded booking
/// never needs more fee than the booking paid.
pub fn fee_for(amount_minor: i64, basis_points: u32) -> i64 {
    (amount_minor * i64::from(basis_points) + 5_000) / 10_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pay_within_a_total_is_what_with_its_fee_fits() {
        for bp in [0, 250, 1000, 1999] {
            for pay in [0, 1, 4, 5, 99, 12_800, 1_000_001] {
                let total = pay + fee_for(pay, bp);
                assert_eq!(pay_within(total, bp), pay, "pay {pay} at {bp}");
                // A cent short of the total: the pay that fits is smaller.
                if pay > 0 {
                    assert!(pay_within(total - 1, bp) < pay);
                }
            }
        }
        assert_eq!(pay_within(-5, 1000), 0);
    }

    #[test]
    fn stripes_requirements_read_as_words_once_each() {
        let setup = PayoutSetup {
            details_submitted: false,
            can_receive: false,
            currently_due: [
                "individual.dob.day",
                "individual.dob.month",
                "external_account",
                "tos_acceptance.date",
            ]
            .map(String::from)
            .to_vec(),
        };
        assert_eq!(
            setup.due_in_words(),
            "your date of birth, your bank account, accepting Stripe's terms"
        );
    }
}
