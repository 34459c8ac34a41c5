-- Renewal reminders: a few days before each delivery the customer is told what it will cost
-- (and whether the price changes) with a link that skips it. One reminder per delivery.

ALTER TYPE notification_kind ADD VALUE 'renewal_reminder';

CREATE TABLE subscription_reminders (
    subscription_id uuid NOT NULL REFERENCES subscriptions ON DELETE CASCADE,
    due_on          date NOT NULL,
    unit_price_minor bigint NOT NULL CHECK (unit_price_minor > 0),
    total_minor     bigint CHECK (total_minor > 0),
    sent_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subscription_id, due_on)
);
