//! The matching use cases as people reach them: a manager's recommended candidates (rate
//! limited per person) and a freelancer's recommended openings.

use crate::hire::error::{Result, not_found};
use crate::hire::matching::model::{MatchFilter, Opening, Recommendations};
use crate::hire::matching::{candidates, openings};
use crate::ids::{OrganisationId, PostingId, UserId};
use crate::ratelimit::{self, RECOMMENDATIONS_PER_USER};
use crate::state::AppState;

/// The freelancers recommended for one of `organisation`'s postings, best first, asked for by
/// the manager `user`.
pub async fn recommended(
    state: &AppState,
    organisation: OrganisationId,
    user: UserId,
    posting: PostingId,
    filter: MatchFilter,
) -> Result<Recommendations> {
    ratelimit::check(&state.db, RECOMMENDATIONS_PER_USER, &user.to_string()).await?;
    let mut conn = state.db.acquire().await?;
    let settings = &state.config.matching;
    match candidates(
        &mut conn,
        &state.vault,
        organisation,
        posting,
        filter,
        settings,
    )
    .await?
    {
        Some(found) => Ok(found),
        None => not_found(),
    }
}

/// The open shifts and jobs recommended to the freelancer `user`.
pub async fn recommended_openings(state: &AppState, user: UserId) -> Result<Vec<Opening>> {
    let mut conn = state.db.acquire().await?;
    let now = state.clock.now();
    Ok(openings(&mut conn, user, now, &state.config.matching).await?)
}
