//! Hire server functions. Freelancers act on their own profile, applications and contracts;
//! hiring managers act for an organisation they belong to, named by its slug, and every
//! query underneath is scoped to that organisation's id.

use crate::error::AppError;
use crate::hire::applications::model::MyApplication;
use crate::hire::certificates::model::{MyCertificates, VerificationQueue};
use crate::hire::contracts::model::{ContractView, HoursInput, WeekInput};
use crate::hire::matching::model::{Candidate, Opening};
use crate::hire::messages::model::{Thread, ThreadSummary, Unread};
use crate::hire::postings::model::{Draft, JobInput, ShiftInput, ShiftSummary, WorkPage};
use crate::hire::profiles::model::{Profile, ProfileInput};
use crate::hire::reference::model::Reference;
use crate::hire::views::{OrgHome, OrgShiftDetail, ShiftDetail};
use crate::ids::{ApplicationId, CertificateId, ContractId, PostingId, UserId};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::certificates::service as certificates,
    super::messages::service as messages,
    super::{applications, contracts, postings, profiles, ratings, reference},
    crate::accounts::authz::{Need, authorize},
    crate::accounts::model::Role,
    crate::accounts::session::RequestMeta,
    crate::hire::postings::model::{PostingStatus, WorkFilter},
    crate::hire::reference::model::Side,
    crate::ids::OrganisationId,
    crate::state::{AppState, app_state},
    sqlx::Postgres,
    sqlx::pool::PoolConnection,
};

/// Shifts per page on the find-work page.
pub const SHIFTS_PER_PAGE: i64 = 20;

#[cfg(feature = "ssr")]
async fn connection(state: &AppState) -> Result<PoolConnection<Postgres>, AppError> {
    state.db.acquire().await.map_err(AppError::from)
}

/// The calling freelancer.
#[cfg(feature = "ssr")]
async fn freelancer() -> Result<(AppState, UserId), AppError> {
    let principal = authorize(Need::Role(Role::Freelancer)).await?;
    Ok((app_state()?, principal.viewer.user_id))
}

/// The calling member of the organisation `slug`: (state, organisation, member).
#[cfg(feature = "ssr")]
async fn member(slug: &str) -> Result<(AppState, OrganisationId, UserId), AppError> {
    let principal = authorize(Need::Organisation { slug, owner: false }).await?;
    let organisation = principal.organisation(slug)?.organisation_id;
    Ok((app_state()?, organisation, principal.viewer.user_id))
}

#[server(endpoint = "hire/reference")]
pub async fn load_reference() -> Result<Reference, AppError> {
    let state = app_state()?;
    reference::repo::reference(&mut *connection(&state).await?)
        .await
        .map_err(AppError::from)
}

/// The caller's own freelancer profile, if they have one.
#[server(endpoint = "hire/profile/mine")]
pub async fn load_my_profile() -> Result<Option<Profile>, AppError> {
    let user = authorize(Need::SignedIn).await?.viewer.user_id;
    let state = app_state()?;
    profiles::repo::profile(&mut *connection(&state).await?, user)
        .await
        .map_err(AppError::from)
}

#[server(endpoint = "hire/profile/save")]
pub async fn save_profile(profile: ProfileInput) -> Result<(), AppError> {
    let user = authorize(Need::SignedIn).await?.viewer.user_id;
    Ok(profiles::service::save_profile(&app_state()?, user, &profile).await?)
}

#[server(endpoint = "hire/profile/day-off")]
pub async fn add_day_off(day: String, note: String) -> Result<(), AppError> {
    let (state, user) = freelancer().await?;
    Ok(profiles::service::add_day_off(&state, user, &day, &note).await?)
}

#[server(endpoint = "hire/profile/day-off/remove")]
pub async fn remove_day_off(day: chrono::NaiveDate) -> Result<(), AppError> {
    let (state, user) = freelancer().await?;
    profiles::repo::remove_day_off(&mut *connection(&state).await?, user, day)
        .await
        .map_err(AppError::from)
}

/// A freelancer's profile: for the freelancer, support admins and hiring managers (their
/// availability only for organisations the freelancer applied to or was invited by).
#[server(endpoint = "hire/freelancer")]
pub async fn load_freelancer(id: UserId) -> Result<Profile, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let viewer = &principal.viewer;
    let support = viewer.has(crate::accounts::model::Role::AdminSupport);
    if viewer.user_id != id && viewer.memberships.is_empty() && !support {
        return Err(AppError::Forbidden.with_status());
    }
    Ok(profiles::service::profile_for(&app_state()?, viewer, support, id).await?)
}

#[server(endpoint = "hire/work")]
pub async fn find_work(
    within_km: String,
    min_wage: String,
    skill: String,
    from: String,
    page: i64,
) -> Result<WorkPage, AppError> {
    let (state, user) = freelancer().await?;
    let filter = WorkFilter::from_query(&within_km, &min_wage, &skill, &from, page);
    let mut conn = connection(&state).await?;
    let (shifts, total) =
        postings::repo::open_shifts(&mut conn, user, &filter, state.clock.now(), SHIFTS_PER_PAGE)
            .await?;
    let home = profiles::repo::profile(&mut conn, user)
        .await?
        .map(|p| (p.city.name, filter.within_km.unwrap_or(p.travel_km)));
    Ok(WorkPage {
        shifts,
        total,
        page: filter.page,
        home,
    })
}

/// A published shift, with the caller's own application if they applied.
#[server(endpoint = "hire/shift")]
pub async fn load_shift(id: PostingId) -> Result<ShiftDetail, AppError> {
    let user = authorize(Need::SignedIn).await?.viewer.user_id;
    let state = app_state()?;
    let mut conn = connection(&state).await?;
    let posting = postings::repo::shift(&mut conn, id, None, Some(user))
        .await?
        .ok_or_else(|| AppError::NotFound.with_status())?;
    let mut detail = ShiftDetail::of(posting);
    detail.mine = applications::repo::my_applications(&mut conn, user, Some(id))
        .await?
        .pop();
    detail.can_apply = profiles::repo::has_profile(&mut conn, user).await?;
    detail.missing_certificates = certificates::missing(&mut conn, user, id).await?;
    Ok(detail)
}

/// Apply to a shift or a job (`shift` names either), with a note and, for a job, optionally
/// one's own rate or price (`proposed`, empty for none).
#[server(endpoint = "hire/apply")]
pub async fn apply_to_shift(
    shift: PostingId,
    note: String,
    proposed: String,
) -> Result<(), AppError> {
    let (state, user) = freelancer().await?;
    applications::service::apply(&state, user, shift, &note, &proposed).await?;
    Ok(())
}

/// Submit (or resubmit after a dispute) a week of an hourly job.
#[server(endpoint = "hire/week/submit")]
pub async fn submit_week(contract: ContractId, week: WeekInput) -> Result<(), AppError> {
    let (state, user) = freelancer().await?;
    Ok(contracts::hours::submit_week(&state, user, contract, &week).await?)
}

/// Hand over a fixed-price job's work (again, after a dispute).
#[server(endpoint = "hire/delivery/submit")]
pub async fn submit_delivery(contract: ContractId, note: String) -> Result<(), AppError> {
    let (state, user) = freelancer().await?;
    Ok(contracts::hours::submit_delivery(&state, user, contract, &note).await?)
}

#[server(endpoint = "hire/applications/mine")]
pub async fn my_applications() -> Result<Vec<MyApplication>, AppError> {
    let (state, user) = freelancer().await?;
    applications::repo::my_applications(&mut *connection(&state).await?, user, None)
        .await
        .map_err(AppError::from)
}

/// Withdraw an application, or decline an offer.
#[server(endpoint = "hire/application/withdraw")]
pub async fn withdraw_application(
    application: ApplicationId,
    reason: String,
) -> Result<(), AppError> {
    let (state, user) = freelancer().await?;
    Ok(applications::service::step_back(&state, user, application, &reason).await?)
}

#[server(endpoint = "hire/offer/accept")]
pub async fn accept_offer(application: ApplicationId) -> Result<(), AppError> {
    let (state, user) = freelancer().await?;
    applications::service::accept_offer(&state, user, application).await?;
    Ok(())
}

#[server(endpoint = "hire/contracts/mine")]
pub async fn my_contracts() -> Result<Vec<ContractView>, AppError> {
    let (state, user) = freelancer().await?;
    let scope = contracts::repo::ContractScope::Freelancer(user);
    contracts::repo::contracts(&mut *connection(&state).await?, scope, state.clock.now())
        .await
        .map_err(AppError::from)
}

/// Open shifts and jobs the matching engine recommends to the signed-in freelancer.
#[server(endpoint = "hire/openings")]
pub async fn load_openings() -> Result<Vec<Opening>, AppError> {
    let (state, user) = freelancer().await?;
    super::matching::openings(
        &mut *connection(&state).await?,
        user,
        state.clock.now(),
        &state.config.matching,
    )
    .await
    .map_err(AppError::from)
}

#[server(endpoint = "hire/hours/submit")]
pub async fn submit_hours(contract: ContractId, hours: HoursInput) -> Result<(), AppError> {
    let (state, user) = freelancer().await?;
    Ok(contracts::hours::submit_hours(&state, user, contract, &hours).await?)
}

#[server(endpoint = "hire/contract/cancel")]
pub async fn cancel_my_contract(contract: ContractId, reason: String) -> Result<(), AppError> {
    let (state, user) = freelancer().await?;
    Ok(contracts::service::cancel_contract(
        &state,
        Side::Freelancer,
        user.0,
        user,
        contract,
        &reason,
    )
    .await?)
}

#[server(endpoint = "hire/org/home")]
pub async fn load_org_home(slug: String) -> Result<OrgHome, AppError> {
    let principal = authorize(Need::Organisation {
        slug: &slug,
        owner: false,
    })
    .await?;
    let membership = principal.organisation(&slug)?;
    let state = app_state()?;
    let mut conn = connection(&state).await?;
    let organisation = membership.organisation_id;
    let shifts = postings::repo::organisation_shifts(&mut conn, organisation).await?;
    let scope = contracts::repo::ContractScope::Waiting(organisation);
    let timesheets_waiting =
        contracts::repo::contracts(&mut conn, scope, state.clock.now()).await?;
    Ok(OrgHome {
        name: membership.name.clone(),
        slug,
        shifts,
        timesheets_waiting,
    })
}

/// Save a new job as a draft; returns its id.
#[server(endpoint = "hire/org/job/create")]
pub async fn create_job(slug: String, job: JobInput) -> Result<PostingId, AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let form = postings::service::PostingForm::Job(&job);
    Ok(postings::service::create_posting(&state, organisation, user, form).await?)
}

/// Save changes to a draft job.
#[server(endpoint = "hire/org/job/update")]
pub async fn update_job_draft(slug: String, id: PostingId, job: JobInput) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    Ok(postings::service::update_draft(&state, organisation, user, id, &job).await?)
}

#[server(endpoint = "hire/org/week/approve")]
pub async fn approve_week(
    slug: String,
    contract: ContractId,
    monday: chrono::NaiveDate,
) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let answer = contracts::hours::Decision::Approve;
    Ok(contracts::hours::answer_week(&state, organisation, user, contract, monday, answer).await?)
}

/// Approve a week with different hours per day, saying why.
#[server(endpoint = "hire/org/week/adjust")]
pub async fn adjust_week(
    slug: String,
    contract: ContractId,
    monday: chrono::NaiveDate,
    week: WeekInput,
    reason: String,
) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let answer = contracts::hours::Decision::Adjust {
        hours: &week,
        reason: &reason,
    };
    Ok(contracts::hours::answer_week(&state, organisation, user, contract, monday, answer).await?)
}

#[server(endpoint = "hire/org/week/dispute")]
pub async fn dispute_week(
    slug: String,
    contract: ContractId,
    monday: chrono::NaiveDate,
    reason: String,
) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let answer = contracts::hours::Decision::Dispute { reason: &reason };
    Ok(contracts::hours::answer_week(&state, organisation, user, contract, monday, answer).await?)
}

#[server(endpoint = "hire/org/delivery/approve")]
pub async fn approve_delivery(slug: String, contract: ContractId) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    Ok(contracts::hours::answer_delivery(&state, organisation, user, contract, None).await?)
}

#[server(endpoint = "hire/org/delivery/dispute")]
pub async fn dispute_delivery(
    slug: String,
    contract: ContractId,
    reason: String,
) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let reason = Some(reason.as_str());
    Ok(contracts::hours::answer_delivery(&state, organisation, user, contract, reason).await?)
}

/// Save a new shift as a draft; returns its id.
#[server(endpoint = "hire/org/shift/create")]
pub async fn create_shift(slug: String, shift: ShiftInput) -> Result<PostingId, AppError> {
    let (state, organisation, user) = member(&slug).await?;
    Ok(postings::service::create_shift(&state, organisation, user, &shift).await?)
}

/// A draft shift or job as its form shows it, to edit.
#[server(endpoint = "hire/org/shift/draft")]
pub async fn load_draft(slug: String, id: PostingId) -> Result<Draft, AppError> {
    let (state, organisation, _) = member(&slug).await?;
    postings::repo::draft_input(&mut *connection(&state).await?, organisation, id)
        .await?
        .ok_or_else(|| AppError::NotFound.with_status())
}

/// Save changes to a draft shift.
#[server(endpoint = "hire/org/shift/update")]
pub async fn update_draft(slug: String, id: PostingId, shift: ShiftInput) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    Ok(postings::service::update_draft(&state, organisation, user, id, &shift).await?)
}

#[server(endpoint = "hire/org/shift")]
pub async fn load_org_shift(slug: String, id: PostingId) -> Result<OrgShiftDetail, AppError> {
    let (state, organisation, _) = member(&slug).await?;
    let mut conn = connection(&state).await?;
    let detail = postings::repo::shift(&mut conn, id, Some(organisation), None)
        .await?
        .ok_or_else(|| AppError::NotFound.with_status())?;
    let mut applicants = applications::repo::applicants(&mut conn, organisation, id).await?;
    let who: Vec<UserId> = applicants.iter().map(|a| a.freelancer_id).collect();
    let mut fits =
        super::matching::applicant_fits(&mut conn, organisation, id, &who, &state.config.matching)
            .await?;
    for applicant in &mut applicants {
        applicant.fit = fits.remove(&applicant.freelancer_id);
    }
    let scope = contracts::repo::ContractScope::Posting(organisation, id);
    let contracts = contracts::repo::contracts(&mut conn, scope, state.clock.now()).await?;
    let past_workers = if detail.summary.status.accepts_applications() {
        applications::repo::past_workers(&mut conn, organisation, id).await?
    } else {
        Vec::new()
    };
    Ok(OrgShiftDetail {
        detail: ShiftDetail::of(detail),
        applicants,
        contracts,
        past_workers,
    })
}

/// The freelancers the matching engine recommends for one of the organisation's postings, best
/// first, each with the hard filters passed and every factor's share of the score.
#[server(endpoint = "hire/org/shift/recommended")]
pub async fn load_recommended(
    slug: String,
    shift: PostingId,
    // Two plain options rather than the filter itself: the URL encoding leaves an all-default
    // struct out of the request, which then could not be read back.
    within_km: Option<i32>,
    min_attendance: Option<i32>,
) -> Result<Vec<Candidate>, AppError> {
    let filter = crate::hire::matching::model::MatchFilter {
        within_km,
        min_attendance,
    };
    let (state, organisation, user) = member(&slug).await?;
    crate::ratelimit::check(
        &state.db,
        crate::ratelimit::RECOMMENDATIONS_PER_USER,
        &user.to_string(),
    )
    .await?;
    super::matching::candidates(
        &mut *connection(&state).await?,
        organisation,
        shift,
        filter,
        &state.config.matching,
    )
    .await?
    .ok_or_else(|| AppError::NotFound.with_status())
}

/// Invite a freelancer to apply to one of the organisation's open shifts, with an optional
/// first message.
#[server(endpoint = "hire/org/invite")]
pub async fn invite_freelancer(
    slug: String,
    shift: PostingId,
    freelancer: UserId,
    message: String,
) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    applications::service::invite(&state, organisation, user, shift, freelancer, &message).await?;
    Ok(())
}

/// The open shifts of the caller's organisations they can invite `freelancer` to (empty for
/// anyone who manages none).
#[server(endpoint = "hire/invitable")]
pub async fn load_invitable_shifts(freelancer: UserId) -> Result<Vec<ShiftSummary>, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let organisations: Vec<uuid::Uuid> = principal
        .viewer
        .memberships
        .iter()
        .map(|m| m.organisation_id.0)
        .collect();
    if organisations.is_empty() {
        return Ok(Vec::new());
    }
    let state = app_state()?;
    let now = state.clock.now();
    applications::repo::invitable_shifts(
        &mut *connection(&state).await?,
        &organisations,
        freelancer,
        now,
    )
    .await
    .map_err(AppError::from)
}

/// Publish, close or cancel a shift (`to`: `published`, `closed`, `cancelled`).
#[server(endpoint = "hire/org/shift/change")]
pub async fn change_shift(slug: String, id: PostingId, to: String) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let to = PostingStatus::from_db_name(&to)
        .ok_or_else(|| AppError::invalid("Choose what to do with the shift.").with_status())?;
    Ok(postings::service::change_shift(&state, organisation, user, id, to).await?)
}

#[server(endpoint = "hire/org/offer")]
pub async fn make_offer(slug: String, application: ApplicationId) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    Ok(applications::service::offer(&state, organisation, user, application).await?)
}

/// Turn down an application, or take back an offer.
#[server(endpoint = "hire/org/reject")]
pub async fn reject_application(
    slug: String,
    application: ApplicationId,
    reason: String,
) -> Result<(), AppError> {
    let (state, organisation, _) = member(&slug).await?;
    Ok(applications::service::reject(&state, organisation, application, &reason).await?)
}

#[server(endpoint = "hire/org/hours/approve")]
pub async fn approve_hours(slug: String, contract: ContractId) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let answer = contracts::hours::Decision::Approve;
    Ok(contracts::hours::answer_hours(&state, organisation, user, contract, answer).await?)
}

/// Approve different hours than submitted, saying why.
#[server(endpoint = "hire/org/hours/adjust")]
pub async fn adjust_hours(
    slug: String,
    contract: ContractId,
    hours: HoursInput,
    reason: String,
) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let answer = contracts::hours::Decision::Adjust {
        hours: &hours,
        reason: &reason,
    };
    Ok(contracts::hours::answer_hours(&state, organisation, user, contract, answer).await?)
}

/// Send the hours back to the freelancer, saying why; they can submit them again.
#[server(endpoint = "hire/org/hours/dispute")]
pub async fn dispute_hours(
    slug: String,
    contract: ContractId,
    reason: String,
) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let answer = contracts::hours::Decision::Dispute { reason: &reason };
    Ok(contracts::hours::answer_hours(&state, organisation, user, contract, answer).await?)
}

#[server(endpoint = "hire/org/contract/cancel")]
pub async fn cancel_contract(
    slug: String,
    contract: ContractId,
    reason: String,
) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    Ok(contracts::service::cancel_contract(
        &state,
        Side::Organisation,
        organisation.0,
        user,
        contract,
        &reason,
    )
    .await?)
}

#[server(endpoint = "hire/org/no-show")]
pub async fn record_no_show(slug: String, contract: ContractId) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    Ok(contracts::service::record_no_show(&state, organisation, user, contract).await?)
}

/// The freelancer rates the organisation after a completed shift.
#[server(endpoint = "hire/work/rate")]
pub async fn rate_organisation(
    contract: ContractId,
    stars: String,
    comment: String,
) -> Result<(), AppError> {
    let (state, user) = freelancer().await?;
    let side = Side::Freelancer;
    Ok(
        ratings::service::rate_contract(&state, side, user.0, user, contract, &stars, &comment)
            .await?,
    )
}

/// The organisation rates the freelancer after a completed shift.
#[server(endpoint = "hire/org/rate")]
pub async fn rate_freelancer(
    slug: String,
    contract: ContractId,
    stars: String,
    comment: String,
) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let side = Side::Organisation;
    let owner = organisation.0;
    Ok(
        ratings::service::rate_contract(&state, side, owner, user, contract, &stars, &comment)
            .await?,
    )
}

/// The caller's certificates with their review state.
#[server(endpoint = "hire/certificates/mine")]
pub async fn load_my_certificates() -> Result<MyCertificates, AppError> {
    let (state, user) = freelancer().await?;
    let certificates = certificates::of(&mut *connection(&state).await?, user).await?;
    Ok(MyCertificates {
        certificates,
        today: state.clock.now().date_naive(),
    })
}

/// Certificates waiting for a support admin's review.
#[server(endpoint = "admin/verification")]
pub async fn load_verification_queue() -> Result<VerificationQueue, AppError> {
    authorize(Need::Role(Role::AdminSupport)).await?;
    let state = app_state()?;
    let (items, total) = certificates::queue(&mut *connection(&state).await?).await?;
    Ok(VerificationQueue { items, total })
}

/// Verify a certificate (`decision` = `verify`, with the expiry date as the document shows it)
/// or reject it (`reject`, with the reason the freelancer will read).
#[server(endpoint = "admin/verification/review")]
pub async fn review_certificate(
    certificate: CertificateId,
    decision: String,
    expires_on: String,
    reason: String,
) -> Result<(), AppError> {
    let principal = authorize(Need::Role(Role::AdminSupport)).await?;
    let ip = RequestMeta::current().await.ip;
    let review = match decision.as_str() {
        "verify" => certificates::Review::Verify {
            expires_on: &expires_on,
        },
        "reject" => certificates::Review::Reject { reason: &reason },
        _ => return Err(AppError::invalid("Choose verify or reject.").with_status()),
    };
    let state = app_state()?;
    let admin = principal.viewer.user_id;
    Ok(certificates::review(&state, admin, ip, certificate, review).await?)
}

/// The caller's message threads as a freelancer.
#[server(endpoint = "hire/messages")]
pub async fn my_threads() -> Result<Vec<ThreadSummary>, AppError> {
    let (state, user) = freelancer().await?;
    let party = messages::Party::freelancer(user);
    messages::inbox(&mut *connection(&state).await?, party)
        .await
        .map_err(AppError::from)
}

/// One of the caller's threads; opening it marks it read.
#[server(endpoint = "hire/thread")]
pub async fn my_thread(application: ApplicationId) -> Result<Thread, AppError> {
    let (state, user) = freelancer().await?;
    let party = messages::Party::freelancer(user);
    Ok(messages::open(&state, party, application).await?)
}

#[server(endpoint = "hire/message/send")]
pub async fn send_my_message(application: ApplicationId, body: String) -> Result<(), AppError> {
    let (state, user) = freelancer().await?;
    let party = messages::Party::freelancer(user);
    messages::send(&state, party, user, application, &body).await?;
    Ok(())
}

/// The organisation's message threads.
#[server(endpoint = "hire/org/messages")]
pub async fn org_threads(slug: String) -> Result<Vec<ThreadSummary>, AppError> {
    let (state, organisation, _) = member(&slug).await?;
    let party = messages::Party::organisation(organisation);
    messages::inbox(&mut *connection(&state).await?, party)
        .await
        .map_err(AppError::from)
}

/// One of the organisation's threads; opening it marks it read for the organisation.
#[server(endpoint = "hire/org/thread")]
pub async fn org_thread(slug: String, application: ApplicationId) -> Result<Thread, AppError> {
    let (state, organisation, _) = member(&slug).await?;
    let party = messages::Party::organisation(organisation);
    Ok(messages::open(&state, party, application).await?)
}

#[server(endpoint = "hire/org/message/send")]
pub async fn send_org_message(
    slug: String,
    application: ApplicationId,
    body: String,
) -> Result<(), AppError> {
    let (state, organisation, user) = member(&slug).await?;
    let party = messages::Party::organisation(organisation);
    messages::send(&state, party, user, application, &body).await?;
    Ok(())
}

/// Unread messages for the Hire navigation.
#[server(endpoint = "hire/messages/unread")]
pub async fn unread_messages() -> Result<Unread, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let state = app_state()?;
    messages::unread_for(&mut *connection(&state).await?, &principal.viewer)
        .await
        .map_err(AppError::from)
}

/// Local development only: move the Hire clock `hours` ahead of real time (0: back in step),
/// so a shift's end can be reached without waiting for it. A 404 anywhere else, and to
/// any client but this machine.
#[server(endpoint = "dev/clock")]
pub async fn set_dev_clock(hours: i64) -> Result<(), AppError> {
    let state = crate::state::dev_tools().await?;
    state
        .clock
        .set_offset(chrono::Duration::hours(hours.clamp(0, 24 * 366)));
    Ok(())
}
