-- Subscribe and save. Which products may be subscribed to, and at what discount, is data: a rule
-- for the product wins over one for its category; a product with neither is sold once only.
CREATE TABLE subscribe_discounts (
    rule_id     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    product_id  uuid UNIQUE REFERENCES products ON DELETE CASCADE,
    category_id uuid UNIQUE REFERENCES categories ON DELETE CASCADE,
    -- Off the list price, in basis points (1000 = 10 %).
    discount_bp integer NOT NULL CHECK (discount_bp BETWEEN 0 AND 5000),
    CHECK ((product_id IS NULL) <> (category_id IS NULL))
);

-- A cart line is bought once (NULL) or subscribed to every 1, 2 or 3 months.
ALTER TABLE cart_lines ADD COLUMN every_months smallint CHECK (every_months BETWEEN 1 AND 3);

-- An order line that starts (or renews) a subscription: how often, and the list price the
-- subscription discount was taken from (unit_price_minor is what was charged).
ALTER TABLE order_lines
    ADD COLUMN every_months smallint CHECK (every_months BETWEEN 1 AND 3),
    ADD COLUMN list_price_minor bigint CHECK (list_price_minor > 0),
    ADD CHECK ((every_months IS NULL) = (list_price_minor IS NULL));

-- The Stripe customer that stands for a shopper: the card a subscription renews with is saved on it.
CREATE TABLE shop_customers (
    user_id         uuid PRIMARY KEY REFERENCES users ON DELETE CASCADE,
    stripe_customer text NOT NULL UNIQUE CHECK (length(stripe_customer) BETWEEN 1 AND 255),
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TYPE subscription_status AS ENUM (
    'active',
    -- Until paused_until (then active again), or until resumed when paused_until is NULL.
    'paused',
    -- The last dunning retry failed: nothing renews until the card is updated.
    'payment_needed',
    'cancelled'
);

CREATE TABLE subscriptions (
    subscription_id   uuid PRIMARY KEY,
    user_id           uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    -- The order that started it; one subscription per subscribed line of that order.
    origin_order_id   uuid NOT NULL REFERENCES orders ON DELETE RESTRICT,
    variant_id        uuid NOT NULL REFERENCES variants ON DELETE RESTRICT,
    quantity          integer NOT NULL CHECK (quantity BETWEEN 1 AND 20),
    every_months      smallint NOT NULL CHECK (every_months BETWEEN 1 AND 3),
    status            subscription_status NOT NULL DEFAULT 'active',
    next_renewal_on   date NOT NULL,
    paused_until      date,
    -- Renewals placed so far; the first three keep the sign-up price.
    renewals_done     integer NOT NULL DEFAULT 0 CHECK (renewals_done >= 0),
    -- The discounted unit price at sign-up, and the discount that made it.
    locked_unit_price_minor bigint NOT NULL CHECK (locked_unit_price_minor > 0),
    currency          char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    discount_bp       integer NOT NULL CHECK (discount_bp BETWEEN 0 AND 5000),
    ship_name         text NOT NULL CHECK (length(ship_name) BETWEEN 1 AND 100),
    ship_line1        text NOT NULL CHECK (length(ship_line1) BETWEEN 1 AND 100),
    ship_line2        text NOT NULL DEFAULT '' CHECK (length(ship_line2) <= 100),
    ship_postal_code  text NOT NULL CHECK (length(ship_postal_code) BETWEEN 1 AND 12),
    ship_city         text NOT NULL CHECK (length(ship_city) BETWEEN 1 AND 80),
    ship_country      char(2) NOT NULL REFERENCES shipping_countries,
    shipping_method   text NOT NULL,
    -- The card renewals are charged to, saved on the customer's Stripe customer.
    stripe_customer   text NOT NULL CHECK (length(stripe_customer) BETWEEN 1 AND 255),
    payment_method    text NOT NULL CHECK (length(payment_method) BETWEEN 1 AND 255),
    cancel_reason     text CHECK (length(cancel_reason) BETWEEN 1 AND 500),
    cancelled_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (origin_order_id, variant_id),
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
    CHECK (status = 'paused' OR paused_until IS NULL)
);
SELECT manage_updated_at('subscriptions');
CREATE INDEX subscriptions_of_user ON subscriptions (user_id, created_at DESC);
CREATE INDEX subscriptions_due ON subscriptions (next_renewal_on) WHERE status IN ('active', 'paused');

CREATE TYPE subscription_event_kind AS ENUM (
    'started', 'skipped', 'paused', 'resumed', 'interval_changed', 'quantity_changed',
    'variant_swapped', 'address_changed', 'card_updated', 'cancelled'
);

-- Every change to a subscription, in order: its history as the customer and support read it.
CREATE TABLE subscription_events (
    event_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id uuid NOT NULL REFERENCES subscriptions ON DELETE CASCADE,
    kind            subscription_event_kind NOT NULL,
    detail          text NOT NULL CHECK (length(detail) BETWEEN 1 AND 500),
    -- Who made the change; NULL for the shop itself (the renewal worker).
    actor           uuid REFERENCES users ON DELETE SET NULL,
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscription_events_of ON subscription_events (subscription_id, event_id);
