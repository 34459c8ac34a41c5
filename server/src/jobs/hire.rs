//! Hire's jobs: expiring what waited too long, approving hours nobody answered, embedding
//! changed profile and posting texts for matching, and keeping certificate documents in the
//! restricted store only as long as they are needed.

use super::{Job, Placement, Schedule, sweep_due};
use anyhow::Context;
use app::hire::certificates::documents;
use app::ids::CertificateId;
use app::state::AppState;
use matching::embed::Embedder;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;

/// Offers unanswered for `OLIVINE_OFFER_EXPIRY_HOURS`, and whatever is still open when its
/// shift starts, expire (one statement per pass; no network, so a sweep).
pub struct ApplicationExpiry {
    state: AppState,
}

impl ApplicationExpiry {
    pub fn new(state: AppState) -> Self {
        ApplicationExpiry { state }
    }
}

#[async_trait::async_trait]
impl Job for ApplicationExpiry {
    fn name(&self) -> &'static str {
        "application-expiry"
    }

    fn schedule(&self) -> Schedule {
        Schedule::sweep(Duration::from_secs(60))
    }

    async fn due(&self, _: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        Ok(sweep_due(resting))
    }

    async fn work(&self, _: &str) -> anyhow::Result<()> {
        let expired = app::hire::applications::service::expire_due(&self.state).await?;
        if expired > 0 {
            tracing::info!(expired, "unanswered offers and applications expired");
        }
        Ok(())
    }
}

/// Certificate documents uploaded before the restricted store move there, sealed with their
/// owner's key, one at a time.
pub struct RestrictedDocuments {
    state: AppState,
}

impl RestrictedDocuments {
    pub fn new(state: AppState) -> Self {
        RestrictedDocuments { state }
    }
}

#[async_trait::async_trait]
impl Job for RestrictedDocuments {
    fn name(&self) -> &'static str {
        "restricted-documents"
    }

    fn schedule(&self) -> Schedule {
        Schedule::items(Duration::from_secs(10), Placement::EveryNode)
    }

    async fn due(&self, limit: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        let due = documents::in_database(&self.state, limit, resting).await?;
        Ok(due.iter().map(ToString::to_string).collect())
    }

    async fn work(&self, item: &str) -> anyhow::Result<()> {
        let id = CertificateId(item.parse().context("not a certificate id")?);
        documents::move_to_store(&self.state, id).await?;
        Ok(())
    }
}

/// Certificate documents kept `OLIVINE_CERTIFICATE_RETENTION_MONTHS` past their certificate's
/// expiry are deleted (audited; the certificate's record stays), daily, one at a time.
pub struct CertificateRetention {
    state: AppState,
}

impl CertificateRetention {
    pub fn new(state: AppState) -> Self {
        CertificateRetention { state }
    }
}

#[async_trait::async_trait]
impl Job for CertificateRetention {
    fn name(&self) -> &'static str {
        "certificate-retention"
    }

    fn schedule(&self) -> Schedule {
        Schedule::items(Duration::from_secs(6 * 3600), Placement::OneNode)
    }

    async fn due(&self, limit: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        let state = &self.state;
        let today = state.clock.now().date_naive();
        let months = state.config.certificate_retention_months;
        let due = documents::past_retention(state, today, months, limit, resting).await?;
        Ok(due.iter().map(ToString::to_string).collect())
    }

    async fn work(&self, item: &str) -> anyhow::Result<()> {
        let id = CertificateId(item.parse().context("not a certificate id")?);
        let months = self.state.config.certificate_retention_months;
        documents::delete(
            &self.state,
            id,
            &format!("kept {months} months after it expired"),
        )
        .await?;
        Ok(())
    }
}

/// Submitted hours and handed-over work nobody answered within
/// `OLIVINE_TIMESHEET_AUTO_APPROVE_HOURS` are approved, completing their contracts: each
/// timesheet or delivery on its own, so one that cannot be settled waits for a person while the
/// others go on.
pub struct AutoApproval {
    state: AppState,
}

impl AutoApproval {
    pub fn new(state: AppState) -> Self {
        AutoApproval { state }
    }
}

#[async_trait::async_trait]
impl Job for AutoApproval {
    fn name(&self) -> &'static str {
        "timesheet-auto-approval"
    }

    fn schedule(&self) -> Schedule {
        Schedule::items(Duration::from_secs(60), Placement::EveryNode)
    }

    async fn due(&self, limit: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        let due =
            app::hire::contracts::hours::auto_approval_due(&self.state, limit, resting).await?;
        Ok(due.iter().map(ToString::to_string).collect())
    }

    async fn work(&self, item: &str) -> anyhow::Result<()> {
        let item = item.parse().map_err(anyhow::Error::msg)?;
        app::hire::contracts::hours::auto_approve(&self.state, item).await?;
        Ok(())
    }
}

/// Profiles and postings whose text changed get new vectors, one row at a time.
pub struct Embeddings {
    db: PgPool,
    embedder: Arc<Embedder>,
}

impl Embeddings {
    pub fn new(db: PgPool, embedder: Arc<Embedder>) -> Self {
        Embeddings { db, embedder }
    }
}

#[async_trait::async_trait]
impl Job for Embeddings {
    fn name(&self) -> &'static str {
        "embeddings"
    }

    fn schedule(&self) -> Schedule {
        Schedule {
            batch: 64,
            ..Schedule::items(Duration::from_secs(3), Placement::EveryNode)
        }
    }

    async fn due(&self, limit: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        let due = app::hire::matching::embedding_due(&self.db, limit, resting).await?;
        Ok(due.iter().map(ToString::to_string).collect())
    }

    async fn work(&self, item: &str) -> anyhow::Result<()> {
        let item = item.parse().map_err(anyhow::Error::msg)?;
        app::hire::matching::embed(&self.db, &self.embedder, item).await?;
        Ok(())
    }
}

/// The sentence-embedding model, checked against the configured width and the database's
/// vector columns, so a mismatch stops start-up with a clear message instead of failing every
/// embedding later.
pub async fn load_embedder(
    config: &crate::config::Config,
    db: &PgPool,
) -> anyhow::Result<Arc<Embedder>> {
    let columns = sqlx::query_scalar!(
        r#"SELECT atttypmod AS "dimension!" FROM pg_attribute
           WHERE attrelid IN ('freelancer_profiles'::regclass, 'postings'::regclass)
             AND attname = 'embedding'"#
    )
    .fetch_all(db)
    .await?;
    if let Some(width) = columns
        .iter()
        .find(|w| usize::try_from(**w).ok() != Some(config.matching_dimension))
    {
        anyhow::bail!(
            "OLIVINE_MATCHING_DIMENSION is {} but the database's embedding columns hold {width} dimensions",
            config.matching_dimension
        );
    }
    let dir = config.matching_model.clone();
    let dimension = config.matching_dimension;
    let embedder = tokio::task::spawn_blocking(move || Embedder::load(&dir, dimension))
        .await?
        .with_context(|| {
            "OLIVINE_MATCHING_MODEL: the sentence-embedding model did not load (`cargo xtask setup` installs it)"
        })?;
    tracing::info!(model = %config.matching_model.display(), "embedding model loaded");
    Ok(Arc::new(embedder))
}
