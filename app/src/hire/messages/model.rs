//! Message threads about an application and the contract that grew from it.

use crate::hire::applications::model::ApplicationStatus;
use crate::hire::reference::model::Side;
use crate::ids::{ApplicationId, PostingId, UserId};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// One message in a thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub by: Side,
    pub author: String,
    pub body: String,
    /// Hire wall clock.
    pub at: NaiveDateTime,
}

/// The conversation about one application (and the contract that grew from it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thread {
    pub application: ApplicationId,
    pub posting_id: PostingId,
    pub title: String,
    pub organisation: String,
    pub organisation_slug: String,
    pub freelancer_id: UserId,
    pub freelancer: String,
    pub status: ApplicationStatus,
    /// New messages can be written (the application didn't end without a hire).
    pub open: bool,
    pub messages: Vec<Message>,
}

/// A thread in an inbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadSummary {
    pub application: ApplicationId,
    pub title: String,
    /// The organisation for the freelancer, the freelancer for the organisation.
    pub counterpart: String,
    /// The start of the latest message.
    pub last: String,
    pub last_at: NaiveDateTime,
    pub unread: i64,
}

/// Unread messages for the signed-in person: as a freelancer, and in each of their
/// organisations (by slug).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unread {
    pub freelancer: i64,
    pub organisations: Vec<(String, i64)>,
}
