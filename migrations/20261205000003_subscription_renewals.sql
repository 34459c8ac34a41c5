-- Renewals: the worker places and charges each due delivery of a subscription once. A renewal
-- is keyed by its subscription and the date it was due, so a skipped or postponed delivery
-- never shares a row (or a Stripe idempotency key) with the next one.

ALTER TYPE subscription_event_kind ADD VALUE 'renewed';
ALTER TYPE subscription_event_kind ADD VALUE 'waiting_for_stock';
ALTER TYPE subscription_event_kind ADD VALUE 'skipped_out_of_stock';
ALTER TYPE subscription_event_kind ADD VALUE 'payment_failed';
ALTER TYPE subscription_event_kind ADD VALUE 'payment_needed';

ALTER TYPE notification_kind ADD VALUE 'renewal_waiting';
ALTER TYPE notification_kind ADD VALUE 'renewal_skipped';
ALTER TYPE notification_kind ADD VALUE 'renewal_payment_failed';
ALTER TYPE notification_kind ADD VALUE 'renewal_needs_confirmation';
ALTER TYPE notification_kind ADD VALUE 'subscription_payment_needed';

-- A renewal order names its subscription and the delivery it is for. At most one order per
-- delivery is alive (awaiting payment or paid): a declined attempt's order is cancelled before
-- the next attempt places another.
ALTER TABLE orders
    ADD COLUMN subscription_id uuid REFERENCES subscriptions ON DELETE RESTRICT,
    ADD COLUMN renewal_due_on date,
    ADD CHECK ((subscription_id IS NULL) = (renewal_due_on IS NULL));
CREATE UNIQUE INDEX orders_one_live_per_renewal ON orders (subscription_id, renewal_due_on)
    WHERE subscription_id IS NOT NULL AND status <> 'cancelled';

CREATE TYPE renewal_status AS ENUM (
    -- An order is placed and its charge is being made (or must be made again with the same key).
    'charging',
    -- Not enough stock with the shelf life the interval needs; tried daily for 7 days.
    'waiting_stock',
    -- The card was declined (or its bank wants the customer present); tried again on retry_on.
    'retrying',
    'paid',
    -- Out of stock for 7 days: this delivery is skipped.
    'skipped',
    -- The last retry failed: the subscription waits for a new card.
    'failed'
);

CREATE TABLE subscription_renewals (
    subscription_id uuid NOT NULL REFERENCES subscriptions ON DELETE CASCADE,
    due_on          date NOT NULL,
    status          renewal_status NOT NULL,
    -- The order of the latest attempt.
    order_id        uuid UNIQUE REFERENCES orders ON DELETE RESTRICT,
    -- Charges tried; the Stripe idempotency key names the attempt.
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    retry_on        date,
    waiting_since   date,
    last_error      text CHECK (length(last_error) <= 500),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subscription_id, due_on),
    CHECK (status NOT IN ('retrying', 'waiting_stock') OR retry_on IS NOT NULL)
);
SELECT manage_updated_at('subscription_renewals');

-- The subscribe-and-save discount the catalog offers for a product now (basis points): its own
-- rule, else its category's; NULL when it is sold once only.
CREATE FUNCTION subscribe_discount_bp(product uuid) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT COALESCE(
        (SELECT discount_bp FROM subscribe_discounts WHERE product_id = product),
        (SELECT d.discount_bp FROM subscribe_discounts d
         JOIN products p ON p.category_id = d.category_id
         WHERE p.product_id = product))
$$;
