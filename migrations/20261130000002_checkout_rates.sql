-- What checkout charges besides the goods, as data: the countries we ship to with their tax
-- rates, the shipping methods per country, and discount codes with their redemptions.

-- A destination. Consumers in the EU see prices with VAT included; `prices_include_tax` false
-- would add tax at checkout instead. `standard_tax_bp` taxes shipping.
CREATE TABLE shipping_countries (
    country_code       char(2) PRIMARY KEY CHECK (country_code ~ '^[A-Z]{2}$'),
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    prices_include_tax boolean NOT NULL,
    standard_tax_bp    integer NOT NULL CHECK (standard_tax_bp BETWEEN 0 AND 10000),
    -- Postal code shape, checked at checkout: a regular expression.
    postal_code_format text NOT NULL,
    position           integer NOT NULL UNIQUE
);

-- VAT per destination and kind of product, in basis points (900 = 9 %).
CREATE TABLE tax_rates (
    country_code char(2) NOT NULL REFERENCES shipping_countries ON DELETE CASCADE,
    product_kind product_kind NOT NULL,
    rate_bp      integer NOT NULL CHECK (rate_bp BETWEEN 0 AND 10000),
    PRIMARY KEY (country_code, product_kind)
);

CREATE TABLE shipping_methods (
    country_code    char(2) NOT NULL REFERENCES shipping_countries ON DELETE CASCADE,
    method_code     text NOT NULL CHECK (method_code ~ '^[a-z]+(_[a-z]+)*$'),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    carrier         text NOT NULL,
    price_minor     bigint NOT NULL CHECK (price_minor >= 0),
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- Goods worth at least this much (after any discount) ship free; NULL: never free.
    free_from_minor bigint CHECK (free_from_minor > 0),
    days_min        integer NOT NULL CHECK (days_min >= 0),
    days_max        integer NOT NULL,
    position        integer NOT NULL,
    PRIMARY KEY (country_code, method_code),
    UNIQUE (country_code, position),
    CHECK (days_max >= days_min)
);

INSERT INTO shipping_countries
    (country_code, name, prices_include_tax, standard_tax_bp, postal_code_format, position)
VALUES
    ('NL', 'Netherlands', true, 2100, '^[1-9][0-9]{3} ?[A-Z]{2}$', 1),
    ('BE', 'Belgium',     true, 2100, '^[1-9][0-9]{3}$', 2),
    ('DE', 'Germany',     true, 1900, '^[0-9]{5}$', 3),
    ('FR', 'France',      true, 2000, '^[0-9]{5}$', 4),
    ('AT', 'Austria',     true, 2000, '^[0-9]{4}$', 5),
    ('LU', 'Luxembourg',  true, 1700, '^(L-)?[0-9]{4}$', 6);

-- Food supplements take the reduced (food) rate where one applies; skincare the standard rate.
INSERT INTO tax_rates (country_code, product_kind, rate_bp) VALUES
    ('NL', 'supplement',  900), ('NL', 'skincare', 2100),
    ('BE', 'supplement',  600), ('BE', 'skincare', 2100),
    ('DE', 'supplement',  700), ('DE', 'skincare', 1900),
    ('FR', 'supplement',  550), ('FR', 'skincare', 2000),
    ('AT', 'supplement', 1000), ('AT', 'skincare', 2000),
    ('LU', 'supplement',  300), ('LU', 'skincare', 1700);

INSERT INTO shipping_methods
    (country_code, method_code, name, carrier, price_minor, currency, free_from_minor,
     days_min, days_max, position)
VALUES
    ('NL', 'standard', 'Standard',      'PostNL', 495, 'EUR', 4000, 1, 2, 1),
    ('NL', 'express',  'Next-day',      'DHL',    895, 'EUR', NULL, 1, 1, 2),
    ('NL', 'pickup',   'Pick-up point', 'PostNL', 395, 'EUR', 3000, 2, 3, 3),
    ('BE', 'standard', 'Standard',      'bpost',  695, 'EUR', 5000, 2, 3, 1),
    ('BE', 'express',  'Express',       'DHL',   1195, 'EUR', NULL, 1, 2, 2),
    ('DE', 'standard', 'Standard',      'DHL',    695, 'EUR', 6000, 2, 4, 1),
    ('DE', 'express',  'Express',       'DHL',   1395, 'EUR', NULL, 1, 2, 2),
    ('FR', 'standard', 'Standard',      'Colissimo', 895, 'EUR', 7500, 3, 5, 1),
    ('AT', 'standard', 'Standard',      'DHL',    995, 'EUR', 7500, 3, 5, 1),
    ('LU', 'standard', 'Standard',      'PostNL', 795, 'EUR', 6000, 2, 4, 1);

-- A discount code: a percentage (basis points) or a fixed amount off the goods.
CREATE TABLE discount_codes (
    code               text PRIMARY KEY CHECK (code ~ '^[A-Z0-9]{3,24}$'),
    description        text NOT NULL DEFAULT '',
    percent_bp         integer CHECK (percent_bp BETWEEN 1 AND 10000),
    amount_minor       bigint CHECK (amount_minor > 0),
    currency           char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    minimum_minor      bigint CHECK (minimum_minor > 0),
    starts_at          timestamptz NOT NULL DEFAULT now(),
    ends_at            timestamptz,
    -- NULL: unlimited.
    max_redemptions    integer CHECK (max_redemptions > 0),
    max_per_customer   integer CHECK (max_per_customer > 0),
    -- Orders holding the code right now (pending payment or paid); kept by the same
    -- transactions that add and release redemptions, and never past the limit.
    redemptions        integer NOT NULL DEFAULT 0,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CHECK ((percent_bp IS NULL) <> (amount_minor IS NULL)),
    CHECK (ends_at IS NULL OR ends_at > starts_at),
    CHECK (redemptions >= 0 AND (max_redemptions IS NULL OR redemptions <= max_redemptions))
);
