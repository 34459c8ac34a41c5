-- Hire names its money columns in minor units, as the Shop does (`_minor`, with a `currency`
-- column beside each), and says "Hire local time" through two functions instead of writing the
-- zone into every query.

ALTER TABLE freelancer_profiles RENAME COLUMN min_rate_cents TO min_rate_minor;
ALTER TABLE postings RENAME COLUMN wage_cents TO wage_minor;
ALTER TABLE applications RENAME COLUMN proposed_cents TO proposed_minor;
ALTER TABLE contracts RENAME COLUMN wage_cents TO wage_minor;
ALTER TABLE contract_events RENAME COLUMN amount_cents TO amount_minor;
ALTER TABLE timesheets RENAME COLUMN amount_cents TO amount_minor;
ALTER TABLE deliveries RENAME COLUMN amount_cents TO amount_minor;
ALTER VIEW shift_cards RENAME COLUMN wage_cents TO wage_minor;

-- The wall-clock time of an instant in Hire's zone (pages show shift times in it), and back.
-- Plain SQL functions, so the planner inlines them.
CREATE FUNCTION hire_local(at timestamptz) RETURNS timestamp
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN at AT TIME ZONE 'Europe/Amsterdam';

CREATE FUNCTION hire_instant(local timestamp) RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN local AT TIME ZONE 'Europe/Amsterdam';
