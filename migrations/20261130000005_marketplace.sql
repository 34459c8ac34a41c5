-- The Hire marketplace, up to where money moves: freelancer profiles with skills and
-- availability, shifts posted by organisations, applications and offers, contracts with the
-- events the escrow ledger will book, and timesheets.
--
-- Shift times are instants (timestamptz); pages show them in Europe/Amsterdam, the zone of
-- every city in the bundled list (NL, BE and the German border keep the same clock).

CREATE TABLE freelancer_profiles (
    user_id        uuid PRIMARY KEY REFERENCES users ON DELETE CASCADE,
    headline       text NOT NULL CHECK (length(headline) BETWEEN 3 AND 120),
    bio            text NOT NULL DEFAULT '' CHECK (length(bio) <= 4000),
    city_id        text NOT NULL REFERENCES cities,
    travel_km      integer NOT NULL CHECK (travel_km BETWEEN 0 AND 250),
    min_rate_cents bigint NOT NULL CHECK (min_rate_cents BETWEEN 0 AND 50000),
    currency       char(3) NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
    -- ISO 639-1 codes.
    languages      text[] NOT NULL DEFAULT '{}'
                   CHECK (cardinality(languages) <= 12 AND array_to_string(languages, ',') ~ '^([a-z]{2}(,[a-z]{2})*)?$'),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
SELECT manage_updated_at('freelancer_profiles');
CREATE INDEX freelancer_profiles_city ON freelancer_profiles (city_id);

-- Level 1 (beginner) to 4 (expert).
CREATE TABLE freelancer_skills (
    user_id  uuid NOT NULL REFERENCES freelancer_profiles ON DELETE CASCADE,
    skill_id text NOT NULL REFERENCES skills,
    level    smallint NOT NULL CHECK (level BETWEEN 1 AND 4),
    PRIMARY KEY (user_id, skill_id)
);
CREATE INDEX freelancer_skills_skill ON freelancer_skills (skill_id, level);

-- The usual week: one window per ISO weekday (1 = Monday); a window may run past midnight
-- (ends <= starts), as night shifts do.
CREATE TABLE freelancer_availability (
    user_id  uuid NOT NULL REFERENCES freelancer_profiles ON DELETE CASCADE,
    weekday  smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    starts   time NOT NULL,
    ends     time NOT NULL CHECK (ends <> starts),
    PRIMARY KEY (user_id, weekday)
);

-- Dated exceptions to the usual week: days the freelancer cannot work.
CREATE TABLE freelancer_days_off (
    user_id uuid NOT NULL REFERENCES freelancer_profiles ON DELETE CASCADE,
    day     date NOT NULL,
    note    text NOT NULL DEFAULT '' CHECK (length(note) <= 200),
    PRIMARY KEY (user_id, day)
);

CREATE TYPE posting_kind AS ENUM ('shift');
CREATE TYPE posting_status AS ENUM ('draft', 'published', 'filled', 'closed', 'cancelled');

-- What an organisation posts. Seats are taken by open offers and contracts; the guarded
-- `seats_taken < headcount` update and this CHECK keep seat 3 of 2 from ever being filled.
CREATE TABLE postings (
    posting_id      uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisations ON DELETE CASCADE,
    kind            posting_kind NOT NULL,
    status          posting_status NOT NULL DEFAULT 'draft',
    title           text NOT NULL CHECK (length(title) BETWEEN 3 AND 120),
    description     text NOT NULL DEFAULT '' CHECK (length(description) <= 8000),
    city_id         text NOT NULL REFERENCES cities,
    address         text NOT NULL DEFAULT '' CHECK (length(address) <= 200),
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL,
    break_minutes   integer NOT NULL DEFAULT 0,
    headcount       integer NOT NULL CHECK (headcount BETWEEN 1 AND 100),
    seats_taken     integer NOT NULL DEFAULT 0,
    wage_cents      bigint NOT NULL CHECK (wage_cents BETWEEN 100 AND 50000),
    currency        char(3) NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
    created_by      uuid REFERENCES users ON DELETE SET NULL,
    published_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at AND ends_at <= starts_at + interval '16 hours'),
    CHECK (break_minutes >= 0 AND break_minutes * interval '1 minute' < ends_at - starts_at),
    CHECK (seats_taken BETWEEN 0 AND headcount)
);
SELECT manage_updated_at('postings');
CREATE INDEX postings_organisation ON postings (organisation_id, starts_at);
CREATE INDEX postings_open ON postings (starts_at) WHERE status = 'published';

CREATE TABLE posting_skills (
    posting_id uuid NOT NULL REFERENCES postings ON DELETE CASCADE,
    skill_id   text NOT NULL REFERENCES skills,
    min_level  smallint NOT NULL DEFAULT 1 CHECK (min_level BETWEEN 1 AND 4),
    PRIMARY KEY (posting_id, skill_id)
);

CREATE TYPE application_status AS ENUM ('applied', 'offered', 'hired', 'rejected', 'withdrawn', 'declined');

-- A freelancer's application to a posting, and the offer that answers it. The organisation is
-- repeated from the posting: every organisation-side query filters on it.
CREATE TABLE applications (
    application_id  uuid PRIMARY KEY,
    posting_id      uuid NOT NULL REFERENCES postings ON DELETE CASCADE,
    organisation_id uuid NOT NULL REFERENCES organisations ON DELETE CASCADE,
    freelancer_id   uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    status          application_status NOT NULL DEFAULT 'applied',
    note            text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    -- Why it was rejected, withdrawn or declined.
    reason          text CHECK (length(reason) <= 500),
    offered_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (posting_id, freelancer_id),
    CHECK ((status IN ('rejected', 'withdrawn', 'declined')) = (reason IS NOT NULL))
);
SELECT manage_updated_at('applications');
CREATE INDEX applications_freelancer ON applications (freelancer_id, created_at DESC);
CREATE INDEX applications_organisation ON applications (organisation_id, posting_id);

CREATE TYPE contract_status AS ENUM ('active', 'completed', 'cancelled', 'no_show');

-- What both sides agreed: the shift's terms copied at hiring, so later edits to the posting
-- never change a contract.
CREATE TABLE contracts (
    contract_id     uuid PRIMARY KEY,
    application_id  uuid NOT NULL UNIQUE REFERENCES applications ON DELETE CASCADE,
    posting_id      uuid NOT NULL REFERENCES postings ON DELETE CASCADE,
    organisation_id uuid NOT NULL REFERENCES organisations ON DELETE CASCADE,
    freelancer_id   uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    status          contract_status NOT NULL DEFAULT 'active',
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL CHECK (ends_at > starts_at),
    break_minutes   integer NOT NULL CHECK (break_minutes >= 0),
    wage_cents      bigint NOT NULL CHECK (wage_cents > 0),
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
SELECT manage_updated_at('contracts');
CREATE INDEX contracts_freelancer ON contracts (freelancer_id, starts_at);
CREATE INDEX contracts_organisation ON contracts (organisation_id, starts_at);

CREATE TYPE contract_event_kind AS ENUM (
    'hired', 'cancelled_by_client', 'cancelled_by_freelancer', 'no_show', 'hours_approved'
);

-- Everything that happened to a contract, append-only. `amount_cents` is what the client owes
-- the freelancer because of the event (approved hours, a late cancellation's share of the
-- wage); the escrow ledger books these.
CREATE TABLE contract_events (
    event_id      uuid PRIMARY KEY,
    contract_id   uuid NOT NULL REFERENCES contracts ON DELETE CASCADE,
    kind          contract_event_kind NOT NULL,
    -- A cancellation within the policy's notice period.
    late          boolean NOT NULL DEFAULT false,
    amount_cents  bigint NOT NULL DEFAULT 0 CHECK (amount_cents >= 0),
    currency      char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    reason        text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    recorded_by   uuid REFERENCES users ON DELETE SET NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contract_events_contract ON contract_events (contract_id, recorded_at);

CREATE FUNCTION contract_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'contract events are append-only';
END $$;
CREATE TRIGGER contract_events_append_only BEFORE UPDATE OR DELETE ON contract_events
    FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION contract_events_append_only();

CREATE TYPE timesheet_status AS ENUM ('submitted', 'approved', 'adjusted', 'disputed', 'auto_approved');

-- The hours worked on a shift contract: submitted by the freelancer, answered by the
-- organisation (or approved automatically when nobody answers in time).
CREATE TABLE timesheets (
    timesheet_id    uuid PRIMARY KEY,
    contract_id     uuid NOT NULL UNIQUE REFERENCES contracts ON DELETE CASCADE,
    organisation_id uuid NOT NULL REFERENCES organisations ON DELETE CASCADE,
    freelancer_id   uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    status          timesheet_status NOT NULL DEFAULT 'submitted',
    worked_from     timestamptz NOT NULL,
    worked_to       timestamptz NOT NULL,
    break_minutes   integer NOT NULL,
    -- What the freelancer claimed, kept when the organisation adjusts the hours.
    claimed_minutes integer NOT NULL CHECK (claimed_minutes > 0),
    -- Paid minutes and amount: the claim, or the organisation's adjustment.
    minutes         integer NOT NULL CHECK (minutes > 0),
    amount_cents    bigint NOT NULL CHECK (amount_cents > 0),
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- Why the organisation adjusted or disputed.
    reason          text CHECK (length(reason) <= 500),
    submitted_at    timestamptz NOT NULL,
    answered_at     timestamptz,
    answered_by     uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (worked_to > worked_from AND worked_to <= worked_from + interval '16 hours'),
    CHECK (break_minutes >= 0),
    CHECK ((status IN ('adjusted', 'disputed')) = (reason IS NOT NULL))
);
SELECT manage_updated_at('timesheets');
CREATE INDEX timesheets_organisation ON timesheets (organisation_id, status);
CREATE INDEX timesheets_due ON timesheets (submitted_at) WHERE status = 'submitted';

-- A shift as every list shows it: its organisation, city and wall-clock times.
CREATE VIEW shift_cards AS
SELECT p.posting_id, p.organisation_id, o.name AS organisation, o.slug AS organisation_slug,
       p.status, p.title, p.city_id, c.name AS city, c.latitude, c.longitude,
       p.starts_at, p.ends_at,
       p.starts_at AT TIME ZONE 'Europe/Amsterdam' AS starts_local,
       p.ends_at AT TIME ZONE 'Europe/Amsterdam' AS ends_local,
       p.break_minutes, p.headcount, p.seats_taken, p.wage_cents, p.currency
FROM postings p
JOIN organisations o USING (organisation_id)
JOIN cities c USING (city_id);
