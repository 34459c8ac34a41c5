//! Hire queries. Each takes a connection; the caller owns any transaction.

use crate::hire::applications::model::{Applicant, ApplicationStatus, MyApplication, PastWorker};
use crate::hire::contracts::model::{
    ContractEvent, ContractEventKind, ContractStatus, ContractView, Delivery, Timesheet,
    TimesheetStatus, ValidHours,
};
use crate::hire::postings::model::{
    Draft, JobInput, OrgShift, PayBasis, PostingKind, PostingStatus, ShiftInput, ShiftSummary,
    ValidPosting, WorkFilter,
};
use crate::hire::profiles::model::{Availability, Profile, Reliability, ValidProfile};
use crate::hire::ratings::model::{Rating, ValidRating};
use crate::hire::reference::Side;
use crate::hire::reference::{
    CertificateType, City, HIRE_CURRENCY, Reference, Skill, SkillCategory,
};
use crate::hire::time::last_day;
use crate::hire::views::ShiftDetail;
use crate::ids::{
    ApplicationId, ContractEventId, ContractId, OrganisationId, PostingId, TimesheetId, UserId,
};
use crate::money::Money;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use sqlx::PgConnection;

pub async fn reference(conn: &mut PgConnection) -> Result<Reference, sqlx::Error> {
    let cities = sqlx::query_as!(
        City,
        r#"SELECT city_id AS id, name, country AS "country!", latitude, longitude
           FROM cities ORDER BY country, name"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let rows = sqlx::query!(
        r#"SELECT c.category_id, c.name AS category, s.skill_id, s.name
           FROM skill_categories c JOIN skills s USING (category_id)
           ORDER BY c.position, s.name"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut skills: Vec<SkillCategory> = Vec::new();
    for row in rows {
        let skill = Skill {
            id: row.skill_id,
            name: row.name,
        };
        match skills.last_mut() {
            Some(category) if category.id == row.category_id => category.skills.push(skill),
            Some(_) | None => skills.push(SkillCategory {
                id: row.category_id,
                name: row.category,
                skills: vec![skill],
            }),
        }
    }
    let certificates = sqlx::query_as!(
        CertificateType,
        "SELECT certificate_type_id AS id, name, expires FROM certificate_types ORDER BY name"
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Reference {
        cities,
        skills,
        certificates,
    })
}

/// Whether `city` is in the bundled list, every one of `skills` in the taxonomy and every one
/// of `certificates` a known certificate type.
pub async fn known_references(
    conn: &mut PgConnection,
    city: &str,
    skills: &[String],
    certificates: &[String],
) -> Result<(bool, bool, bool), sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT EXISTS (SELECT 1 FROM cities WHERE city_id = $1) AS "city!",
                  (SELECT count(*) FROM skills WHERE skill_id = ANY($2)) = cardinality($2::text[])
                      AS "skills!",
                  (SELECT count(*) FROM certificate_types WHERE certificate_type_id = ANY($3))
                      = cardinality($3::text[]) AS "certificates!""#,
        city,
        skills,
        certificates
    )
    .fetch_one(conn)
    .await?;
    Ok((row.city, row.skills, row.certificates))
}

/// Cities within `km` of `city` (itself included), nearest first, with their distance in km
/// as the crow flies.
pub async fn cities_within(
    conn: &mut PgConnection,
    city: &str,
    km: f64,
) -> Result<Vec<(City, f64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        SELECT c.city_id, c.name, c.country AS "country!", c.latitude, c.longitude,
               earth_distance(ll_to_earth(o.latitude, o.longitude),
                              ll_to_earth(c.latitude, c.longitude)) / 1000 AS "km!"
        FROM cities o
        JOIN cities c
          ON earth_box(ll_to_earth(o.latitude, o.longitude), $2::float8 * 1000)
             @> ll_to_earth(c.latitude, c.longitude)
         AND earth_distance(ll_to_earth(o.latitude, o.longitude),
                            ll_to_earth(c.latitude, c.longitude)) <= $2::float8 * 1000
        WHERE o.city_id = $1
        ORDER BY 6, c.city_id
        "#,
        city,
        km,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                City {
                    id: r.city_id,
                    name: r.name,
                    country: r.country,
                    latitude: r.latitude,
                    longitude: r.longitude,
                },
                r.km,
            )
        })
        .collect())
}

// ---- Profiles ----------------------------------------------------------------------------

/// Amounts the Hire tables hold; they only ever write euros.
fn money(minor: i64, currency: &str) -> Money {
    Money::from_parts(minor, currency).unwrap_or_else(|_| Money::new(minor, HIRE_CURRENCY))
}

pub async fn save_profile(
    conn: &mut PgConnection,
    user: UserId,
    profile: &ValidProfile,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO freelancer_profiles
               (user_id, headline, bio, city_id, travel_km, min_rate_minor, currency, languages)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (user_id) DO UPDATE SET
               headline = EXCLUDED.headline, bio = EXCLUDED.bio, city_id = EXCLUDED.city_id,
               travel_km = EXCLUDED.travel_km, min_rate_minor = EXCLUDED.min_rate_minor,
               currency = EXCLUDED.currency, languages = EXCLUDED.languages"#,
        user.0,
        profile.headline,
        profile.bio,
        profile.city,
        profile.travel_km,
        profile.min_rate.minor(),
        profile.min_rate.currency().code(),
        &profile.languages,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("DELETE FROM freelancer_skills WHERE user_id = $1", user.0)
        .execute(&mut *conn)
        .await?;
    let (skills, levels): (Vec<String>, Vec<i16>) = profile.skills.iter().cloned().unzip();
    sqlx::query!(
        "INSERT INTO freelancer_skills (user_id, skill_id, level)
         SELECT $1, * FROM UNNEST($2::text[], $3::int2[])",
        user.0,
        &skills,
        &levels,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "DELETE FROM freelancer_availability WHERE user_id = $1",
        user.0
    )
    .execute(&mut *conn)
    .await?;
    let days: Vec<i16> = profile.week.iter().map(|a| a.weekday).collect();
    let starts: Vec<chrono::NaiveTime> = profile.week.iter().map(|a| a.starts).collect();
    let ends: Vec<chrono::NaiveTime> = profile.week.iter().map(|a| a.ends).collect();
    sqlx::query!(
        "INSERT INTO freelancer_availability (user_id, weekday, starts, ends)
         SELECT $1, * FROM UNNEST($2::int2[], $3::time[], $4::time[])",
        user.0,
        &days,
        &starts,
        &ends,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// `false` when the day was already off.
pub async fn add_day_off(
    conn: &mut PgConnection,
    user: UserId,
    day: NaiveDate,
    note: &str,
) -> Result<bool, sqlx::Error> {
    let added = sqlx::query!(
        "INSERT INTO freelancer_days_off (user_id, day, note) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
        user.0,
        day,
        note,
    )
    .execute(conn)
    .await?;
    Ok(added.rows_affected() == 1)
}

pub async fn remove_day_off(
    conn: &mut PgConnection,
    user: UserId,
    day: NaiveDate,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM freelancer_days_off WHERE user_id = $1 AND day = $2",
        user.0,
        day
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn has_profile(conn: &mut PgConnection, user: UserId) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM freelancer_profiles WHERE user_id = $1) AS "exists!""#,
        user.0
    )
    .fetch_one(conn)
    .await
}

/// Derived from contracts and timesheets: nothing is stored that could drift.
pub async fn reliability(
    conn: &mut PgConnection,
    users: &[UserId],
) -> Result<Vec<(UserId, Reliability)>, sqlx::Error> {
    let ids: Vec<uuid::Uuid> = users.iter().map(|u| u.0).collect();
    let rows = sqlx::query!(
        r#"
        SELECT u.id AS "user_id!",
               count(*) FILTER (WHERE c.status = 'completed') AS "completed!",
               count(*) FILTER (WHERE c.status = 'no_show') AS "no_shows!",
               count(*) FILTER (WHERE c.status = 'cancelled' AND EXISTS (
                   SELECT 1 FROM contract_events e
                   WHERE e.contract_id = c.contract_id
                     AND e.kind = 'cancelled_by_freelancer' AND e.late)) AS "late!",
               count(*) FILTER (WHERE c.status = 'completed'
                   AND t.worked_from <= c.starts_at + interval '5 minutes') AS "on_time!",
               count(r.stars) AS "ratings!",
               coalesce(sum(r.stars), 0) AS "stars!"
        FROM UNNEST($1::uuid[]) AS u(id)
        LEFT JOIN contracts c ON c.freelancer_id = u.id
        LEFT JOIN timesheets t ON t.contract_id = c.contract_id
        LEFT JOIN contract_ratings r
               ON r.contract_id = c.contract_id AND r.by_side = 'organisation'
        GROUP BY u.id
        "#,
        &ids
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                UserId(r.user_id),
                Reliability {
                    completed: r.completed,
                    no_shows: r.no_shows,
                    late_cancellations: r.late,
                    on_time: r.on_time,
                    ratings: r.ratings,
                    stars: r.stars,
                },
            )
        })
        .collect())
}

pub async fn profile(
    conn: &mut PgConnection,
    user: UserId,
) -> Result<Option<Profile>, sqlx::Error> {
    let Some(row) = sqlx::query!(
        r#"SELECT u.display_name, p.headline, p.bio, p.travel_km, p.min_rate_minor, p.currency,
                  p.languages, c.city_id, c.name AS city, c.country AS "country!", c.latitude,
                  c.longitude
           FROM freelancer_profiles p
           JOIN users u ON u.user_id = p.user_id
           JOIN cities c USING (city_id)
           WHERE p.user_id = $1"#,
        user.0
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let skills = sqlx::query!(
        "SELECT s.skill_id, s.name, f.level FROM freelancer_skills f JOIN skills s USING (skill_id)
         WHERE f.user_id = $1 ORDER BY f.level DESC, s.name",
        user.0
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.skill_id, r.name, r.level))
    .collect();
    let week = sqlx::query_as!(
        Availability,
        "SELECT weekday, starts, ends FROM freelancer_availability WHERE user_id = $1
         ORDER BY weekday",
        user.0
    )
    .fetch_all(&mut *conn)
    .await?;
    let days_off = sqlx::query_scalar!(
        "SELECT day FROM freelancer_days_off WHERE user_id = $1 ORDER BY day",
        user.0
    )
    .fetch_all(&mut *conn)
    .await?;
    let certificates = super::certificates::service::of(&mut *conn, user).await?;
    let reliability = reliability(conn, &[user])
        .await?
        .pop()
        .map(|(_, r)| r)
        .unwrap_or_default();
    Ok(Some(Profile {
        user_id: user,
        display_name: row.display_name,
        headline: row.headline,
        bio: row.bio,
        city: City {
            id: row.city_id,
            name: row.city,
            country: row.country,
            latitude: row.latitude,
            longitude: row.longitude,
        },
        travel_km: row.travel_km,
        min_rate: money(row.min_rate_minor, &row.currency),
        languages: row.languages,
        skills,
        week,
        days_off,
        availability_shown: true,
        reliability,
        certificates,
    }))
}

// ---- Shifts ------------------------------------------------------------------------------

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

/// Open shifts a freelancer can apply to within their radius (or `within_km`), soonest first.
pub async fn open_shifts(
    conn: &mut PgConnection,
    freelancer: UserId,
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
        freelancer.0,
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
    Ok((
        cards(conn, &found.ids, Some(freelancer)).await?,
        found.total,
    ))
}

/// A shift with its description, address and required skills. `organisation` scopes it to
/// its owner (drafts included); without it only shifts that were published are found.
pub async fn shift(
    conn: &mut PgConnection,
    posting: PostingId,
    organisation: Option<OrganisationId>,
    viewer: Option<UserId>,
) -> Result<Option<ShiftDetail>, sqlx::Error> {
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
    Ok(Some(ShiftDetail {
        summary,
        description: row.description,
        address: row.address,
        skills,
        certificates,
        organisation_rating,
        mine: None,
        can_apply: false,
        missing_certificates: Vec::new(),
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

// ---- Applications ------------------------------------------------------------------------

/// A new application or invitation.
pub struct NewApplication<'a> {
    pub id: ApplicationId,
    pub posting: PostingId,
    pub organisation: OrganisationId,
    pub freelancer: UserId,
    /// `Applied` when the freelancer applies, `Invited` when a manager invites.
    pub status: ApplicationStatus,
    pub note: &'a str,
    /// The freelancer's own rate or price for a job.
    pub proposed: Option<Money>,
    pub invited_by: Option<UserId>,
}

/// Insert an application, or turn the freelancer's invitation to the posting into one. The
/// id of the row written; `None` when the freelancer already applied or was already invited.
pub async fn insert_application(
    conn: &mut PgConnection,
    new: &NewApplication<'_>,
) -> Result<Option<ApplicationId>, sqlx::Error> {
    let id = sqlx::query_scalar!(
        "INSERT INTO applications (application_id, posting_id, organisation_id, freelancer_id,
                                   status, note, invited_by, proposed_minor)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (posting_id, freelancer_id) DO UPDATE
             SET status = 'applied', note = EXCLUDED.note, proposed_minor = EXCLUDED.proposed_minor
             WHERE applications.status = 'invited' AND EXCLUDED.status = 'applied'
         RETURNING application_id",
        new.id.0,
        new.posting.0,
        new.organisation.0,
        new.freelancer.0,
        new.status as ApplicationStatus,
        new.note,
        new.invited_by.map(|u| u.0),
        new.proposed.map(Money::minor),
    )
    .fetch_optional(conn)
    .await?;
    Ok(id.map(ApplicationId))
}

/// Freelancers who completed a contract for the organisation and are not yet on `posting`
/// (applied, invited or otherwise), most shifts first: the people a manager invites back.
pub async fn past_workers(
    conn: &mut PgConnection,
    organisation: OrganisationId,
    posting: PostingId,
) -> Result<Vec<PastWorker>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        SELECT c.freelancer_id, u.display_name, p.headline, ci.name AS city,
               count(*) AS "shifts!"
        FROM contracts c
        JOIN users u ON u.user_id = c.freelancer_id
        JOIN freelancer_profiles p ON p.user_id = c.freelancer_id
        JOIN cities ci ON ci.city_id = p.city_id
        WHERE c.organisation_id = $1 AND c.status = 'completed'
          AND NOT EXISTS (SELECT 1 FROM applications a
                          WHERE a.posting_id = $2 AND a.freelancer_id = c.freelancer_id)
        GROUP BY c.freelancer_id, u.display_name, p.headline, ci.name
        ORDER BY count(*) DESC, u.display_name, c.freelancer_id
        LIMIT 20
        "#,
        organisation.0,
        posting.0
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| PastWorker {
            freelancer_id: UserId(r.freelancer_id),
            name: r.display_name,
            headline: r.headline,
            city: r.city,
            shifts: r.shifts,
        })
        .collect())
}

/// The organisations' open, upcoming shifts `freelancer` is not yet on: what a manager of
/// them can invite the freelancer to.
pub async fn invitable_shifts(
    conn: &mut PgConnection,
    organisations: &[uuid::Uuid],
    freelancer: UserId,
    now: DateTime<Utc>,
) -> Result<Vec<ShiftSummary>, sqlx::Error> {
    let ids = sqlx::query_scalar!(
        "SELECT posting_id FROM postings p
         WHERE organisation_id = ANY($1) AND status = 'published' AND starts_at > $3
           AND NOT EXISTS (SELECT 1 FROM applications a
                           WHERE a.posting_id = p.posting_id AND a.freelancer_id = $2)
         ORDER BY starts_at, posting_id
         LIMIT 100",
        organisations,
        freelancer.0,
        now
    )
    .fetch_all(&mut *conn)
    .await?;
    cards(conn, &ids, None).await
}

#[derive(Clone, Copy, Debug)]
pub struct LockedApplication {
    pub status: ApplicationStatus,
    pub posting: PostingId,
    pub organisation: OrganisationId,
    pub freelancer: UserId,
}

pub async fn lock_application(
    conn: &mut PgConnection,
    id: ApplicationId,
) -> Result<Option<LockedApplication>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT status AS "status: ApplicationStatus", posting_id, organisation_id, freelancer_id
           FROM applications WHERE application_id = $1 FOR UPDATE"#,
        id.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| LockedApplication {
        status: r.status,
        posting: PostingId(r.posting_id),
        organisation: OrganisationId(r.organisation_id),
        freelancer: UserId(r.freelancer_id),
    }))
}

pub async fn set_application_status(
    conn: &mut PgConnection,
    id: ApplicationId,
    from: ApplicationStatus,
    to: ApplicationStatus,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE applications SET status = $3::application_status, reason = $4,
                offered_at = CASE WHEN $3::application_status = 'offered' THEN $5 ELSE offered_at END
         WHERE application_id = $1 AND status = $2",
        id.0,
        from as ApplicationStatus,
        to as ApplicationStatus,
        reason,
        now,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn my_applications(
    conn: &mut PgConnection,
    freelancer: UserId,
    posting: Option<PostingId>,
) -> Result<Vec<MyApplication>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        SELECT application_id, posting_id, status AS "status: ApplicationStatus", note, reason
        FROM applications
        WHERE freelancer_id = $1 AND ($2::uuid IS NULL OR posting_id = $2)
        ORDER BY created_at DESC
        LIMIT 200
        "#,
        freelancer.0,
        posting.map(|p| p.0),
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.posting_id).collect();
    let shifts = cards(conn, &ids, Some(freelancer)).await?;
    Ok(shifts
        .into_iter()
        .zip(rows)
        .map(|(shift, r)| MyApplication {
            id: ApplicationId(r.application_id),
            status: r.status,
            note: r.note,
            reason: r.reason,
            shift,
        })
        .collect())
}

pub async fn applicants(
    conn: &mut PgConnection,
    organisation: OrganisationId,
    posting: PostingId,
) -> Result<Vec<Applicant>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        SELECT a.application_id, a.freelancer_id, u.display_name, p.headline, c.name AS city,
               a.status AS "status: ApplicationStatus", a.note, a.reason, a.proposed_minor
        FROM applications a
        JOIN users u ON u.user_id = a.freelancer_id
        JOIN freelancer_profiles p ON p.user_id = a.freelancer_id
        JOIN cities c ON c.city_id = p.city_id
        WHERE a.organisation_id = $1 AND a.posting_id = $2
        ORDER BY a.created_at
        "#,
        organisation.0,
        posting.0
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<UserId> = rows.iter().map(|r| UserId(r.freelancer_id)).collect();
    let stats = reliability(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| Applicant {
            id: ApplicationId(r.application_id),
            freelancer_id: UserId(r.freelancer_id),
            reliability: stats
                .iter()
                .find(|(u, _)| u.0 == r.freelancer_id)
                .map(|(_, s)| *s)
                .unwrap_or_default(),
            name: r.display_name,
            headline: r.headline,
            city: r.city,
            status: r.status,
            note: r.note,
            reason: r.reason,
            proposed: r.proposed_minor.map(|c| Money::new(c, HIRE_CURRENCY)),
            fit: None,
        })
        .collect())
}

// ---- Contracts ---------------------------------------------------------------------------

/// A contract on the posting's terms as they stand now, at the freelancer's proposed rate or
/// price when they made one (the organisation offered on it).
pub async fn insert_contract(
    conn: &mut PgConnection,
    id: ContractId,
    application: ApplicationId,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO contracts (contract_id, application_id, posting_id, organisation_id,
                                freelancer_id, starts_at, ends_at, break_minutes, wage_minor,
                                currency, pay_basis)
         SELECT $1, a.application_id, a.posting_id, a.organisation_id, a.freelancer_id,
                p.starts_at, p.ends_at, p.break_minutes,
                coalesce(a.proposed_minor, p.wage_minor), p.currency, p.pay_basis
         FROM applications a JOIN postings p USING (posting_id)
         WHERE a.application_id = $2",
        id.0,
        application.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub struct NewEvent<'a> {
    pub contract: ContractId,
    pub kind: ContractEventKind,
    pub late: bool,
    pub amount: Money,
    pub reason: &'a str,
    pub by: Option<UserId>,
    pub at: DateTime<Utc>,
}

pub async fn record_event(conn: &mut PgConnection, event: NewEvent<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO contract_events (event_id, contract_id, kind, late, amount_minor, currency,
                                      reason, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        ContractEventId(uuid::Uuid::now_v7()).0,
        event.contract.0,
        event.kind as ContractEventKind,
        event.late,
        event.amount.minor(),
        event.amount.currency().code(),
        event.reason,
        event.by.map(|u| u.0),
        event.at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Clone, Copy, Debug)]
pub struct LockedContract {
    pub status: ContractStatus,
    /// A shift's contract or a job's, and how it pays.
    pub kind: PostingKind,
    pub pay_basis: PayBasis,
    pub posting: PostingId,
    pub organisation: OrganisationId,
    pub freelancer: UserId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub break_minutes: i32,
    pub wage: Money,
}

pub async fn lock_contract(
    conn: &mut PgConnection,
    id: ContractId,
) -> Result<Option<LockedContract>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT c.status AS "status: ContractStatus", p.kind AS "kind: PostingKind",
                  c.pay_basis AS "pay_basis: PayBasis", c.posting_id, c.organisation_id,
                  c.freelancer_id, c.starts_at, c.ends_at, c.break_minutes, c.wage_minor,
                  c.currency
           FROM contracts c JOIN postings p USING (posting_id)
           WHERE c.contract_id = $1 FOR UPDATE OF c"#,
        id.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| LockedContract {
        status: r.status,
        kind: r.kind,
        pay_basis: r.pay_basis,
        posting: PostingId(r.posting_id),
        organisation: OrganisationId(r.organisation_id),
        freelancer: UserId(r.freelancer_id),
        starts_at: r.starts_at,
        ends_at: r.ends_at,
        break_minutes: r.break_minutes,
        wage: money(r.wage_minor, &r.currency),
    }))
}

pub async fn set_contract_status(
    conn: &mut PgConnection,
    id: ContractId,
    from: ContractStatus,
    to: ContractStatus,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE contracts SET status = $3 WHERE contract_id = $1 AND status = $2",
        id.0,
        from as ContractStatus,
        to as ContractStatus,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whose contracts to list.
#[derive(Clone, Copy, Debug)]
pub enum ContractScope {
    Freelancer(UserId),
    Posting(OrganisationId, PostingId),
    /// The organisation's contracts with hours waiting for an answer.
    Waiting(OrganisationId),
}

pub async fn contracts(
    conn: &mut PgConnection,
    scope: ContractScope,
    now: DateTime<Utc>,
) -> Result<Vec<ContractView>, sqlx::Error> {
    let (freelancer, organisation, posting, waiting) = match scope {
        ContractScope::Freelancer(user) => (Some(user.0), None, None, false),
        ContractScope::Posting(org, posting) => (None, Some(org.0), Some(posting.0), false),
        ContractScope::Waiting(org) => (None, Some(org.0), None, true),
    };
    let rows = sqlx::query!(
        r#"
        SELECT c.contract_id, c.application_id, c.posting_id, p.title, o.name AS organisation, o.slug,
               c.freelancer_id, u.display_name, c.status AS "status: ContractStatus",
               hire_local(c.starts_at) AS "starts!",
               hire_local(c.ends_at) AS "ends!",
               c.break_minutes, c.wage_minor, c.currency, c.starts_at <= $5 AS "started!",
               hire_local($5)::date AS "today!",
               p.kind AS "kind: PostingKind", c.pay_basis AS "pay_basis: PayBasis"
        FROM contracts c
        JOIN postings p USING (posting_id)
        JOIN organisations o ON o.organisation_id = c.organisation_id
        JOIN users u ON u.user_id = c.freelancer_id
        WHERE ($1::uuid IS NULL OR c.freelancer_id = $1)
          AND ($2::uuid IS NULL OR c.organisation_id = $2)
          AND ($3::uuid IS NULL OR c.posting_id = $3)
          AND (NOT $4
               OR EXISTS (SELECT 1 FROM timesheets t
                          WHERE t.contract_id = c.contract_id AND t.status = 'submitted')
               OR EXISTS (SELECT 1 FROM deliveries d
                          WHERE d.contract_id = c.contract_id AND d.status = 'submitted'))
        ORDER BY c.starts_at DESC, c.contract_id
        LIMIT 200
        "#,
        freelancer,
        organisation,
        posting,
        waiting,
        now,
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.contract_id).collect();
    let events = sqlx::query!(
        r#"SELECT contract_id, kind AS "kind: ContractEventKind", late, amount_minor, currency,
                  reason, hire_local(recorded_at) AS "at!"
           FROM contract_events WHERE contract_id = ANY($1) ORDER BY recorded_at, event_id"#,
        &ids
    )
    .fetch_all(&mut *conn)
    .await?;
    let ratings = sqlx::query!(
        r#"SELECT contract_id, by_side AS "by: Side", stars, comment FROM contract_ratings
           WHERE contract_id = ANY($1) ORDER BY by_side"#,
        &ids
    )
    .fetch_all(&mut *conn)
    .await?;
    let sheets = sqlx::query!(
        r#"SELECT contract_id, timesheet_id, status AS "status: TimesheetStatus",
                  hire_local(worked_from) AS "worked_from!",
                  hire_local(worked_to) AS "worked_to!",
                  break_minutes, claimed_minutes, minutes, amount_minor, currency, reason, week,
                  daily_minutes
           FROM timesheets WHERE contract_id = ANY($1)
           ORDER BY week DESC NULLS FIRST"#,
        &ids
    )
    .fetch_all(&mut *conn)
    .await?;
    let deliveries = sqlx::query!(
        r#"SELECT contract_id, status AS "status: TimesheetStatus", note, amount_minor, currency,
                  reason
           FROM deliveries WHERE contract_id = ANY($1)"#,
        &ids
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let wage = money(r.wage_minor, &r.currency);
            let (weeks, mut shift): (Vec<Timesheet>, Vec<Timesheet>) = sheets
                .iter()
                .filter(|t| t.contract_id == r.contract_id)
                .map(|t| Timesheet {
                    id: TimesheetId(t.timesheet_id),
                    status: t.status,
                    worked_from: t.worked_from,
                    worked_to: t.worked_to,
                    break_minutes: t.break_minutes,
                    claimed_minutes: t.claimed_minutes,
                    minutes: t.minutes,
                    amount: money(t.amount_minor, &t.currency),
                    reason: t.reason.clone(),
                    week: t.week,
                    daily_minutes: t.daily_minutes.clone().unwrap_or_default(),
                })
                .partition(|t| t.week.is_some());
            let delivery = deliveries
                .iter()
                .find(|d| d.contract_id == r.contract_id)
                .map(|d| Delivery {
                    status: d.status,
                    note: d.note.clone(),
                    amount: money(d.amount_minor, &d.currency),
                    reason: d.reason.clone(),
                });
            ContractView {
                id: ContractId(r.contract_id),
                application_id: ApplicationId(r.application_id),
                posting_id: PostingId(r.posting_id),
                title: r.title,
                organisation: r.organisation,
                organisation_slug: r.slug,
                freelancer_id: UserId(r.freelancer_id),
                freelancer: r.display_name,
                status: r.status,
                starts: r.starts,
                ends: r.ends,
                break_minutes: r.break_minutes,
                wage,
                kind: r.kind,
                pay_basis: r.pay_basis,
                started: r.started,
                today: r.today,
                timesheet: shift.pop(),
                weeks,
                delivery,
                events: events
                    .iter()
                    .filter(|e| e.contract_id == r.contract_id)
                    .map(|e| ContractEvent {
                        kind: e.kind,
                        late: e.late,
                        amount: money(e.amount_minor, &e.currency),
                        reason: e.reason.clone(),
                        at: e.at,
                    })
                    .collect(),
                ratings: ratings
                    .iter()
                    .filter(|x| x.contract_id == r.contract_id)
                    .map(|x| Rating {
                        by: x.by,
                        stars: x.stars,
                        comment: x.comment.clone(),
                    })
                    .collect(),
            }
        })
        .collect())
}

// ---- Timesheets --------------------------------------------------------------------------

pub struct NewHours {
    pub contract: ContractId,
    pub organisation: OrganisationId,
    pub freelancer: UserId,
    /// A shift's hours, or the whole week (Monday to Monday, no break) of a job's.
    pub hours: ValidHours,
    /// A job's week: its Monday and the minutes worked each day.
    pub week: Option<(NaiveDate, [i32; 7])>,
    pub minutes: i32,
    pub amount: Money,
    pub now: DateTime<Utc>,
}

/// Submit hours (a shift's, or one week of a job's): a first submission, or a resubmission of
/// disputed hours. `false` when that shift or week already has hours waiting or approved.
pub async fn submit_hours(conn: &mut PgConnection, new: &NewHours) -> Result<bool, sqlx::Error> {
    let (week, daily) = match new.week {
        Some((monday, days)) => (Some(monday), Some(days.to_vec())),
        None => (None, None),
    };
    let done = sqlx::query!(
        "INSERT INTO timesheets (timesheet_id, contract_id, organisation_id, freelancer_id,
                                 worked_from, worked_to, break_minutes, claimed_minutes, minutes,
                                 amount_minor, currency, submitted_at, week, daily_minutes)
         VALUES ($1, $2, $3, $4, hire_instant($5),
                 hire_instant($6), $7, $8, $8, $9, $10, $11,
                 $12, $13)
         ON CONFLICT (contract_id, week) DO UPDATE SET
             status = 'submitted', worked_from = EXCLUDED.worked_from,
             worked_to = EXCLUDED.worked_to, break_minutes = EXCLUDED.break_minutes,
             claimed_minutes = EXCLUDED.claimed_minutes, minutes = EXCLUDED.minutes,
             amount_minor = EXCLUDED.amount_minor, daily_minutes = EXCLUDED.daily_minutes,
             reason = NULL, submitted_at = EXCLUDED.submitted_at, answered_at = NULL,
             answered_by = NULL
         WHERE timesheets.status = 'disputed'",
        TimesheetId(uuid::Uuid::now_v7()).0,
        new.contract.0,
        new.organisation.0,
        new.freelancer.0,
        new.hours.from,
        new.hours.to,
        new.hours.break_minutes,
        new.minutes,
        new.amount.minor(),
        new.amount.currency().code(),
        new.now,
        week,
        daily.as_deref(),
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub struct Answer<'a> {
    pub contract: ContractId,
    /// The job's week answered; `None` for a shift's hours.
    pub week: Option<NaiveDate>,
    pub to: TimesheetStatus,
    /// Adjusted hours: (paid minutes, amount, the hours as the manager set them).
    pub adjusted: Option<(i32, Money, ValidHours)>,
    /// An adjusted week's minutes per day.
    pub adjusted_days: Option<[i32; 7]>,
    pub reason: Option<&'a str>,
    pub by: Option<UserId>,
    pub now: DateTime<Utc>,
}

/// Answer a submitted timesheet; returns the amount now approved (or `None` when it was not
/// waiting any more).
pub async fn answer_hours(
    conn: &mut PgConnection,
    answer: &Answer<'_>,
) -> Result<Option<Money>, sqlx::Error> {
    let (minutes, amount, from, to, break_minutes) = match answer.adjusted {
        Some((m, a, h)) => (
            Some(m),
            Some(a.minor()),
            Some(h.from),
            Some(h.to),
            Some(h.break_minutes),
        ),
        None => (None, None, None, None, None),
    };
    let days = answer.adjusted_days.map(|d| d.to_vec());
    let row = sqlx::query!(
        "UPDATE timesheets SET status = $2, reason = $3, answered_at = $4, answered_by = $5,
                minutes = coalesce($6, minutes), amount_minor = coalesce($7, amount_minor),
                worked_from = coalesce(hire_instant($8), worked_from),
                worked_to = coalesce(hire_instant($9), worked_to),
                break_minutes = coalesce($10, break_minutes),
                daily_minutes = coalesce($12, daily_minutes)
         WHERE contract_id = $1 AND week IS NOT DISTINCT FROM $11 AND status = 'submitted'
         RETURNING amount_minor, currency",
        answer.contract.0,
        answer.to as TimesheetStatus,
        answer.reason,
        answer.now,
        answer.by.map(|u| u.0),
        minutes,
        amount,
        from,
        to,
        break_minutes,
        answer.week,
        days.as_deref(),
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| money(r.amount_minor, &r.currency)))
}

/// An hourly job's weeks are settled: the week starting `last_monday` (holding the job's last
/// day) is approved and no week waits for an answer or a resubmission.
pub async fn weeks_settled(
    conn: &mut PgConnection,
    contract: ContractId,
    last_monday: NaiveDate,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM timesheets WHERE contract_id = $1 AND week >= $2
                            AND status IN ('approved', 'adjusted', 'auto_approved'))
              AND NOT EXISTS (SELECT 1 FROM timesheets WHERE contract_id = $1
                                AND status IN ('submitted', 'disputed')) AS "settled!""#,
        contract.0,
        last_monday
    )
    .fetch_one(conn)
    .await
}

pub struct NewDelivery<'a> {
    pub contract: ContractId,
    pub organisation: OrganisationId,
    pub freelancer: UserId,
    pub note: &'a str,
    pub amount: Money,
    pub now: DateTime<Utc>,
}

/// Hand over a fixed-price job's work, or hand it over again after a dispute. `false` when it
/// is already waiting or approved.
pub async fn submit_delivery(
    conn: &mut PgConnection,
    new: &NewDelivery<'_>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "INSERT INTO deliveries (contract_id, organisation_id, freelancer_id, note, amount_minor,
                                 currency, submitted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (contract_id) DO UPDATE SET
             status = 'submitted', note = EXCLUDED.note, reason = NULL,
             submitted_at = EXCLUDED.submitted_at, answered_at = NULL, answered_by = NULL
         WHERE deliveries.status = 'disputed'",
        new.contract.0,
        new.organisation.0,
        new.freelancer.0,
        new.note,
        new.amount.minor(),
        new.amount.currency().code(),
        new.now,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Answer handed-over work; the amount it settles, or `None` when none was waiting.
pub async fn answer_delivery(
    conn: &mut PgConnection,
    contract: ContractId,
    to: TimesheetStatus,
    reason: Option<&str>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> Result<Option<Money>, sqlx::Error> {
    let row = sqlx::query!(
        "UPDATE deliveries SET status = $2, reason = $3, answered_at = $4, answered_by = $5
         WHERE contract_id = $1 AND status = 'submitted'
         RETURNING amount_minor, currency",
        contract.0,
        to as TimesheetStatus,
        reason,
        now,
        by.map(|u| u.0),
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| money(r.amount_minor, &r.currency)))
}

/// Work handed over before `cutoff` and never answered, locked for this pass.
pub async fn deliveries_due(
    conn: &mut PgConnection,
    cutoff: DateTime<Utc>,
    limit: i64,
    only: Option<ContractId>,
) -> Result<Vec<ContractId>, sqlx::Error> {
    let ids = sqlx::query_scalar!(
        "SELECT contract_id FROM deliveries WHERE status = 'submitted' AND submitted_at <= $1
           AND ($3::uuid IS NULL OR contract_id = $3)
         ORDER BY submitted_at LIMIT $2 FOR UPDATE SKIP LOCKED",
        cutoff,
        limit,
        only.map(|c| c.0)
    )
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().map(ContractId).collect())
}

/// Open applications past due, locked: offers made before `offered_before`, and anything
/// still open on a shift that started by `now`. (id, status, posting)
pub async fn due_to_expire(
    conn: &mut PgConnection,
    offered_before: DateTime<Utc>,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<(ApplicationId, ApplicationStatus, PostingId)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT a.application_id, a.status AS "status: ApplicationStatus", a.posting_id
           FROM applications a JOIN postings p USING (posting_id)
           WHERE (a.status = 'offered' AND (a.offered_at <= $1 OR p.starts_at <= $2))
              OR (a.status IN ('invited', 'applied') AND p.starts_at <= $2)
           ORDER BY a.application_id
           LIMIT $3
           FOR UPDATE OF a SKIP LOCKED"#,
        offered_before,
        now,
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                ApplicationId(r.application_id),
                r.status,
                PostingId(r.posting_id),
            )
        })
        .collect())
}

/// Hours submitted before `cutoff` and never answered, locked for this pass (other nodes skip
/// them): (contract, the job's week or `None` for a shift).
pub async fn due_for_auto_approval(
    conn: &mut PgConnection,
    cutoff: DateTime<Utc>,
    limit: i64,
    only: Option<(ContractId, Option<NaiveDate>)>,
) -> Result<Vec<(ContractId, Option<NaiveDate>)>, sqlx::Error> {
    let rows = sqlx::query!(
        "SELECT t.contract_id, t.week FROM timesheets t JOIN contracts c USING (contract_id)
         WHERE t.status = 'submitted' AND t.submitted_at <= $1
           -- A shift's claim past its schedule plus the overtime margin waits for a person.
           AND (t.week IS NOT NULL
                OR t.minutes <= EXTRACT(EPOCH FROM c.ends_at - c.starts_at) / 60 + $3::int8)
           AND ($4::uuid IS NULL OR (t.contract_id = $4 AND t.week IS NOT DISTINCT FROM $5))
         ORDER BY t.submitted_at LIMIT $2 FOR UPDATE OF t SKIP LOCKED",
        cutoff,
        limit,
        crate::hire::contracts::model::OVERTIME_MINUTES,
        only.map(|(c, _)| c.0),
        only.and_then(|(_, week)| week)
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (ContractId(r.contract_id), r.week))
        .collect())
}

pub async fn timesheet_status(
    conn: &mut PgConnection,
    contract: ContractId,
) -> Result<Option<TimesheetStatus>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT status AS "status: TimesheetStatus" FROM timesheets WHERE contract_id = $1"#,
        contract.0
    )
    .fetch_optional(conn)
    .await
}

// ---- Ratings -----------------------------------------------------------------------------

/// `false` when that side had already rated the contract.
pub async fn insert_rating(
    conn: &mut PgConnection,
    contract: ContractId,
    by: Side,
    rated_by: UserId,
    rating: &ValidRating,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query!(
        "INSERT INTO contract_ratings (contract_id, by_side, stars, comment, rated_by)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        contract.0,
        by as Side,
        rating.stars,
        rating.comment,
        rated_by.0,
    )
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Whether the freelancer has applied to, or been invited by, any of these organisations.
pub async fn knows_any_of(
    conn: &mut PgConnection,
    freelancer: UserId,
    organisations: &[uuid::Uuid],
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM applications
                          WHERE freelancer_id = $1 AND organisation_id = ANY($2)) AS "known!""#,
        freelancer.0,
        organisations
    )
    .fetch_one(conn)
    .await
}
