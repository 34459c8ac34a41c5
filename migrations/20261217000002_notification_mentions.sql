-- A notification names the people it is about by account id, not by name: `mentions` lists
-- them, and the text holds a marker per mention (U+E000, its index, U+E001), each replaced by
-- the person's name, opened from `users.name_sealed`, when the notification is read. Once a
-- person is erased their key is gone, so every copy of a notification about them reads
-- "a former member", backups included.

ALTER TABLE notifications ADD COLUMN mentions uuid[] NOT NULL DEFAULT '{}';

-- The sealed names of `mentions`, in order (NULL for an account that is gone).
CREATE FUNCTION mentioned_names(mentions uuid[]) RETURNS sealed[]
LANGUAGE sql STABLE AS $$
    SELECT COALESCE(array_agg(person_name(m) ORDER BY i), '{}')
      FROM unnest(mentions) WITH ORDINALITY AS t(m, i)
$$;
