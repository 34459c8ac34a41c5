-- Passkeys (WebAuthn): a second factor, or a sign-in on their own (with the email address
-- first). `passkey` is webauthn-rs's record of the credential (its public key, id and
-- signature counter), nothing secret and nothing identifying; `name` is what the person
-- called it ("Laptop"). A person with a passkey signs in in two steps as with an
-- authenticator app.

CREATE TABLE passkeys (
    passkey_id    uuid PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    credential_id bytea NOT NULL UNIQUE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    passkey       jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz
);

CREATE INDEX passkeys_user ON passkeys (user_id);

-- Whether a person signs in in two steps: a confirmed authenticator app or a passkey. One
-- definition for every query that asks (the signed-in principal, the sign-in, the recovery
-- codes that go with the last factor).
CREATE FUNCTION has_second_factor(person uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM authenticators
                   WHERE user_id = person AND confirmed_at IS NOT NULL)
        OR EXISTS (SELECT 1 FROM passkeys WHERE user_id = person)
$$;
