-- Reconciling the escrow ledger with Stripe: each run (the daily job's, a finance admin's or
-- `olivine ledger reconcile`) and every difference it found between what the ledger booked and
-- what Stripe holds (charges, refunds, transfers and their reversals), or inside the ledger
-- itself. Runs are only added; the latest is what `/admin/finance/reconciliation` shows.

CREATE TYPE reconciliation_trigger AS ENUM ('daily', 'admin', 'command');

CREATE TABLE ledger_reconciliations (
    reconciliation_id uuid PRIMARY KEY,
    trigger      reconciliation_trigger NOT NULL,
    -- The finance admin who asked for it.
    started_by   uuid REFERENCES users ON DELETE SET NULL,
    -- The Stripe objects (and their bookings) made since then were compared.
    since        timestamptz NOT NULL,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz NOT NULL CHECK (finished_at >= started_at),
    charges      integer NOT NULL CHECK (charges >= 0),
    refunds      integer NOT NULL CHECK (refunds >= 0),
    transfers    integer NOT NULL CHECK (transfers >= 0),
    -- Ledger transactions whose balance was checked.
    transactions bigint NOT NULL CHECK (transactions >= 0),
    differences  integer NOT NULL CHECK (differences >= 0)
);
CREATE INDEX ledger_reconciliations_latest ON ledger_reconciliations (started_at DESC);

CREATE TYPE reconciliation_difference AS ENUM (
    -- Booked in the ledger; Stripe has no such object, or it did not succeed.
    'missing_at_stripe',
    -- Stripe moved money for Olivine that the ledger never booked.
    'not_booked',
    -- Both sides know it; the amounts differ.
    'amount',
    -- A transfer's reversed amount differs from what the ledger took back.
    'reversed',
    -- The ledger disagrees with itself (unbalanced, drifted or overdrawn).
    'ledger'
);

CREATE TYPE reconciliation_object AS ENUM ('charge', 'refund', 'transfer', 'ledger');

CREATE TABLE ledger_reconciliation_differences (
    reconciliation_id uuid NOT NULL REFERENCES ledger_reconciliations ON DELETE RESTRICT,
    position     integer NOT NULL CHECK (position >= 0),
    kind         reconciliation_difference NOT NULL,
    object       reconciliation_object NOT NULL,
    -- Stripe's id (pi_…, re_…, tr_…), or the ledger's transaction or account.
    reference    text NOT NULL CHECK (length(reference) BETWEEN 1 AND 255),
    booked_minor bigint,
    stripe_minor bigint,
    currency     char(3) CHECK (currency ~ '^[A-Z]{3}$'),
    detail       text NOT NULL CHECK (length(detail) <= 500),
    PRIMARY KEY (reconciliation_id, position)
);

-- Finding a payout's source charge sums the payouts already made from that charge; a
-- contract paid out week after week (and the reconciliation bench's thousands of payouts per
-- charge) shouldn't read every payout to do it.
CREATE INDEX escrow_payouts_source ON escrow_payouts (source_charge) WHERE source_charge IS NOT NULL;
