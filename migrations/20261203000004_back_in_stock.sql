-- Back in stock: a signed-in shopper asks to be told when a sold-out variant can be bought
-- again. The back-in-stock job tells each of them once (a notification, mailed after their
-- email settings) and the request is done: its row goes.
ALTER TYPE notification_kind ADD VALUE 'back_in_stock';

CREATE TABLE stock_requests (
    user_id    uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    variant_id uuid NOT NULL REFERENCES variants ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, variant_id)
);
CREATE INDEX stock_requests_variant ON stock_requests (variant_id);
