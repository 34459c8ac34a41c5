//! Notifications: what a person should hear about, written to `notifications` in the same
//! transaction as the change that caused it (read on `/account/notifications`), and email,
//! written to an outbox the same way and delivered by the server's relay (SMTP when configured,
//! otherwise the local dev mailbox).

pub mod api;
pub mod arrivals;
#[cfg(feature = "ssr")]
pub mod email;
#[cfg(feature = "ssr")]
pub mod live;
#[cfg(feature = "ssr")]
pub mod mailing;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod privacy;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;

use crate::ids::EmailId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One delivered message as the dev mailbox shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxMessage {
    pub email_id: EmailId,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub sent_at: DateTime<Utc>,
}
