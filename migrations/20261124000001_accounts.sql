-- Accounts: people, their roles, their signed-in devices, linked OpenID logins, reset tokens.

CREATE EXTENSION IF NOT EXISTS citext;

-- Everyone is a shopper; these are the roles held on top. Admin scopes are separate roles so
-- one person can run the catalog without seeing money.
CREATE TYPE user_role AS ENUM ('freelancer', 'admin_catalog', 'admin_support', 'admin_finance');

CREATE TABLE users (
    user_id           uuid PRIMARY KEY,
    -- citext: Ann@Example.com and ann@example.com are one account.
    email             citext NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND email LIKE '%_@_%'),
    email_verified_at timestamptz,
    display_name      text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 80),
    -- NULL for accounts that only ever signed in through an OpenID provider.
    password_hash     text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_unique UNIQUE (email)
);
SELECT manage_updated_at('users');

CREATE TABLE user_roles (
    user_id    uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    role       user_role NOT NULL,
    granted_at timestamptz NOT NULL DEFAULT now(),
    granted_by uuid REFERENCES users ON DELETE SET NULL,
    PRIMARY KEY (user_id, role)
);

-- One row per signed-in browser. The session cookie carries only its id (inside the
-- tower-sessions record); revoking the row signs that device out at its next request.
CREATE TABLE user_logins (
    login_id     uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    method       text NOT NULL,
    user_agent   text NOT NULL DEFAULT '',
    ip           inet,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX user_logins_active ON user_logins (user_id) WHERE revoked_at IS NULL;

CREATE TABLE oidc_identities (
    provider  text NOT NULL,
    subject   text NOT NULL,
    user_id   uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    email     citext,
    linked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, subject),
    UNIQUE (user_id, provider)
);

-- Single-use links sent by email. Only a SHA-256 of the token is stored: a database leak
-- yields no usable link.
CREATE TYPE email_token_purpose AS ENUM ('verify_email', 'reset_password');

CREATE TABLE email_tokens (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id    uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    purpose    email_token_purpose NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX email_tokens_user ON email_tokens (user_id, purpose);

-- Session records for tower-sessions (server/src/session_store.rs).
CREATE SCHEMA tower_sessions;
CREATE TABLE tower_sessions.session (
    id          text PRIMARY KEY NOT NULL,
    data        bytea NOT NULL,
    expiry_date timestamptz NOT NULL
);
CREATE INDEX session_expiry ON tower_sessions.session (expiry_date);
