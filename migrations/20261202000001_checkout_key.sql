-- What a checkout was started with, hashed: the buyer's email, the address, the shipping method,
-- the discount code and every line with its price. Starting checkout again (a second click, a
-- second tab) with the same cart and details finds the pending order by it and reuses it
-- instead of placing another order and creating another PaymentIntent.
ALTER TABLE orders ADD COLUMN checkout_key bytea;

CREATE INDEX orders_pending_by_cart ON orders (cart_id) WHERE status = 'pending_payment';
