use crate::hire::matching::measure::{Measurement, measure};
use crate::hire::matching::query::{Measured, Query, Settings, posting_query, reachable};

use super::query::filter_query;
use crate::hire::matching::model::{Candidate, Fit, MatchFilter, Opening, Recommendations};
use crate::ids::{OrganisationId, PostingId, UserId};
use chrono::{DateTime, Utc};
use matching::{Features, Score};
use sqlx::{Acquire, PgConnection};
use std::collections::HashMap;

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
    // The pool is cut by closeness in meaning. Without the posting's embedding nothing orders
    // by it, so a cut pool would be an arbitrary one: everyone who passes is ranked instead.
    let pool = if q.embedding.is_some() {
        settings.pool.max(settings.k as i64)
    } else {
        i64::MAX
    };
    let measured = eligible(conn, q, pool, false, settings).await?;
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

/// The recommended candidates for one of the organisation's postings, best first, explained.
pub async fn candidates(
    conn: &mut PgConnection,
    vault: &crate::vault::Vault,
    organisation: OrganisationId,
    posting: PostingId,
    filter: MatchFilter,
    settings: &Settings,
) -> Result<Option<Recommendations>, crate::vault::VaultError> {
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
    let mut candidates = Vec::with_capacity(found.ranked.len());
    for r in found.ranked {
        let Some(m) = measured.remove(&r.user_id) else {
            continue;
        };
        candidates.push(Candidate {
            freelancer_id: UserId(r.user_id),
            fit: m.fit(&q, &settings.weights),
            name: crate::accounts::repo::reveal_name(vault, &m.name)?,
            headline: m.headline,
            city: m.city,
        });
    }
    Ok(Some(Recommendations {
        candidates,
        description_read: q.embedding.is_some(),
    }))
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
