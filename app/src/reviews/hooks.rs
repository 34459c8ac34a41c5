//! Steps other domains take when a review is published, held or rejected, in that decision's
//! transaction, so reviews imports none of them (loyalty points for a published review).

use super::model::ReviewStatus;
use crate::accounts::hooks::InTransaction;
use crate::ids::{ReviewId, UserId};
use crate::state::AppState;
use chrono::{DateTime, Utc};

/// A review the moment it is written or moderated.
#[derive(Clone, Debug)]
pub struct DecidedReview {
    pub review: ReviewId,
    pub author: UserId,
    pub product_name: String,
    pub status: ReviewStatus,
    pub now: DateTime<Utc>,
}

/// A step the app lists (`app::WHEN_REVIEW_DECIDED`) and the server hands to the app state.
pub type WhenDecided = InTransaction<AppState, DecidedReview>;
