//! The shop's jobs: unpaid orders past their stock hold, Stripe events stored but not
//! processed, sold-out items back in stock, and housekeeping.

use super::{Job, Placement, Schedule, sweep_due};
use anyhow::Context;
use app::ids::{OrderId, SubscriptionId, UserId, VariantId};
use app::state::AppState;
use std::time::Duration;

/// Unpaid orders whose hold ran out are cancelled (their PaymentIntent first, so they can't be
/// paid any more) and their stock goes back on sale. One order at a time: Stripe being
/// unreachable for one leaves the others to go on.
pub struct UnpaidOrderExpiry {
    state: AppState,
}

impl UnpaidOrderExpiry {
    pub fn new(state: AppState) -> Self {
        UnpaidOrderExpiry { state }
    }
}

#[async_trait::async_trait]
impl Job for UnpaidOrderExpiry {
    fn name(&self) -> &'static str {
        "unpaid-order-expiry"
    }

    fn schedule(&self) -> Schedule {
        Schedule::items(Duration::from_secs(30), Placement::EveryNode)
    }

    async fn due(&self, limit: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        let due = app::orders::service::overdue(&self.state, limit, resting).await?;
        Ok(due.iter().map(ToString::to_string).collect())
    }

    async fn work(&self, item: &str) -> anyhow::Result<()> {
        let order = OrderId(item.parse().context("not an order id")?);
        if app::orders::service::expire_unpaid(&self.state, order).await? {
            tracing::info!(%order, "unpaid order expired");
        }
        Ok(())
    }
}

/// Webhook events stored but not processed (the process stopped, or Stripe was unreachable):
/// each is finished on its own from the intent's current state.
pub struct StripeEventRetry {
    state: AppState,
}

impl StripeEventRetry {
    pub fn new(state: AppState) -> Self {
        StripeEventRetry { state }
    }
}

#[async_trait::async_trait]
impl Job for StripeEventRetry {
    fn name(&self) -> &'static str {
        "stripe-event-retry"
    }

    fn schedule(&self) -> Schedule {
        Schedule::items(Duration::from_secs(30), Placement::EveryNode)
    }

    async fn due(&self, limit: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        Ok(app::orders::service::unprocessed_events(&self.state, limit, resting).await?)
    }

    async fn work(&self, item: &str) -> anyhow::Result<()> {
        app::orders::service::finish_event(&self.state, item).await?;
        Ok(())
    }
}

/// Variants back on sale that shoppers asked about: everyone who asked hears it once. One
/// variant per item; a new lot, a correction or a released hold makes one due within a minute.
pub struct BackInStock {
    state: AppState,
}

impl BackInStock {
    pub fn new(state: AppState) -> Self {
        BackInStock { state }
    }
}

#[async_trait::async_trait]
impl Job for BackInStock {
    fn name(&self) -> &'static str {
        "back-in-stock"
    }

    fn schedule(&self) -> Schedule {
        Schedule::items(Duration::from_secs(60), Placement::EveryNode)
    }

    async fn due(&self, limit: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        let today = self.state.clock.today();
        let due = app::restock::service::back(&self.state.db, today, limit, resting).await?;
        Ok(due.iter().map(ToString::to_string).collect())
    }

    async fn work(&self, item: &str) -> anyhow::Result<()> {
        let variant = VariantId(item.parse().context("not a variant id")?);
        let today = self.state.clock.today();
        let told = app::restock::service::tell(&self.state.db, variant, today).await?;
        tracing::info!(%variant, told, "back in stock");
        Ok(())
    }
}

/// Expired sessions, stale rate-limit counters, abandoned guest carts and year-old unsubscribe
/// links, every few minutes.
pub struct Housekeeping {
    state: AppState,
}

impl Housekeeping {
    pub fn new(state: AppState) -> Self {
        Housekeeping { state }
    }
}

#[async_trait::async_trait]
impl Job for Housekeeping {
    fn name(&self) -> &'static str {
        "housekeeping"
    }

    fn schedule(&self) -> Schedule {
        Schedule::sweep(Duration::from_secs(300))
    }

    async fn due(&self, _: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        Ok(sweep_due(resting))
    }

    async fn work(&self, _: &str) -> anyhow::Result<()> {
        let mut conn = self.state.db.acquire().await?;
        let sessions = sqlx::query!("DELETE FROM tower_sessions.session WHERE expiry_date < now()")
            .execute(&mut *conn)
            .await?
            .rows_affected();
        let limits = app::ratelimit::purge_stale(&mut conn).await?;
        let now = self.state.clock.now();
        let carts = app::cart::service::sweep_abandoned_guest_carts(&mut conn, now).await?;
        let unsubscribes = app::notifications::repo::purge_unsubscribes(&mut conn, now).await?;
        let request_keys = app::idempotency::purge(&mut conn, now).await?;
        if sessions + limits + carts + unsubscribes + request_keys > 0 {
            tracing::info!(
                sessions,
                limits,
                carts,
                unsubscribes,
                request_keys,
                "housekeeping removed expired rows"
            );
        }
        Ok(())
    }
}

/// Subscriptions with a delivery due: each is placed (stock held first expiry first out on
/// lots that last), charged off-session and booked, exactly once per delivery even with every
/// node running it and after a crash (see `app::subscriptions::renewals`).
pub struct Renewals {
    state: AppState,
}

impl Renewals {
    pub fn new(state: AppState) -> Self {
        Renewals { state }
    }
}

#[async_trait::async_trait]
impl Job for Renewals {
    fn name(&self) -> &'static str {
        "subscription-renewals"
    }

    /// Eight renewals at once (each mostly waits on Stripe), and a short lease: a delivery
    /// left charging by a stopped node goes again, under the same key, half a minute later.
    fn schedule(&self) -> Schedule {
        Schedule {
            batch: 200,
            concurrency: 8,
            lease: Duration::from_secs(30),
            ..Schedule::items(Duration::from_secs(15), Placement::EveryNode)
        }
    }

    async fn due(&self, limit: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        let due = app::subscriptions::renewals::due(&self.state, limit, resting).await?;
        Ok(due.iter().map(ToString::to_string).collect())
    }

    async fn work(&self, item: &str) -> anyhow::Result<()> {
        let id = SubscriptionId(item.parse().context("not a subscription id")?);
        app::subscriptions::renewals::renew(&self.state, id).await?;
        Ok(())
    }
}

/// Customers with a delivery in the next few days hear what it will cost, whether the price
/// changes, and how to skip it (see `app::subscriptions::reminders`); once per delivery.
pub struct RenewalReminders {
    state: AppState,
}

impl RenewalReminders {
    pub fn new(state: AppState) -> Self {
        RenewalReminders { state }
    }
}

#[async_trait::async_trait]
impl Job for RenewalReminders {
    fn name(&self) -> &'static str {
        "renewal-reminders"
    }

    fn schedule(&self) -> Schedule {
        Schedule {
            batch: 200,
            ..Schedule::items(Duration::from_secs(300), Placement::EveryNode)
        }
    }

    async fn due(&self, limit: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        let due = app::subscriptions::reminders::due(&self.state, limit, resting).await?;
        Ok(due.iter().map(ToString::to_string).collect())
    }

    async fn work(&self, item: &str) -> anyhow::Result<()> {
        let id = SubscriptionId(item.parse().context("not a subscription id")?);
        app::subscriptions::reminders::remind(&self.state, id).await?;
        Ok(())
    }
}

/// Loyalty points of customers a year without any points earned or spent expire, each
/// customer on their own; the customer is told.
pub struct PointsExpiry {
    state: AppState,
}

impl PointsExpiry {
    pub fn new(state: AppState) -> Self {
        PointsExpiry { state }
    }
}

#[async_trait::async_trait]
impl Job for PointsExpiry {
    fn name(&self) -> &'static str {
        "points-expiry"
    }

    fn schedule(&self) -> Schedule {
        Schedule::items(Duration::from_secs(3600), Placement::OneNode)
    }

    async fn due(&self, limit: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        let due = app::loyalty::service::dormant(&self.state, limit, resting).await?;
        Ok(due.iter().map(ToString::to_string).collect())
    }

    async fn work(&self, item: &str) -> anyhow::Result<()> {
        let user = UserId(item.parse().context("not a user id")?);
        let expired = app::loyalty::service::expire(&self.state, user).await?;
        if expired > 0 {
            tracing::info!(%user, expired, "loyalty points expired");
        }
        Ok(())
    }
}
