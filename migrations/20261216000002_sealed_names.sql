-- People's names sealed like their email addresses (20261216000001_sealed_emails.sql):
-- `name_sealed` with the owner's data key, bound to `user:<id>:name`. `name_words`: for each
-- word of the name in lower case, its HMAC-SHA256 under the lookup key, so the back office
-- finds "Fay" in "Fay Janssen" by whole words, the name never in the clear.
--
-- `display_name` (the clear name) is emptied by the server as the addresses are: `olivine
-- migrate` and `olivine serve` seal what is still in it and set it to NULL. A later migration
-- drops it. Generated benchmark people have no name at all.

ALTER TABLE users
    ALTER COLUMN display_name DROP NOT NULL,
    ADD COLUMN name_sealed bytea,
    ADD COLUMN name_words bytea[] NOT NULL DEFAULT '{}';

CREATE INDEX users_name_words ON users USING gin (name_words);

CREATE FUNCTION person_name(person uuid) RETURNS sealed
LANGUAGE sql STABLE AS $$
    SELECT ROW(u.user_id, k.wrapped, k.master_id, u.name_sealed)::sealed
      FROM users u LEFT JOIN person_keys k ON k.user_id = u.user_id
     WHERE u.user_id = person
$$;
