//! Applications and offers: their life, who moves them on, and how each side sees them.

use crate::error::{AppError, Problems};
use crate::hire::matching::model::Fit;
use crate::hire::postings::model::{PayBasis, PostingKind, ShiftSummary, check_pay};
use crate::hire::profiles::model::Reliability;
use crate::hire::reference::model::Side;
use crate::ids::{ApplicationId, UserId};
use crate::money::Money;
use serde::{Deserialize, Serialize};

pg_enum! {
    ApplicationStatus as "application_status" {
        Invited = "invited": "Invited",
        Applied = "applied": "Applied",
        Offered = "offered": "Offer made",
        Hired = "hired": "Hired",
        Rejected = "rejected": "Not selected",
        Withdrawn = "withdrawn": "Withdrawn",
        Declined = "declined": "Declined",
        Expired = "expired": "Expired",
    }
}

impl ApplicationStatus {
    /// Which side may move an application from `self` to `next`, if any: the organisation
    /// offers or rejects (an invitation or an offer can be taken back, which rejects), the
    /// freelancer applies from an invitation or declines it, withdraws an application, and
    /// accepts or declines an offer.
    pub fn moved_by(self, next: ApplicationStatus) -> Option<Side> {
        use ApplicationStatus::*;
        match (self, next) {
            (Invited | Offered, Rejected) | (Applied, Offered | Rejected) => {
                Some(Side::Organisation)
            }
            (Invited, Applied | Declined) | (Applied, Withdrawn) | (Offered, Hired | Declined) => {
                Some(Side::Freelancer)
            }
            _ => None,
        }
    }

    pub fn is_final(self) -> bool {
        ApplicationStatus::ALL
            .iter()
            .all(|next| self.moved_by(*next).is_none())
    }

    /// An offer holds a seat until it is answered; a hire keeps it.
    pub fn holds_seat(self) -> bool {
        matches!(self, ApplicationStatus::Offered | ApplicationStatus::Hired)
    }
}

/// A freelancer's own rate or price for a job, if they typed one (field `proposed`). Shifts pay
/// what they posted.
pub fn check_proposal(
    raw: &str,
    kind: PostingKind,
    basis: PayBasis,
) -> Result<Option<Money>, AppError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    if kind == PostingKind::Shift {
        return Err(AppError::field(
            "proposed",
            "A shift pays the wage it posted.",
        ));
    }
    let mut p = Problems::default();
    let pay = check_pay(&mut p, "proposed", raw, basis);
    p.into_result(Some(pay))
}

/// A freelancer's application as they see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MyApplication {
    pub id: ApplicationId,
    pub shift: ShiftSummary,
    pub status: ApplicationStatus,
    pub note: String,
    pub reason: Option<String>,
}

/// An applicant as the organisation sees them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Applicant {
    pub id: ApplicationId,
    pub freelancer_id: UserId,
    pub name: String,
    pub headline: String,
    pub city: String,
    pub status: ApplicationStatus,
    pub note: String,
    pub reason: Option<String>,
    /// The freelancer's own rate or price for a job.
    pub proposed: Option<Money>,
    pub reliability: Reliability,
    /// How they fit the posting, by the matching engine.
    pub fit: Option<Fit>,
}

/// Someone who completed shifts for the organisation, as its managers see them when inviting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PastWorker {
    pub freelancer_id: UserId,
    pub name: String,
    pub headline: String,
    pub city: String,
    /// Completed contracts with the organisation.
    pub shifts: i64,
}
