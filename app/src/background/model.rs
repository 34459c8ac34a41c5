use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One job as its last passes left it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobStatus {
    pub name: String,
    pub last_finished_at: Option<DateTime<Utc>>,
    /// Items the last pass found due (at most one batch).
    pub last_due: i32,
    /// Why the last pass stopped early, if it did.
    pub last_error: Option<String>,
    pub runs: i64,
    pub items_done: i64,
    pub items_failed: i64,
    pub panics: i64,
    pub last_panic: Option<String>,
    pub last_panic_at: Option<DateTime<Utc>>,
    /// Items that failed and wait for their next attempt.
    pub retrying: i64,
    pub dead: i64,
}

/// An item parked after too many failures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadItem {
    pub job: String,
    pub item: String,
    pub attempts: i32,
    pub last_error: String,
    pub dead_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobsOverview {
    pub jobs: Vec<JobStatus>,
    /// The newest 100.
    pub dead: Vec<DeadItem>,
}
