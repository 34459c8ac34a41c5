-- Downloads of a person's data (issue #26, part 2). Asked for on /account/privacy; the
-- `data-exports` job builds a ZIP (JSON per domain and the person's files), seals it with the
-- person's data key into the restricted store, and mails a link that works once within 7 days.
CREATE TABLE data_exports (
    export_id     uuid PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    requested_at  timestamptz NOT NULL,
    built_at      timestamptz,
    -- Where the sealed ZIP is in the restricted store, and its size before sealing.
    store_key     text,
    size_bytes    bigint CHECK (size_bytes >= 0),
    -- The mailed link's token (SHA-256 only); the link works until `expires_at`, once.
    token_hash    bytea UNIQUE,
    expires_at    timestamptz,
    downloaded_at timestamptz,
    -- The ZIP deleted from the store: once downloaded, or expired.
    removed_at    timestamptz,
    CONSTRAINT data_exports_built CHECK (
        (built_at IS NULL) = (store_key IS NULL)
        AND (built_at IS NULL) = (token_hash IS NULL)
        AND (built_at IS NULL) = (expires_at IS NULL)
        AND (built_at IS NULL) = (size_bytes IS NULL)),
    CONSTRAINT data_exports_downloaded_when_built CHECK (downloaded_at IS NULL OR built_at IS NOT NULL)
);

-- At most one download in the making per person.
CREATE UNIQUE INDEX data_exports_one_building ON data_exports (user_id) WHERE built_at IS NULL;
CREATE INDEX data_exports_of_person ON data_exports (user_id, requested_at DESC);
-- What the job builds, and what waits to be removed from the store.
CREATE INDEX data_exports_to_build ON data_exports (requested_at) WHERE built_at IS NULL;
CREATE INDEX data_exports_to_remove ON data_exports (expires_at)
    WHERE built_at IS NOT NULL AND removed_at IS NULL;
