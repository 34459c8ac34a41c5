-- The freelancers a posting may be offered to, nearest in meaning first, with what ranking
-- needs. The hard filters here are repeated in estimate.sql and (as flags) in fit.sql; the
-- matching tests check the three agree.
--
-- $1 reachable city ids, $2 their distance from the posting (km), $3 the hourly pay (NULL for a
-- fixed price), $4 its currency, $5 minimum attendance (NULL: any), $6 whether it is a shift
-- (availability and other bookings count), $7 its start as minutes since Monday 00:00 (Hire
-- time), $8 its length in minutes, $9 its first and $10 its last day, $11 and $12 its start and
-- end, $13 the certificate types it requires, $14 the posting (its applicants are left out),
-- $15 its embedding, $16 how many rows.
SELECT f.user_id, f.city_id, f.travel_km, f.min_rate_minor, f.rating, f.attendance,
       f.skill_levels,
       1 - (f.embedding <=> $15::real[]::vector) AS similarity
FROM freelancer_profiles f
WHERE f.city_id = ANY($1::text[])
  AND f.travel_km >= ($2::float8[])[array_position($1::text[], f.city_id)]
  AND ($3::bigint IS NULL OR (f.min_rate_minor <= $3 AND f.currency = $4::text))
  AND ($5::real IS NULL OR f.attendance >= $5)
  AND (NOT $6::bool OR (
        f.week_minutes @> int4range($7::int, $7::int + $8::int)
        AND NOT EXISTS (
            SELECT 1 FROM freelancer_days_off d
            WHERE d.user_id = f.user_id AND d.day BETWEEN $9::date AND $10::date)
        AND NOT EXISTS (
            SELECT 1 FROM contracts c JOIN postings b USING (posting_id)
            WHERE c.freelancer_id = f.user_id AND c.status = 'active' AND b.kind = 'shift'
              AND c.starts_at < $12::timestamptz AND c.ends_at > $11::timestamptz)))
  AND f.certificate_types @> $13::text[]
  AND NOT EXISTS (
        SELECT 1 FROM unnest($13::text[]) AS k(certificate_type_id)
        WHERE NOT EXISTS (
            SELECT 1 FROM freelancer_certificates v
            WHERE v.user_id = f.user_id AND v.certificate_type_id = k.certificate_type_id
              AND v.status = 'verified' AND (v.expires_on IS NULL OR v.expires_on >= $10::date)))
  AND NOT EXISTS (
        SELECT 1 FROM applications a WHERE a.posting_id = $14::uuid AND a.freelancer_id = f.user_id)
ORDER BY f.embedding <=> $15::real[]::vector
LIMIT $16
