-- Webhook deliveries whose signature verified but whose event our Stripe library could not read
-- (an API version drift, a new event shape). Kept raw and answered 200, so Stripe never
-- disables the endpoint over them, and shown to finance admins until someone reviews them.
CREATE TABLE stripe_unreadable_events (
    unreadable_event_id uuid PRIMARY KEY,
    -- As far as the raw JSON tells (it may not be an object at all).
    event_id      text,
    type          text,
    payload       text NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    reviewed_at   timestamptz,
    reviewed_by   uuid REFERENCES users ON DELETE SET NULL
);
CREATE UNIQUE INDEX stripe_unreadable_events_event ON stripe_unreadable_events (event_id)
    WHERE event_id IS NOT NULL;
CREATE INDEX stripe_unreadable_events_open ON stripe_unreadable_events (received_at)
    WHERE reviewed_at IS NULL;
