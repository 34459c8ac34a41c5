//! The Hire use cases. Each change is one transaction that locks the row it moves, checks the
//! state machine, and updates with a guard on the expected status; seats are taken with a
//! guarded update, so concurrent offers never fill more places than the shift has. "Now" is
//! the app clock, so the rules can be exercised at any time of day.

use super::applications::repo::{LockedApplication, NewApplication};
use super::certificates::service as certificates;
use super::contracts::repo::{LockedContract, NewEvent};
use super::contracts::timesheets::{Answer, NewHours};
use super::messages::service as messages;
use super::{applications, contracts, postings, profiles, ratings, reference};
use crate::accounts::model::Role;
use crate::accounts::repo as accounts;
use crate::audit::{self, Action, Entry};
use crate::error::{AppError, ServiceError};
use crate::hire::applications::model::{ApplicationStatus, check_proposal};
use crate::hire::contracts::model::{
    CANCELLATION_POLICY, ContractEventKind, ContractStatus, HoursInput, TimesheetStatus,
    ValidHours, ValidWeek, WeekInput, pay_for,
};
use crate::hire::postings::model::{
    JobInput, PayBasis, PostingDetail, PostingKind, PostingStatus, ShiftInput, ValidPosting,
};
use crate::hire::profiles::model::{Profile, ProfileInput};
use crate::hire::ratings::model::check_rating;
use crate::hire::reference::model::Side;
use crate::hire::time::last_day;
use crate::hire::time::paid_minutes;
use crate::ids::{ApplicationId, ContractId, OrganisationId, PostingId, UserId};
use crate::money::Money;
use crate::state::AppState;
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use sqlx::PgConnection;

pub type Result<T> = std::result::Result<T, ServiceError>;

fn refuse<T>(message: impl Into<String>) -> Result<T> {
    Err(AppError::invalid(message).into())
}

fn not_found<T>() -> Result<T> {
    Err(AppError::NotFound.into())
}

/// Refusals for a move the state machine does not allow, in the person's words.
fn application_moved(from: ApplicationStatus) -> AppError {
    AppError::invalid(match from {
        ApplicationStatus::Invited => "The freelancer is invited and hasn't applied yet.",
        ApplicationStatus::Applied => "This application is still waiting for an answer.",
        ApplicationStatus::Offered => "An offer is already waiting for the freelancer's answer.",
        ApplicationStatus::Hired => "This freelancer is already hired for the shift.",
        ApplicationStatus::Rejected => "This application was not selected.",
        ApplicationStatus::Withdrawn => "This application was withdrawn.",
        ApplicationStatus::Declined => "This offer was declined.",
        ApplicationStatus::Expired => "This expired without an answer.",
    })
}

fn reason_text(raw: &str, field: &str) -> Result<String> {
    let reason = raw.trim();
    if reason.is_empty() {
        return Err(AppError::field(field, "Say why, in a few words.").into());
    }
    if reason.chars().count() > 500 {
        return Err(AppError::field(field, "Keep the reason to 500 characters.").into());
    }
    Ok(reason.to_owned())
}

/// Refuse a form whose city, skills or certificates are not in the reference lists (`form`:
/// the fields' prefix, `profile` or `shift`).
async fn check_reference(
    conn: &mut PgConnection,
    form: &str,
    city: &str,
    skills: &[(String, i16)],
    certificates: &[String],
) -> Result<()> {
    let ids: Vec<String> = skills.iter().map(|(id, _)| id.clone()).collect();
    let (city_known, skills_known, certificates_known) =
        reference::repo::known_references(conn, city, &ids, certificates).await?;
    let problem = if !city_known {
        Some(("city", "Choose a city from the list."))
    } else if !skills_known {
        Some(("skills", "Choose skills from the list."))
    } else if !certificates_known {
        Some(("certificates", "Choose certificates from the list."))
    } else {
        None
    };
    match problem {
        Some((field, message)) => Err(AppError::field(&format!("{form}[{field}]"), message).into()),
        None => Ok(()),
    }
}

// ---- Profiles ----------------------------------------------------------------------------

/// Save the caller's freelancer profile; the first save makes them a freelancer.
pub async fn save_profile(state: &AppState, user: UserId, input: &ProfileInput) -> Result<()> {
    let profile = input.check()?;
    let mut tx = state.db.begin().await?;
    check_reference(&mut tx, "profile", &profile.city, &profile.skills, &[]).await?;
    profiles::repo::save_profile(&mut tx, user, &profile).await?;
    accounts::grant_role(&mut tx, user, Role::Freelancer, None).await?;
    tx.commit().await?;
    Ok(())
}

/// A freelancer's profile as `viewer` reads it: certificates valid today; the usual week and
/// days off only for the freelancer, support admins and organisations the freelancer applied
/// to or was invited by (anyone can create an organisation, so membership alone shows nothing
/// of where a person is when).
pub async fn profile_for(
    state: &AppState,
    viewer: &crate::accounts::model::Viewer,
    support: bool,
    id: UserId,
) -> Result<Profile> {
    let mut conn = state.db.acquire().await?;
    let Some(mut profile) = profiles::repo::profile(&mut conn, id).await? else {
        return not_found();
    };
    let today = state.clock.now().date_naive();
    profile.certificates.retain(|c| c.valid_on(today));
    let organisations: Vec<uuid::Uuid> = viewer
        .memberships
        .iter()
        .map(|m| m.organisation_id.0)
        .collect();
    let shown = viewer.user_id == id
        || support
        || profiles::repo::knows_any_of(&mut conn, id, &organisations).await?;
    if !shown {
        profile.week.clear();
        profile.days_off.clear();
        profile.availability_shown = false;
    }
    Ok(profile)
}

pub async fn add_day_off(state: &AppState, user: UserId, day: &str, note: &str) -> Result<()> {
    let Some(day) = crate::dates::parse_form_date(day) else {
        return Err(AppError::field("day", "Enter a date like 2026-12-24.").into());
    };
    if day < state.clock.now().date_naive() {
        return Err(AppError::field("day", "Choose today or a later day.").into());
    }
    if note.trim().chars().count() > 200 {
        return Err(AppError::field("note", "Keep the note to 200 characters.").into());
    }
    let mut conn = state.db.acquire().await?;
    if !profiles::repo::has_profile(&mut conn, user).await? {
        return refuse("Save your profile first.");
    }
    profiles::repo::add_day_off(&mut conn, user, day, note.trim()).await?;
    Ok(())
}

// ---- Shifts ------------------------------------------------------------------------------

/// The wall-clock start of a shift, as an instant, through the database's zone rules.
async fn instant(conn: &mut PgConnection, local: chrono::NaiveDateTime) -> Result<DateTime<Utc>> {
    Ok(
        sqlx::query_scalar!(r#"SELECT hire_instant($1) AS "at!""#, local)
            .fetch_one(conn)
            .await?,
    )
}

/// A posting as typed: a shift's form or a job's.
#[derive(Clone, Copy, Debug)]
pub enum PostingForm<'a> {
    Shift(&'a ShiftInput),
    Job(&'a JobInput),
}

impl<'a> From<&'a ShiftInput> for PostingForm<'a> {
    fn from(input: &'a ShiftInput) -> Self {
        PostingForm::Shift(input)
    }
}

impl<'a> From<&'a JobInput> for PostingForm<'a> {
    fn from(input: &'a JobInput) -> Self {
        PostingForm::Job(input)
    }
}

impl PostingForm<'_> {
    /// The form's fields' prefix.
    fn name(self) -> &'static str {
        match self {
            PostingForm::Shift(_) => "shift",
            PostingForm::Job(_) => "job",
        }
    }

    /// The typed posting checked on its own, then against the database: known references, a
    /// start in the future (a job's first day after today).
    async fn check(self, conn: &mut PgConnection, state: &AppState) -> Result<ValidPosting> {
        let posting = match self {
            PostingForm::Shift(input) => input.check()?,
            PostingForm::Job(input) => input.check()?,
        };
        let form = self.name();
        check_reference(
            conn,
            form,
            &posting.city,
            &posting.skills,
            &posting.certificates,
        )
        .await?;
        if instant(conn, posting.starts).await? <= state.clock.now() {
            let message = match self {
                PostingForm::Shift(_) => "The shift must start in the future.",
                PostingForm::Job(_) => "The job's first day must be after today.",
            };
            return Err(AppError::field(&format!("{form}[starts]"), message).into());
        }
        Ok(posting)
    }
}

/// A new shift or job, saved as a draft.
pub async fn create_posting(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    form: PostingForm<'_>,
) -> Result<PostingId> {
    let mut tx = state.db.begin().await?;
    let posting = form.check(&mut tx, state).await?;
    let id = PostingId(uuid::Uuid::now_v7());
    postings::repo::save_draft(&mut tx, id, organisation, by, &posting).await?;
    tx.commit().await?;
    Ok(id)
}

/// A new shift, saved as a draft.
pub async fn create_shift(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    input: &ShiftInput,
) -> Result<PostingId> {
    create_posting(state, organisation, by, PostingForm::Shift(input)).await
}

/// Rewrite a draft: the same checks as a new one. Published postings are not edited
/// (freelancers applied to what they read); cancel and post again instead.
pub async fn update_draft<'a>(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    id: PostingId,
    form: impl Into<PostingForm<'a>>,
) -> Result<()> {
    let form = form.into();
    let mut tx = state.db.begin().await?;
    let Some((status, _)) = postings::repo::lock_posting(&mut tx, organisation, id).await? else {
        return not_found();
    };
    if status != PostingStatus::Draft {
        return refuse(format!(
            "Only a draft can be edited; this one is {}.",
            status.label().to_lowercase()
        ));
    }
    let posting = form.check(&mut tx, state).await?;
    if !postings::repo::save_draft(&mut tx, id, organisation, by, &posting).await? {
        return refuse(format!("This draft is not a {}.", form.name()));
    }
    tx.commit().await?;
    Ok(())
}

/// Publish, close or cancel a shift. Cancelling ends every open application and offer and
/// cancels the contracts under the cancellation policy.
pub async fn change_shift(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    posting: PostingId,
    to: PostingStatus,
) -> Result<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let Some((status, starts_at)) =
        postings::repo::lock_posting(&mut tx, organisation, posting).await?
    else {
        return not_found();
    };
    if !status.may_become(to) || to == PostingStatus::Filled {
        return refuse(format!(
            "A shift that is {} cannot become {}.",
            status.label().to_lowercase(),
            to.label().to_lowercase()
        ));
    }
    if to == PostingStatus::Published && starts_at <= now {
        return refuse("This shift has already started; it can no longer be opened.");
    }
    if to == PostingStatus::Cancelled && starts_at <= now {
        return refuse("This shift has already started. Record a no-show instead of cancelling.");
    }
    if to == PostingStatus::Cancelled {
        let reason = "The organisation cancelled the shift.";
        for application in applications::repo::applicants(&mut tx, organisation, posting).await? {
            if matches!(
                application.status,
                ApplicationStatus::Invited
                    | ApplicationStatus::Applied
                    | ApplicationStatus::Offered
            ) {
                applications::repo::set_application_status(
                    &mut tx,
                    application.id,
                    application.status,
                    ApplicationStatus::Rejected,
                    Some(reason),
                    now,
                )
                .await?;
            }
        }
        let contracts = contracts::repo::contracts(
            &mut tx,
            contracts::repo::ContractScope::Posting(organisation, posting),
            now,
        )
        .await?;
        for contract in contracts
            .iter()
            .filter(|c| c.status == ContractStatus::Active)
        {
            cancel_locked(
                &mut tx,
                contract.id,
                Side::Organisation,
                Some(by),
                reason,
                now,
            )
            .await?;
        }
    }
    if !postings::repo::set_posting_status(&mut tx, posting, status, to, now).await? {
        return refuse("The shift changed meanwhile. Reload the page and try again.");
    }
    tx.commit().await?;
    Ok(())
}

// ---- Applications ------------------------------------------------------------------------

/// The freelancer applies to a shift or job (or applies from an invitation to it), with a note
/// and, for a job, optionally their own rate or price.
pub async fn apply(
    state: &AppState,
    freelancer: UserId,
    posting: PostingId,
    note: &str,
    proposed: &str,
) -> Result<ApplicationId> {
    let note = note.trim();
    if note.chars().count() > 2000 {
        return Err(AppError::field("note", "Keep the note to 2000 characters.").into());
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    if !profiles::repo::has_profile(&mut tx, freelancer).await? {
        return refuse("Complete your freelancer profile before applying.");
    }
    let Some(PostingDetail { summary: shift, .. }) =
        postings::repo::shift(&mut tx, posting, None, Some(freelancer)).await?
    else {
        return not_found();
    };
    if !shift.status.accepts_applications() {
        return refuse(match shift.status {
            PostingStatus::Filled => "Every place on this shift is taken.",
            PostingStatus::Draft
            | PostingStatus::Published
            | PostingStatus::Closed
            | PostingStatus::Cancelled => "This shift no longer takes applications.",
        });
    }
    let proposed = check_proposal(proposed, shift.kind, shift.pay_basis)?;
    let Some((_, starts_at)) =
        postings::repo::lock_posting(&mut tx, shift.organisation_id, posting).await?
    else {
        return not_found();
    };
    if starts_at <= now {
        return refuse(format!(
            "This {} has already started.",
            shift.kind.label().to_lowercase()
        ));
    }
    let missing = certificates::missing(&mut tx, freelancer, posting).await?;
    if !missing.is_empty() {
        return refuse(format!(
            "This shift asks for a verified certificate you don't have yet: {}. Upload it on your \
             profile; it counts once an admin has verified it.",
            missing.join(", ")
        ));
    }
    let new = NewApplication {
        id: ApplicationId(uuid::Uuid::now_v7()),
        posting,
        organisation: shift.organisation_id,
        freelancer,
        status: ApplicationStatus::Applied,
        note,
        proposed,
        invited_by: None,
    };
    let Some(id) = applications::repo::insert_application(&mut tx, &new).await? else {
        return refuse("You have already applied to this shift.");
    };
    tx.commit().await?;
    Ok(id)
}

/// A manager invites a freelancer to apply to an open shift, with an optional first message
/// in the application's thread. The invitation takes no seat; the freelancer applies from it
/// (the usual checks apply then) or declines it.
pub async fn invite(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    posting: PostingId,
    freelancer: UserId,
    message: &str,
) -> Result<ApplicationId> {
    let message = match message.trim() {
        "" => None,
        text => Some(messages::check_body(text)?),
    };
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let Some((status, starts_at)) =
        postings::repo::lock_posting(&mut tx, organisation, posting).await?
    else {
        return not_found();
    };
    if !status.accepts_applications() || starts_at <= now {
        return refuse("Only an open shift that hasn't started takes invitations.");
    }
    if !profiles::repo::has_profile(&mut tx, freelancer).await? {
        return not_found();
    }
    let new = NewApplication {
        id: ApplicationId(uuid::Uuid::now_v7()),
        posting,
        organisation,
        freelancer,
        status: ApplicationStatus::Invited,
        note: "",
        proposed: None,
        invited_by: Some(by),
    };
    let Some(id) = applications::repo::insert_application(&mut tx, &new).await? else {
        return refuse("This freelancer has already applied or been invited to this shift.");
    };
    if let Some(message) = message {
        messages::write(&mut tx, Side::Organisation, by, id, message).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Lock an application and check that `side` (the organisation `organisation`, or the
/// freelancer `user`) may move it to `to`.
async fn lock_for(
    conn: &mut PgConnection,
    id: ApplicationId,
    side: Side,
    owner: uuid::Uuid,
    to: ApplicationStatus,
) -> Result<LockedApplication> {
    let Some(application) = applications::repo::lock_application(conn, id).await? else {
        return not_found();
    };
    let owned = match side {
        Side::Organisation => application.organisation.0 == owner,
        Side::Freelancer => application.freelancer.0 == owner,
    };
    if !owned {
        return not_found();
    }
    if application.status.moved_by(to) != Some(side) {
        return Err(application_moved(application.status).into());
    }
    Ok(application)
}

/// The organisation offers a place: the offer holds a seat until it is answered.
pub async fn offer(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    id: ApplicationId,
) -> Result<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let application = lock_for(
        &mut tx,
        id,
        Side::Organisation,
        organisation.0,
        ApplicationStatus::Offered,
    )
    .await?;
    if !postings::repo::take_seat(&mut tx, application.posting).await? {
        return refuse(
            "Every place on this shift is taken or on offer. Wait for an answer, or add places.",
        );
    }
    applications::repo::set_application_status(
        &mut tx,
        id,
        application.status,
        ApplicationStatus::Offered,
        None,
        now,
    )
    .await?;
    let entry = Entry::new(Some(by), Action::OfferMade)
        .subject(id.0)
        .detail(serde_json::json!({ "organisation": organisation.0 }));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// The organisation turns an application down (or takes back its offer).
pub async fn reject(
    state: &AppState,
    organisation: OrganisationId,
    id: ApplicationId,
    reason: &str,
) -> Result<()> {
    end_application(state, Side::Organisation, organisation.0, id, reason).await
}

/// The freelancer withdraws an application, or declines an invitation or an offer.
pub async fn step_back(
    state: &AppState,
    freelancer: UserId,
    id: ApplicationId,
    reason: &str,
) -> Result<()> {
    end_application(state, Side::Freelancer, freelancer.0, id, reason).await
}

/// End an application, with a reason, for the side that owns it: rejected by the
/// organisation; withdrawn, or (an invitation or an offer) declined, by the freelancer. A
/// held seat is given back.
async fn end_application(
    state: &AppState,
    side: Side,
    owner: uuid::Uuid,
    id: ApplicationId,
    reason: &str,
) -> Result<()> {
    let reason = reason_text(reason, "reason")?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let Some(current) = applications::repo::lock_application(&mut tx, id).await? else {
        return not_found();
    };
    let to = match (side, current.status) {
        (Side::Organisation, _) => ApplicationStatus::Rejected,
        (Side::Freelancer, ApplicationStatus::Invited | ApplicationStatus::Offered) => {
            ApplicationStatus::Declined
        }
        (Side::Freelancer, _) => ApplicationStatus::Withdrawn,
    };
    let application = lock_for(&mut tx, id, side, owner, to).await?;
    if application.status.holds_seat() {
        postings::repo::free_seat(&mut tx, application.posting, now).await?;
    }
    applications::repo::set_application_status(
        &mut tx,
        id,
        application.status,
        to,
        Some(&reason),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The freelancer accepts an offer: the contract is made on the shift's terms.
pub async fn accept_offer(
    state: &AppState,
    freelancer: UserId,
    id: ApplicationId,
) -> Result<ContractId> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let application = lock_for(
        &mut tx,
        id,
        Side::Freelancer,
        freelancer.0,
        ApplicationStatus::Hired,
    )
    .await?;
    let Some((_, starts_at)) =
        postings::repo::lock_posting(&mut tx, application.organisation, application.posting)
            .await?
    else {
        return not_found();
    };
    if starts_at <= now {
        return refuse("This shift has already started; the offer can no longer be accepted.");
    }
    applications::repo::set_application_status(
        &mut tx,
        id,
        application.status,
        ApplicationStatus::Hired,
        None,
        now,
    )
    .await?;
    let contract = ContractId(uuid::Uuid::now_v7());
    contracts::repo::insert_contract(&mut tx, contract, id).await?;
    let locked = contracts::repo::lock_contract(&mut tx, contract)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    record_contract_event(
        &mut tx,
        NewEvent {
            contract,
            kind: ContractEventKind::Hired,
            late: false,
            amount: Money::zero(locked.wage.currency()),
            reason: "",
            by: Some(freelancer),
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(contract)
}

// ---- Contracts ---------------------------------------------------------------------------

/// Lock a contract that belongs to `owner` on `side`.
async fn lock_contract_for(
    conn: &mut PgConnection,
    id: ContractId,
    side: Side,
    owner: uuid::Uuid,
) -> Result<LockedContract> {
    let Some(contract) = contracts::repo::lock_contract(conn, id).await? else {
        return not_found();
    };
    let owned = match side {
        Side::Organisation => contract.organisation.0 == owner,
        Side::Freelancer => contract.freelancer.0 == owner,
    };
    if owned { Ok(contract) } else { not_found() }
}

/// Cancel a locked, active contract for `side` under the cancellation policy.
async fn cancel_locked(
    conn: &mut PgConnection,
    id: ContractId,
    side: Side,
    by: Option<UserId>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(contract) = contracts::repo::lock_contract(conn, id).await? else {
        return not_found();
    };
    if contract.status != ContractStatus::Active {
        return refuse(format!(
            "This contract is {}.",
            contract.status.label().to_lowercase()
        ));
    }
    if contract.starts_at <= now {
        return refuse(format!(
            "The {} has started; it can no longer be cancelled.",
            contract.kind.label().to_lowercase()
        ));
    }
    let late = CANCELLATION_POLICY.is_late((contract.starts_at - now).num_minutes());
    let (kind, owed) = match side {
        Side::Organisation => {
            let minutes = paid_minutes(
                contract.starts_at.naive_utc(),
                contract.ends_at.naive_utc(),
                contract.break_minutes,
            );
            // The policy's share is of a shift's wage; a job cancelled late owes nothing but
            // is recorded as late all the same.
            let owed = if late && contract.kind == PostingKind::Shift {
                CANCELLATION_POLICY.owed_by_client(pay_for(minutes, contract.wage))
            } else {
                Money::zero(contract.wage.currency())
            };
            (ContractEventKind::CancelledByClient, owed)
        }
        Side::Freelancer => (
            ContractEventKind::CancelledByFreelancer,
            Money::zero(contract.wage.currency()),
        ),
    };
    contracts::repo::set_contract_status(
        conn,
        id,
        ContractStatus::Active,
        ContractStatus::Cancelled,
    )
    .await?;
    record_contract_event(
        conn,
        NewEvent {
            contract: id,
            kind,
            late,
            amount: owed,
            reason,
            by,
            at: now,
        },
    )
    .await?;
    postings::repo::free_seat(conn, contract.posting, now).await?;
    Ok(())
}

/// Either side cancels a contract before the shift starts.
pub async fn cancel_contract(
    state: &AppState,
    side: Side,
    owner: uuid::Uuid,
    by: UserId,
    id: ContractId,
    reason: &str,
) -> Result<()> {
    let reason = reason_text(reason, "reason")?;
    let mut tx = state.db.begin().await?;
    lock_contract_for(&mut tx, id, side, owner).await?;
    cancel_locked(&mut tx, id, side, Some(by), &reason, state.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// The organisation records that the freelancer did not turn up.
pub async fn record_no_show(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    id: ContractId,
) -> Result<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let contract = lock_contract_for(&mut tx, id, Side::Organisation, organisation.0).await?;
    if contract.kind != PostingKind::Shift {
        return refuse("No-shows are recorded for shifts.");
    }
    if contract.starts_at > now {
        return refuse("The shift has not started yet.");
    }
    if contracts::timesheets::timesheet_status(&mut tx, id)
        .await?
        .is_some()
    {
        return refuse("The freelancer has submitted hours for this shift; answer those instead.");
    }
    if !contracts::repo::set_contract_status(
        &mut tx,
        id,
        ContractStatus::Active,
        ContractStatus::NoShow,
    )
    .await?
    {
        return refuse(format!(
            "This contract is {}.",
            contract.status.label().to_lowercase()
        ));
    }
    record_contract_event(
        &mut tx,
        NewEvent {
            contract: id,
            kind: ContractEventKind::NoShow,
            late: false,
            amount: Money::zero(contract.wage.currency()),
            reason: "",
            by: Some(by),
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---- Timesheets --------------------------------------------------------------------------

/// Check typed hours against the contract: starting within 12 hours of the shift, ending no
/// later than now.
async fn hours_for(
    conn: &mut PgConnection,
    contract: &LockedContract,
    input: &HoursInput,
    now: DateTime<Utc>,
) -> Result<(ValidHours, i32, Money)> {
    let hours = input.check()?;
    let (from, to) = (
        instant(conn, hours.from).await?,
        instant(conn, hours.to).await?,
    );
    if to > now {
        return Err(AppError::field("hours[ends]", "Hours can't end in the future.").into());
    }
    let margin = chrono::Duration::hours(12);
    if from < contract.starts_at - margin || from > contract.ends_at + margin {
        return Err(
            AppError::field("hours[date]", "These hours are not on this shift's day.").into(),
        );
    }
    let minutes = i32::try_from(hours.minutes()).unwrap_or(0);
    if minutes == 0 {
        return Err(AppError::field("hours[ends]", "There are no hours to pay.").into());
    }
    let scheduled = (contract.ends_at - contract.starts_at).num_minutes();
    if i64::from(minutes) > scheduled + crate::hire::contracts::model::OVERTIME_MINUTES {
        return Err(AppError::field(
            "hours[ends]",
            format!(
                "That is more than the shift's {} plus an hour. Enter the hours worked; \
                 longer days are agreed with the organisation.",
                crate::hire::time::hours_label(scheduled)
            ),
        )
        .into());
    }
    Ok((hours, minutes, pay_for(i64::from(minutes), contract.wage)))
}

/// The freelancer submits (or, after a dispute, resubmits) the hours worked.
pub async fn submit_hours(
    state: &AppState,
    freelancer: UserId,
    id: ContractId,
    input: &HoursInput,
) -> Result<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let contract = lock_contract_for(&mut tx, id, Side::Freelancer, freelancer.0).await?;
    if contract.status != ContractStatus::Active {
        return refuse(format!(
            "This contract is {}.",
            contract.status.label().to_lowercase()
        ));
    }
    if contract.kind != PostingKind::Shift {
        return refuse("A job's hours are submitted a week at a time.");
    }
    if contract.starts_at > now {
        return refuse("You can submit hours once the shift has started.");
    }
    let (hours, minutes, amount) = hours_for(&mut tx, &contract, input, now).await?;
    let new = NewHours {
        contract: id,
        organisation: contract.organisation,
        freelancer,
        hours,
        week: None,
        minutes,
        amount,
        now,
    };
    if !contracts::timesheets::submit_hours(&mut tx, &new).await? {
        return refuse("Your hours are already submitted.");
    }
    tx.commit().await?;
    Ok(())
}

/// How the organisation answers submitted hours (`H`: a shift's hours or a job's week, as
/// the manager sets them when adjusting).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision<'a, H = HoursInput> {
    Approve,
    Adjust { hours: &'a H, reason: &'a str },
    Dispute { reason: &'a str },
}

/// Is this hourly job's contract the freelancer's or organisation's to act on, and still
/// active?
fn active_job(contract: &LockedContract, basis: PayBasis) -> Result<()> {
    if contract.status != ContractStatus::Active {
        return refuse(format!(
            "This contract is {}.",
            contract.status.label().to_lowercase()
        ));
    }
    if contract.kind != PostingKind::Job || contract.pay_basis != basis {
        return refuse(match basis {
            PayBasis::Hourly => "Only an hourly job's hours are submitted by the week.",
            PayBasis::Fixed => "Only a fixed-price job's work is handed over for approval.",
        });
    }
    Ok(())
}

/// Check a typed week against an hourly job's contract: each day with hours lies within the
/// job's dates and has begun. The week as a timesheet row (Monday to Monday), its minutes
/// and its pay.
async fn week_for(
    conn: &mut PgConnection,
    contract: &LockedContract,
    input: &WeekInput,
    now: DateTime<Utc>,
) -> Result<(ValidWeek, ValidHours, i32, Money)> {
    let week = input.check()?;
    for (i, minutes) in (0_i64..).zip(week.minutes) {
        if minutes == 0 {
            continue;
        }
        let day = week.monday + chrono::Duration::days(i);
        let begins = instant(conn, day.and_time(NaiveTime::MIN)).await?;
        let field = format!("week[days][{}]", i + 1);
        if begins < contract.starts_at || begins >= contract.ends_at {
            return Err(AppError::field(
                &field,
                format!("{} is outside the job's dates.", day.format("%a %-d %b")),
            )
            .into());
        }
        if begins > now {
            return Err(AppError::field(&field, "Hours can't be for a day still to come.").into());
        }
    }
    let hours = ValidHours {
        from: week.monday.and_time(NaiveTime::MIN),
        to: (week.monday + chrono::Duration::days(7)).and_time(NaiveTime::MIN),
        break_minutes: 0,
    };
    let minutes = i32::try_from(week.total()).unwrap_or(0);
    Ok((
        week,
        hours,
        minutes,
        pay_for(i64::from(minutes), contract.wage),
    ))
}

/// The freelancer submits (or, after a dispute, resubmits) a week of an hourly job.
pub async fn submit_week(
    state: &AppState,
    freelancer: UserId,
    id: ContractId,
    input: &WeekInput,
) -> Result<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let contract = lock_contract_for(&mut tx, id, Side::Freelancer, freelancer.0).await?;
    active_job(&contract, PayBasis::Hourly)?;
    let (week, hours, minutes, amount) = week_for(&mut tx, &contract, input, now).await?;
    let new = NewHours {
        contract: id,
        organisation: contract.organisation,
        freelancer,
        hours,
        week: Some((week.monday, week.minutes)),
        minutes,
        amount,
        now,
    };
    if !contracts::timesheets::submit_hours(&mut tx, &new).await? {
        return Err(
            AppError::field("week[week]", "This week's hours are already submitted.").into(),
        );
    }
    tx.commit().await?;
    Ok(())
}

/// Approve, adjust (with a reason and the hours per day) or dispute (with a reason) a
/// submitted week of an hourly job. Approved weeks record what the organisation owes; the
/// contract completes once the week with the job's last day is approved and no week waits.
pub async fn answer_week(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    id: ContractId,
    week: NaiveDate,
    decision: Decision<'_, WeekInput>,
) -> Result<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let contract = lock_contract_for(&mut tx, id, Side::Organisation, organisation.0).await?;
    active_job(&contract, PayBasis::Hourly)?;
    let (to, adjusted, adjusted_days, reason) = match decision {
        Decision::Approve => (TimesheetStatus::Approved, None, None, None),
        Decision::Adjust { hours, reason } => {
            let reason = reason_text(reason, "reason")?;
            let (days, hours, minutes, amount) = week_for(&mut tx, &contract, hours, now).await?;
            if days.monday != week {
                return Err(
                    AppError::field("week[week]", "Adjust the hours of the same week.").into(),
                );
            }
            (
                TimesheetStatus::Adjusted,
                Some((minutes, amount, hours)),
                Some(days.minutes),
                Some(reason),
            )
        }
        Decision::Dispute { reason } => (
            TimesheetStatus::Disputed,
            None,
            None,
            Some(reason_text(reason, "reason")?),
        ),
    };
    let answer = Answer {
        contract: id,
        week: Some(week),
        to,
        adjusted,
        adjusted_days,
        reason: reason.as_deref(),
        by: Some(by),
        now,
    };
    settle(&mut tx, &contract, id, answer).await?;
    tx.commit().await?;
    Ok(())
}

/// The freelancer hands over a fixed-price job's work (again, after a dispute) with a note.
pub async fn submit_delivery(
    state: &AppState,
    freelancer: UserId,
    id: ContractId,
    note: &str,
) -> Result<()> {
    let note = note.trim();
    if note.is_empty() || note.chars().count() > 2000 {
        return Err(AppError::field(
            "note",
            "Say what you delivered, in at most 2000 characters.",
        )
        .into());
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let contract = lock_contract_for(&mut tx, id, Side::Freelancer, freelancer.0).await?;
    active_job(&contract, PayBasis::Fixed)?;
    if contract.starts_at > now {
        return refuse("You can hand over the work once the job has started.");
    }
    let new = contracts::timesheets::NewDelivery {
        contract: id,
        organisation: contract.organisation,
        freelancer,
        note,
        amount: contract.wage,
        now,
    };
    if !contracts::timesheets::submit_delivery(&mut tx, &new).await? {
        return refuse("Your work is already handed over.");
    }
    tx.commit().await?;
    Ok(())
}

/// The organisation approves handed-over work (the price becomes payable and the contract
/// completes) or disputes it with a reason (`Some`).
pub async fn answer_delivery(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    id: ContractId,
    dispute: Option<&str>,
) -> Result<()> {
    let reason = dispute.map(|r| reason_text(r, "reason")).transpose()?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let contract = lock_contract_for(&mut tx, id, Side::Organisation, organisation.0).await?;
    active_job(&contract, PayBasis::Fixed)?;
    let to = if reason.is_some() {
        TimesheetStatus::Disputed
    } else {
        TimesheetStatus::Approved
    };
    deliver(&mut tx, id, to, reason.as_deref(), Some(by), now).await?;
    tx.commit().await?;
    Ok(())
}

/// Answer a contract's handed-over work; approval completes it and records the price owed.
async fn deliver(
    conn: &mut PgConnection,
    id: ContractId,
    to: TimesheetStatus,
    reason: Option<&str>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(amount) =
        contracts::timesheets::answer_delivery(conn, id, to, reason, by, now).await?
    else {
        return refuse("There is no work waiting for an answer.");
    };
    if to.is_approved() {
        contracts::repo::set_contract_status(
            conn,
            id,
            ContractStatus::Active,
            ContractStatus::Completed,
        )
        .await?;
        record_contract_event(
            conn,
            NewEvent {
                contract: id,
                kind: ContractEventKind::WorkApproved,
                late: false,
                amount,
                reason: "",
                by,
                at: now,
            },
        )
        .await?;
    }
    Ok(())
}

/// Approve, adjust (with a reason) or dispute (with a reason) submitted hours. Approved hours
/// complete the contract and record what the organisation owes.
pub async fn answer_hours(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    id: ContractId,
    decision: Decision<'_>,
) -> Result<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let contract = lock_contract_for(&mut tx, id, Side::Organisation, organisation.0).await?;
    let (to, adjusted, reason) = match decision {
        Decision::Approve => (TimesheetStatus::Approved, None, None),
        Decision::Adjust { hours, reason } => {
            let reason = reason_text(reason, "reason")?;
            let adjusted = hours_for(&mut tx, &contract, hours, now).await?;
            (
                TimesheetStatus::Adjusted,
                Some((adjusted.1, adjusted.2, adjusted.0)),
                Some(reason),
            )
        }
        Decision::Dispute { reason } => (
            TimesheetStatus::Disputed,
            None,
            Some(reason_text(reason, "reason")?),
        ),
    };
    settle(
        &mut tx,
        &contract,
        id,
        Answer {
            contract: id,
            week: None,
            to,
            adjusted,
            adjusted_days: None,
            reason: reason.as_deref(),
            by: Some(by),
            now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Apply an answer to a contract's waiting hours. Approved hours record what is owed; a
/// shift's complete its contract, a job's week does when it holds the job's last day and no
/// other week waits for an answer or a resubmission.
async fn settle(
    conn: &mut PgConnection,
    contract: &LockedContract,
    id: ContractId,
    answer: Answer<'_>,
) -> Result<()> {
    if contract.status != ContractStatus::Active {
        return refuse(format!(
            "This contract is {}.",
            contract.status.label().to_lowercase()
        ));
    }
    let Some(amount) = contracts::timesheets::answer_hours(conn, &answer).await? else {
        return refuse("There are no hours waiting for an answer.");
    };
    if answer.to.is_approved() {
        let completes = match answer.week {
            None => true,
            Some(_) => {
                let last = last_day(contract.ends_at.naive_utc());
                let last_monday =
                    last - chrono::Duration::days(i64::from(last.weekday().num_days_from_monday()));
                contracts::timesheets::weeks_settled(conn, id, last_monday).await?
            }
        };
        if completes {
            contracts::repo::set_contract_status(
                conn,
                id,
                ContractStatus::Active,
                ContractStatus::Completed,
            )
            .await?;
        }
        record_contract_event(
            conn,
            NewEvent {
                contract: id,
                kind: ContractEventKind::HoursApproved,
                late: false,
                amount,
                reason: answer.reason.unwrap_or(""),
                by: answer.by,
                at: answer.now,
            },
        )
        .await?;
    }
    Ok(())
}

// ---- Ratings ----------------------------------------------------------------------------

/// `side` rates the other after a completed contract: once, 1 to 5 stars with a comment.
pub async fn rate_contract(
    state: &AppState,
    side: Side,
    owner: uuid::Uuid,
    by: UserId,
    id: ContractId,
    stars: &str,
    comment: &str,
) -> Result<()> {
    let rating = check_rating(stars, comment)?;
    let mut tx = state.db.begin().await?;
    let contract = lock_contract_for(&mut tx, id, side, owner).await?;
    if contract.status != ContractStatus::Completed {
        return refuse("Ratings open once the shift is completed and its hours approved.");
    }
    if !ratings::repo::insert_rating(&mut tx, id, side, by, &rating).await? {
        return refuse("You have already rated this shift.");
    }
    tx.commit().await?;
    Ok(())
}

/// Expire what waited too long: offers unanswered for the configured window (their seats
/// come back, so the shift can be offered to someone else), and invitations, applications and
/// offers still open when their shift starts. Safe on several nodes at once (each pass locks
/// the rows it takes). Returns how many expired.
pub async fn expire_due(state: &AppState) -> Result<usize> {
    let now = state.clock.now();
    let window = chrono::Duration::from_std(state.config.offer_expiry)
        .unwrap_or_else(|_| chrono::Duration::hours(48));
    let mut tx = state.db.begin().await?;
    let due = contracts::timesheets::due_to_expire(&mut tx, now - window, now, 100).await?;
    for (id, status, posting) in &due {
        applications::repo::set_application_status(
            &mut tx,
            *id,
            *status,
            ApplicationStatus::Expired,
            None,
            now,
        )
        .await?;
        if status.holds_seat() {
            postings::repo::free_seat(&mut tx, *posting, now).await?;
        }
    }
    tx.commit().await?;
    Ok(due.len())
}

/// One thing the auto-approval job may approve: a contract's submitted hours (for a week of a
/// job, or a shift's one timesheet) or its handed-over work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoApprovalItem {
    Timesheet(ContractId, Option<NaiveDate>),
    Delivery(ContractId),
}

impl std::fmt::Display for AutoApprovalItem {
    /// `timesheet:<contract>:<week or ->` or `delivery:<contract>`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AutoApprovalItem::Timesheet(contract, Some(week)) => {
                write!(f, "timesheet:{contract}:{week}")
            }
            AutoApprovalItem::Timesheet(contract, None) => write!(f, "timesheet:{contract}:-"),
            AutoApprovalItem::Delivery(contract) => write!(f, "delivery:{contract}"),
        }
    }
}

impl std::str::FromStr for AutoApprovalItem {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let contract = |id: &str| {
            id.parse()
                .map(ContractId)
                .map_err(|e| format!("{text}: {e}"))
        };
        match text.split(':').collect::<Vec<_>>()[..] {
            ["timesheet", id, "-"] => Ok(AutoApprovalItem::Timesheet(contract(id)?, None)),
            ["timesheet", id, week] => Ok(AutoApprovalItem::Timesheet(
                contract(id)?,
                Some(week.parse().map_err(|e| format!("{text}: {e}"))?),
            )),
            ["delivery", id] => Ok(AutoApprovalItem::Delivery(contract(id)?)),
            _ => Err(format!("{text}: not a timesheet or delivery")),
        }
    }
}

/// Unanswered hours and deliveries submitted before this moment are approved automatically.
fn auto_approval_cutoff(state: &AppState) -> DateTime<Utc> {
    let window = chrono::Duration::from_std(state.config.timesheet_auto_approve)
        .unwrap_or_else(|_| chrono::Duration::hours(72));
    state.clock.now() - window
}

/// Hours and handed-over work nobody answered within the configured window, oldest first,
/// leaving out `resting` (items the job holds or is waiting to retry).
pub async fn auto_approval_due(
    state: &AppState,
    limit: i64,
    resting: &[String],
) -> Result<Vec<AutoApprovalItem>> {
    let cutoff = auto_approval_cutoff(state);
    // Resting items are left out here, so read enough to fill the batch without them.
    let read = limit.saturating_add(i64::try_from(resting.len()).unwrap_or(i64::MAX));
    let mut conn = state.db.acquire().await?;
    let mut due: Vec<AutoApprovalItem> =
        contracts::timesheets::due_for_auto_approval(&mut conn, cutoff, read, None)
            .await?
            .into_iter()
            .map(|(id, week)| AutoApprovalItem::Timesheet(id, week))
            .collect();
    due.extend(
        contracts::timesheets::deliveries_due(&mut conn, cutoff, read, None)
            .await?
            .into_iter()
            .map(AutoApprovalItem::Delivery),
    );
    due.retain(|item| !resting.contains(&item.to_string()));
    due.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(due)
}

/// Approve one item if it is still unanswered past the window (checked under its locks, so a
/// manager's answer in the meantime wins). Returns whether it was approved.
pub async fn auto_approve(state: &AppState, item: AutoApprovalItem) -> Result<bool> {
    let now = state.clock.now();
    let cutoff = auto_approval_cutoff(state);
    let mut tx = state.db.begin().await?;
    match item {
        AutoApprovalItem::Timesheet(id, week) => {
            let Some(contract) = contracts::repo::lock_contract(&mut tx, id).await? else {
                return Ok(false);
            };
            if contracts::timesheets::due_for_auto_approval(&mut tx, cutoff, 1, Some((id, week)))
                .await?
                .is_empty()
            {
                return Ok(false);
            }
            let answer = Answer {
                contract: id,
                week,
                to: TimesheetStatus::AutoApproved,
                adjusted: None,
                adjusted_days: None,
                reason: None,
                by: None,
                now,
            };
            settle(&mut tx, &contract, id, answer).await?;
        }
        AutoApprovalItem::Delivery(id) => {
            if contracts::timesheets::deliveries_due(&mut tx, cutoff, 1, Some(id))
                .await?
                .is_empty()
            {
                return Ok(false);
            }
            deliver(&mut tx, id, TimesheetStatus::AutoApproved, None, None, now).await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

/// A contract event (what is owed and why), and its line in the audit log, in the caller's
/// transaction.
async fn record_contract_event(conn: &mut PgConnection, event: NewEvent<'_>) -> Result<()> {
    let action = match event.kind {
        ContractEventKind::Hired => Action::ContractHired,
        ContractEventKind::CancelledByClient => Action::ContractCancelledByClient,
        ContractEventKind::CancelledByFreelancer => Action::ContractCancelledByFreelancer,
        ContractEventKind::NoShow => Action::NoShowRecorded,
        ContractEventKind::HoursApproved => Action::HoursApproved,
        ContractEventKind::WorkApproved => Action::WorkApproved,
    };
    let entry = Entry::new(event.by, action)
        .subject(event.contract.0)
        .detail(serde_json::json!({
            "amount_minor": event.amount.minor(),
            "currency": event.amount.currency().code(),
            "late": event.late,
            "reason": event.reason,
        }));
    contracts::repo::record_event(conn, event).await?;
    audit::record(conn, entry).await?;
    Ok(())
}
