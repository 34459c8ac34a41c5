//! Measuring the search against the exact answer: recall, latency and the strategy chosen,
//! for the matching benchmark.

use super::query::filter_query;
use crate::hire::matching::model::{Check, Fit};
use crate::hire::matching::query::{Measured, Query};
use crate::money::Money;
use matching::{Features, Weights};
use sqlx::PgConnection;
use std::collections::HashMap;

/// Given freelancers measured against a query, each hard filter a flag.
pub struct Measurement {
    pub user_id: uuid::Uuid,
    /// Sealed: [`crate::accounts::repo::reveal_name`] opens it for those shown.
    pub name: crate::vault::Sealed,
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
