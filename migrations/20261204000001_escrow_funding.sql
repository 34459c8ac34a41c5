-- Funding Hire bookings: the charges that put an organisation's money in a contract's escrow,
-- the refunds that give back what was not spent, and the queue of contract events the escrow
-- has yet to book.
--
-- A contract event (hired, hours approved, cancelled…) is written by Hire; the escrow's
-- settlement job books it (a release, a cancellation's share, a refund of the rest) and takes
-- it off `escrow_event_queue` in the same transaction. Events recorded before this migration
-- moved no money and are not queued.

ALTER TYPE contract_event_kind ADD VALUE 'funding_lapsed';
-- A manager ends an hourly job early ("End the job"): it completes, and settles as completion.
ALTER TYPE contract_event_kind ADD VALUE 'ended_by_client';
ALTER TYPE notification_kind ADD VALUE 'job_ended';
ALTER TYPE notification_kind ADD VALUE 'booking_funded';
ALTER TYPE notification_kind ADD VALUE 'funding_needed';
ALTER TYPE notification_kind ADD VALUE 'funding_lapsed';

CREATE TYPE escrow_charge_status AS ENUM (
    -- To be charged by the funding job.
    'pending',
    -- Sent to Stripe under the charge's idempotency key; the answer is not recorded yet (a
    -- crash here charges again under the same key, which Stripe answers with the same payment).
    'charging',
    'funded',
    -- Declined, or the bank wants the manager present: waits for a new card or "Try again".
    'action_needed',
    -- Not needed any more (the booking ended before it was funded).
    'cancelled'
);

-- One charge of the organisation's saved card into a contract's escrow: the booking's funding
-- when the freelancer accepts (wage × scheduled hours or the fixed price, plus the platform
-- fee), or approved pay the escrow doesn't hold (an hourly job's week, a shift's overtime),
-- which is released to the freelancer as soon as it is funded.
CREATE TABLE escrow_charges (
    charge_id       uuid PRIMARY KEY,
    contract_id     uuid NOT NULL REFERENCES contracts ON DELETE RESTRICT,
    organisation_id uuid NOT NULL REFERENCES organisations ON DELETE RESTRICT,
    -- The approved hours or work this charge pays for; NULL for the booking's funding.
    releases_event  uuid REFERENCES contract_events ON DELETE RESTRICT,
    amount_minor    bigint NOT NULL CHECK (amount_minor > 0),
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- For approved pay: what the release moves to the freelancer and to the platform's fees
    -- once this charge is funded (the escrow may have held part of it already).
    release_pay_minor bigint CHECK (release_pay_minor >= 0),
    release_fee_minor bigint CHECK (release_fee_minor >= 0),
    status          escrow_charge_status NOT NULL DEFAULT 'pending',
    -- Each "Try again" is a new attempt with its own idempotency key.
    attempt         integer NOT NULL DEFAULT 1 CHECK (attempt >= 1),
    payment_intent  text CHECK (length(payment_intent) <= 255),
    stripe_charge   text CHECK (length(stripe_charge) <= 255),
    -- Why it isn't funded, in words for the manager.
    problem         text CHECK (length(problem) <= 500),
    -- A booking not funded by then is released.
    deadline        timestamptz,
    funded_at       timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'funded') = (funded_at IS NOT NULL)),
    CHECK ((releases_event IS NULL) = (release_pay_minor IS NULL)
       AND (releases_event IS NULL) = (release_fee_minor IS NULL)),
    CHECK (status <> 'funded' OR (payment_intent IS NOT NULL AND stripe_charge IS NOT NULL))
);
SELECT manage_updated_at('escrow_charges');
CREATE UNIQUE INDEX escrow_charges_booking ON escrow_charges (contract_id) WHERE releases_event IS NULL;
CREATE UNIQUE INDEX escrow_charges_release ON escrow_charges (releases_event) WHERE releases_event IS NOT NULL;
CREATE INDEX escrow_charges_contract ON escrow_charges (contract_id, created_at);
CREATE INDEX escrow_charges_open ON escrow_charges (status, created_at)
    WHERE status IN ('pending', 'charging', 'action_needed');
CREATE INDEX escrow_charges_organisation ON escrow_charges (organisation_id, created_at);

CREATE TYPE escrow_refund_status AS ENUM ('pending', 'refunded', 'failed');

-- Money given back to the organisation's card from one charge: what a contract's escrow still
-- held when it closed.
CREATE TABLE escrow_refunds (
    refund_id     uuid PRIMARY KEY,
    charge_id     uuid NOT NULL REFERENCES escrow_charges ON DELETE RESTRICT,
    contract_id   uuid NOT NULL REFERENCES contracts ON DELETE RESTRICT,
    amount_minor  bigint NOT NULL CHECK (amount_minor > 0),
    currency      char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status        escrow_refund_status NOT NULL DEFAULT 'pending',
    stripe_refund text CHECK (length(stripe_refund) <= 255),
    problem       text CHECK (length(problem) <= 500),
    refunded_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'refunded') = (refunded_at IS NOT NULL AND stripe_refund IS NOT NULL))
);
SELECT manage_updated_at('escrow_refunds');
CREATE INDEX escrow_refunds_charge ON escrow_refunds (charge_id);
CREATE INDEX escrow_refunds_contract ON escrow_refunds (contract_id);
CREATE INDEX escrow_refunds_pending ON escrow_refunds (created_at) WHERE status = 'pending';

-- Contract events the escrow has not booked yet, oldest first per contract. Filled by the
-- trigger below in the transaction that records the event (the outbox); emptied by the
-- settlement job in the transaction that books it.
CREATE TABLE escrow_event_queue (
    event_id    uuid PRIMARY KEY REFERENCES contract_events ON DELETE RESTRICT,
    contract_id uuid NOT NULL REFERENCES contracts ON DELETE RESTRICT,
    recorded_at timestamptz NOT NULL
);
CREATE INDEX escrow_event_queue_contract ON escrow_event_queue (contract_id, recorded_at, event_id);

CREATE FUNCTION escrow_queue_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO escrow_event_queue (event_id, contract_id, recorded_at)
    VALUES (NEW.event_id, NEW.contract_id, NEW.recorded_at);
    RETURN NULL;
END $$;
CREATE TRIGGER contract_events_escrow AFTER INSERT ON contract_events
    FOR EACH ROW EXECUTE FUNCTION escrow_queue_event();
