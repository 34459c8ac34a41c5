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
