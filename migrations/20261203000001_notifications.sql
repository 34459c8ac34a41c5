-- Notifications: what a person should hear about, written in the same transaction as the change
-- that caused it. Each row has a title, a sentence, a link and a read mark; `xid` records the
-- writing transaction, so live delivery can resume by transaction horizon (as the search outbox
-- does) and never skip a row whose transaction committed late.

CREATE TYPE notification_kind AS ENUM (
    -- Hire, to freelancers
    'invited', 'offer_made', 'offer_expired', 'application_rejected', 'booking_cancelled',
    'no_show_recorded', 'hours_approved', 'hours_adjusted', 'hours_disputed', 'work_approved',
    'work_disputed', 'certificate_verified', 'certificate_rejected',
    -- Hire, to an organisation's members
    'application_received', 'application_withdrawn', 'invitation_declined', 'offer_accepted',
    'offer_declined', 'hours_submitted', 'work_handed_over',
    -- Hire, to either side
    'message_received',
    -- Shop
    'order_paid', 'order_shipped', 'order_refunded'
);

CREATE TABLE notifications (
    notification_id uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    kind            notification_kind NOT NULL,
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body            text NOT NULL CHECK (length(body) <= 1000),
    -- A path on this site.
    link            text NOT NULL CHECK (link ~ '^/[^/]'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    read_at         timestamptz,
    xid             xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX notifications_of_user ON notifications (user_id, created_at DESC, notification_id DESC);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_xid ON notifications (xid);
