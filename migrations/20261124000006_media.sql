-- Product images. An uploaded file is identified by the sha256 of its bytes: the same photo
-- uploaded twice is one media_images row and one set of stored files. Every stored key derives
-- from the hash and the rendition recipe (`pipeline`), so a key's bytes never change and can be
-- cached forever; changing the recipe means new keys.
CREATE TABLE media_images (
    content_hash    text PRIMARY KEY CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    source_format   text NOT NULL CHECK (source_format IN ('jpeg', 'png', 'webp')),
    source_bytes    bigint NOT NULL CHECK (source_bytes > 0),
    -- After EXIF orientation.
    width           integer NOT NULL CHECK (width > 0),
    height          integer NOT NULL CHECK (height > 0),
    pipeline        integer NOT NULL CHECK (pipeline > 0),
    webp_widths     integer[] NOT NULL CHECK (cardinality(webp_widths) > 0),
    -- Filled by the background AVIF job; empty until then, and pages offer WebP alone.
    avif_widths     integer[] NOT NULL DEFAULT '{}',
    avif_state      text NOT NULL DEFAULT 'pending' CHECK (avif_state IN ('pending', 'done', 'failed')),
    avif_error      text,
    avif_attempts   integer NOT NULL DEFAULT 0,
    placeholder     text NOT NULL CHECK (placeholder LIKE 'data:image/webp;base64,%'),
    dominant_colour text NOT NULL CHECK (dominant_colour ~ '^#[0-9a-f]{6}$'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
SELECT manage_updated_at('media_images');
CREATE INDEX media_images_avif_pending_idx ON media_images (created_at) WHERE avif_state = 'pending';

-- A product's pictures in display order; the first is the one listings show.
CREATE TABLE product_images (
    product_image_id uuid PRIMARY KEY,
    product_id       uuid NOT NULL REFERENCES products ON DELETE CASCADE,
    content_hash     text NOT NULL REFERENCES media_images,
    position         integer NOT NULL CHECK (position >= 0),
    alt_text         text NOT NULL CHECK (length(btrim(alt_text)) BETWEEN 1 AND 250),
    created_at       timestamptz NOT NULL DEFAULT now(),
    -- Deferred, so a reorder can swap positions inside one transaction.
    UNIQUE (product_id, position) DEFERRABLE INITIALLY DEFERRED,
    UNIQUE (product_id, content_hash)
);
CREATE INDEX product_images_hash_idx ON product_images (content_hash);
