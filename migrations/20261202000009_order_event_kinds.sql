-- An order's history names what happened with a closed set of kinds, as Hire's contract events
-- do, instead of free text. Every kind the code has written is in the type, so the cast keeps
-- every row.

CREATE TYPE order_event_kind AS ENUM (
    'placed', 'paid', 'payment_failed', 'payment_mismatch', 'authentication_requested',
    'late_payment', 'payment_unavailable', 'packed', 'shipped', 'delivered', 'refunded',
    'cancelled', 'expired', 'superseded'
);

-- The append-only triggers refuse UPDATE; changing the column's type rewrites the table without
-- firing them.
ALTER TABLE order_events
    DROP CONSTRAINT order_events_kind_check,
    ALTER COLUMN kind TYPE order_event_kind USING kind::order_event_kind;
