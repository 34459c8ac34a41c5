-- How many freelancers pass a posting's hard filters, counted in a sample of the table: the
-- search's strategy depends on it. The filters are eligible.sql's, parameter for parameter
-- ($15 here is the sampled percentage of the table's pages).
SELECT count(*) AS "sampled!",
       count(*) FILTER (WHERE f.city_id = ANY($1::text[])
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
            SELECT 1 FROM applications a WHERE a.posting_id = $14::uuid AND a.freelancer_id = f.user_id)) AS "passing!"
FROM freelancer_profiles f TABLESAMPLE SYSTEM ($15::float4) REPEATABLE (17)
