//! Hire's money jobs: booking contract events into the escrow ledger, charging organisations'
//! cards, releasing bookings left unpaid past their deadline, giving back what closed
//! contracts didn't spend, paying freelancers out, and reconciling the ledger with Stripe once
//! a day. The rules are `app::escrow`'s; these only schedule them.

use super::{Job, Placement, Schedule, sweep_due};
use app::escrow::reconciliation::{self, model::Trigger};
use app::escrow::{funding, payouts};
use app::state::AppState;
use std::time::Duration;

fn parse<T: From<uuid::Uuid>>(item: &str) -> anyhow::Result<T> {
    Ok(T::from(item.parse::<uuid::Uuid>()?))
}

/// Each contract event is booked once, in order per contract (a release, a cancellation's
/// share, a charge for what escrow doesn't hold, a refund of what a closed contract left).
pub struct Settlement {
    state: AppState,
}

impl Settlement {
    pub fn new(state: AppState) -> Self {
        Settlement { state }
    }
}

#[async_trait::async_trait]
impl Job for Settlement {
    fn name(&self) -> &'static str {
        "escrow-settlement"
    }

    fn schedule(&self) -> Schedule {
        Schedule::items(Duration::from_secs(2), Placement::EveryNode)
    }

    async fn due(&self, limit: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        let due = funding::events_due(&self.state, limit, resting).await?;
        Ok(due.iter().map(ToString::to_string).collect())
    }

    async fn work(&self, item: &str) -> anyhow::Result<()> {
        funding::settle_event(&self.state, parse(item)?).await?;
        Ok(())
    }
}

/// Charges organisations' saved cards into escrow, one charge per item.
pub struct Funding {
    state: AppState,
}

impl Funding {
    pub fn new(state: AppState) -> Self {
        Funding { state }
    }
}

#[async_trait::async_trait]
impl Job for Funding {
    fn name(&self) -> &'static str {
        "escrow-funding"
    }

    fn schedule(&self) -> Schedule {
        Schedule::items(Duration::from_secs(2), Placement::EveryNode)
    }

    async fn due(&self, limit: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        let due = funding::charges_due(&self.state, limit, resting).await?;
        Ok(due.iter().map(ToString::to_string).collect())
    }

    async fn work(&self, item: &str) -> anyhow::Result<()> {
        funding::charge(&self.state, parse(item)?).await?;
        Ok(())
    }
}

/// Bookings still unpaid at their deadline are released (no network: a sweep).
pub struct FundingDeadline {
    state: AppState,
}

impl FundingDeadline {
    pub fn new(state: AppState) -> Self {
        FundingDeadline { state }
    }
}

#[async_trait::async_trait]
impl Job for FundingDeadline {
    fn name(&self) -> &'static str {
        "escrow-funding-deadline"
    }

    fn schedule(&self) -> Schedule {
        Schedule::sweep(Duration::from_secs(30))
    }

    async fn due(&self, _: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        Ok(sweep_due(resting))
    }

    async fn work(&self, _: &str) -> anyhow::Result<()> {
        let lapsed = funding::lapse_unfunded(&self.state).await?;
        if lapsed > 0 {
            tracing::info!(lapsed, "unpaid bookings released at their deadline");
        }
        Ok(())
    }
}

/// Gives what closed contracts didn't spend back to organisations' cards.
pub struct Refunds {
    state: AppState,
}

impl Refunds {
    pub fn new(state: AppState) -> Self {
        Refunds { state }
    }
}

#[async_trait::async_trait]
impl Job for Refunds {
    fn name(&self) -> &'static str {
        "escrow-refunds"
    }

    fn schedule(&self) -> Schedule {
        Schedule::items(Duration::from_secs(5), Placement::EveryNode)
    }

    async fn due(&self, limit: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        let due = funding::refunds_due(&self.state, limit, resting).await?;
        Ok(due.iter().map(ToString::to_string).collect())
    }

    async fn work(&self, item: &str) -> anyhow::Result<()> {
        funding::refund(&self.state, parse(item)?).await?;
        Ok(())
    }
}

/// Transfers released pay to freelancers' connected accounts, one transfer per payout (and
/// sends again, under the same key, what a stopped run left sending).
pub struct Payouts {
    state: AppState,
}

impl Payouts {
    pub fn new(state: AppState) -> Self {
        Payouts { state }
    }
}

#[async_trait::async_trait]
impl Job for Payouts {
    fn name(&self) -> &'static str {
        "escrow-payouts"
    }

    /// A short lease: a payout left sending by a stopped node goes again (under the same key)
    /// half a minute later, not five.
    fn schedule(&self) -> Schedule {
        Schedule {
            lease: Duration::from_secs(30),
            ..Schedule::items(Duration::from_secs(5), Placement::EveryNode)
        }
    }

    async fn due(&self, limit: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        let due = payouts::due(&self.state, limit, resting).await?;
        Ok(due.iter().map(ToString::to_string).collect())
    }

    async fn work(&self, item: &str) -> anyhow::Result<()> {
        payouts::pay_out(&self.state, parse(item)?).await?;
        Ok(())
    }
}

/// Once a day, the escrow ledger is reconciled with Stripe (see `app::escrow::reconciliation`).
pub struct Reconciliation {
    state: AppState,
}

impl Reconciliation {
    pub fn new(state: AppState) -> Self {
        Reconciliation { state }
    }
}

#[async_trait::async_trait]
impl Job for Reconciliation {
    fn name(&self) -> &'static str {
        "escrow-reconciliation"
    }

    /// Looks every ten minutes whether a day has passed since the last daily run, so a
    /// restart neither skips a day nor runs twice.
    fn schedule(&self) -> Schedule {
        Schedule::sweep(Duration::from_secs(600))
    }

    async fn due(&self, _: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        if reconciliation::daily_due(&self.state).await? {
            Ok(sweep_due(resting))
        } else {
            Ok(Vec::new())
        }
    }

    async fn work(&self, _: &str) -> anyhow::Result<()> {
        let run = reconciliation::Run::usual(Trigger::Daily, None);
        let done = reconciliation::reconcile(&self.state, run).await?;
        tracing::info!(
            differences = done.differences.len(),
            charges = done.charges,
            refunds = done.refunds,
            transfers = done.transfers,
            "escrow reconciled with Stripe"
        );
        Ok(())
    }
}
