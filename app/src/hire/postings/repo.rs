//! Shift and job queries: drafts, seats, lists and pages.

use crate::hire::postings::model::{
    Draft, JobInput, OrgShift, PayBasis, PostingDetail, PostingKind, PostingStatus, ShiftInput,
    ShiftSummary, ValidPosting, WorkFilter,
};
use crate::hire::reference::model::HIRE_CURRENCY;
use crate::hire::reference::repo::money;
use crate::hire::time::last_day;
use crate::ids::{OrganisationId, PostingId, UserId};
use crate::money::Money;
use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::PgConnection;

/// One row of the `shift_cards` view, with the distance from a home city when asked.
struct ShiftRow {
    posting_id: PostingId,
    kind: PostingKind,
    pay_basis: PayBasis,
    organisation_id: OrganisationId,
    organisation: String,
    organisation_slug: String,
    status: PostingStatus,
    title: String,
    city: String,
    starts_local: NaiveDateTime,
    ends_local: NaiveDateTime,
    break_minutes: i32,
    headcount: i32,
    seats_taken: i32,
    wage_minor: i64,
    currency: String,
    needs_certificates: bool,
    distance_km: Option<f64>,
}

impl From<ShiftRow> for ShiftSummary {
    fn from(r: ShiftRow) -> Self {
        ShiftSummary {
            id: r.posting_id,
            kind: r.kind,
            pay_basis: r.pay_basis,
            organisation_id: r.organisation_id,
            organisation: r.organisation,
            organisation_slug: r.organisation_slug,
            status: r.status,
            title: r.title,
            city: r.city,
            starts: r.starts_local,
            ends: r.ends_local,
            break_minutes: r.break_minutes,
            headcount: r.headcount,
            seats_taken: r.seats_taken,
            wage: money(r.wage_minor, &r.currency),
            needs_certificates: r.needs_certificates,
            distance_km: r.distance_km,
        }
    }
}

/// Save a shift or job as a draft: a new one, or the organisation's draft `id` of the same
/// kind rewritten. `false` when `id` exists but is not such a draft (nothing changes then).
pub async fn save_draft(
    conn: &mut PgConnection,
    id: PostingId,
    organisation: OrganisationId,
    by: UserId,
    shift: &ValidPosting,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "INSERT INTO postings (posting_id, organisation_id, kind, pay_basis, title, description,
                               city_id, address, starts_at, ends_at, break_minutes, headcount,
                               wage_minor, currency, created_by)
         VALUES ($1, $2, $14, $15, $3, $4, $5, $6,
                 hire_instant($7),
                 hire_instant($8), $9, $10, $11, $12, $13)
         ON CONFLICT (posting_id) DO UPDATE SET
             pay_basis = EXCLUDED.pay_basis,
             title = EXCLUDED.title, description = EXCLUDED.description,
             city_id = EXCLUDED.city_id, address = EXCLUDED.address,
             starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
             break_minutes = EXCLUDED.break_minutes, headcount = EXCLUDED.headcount,
             wage_minor = EXCLUDED.wage_minor, currency = EXCLUDED.currency
         WHERE postings.status = 'draft' AND postings.organisation_id = EXCLUDED.organisation_id
           AND postings.kind = EXCLUDED.kind",
        id.0,
        organisation.0,
        shift.title,
        shift.description,
        shift.city,
        shift.address,
        shift.starts,
        shift.ends,
        shift.break_minutes,
        shift.headcount,
        shift.wage.minor(),
        shift.wage.currency().code(),
        by.0,
        shift.kind as PostingKind,
        shift.pay_basis as PayBasis,
    )
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    replace_requirements(conn, id, shift).await?;
    Ok(true)
}

/// The posting's required skills and certificates become `shift`'s.
async fn replace_requirements(
    conn: &mut PgConnection,
    id: PostingId,
    shift: &ValidPosting,
) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM posting_skills WHERE posting_id = $1", id.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "DELETE FROM posting_certificates WHERE posting_id = $1",
        id.0
    )
    .execute(&mut *conn)
    .await?;
    let (skills, levels): (Vec<String>, Vec<i16>) = shift.skills.iter().cloned().unzip();
    sqlx::query!(
        "INSERT INTO posting_skills (posting_id, skill_id, min_level)
         SELECT $1, * FROM UNNEST($2::text[], $3::int2[])",
        id.0,
        &skills,
        &levels,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO posting_certificates (posting_id, certificate_type_id)
         SELECT $1, * FROM UNNEST($2::text[])",
        id.0,
        &shift.certificates,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A draft of the organisation as its form shows it, to edit; `None` for anything else.
pub async fn draft_input(
    conn: &mut PgConnection,
    organisation: OrganisationId,
    id: PostingId,
) -> Result<Option<Draft>, sqlx::Error> {
    let Some(row) = sqlx::query!(
        r#"SELECT kind AS "kind: PostingKind", pay_basis AS "pay_basis: PayBasis", title,
                  description, city_id, address, break_minutes, headcount, wage_minor,
                  hire_local(starts_at) AS "starts!",
                  hire_local(ends_at) AS "ends!"
           FROM postings WHERE posting_id = $1 AND organisation_id = $2 AND status = 'draft'"#,
        id.0,
        organisation.0
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let skills = sqlx::query!(
        "SELECT skill_id, min_level FROM posting_skills WHERE posting_id = $1",
        id.0
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|s| (s.skill_id, s.min_level.to_string()))
    .collect();
    let certificates = sqlx::query_scalar!(
        "SELECT certificate_type_id FROM posting_certificates WHERE posting_id = $1",
        id.0
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|c| (c, "on".to_owned()))
    .collect();
    let pay = Money::new(row.wage_minor, HIRE_CURRENCY).decimal();
    Ok(Some(match row.kind {
        PostingKind::Shift => Draft::Shift(ShiftInput {
            title: row.title,
            description: row.description,
            city: row.city_id,
            address: row.address,
            date: row.starts.format("%Y-%m-%d").to_string(),
            starts: row.starts.format("%H:%M").to_string(),
            ends: row.ends.format("%H:%M").to_string(),
            break_minutes: row.break_minutes.to_string(),
            headcount: row.headcount.to_string(),
            wage: pay,
            skills,
            certificates,
        }),
        PostingKind::Job => Draft::Job(JobInput {
            title: row.title,
            description: row.description,
            city: row.city_id,
            address: row.address,
            starts: row.starts.format("%Y-%m-%d").to_string(),
            ends: last_day(row.ends).format("%Y-%m-%d").to_string(),
            headcount: row.headcount.to_string(),
            pay_basis: row.pay_basis.db_name().to_owned(),
            pay,
            skills,
            certificates,
        }),
    }))
}

/// The shift's start as an instant, locked, if it belongs to `organisation`.
pub async fn lock_posting(
    conn: &mut PgConnection,
    organisation: OrganisationId,
    posting: PostingId,
) -> Result<Option<(PostingStatus, DateTime<Utc>)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT status AS "status: PostingStatus", starts_at FROM postings
           WHERE posting_id = $1 AND organisation_id = $2 FOR UPDATE"#,
        posting.0,
        organisation.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.status, r.starts_at)))
}

/// Move a posting from `from` to `to`; `false` when it was no longer in `from`.
pub async fn set_posting_status(
    conn: &mut PgConnection,
    posting: PostingId,
    from: PostingStatus,
    to: PostingStatus,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE postings SET status = $3::posting_status,
                published_at = CASE WHEN $3::posting_status = 'published'
                                    THEN coalesce(published_at, $4) ELSE published_at END
         WHERE posting_id = $1 AND status = $2",
        posting.0,
        from as PostingStatus,
        to as PostingStatus,
        now,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Take one seat of an open (or closed to new applicants) posting: `false` when every seat is
/// taken or the posting is not hiring. The last seat marks an open posting filled.
pub async fn take_seat(conn: &mut PgConnection, posting: PostingId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE postings SET seats_taken = seats_taken + 1,
                status = CASE WHEN status = 'published' AND seats_taken + 1 = headcount
                              THEN 'filled'::posting_status ELSE status END
         WHERE posting_id = $1 AND status IN ('published', 'closed') AND seats_taken < headcount",
        posting.0
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Give a seat back; a filled posting whose shift has not started opens again.
pub async fn free_seat(
    conn: &mut PgConnection,
    posting: PostingId,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE postings SET seats_taken = seats_taken - 1,
                status = CASE WHEN status = 'filled' AND starts_at > $2
                              THEN 'published'::posting_status ELSE status END
         WHERE posting_id = $1 AND seats_taken > 0",
        posting.0,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The shifts `ids` as lists show them, in that order, with their distance from `viewer`'s
/// home when they have a profile.
pub async fn cards(
    conn: &mut PgConnection,
    ids: &[uuid::Uuid],
    viewer: Option<UserId>,
) -> Result<Vec<ShiftSummary>, sqlx::Error> {
    let rows = sqlx::query_as!(
        ShiftRow,
        r#"
        SELECT s.posting_id AS "posting_id!: PostingId",
               s.kind AS "kind!: PostingKind", s.pay_basis AS "pay_basis!: PayBasis",
               s.organisation_id AS "organisation_id!: OrganisationId",
               s.organisation AS "organisation!", s.organisation_slug AS "organisation_slug!",
               s.status AS "status!: PostingStatus", s.title AS "title!", s.city AS "city!",
               s.starts_local AS "starts_local!", s.ends_local AS "ends_local!",
               s.break_minutes AS "break_minutes!", s.headcount AS "headcount!",
               s.seats_taken AS "seats_taken!", s.wage_minor AS "wage_minor!",
               s.currency AS "currency!",
               EXISTS (SELECT 1 FROM posting_certificates pc
                       WHERE pc.posting_id = s.posting_id) AS "needs_certificates!",
               (SELECT earth_distance(ll_to_earth(c.latitude, c.longitude),
                                      ll_to_earth(s.latitude, s.longitude)) / 1000
                FROM freelancer_profiles f JOIN cities c USING (city_id)
                WHERE f.user_id = $2) AS distance_km
        FROM shift_cards s
        WHERE s.posting_id = ANY($1)
        "#,
        ids,
        viewer.map(|v| v.0),
    )
    .fetch_all(conn)
    .await?;
    let mut by_id: std::collections::HashMap<uuid::Uuid, ShiftSummary> = rows
        .into_iter()
        .map(|r| (r.posting_id.0, ShiftSummary::from(r)))
        .collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// Open shifts and jobs, soonest first: for a freelancer, those within their radius (or
/// `within_km`); without one, all of them.
pub async fn open_shifts(
    conn: &mut PgConnection,
    freelancer: Option<UserId>,
    filter: &WorkFilter,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<(Vec<ShiftSummary>, i64), sqlx::Error> {
    let offset = crate::ui::page_offset(filter.page, limit);
    // The total counts every match, so a page past the last one still says how many there are.
    let found = sqlx::query!(
        r#"
        WITH home AS (
            SELECT c.latitude, c.longitude, p.travel_km
            FROM freelancer_profiles p JOIN cities c USING (city_id) WHERE p.user_id = $1
        ),
        matching AS (
            SELECT s.posting_id, s.starts_at
            FROM shift_cards s
            LEFT JOIN home h ON true
            WHERE s.status = 'published' AND s.starts_at > $2
              AND (h.latitude IS NULL OR earth_distance(ll_to_earth(h.latitude, h.longitude),
                       ll_to_earth(s.latitude, s.longitude)) <= coalesce($3, h.travel_km) * 1000.0)
              AND ($4::bigint IS NULL OR (s.pay_basis = 'hourly' AND s.wage_minor >= $4))
              AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM posting_skills k
                                              WHERE k.posting_id = s.posting_id AND k.skill_id = $5))
              AND ($6::date IS NULL OR s.starts_local >= $6)
        )
        SELECT (SELECT count(*) FROM matching) AS "total!",
               ARRAY(SELECT posting_id FROM matching ORDER BY starts_at, posting_id
                     LIMIT $7 OFFSET $8) AS "ids!"
        "#,
        freelancer.map(|f| f.0),
        now,
        filter.within_km,
        filter.min_wage_minor,
        filter.skill,
        filter.from,
        limit,
        offset,
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok((cards(conn, &found.ids, freelancer).await?, found.total))
}

/// A shift with its description, address and required skills. `organisation` scopes it to
/// its owner (drafts included); without it only shifts that were published are found.
pub async fn shift(
    conn: &mut PgConnection,
    posting: PostingId,
    organisation: Option<OrganisationId>,
    viewer: Option<UserId>,
) -> Result<Option<PostingDetail>, sqlx::Error> {
    let Some(row) = sqlx::query!(
        "SELECT description, address FROM postings
         WHERE posting_id = $1
           AND CASE WHEN $2::uuid IS NULL THEN published_at IS NOT NULL
                    ELSE organisation_id = $2 END",
        posting.0,
        organisation.map(|o| o.0),
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let skills = sqlx::query!(
        "SELECT s.skill_id, s.name, k.min_level FROM posting_skills k JOIN skills s USING (skill_id)
         WHERE k.posting_id = $1 ORDER BY s.name",
        posting.0
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.skill_id, r.name, r.min_level))
    .collect();
    let certificates = sqlx::query!(
        "SELECT t.certificate_type_id, t.name FROM posting_certificates k
         JOIN certificate_types t USING (certificate_type_id)
         WHERE k.posting_id = $1 ORDER BY t.name",
        posting.0
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.certificate_type_id, r.name))
    .collect();
    let Some(summary) = cards(&mut *conn, &[posting.0], viewer).await?.pop() else {
        return Ok(None);
    };
    let organisation_rating = organisation_rating(conn, summary.organisation_id).await?;
    Ok(Some(PostingDetail {
        summary,
        description: row.description,
        address: row.address,
        skills,
        certificates,
        organisation_rating,
    }))
}

/// What freelancers said of an organisation: (average stars, count).
pub async fn organisation_rating(
    conn: &mut PgConnection,
    organisation: OrganisationId,
) -> Result<(Option<f64>, i64), sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT avg(r.stars)::float8 AS average, count(*) AS "count!"
           FROM contract_ratings r JOIN contracts c USING (contract_id)
           WHERE c.organisation_id = $1 AND r.by_side = 'freelancer'"#,
        organisation.0
    )
    .fetch_one(conn)
    .await?;
    Ok((row.average, row.count))
}

/// An organisation's shifts, latest first, with applicants and timesheets waiting.
pub async fn organisation_shifts(
    conn: &mut PgConnection,
    organisation: OrganisationId,
) -> Result<Vec<OrgShift>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        SELECT p.posting_id,
               (SELECT count(*) FROM applications a
                WHERE a.posting_id = p.posting_id AND a.status = 'applied') AS "applicants!",
               (SELECT count(*) FROM timesheets t JOIN contracts c USING (contract_id)
                WHERE c.posting_id = p.posting_id AND t.status = 'submitted')
               + (SELECT count(*) FROM deliveries d JOIN contracts c USING (contract_id)
                  WHERE c.posting_id = p.posting_id AND d.status = 'submitted') AS "waiting!"
        FROM postings p
        WHERE p.organisation_id = $1
        ORDER BY p.starts_at DESC, p.posting_id
        LIMIT 200
        "#,
        organisation.0
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.posting_id).collect();
    let shifts = cards(conn, &ids, None).await?;
    Ok(shifts
        .into_iter()
        .zip(rows)
        .map(|(shift, r)| OrgShift {
            shift,
            applicants: r.applicants,
            timesheets_waiting: r.waiting,
        })
        .collect())
}
