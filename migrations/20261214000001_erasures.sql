-- Erase me (#26 part 3). A person, or a support admin for them, asks; for 14 days they can
-- change their mind; then the erasures job deletes their data key and what identifies them,
-- keeping what the law needs under the account id (which nothing identifies any more).

CREATE TYPE erasure_status AS ENUM ('waiting', 'cancelled', 'erased');

CREATE TABLE erasure_requests (
    erasure_id    uuid PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users ON DELETE RESTRICT,
    -- The person themselves, or the support admin who asked for them.
    asked_by      uuid NOT NULL REFERENCES users ON DELETE RESTRICT,
    -- Why a support admin asked (how the person reached us); none when they asked themselves.
    note          text,
    requested_at  timestamptz NOT NULL,
    -- The end of the grace period: the job erases from then on.
    erase_after   timestamptz NOT NULL,
    -- The law's month: support sees what is late.
    deadline      timestamptz NOT NULL,
    status        erasure_status NOT NULL DEFAULT 'waiting',
    -- What keeps the job from erasing yet (a contract still running, money on its way).
    held_because  text,
    cancelled_at  timestamptz,
    cancelled_by  uuid REFERENCES users ON DELETE RESTRICT,
    erased_at     timestamptz,
    CHECK (erase_after > requested_at AND deadline >= erase_after),
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
    CHECK ((status = 'erased') = (erased_at IS NOT NULL))
);
CREATE UNIQUE INDEX erasure_requests_one_waiting ON erasure_requests (user_id)
    WHERE status = 'waiting';
CREATE INDEX erasure_requests_due ON erasure_requests (erase_after) WHERE status = 'waiting';

ALTER TABLE users ADD COLUMN erased_at timestamptz;

-- Keys that seal what bookkeeping must keep of an erased buyer (their name and address on
-- orders), apart from any person's key, each deleted when its time is up.
CREATE TABLE retention_keys (
    key_id      uuid PRIMARY KEY,
    wrapped     bytea NOT NULL,
    master_id   text NOT NULL,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX retention_keys_expiry ON retention_keys (expires_at);

ALTER TABLE orders
    ADD COLUMN retained bytea,
    ADD COLUMN retention_key uuid REFERENCES retention_keys ON DELETE SET NULL,
    ADD COLUMN retained_until timestamptz;
