-- Paying freelancers out through Stripe Connect: each freelancer's connected (Express) account,
-- and one payout per release — the transfer of what a release moved to the freelancer's
-- payable to that account.
--
-- A payout's life, each step booked in the ledger:
--   pending  → released and waiting: for the freelancer to finish Stripe's onboarding, or for
--              the payout job.
--   sending  → handed to Stripe under the payout's idempotency key (payable → Stripe clearing);
--              the answer is not recorded yet. A crash here sends again under the same key,
--              which Stripe answers with the same transfer: each payout is one transfer.
--   paid     → Stripe made the transfer (Stripe clearing → paid out).
-- A transfer Stripe refuses (the account can't receive any more) goes back to pending with the
-- reason (Stripe clearing → payable), and is tried again under a new attempt's key. A transfer
-- reversed in Stripe moves what was reversed from paid out back to payable.

ALTER TYPE notification_kind ADD VALUE 'payout_sent';

CREATE TABLE payout_accounts (
    user_id           uuid PRIMARY KEY REFERENCES users ON DELETE RESTRICT,
    stripe_account    text NOT NULL UNIQUE CHECK (length(stripe_account) BETWEEN 1 AND 255),
    -- The freelancer finished Stripe's onboarding form.
    details_submitted boolean NOT NULL DEFAULT false,
    -- Transfers to the account are allowed (its `transfers` capability is active).
    can_receive       boolean NOT NULL DEFAULT false,
    -- What Stripe still needs from the freelancer, in Stripe's words (`individual.dob.day`).
    currently_due     text[] NOT NULL DEFAULT '{}',
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
SELECT manage_updated_at('payout_accounts');

CREATE TYPE escrow_payout_status AS ENUM ('pending', 'sending', 'paid');

CREATE TABLE escrow_payouts (
    payout_id           uuid PRIMARY KEY,
    -- The release it pays out, written in the same transaction: one payout per release.
    release_transaction uuid NOT NULL UNIQUE REFERENCES ledger_transactions ON DELETE RESTRICT,
    contract_id         uuid NOT NULL REFERENCES contracts ON DELETE RESTRICT,
    freelancer_id       uuid NOT NULL REFERENCES users ON DELETE RESTRICT,
    amount_minor        bigint NOT NULL CHECK (amount_minor > 0),
    currency            char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status              escrow_payout_status NOT NULL DEFAULT 'pending',
    -- Each refused transfer is followed by a new attempt with its own idempotency key.
    attempt             integer NOT NULL DEFAULT 1 CHECK (attempt >= 1),
    -- The funding charge (`ch_…`) the transfer is paid from (Stripe's `source_transaction`).
    source_charge       text CHECK (length(source_charge) <= 255),
    stripe_transfer     text UNIQUE CHECK (length(stripe_transfer) <= 255),
    -- What Stripe has reversed of the transfer.
    reversed_minor      bigint NOT NULL DEFAULT 0 CHECK (reversed_minor >= 0 AND reversed_minor <= amount_minor),
    -- Why the last attempt was refused, in Stripe's words; and when to try again.
    problem             text CHECK (length(problem) <= 500),
    retry_at            timestamptz,
    paid_at             timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'paid') = (paid_at IS NOT NULL AND stripe_transfer IS NOT NULL)),
    CHECK (reversed_minor = 0 OR status = 'paid')
);
SELECT manage_updated_at('escrow_payouts');
CREATE INDEX escrow_payouts_open ON escrow_payouts (freelancer_id, created_at)
    WHERE status IN ('pending', 'sending');
CREATE INDEX escrow_payouts_contract ON escrow_payouts (contract_id, created_at);
CREATE INDEX escrow_payouts_freelancer ON escrow_payouts (freelancer_id, created_at);
