-- Loyalty points: an append-only ledger per customer. What earns points is data
-- (loyalty_rules); an entry tied to an order stays pending until the order was delivered and
-- its return window passed, which is read from the order's history, so entries never change.
-- Corrections (a refund's share, a review taken down, expiry, support's adjustments) are new
-- entries. The balance is the sum of the entries that are not pending.

CREATE TYPE loyalty_earning AS ENUM ('euro_paid', 'review_published', 'renewal');

-- `points` per euro paid, per published review, or on a subscription's `nth` renewal.
CREATE TABLE loyalty_rules (
    earning    loyalty_earning NOT NULL,
    nth        integer CHECK (nth > 0),
    points     integer NOT NULL CHECK (points BETWEEN 0 AND 100000),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (earning, nth),
    CHECK ((earning = 'renewal') = (nth IS NOT NULL))
);
INSERT INTO loyalty_rules (earning, nth, points) VALUES
    ('euro_paid', NULL, 1),
    ('review_published', NULL, 50),
    ('renewal', 3, 100),
    ('renewal', 6, 250),
    ('renewal', 12, 500);

CREATE TYPE loyalty_entry_kind AS ENUM (
    'purchase', 'purchase_refunded', 'renewal', 'review', 'review_withdrawn',
    'redeemed', 'redemption_returned', 'adjustment', 'expired'
);

CREATE TABLE loyalty_entries (
    entry_id        uuid PRIMARY KEY,
    -- People are anonymised, never deleted, while they have history.
    user_id         uuid NOT NULL REFERENCES users ON DELETE RESTRICT,
    kind            loyalty_entry_kind NOT NULL,
    points          integer NOT NULL CHECK (points <> 0),
    order_id        uuid REFERENCES orders ON DELETE RESTRICT,
    -- The refund a reversal or a returned redemption belongs to.
    refund_id       uuid REFERENCES refunds ON DELETE RESTRICT,
    -- No foreign key: a review may be deleted with its product; its points stay.
    review_id       uuid,
    renewal_number  integer,
    -- What the customer reads beside it: the product reviewed, support's reason.
    note            text NOT NULL DEFAULT '' CHECK (char_length(note) <= 500),
    -- The support admin who adjusted (like the audit log, no foreign key).
    actor_id        uuid,
    created_at      timestamptz NOT NULL,
    CHECK ((kind IN ('purchase', 'purchase_refunded', 'renewal', 'redeemed', 'redemption_returned'))
           = (order_id IS NOT NULL)),
    CHECK ((kind IN ('purchase_refunded', 'redemption_returned')) = (refund_id IS NOT NULL)),
    CHECK ((kind IN ('review', 'review_withdrawn')) = (review_id IS NOT NULL)),
    CHECK ((kind = 'renewal') = (renewal_number IS NOT NULL)),
    CHECK (kind <> 'adjustment' OR (actor_id IS NOT NULL AND char_length(note) > 0)),
    CHECK ((kind IN ('purchase', 'renewal', 'review', 'redemption_returned')) = (points > 0)
           OR kind = 'adjustment')
);
CREATE INDEX loyalty_entries_by_user ON loyalty_entries (user_id, created_at DESC);
CREATE INDEX loyalty_entries_by_order ON loyalty_entries (order_id) WHERE order_id IS NOT NULL;
-- Each event earns or takes back once, however often it is replayed.
CREATE UNIQUE INDEX loyalty_once_per_order ON loyalty_entries (order_id, kind)
    WHERE kind IN ('purchase', 'redeemed');
CREATE UNIQUE INDEX loyalty_once_per_refund ON loyalty_entries (refund_id, kind)
    WHERE refund_id IS NOT NULL;
CREATE UNIQUE INDEX loyalty_once_per_review ON loyalty_entries (review_id, kind)
    WHERE review_id IS NOT NULL;
CREATE UNIQUE INDEX loyalty_once_per_renewal ON loyalty_entries (order_id)
    WHERE kind = 'renewal';

-- From when an entry's points count: an order's earnings (and what its refunds take back)
-- 14 days after the order was delivered, when its return window closes; NULL while it has not
-- arrived. Every other entry counts from when it was written.
CREATE FUNCTION loyalty_counts_from(kind loyalty_entry_kind, order_id uuid, created_at timestamptz)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN kind IN ('purchase', 'purchase_refunded', 'renewal') THEN
        (SELECT min(ev.created_at) + interval '14 days' FROM order_events ev
         WHERE ev.order_id = loyalty_counts_from.order_id AND ev.kind = 'delivered')
    ELSE created_at END
$$;

CREATE FUNCTION loyalty_entries_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'loyalty_entries is append-only; record a correcting entry instead';
END $$;
CREATE TRIGGER loyalty_entries_append_only BEFORE UPDATE OR DELETE ON loyalty_entries
    FOR EACH STATEMENT EXECUTE FUNCTION loyalty_entries_are_append_only();
CREATE TRIGGER loyalty_entries_no_truncate BEFORE TRUNCATE ON loyalty_entries
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();

-- The customer hears of support's adjustments and of points that expired.
ALTER TYPE notification_kind ADD VALUE 'points_adjusted';
ALTER TYPE notification_kind ADD VALUE 'points_expired';
