-- People's email addresses sealed with their own data key (`person_keys`), like their
-- documents and authenticator secrets: deleting the key at erasure leaves every copy of the
-- address unreadable, backups included.
--
-- `email_sealed`: the address (as typed) sealed with the owner's key, bound to
-- `user:<id>:email`. `email_lookup`: HMAC-SHA256 of the address in lower case, under a lookup
-- key of its own (`vault_keys`, wrapped by the master key like the people's keys), so an
-- address finds its account, and is unique, without being stored in the clear.
--
-- `email` (the clear address) is emptied by the server: `olivine migrate` and `olivine serve`
-- seal what is still in it and set it to NULL (app/src/accounts/repo/users.rs,
-- seal_clear_emails). A later migration drops it.

CREATE TABLE vault_keys (
    purpose    text PRIMARY KEY,
    wrapped    bytea NOT NULL,
    master_id  text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE users
    ALTER COLUMN email DROP NOT NULL,
    ADD COLUMN email_lookup bytea,
    ADD COLUMN email_sealed bytea,
    ADD CONSTRAINT users_email_lookup_unique UNIQUE (email_lookup),
    -- (The sealed address follows the lookup in the same transaction: sealing makes the
    -- person's key, which needs the row.)
    ADD CONSTRAINT users_email_kept CHECK (
        erased_at IS NOT NULL OR email IS NOT NULL OR email_lookup IS NOT NULL);

-- A sealed value with what opens it: its owner, and the owner's data key as wrapped by the
-- master key (NULL once erased). The server unwraps and opens it with no further query.
CREATE TYPE sealed AS (owner uuid, wrapped_key bytea, master_id text, value bytea);

CREATE FUNCTION person_email(person uuid) RETURNS sealed
LANGUAGE sql STABLE AS $$
    SELECT ROW(u.user_id, k.wrapped, k.master_id, u.email_sealed)::sealed
      FROM users u LEFT JOIN person_keys k ON k.user_id = u.user_id
     WHERE u.user_id = person
$$;
