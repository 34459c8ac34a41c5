-- The matching engine: embeddings of profile and posting texts (all-MiniLM-L6-v2, 384-d, unit
-- length) in HNSW indexes, and the facts the candidate search filters on kept on the profile
-- row, so a filtered nearest-neighbour scan reads one table.

-- Texts that feed an embedding carry a version, bumped by the triggers below whenever that text
-- changes. The embedding worker embeds rows whose `embedded_version` lags and records the
-- version it read: an edit made while it worked leaves the row behind again, never lost.
ALTER TABLE freelancer_profiles
    ADD COLUMN text_version     bigint NOT NULL DEFAULT 1,
    ADD COLUMN embedded_version bigint NOT NULL DEFAULT 0,
    ADD COLUMN embedding        vector(384),
    -- The usual week as minutes since Monday 00:00, a window past midnight running on into
    -- the next day, plus the same week again a week later so a Sunday night window covers
    -- Monday morning: a shift is covered when `week_minutes @> [start, end)`.
    ADD COLUMN week_minutes     int4multirange NOT NULL DEFAULT '{}',
    -- From contracts and ratings, kept by triggers: the average stars organisations gave
    -- (NULL before the first rating), and attendance, completed shifts over completed +
    -- no-shows + late cancellations by the freelancer (NULL before the first booking) — the
    -- same measure as `Reliability::attendance`.
    ADD COLUMN rating           real CHECK (rating BETWEEN 1 AND 5),
    ADD COLUMN attendance       real CHECK (attendance BETWEEN 0 AND 1),
    -- The skills as `skill:level`, kept by a trigger, so ranking reads them with the row.
    ADD COLUMN skill_levels     text[] NOT NULL DEFAULT '{}';

ALTER TABLE postings
    ADD COLUMN text_version     bigint NOT NULL DEFAULT 1,
    ADD COLUMN embedded_version bigint NOT NULL DEFAULT 0,
    ADD COLUMN embedding        vector(384);

-- Cosine distance (`<=>`), m 16, ef_construction 64. NULL embeddings (waiting for the worker)
-- are not in the index; the search adds them by the partial indexes below.
CREATE INDEX freelancer_profiles_embedding ON freelancer_profiles
    USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
CREATE INDEX postings_embedding ON postings
    USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
-- The embedding worker's queues.
CREATE INDEX freelancer_profiles_to_embed ON freelancer_profiles (user_id)
    WHERE embedded_version <> text_version;
CREATE INDEX postings_to_embed ON postings (posting_id)
    WHERE embedded_version <> text_version;
CREATE INDEX freelancer_profiles_min_rate ON freelancer_profiles (min_rate_cents);

-- Text versions.
CREATE FUNCTION bump_text_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.text_version := OLD.text_version + 1;
    RETURN NEW;
END $$;

CREATE TRIGGER freelancer_profiles_text BEFORE UPDATE ON freelancer_profiles FOR EACH ROW
    WHEN ((OLD.headline, OLD.bio, OLD.languages, OLD.city_id)
          IS DISTINCT FROM (NEW.headline, NEW.bio, NEW.languages, NEW.city_id))
    EXECUTE FUNCTION bump_text_version();
CREATE TRIGGER postings_text BEFORE UPDATE ON postings FOR EACH ROW
    WHEN ((OLD.title, OLD.description, OLD.kind, OLD.city_id)
          IS DISTINCT FROM (NEW.title, NEW.description, NEW.kind, NEW.city_id))
    EXECUTE FUNCTION bump_text_version();

CREATE FUNCTION freelancer_skill_levels(who uuid) RETURNS text[] LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(skill_id || ':' || level ORDER BY skill_id), '{}')
    FROM freelancer_skills WHERE user_id = who
$$;

CREATE FUNCTION freelancer_skills_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE freelancer_profiles
    SET text_version = text_version + 1, skill_levels = freelancer_skill_levels(user_id)
    WHERE user_id IN (SELECT user_id FROM changed);
    RETURN NULL;
END $$;
CREATE TRIGGER freelancer_skills_text_insert AFTER INSERT ON freelancer_skills
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION freelancer_skills_text();
CREATE TRIGGER freelancer_skills_text_delete AFTER DELETE ON freelancer_skills
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION freelancer_skills_text();
CREATE TRIGGER freelancer_skills_text_update AFTER UPDATE ON freelancer_skills
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION freelancer_skills_text();

CREATE FUNCTION posting_skills_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE postings SET text_version = text_version + 1
    WHERE posting_id IN (SELECT posting_id FROM changed);
    RETURN NULL;
END $$;
CREATE TRIGGER posting_skills_text_insert AFTER INSERT ON posting_skills
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION posting_skills_text();
CREATE TRIGGER posting_skills_text_delete AFTER DELETE ON posting_skills
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION posting_skills_text();
CREATE TRIGGER posting_skills_text_update AFTER UPDATE ON posting_skills
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION posting_skills_text();

-- The usual week in minutes.
CREATE FUNCTION availability_minutes(who uuid) RETURNS int4multirange
LANGUAGE sql STABLE AS $$
    SELECT coalesce(range_agg(int4range(w.s + copy.offset_minutes, w.e + copy.offset_minutes)),
                    '{}'::int4multirange)
    FROM (
        SELECT (a.weekday - 1) * 1440 + (extract(epoch FROM a.starts) / 60)::int AS s,
               (a.weekday - 1) * 1440 + (extract(epoch FROM a.ends) / 60)::int
                   + CASE WHEN a.ends > a.starts THEN 0 ELSE 1440 END AS e
        FROM freelancer_availability a
        WHERE a.user_id = who
    ) w
    CROSS JOIN (VALUES (0), (10080)) AS copy(offset_minutes)
$$;

CREATE FUNCTION freelancer_availability_week() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE freelancer_profiles p SET week_minutes = availability_minutes(p.user_id)
    WHERE p.user_id IN (SELECT user_id FROM changed);
    RETURN NULL;
END $$;
CREATE TRIGGER freelancer_availability_week_insert AFTER INSERT ON freelancer_availability
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION freelancer_availability_week();
CREATE TRIGGER freelancer_availability_week_delete AFTER DELETE ON freelancer_availability
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION freelancer_availability_week();
CREATE TRIGGER freelancer_availability_week_update AFTER UPDATE ON freelancer_availability
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION freelancer_availability_week();

-- Rating and attendance.
CREATE FUNCTION refresh_freelancer_record(who uuid) RETURNS void LANGUAGE sql AS $$
    UPDATE freelancer_profiles p
    SET rating = (SELECT avg(r.stars)::real
                  FROM contract_ratings r JOIN contracts c USING (contract_id)
                  WHERE c.freelancer_id = who AND r.by_side = 'organisation'),
        attendance = (
            SELECT (count(*) FILTER (WHERE c.status = 'completed'))::real / nullif(count(*), 0)
            FROM contracts c
            WHERE c.freelancer_id = who
              AND (c.status IN ('completed', 'no_show')
                   OR (c.status = 'cancelled' AND EXISTS (
                       SELECT 1 FROM contract_events e
                       WHERE e.contract_id = c.contract_id
                         AND e.kind = 'cancelled_by_freelancer' AND e.late))))
    WHERE p.user_id = who
$$;

CREATE FUNCTION contracts_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_freelancer_record(NEW.freelancer_id);
    RETURN NULL;
END $$;
CREATE TRIGGER contracts_record AFTER INSERT OR UPDATE OF status ON contracts
    FOR EACH ROW EXECUTE FUNCTION contracts_record();

CREATE FUNCTION contract_children_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_freelancer_record(c.freelancer_id)
    FROM contracts c WHERE c.contract_id = NEW.contract_id;
    RETURN NULL;
END $$;
CREATE TRIGGER contract_ratings_record AFTER INSERT OR UPDATE ON contract_ratings
    FOR EACH ROW WHEN (NEW.by_side = 'organisation')
    EXECUTE FUNCTION contract_children_record();
CREATE TRIGGER contract_events_record AFTER INSERT ON contract_events
    FOR EACH ROW WHEN (NEW.kind = 'cancelled_by_freelancer')
    EXECUTE FUNCTION contract_children_record();

-- Profiles that exist already.
UPDATE freelancer_profiles
SET week_minutes = availability_minutes(user_id), skill_levels = freelancer_skill_levels(user_id);
SELECT refresh_freelancer_record(user_id) FROM freelancer_profiles;
