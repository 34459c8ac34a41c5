//! What the matching engine explains: each candidate's fit with its checks and factors.

use crate::hire::postings::model::ShiftSummary;
use crate::ids::UserId;
use serde::{Deserialize, Serialize};

/// One hard filter of the matching engine, in words: passed by every recommended candidate; an
/// applicant may have failed it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub passed: bool,
    pub text: String,
}

/// How well a freelancer and a posting fit: the score with each factor's share, the hard
/// filters, and the facts behind them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    pub score: ::matching::Score,
    pub checks: Vec<Check>,
    pub distance_km: f64,
    pub skill_fit: Option<f64>,
    pub rating: Option<f64>,
    pub attendance: Option<f64>,
}

impl Fit {
    /// The score to one decimal, as the explanation's total shows it.
    pub fn total(&self) -> f64 {
        (self.score.total * 10.0).round() / 10.0
    }

    /// 0 to 100, as the summary shows it: the shown total rounded, so an explanation adding up
    /// to 65.5 never sits under a summary of 65 (rounding the exact 65.46 would give that).
    pub fn points(&self) -> i64 {
        self.total().round() as i64
    }

    pub fn eligible(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }

    /// "92 — skills 0.81, 4 km, 4.8★, 98% attendance".
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(skills) = self.skill_fit {
            parts.push(format!("skills {skills:.2}"));
        }
        parts.push(format!("{:.0} km", self.distance_km));
        parts.push(match self.rating {
            Some(stars) => format!("{stars:.1}★"),
            None => "no ratings yet".to_owned(),
        });
        parts.push(match self.attendance {
            Some(share) => format!("{:.0}% attendance", share * 100.0),
            None => "no bookings yet".to_owned(),
        });
        format!("{} — {}", self.points(), parts.join(", "))
    }
}

/// The freelancers the engine recommends for a posting, best first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recommendations {
    pub candidates: Vec<Candidate>,
    /// Whether the posting's text has been embedded: until then (a few seconds after it is
    /// saved) how a profile fits the description cannot count, and everyone eligible is ranked
    /// by the other factors.
    pub description_read: bool,
}

/// A freelancer the engine recommends for a posting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub freelancer_id: UserId,
    pub name: String,
    pub headline: String,
    pub city: String,
    pub fit: Fit,
}

/// An open shift or job the engine recommends to a freelancer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Opening {
    pub shift: ShiftSummary,
    pub fit: Fit,
}

/// The manager's narrowing of the recommended candidates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchFilter {
    /// How far from the posting candidates may live (km); the default is 50.
    pub within_km: Option<i32>,
    /// Only freelancers with at least this attendance record (percent).
    pub min_attendance: Option<i32>,
}

impl MatchFilter {
    pub const DEFAULT_KM: i32 = 50;
    pub const RADII: [i32; 5] = [10, 25, 50, 100, 250];

    pub fn within_km(self) -> i32 {
        self.within_km.unwrap_or(Self::DEFAULT_KM).clamp(1, 250)
    }

    pub fn min_attendance(self) -> Option<f64> {
        self.min_attendance
            .filter(|p| *p > 0)
            .map(|p| f64::from(p.min(100)) / 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit(total: f64) -> Fit {
        Fit {
            score: ::matching::Score {
                total,
                contributions: Vec::new(),
            },
            checks: Vec::new(),
            distance_km: 4.0,
            skill_fit: None,
            rating: None,
            attendance: None,
        }
    }

    #[test]
    fn the_summary_rounds_the_total_the_explanation_shows() {
        for (exact, shown, points) in [
            (65.46, "65.5", 66),
            (65.44, "65.4", 65),
            (99.96, "100.0", 100),
            (0.04, "0.0", 0),
        ] {
            let fit = fit(exact);
            assert_eq!(format!("{:.1}", fit.total()), shown, "{exact}");
            assert_eq!(fit.points(), points, "{exact}");
            assert!(fit.summary().starts_with(&format!("{points} — ")));
        }
    }
}
