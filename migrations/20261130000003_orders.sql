-- Orders, the stock they hold, and the payment events that move them.
--
-- Stock: checkout reserves specific lots (first expiry, first out) for a bounded time; a paid
-- order turns its reservations into allocations, which take the units off `on_hand`. A lot's
-- `reserved` is the sum of its reservations, changed only in the same transaction as they are,
-- and the CHECK below means no path can promise or ship units that aren't there.

ALTER TABLE lots ADD COLUMN reserved integer NOT NULL DEFAULT 0;
ALTER TABLE lots ADD CONSTRAINT lots_reserved_within_on_hand
    CHECK (reserved >= 0 AND reserved <= on_hand);

-- A sale takes units off a lot; an order cancelled before it ships puts them back. Both are
-- written by the order flow, never chosen by an admin.
ALTER TABLE stock_movements DROP CONSTRAINT stock_movements_reason_check;
ALTER TABLE stock_movements ADD CONSTRAINT stock_movements_reason_check CHECK (reason IN (
    'received', 'stock_count', 'damaged', 'expired', 'returned_to_supplier', 'found',
    'quality_hold', 'sold', 'restocked'
));
ALTER TABLE stock_movements ADD CONSTRAINT stock_movements_sale_takes
    CHECK (reason <> 'sold' OR quantity < 0);
ALTER TABLE stock_movements ADD CONSTRAINT stock_movements_restock_adds
    CHECK (reason <> 'restocked' OR quantity > 0);

CREATE TYPE order_status AS ENUM (
    'pending_payment', 'paid', 'packed', 'shipped', 'delivered', 'cancelled', 'refunded'
);

CREATE TABLE orders (
    order_id          uuid PRIMARY KEY,
    -- What the customer quotes on the phone: OL-000123.
    order_number      bigint GENERATED ALWAYS AS IDENTITY (START WITH 1001) UNIQUE,
    -- NULL: a guest (or an account since erased); the email stays for the receipt.
    user_id           uuid REFERENCES users ON DELETE SET NULL,
    -- The cart it was bought from; its lines leave the cart when the order is paid.
    cart_id           uuid REFERENCES carts ON DELETE SET NULL,
    email             text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    status            order_status NOT NULL DEFAULT 'pending_payment',
    currency          char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    subtotal_minor    bigint NOT NULL CHECK (subtotal_minor >= 0),
    discount_minor    bigint NOT NULL CHECK (discount_minor >= 0),
    shipping_minor    bigint NOT NULL CHECK (shipping_minor >= 0),
    tax_minor         bigint NOT NULL CHECK (tax_minor >= 0),
    total_minor       bigint NOT NULL CHECK (total_minor > 0),
    prices_include_tax boolean NOT NULL,
    refunded_minor    bigint NOT NULL DEFAULT 0,
    discount_code     text REFERENCES discount_codes ON DELETE RESTRICT,
    ship_name         text NOT NULL CHECK (length(ship_name) BETWEEN 1 AND 100),
    ship_line1        text NOT NULL CHECK (length(ship_line1) BETWEEN 1 AND 100),
    ship_line2        text NOT NULL DEFAULT '' CHECK (length(ship_line2) <= 100),
    ship_postal_code  text NOT NULL CHECK (length(ship_postal_code) BETWEEN 1 AND 12),
    ship_city         text NOT NULL CHECK (length(ship_city) BETWEEN 1 AND 80),
    ship_country      char(2) NOT NULL REFERENCES shipping_countries,
    shipping_method   text NOT NULL,
    carrier           text NOT NULL,
    tracking_number   text CHECK (length(tracking_number) BETWEEN 4 AND 40),
    -- The Stripe PaymentIntent charging this order (created with the order id as idempotency
    -- key, so a retry finds the same one).
    payment_intent_id text UNIQUE,
    -- Until when its reservations hold while payment is pending.
    reserved_until    timestamptz,
    placed_at         timestamptz NOT NULL DEFAULT now(),
    paid_at           timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (refunded_minor >= 0 AND refunded_minor <= total_minor),
    CHECK (subtotal_minor - discount_minor >= 0)
);
SELECT manage_updated_at('orders');
CREATE INDEX orders_user_idx ON orders (user_id, placed_at DESC);
CREATE INDEX orders_status_idx ON orders (status, placed_at DESC);
CREATE INDEX orders_pending_expiry_idx ON orders (reserved_until) WHERE status = 'pending_payment';
CREATE INDEX orders_cart_pending_idx ON orders (cart_id) WHERE status = 'pending_payment';

-- What was bought, as it was when bought (names and prices may change later).
CREATE TABLE order_lines (
    order_id         uuid NOT NULL REFERENCES orders ON DELETE CASCADE,
    line_number      integer NOT NULL CHECK (line_number >= 1),
    variant_id       uuid NOT NULL REFERENCES variants ON DELETE RESTRICT,
    sku              text NOT NULL,
    product_name     text NOT NULL,
    variant_label    text NOT NULL,
    unit_price_minor bigint NOT NULL CHECK (unit_price_minor > 0),
    quantity         integer NOT NULL CHECK (quantity BETWEEN 1 AND 20),
    discount_minor   bigint NOT NULL CHECK (discount_minor >= 0),
    tax_rate_bp      integer NOT NULL CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    tax_minor        bigint NOT NULL CHECK (tax_minor >= 0),
    PRIMARY KEY (order_id, line_number),
    UNIQUE (order_id, variant_id)
);

-- Units held for a pending order, per lot.
CREATE TABLE stock_reservations (
    order_id   uuid NOT NULL REFERENCES orders ON DELETE RESTRICT,
    lot_id     uuid NOT NULL REFERENCES lots ON DELETE RESTRICT,
    variant_id uuid NOT NULL REFERENCES variants ON DELETE RESTRICT,
    quantity   integer NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, lot_id)
);
CREATE INDEX stock_reservations_lot_idx ON stock_reservations (lot_id);

-- Units a paid order ships, per lot: the batch numbers and best-before dates on the parcel.
CREATE TABLE order_allocations (
    order_id   uuid NOT NULL REFERENCES orders ON DELETE RESTRICT,
    lot_id     uuid NOT NULL REFERENCES lots ON DELETE RESTRICT,
    variant_id uuid NOT NULL REFERENCES variants ON DELETE RESTRICT,
    quantity   integer NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, lot_id)
);

-- The order's history: every change of status, payment, refund and note, never edited.
CREATE TABLE order_events (
    event_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id   uuid NOT NULL REFERENCES orders ON DELETE RESTRICT,
    kind       text NOT NULL CHECK (kind ~ '^[a-z]+(_[a-z]+)*$'),
    status     order_status NOT NULL,
    detail     text NOT NULL DEFAULT '' CHECK (length(detail) <= 500),
    amount_minor bigint,
    -- No foreign key, like the audit log. NULL: the shopper, Stripe or a job.
    actor_id   uuid,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_events_order_idx ON order_events (order_id, event_id);

CREATE FUNCTION order_events_are_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'order_events is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER order_events_append_only BEFORE UPDATE OR DELETE ON order_events
    FOR EACH STATEMENT EXECUTE PROCEDURE order_events_are_append_only();

-- An order holding a discount code. Released (deleted, and the code's count lowered) when the
-- order is cancelled before payment.
CREATE TABLE discount_redemptions (
    order_id   uuid PRIMARY KEY REFERENCES orders ON DELETE CASCADE,
    code       text NOT NULL REFERENCES discount_codes ON DELETE RESTRICT,
    -- Who used it: the account, or for a guest the lower-cased email.
    customer   text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX discount_redemptions_customer_idx ON discount_redemptions (code, customer);

-- Refunds asked of Stripe, by our id (the idempotency key); `stripe_refund_id` once known.
CREATE TABLE refunds (
    refund_id        uuid PRIMARY KEY,
    order_id         uuid NOT NULL REFERENCES orders ON DELETE RESTRICT,
    amount_minor     bigint NOT NULL CHECK (amount_minor > 0),
    reason           text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    stripe_refund_id text UNIQUE,
    actor_id         uuid,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refunds_order_idx ON refunds (order_id);

-- Stripe webhook events by id: stored on arrival, processed once.
CREATE TABLE stripe_events (
    event_id     text PRIMARY KEY,
    type         text NOT NULL,
    -- The object the event is about (a PaymentIntent id, say).
    object_id    text NOT NULL,
    payload      jsonb NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    processed_at timestamptz
);
CREATE INDEX stripe_events_unprocessed_idx ON stripe_events (received_at) WHERE processed_at IS NULL;
