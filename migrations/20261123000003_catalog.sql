-- The catalog: categories, products with typed attributes, variants with prices.

CREATE TYPE product_kind AS ENUM ('supplement', 'skincare');
CREATE TYPE product_form AS ENUM (
    'capsule', 'tablet', 'softgel', 'powder', 'gummy', 'liquid',
    'serum', 'cream', 'cleanser', 'oil', 'balm', 'mist'
);
CREATE TYPE allergen AS ENUM (
    'milk', 'egg', 'soy', 'gluten', 'tree_nuts', 'peanuts', 'fish', 'shellfish', 'sesame'
);
CREATE TYPE skin_type AS ENUM ('dry', 'oily', 'combination', 'normal', 'sensitive');
CREATE TYPE ingredient_unit AS ENUM ('mg', 'mcg', 'g', 'iu', 'billion_cfu', 'percent');

CREATE TABLE categories (
    category_id uuid PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 96),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    tagline     text NOT NULL,
    kind        product_kind NOT NULL,
    position    integer NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
SELECT manage_updated_at('categories');

CREATE TABLE products (
    product_id    uuid PRIMARY KEY,
    category_id   uuid NOT NULL REFERENCES categories,
    slug          text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 96),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    product_line  text NOT NULL,
    form          product_form NOT NULL,
    summary       text NOT NULL,
    description   text NOT NULL,
    directions    text NOT NULL,
    disclaimer    text NOT NULL,
    benefits      text[] NOT NULL DEFAULT '{}',
    skin_types    skin_type[] NOT NULL DEFAULT '{}',
    allergens     allergen[] NOT NULL DEFAULT '{}',
    accent_colour text NOT NULL CHECK (accent_colour ~ '^#[0-9a-f]{6}$'),
    featured      boolean NOT NULL DEFAULT false,
    published_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
SELECT manage_updated_at('products');
CREATE INDEX products_category_idx ON products (category_id) WHERE published_at IS NOT NULL;

CREATE TABLE product_ingredients (
    product_id          uuid NOT NULL REFERENCES products ON DELETE CASCADE,
    position            integer NOT NULL CHECK (position >= 0),
    name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    amount              numeric CHECK (amount > 0),
    unit                ingredient_unit,
    daily_value_percent integer CHECK (daily_value_percent >= 0),
    PRIMARY KEY (product_id, position),
    CHECK ((amount IS NULL) = (unit IS NULL))
);

CREATE TABLE variants (
    variant_id  uuid PRIMARY KEY,
    product_id  uuid NOT NULL REFERENCES products ON DELETE CASCADE,
    sku         text NOT NULL UNIQUE CHECK (sku ~ '^[A-Z0-9]+(-[A-Z0-9]+)*$' AND length(sku) <= 32),
    label       text NOT NULL CHECK (length(label) BETWEEN 1 AND 60),
    pack_count  integer NOT NULL DEFAULT 1 CHECK (pack_count >= 1),
    price_minor bigint NOT NULL CHECK (price_minor > 0),
    currency    char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    position    integer NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (product_id, position)
);
SELECT manage_updated_at('variants');
