-- Jobs: work over a span of days, paid by the hour (weekly timesheets) or at a fixed price
-- (the delivered work, approved once). Shifts keep their rules; the CHECKs that assumed a
-- shift now say so.
ALTER TYPE posting_kind ADD VALUE 'job';
CREATE TYPE pay_basis AS ENUM ('hourly', 'fixed');

-- `wage_cents` is the hourly rate, or for a fixed-price job the price.
ALTER TABLE postings
    ADD COLUMN pay_basis pay_basis NOT NULL DEFAULT 'hourly',
    DROP CONSTRAINT postings_check,
    DROP CONSTRAINT postings_wage_cents_check,
    ADD CONSTRAINT postings_span CHECK (
        ends_at > starts_at
        AND ends_at <= starts_at + CASE kind WHEN 'shift' THEN interval '16 hours'
                                             ELSE interval '366 days' END),
    ADD CONSTRAINT postings_pay CHECK (
        CASE pay_basis WHEN 'fixed' THEN wage_cents BETWEEN 1000 AND 10000000
                       ELSE wage_cents BETWEEN 100 AND 50000 END),
    ADD CONSTRAINT postings_shifts_are_hourly CHECK (kind <> 'shift' OR pay_basis = 'hourly');

-- What the freelancer asks for a job: their hourly rate or price; NULL takes the posting's.
ALTER TABLE applications ADD COLUMN proposed_cents bigint CHECK (proposed_cents BETWEEN 100 AND 10000000);

-- The agreed rate or price is the contract's `wage_cents`.
ALTER TABLE contracts ADD COLUMN pay_basis pay_basis NOT NULL DEFAULT 'hourly';

-- Hourly jobs are answered a week at a time: `week` is the Monday, `daily_minutes` the
-- minutes worked Monday to Sunday. A shift's timesheet has neither.
ALTER TABLE timesheets
    ADD COLUMN week date CHECK (extract(isodow FROM week) = 1),
    ADD COLUMN daily_minutes integer[] CHECK (
        (week IS NULL) = (daily_minutes IS NULL)
        AND (daily_minutes IS NULL OR cardinality(daily_minutes) = 7)),
    DROP CONSTRAINT timesheets_contract_id_key,
    DROP CONSTRAINT timesheets_check,
    ADD CONSTRAINT timesheets_span CHECK (
        worked_to > worked_from
        AND worked_to <= worked_from + CASE WHEN week IS NULL THEN interval '16 hours'
                                            ELSE interval '7 days 1 hour' END);
CREATE UNIQUE INDEX timesheets_period ON timesheets (contract_id, week) NULLS NOT DISTINCT;

-- The work of a fixed-price job handed over for approval: the organisation approves it (the
-- price becomes payable and the contract completes) or disputes it with a reason (the
-- freelancer hands it over again); unanswered, it is approved after the timesheet window.
CREATE TABLE deliveries (
    contract_id     uuid PRIMARY KEY REFERENCES contracts ON DELETE CASCADE,
    organisation_id uuid NOT NULL REFERENCES organisations ON DELETE CASCADE,
    freelancer_id   uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    status          timesheet_status NOT NULL DEFAULT 'submitted'
                    CHECK (status <> 'adjusted'),
    note            text NOT NULL CHECK (length(note) BETWEEN 1 AND 2000),
    amount_cents    bigint NOT NULL CHECK (amount_cents > 0),
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    reason          text CHECK (length(reason) <= 500),
    submitted_at    timestamptz NOT NULL,
    answered_at     timestamptz,
    answered_by     uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'disputed') = (reason IS NOT NULL))
);
SELECT manage_updated_at('deliveries');
CREATE INDEX deliveries_due ON deliveries (submitted_at) WHERE status = 'submitted';

-- Lists show what a posting is and how it pays.
CREATE OR REPLACE VIEW shift_cards AS
SELECT p.posting_id, p.organisation_id, o.name AS organisation, o.slug AS organisation_slug,
       p.status, p.title, p.city_id, c.name AS city, c.latitude, c.longitude,
       p.starts_at, p.ends_at,
       p.starts_at AT TIME ZONE 'Europe/Amsterdam' AS starts_local,
       p.ends_at AT TIME ZONE 'Europe/Amsterdam' AS ends_local,
       p.break_minutes, p.headcount, p.seats_taken, p.wage_cents, p.currency,
       p.kind, p.pay_basis
FROM postings p
JOIN organisations o USING (organisation_id)
JOIN cities c USING (city_id);

-- A fixed-price job's handed-over work approved: the price is owed.
ALTER TYPE contract_event_kind ADD VALUE 'work_approved';
