//! What a posting asks of a candidate, read from the database once per search: its window,
//! reach, skills, certificates and pay; the settings that bound a search; and each
//! candidate's measured features.

use crate::hire::matching::model::MatchFilter;
use crate::hire::postings::model::{PayBasis, PostingKind};
use crate::hire::reference::model::SKILL_LEVELS;
use crate::ids::{OrganisationId, PostingId};
use crate::money::{Currency, Money};
use chrono::{DateTime, NaiveDate, Utc};
use matching::{Features, Weights};
use sqlx::PgConnection;
use std::collections::HashMap;

/// How the search behaves (`OLIVINE_MATCH_…`).
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub weights: Weights,
    /// Results per search.
    pub k: usize,
    /// Below this many estimated eligible freelancers, the search sorts them all by meaning
    /// (exact); above it, the HNSW index finds the nearest.
    pub exact_below: i64,
    /// How many eligible freelancers nearest in meaning are re-sorted by the full score.
    pub pool: i64,
    /// `hnsw.ef_search` for those scans.
    pub ef_search: i32,
    /// How many index tuples an iterative scan may visit before giving up
    /// (`hnsw.max_scan_tuples`); a short result falls back to the exact sort.
    pub max_scan_tuples: i32,
    /// Pages sampled to estimate selectivity: enough for about this many rows.
    pub sample_rows: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            weights: Weights::default(),
            k: 10,
            exact_below: 3000,
            pool: 200,
            ef_search: 200,
            max_scan_tuples: 40_000,
            sample_rows: 1000.0,
        }
    }
}

/// When a posting is worked, for the availability and booking filters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// Minutes since Monday 00:00, Hire time.
    pub start_minute: i32,
    pub minutes: i32,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// What a posting asks, as the search filters and ranks on it.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// Its applicants are left out of the recommendations.
    pub posting: Option<uuid::Uuid>,
    pub origin: (f64, f64),
    pub radius_km: f64,
    /// Cities within the radius and their distance (km).
    pub cities: Vec<String>,
    pub kms: Vec<f64>,
    /// The hourly pay; `None` for a fixed price.
    pub hourly: Option<Money>,
    pub currency: Currency,
    pub min_attendance: Option<f64>,
    /// Shifts only: jobs are worked at hours agreed with the freelancer.
    pub window: Option<Window>,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// (certificate type id, name)
    pub certificates: Vec<(String, String)>,
    /// (skill id, name, minimum level)
    pub skills: Vec<(String, String, i16)>,
    pub embedding: Option<Vec<f32>>,
}

/// Cities within `radius_km` of a city (earthdistance's cube index) as parallel lists.
pub async fn reachable(
    conn: &mut PgConnection,
    city: &str,
    radius_km: f64,
) -> Result<(Vec<String>, Vec<f64>), sqlx::Error> {
    Ok(
        crate::hire::reference::repo::cities_within(conn, city, radius_km)
            .await?
            .into_iter()
            .map(|(c, km)| (c.id, km))
            .unzip(),
    )
}

/// The query for one of the organisation's postings (any organisation's when `None`).
pub async fn posting_query(
    conn: &mut PgConnection,
    posting: PostingId,
    organisation: Option<OrganisationId>,
    filter: MatchFilter,
) -> Result<Option<Query>, sqlx::Error> {
    let Some(row) = sqlx::query!(
        r#"SELECT p.kind AS "kind: PostingKind", p.pay_basis AS "pay_basis: PayBasis",
                  p.wage_minor, p.currency, p.starts_at, p.ends_at, p.city_id, c.latitude,
                  c.longitude,
                  ((extract(isodow FROM hire_local(p.starts_at)) - 1) * 1440
                   + extract(hour FROM hire_local(p.starts_at)) * 60
                   + extract(minute FROM hire_local(p.starts_at)))::int
                      AS "start_minute!",
                  (extract(epoch FROM p.ends_at - p.starts_at) / 60)::int AS "minutes!",
                  hire_local(p.starts_at)::date AS "first_day!",
                  hire_local(p.ends_at)::date AS "last_day!",
                  p.embedding::real[] AS embedding,
                  ARRAY(SELECT k.certificate_type_id || E'\t' || t.name
                        FROM posting_certificates k JOIN certificate_types t USING (certificate_type_id)
                        WHERE k.posting_id = p.posting_id ORDER BY 1) AS "certificates!",
                  ARRAY(SELECT s.skill_id || E'\t' || k.name || E'\t' || s.min_level
                        FROM posting_skills s JOIN skills k USING (skill_id)
                        WHERE s.posting_id = p.posting_id ORDER BY 1) AS "skills!"
           FROM postings p JOIN cities c USING (city_id)
           WHERE p.posting_id = $1 AND ($2::uuid IS NULL OR p.organisation_id = $2)"#,
        posting.0,
        organisation.map(|o| o.0)
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let currency = Currency::parse(&row.currency).unwrap_or(Currency::Eur);
    let radius_km = f64::from(filter.within_km());
    let (cities, kms) = reachable(conn, &row.city_id, radius_km).await?;
    let certificates = row
        .certificates
        .iter()
        .filter_map(|c| c.split_once('\t'))
        .map(|(id, name)| (id.to_owned(), name.to_owned()))
        .collect();
    let skills = row
        .skills
        .iter()
        .filter_map(|s| {
            let mut parts = s.split('\t');
            let id = parts.next()?;
            let name = parts.next()?;
            let level = parts.next()?.parse().ok()?;
            Some((id.to_owned(), name.to_owned(), level))
        })
        .collect();
    Ok(Some(Query {
        posting: Some(posting.0),
        origin: (row.latitude, row.longitude),
        radius_km,
        cities,
        kms,
        hourly: match row.pay_basis {
            PayBasis::Hourly => Some(Money::new(row.wage_minor, currency)),
            PayBasis::Fixed => None,
        },
        currency,
        min_attendance: filter.min_attendance(),
        window: match row.kind {
            PostingKind::Shift => Some(Window {
                start_minute: row.start_minute,
                minutes: row.minutes,
                starts_at: row.starts_at,
                ends_at: row.ends_at,
            }),
            PostingKind::Job => None,
        },
        first_day: row.first_day,
        last_day: row.last_day,
        certificates,
        skills,
        embedding: row.embedding,
    }))
}

/// The mean over the asked skills of min(level held / level asked, 1); `None` when the posting
/// asks for none. `held` is the profile's `skill:level` list.
pub fn skill_fit(asked: &[(String, String, i16)], held: &[String]) -> Option<f64> {
    if asked.is_empty() {
        return None;
    }
    let levels: HashMap<&str, i16> = held
        .iter()
        .filter_map(|s| s.rsplit_once(':'))
        .filter_map(|(skill, level)| Some((skill, level.parse().ok()?)))
        .collect();
    let total: f64 = asked
        .iter()
        .map(|(skill, _, wanted)| {
            let has = f64::from(levels.get(skill.as_str()).copied().unwrap_or(0));
            (has / f64::from((*wanted).max(1))).min(1.0)
        })
        .sum();
    Some(total / asked.len() as f64)
}

pub struct Measured {
    pub user_id: uuid::Uuid,
    pub distance_km: f64,
    pub travel_km: i32,
    pub min_rate_minor: i64,
    pub rating: Option<f32>,
    pub attendance: Option<f32>,
    pub skill_levels: Vec<String>,
    pub similarity: Option<f64>,
}

impl Query {
    pub(super) fn features(&self, m: &Measured) -> Features {
        Features {
            similarity: m.similarity,
            skill_fit: skill_fit(&self.skills, &m.skill_levels),
            rating: m.rating.map(f64::from),
            attendance: m.attendance.map(f64::from),
            distance_km: m.distance_km,
            max_km: self.radius_km.min(f64::from(m.travel_km)),
            rate: self.hourly.map(|pay| (m.min_rate_minor, pay.minor())),
        }
    }

    pub(super) fn city_km(&self, city: &str) -> f64 {
        self.cities
            .iter()
            .position(|c| c == city)
            .and_then(|i| self.kms.get(i).copied())
            .unwrap_or(f64::INFINITY)
    }

    pub(super) fn certificate_ids(&self) -> Vec<String> {
        self.certificates.iter().map(|(id, _)| id.clone()).collect()
    }

    /// A job has no window: the availability parameters are placeholders it never reads.
    pub(super) fn window_or_placeholder(&self) -> (bool, Window) {
        match self.window {
            Some(w) => (true, w),
            None => (
                false,
                Window {
                    start_minute: 0,
                    minutes: 1,
                    starts_at: DateTime::<Utc>::UNIX_EPOCH,
                    ends_at: DateTime::<Utc>::UNIX_EPOCH,
                },
            ),
        }
    }
}

/// "Advanced", for a skill level 1–4.
pub fn level_name(level: i16) -> &'static str {
    usize::try_from(level - 1)
        .ok()
        .and_then(|i| SKILL_LEVELS.get(i))
        .copied()
        .unwrap_or("Beginner")
}

/// eligible.sql, estimate.sql or fit.sql with the hard-filter parameters they share ($1–$13,
/// from the query `q`, whether it is a shift and its window `w`), then the file's own.
macro_rules! filter_query {
    ($file:literal, $q:expr, $is_shift:expr, $w:expr, $($own:expr),* $(,)?) => {
        sqlx::query_file!(
            $file,
            &$q.cities,
            &$q.kms,
            $q.hourly.map(|m| m.minor()),
            $q.currency.code(),
            $q.min_attendance.map(|a| a as f32),
            $is_shift,
            $w.start_minute,
            $w.minutes,
            $q.first_day,
            $q.last_day,
            $w.starts_at,
            $w.ends_at,
            &$q.certificate_ids(),
            $($own),*
        )
    };
}
pub(super) use filter_query;
