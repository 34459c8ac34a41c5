-- Products whose search document changed, in commit order. Triggers write it in the same
-- transaction as the change. Every app node reads it (each keeps its own index replica and
-- remembers the last seq it applied); rows older than a day are pruned.

CREATE TABLE search_outbox (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id uuid NOT NULL,
    queued_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX search_outbox_queued ON search_outbox (queued_at);

CREATE FUNCTION queue_search_update() RETURNS trigger AS $$
DECLARE
    row_data record := CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
BEGIN
    IF TG_TABLE_NAME = 'categories' THEN
        INSERT INTO search_outbox (product_id)
            SELECT product_id FROM products WHERE category_id = row_data.category_id;
    ELSIF TG_TABLE_NAME = 'lots' THEN
        INSERT INTO search_outbox (product_id)
            SELECT product_id FROM variants WHERE variant_id = row_data.variant_id;
    ELSE
        INSERT INTO search_outbox (product_id) VALUES (row_data.product_id);
    END IF;
    PERFORM pg_notify('search_outbox', '');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER queue_search_update AFTER INSERT OR UPDATE OR DELETE ON products
    FOR EACH ROW EXECUTE PROCEDURE queue_search_update();
CREATE TRIGGER queue_search_update AFTER INSERT OR UPDATE OR DELETE ON variants
    FOR EACH ROW EXECUTE PROCEDURE queue_search_update();
CREATE TRIGGER queue_search_update AFTER INSERT OR UPDATE OR DELETE ON product_ingredients
    FOR EACH ROW EXECUTE PROCEDURE queue_search_update();
CREATE TRIGGER queue_search_update AFTER INSERT OR UPDATE OR DELETE ON lots
    FOR EACH ROW EXECUTE PROCEDURE queue_search_update();
CREATE TRIGGER queue_search_update AFTER UPDATE ON categories
    FOR EACH ROW EXECUTE PROCEDURE queue_search_update();

-- Which database an index reflects: a node's index and its outbox position belong to this id
-- (a re-created database gets a new one, so an old index is rebuilt, never "caught up").
CREATE TABLE database_identity (
    only_row    boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    database_id uuid NOT NULL DEFAULT gen_random_uuid()
);
INSERT INTO database_identity DEFAULT VALUES;
