-- The search outbox is read by transaction horizon, not by seq. Identity values are handed out
-- at INSERT, not at COMMIT, so "apply everything after the last seq seen" skipped an entry whose
-- transaction committed after a later-numbered one (the first migration's "in commit order" was
-- wrong). Each entry now records its transaction; a node applies every entry of transactions
-- from its horizon on, then moves its horizon to the oldest transaction still running (all
-- below it have ended, so nothing below it can still appear).
ALTER TABLE search_outbox ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX search_outbox_xid ON search_outbox (xid);

-- How far pruning went: a node whose horizon is past it finds every entry it still needs.
CREATE TABLE search_outbox_pruned (
    only_row    boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    through_xid xid8 NOT NULL DEFAULT '0'
);
INSERT INTO search_outbox_pruned DEFAULT VALUES;
