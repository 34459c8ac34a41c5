-- Indexes that let the candidate search's exact path narrow by its hard filters before it
-- reads profile rows (measured: a 1 % search at 100k profiles read ~10k rows without them).
--
-- The certificate types a freelancer holds verified (expired or not: the search still checks
-- the date row by row), kept by a trigger, so "holds a food hygiene certificate" is a GIN
-- lookup rather than a probe per profile.
ALTER TABLE freelancer_profiles
    ADD COLUMN certificate_types text[] NOT NULL DEFAULT '{}';

CREATE FUNCTION freelancer_certificate_types(who uuid) RETURNS text[] LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT certificate_type_id ORDER BY certificate_type_id), '{}')
    FROM freelancer_certificates WHERE user_id = who AND status = 'verified'
$$;

CREATE FUNCTION freelancer_certificates_types() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE freelancer_profiles p SET certificate_types = freelancer_certificate_types(p.user_id)
    WHERE p.user_id IN (SELECT user_id FROM changed);
    RETURN NULL;
END $$;
CREATE TRIGGER freelancer_certificates_types_insert AFTER INSERT ON freelancer_certificates
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION freelancer_certificates_types();
CREATE TRIGGER freelancer_certificates_types_update AFTER UPDATE ON freelancer_certificates
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION freelancer_certificates_types();
CREATE TRIGGER freelancer_certificates_types_delete AFTER DELETE ON freelancer_certificates
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION freelancer_certificates_types();

UPDATE freelancer_profiles SET certificate_types = freelancer_certificate_types(user_id);

CREATE INDEX freelancer_profiles_certificate_types ON freelancer_profiles USING gin (certificate_types);
-- Within reach and paying enough: one range scan per reachable city.
CREATE INDEX freelancer_profiles_city_rate ON freelancer_profiles (city_id, min_rate_cents);
DROP INDEX freelancer_profiles_min_rate;
