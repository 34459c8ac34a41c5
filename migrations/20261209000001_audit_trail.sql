-- The audit trail people read (/admin/audit): filters by subject and by action, newest first;
-- and the checkpoints of its hash chain.
--
-- A checkpoint is the chain's head (its sequence number and hash) written by the
-- `audit-checkpoint` job to an object store outside the database, under a key that is never
-- overwritten. A log rewritten from the start, chain and all, still differs from the head kept
-- there. This table only says which checkpoints were written and where; what counts is the copy
-- in the store.

CREATE INDEX audit_log_subject ON audit_log (subject_id, audit_id DESC)
    WHERE subject_id IS NOT NULL;
CREATE INDEX audit_log_action ON audit_log (action, audit_id DESC);

CREATE TABLE audit_checkpoints (
    chain_seq  bigint PRIMARY KEY CHECK (chain_seq > 0),
    head       bytea NOT NULL CHECK (length(head) = 32),
    store_key  text NOT NULL UNIQUE,
    written_at timestamptz NOT NULL DEFAULT now()
);
CREATE FUNCTION audit_checkpoints_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_checkpoints is append-only';
END $$;
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_are_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();
