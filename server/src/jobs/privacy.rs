//! Data downloads: built as they are asked for, and deleted from the restricted store once
//! taken or expired. Erasures once their grace is over, and retention keys once their years are.

use super::{Job, Placement, Schedule, sweep_due};
use anyhow::Context;
use app::privacy::erasure::{self, Outcome};
use app::privacy::service;
use app::state::AppState;
use std::time::Duration;

/// Each request on its own: every domain's part gathered, the ZIP sealed and stored, the
/// link mailed.
pub struct DataExports {
    state: AppState,
}

impl DataExports {
    pub fn new(state: AppState) -> Self {
        DataExports { state }
    }
}

#[async_trait::async_trait]
impl Job for DataExports {
    fn name(&self) -> &'static str {
        "data-exports"
    }

    fn schedule(&self) -> Schedule {
        Schedule::items(Duration::from_secs(5), Placement::EveryNode)
    }

    async fn due(&self, limit: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        let due = service::due(&self.state, limit, resting).await?;
        Ok(due.iter().map(ToString::to_string).collect())
    }

    async fn work(&self, item: &str) -> anyhow::Result<()> {
        let id = item.parse().context("not a data export id")?;
        service::build(&self.state, id).await?;
        Ok(())
    }
}

/// Downloads taken, or untaken past their link's 7 days, leave the store.
pub struct DataExportRemoval {
    state: AppState,
}

impl DataExportRemoval {
    pub fn new(state: AppState) -> Self {
        DataExportRemoval { state }
    }
}

#[async_trait::async_trait]
impl Job for DataExportRemoval {
    fn name(&self) -> &'static str {
        "data-export-removal"
    }

    fn schedule(&self) -> Schedule {
        Schedule::sweep(Duration::from_secs(3600))
    }

    async fn due(&self, _: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        Ok(sweep_due(resting))
    }

    async fn work(&self, _: &str) -> anyhow::Result<()> {
        let removed = service::remove_spent(&self.state).await?;
        if removed > 0 {
            tracing::info!(removed, "data downloads removed from the restricted store");
        }
        Ok(())
    }
}

/// Erasure requests past their 14 days of grace, each on its own: held while something must
/// finish first (tried again on the next run), otherwise erased.
pub struct Erasures {
    state: AppState,
}

impl Erasures {
    pub fn new(state: AppState) -> Self {
        Erasures { state }
    }
}

#[async_trait::async_trait]
impl Job for Erasures {
    fn name(&self) -> &'static str {
        "erasures"
    }

    fn schedule(&self) -> Schedule {
        Schedule::items(Duration::from_secs(15), Placement::EveryNode)
    }

    async fn due(&self, limit: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        let due = erasure::due(&self.state, limit, resting).await?;
        Ok(due.iter().map(ToString::to_string).collect())
    }

    async fn work(&self, item: &str) -> anyhow::Result<()> {
        let id = item.parse().context("not an erasure request id")?;
        if let Outcome::Held(why) = erasure::erase(&self.state, id).await? {
            tracing::info!(%id, why, "an erasure waits for something to finish");
        }
        Ok(())
    }
}

/// Retention keys whose years are up are deleted: what they sealed of erased buyers goes
/// unreadable.
pub struct RetentionExpiry {
    state: AppState,
}

impl RetentionExpiry {
    pub fn new(state: AppState) -> Self {
        RetentionExpiry { state }
    }
}

#[async_trait::async_trait]
impl Job for RetentionExpiry {
    fn name(&self) -> &'static str {
        "retention-expiry"
    }

    fn schedule(&self) -> Schedule {
        Schedule::sweep(Duration::from_secs(24 * 3600))
    }

    async fn due(&self, _: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        Ok(sweep_due(resting))
    }

    async fn work(&self, _: &str) -> anyhow::Result<()> {
        let forgotten = erasure::forget_expired_retention(&self.state).await?;
        if forgotten > 0 {
            tracing::info!(forgotten, "retention keys past their years deleted");
        }
        Ok(())
    }
}
