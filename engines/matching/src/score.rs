//! The explained score: six factors, each between 0 and 1, blended with configured weights into
//! 0–100 points. The total is the sum of the factors' points, so an explanation always adds up
//! to the score it explains.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// What a factor is worth when there is nothing to judge it by: a freelancer with no ratings or
/// no bookings yet is neither rewarded nor punished much.
pub const NEUTRAL_RATING: f64 = 0.7;
pub const NEUTRAL_RELIABILITY: f64 = 0.8;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Factor {
    /// How close the texts are in meaning (cosine of the embeddings).
    Semantic,
    /// The skills the posting asks for, at the levels it asks.
    Skills,
    Rating,
    /// Attendance: booked shifts turned up for.
    Reliability,
    Distance,
    /// The freelancer's minimum rate against the pay.
    Rate,
}

impl Factor {
    pub const ALL: [Factor; 6] = [
        Factor::Semantic,
        Factor::Skills,
        Factor::Rating,
        Factor::Reliability,
        Factor::Distance,
        Factor::Rate,
    ];

    /// The name used in configuration (`OLIVINE_MATCH_WEIGHTS=semantic=0.35,…`).
    pub fn key(self) -> &'static str {
        match self {
            Factor::Semantic => "semantic",
            Factor::Skills => "skills",
            Factor::Rating => "rating",
            Factor::Reliability => "reliability",
            Factor::Distance => "distance",
            Factor::Rate => "rate",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Factor::Semantic => "Profile fits the description",
            Factor::Skills => "Skills and levels",
            Factor::Rating => "Rating",
            Factor::Reliability => "Attendance",
            Factor::Distance => "Distance",
            Factor::Rate => "Rate fit",
        }
    }
}

/// How much each factor counts; they add up to 1.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Weights([f64; 6]);

impl Default for Weights {
    fn default() -> Self {
        // Meaning leads (the texts include skills and levels), then the asked skills.
        Weights([0.40, 0.25, 0.10, 0.10, 0.10, 0.05])
    }
}

impl Weights {
    pub fn of(&self, factor: Factor) -> f64 {
        self.0[factor as usize]
    }

    /// Parses `semantic=0.4,skills=0.25,…`: every factor named once, none negative, scaled so
    /// they add up to 1. Factors left out weigh nothing.
    pub fn parse(text: &str) -> Result<Weights, String> {
        let mut weights = [0.0; 6];
        let mut seen = [false; 6];
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("expected factor=weight, got `{part}`"))?;
            let factor = Factor::ALL
                .into_iter()
                .find(|f| f.key() == key.trim())
                .ok_or_else(|| {
                    format!(
                        "unknown factor `{}`; the factors are {}",
                        key.trim(),
                        Factor::ALL.map(Factor::key).join(", ")
                    )
                })?;
            let value: f64 = value
                .trim()
                .parse()
                .map_err(|_| format!("`{}` is not a number", value.trim()))?;
            if !value.is_finite() || value < 0.0 {
                return Err(format!("{key} must be zero or more, got {value}"));
            }
            if std::mem::replace(&mut seen[factor as usize], true) {
                return Err(format!("{key} is given twice"));
            }
            weights[factor as usize] = value;
        }
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            return Err("at least one factor needs a weight above zero".to_owned());
        }
        Ok(Weights(weights.map(|w| w / total)))
    }
}

/// What the search measured about one candidate for one posting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Features {
    /// Cosine similarity of the two texts; `None` while the profile waits to be embedded.
    pub similarity: Option<f64>,
    /// The mean, over the asked skills, of min(level held / level asked, 1) — 0 for a skill not
    /// held; `None` when the posting asks for no particular skill.
    pub skill_fit: Option<f64>,
    /// Average stars given by organisations and how many ratings.
    pub rating: Option<f64>,
    pub attendance: Option<f64>,
    pub distance_km: f64,
    /// The farthest the candidate could be: the smaller of the two radii.
    pub max_km: f64,
    /// The freelancer's minimum rate and the hourly pay, in cents; `None` for a fixed price.
    pub rate: Option<(i64, i64)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub factor: Factor,
    /// The factor's value, 0 to 1.
    pub value: f64,
    pub weight: f64,
    /// value × weight × 100.
    pub points: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// 0 to 100: the sum of the contributions' points.
    pub total: f64,
    pub contributions: Vec<Contribution>,
}

impl Score {
    pub fn of(&self, factor: Factor) -> Option<&Contribution> {
        self.contributions.iter().find(|c| c.factor == factor)
    }
}

pub fn factor_value(features: &Features, factor: Factor) -> f64 {
    let value = match factor {
        Factor::Semantic => features.similarity.unwrap_or(0.0),
        Factor::Skills => features.skill_fit.unwrap_or(1.0),
        Factor::Rating => features.rating.map_or(NEUTRAL_RATING, |stars| stars / 5.0),
        Factor::Reliability => features.attendance.unwrap_or(NEUTRAL_RELIABILITY),
        Factor::Distance => {
            if features.max_km <= 0.0 {
                1.0
            } else {
                1.0 - features.distance_km / features.max_km
            }
        }
        Factor::Rate => features.rate.map_or(1.0, |(asks, pays)| {
            if pays <= 0 {
                0.0
            } else {
                asks as f64 / pays as f64
            }
        }),
    };
    if value.is_finite() {
        value.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

pub fn score(features: &Features, weights: &Weights) -> Score {
    let contributions: Vec<Contribution> = Factor::ALL
        .into_iter()
        .map(|factor| {
            let value = factor_value(features, factor);
            let weight = weights.of(factor);
            Contribution {
                factor,
                value,
                weight,
                points: value * weight * 100.0,
            }
        })
        .collect();
    Score {
        total: contributions.iter().map(|c| c.points).sum(),
        contributions,
    }
}

/// Best first; equal scores in the order of their ids, so the same candidates always come back
/// in the same order whatever order the database returned them in.
pub fn rank<T>(items: &mut [T], key: impl Fn(&T) -> (f64, [u8; 16])) {
    items.sort_by(|a, b| {
        let (score_a, id_a) = key(a);
        let (score_b, id_b) = key(b);
        score_b
            .total_cmp(&score_a)
            .then_with(|| id_a.cmp(&id_b))
            .then(Ordering::Equal)
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn features() -> impl Strategy<Value = Features> {
        (
            proptest::option::of(-1.0f64..1.0),
            proptest::option::of(0.0f64..=1.0),
            proptest::option::of(1.0f64..=5.0),
            proptest::option::of(0.0f64..=1.0),
            0.0f64..250.0,
            0.0f64..250.0,
            proptest::option::of((0i64..50_000, 100i64..50_000)),
        )
            .prop_map(
                |(similarity, skill_fit, rating, attendance, d, max, rate)| Features {
                    similarity,
                    skill_fit,
                    rating,
                    attendance,
                    distance_km: d.min(max),
                    max_km: max,
                    rate: rate.map(|(asks, pays)| (asks.min(pays), pays)),
                },
            )
    }

    proptest! {
        #[test]
        fn the_explanation_adds_up_to_the_score(f in features(), w in proptest::array::uniform6(0.0f64..10.0)) {
            prop_assume!(w.iter().sum::<f64>() > 0.01);
            let text = Factor::ALL.iter().zip(w).map(|(f, w)| format!("{}={w}", f.key())).collect::<Vec<_>>().join(",");
            let weights = Weights::parse(&text).map_err(TestCaseError::fail)?;
            let s = score(&f, &weights);
            let sum: f64 = s.contributions.iter().map(|c| c.points).sum();
            prop_assert_eq!(s.total, sum);
            prop_assert!((0.0..=100.0 + 1e-9).contains(&s.total));
            for c in &s.contributions {
                prop_assert!((0.0..=1.0).contains(&c.value));
                prop_assert!((c.points - c.value * c.weight * 100.0).abs() < 1e-9);
            }
            let weight_sum: f64 = s.contributions.iter().map(|c| c.weight).sum();
            prop_assert!((weight_sum - 1.0).abs() < 1e-9);
        }

        #[test]
        fn ranking_ignores_the_order_candidates_arrive_in(
            scores in proptest::collection::vec((0u8..4, 0u8..8), 1..40),
            seed in any::<u64>(),
        ) {
            // Few distinct scores and ids: plenty of ties.
            let items: Vec<(f64, [u8; 16])> = scores.iter().map(|&(s, id)| (f64::from(s) * 10.0, [id; 16])).collect();
            let mut a = items.clone();
            let mut b = items;
            // A deterministic shuffle of b.
            let mut state = seed | 1;
            for i in (1..b.len()).rev() {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17;
                b.swap(i, (state % (i as u64 + 1)) as usize);
            }
            rank(&mut a, |x| *x);
            rank(&mut b, |x| *x);
            prop_assert_eq!(&a, &b);
            for pair in a.windows(2) {
                prop_assert!(pair[0].0 > pair[1].0 || (pair[0].0 == pair[1].0 && pair[0].1 <= pair[1].1));
            }
        }
    }

    #[test]
    fn weights_are_checked_and_scaled() {
        let w = Weights::parse("semantic=2, skills=2").expect("valid");
        assert_eq!(w.of(Factor::Semantic), 0.5);
        assert_eq!(w.of(Factor::Rate), 0.0);
        assert!(
            Weights::parse("semantics=1")
                .unwrap_err()
                .contains("unknown factor")
        );
        assert!(
            Weights::parse("rate=-1")
                .unwrap_err()
                .contains("zero or more")
        );
        assert!(
            Weights::parse("rate=1,rate=2")
                .unwrap_err()
                .contains("twice")
        );
        assert!(
            Weights::parse("rate=x")
                .unwrap_err()
                .contains("not a number")
        );
        assert!(Weights::parse("rate=0").unwrap_err().contains("above zero"));
        let d = Weights::default();
        assert!((Factor::ALL.iter().map(|f| d.of(*f)).sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn missing_history_is_neutral_and_a_closer_candidate_scores_more() {
        let base = Features {
            similarity: Some(0.6),
            skill_fit: None,
            rating: None,
            attendance: None,
            distance_km: 4.0,
            max_km: 25.0,
            rate: Some((2200, 2450)),
        };
        let w = Weights::default();
        let s = score(&base, &w);
        assert_eq!(s.of(Factor::Rating).map(|c| c.value), Some(NEUTRAL_RATING));
        assert_eq!(
            s.of(Factor::Reliability).map(|c| c.value),
            Some(NEUTRAL_RELIABILITY)
        );
        assert_eq!(s.of(Factor::Skills).map(|c| c.value), Some(1.0));
        let farther = Features {
            distance_km: 20.0,
            ..base.clone()
        };
        assert!(score(&farther, &w).total < s.total);
        let unembedded = Features {
            similarity: None,
            ..base
        };
        assert_eq!(
            score(&unembedded, &w).of(Factor::Semantic).map(|c| c.value),
            Some(0.0)
        );
    }
}
