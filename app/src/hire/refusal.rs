//! Every "no" a Hire use case says that isn't about one form field: one name per refusal that
//! code and tests match on, and the sentence the person reads. Field refusals stay
//! `AppError::field`, named by their field.

use crate::error::{AppError, ServiceError};
use crate::hire::applications::model::ApplicationStatus;
use crate::hire::contracts::model::ContractStatus;
use crate::hire::postings::model::{PostingKind, PostingStatus};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    // Profiles and certificates
    #[error("Save your profile first.")]
    NoProfile,
    #[error("Complete your freelancer profile before applying.")]
    ProfileBeforeApplying,
    #[error("Save your freelancer profile first.")]
    ProfileBeforeCertificates,
    #[error(
        "A certificate of this kind is already waiting for review; you'll see the answer here."
    )]
    CertificateAlreadyWaiting,
    #[error("This certificate was already reviewed.")]
    AlreadyReviewed,
    #[error("Choose verify or reject.")]
    UnknownReview,

    // Postings
    #[error("Only a draft can be edited; this one is {}.", .0.label().to_lowercase())]
    NotADraft(PostingStatus),
    #[error("This draft is not a {0}.")]
    OtherKindOfDraft(&'static str),
    #[error("A shift that is {} cannot become {}.", .from.label().to_lowercase(), .to.label().to_lowercase())]
    PostingMove {
        from: PostingStatus,
        to: PostingStatus,
    },
    #[error("This shift has already started; it can no longer be opened.")]
    OpeningAfterStart,
    #[error("This shift has already started. Record a no-show instead of cancelling.")]
    CancellingAfterStart,
    #[error("The shift changed meanwhile. Reload the page and try again.")]
    ChangedMeanwhile,

    // Applications and offers
    #[error("Every place on this shift is taken.")]
    Full,
    #[error("This shift no longer takes applications.")]
    NotTakingApplications,
    #[error("This {} has already started.", .0.label().to_lowercase())]
    Started(PostingKind),
    #[error(
        "This shift asks for a verified certificate you don't have yet: {}. Upload it on your \
         profile; it counts once an admin has verified it.",
        .0.join(", ")
    )]
    MissingCertificates(Vec<String>),
    #[error("You have already applied to this shift.")]
    AlreadyApplied,
    #[error("Only an open shift that hasn't started takes invitations.")]
    NotInvitable,
    #[error("This freelancer has already applied or been invited to this shift.")]
    AlreadyInvited,
    #[error("Every place on this shift is taken or on offer. Wait for an answer, or add places.")]
    NoPlaceToOffer,
    #[error("This shift has already started; the offer can no longer be accepted.")]
    OfferAfterStart,
    /// A move the application's state machine doesn't allow from where it is.
    #[error("{}", application_is(*.0))]
    Application(ApplicationStatus),

    // Contracts, hours and work
    /// A change to a contract that has ended (or isn't active).
    #[error("This contract is {}.", .0.label().to_lowercase())]
    Contract(ContractStatus),
    #[error("The {} has started; it can no longer be cancelled.", .0.label().to_lowercase())]
    CancellingStarted(PostingKind),
    #[error("A job's hours are submitted a week at a time.")]
    JobHoursByTheWeek,
    #[error("You can submit hours once the shift has started.")]
    HoursBeforeStart,
    #[error("Your hours are already submitted.")]
    HoursAlreadySubmitted,
    #[error("Only an hourly job's hours are submitted by the week.")]
    NotAnHourlyJob,
    #[error("Only a fixed-price job's work is handed over for approval.")]
    NotAFixedPriceJob,
    #[error("You can hand over the work once the job has started.")]
    HandOverBeforeStart,
    #[error("Your work is already handed over.")]
    AlreadyHandedOver,
    #[error("There is no work waiting for an answer.")]
    NoWorkWaiting,
    #[error("There are no hours waiting for an answer.")]
    NoHoursWaiting,
    #[error("No-shows are recorded for shifts.")]
    NoShowOfJob,
    #[error("The shift has not started yet.")]
    NoShowBeforeStart,
    #[error("The freelancer has submitted hours for this shift; answer those instead.")]
    NoShowWithHours,
    #[error(
        "Only an hourly job can be ended early; cancel a shift or a fixed-price job before it starts."
    )]
    EndingNotHourly,
    #[error("This job hasn't started yet: cancel the booking instead.")]
    EndingBeforeStart,
    #[error(
        "A week of hours is waiting for an answer or a correction. Settle it first, then end the job."
    )]
    EndingWithHoursWaiting,
    #[error("Ratings open once the shift is completed and its hours approved.")]
    RatingTooEarly,
    #[error("You have already rated this shift.")]
    AlreadyRated,

    // Disputes
    #[error("This dispute is {}: it no longer waits.", .0.label().to_lowercase())]
    DisputeNotWaiting(crate::hire::disputes::model::DisputeStatus),
    #[error("This dispute is already waiting for Olivine's decision.")]
    DisputeAlreadyEscalated,
    #[error(
        "Give the other side until {} to answer; then you can ask Olivine to decide.",
        .0.format("%a %-d %b, %H:%M UTC")
    )]
    EscalatingTooEarly(chrono::DateTime<chrono::Utc>),
    #[error("Only a dispute someone asked Olivine to decide can be decided.")]
    DisputeNotEscalated,

    // Messages
    #[error("This conversation is closed: the application ended without a booking.")]
    ConversationClosed,
}

fn application_is(status: ApplicationStatus) -> &'static str {
    match status {
        ApplicationStatus::Invited => "The freelancer is invited and hasn't applied yet.",
        ApplicationStatus::Applied => "This application is still waiting for an answer.",
        ApplicationStatus::Offered => "An offer is already waiting for the freelancer's answer.",
        ApplicationStatus::Hired => "This freelancer is already hired for the shift.",
        ApplicationStatus::Rejected => "This application was not selected.",
        ApplicationStatus::Withdrawn => "This application was withdrawn.",
        ApplicationStatus::Declined => "This offer was declined.",
        ApplicationStatus::Expired => "This expired without an answer.",
    }
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        AppError::invalid(refusal.to_string())
    }
}

impl From<Refusal> for ServiceError {
    fn from(refusal: Refusal) -> Self {
        ServiceError::Refused(refusal.into())
    }
}
