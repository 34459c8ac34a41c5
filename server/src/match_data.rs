//! Synthetic freelancers for the matching benchmark and the matching property tests: N
//! clustered, plausible profiles — a trade each (its skills, levels, usual week and
//! certificates follow it), spread over the bundled cities with big cities weighing more,
//! travel radii, minimum rates that rise with level, attendance and rating records — written
//! straight to the tables in batches. Deterministic for a seed.
//!
//! Their vectors are drawn in one region per trade (a centre and a few directions of variation,
//! unit length), not made by the model: embedding a million texts at ~100 texts/s would take hours,
//! and the search only sees vectors. The benchmark measures the model's throughput separately.

use chrono::NaiveDate;
use sqlx::PgPool;

/// splitmix64: small, fast, good enough for test data, and the same on every machine.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u = self.unit().max(1e-12);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A trade: its skills and the certificate it often carries.
pub struct Trade {
    pub name: &'static str,
    pub skills: &'static [&'static str],
    pub certificate: Option<&'static str>,
    /// Usual weeks, as (weekdays, from, to) — one picked per freelancer.
    pub weeks: &'static [(&'static [i16], &'static str, &'static str)],
}

const WEEKDAYS: &[i16] = &[1, 2, 3, 4, 5];
const EVERY_DAY: &[i16] = &[1, 2, 3, 4, 5, 6, 7];
const WEEKEND: &[i16] = &[5, 6, 7];

pub const TRADES: &[Trade] = &[
    Trade {
        name: "bar",
        skills: &["bartending", "waiting-tables", "barista"],
        certificate: Some("social-hygiene"),
        weeks: &[(EVERY_DAY, "16:00", "02:00"), (WEEKEND, "12:00", "03:00")],
    },
    Trade {
        name: "kitchen",
        skills: &["line-cook", "dishwashing"],
        certificate: Some("food-hygiene"),
        weeks: &[(EVERY_DAY, "10:00", "23:00"), (WEEKDAYS, "06:00", "16:00")],
    },
    Trade {
        name: "cafe",
        skills: &["barista", "cashier", "customer-service"],
        certificate: Some("food-hygiene"),
        weeks: &[(WEEKDAYS, "07:00", "18:00"), (EVERY_DAY, "08:00", "20:00")],
    },
    Trade {
        name: "warehouse",
        skills: &["order-picking", "packing", "forklift", "inventory-counting"],
        certificate: Some("forklift-licence"),
        weeks: &[(WEEKDAYS, "06:00", "22:00"), (EVERY_DAY, "22:00", "07:00")],
    },
    Trade {
        name: "driving",
        skills: &["delivery-driving", "packing"],
        certificate: Some("drivers-licence-c"),
        weeks: &[(WEEKDAYS, "06:00", "18:00"), (EVERY_DAY, "07:00", "21:00")],
    },
    Trade {
        name: "retail",
        skills: &[
            "cashier",
            "shelf-stocking",
            "visual-merchandising",
            "customer-service",
        ],
        certificate: None,
        weeks: &[(EVERY_DAY, "08:00", "22:00"), (WEEKEND, "09:00", "18:00")],
    },
    Trade {
        name: "events",
        skills: &["event-setup", "stewarding", "ticketing", "stage-hand"],
        certificate: Some("bhv"),
        weeks: &[(WEEKEND, "10:00", "02:00"), (EVERY_DAY, "12:00", "00:00")],
    },
    Trade {
        name: "security",
        skills: &["stewarding", "customer-service"],
        certificate: Some("security-guard"),
        weeks: &[(EVERY_DAY, "18:00", "06:00"), (WEEKEND, "16:00", "04:00")],
    },
    Trade {
        name: "cleaning",
        skills: &["cleaning", "housekeeping"],
        certificate: Some("vca"),
        weeks: &[(WEEKDAYS, "06:00", "14:00"), (EVERY_DAY, "05:00", "13:00")],
    },
    Trade {
        name: "care",
        skills: &["elderly-care", "cleaning"],
        certificate: Some("care-diploma"),
        weeks: &[(EVERY_DAY, "07:00", "23:00"), (WEEKDAYS, "08:00", "17:00")],
    },
    Trade {
        name: "hotel",
        skills: &["hotel-reception", "housekeeping", "customer-service"],
        certificate: Some("first-aid"),
        weeks: &[(EVERY_DAY, "06:00", "23:00"), (WEEKDAYS, "07:00", "16:00")],
    },
    Trade {
        name: "office",
        skills: &["data-entry", "reception", "bookkeeping", "copywriting"],
        certificate: None,
        weeks: &[(WEEKDAYS, "08:00", "18:00")],
    },
    Trade {
        name: "digital",
        skills: &["web-development", "graphic-design", "copywriting"],
        certificate: None,
        weeks: &[(WEEKDAYS, "09:00", "18:00"), (EVERY_DAY, "10:00", "22:00")],
    },
];

/// A trade's region of the embedding space: a centre and a few directions its people vary
/// along (specialities, seniority, style). Real sentence embeddings have such a low intrinsic
/// dimension; isotropic noise in 384 dimensions would make every point nearly equidistant,
/// which no text corpus looks like and no nearest-neighbour index is built for.
#[derive(Clone, Debug)]
pub struct Topic {
    pub centre: Vec<f32>,
    pub directions: Vec<Vec<f32>>,
}

/// Directions of variation per topic.
const DIRECTIONS: usize = 8;

fn random_unit(rng: &mut Rng, dimension: usize) -> Vec<f32> {
    unit((0..dimension).map(|_| rng.normal() as f32).collect())
}

/// One topic per trade in `dimension` dimensions.
pub fn topics(rng: &mut Rng, dimension: usize) -> Vec<Topic> {
    TRADES
        .iter()
        .map(|_| Topic {
            centre: random_unit(rng, dimension),
            directions: (0..DIRECTIONS)
                .map(|_| random_unit(rng, dimension))
                .collect(),
        })
        .collect()
}

/// A unit vector in `topic`'s region: the centre, moved along its directions by `spread`
/// (standard deviation per direction), plus a little noise in every dimension.
pub fn near(rng: &mut Rng, topic: &Topic, spread: f32) -> Vec<f32> {
    let mut v = topic.centre.clone();
    for direction in &topic.directions {
        let w = spread * rng.normal() as f32;
        v.iter_mut().zip(direction).for_each(|(x, d)| *x += w * d);
    }
    let noise = 0.1 / (v.len() as f32).sqrt();
    v.iter_mut().for_each(|x| *x += noise * rng.normal() as f32);
    unit(v)
}

pub fn unit(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.iter_mut().for_each(|x| *x /= norm);
    v
}

/// pgvector's text form, `[0.1,0.2,…]`.
pub fn vector_text(v: &[f32]) -> String {
    let parts: Vec<String> = v.iter().map(|x| format!("{x:.6}")).collect();
    format!("[{}]", parts.join(","))
}

/// The bundled cities with the most people, biggest first.
pub const BIG_CITIES: &[&str] = &[
    "nl-amsterdam",
    "nl-rotterdam",
    "nl-den-haag",
    "nl-utrecht",
    "nl-eindhoven",
    "be-antwerpen",
    "nl-groningen",
    "be-gent",
    "nl-tilburg",
    "nl-almere",
    "nl-breda",
    "nl-nijmegen",
];

/// What was generated.
#[derive(Debug, Default)]
pub struct Generated {
    pub freelancers: usize,
    pub topics: Vec<Topic>,
}

/// Add `n` synthetic freelancers (ids from `first`), certificates valid relative to `today`.
/// Their vectors are set directly and marked current, so the embedding job leaves them alone.
pub async fn generate(
    db: &PgPool,
    n: usize,
    seed: u64,
    today: NaiveDate,
    dimension: usize,
) -> Result<Generated, sqlx::Error> {
    let mut rng = Rng::new(seed);
    let topics = topics(&mut rng, dimension);
    let cities: Vec<String> = sqlx::query_scalar!("SELECT city_id FROM cities ORDER BY city_id")
        .fetch_all(db)
        .await?;
    // Bigger cities first in a Zipf-like spread: weight 1/(rank+2).
    let weights: Vec<f64> = (0..cities.len()).map(|i| 1.0 / (i as f64 + 2.0)).collect();
    let total: f64 = weights.iter().sum();
    const BATCH: usize = 5000;
    let mut done = 0;
    while done < n {
        let size = BATCH.min(n - done);
        let mut users = Vec::with_capacity(size);
        let mut headlines = Vec::with_capacity(size);
        let mut city_ids = Vec::with_capacity(size);
        let mut travel = Vec::with_capacity(size);
        let mut rates = Vec::with_capacity(size);
        let mut vectors = Vec::with_capacity(size);
        let mut attendance: Vec<Option<f32>> = Vec::with_capacity(size);
        let mut ratings: Vec<Option<f32>> = Vec::with_capacity(size);
        let (mut skill_users, mut skill_ids, mut skill_levels) = (vec![], vec![], vec![]);
        let (mut week_users, mut week_days, mut week_from, mut week_to) =
            (vec![], vec![], vec![], vec![]);
        let (mut cert_users, mut cert_types, mut cert_expiry) = (vec![], vec![], vec![]);
        let (mut off_users, mut off_days) = (vec![], vec![]);
        for i in 0..size {
            let number = done + i;
            let id = uuid::Uuid::from_u64_pair(0x6d61_7463_6800_0000 | seed, number as u64);
            let trade_index = rng.below(TRADES.len());
            let trade = &TRADES[trade_index];
            let level = 1 + rng.below(4) as i16;
            users.push(id);
            headlines.push(format!("{} worker, level {level}", trade.name));
            let mut r = rng.unit() * total;
            let mut city = 0;
            while city + 1 < cities.len() && r > weights[city] {
                r -= weights[city];
                city += 1;
            }
            city_ids.push(cities[city].clone());
            travel.push(*rng.pick(&[10, 25, 40, 60, 100, 150, 200, 250]));
            rates.push(1300 + i64::from(level) * 300 + rng.below(800) as i64);
            vectors.push(vector_text(&near(&mut rng, &topics[trade_index], 0.5)));
            attendance.push(rng.chance(0.6).then(|| 0.6 + 0.4 * rng.unit() as f32));
            ratings.push(rng.chance(0.5).then(|| 3.0 + 2.0 * rng.unit() as f32));
            let skills = 1 + rng.below(trade.skills.len());
            for skill in &trade.skills[..skills] {
                skill_users.push(id);
                skill_ids.push((*skill).to_owned());
                skill_levels.push((level + rng.below(2) as i16 - 1).clamp(1, 4));
            }
            let (days, from, to) = rng.pick(trade.weeks);
            for day in *days {
                week_users.push(id);
                week_days.push(*day);
                week_from.push((*from).to_owned());
                week_to.push((*to).to_owned());
            }
            if let Some(certificate) = trade.certificate.filter(|_| rng.chance(0.7)) {
                cert_users.push(id);
                cert_types.push(certificate.to_owned());
                // One in ten has run out; the rest last one to 24 months.
                let months = if rng.chance(0.1) {
                    -1
                } else {
                    1 + rng.below(24) as i64
                };
                cert_expiry.push(today + chrono::Duration::days(months * 30));
            }
            if rng.chance(0.05) {
                off_users.push(id);
                off_days.push(today + chrono::Duration::days(rng.below(30) as i64));
            }
        }
        let mut tx = db.begin().await?;
        // Generated people never sign in and have no address or name (nothing to seal, no
        // key): their email lookup is a digest of their id, which no address hashes to.
        sqlx::query!(
            "INSERT INTO users (user_id, email_lookup)
             SELECT u, sha256(convert_to('generated:' || u::text, 'UTF8'))
               FROM unnest($1::uuid[]) AS x(u)",
            &users,
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "INSERT INTO freelancer_profiles (user_id, headline, city_id, travel_km, min_rate_minor,
                                              embedding, rating, attendance)
             SELECT u, h, c, t, r, v::vector, g, a
             FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::bigint[], $6::text[],
                         $7::real[], $8::real[]) AS x(u, h, c, t, r, v, g, a)",
            &users,
            &headlines,
            &city_ids,
            &travel,
            &rates,
            &vectors,
            &ratings as &[Option<f32>],
            &attendance as &[Option<f32>]
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "INSERT INTO freelancer_skills (user_id, skill_id, level)
             SELECT * FROM unnest($1::uuid[], $2::text[], $3::smallint[])",
            &skill_users,
            &skill_ids,
            &skill_levels
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "INSERT INTO freelancer_availability (user_id, weekday, starts, ends)
             SELECT u, d, f::time, t::time
             FROM unnest($1::uuid[], $2::smallint[], $3::text[], $4::text[]) AS x(u, d, f, t)",
            &week_users,
            &week_days,
            &week_from,
            &week_to
        )
        .execute(&mut *tx)
        .await?;
        // Generated certificates count for matching but have no document to open.
        sqlx::query!(
            "INSERT INTO freelancer_certificates (certificate_id, user_id, certificate_type_id,
                 file_name, content_type, document_deleted_at, expires_on, status, reviewed_at)
             SELECT gen_random_uuid(), u, t, 'certificate.pdf', 'application/pdf', now(),
                    e, 'verified', now()
             FROM unnest($1::uuid[], $2::text[], $3::date[]) AS x(u, t, e)",
            &cert_users,
            &cert_types,
            &cert_expiry
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "INSERT INTO freelancer_days_off (user_id, day)
             SELECT * FROM unnest($1::uuid[], $2::date[]) ON CONFLICT DO NOTHING",
            &off_users,
            &off_days
        )
        .execute(&mut *tx)
        .await?;
        // Their vectors are current: the embedding job has nothing to redo.
        sqlx::query!(
            "UPDATE freelancer_profiles SET embedded_version = text_version
             WHERE user_id = ANY($1)",
            &users
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        done += size;
    }
    Ok(Generated {
        freelancers: n,
        topics,
    })
}
