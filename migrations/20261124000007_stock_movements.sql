-- Every change to a lot's stock is an entry here: the receipt that created it and each
-- correction after, with a reason and who made it. `lots.on_hand` is the running balance,
-- changed only in the same transaction as the entry that explains it, so the sum of a lot's
-- entries always equals its on_hand. Entries are never edited or deleted; a mistake is undone
-- by another entry.
CREATE TABLE stock_movements (
    movement_id uuid PRIMARY KEY,
    lot_id      uuid NOT NULL REFERENCES lots ON DELETE RESTRICT,
    reason      text NOT NULL CHECK (reason IN (
                    'received', 'stock_count', 'damaged', 'expired', 'returned_to_supplier',
                    'found', 'quality_hold'
                )),
    quantity    integer NOT NULL CHECK (quantity <> 0),
    note        text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    -- No foreign key, like the audit log: the record outlives the account. NULL: the seed.
    actor_id    uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- A receipt adds stock; only the receipt is 'received'.
    CHECK (reason <> 'received' OR quantity > 0)
);
CREATE INDEX stock_movements_lot_idx ON stock_movements (lot_id, created_at);

CREATE FUNCTION stock_movements_are_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'stock_movements is append-only; record a correcting entry instead';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER stock_movements_append_only BEFORE UPDATE OR DELETE ON stock_movements
    FOR EACH STATEMENT EXECUTE PROCEDURE stock_movements_are_append_only();

-- Lots received before this table existed: one opening entry each for what they hold.
INSERT INTO stock_movements (movement_id, lot_id, reason, quantity, note, created_at)
SELECT gen_random_uuid(), lot_id, 'received', on_hand, 'Opening balance', received_at
FROM lots WHERE on_hand > 0;
