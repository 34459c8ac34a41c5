-- Shopping carts: one per signed-in customer, or one per guest browser (its id is kept in the
-- session). At sign-in a guest cart is merged into the customer's and deleted.
CREATE TABLE carts (
    cart_id    uuid PRIMARY KEY,
    user_id    uuid UNIQUE REFERENCES users ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT manage_updated_at('carts');
-- Guest carts nobody came back to are swept by age.
CREATE INDEX carts_guest_age_idx ON carts (updated_at) WHERE user_id IS NULL;

CREATE TABLE cart_lines (
    cart_id          uuid NOT NULL REFERENCES carts ON DELETE CASCADE,
    variant_id       uuid NOT NULL REFERENCES variants ON DELETE CASCADE,
    quantity         integer NOT NULL CHECK (quantity BETWEEN 1 AND 20),
    -- The unit price the shopper last saw; a different current price is announced in the cart
    -- until the shopper has seen it.
    seen_price_minor bigint NOT NULL CHECK (seen_price_minor > 0),
    added_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cart_id, variant_id)
);
CREATE INDEX cart_lines_variant_idx ON cart_lines (variant_id);
