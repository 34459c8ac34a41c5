//! Freelancer profile queries: the profile, days off, and what history says.

use crate::hire::profiles::model::{Availability, Profile, Reliability, ValidProfile};
use crate::hire::reference::model::City;
use crate::hire::reference::repo::money;
use crate::ids::UserId;
use chrono::NaiveDate;
use sqlx::PgConnection;

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
    vault: &crate::vault::Vault,
    user: UserId,
) -> Result<Option<Profile>, crate::vault::VaultError> {
    let Some(row) = sqlx::query!(
        r#"SELECT person_name(p.user_id) AS "name!: crate::vault::Sealed", p.headline, p.bio, p.travel_km, p.min_rate_minor, p.currency,
                  p.languages, c.city_id, c.name AS city, c.country AS "country!", c.latitude,
                  c.longitude
           FROM freelancer_profiles p
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
    let certificates = crate::hire::certificates::service::of(&mut *conn, user).await?;
    let reliability = reliability(conn, &[user])
        .await?
        .pop()
        .map(|(_, r)| r)
        .unwrap_or_default();
    Ok(Some(Profile {
        user_id: user,
        display_name: crate::accounts::repo::reveal_name(vault, &row.name)?,
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
