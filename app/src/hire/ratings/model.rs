//! Ratings both sides give after a completed contract.

use crate::error::{AppError, Problems};
use crate::hire::reference::model::Side;
use serde::{Deserialize, Serialize};

/// Stars and words one side gave the other after a completed contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub by: Side,
    pub stars: i16,
    pub comment: String,
}

/// A rating as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidRating {
    pub stars: i16,
    pub comment: String,
}

/// Check a rating form: 1 to 5 stars, an optional comment of at most 1000 characters.
pub fn check_rating(stars: &str, comment: &str) -> Result<ValidRating, AppError> {
    let mut p = Problems::default();
    let stars = match stars.trim().parse::<i16>() {
        Ok(n @ 1..=5) => n,
        _ => {
            p.add("stars", "Choose from 1 to 5 stars.");
            0
        }
    };
    let comment = comment.trim().to_owned();
    if comment.chars().count() > 1000 {
        p.add("comment", "Keep the comment to 1000 characters.");
    }
    p.into_result(ValidRating { stars, comment })
}

/// "4.8★ from 12 ratings"
pub fn rating_line(average: Option<f64>, count: i64) -> String {
    match average {
        Some(avg) if count > 0 => format!(
            "{avg:.1}★ from {count} rating{}",
            if count == 1 { "" } else { "s" }
        ),
        _ => "No ratings yet".to_owned(),
    }
}
