//! Notifications. So far: email, written to an outbox in the sender's transaction and delivered
//! by the server's relay (SMTP when configured, otherwise the local dev mailbox).

pub mod api;
#[cfg(feature = "ssr")]
pub mod email;
pub mod pages;

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
