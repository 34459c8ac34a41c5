//! The Hire demo: ~500 generated freelancers across 30 cities (clustered skills, rates that
//! follow their levels, varied weeks), profiles for the demo freelancers Fay and Finn, and
//! about 80 shifts for the three demo organisations in the coming three weeks. Deterministic;
//! re-running adds only what is missing.

use super::accounts::user_id;
use super::stable_id;
use anyhow::Context;
use app::accounts::model::Role;
use app::accounts::{password, repo as accounts};
use app::hire::postings::model::{PayBasis, PostingKind, ValidPosting};
use app::hire::profiles::model::{Availability, ValidProfile};
use app::hire::reference::model::{HIRE_CURRENCY, Reference};
use app::hire::{postings, profiles, reference};
use app::ids::{OrganisationId, PostingId};
use app::money::Money;
use app::vault::Vault;
use chrono::{Days, NaiveDate, NaiveTime};
use sqlx::{PgConnection, PgPool};

/// A well-spread number below `modulo` from a key. The catalog's `pick` reads the FNV hash's
/// high bits, which barely change between keys that differ in one digit; 500 freelancers
/// need a finaliser (splitmix64's) to land in 30 different cities.
fn pick(key: &str, modulo: u64) -> u64 {
    let mut x = super::pick(key, u64::MAX);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (x ^ (x >> 31)) % modulo
}

/// Generated freelancers.
pub const FREELANCERS: usize = 500;

const FIRST: &[&str] = &[
    "Anna", "Bram", "Chloé", "Daan", "Emma", "Finn", "Hugo", "Iris", "Jesse", "Lotte", "Mila",
    "Noah", "Olivia", "Sem", "Tess", "Yara", "Lucas", "Sara", "Milan", "Julia", "Luuk", "Eva",
    "Ahmed", "Fatima", "Kofi", "Priya", "Mateo", "Zoë", "Jonas", "Lena",
];
const LAST: &[&str] = &[
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "Peters",
    "Hendriks",
    "Dekker",
    "Brouwer",
    "Claes",
    "Maes",
    "Wouters",
    "Schmidt",
    "Yılmaz",
    "El Amrani",
    "Kowalski",
    "Santos",
];
const LEVEL_WORDS: [&str; 4] = ["Junior", "Experienced", "Skilled", "Expert"];

/// (organisation slug, the skill category it hires for, its cities, shift titles)
const ORGANISATIONS: &[(&str, &str, &[&str], &[&str])] = &[
    (
        "harbour-hotels",
        "hospitality",
        &[
            "nl-amsterdam",
            "nl-rotterdam",
            "nl-den-haag",
            "nl-utrecht",
            "be-antwerpen",
        ],
        &[
            "Breakfast service",
            "Bar shift",
            "Hotel reception, late",
            "Kitchen help",
            "Banquet waiter",
        ],
    ),
    (
        "meadow-events",
        "events",
        &[
            "nl-utrecht",
            "nl-amersfoort",
            "nl-arnhem",
            "nl-eindhoven",
            "be-gent",
        ],
        &[
            "Festival stewarding",
            "Stage build",
            "Ticket desk",
            "Event setup crew",
            "Backstage runner",
        ],
    ),
    (
        "canal-logistics",
        "logistics",
        &[
            "nl-tilburg",
            "nl-breda",
            "nl-venlo",
            "nl-eindhoven",
            "de-duesseldorf",
        ],
        &[
            "Order picking, early",
            "Forklift, night",
            "Packing line",
            "Stock count",
            "Returns sorting",
        ],
    ),
];

#[derive(Debug, Default, PartialEq, Eq)]
pub struct HireReport {
    pub freelancers: usize,
    pub certificates: usize,
    pub shifts: usize,
}

/// A freelancer's generated profile from their number.
fn profile(n: usize, reference: &Reference, cities: &[String]) -> ValidProfile {
    let key = |what: &str| format!("freelancer:{n}:{what}");
    let category = &reference.skills
        [usize::try_from(pick(&key("category"), 6)).unwrap_or(0) % reference.skills.len()];
    let count = 2 + usize::try_from(pick(&key("count"), 3)).unwrap_or(0);
    let first = usize::try_from(pick(&key("first-skill"), 64)).unwrap_or(0);
    let mut skills: Vec<(String, i16)> = (0..count.min(category.skills.len()))
        .map(|i| {
            let skill = &category.skills[(first + i) % category.skills.len()];
            let level = 1 + i16::try_from(pick(&key(&skill.id), 4)).unwrap_or(0);
            (skill.id.clone(), level)
        })
        .collect();
    skills.sort();
    let best = skills.iter().map(|s| s.1).max().unwrap_or(1);
    let lead = category
        .skills
        .iter()
        .find(|s| skills.iter().any(|(id, l)| *id == s.id && *l == best))
        .map_or("freelancer", |s| s.name.as_str());
    let city = &cities[usize::try_from(pick(&key("city"), 1 << 16)).unwrap_or(0) % cities.len()];
    let rate =
        1250 + i64::from(best) * 250 + i64::try_from(pick(&key("rate"), 8)).unwrap_or(0) * 50;
    let windows = [(8, 17), (16, 23), (7, 19), (22, 6), (10, 22)];
    let shape = windows[usize::try_from(pick(&key("window"), 5)).unwrap_or(0)];
    let days = 3 + pick(&key("days"), 4);
    // 3 to 6 days in a row, starting on any weekday.
    let first = pick(&key("first-day"), 7);
    let mut week: Vec<Availability> = (0..days)
        .map(|i| Availability {
            weekday: i16::try_from((first + i) % 7 + 1).unwrap_or(1),
            starts: NaiveTime::from_hms_opt(shape.0, 0, 0).unwrap_or_default(),
            ends: NaiveTime::from_hms_opt(shape.1, 0, 0).unwrap_or_default(),
        })
        .collect();
    week.sort_by_key(|a| a.weekday);
    let mut languages = vec!["nl".to_owned(), "en".to_owned()];
    match pick(&key("lang"), 5) {
        0 => languages.push("de".to_owned()),
        1 => languages.push("fr".to_owned()),
        2 => languages.retain(|l| l != "nl"),
        _ => {}
    }
    ValidProfile {
        headline: format!(
            "{} {}",
            LEVEL_WORDS[usize::try_from(best - 1).unwrap_or(0)],
            lead.to_lowercase()
        ),
        bio: format!(
            "{} shifts in {} for {} years. Reliable, on time, happy to travel.",
            category.name,
            city.split('-').nth(1).unwrap_or("the region"),
            1 + pick(&key("years"), 9)
        ),
        city: city.clone(),
        travel_km: 10 + i32::try_from(pick(&key("travel"), 6)).unwrap_or(0) * 10,
        min_rate: Money::new(rate, HIRE_CURRENCY),
        languages,
        skills,
        week,
    }
}

async fn seed_freelancers(
    conn: &mut PgConnection,
    vault: &Vault,
    reference: &Reference,
) -> anyhow::Result<usize> {
    let hash = password::hash(super::DEMO_PASSWORD.to_owned())
        .await
        .context("hashing")?;
    // 30 of the bundled cities, the same ones every time.
    let cities: Vec<String> = reference
        .cities
        .iter()
        .take(30)
        .map(|c| c.id.clone())
        .collect();
    let mut added = 0;
    for n in 1..=FREELANCERS {
        let email = format!("freelancer{n:03}@olivine.test");
        if accounts::credentials_by_email(conn, vault, &email)
            .await?
            .is_some()
        {
            continue;
        }
        let name = format!(
            "{} {}",
            FIRST[usize::try_from(pick(&format!("first:{n}"), 1 << 16)).unwrap_or(0) % FIRST.len()],
            LAST[usize::try_from(pick(&format!("last:{n}"), 1 << 16)).unwrap_or(0) % LAST.len()]
        );
        let id = user_id(&email);
        accounts::insert_user(conn, vault, id, &email, &name, Some(&hash), true).await?;
        accounts::grant_role(conn, id, Role::Freelancer, None).await?;
        profiles::repo::save_profile(conn, id, &profile(n, reference, &cities)).await?;
        added += 1;
    }
    // The demo freelancers who sign in by name.
    for (email, city, skills) in [
        (
            "fay@olivine.test",
            "nl-utrecht",
            [("barista", 3), ("event-setup", 2), ("stewarding", 2)],
        ),
        (
            "finn@olivine.test",
            "nl-amsterdam",
            [
                ("bartending", 4),
                ("waiting-tables", 3),
                ("order-picking", 2),
            ],
        ),
    ] {
        let id = user_id(email);
        if profiles::repo::has_profile(conn, id).await? {
            continue;
        }
        let week = (1..=7)
            .map(|weekday| Availability {
                weekday,
                starts: NaiveTime::from_hms_opt(7, 0, 0).unwrap_or_default(),
                ends: NaiveTime::from_hms_opt(23, 0, 0).unwrap_or_default(),
            })
            .collect();
        let profile = ValidProfile {
            headline: "Hospitality and events all-rounder".to_owned(),
            bio: "Five years behind bars, coffee machines and festival gates.".to_owned(),
            city: city.to_owned(),
            travel_km: 60,
            min_rate: Money::new(1500, HIRE_CURRENCY),
            languages: vec!["nl".to_owned(), "en".to_owned()],
            skills: skills.iter().map(|(s, l)| ((*s).to_owned(), *l)).collect(),
            week,
        };
        profiles::repo::save_profile(conn, id, &profile).await?;
    }
    Ok(added)
}

async fn seed_shifts(
    conn: &mut PgConnection,
    reference: &Reference,
    today: NaiveDate,
) -> anyhow::Result<usize> {
    let mut added = 0;
    for (slug, category, cities, titles) in ORGANISATIONS {
        let organisation = OrganisationId(stable_id(&format!("organisation:{slug}")));
        let manager = sqlx::query_scalar!(
            "SELECT user_id FROM organisation_members WHERE organisation_id = $1 AND role = 'owner'",
            organisation.0
        )
        .fetch_optional(&mut *conn)
        .await?;
        let Some(manager) = manager else { continue };
        let skills = reference
            .skills
            .iter()
            .find(|c| c.id == *category)
            .map(|c| c.skills.clone())
            .unwrap_or_default();
        for n in 0..27 {
            let key = |what: &str| format!("shift:{slug}:{n}:{what}");
            let id = PostingId(stable_id(&key("id")));
            let exists = sqlx::query_scalar!(
                r#"SELECT EXISTS (SELECT 1 FROM postings WHERE posting_id = $1) AS "exists!""#,
                id.0
            )
            .fetch_one(&mut *conn)
            .await?;
            if exists {
                continue;
            }
            let title = titles[n % titles.len()];
            let day = today + Days::new(1 + pick(&key("day"), 21));
            let start = 6 + u32::try_from(pick(&key("start"), 13)).unwrap_or(0);
            let length = 4 + i64::try_from(pick(&key("length"), 6)).unwrap_or(0);
            let starts = day.and_hms_opt(start, 0, 0).unwrap_or_default();
            let skill = &skills
                [usize::try_from(pick(&key("skill"), 64)).unwrap_or(0) % skills.len().max(1)];
            let mut shift = ValidPosting {
                kind: PostingKind::Shift,
                pay_basis: PayBasis::Hourly,
                title: title.to_owned(),
                description: format!(
                    "{title} with {}. Report to the shift lead at the staff entrance 10 minutes early; \
                     black trousers and closed shoes. Meals included on shifts over 6 hours.",
                    slug.replace('-', " ")
                ),
                city: cities[usize::try_from(pick(&key("city"), 5)).unwrap_or(0) % cities.len()]
                    .to_owned(),
                address: String::new(),
                starts,
                ends: starts + chrono::Duration::hours(length),
                break_minutes: if length > 5 { 30 } else { 0 },
                headcount: 1 + i32::try_from(pick(&key("headcount"), 5)).unwrap_or(0),
                wage: Money::new(
                    1400 + i64::try_from(pick(&key("wage"), 20)).unwrap_or(0) * 50,
                    HIRE_CURRENCY,
                ),
                skills: vec![(
                    skill.id.clone(),
                    1 + i16::try_from(pick(&key("level"), 3)).unwrap_or(0),
                )],
                // Every fourth shift asks for the certificate its trade usually needs.
                certificates: if n % 4 == 1 {
                    vec![trade_certificate(category).to_owned()]
                } else {
                    Vec::new()
                },
            };
            // Every ninth is a job of a few days instead: by the hour or at a fixed price.
            if n % 9 == 7 {
                let days = 3 + i64::try_from(pick(&key("days"), 8)).unwrap_or(0);
                shift.kind = PostingKind::Job;
                shift.title = format!("{title}, {days}-day project");
                shift.description = format!(
                    "{days} days of {} for {}: set-up, the work itself and handing over.",
                    title.to_lowercase(),
                    slug.replace('-', " ")
                );
                shift.starts = day.and_time(chrono::NaiveTime::MIN);
                shift.ends = shift.starts + chrono::Duration::days(days);
                shift.break_minutes = 0;
                shift.headcount = 1;
                if n % 2 == 0 {
                    shift.pay_basis = PayBasis::Fixed;
                    shift.wage = Money::new(days * 8 * shift.wage.minor(), HIRE_CURRENCY);
                }
            }
            postings::repo::save_draft(conn, id, organisation, app::ids::UserId(manager), &shift)
                .await?;
            // Most are open; a few stay drafts or have stopped taking applications.
            let status = match n % 9 {
                0 => "draft",
                4 => "closed",
                _ => "published",
            };
            sqlx::query!(
                "UPDATE postings SET status = $2::text::posting_status,
                        published_at = CASE WHEN $2 = 'draft' THEN NULL ELSE now() END
                 WHERE posting_id = $1",
                id.0,
                status
            )
            .execute(&mut *conn)
            .await?;
            added += 1;
        }
    }
    Ok(added)
}

/// The certificate a trade's shifts ask for.
fn trade_certificate(category: &str) -> &'static str {
    match category {
        "hospitality" => "food-hygiene",
        "logistics" => "forklift-licence",
        _ => "bhv",
    }
}

/// A one-page PDF standing in for a scanned certificate.
const DEMO_DOCUMENT: &[u8] = b"%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R
   /Resources << /Font << /F1 5 0 R >> >> >> endobj
4 0 obj << /Length 58 >> stream
BT /F1 24 Tf 72 760 Td (Olivine demo certificate) Tj ET
endstream endobj
5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj
trailer << /Root 1 0 R >>
%%EOF
";

/// Certificates for the generated freelancers: about a third hold each trade's certificate,
/// verified and valid for one to three more years; a few wait for review, so the admins'
/// queue has work in it.
async fn seed_certificates(conn: &mut PgConnection, today: NaiveDate) -> anyhow::Result<usize> {
    let mut added = 0;
    for n in 1..=FREELANCERS {
        let user = user_id(&format!("freelancer{n:03}@olivine.test"));
        for (type_id, every) in [("food-hygiene", 3), ("forklift-licence", 4), ("bhv", 5)] {
            let pending = n % 50 == 7 && type_id == "bhv";
            if n % every != 0 && !pending {
                continue;
            }
            let key = format!("certificate:{n}:{type_id}");
            let expires = today + Days::new(365 + pick(&key, 730));
            let inserted = sqlx::query!(
                "INSERT INTO freelancer_certificates
                     (certificate_id, user_id, certificate_type_id, file_name, content_type,
                      document, expires_on, status, reviewed_at)
                 VALUES ($1, $2, $3, $4, 'application/pdf', $5, $6,
                         $7::text::certificate_status,
                         CASE WHEN $7 = 'pending' THEN NULL ELSE now() END)
                 ON CONFLICT DO NOTHING",
                stable_id(&key),
                user.0,
                type_id,
                format!("{type_id}.pdf"),
                DEMO_DOCUMENT,
                expires,
                if pending { "pending" } else { "verified" },
            )
            .execute(&mut *conn)
            .await?;
            added += usize::try_from(inserted.rows_affected()).unwrap_or(0);
        }
    }
    Ok(added)
}

/// Seed the Hire demo (after the demo accounts and organisations).
pub async fn seed_hire(db: &PgPool, vault: &Vault, today: NaiveDate) -> anyhow::Result<HireReport> {
    let mut tx = db.begin().await.context("cannot start the Hire seed")?;
    let reference = reference::repo::reference(&mut tx).await?;
    let freelancers = seed_freelancers(&mut tx, vault, &reference)
        .await
        .context("freelancers")?;
    let certificates = seed_certificates(&mut tx, today)
        .await
        .context("certificates")?;
    let shifts = seed_shifts(&mut tx, &reference, today)
        .await
        .context("shifts")?;
    tx.commit().await.context("cannot commit the Hire seed")?;
    Ok(HireReport {
        freelancers,
        certificates,
        shifts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::hire::reference::model::{City, Skill, SkillCategory};
    use std::collections::BTreeSet;

    fn reference() -> Reference {
        Reference {
            cities: (0..47)
                .map(|n| City {
                    id: format!("nl-city{n}"),
                    name: format!("City {n}"),
                    country: "NL".into(),
                    latitude: 52.0,
                    longitude: 5.0,
                })
                .collect(),
            skills: (0..6)
                .map(|c| SkillCategory {
                    id: format!("category{c}"),
                    name: format!("Category {c}"),
                    skills: (0..5)
                        .map(|s| Skill {
                            id: format!("skill{c}-{s}"),
                            name: format!("Skill {c}-{s}"),
                        })
                        .collect(),
                })
                .collect(),
            certificates: Vec::new(),
        }
    }

    #[test]
    fn generated_freelancers_spread_over_cities_skills_rates_and_weeks() {
        let reference = reference();
        let cities: Vec<String> = reference
            .cities
            .iter()
            .take(30)
            .map(|c| c.id.clone())
            .collect();
        let profiles: Vec<ValidProfile> = (1..=FREELANCERS)
            .map(|n| profile(n, &reference, &cities))
            .collect();
        let distinct = |f: &dyn Fn(&ValidProfile) -> String| {
            profiles.iter().map(f).collect::<BTreeSet<_>>().len()
        };
        assert_eq!(
            distinct(&|p| p.city.clone()),
            30,
            "every one of the 30 cities has freelancers"
        );
        let held: BTreeSet<&str> = profiles
            .iter()
            .flat_map(|p| p.skills.iter().map(|s| s.0.as_str()))
            .collect();
        assert_eq!(
            held.len(),
            30,
            "every skill of the taxonomy is held by someone"
        );
        assert!(
            distinct(&|p| p.min_rate.minor().to_string()) >= 10,
            "rates vary"
        );
        assert!(distinct(&|p| format!("{:?}", p.week)) >= 50, "weeks vary");
        assert!(
            profiles
                .iter()
                .all(|p| (2..=4).contains(&p.skills.len()) && !p.week.is_empty())
        );
        // Rates follow levels: the best-levelled earn more on average than beginners.
        let average = |level: i16| {
            let rates: Vec<i64> = profiles
                .iter()
                .filter(|p| p.skills.iter().map(|s| s.1).max() == Some(level))
                .map(|p| p.min_rate.minor())
                .collect();
            rates.iter().sum::<i64>() / i64::try_from(rates.len().max(1)).unwrap_or(1)
        };
        assert!(average(4) > average(1));
    }
}
