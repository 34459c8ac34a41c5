-- History that can be trusted.
--
-- 1. Append-only tables refuse TRUNCATE too (their UPDATE/DELETE triggers never saw it).
-- 2. What a client owes a freelancer (contract_events) is never deleted by a cascade: deleting
--    a contract, or the person, organisation or posting it hangs from, is refused while it has
--    events. People are anonymised, not deleted, where history must stay.
-- 3. Every audit row carries a SHA-256 hash of its content chained to the previous row's, in
--    the order rows were committed (`chain_seq`). Rows are sealed into the chain at commit, by
--    a deferred trigger under a lock held only while the transaction commits, so audit writes
--    never make transactions wait on each other midway. `olivine audit verify` recomputes the
--    chain and names the first broken link.

CREATE FUNCTION refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only; it cannot be truncated', TG_TABLE_NAME;
END $$;

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();
CREATE TRIGGER stock_movements_no_truncate BEFORE TRUNCATE ON stock_movements
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();
CREATE TRIGGER order_events_no_truncate BEFORE TRUNCATE ON order_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();
CREATE TRIGGER contract_events_no_truncate BEFORE TRUNCATE ON contract_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();

ALTER TABLE contract_events
    DROP CONSTRAINT contract_events_contract_id_fkey,
    ADD CONSTRAINT contract_events_contract_id_fkey
        FOREIGN KEY (contract_id) REFERENCES contracts ON DELETE RESTRICT;
-- No exemption for cascades any more: nothing cascades into this table.
DROP TRIGGER contract_events_append_only ON contract_events;
CREATE TRIGGER contract_events_append_only BEFORE UPDATE OR DELETE ON contract_events
    FOR EACH STATEMENT EXECUTE FUNCTION contract_events_append_only();

ALTER TABLE audit_log
    ADD COLUMN chain_seq bigint,
    ADD COLUMN prev_hash bytea,
    ADD COLUMN row_hash bytea;
CREATE UNIQUE INDEX audit_log_chain_seq_key ON audit_log (chain_seq);

-- The hashed content of an audit row: every column, in a fixed text form (times in
-- microseconds since the epoch, so the session's time zone does not matter).
CREATE FUNCTION audit_row_text(a audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT format('%s|%s|%s|%s|%s|%s|%s|%s',
        a.chain_seq, a.audit_id, (extract(epoch FROM a.at) * 1000000)::bigint,
        coalesce(a.actor_id::text, ''), a.action, coalesce(a.subject_id::text, ''),
        coalesce(a.ip::text, ''), a.detail::text)
$$;

-- Chain the rows written so far, in the order they were written.
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
DO $$
DECLARE
    r audit_log%ROWTYPE;
    previous bytea := '\x'::bytea;
    n bigint := 0;
BEGIN
    FOR r IN SELECT * FROM audit_log ORDER BY audit_id LOOP
        n := n + 1;
        r.chain_seq := n;
        r.prev_hash := previous;
        r.row_hash := sha256(previous || convert_to(audit_row_text(r), 'UTF8'));
        UPDATE audit_log SET chain_seq = r.chain_seq, prev_hash = r.prev_hash, row_hash = r.row_hash
            WHERE audit_id = r.audit_id;
        previous := r.row_hash;
    END LOOP;
END $$;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;

-- Append-only, row by row: the one change allowed is sealing a new row into the chain, and only
-- from the sealing trigger (never a statement of its own).
DROP TRIGGER audit_log_append_only ON audit_log;
DROP FUNCTION audit_log_is_append_only();
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 AND OLD.row_hash IS NULL
       AND NEW.row_hash IS NOT NULL
       AND (NEW.audit_id, NEW.at, NEW.actor_id, NEW.action, NEW.subject_id, NEW.ip, NEW.detail)
           IS NOT DISTINCT FROM
           (OLD.audit_id, OLD.at, OLD.actor_id, OLD.action, OLD.subject_id, OLD.ip, OLD.detail)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();

-- At commit: the next place in the chain, one committing writer at a time.
CREATE FUNCTION audit_log_seal() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_seq bigint;
    last_hash bytea;
    r audit_log%ROWTYPE;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('audit_log_chain'));
    SELECT chain_seq, row_hash INTO last_seq, last_hash FROM audit_log
        WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1;
    SELECT * INTO r FROM audit_log WHERE audit_id = NEW.audit_id;
    r.chain_seq := coalesce(last_seq, 0) + 1;
    r.prev_hash := coalesce(last_hash, '\x'::bytea);
    r.row_hash := sha256(r.prev_hash || convert_to(audit_row_text(r), 'UTF8'));
    UPDATE audit_log SET chain_seq = r.chain_seq, prev_hash = r.prev_hash, row_hash = r.row_hash
        WHERE audit_id = NEW.audit_id;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER audit_log_seal AFTER INSERT ON audit_log
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION audit_log_seal();
