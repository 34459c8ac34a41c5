-- Given freelancers measured against a posting: what ranking needs, and each of eligible.sql's
-- hard filters as a flag (applicants are shown which they fail). Parameters $1–$13 are
-- eligible.sql's; $14 the freelancers, $15 the posting's embedding, $16/$17 its latitude and
-- longitude.
SELECT f.user_id, person_name(f.user_id) AS "name!: crate::vault::Sealed", f.headline,
       ci.name AS city,
       earth_distance(ll_to_earth($16::float8, $17::float8),
                      ll_to_earth(ci.latitude, ci.longitude)) / 1000 AS "km!",
       f.travel_km, f.min_rate_minor, f.rating, f.attendance, f.skill_levels,
       1 - (f.embedding <=> $15::real[]::vector) AS similarity,
       (f.city_id = ANY($1::text[])
        AND f.travel_km >= ($2::float8[])[array_position($1::text[], f.city_id)]) AS "near!",
       ($3::bigint IS NULL OR (f.min_rate_minor <= $3 AND f.currency = $4::text)) AS "paid_enough!",
       ($5::real IS NULL OR coalesce(f.attendance >= $5, false)) AS "reliable!",
       (NOT $6::bool OR f.week_minutes @> int4range($7::int, $7::int + $8::int)) AS "available!",
       (NOT $6::bool OR NOT EXISTS (
            SELECT 1 FROM freelancer_days_off d
            WHERE d.user_id = f.user_id AND d.day BETWEEN $9::date AND $10::date)) AS "not_off!",
       (NOT $6::bool OR NOT EXISTS (
            SELECT 1 FROM contracts c JOIN postings b USING (posting_id)
            WHERE c.freelancer_id = f.user_id AND c.status = 'active' AND b.kind = 'shift'
              AND c.starts_at < $12::timestamptz AND c.ends_at > $11::timestamptz)) AS "free!",
       ARRAY(
            SELECT k.certificate_type_id FROM unnest($13::text[]) AS k(certificate_type_id)
            WHERE NOT EXISTS (
                SELECT 1 FROM freelancer_certificates v
                WHERE v.user_id = f.user_id AND v.certificate_type_id = k.certificate_type_id
                  AND v.status = 'verified'
                  AND (v.expires_on IS NULL OR v.expires_on >= $10::date))
            ORDER BY 1) AS "missing_certificates!"
FROM unnest($14::uuid[]) AS i(user_id)
JOIN freelancer_profiles f USING (user_id)
JOIN cities ci ON ci.city_id = f.city_id
