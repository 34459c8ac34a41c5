-- The card an organisation's Hire bookings are charged to: the Stripe customer that stands for
-- the organisation and the card saved on it through a SetupIntent the manager confirmed in the
-- browser (3-D Secure included). Card numbers never reach us: only Stripe's payment method id
-- and what a manager recognises the card by.
CREATE TABLE organisation_cards (
    organisation_id uuid PRIMARY KEY REFERENCES organisations ON DELETE CASCADE,
    stripe_customer text NOT NULL UNIQUE CHECK (length(stripe_customer) BETWEEN 1 AND 255),
    payment_method  text CHECK (length(payment_method) BETWEEN 1 AND 255),
    brand           text CHECK (length(brand) <= 40),
    last4           text CHECK (last4 ~ '^[0-9]{4}$'),
    exp_month       smallint CHECK (exp_month BETWEEN 1 AND 12),
    exp_year        smallint CHECK (exp_year BETWEEN 2000 AND 2200),
    saved_by        uuid REFERENCES users ON DELETE SET NULL,
    saved_at        timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- A card is there whole or not at all.
    CHECK ((payment_method IS NULL) = (brand IS NULL)
       AND (payment_method IS NULL) = (last4 IS NULL)
       AND (payment_method IS NULL) = (exp_month IS NULL)
       AND (payment_method IS NULL) = (exp_year IS NULL)
       AND (payment_method IS NULL) = (saved_at IS NULL))
);
SELECT manage_updated_at('organisation_cards');
