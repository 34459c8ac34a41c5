-- The last addresses kept in the clear, sealed like the rest (20261216000003_sealed_addresses.sql).
--
-- An invitation's address belongs to someone who may have no account yet: it is sealed with a
-- key of the invitation's own (`invitation_keys`), bound to `invitation:<id>:email`, and found
-- by `email_lookup` (the address's HMAC under the lookup key): one open invitation per address
-- per organisation, and the invitee's erasure finds theirs. The address a sign-in provider
-- gave (`oidc_identities.email_sealed`, bound to `oidc:<provider>:<subject>:email`) is sealed
-- with its account's key.
--
-- The clear columns are emptied by the server (`olivine migrate`, `olivine serve`); a later
-- migration drops them.

CREATE TABLE invitation_keys (
    invitation_id uuid PRIMARY KEY REFERENCES organisation_invitations ON DELETE CASCADE,
    wrapped       bytea NOT NULL,
    master_id     text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE organisation_invitations
    ALTER COLUMN email DROP NOT NULL,
    ADD COLUMN email_lookup bytea,
    ADD COLUMN email_sealed bytea;

DROP INDEX organisation_invitations_open;
CREATE UNIQUE INDEX organisation_invitations_open
    ON organisation_invitations (organisation_id, email_lookup)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX organisation_invitations_email_lookup ON organisation_invitations (email_lookup);
CREATE INDEX organisation_invitations_in_clear ON organisation_invitations (invitation_id)
    WHERE email IS NOT NULL;

ALTER TABLE oidc_identities ADD COLUMN email_sealed bytea;
CREATE INDEX oidc_identities_in_clear ON oidc_identities (provider, subject)
    WHERE email IS NOT NULL;

-- `value` with the key that opens it: a person's, a guest order's or an invitation's.
CREATE OR REPLACE FUNCTION sealed_by(owner uuid, value bytea) RETURNS sealed
LANGUAGE sql STABLE AS $$
    SELECT ROW(owner, k.wrapped, k.master_id, value)::sealed
      FROM (SELECT 1) AS one
      LEFT JOIN (SELECT wrapped, master_id FROM person_keys WHERE user_id = owner
                 UNION ALL
                 SELECT wrapped, master_id FROM guest_keys WHERE order_id = owner
                 UNION ALL
                 SELECT wrapped, master_id FROM invitation_keys WHERE invitation_id = owner) k
        ON true
$$;
