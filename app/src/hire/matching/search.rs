//! The candidate search: hard filters in SQL, the HNSW or exact sort, and the explained score.

use crate::hire::matching::model::{Candidate, Check, Fit, MatchFilter, Opening};
use crate::hire::postings::model::{PayBasis, PostingKind};
use crate::hire::reference::model::SKILL_LEVELS;
use crate::ids::{OrganisationId, PostingId, UserId};
use crate::money::{Currency, Money};
use chrono::{DateTime, NaiveDate, Utc};
use matching::{Features, Score, Weights};
use sqlx::{Acquire, PgConnection};
use std::collections::HashMap;

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

/// How the pool of nearest-in-meaning eligible freelancers was found; either way it is then
/// re-sorted by the full score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// Everyone who passes the filters sorted by meaning: the filters leave few.
    Exact,
    /// The HNSW index, scanned iteratively past the rows the filters reject.
    Hnsw,
    /// The index scan ran out of budget before the pool filled: sorted exactly after all.
    HnswThenExact,
}

/// One eligible freelancer, measured and scored.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranked {
    pub user_id: uuid::Uuid,
    pub features: Features,
    pub score: Score,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// Best first, at most k.
    pub ranked: Vec<Ranked>,
    pub strategy: Strategy,
    /// The estimated number of eligible freelancers.
    pub estimated: f64,
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

struct Measured {
    user_id: uuid::Uuid,
    distance_km: f64,
    travel_km: i32,
    min_rate_minor: i64,
    rating: Option<f32>,
    attendance: Option<f32>,
    skill_levels: Vec<String>,
    similarity: Option<f64>,
}

impl Query {
    fn features(&self, m: &Measured) -> Features {
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

    fn city_km(&self, city: &str) -> f64 {
        self.cities
            .iter()
            .position(|c| c == city)
            .and_then(|i| self.kms.get(i).copied())
            .unwrap_or(f64::INFINITY)
    }

    fn certificate_ids(&self) -> Vec<String> {
        self.certificates.iter().map(|(id, _)| id.clone()).collect()
    }

    /// A job has no window: the availability parameters are placeholders it never reads.
    fn window_or_placeholder(&self) -> (bool, Window) {
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

/// A transaction whose statements are planned for their actual parameters every time, and
/// never JIT-compiled. The filters' shape depends on the parameters (`$6 OR …`,
/// `$3 IS NULL OR …`): a cached generic plan can't use the indexes they allow, and Postgres
/// switches prepared statements to one after five runs when its estimate looks cheaper
/// (measured: 350–590 ms instead of 10–40 ms). The plans' costs cross the JIT thresholds,
/// and compiling them took 270 ms of a 386 ms search.
async fn custom_plans(
    conn: &mut PgConnection,
) -> Result<sqlx::Transaction<'_, sqlx::Postgres>, sqlx::Error> {
    let mut tx = conn.begin().await?;
    sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
        .execute(&mut *tx)
        .await?;
    sqlx::query("SET LOCAL jit = off").execute(&mut *tx).await?;
    Ok(tx)
}

/// How many freelancers pass the hard filters, estimated from a sample of the table's pages.
pub async fn estimate(
    conn: &mut PgConnection,
    q: &Query,
    settings: &Settings,
) -> Result<f64, sqlx::Error> {
    let total = sqlx::query_scalar!(
        r#"SELECT greatest(reltuples, 0)::float8 AS "rows!" FROM pg_class
           WHERE oid = 'freelancer_profiles'::regclass"#
    )
    .fetch_one(&mut *conn)
    .await?;
    // A table never analysed reports 0 rows: sample all of it (it is small or new).
    let percent = if total < 1.0 {
        100.0
    } else {
        (100.0 * settings.sample_rows / total).clamp(0.01, 100.0)
    };
    let (is_shift, w) = q.window_or_placeholder();
    let mut tx = custom_plans(conn).await?;
    let row = filter_query!(
        "src/hire/matching/estimate.sql",
        q,
        is_shift,
        w,
        q.posting,
        percent as f32,
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    if row.sampled == 0 {
        return Ok(0.0);
    }
    let share = row.passing as f64 / row.sampled as f64;
    Ok(share * total.max(row.sampled as f64))
}

/// Eligible freelancers, nearest in meaning first: through the HNSW index (an iterative scan
/// that keeps going until `limit` rows pass the filters or the scan budget runs out), or, with
/// index scans off for this transaction, by an exact sort of everyone who passes.
async fn eligible(
    conn: &mut PgConnection,
    q: &Query,
    limit: i64,
    hnsw: bool,
    settings: &Settings,
) -> Result<Vec<Measured>, sqlx::Error> {
    let mut tx = custom_plans(conn).await?;
    if hnsw {
        // The planner estimates these correlated filters leave a handful of rows (11 where
        // 11 000 passed) and would sort them all; the sample said otherwise, so the order
        // comes from the index.
        sqlx::query("SET LOCAL enable_sort = off")
            .execute(&mut *tx)
            .await?;
        sqlx::query("SET LOCAL hnsw.iterative_scan = relaxed_order")
            .execute(&mut *tx)
            .await?;
        sqlx::query(&format!(
            "SET LOCAL hnsw.ef_search = {}",
            settings.ef_search.clamp(1, 1000)
        ))
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "SET LOCAL hnsw.max_scan_tuples = {}",
            settings.max_scan_tuples.max(1)
        ))
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query("SET LOCAL enable_indexscan = off")
            .execute(&mut *tx)
            .await?;
    }
    let (is_shift, w) = q.window_or_placeholder();
    let rows = filter_query!(
        "src/hire/matching/eligible.sql",
        q,
        is_shift,
        w,
        q.posting,
        q.embedding.as_deref(),
        limit,
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|r| Measured {
            distance_km: q.city_km(&r.city_id),
            user_id: r.user_id,
            travel_km: r.travel_km,
            min_rate_minor: r.min_rate_minor,
            rating: r.rating,
            attendance: r.attendance,
            skill_levels: r.skill_levels,
            similarity: r.similarity,
        })
        .collect())
}

/// Score and rank measured candidates; keep the best `k`.
fn rank(q: &Query, measured: &[Measured], settings: &Settings) -> Vec<Ranked> {
    let mut ranked: Vec<Ranked> = measured
        .iter()
        .map(|m| {
            let features = q.features(m);
            Ranked {
                user_id: m.user_id,
                score: matching::score(&features, &settings.weights),
                features,
            }
        })
        .collect();
    matching::rank(&mut ranked, |r| (r.score.total, *r.user_id.as_bytes()));
    ranked.truncate(settings.k);
    ranked
}

/// The exact answer: the `pool` eligible freelancers nearest in meaning found by sorting
/// everyone who passes the filters, re-sorted by the full score — what the index path
/// approximates. Also how many made the pool.
pub async fn exact(
    conn: &mut PgConnection,
    q: &Query,
    settings: &Settings,
) -> Result<(Vec<Ranked>, usize), sqlx::Error> {
    let measured = eligible(
        conn,
        q,
        settings.pool.max(settings.k as i64),
        false,
        settings,
    )
    .await?;
    Ok((rank(q, &measured, settings), measured.len()))
}

/// The k best eligible freelancers for a query.
pub async fn search(
    conn: &mut PgConnection,
    q: &Query,
    settings: &Settings,
) -> Result<Found, sqlx::Error> {
    let estimated = estimate(conn, q, settings).await?;
    // Without the posting's embedding there is nothing for the index to order by.
    let use_index = q.embedding.is_some() && estimated >= settings.exact_below as f64;
    if use_index {
        let pool = settings.pool.max(settings.k as i64);
        let measured = eligible(conn, q, pool, true, settings).await?;
        // A short pool means the scan budget ran out before enough rows passed the filters.
        if measured.len() as i64 >= pool {
            return Ok(Found {
                ranked: rank(q, &measured, settings),
                strategy: Strategy::Hnsw,
                estimated,
            });
        }
    }
    let (ranked, _) = exact(conn, q, settings).await?;
    Ok(Found {
        ranked,
        strategy: if use_index {
            Strategy::HnswThenExact
        } else {
            Strategy::Exact
        },
        estimated,
    })
}

/// Given freelancers measured against a query, each hard filter a flag.
pub struct Measurement {
    pub user_id: uuid::Uuid,
    pub name: String,
    pub headline: String,
    pub city: String,
    pub features: Features,
    pub travel_km: i32,
    pub min_rate_minor: i64,
    pub near: bool,
    pub paid_enough: bool,
    pub reliable: bool,
    pub available: bool,
    pub not_off: bool,
    pub free: bool,
    /// Names of required certificates not held verified and valid.
    pub missing_certificates: Vec<String>,
}

pub async fn measure(
    conn: &mut PgConnection,
    q: &Query,
    users: &[uuid::Uuid],
) -> Result<Vec<Measurement>, sqlx::Error> {
    let (is_shift, w) = q.window_or_placeholder();
    let rows = filter_query!(
        "src/hire/matching/fit.sql",
        q,
        is_shift,
        w,
        users,
        q.embedding.as_deref(),
        q.origin.0,
        q.origin.1,
    )
    .fetch_all(conn)
    .await?;
    let names: HashMap<&str, &str> = q
        .certificates
        .iter()
        .map(|(id, name)| (id.as_str(), name.as_str()))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let m = Measured {
                user_id: r.user_id,
                distance_km: r.km,
                travel_km: r.travel_km,
                min_rate_minor: r.min_rate_minor,
                rating: r.rating,
                attendance: r.attendance,
                skill_levels: r.skill_levels,
                similarity: r.similarity,
            };
            Measurement {
                features: q.features(&m),
                user_id: r.user_id,
                name: r.name,
                headline: r.headline,
                city: r.city,
                travel_km: r.travel_km,
                min_rate_minor: r.min_rate_minor,
                near: r.near,
                paid_enough: r.paid_enough,
                reliable: r.reliable,
                available: r.available,
                not_off: r.not_off,
                free: r.free,
                missing_certificates: r
                    .missing_certificates
                    .iter()
                    .map(|id| names.get(id.as_str()).copied().unwrap_or(id).to_owned())
                    .collect(),
            }
        })
        .collect())
}

impl Measurement {
    /// Every hard filter in words, as the manager reads it.
    pub fn checks(&self, q: &Query) -> Vec<Check> {
        // (passed, what a pass says, what a failure says)
        let check = |passed: bool, pass: String, fail: String| Check {
            passed,
            text: if passed { pass } else { fail },
        };
        let km = self.features.distance_km;
        let mut checks = vec![check(
            self.near,
            format!(
                "{km:.0} km away: within their {} km and your {:.0} km",
                self.travel_km, q.radius_km
            ),
            format!(
                "{km:.0} km away: beyond their {} km travel radius or your {:.0} km",
                self.travel_km, q.radius_km
            ),
        )];
        checks.push(match q.hourly {
            Some(pay) => {
                let asks = Money::new(self.min_rate_minor, q.currency);
                check(
                    self.paid_enough,
                    format!("Asks at least {asks}/h; the pay is {pay}/h"),
                    format!("Asks at least {asks}/h, more than the {pay}/h offered"),
                )
            }
            None => Check {
                passed: true,
                text: "Fixed price: no hourly minimum applies".to_owned(),
            },
        });
        for (_, name) in &q.certificates {
            checks.push(check(
                !self.missing_certificates.contains(name),
                format!("{name}: verified and valid on {}", q.last_day),
                format!("{name}: not verified or not valid on {}", q.last_day),
            ));
        }
        if q.window.is_some() {
            for (passed, pass, fail) in [
                (
                    self.available,
                    "Available at that time in their usual week",
                    "Not available at that time in their usual week",
                ),
                (
                    self.not_off,
                    "No day off that day",
                    "Has a day off that day",
                ),
                (
                    self.free,
                    "Not booked elsewhere at that time",
                    "Already booked for another shift at that time",
                ),
            ] {
                checks.push(check(passed, pass.to_owned(), fail.to_owned()));
            }
        }
        if let Some(min) = q.min_attendance {
            let text = match self.features.attendance {
                Some(share) => format!(
                    "Attendance {:.0}%; at least {:.0}% asked",
                    share * 100.0,
                    min * 100.0
                ),
                None => format!(
                    "No attendance record yet; at least {:.0}% asked",
                    min * 100.0
                ),
            };
            checks.push(Check {
                passed: self.reliable,
                text,
            });
        }
        checks
    }

    pub fn fit(&self, q: &Query, weights: &Weights) -> Fit {
        Fit {
            score: matching::score(&self.features, weights),
            checks: self.checks(q),
            distance_km: self.features.distance_km,
            skill_fit: self.features.skill_fit,
            rating: self.features.rating,
            attendance: self.features.attendance,
        }
    }
}

/// The recommended candidates for one of the organisation's postings, best first, explained.
pub async fn candidates(
    conn: &mut PgConnection,
    organisation: OrganisationId,
    posting: PostingId,
    filter: MatchFilter,
    settings: &Settings,
) -> Result<Option<Vec<Candidate>>, sqlx::Error> {
    let Some(q) = posting_query(conn, posting, Some(organisation), filter).await? else {
        return Ok(None);
    };
    let found = search(conn, &q, settings).await?;
    let ids: Vec<uuid::Uuid> = found.ranked.iter().map(|r| r.user_id).collect();
    let mut measured: HashMap<uuid::Uuid, Measurement> = measure(conn, &q, &ids)
        .await?
        .into_iter()
        .map(|m| (m.user_id, m))
        .collect();
    Ok(Some(
        found
            .ranked
            .into_iter()
            .filter_map(|r| {
                let m = measured.remove(&r.user_id)?;
                Some(Candidate {
                    freelancer_id: UserId(r.user_id),
                    fit: m.fit(&q, &settings.weights),
                    name: m.name,
                    headline: m.headline,
                    city: m.city,
                })
            })
            .collect(),
    ))
}

/// Each applicant's fit to the posting (hard filters they fail included).
pub async fn applicant_fits(
    conn: &mut PgConnection,
    organisation: OrganisationId,
    posting: PostingId,
    applicants: &[UserId],
    settings: &Settings,
) -> Result<HashMap<UserId, Fit>, sqlx::Error> {
    let Some(q) = posting_query(conn, posting, Some(organisation), MatchFilter::default()).await?
    else {
        return Ok(HashMap::new());
    };
    let ids: Vec<uuid::Uuid> = applicants.iter().map(|u| u.0).collect();
    Ok(measure(conn, &q, &ids)
        .await?
        .into_iter()
        .map(|m| (UserId(m.user_id), m.fit(&q, &settings.weights)))
        .collect())
}

/// Open shifts and jobs recommended to a freelancer: those whose hard filters they pass
/// (within their travel radius, paying their minimum, certificates held, available and free),
/// best fit first.
pub async fn openings(
    conn: &mut PgConnection,
    freelancer: UserId,
    now: DateTime<Utc>,
    settings: &Settings,
) -> Result<Vec<Opening>, sqlx::Error> {
    let Some(home) = sqlx::query!(
        "SELECT city_id, travel_km FROM freelancer_profiles WHERE user_id = $1",
        freelancer.0
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(Vec::new());
    };
    let (cities, _) = reachable(conn, &home.city_id, f64::from(home.travel_km)).await?;
    // Open postings in reach, the 30 nearest in meaning (an exact sort: open postings are few),
    // each then measured against the freelancer like a candidate search.
    let postings = sqlx::query_scalar!(
        r#"SELECT p.posting_id
           FROM postings p, freelancer_profiles f
           WHERE f.user_id = $1 AND p.status = 'published' AND p.starts_at > $2
             AND p.seats_taken < p.headcount AND p.city_id = ANY($3::text[])
             AND NOT EXISTS (SELECT 1 FROM applications a
                             WHERE a.posting_id = p.posting_id AND a.freelancer_id = f.user_id)
           ORDER BY p.embedding <=> f.embedding, p.starts_at, p.posting_id
           LIMIT 30"#,
        freelancer.0,
        now,
        &cities
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut openings = Vec::new();
    let filter = MatchFilter {
        within_km: Some(home.travel_km.max(1)),
        min_attendance: None,
    };
    for posting in postings {
        let Some(mut q) = posting_query(conn, PostingId(posting), None, filter).await? else {
            continue;
        };
        // The freelancer's own radius bounds the distance; applicants are not left out here.
        q.posting = None;
        let Some(m) = measure(conn, &q, &[freelancer.0]).await?.pop() else {
            continue;
        };
        let fit = m.fit(&q, &settings.weights);
        if fit.eligible() {
            openings.push((posting, fit));
        }
    }
    matching::rank(&mut openings, |(id, fit)| (fit.score.total, *id.as_bytes()));
    openings.truncate(settings.k);
    let ids: Vec<uuid::Uuid> = openings.iter().map(|(id, _)| *id).collect();
    let mut summaries: HashMap<PostingId, crate::hire::postings::model::ShiftSummary> =
        crate::hire::postings::repo::cards(conn, &ids, Some(freelancer))
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
    Ok(openings
        .into_iter()
        .filter_map(|(id, fit)| {
            Some(Opening {
                shift: summaries.remove(&PostingId(id))?,
                fit,
            })
        })
        .collect())
}

/// "Advanced", for a skill level 1–4.
pub fn level_name(level: i16) -> &'static str {
    usize::try_from(level - 1)
        .ok()
        .and_then(|i| SKILL_LEVELS.get(i))
        .copied()
        .unwrap_or("Beginner")
}
