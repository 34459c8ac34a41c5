-- Email about notifications. Each person chooses per kind: at once, in a daily digest, or not
-- at all (no row: at once). A notification waits for its email while `email_due` is set: the
-- notification-mail job sends it, the digest job folds it into the morning's digest, or either
-- settles it unsent when the person turned that kind off.
CREATE TYPE email_cadence AS ENUM ('immediately', 'daily', 'off');

CREATE TABLE notification_preferences (
    user_id    uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    kind       notification_kind NOT NULL,
    email      email_cadence NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, kind)
);
SELECT manage_updated_at('notification_preferences');

-- Notifications written before email existed were never meant to be mailed; new ones are,
-- unless the writer says their kind has its own message (an order's receipt).
ALTER TABLE notifications ADD COLUMN email_due boolean NOT NULL DEFAULT false;
ALTER TABLE notifications ALTER COLUMN email_due SET DEFAULT true;
CREATE INDEX notifications_email_due ON notifications (created_at) WHERE email_due;

-- One-click unsubscribe (RFC 8058): every email carries its own token; only its SHA-256 is
-- kept. `kind` NULL: the daily digest, i.e. every kind the person gets daily.
CREATE TABLE email_unsubscribes (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id    uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    kind       notification_kind,
    created_at timestamptz NOT NULL DEFAULT now(),
    used_at    timestamptz
);
CREATE INDEX email_unsubscribes_created ON email_unsubscribes (created_at);

-- The address a message's List-Unsubscribe header names (mail that has one).
ALTER TABLE email_outbox ADD COLUMN unsubscribe_url text
    CHECK (unsubscribe_url ~ '^https?://');

-- The morning digest goes out at 08:00 in the zone pages show times in: the last such moment
-- at or before `at`.
CREATE FUNCTION digest_boundary(at timestamptz) RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN hire_instant(date_trunc('day', hire_local(at - interval '8 hours')) + interval '8 hours');
