-- Buyers' addresses sealed like their names (20261216000002_sealed_names.sql).
--
-- An order's buyer (the receipt's email address, the name and the street address it ships to;
-- the country stays in the clear, it picks the shipping method) is one sealed value,
-- `orders.buyer_sealed`, bound to `order:<id>:buyer`: sealed with the buyer's own data key
-- when they have an account, and with a key of the order's own (`guest_keys`) when they bought
-- as a guest. `orders.email_lookup` (the address's HMAC under the lookup key) finds a guest's
-- orders for their download and erasure; `orders.buyer_words` (the HMACs of the name's whole
-- words) lets the back office find an order by its buyer's name.
--
-- A subscription's delivery address (`subscriptions.ship_to_sealed`, bound to
-- `subscription:<id>:ship-to`) is sealed with its owner's key.
--
-- The clear columns are emptied by the server, as the names were: `olivine migrate` and
-- `olivine serve` seal what is still in them and set them to NULL. A later migration drops them.

-- A guest buyer's data key: one per order, wrapped by the master key like a person's.
CREATE TABLE guest_keys (
    order_id   uuid PRIMARY KEY REFERENCES orders ON DELETE CASCADE,
    wrapped    bytea NOT NULL,
    master_id  text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders
    ALTER COLUMN email DROP NOT NULL,
    ALTER COLUMN ship_name DROP NOT NULL,
    ALTER COLUMN ship_line1 DROP NOT NULL,
    ALTER COLUMN ship_line2 DROP NOT NULL,
    ALTER COLUMN ship_line2 DROP DEFAULT,
    ALTER COLUMN ship_postal_code DROP NOT NULL,
    ALTER COLUMN ship_city DROP NOT NULL,
    ADD COLUMN buyer_sealed bytea,
    ADD COLUMN email_lookup bytea,
    ADD COLUMN buyer_words bytea[] NOT NULL DEFAULT '{}';

CREATE INDEX orders_email_lookup ON orders (email_lookup) WHERE email_lookup IS NOT NULL;
CREATE INDEX orders_buyer_words ON orders USING gin (buyer_words);
-- What the server still has to seal: found without reading the whole table at each start.
CREATE INDEX orders_in_clear ON orders (order_id) WHERE email IS NOT NULL;

ALTER TABLE subscriptions
    ALTER COLUMN ship_name DROP NOT NULL,
    ALTER COLUMN ship_line1 DROP NOT NULL,
    ALTER COLUMN ship_line2 DROP NOT NULL,
    ALTER COLUMN ship_line2 DROP DEFAULT,
    ALTER COLUMN ship_postal_code DROP NOT NULL,
    ALTER COLUMN ship_city DROP NOT NULL,
    ADD COLUMN ship_to_sealed bytea;

CREATE INDEX subscriptions_in_clear ON subscriptions (subscription_id)
    WHERE ship_name IS NOT NULL;
CREATE INDEX users_in_clear ON users (user_id)
    WHERE email IS NOT NULL OR display_name IS NOT NULL;

-- `value` with the key that opens it: its owner's, a person's or a guest order's (NULL once
-- deleted).
CREATE FUNCTION sealed_by(owner uuid, value bytea) RETURNS sealed
LANGUAGE sql STABLE AS $$
    SELECT ROW(owner, k.wrapped, k.master_id, value)::sealed
      FROM (SELECT 1) AS one
      LEFT JOIN (SELECT wrapped, master_id FROM person_keys WHERE user_id = owner
                 UNION ALL
                 SELECT wrapped, master_id FROM guest_keys WHERE order_id = owner) k ON true
$$;
