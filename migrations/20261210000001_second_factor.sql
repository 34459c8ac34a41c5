-- Two-step sign-in: an authenticator app (TOTP, RFC 6238) and single-use recovery codes.
--
-- `authenticators`: one per person. The shared secret is sealed with the person's data key
-- (the vault), so erasing them makes it unreadable too. It counts only once confirmed with a
-- code (`confirmed_at`); `last_step` is the last 30-second step a code was accepted for, and a
-- code is accepted only for a later step, so an overheard code cannot be used again.
--
-- `recovery_codes`: ten per person, only their SHA-256 kept; each opens one sign-in.
--
-- `user_logins.second_factor_at`: when this signed-in device last gave a second factor (at
-- sign-in, or again before a sensitive action: refunds, role changes, payout settings).

CREATE TABLE authenticators (
    user_id      uuid PRIMARY KEY REFERENCES users ON DELETE CASCADE,
    secret       bytea NOT NULL,
    confirmed_at timestamptz,
    last_step    bigint NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE recovery_codes (
    user_id   uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    code_hash bytea NOT NULL,
    used_at   timestamptz,
    PRIMARY KEY (user_id, code_hash)
);

ALTER TABLE user_logins ADD COLUMN second_factor_at timestamptz;
