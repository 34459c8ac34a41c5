-- Stock is held in lots: one batch number and expiry date each, sold first-expiry-first-out.
CREATE TABLE lots (
    lot_id       uuid PRIMARY KEY,
    variant_id   uuid NOT NULL REFERENCES variants ON DELETE RESTRICT,
    batch_number text NOT NULL CHECK (batch_number ~ '^[A-Z0-9][A-Z0-9-]{1,39}$'),
    expiry_date  date NOT NULL,
    on_hand      integer NOT NULL CHECK (on_hand >= 0),
    received_at  timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (variant_id, batch_number)
);
SELECT manage_updated_at('lots');
CREATE INDEX lots_fefo_idx ON lots (variant_id, expiry_date) WHERE on_hand > 0;
