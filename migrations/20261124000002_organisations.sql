-- Client organisations: the marketplace's tenants, their members and invitations.

CREATE TYPE org_role AS ENUM ('owner', 'manager');

CREATE TABLE organisations (
    organisation_id uuid PRIMARY KEY,
    slug            text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 64),
    name            text NOT NULL CHECK (length(name) BETWEEN 2 AND 100),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
SELECT manage_updated_at('organisations');

CREATE TABLE organisation_members (
    organisation_id uuid NOT NULL REFERENCES organisations ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    role            org_role NOT NULL,
    joined_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organisation_id, user_id)
);
-- Exactly one owner at a time; ownership transfer swaps roles inside one transaction.
CREATE UNIQUE INDEX organisation_one_owner ON organisation_members (organisation_id) WHERE role = 'owner';
CREATE INDEX organisation_members_user ON organisation_members (user_id);

CREATE TABLE organisation_invitations (
    invitation_id   uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisations ON DELETE CASCADE,
    email           citext NOT NULL,
    token_hash      bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    invited_by      uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    accepted_at     timestamptz,
    revoked_at      timestamptz
);
-- One open invitation per address per organisation.
CREATE UNIQUE INDEX organisation_invitations_open ON organisation_invitations (organisation_id, email)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
