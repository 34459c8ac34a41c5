//! What the Hire pages show, composed from the sub-domains: a shift with the viewer's
//! application, and an organisation's shift and home pages.

use crate::hire::applications::model::{Applicant, MyApplication, PastWorker};
use crate::hire::contracts::model::ContractView;
use crate::hire::postings::model::{OrgShift, PostingDetail};
use crate::ids::UserId;
use serde::{Deserialize, Serialize};

/// A shift as its viewer sees it: the posting with a freelancer's own application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShiftDetail {
    /// A visitor's has no street address.
    pub posting: PostingDetail,
    /// Signed in: a visitor is asked to sign in to apply.
    pub signed_in: bool,
    /// The viewer's own application, for freelancers.
    pub mine: Option<MyApplication>,
    /// The viewer has a freelancer profile, so they can apply.
    pub can_apply: bool,
    /// Names of required certificates the viewer doesn't hold verified and valid on the day.
    pub missing_certificates: Vec<String>,
}

/// Who is looking at open work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seeker {
    /// Not signed in.
    Visitor,
    /// Signed in without a freelancer profile.
    Member(UserId),
    Freelancer(UserId),
}

impl Seeker {
    pub fn user(self) -> Option<UserId> {
        match self {
            Seeker::Visitor => None,
            Seeker::Member(user) | Seeker::Freelancer(user) => Some(user),
        }
    }

    pub fn freelancer(self) -> Option<UserId> {
        match self {
            Seeker::Freelancer(user) => Some(user),
            Seeker::Visitor | Seeker::Member(_) => None,
        }
    }
}

/// The organisation's page for one shift.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrgShiftDetail {
    pub posting: PostingDetail,
    pub applicants: Vec<Applicant>,
    pub contracts: Vec<ContractView>,
    /// Who the managers can invite back, while the shift takes applications.
    pub past_workers: Vec<PastWorker>,
}

/// An organisation's Hire home.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrgHome {
    pub name: String,
    pub slug: String,
    pub shifts: Vec<OrgShift>,
    pub timesheets_waiting: Vec<ContractView>,
}
