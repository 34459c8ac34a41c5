//! The audit log's checkpoints.

use super::{Job, Schedule, sweep_due};
use app::state::AppState;
use std::time::Duration;

/// Every hour (and at start): verify the whole audit chain and write its head, when it has
/// grown, to the checkpoint store under a key never overwritten. A broken chain, or one that
/// no longer agrees with the last checkpoint, fails the pass: it shows on `/admin/jobs` and in
/// the log, and `/admin/audit` says where.
pub struct AuditCheckpoint {
    state: AppState,
}

impl AuditCheckpoint {
    pub fn new(state: AppState) -> Self {
        AuditCheckpoint { state }
    }
}

#[async_trait::async_trait]
impl Job for AuditCheckpoint {
    fn name(&self) -> &'static str {
        "audit-checkpoint"
    }

    fn schedule(&self) -> Schedule {
        Schedule::sweep(Duration::from_secs(3600))
    }

    async fn due(&self, _: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        Ok(sweep_due(resting))
    }

    async fn work(&self, _: &str) -> anyhow::Result<()> {
        let state = &self.state;
        let written =
            app::audit::checkpoint::write(&state.db, &state.audit_checkpoints, state.clock.now())
                .await?;
        if let Some(seq) = written {
            tracing::info!(seq, "audit chain checkpoint written");
        }
        Ok(())
    }
}
