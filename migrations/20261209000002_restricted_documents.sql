-- Personal data sealed with a key per person, and certificate documents out of the database.
--
-- `person_keys`: each person's data key (AES-256), wrapped by the master key from the
-- environment; `master_id` names which master wrapped it, so a new master key rewraps these
-- rows and nothing else. Deleting a row makes everything sealed with that key unreadable, in
-- backups too (crypto-shredding); the row goes with the account.
--
-- Certificate documents (scans that may be medical) move to their own object store
-- (OLIVINE_RESTRICTED_STORE), sealed with their owner's key; `store_key` says where. The
-- `restricted-documents` job moves the ones uploaded before, and the retention job deletes
-- each document some months after its certificate expired (`document_deleted_at`), keeping
-- the certificate's record.

CREATE TABLE person_keys (
    user_id    uuid PRIMARY KEY REFERENCES users ON DELETE CASCADE,
    wrapped    bytea NOT NULL,
    master_id  text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE freelancer_certificates
    ALTER COLUMN document DROP NOT NULL,
    ADD COLUMN store_key text UNIQUE,
    ADD COLUMN document_deleted_at timestamptz,
    ADD CONSTRAINT freelancer_certificates_document_kept CHECK (
        (document_deleted_at IS NULL) = (document IS NOT NULL OR store_key IS NOT NULL));

CREATE INDEX freelancer_certificates_in_database ON freelancer_certificates (created_at)
    WHERE document IS NOT NULL;
CREATE INDEX freelancer_certificates_retention ON freelancer_certificates (expires_on)
    WHERE document_deleted_at IS NULL AND expires_on IS NOT NULL;
