//! Server functions for recommendations: candidates for a posting, openings for a freelancer.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::hire::access::{freelancer, member};
use crate::hire::matching::model::{Opening, Recommendations};
use crate::ids::PostingId;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {crate::hire::matching, crate::hire::matching::model::MatchFilter};

/// Open shifts and jobs the matching engine recommends to the signed-in freelancer.
#[server(endpoint = "hire/openings")]
pub async fn load_openings() -> Result<Vec<Opening>, AppError> {
    let (state, user) = freelancer().await?;
    Ok(matching::service::recommended_openings(&state, user).await?)
}

/// The freelancers the matching engine recommends for one of the organisation's postings, best
/// first, each with the hard filters passed and every factor's share of the score. The filter
/// comes as two plain options: the URL encoding leaves an all-default struct out of the
/// request, which then could not be read back.
#[server(endpoint = "hire/org/shift/recommended")]
pub async fn load_recommended(
    slug: String,
    shift: PostingId,
    within_km: Option<i32>,
    min_attendance: Option<i32>,
) -> Result<Recommendations, AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let filter = MatchFilter {
        within_km,
        min_attendance,
    };
    Ok(matching::service::recommended(&state, organisation, user, shift, filter).await?)
}
