-- An account past its failed-sign-in limit is not closed to its owner: a device it was signed
-- in from before still takes the right password, and anyone can ask for a one-time sign-in link
-- mailed to the account's address.

ALTER TYPE email_token_purpose ADD VALUE 'sign_in';

-- Devices an account signed in from: the SHA-256 of a random value kept in a long-lived cookie.
CREATE TABLE known_devices (
    user_id      uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    device_hash  bytea NOT NULL,
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, device_hash)
);
CREATE INDEX known_devices_stale ON known_devices (last_seen_at);
