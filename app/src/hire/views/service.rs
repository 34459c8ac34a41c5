//! Read compositions: each gathers what one page shows from the sub-domains' repos, on one
//! connection, as of the app clock.

use crate::accounts::model::Membership;
use crate::hire::certificates::service as certificates;
use crate::hire::contracts::repo::ContractScope;
use crate::hire::error::{Result, not_found};
use crate::hire::postings::model::{WorkFilter, WorkPage};
use crate::hire::views::model::{OrgHome, OrgShiftDetail, Seeker, ShiftDetail};
use crate::hire::{applications, contracts, matching, postings, profiles};
use crate::ids::{OrganisationId, PostingId, UserId};
use crate::state::AppState;

/// Open shifts and jobs, filtered and paged: for a freelancer within reach of their home (with
/// their home city and reach), for anyone else all of them.
pub async fn find_work(
    state: &AppState,
    seeker: Seeker,
    filter: &WorkFilter,
    per_page: i64,
) -> Result<WorkPage> {
    let mut conn = state.db.acquire().await?;
    let now = state.clock.now();
    let freelancer = seeker.freelancer();
    let (shifts, total) =
        postings::repo::open_shifts(&mut conn, freelancer, filter, now, per_page).await?;
    let home = match freelancer {
        Some(user) => profiles::repo::profile(&mut conn, &state.vault, user)
            .await?
            .map(|p| (p.city.name, filter.within_km.unwrap_or(p.travel_km))),
        None => None,
    };
    Ok(WorkPage {
        shifts,
        total,
        page: filter.page,
        home,
        signed_in: seeker.user().is_some(),
    })
}

/// A published shift as `seeker` sees it: a freelancer with their own application, whether
/// they can apply and the required certificates they lack; a visitor without the street
/// address (it is for the people who work there).
pub async fn shift(state: &AppState, seeker: Seeker, id: PostingId) -> Result<ShiftDetail> {
    let mut conn = state.db.acquire().await?;
    let user = seeker.user();
    let Some(mut posting) = postings::repo::shift(&mut conn, id, None, user).await? else {
        return not_found();
    };
    let Some(user) = user else {
        posting.address.clear();
        return Ok(ShiftDetail {
            posting,
            signed_in: false,
            mine: None,
            can_apply: false,
            missing_certificates: Vec::new(),
        });
    };
    Ok(ShiftDetail {
        posting,
        signed_in: true,
        mine: applications::repo::my_applications(&mut conn, user, Some(id))
            .await?
            .pop(),
        can_apply: profiles::repo::has_profile(&mut conn, user).await?,
        missing_certificates: certificates::missing(&mut conn, user, id).await?,
    })
}

/// An organisation's home: its shifts and the timesheets waiting for it.
pub async fn org_home(state: &AppState, membership: &Membership) -> Result<OrgHome> {
    let mut conn = state.db.acquire().await?;
    let organisation = membership.organisation_id;
    let shifts = postings::repo::organisation_shifts(&mut conn, organisation).await?;
    let scope = ContractScope::Waiting(organisation);
    let wait = crate::hire::disputes::service::escalation_wait(state);
    let timesheets_waiting =
        contracts::repo::contracts(&mut conn, &state.vault, scope, state.clock.now(), wait).await?;
    Ok(OrgHome {
        name: membership.name.clone(),
        slug: membership.slug.clone(),
        shifts,
        timesheets_waiting,
    })
}

/// One of the organisation's postings with its applicants (each with their fit), contracts
/// and, while it takes applications, the people who worked for it before.
pub async fn org_shift(
    state: &AppState,
    organisation: OrganisationId,
    id: PostingId,
) -> Result<OrgShiftDetail> {
    let mut conn = state.db.acquire().await?;
    let Some(posting) = postings::repo::shift(&mut conn, id, Some(organisation), None).await?
    else {
        return not_found();
    };
    let mut applicants =
        applications::repo::applicants(&mut conn, &state.vault, organisation, id).await?;
    let who: Vec<UserId> = applicants.iter().map(|a| a.freelancer_id).collect();
    let settings = &state.config.matching;
    let mut fits = matching::applicant_fits(&mut conn, organisation, id, &who, settings).await?;
    for applicant in &mut applicants {
        applicant.fit = fits.remove(&applicant.freelancer_id);
    }
    let scope = ContractScope::Posting(organisation, id);
    let wait = crate::hire::disputes::service::escalation_wait(state);
    let contracts =
        contracts::repo::contracts(&mut conn, &state.vault, scope, state.clock.now(), wait).await?;
    let past_workers = if posting.summary.status.accepts_applications() {
        applications::repo::past_workers(&mut conn, &state.vault, organisation, id).await?
    } else {
        Vec::new()
    };
    Ok(OrgShiftDetail {
        posting,
        applicants,
        contracts,
        past_workers,
    })
}
