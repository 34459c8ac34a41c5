-- Loyalty points spent at checkout: an order records the euros its points took off (100 points
-- are €1, so points and cents are one to one), and a cancelled order that was never paid gives
-- its points back without a refund, once.

ALTER TABLE orders
    ADD COLUMN points_minor bigint NOT NULL DEFAULT 0 CHECK (points_minor >= 0),
    ADD CHECK (subtotal_minor - discount_minor - points_minor >= 0);

-- A refund's share of the points taken back needs its refund; points given back need one only
-- when money went back too.
ALTER TABLE loyalty_entries
    DROP CONSTRAINT loyalty_entries_check1,
    ADD CONSTRAINT loyalty_entries_reversal_has_refund
        CHECK (kind <> 'purchase_refunded' OR refund_id IS NOT NULL),
    ADD CONSTRAINT loyalty_entries_refund_only_on_returns
        CHECK (refund_id IS NULL OR kind IN ('purchase_refunded', 'redemption_returned'));
CREATE UNIQUE INDEX loyalty_released_once ON loyalty_entries (order_id)
    WHERE kind = 'redemption_returned' AND refund_id IS NULL;
