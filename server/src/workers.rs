//! Background workers: the email relay (SMTP when configured, otherwise the local dev mailbox
//! at `/dev/mailbox`; at-least-once: a crash between sending and recording sends again) and
//! housekeeping.

use anyhow::Context;
use app::notifications::email::{self, Email};
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;
use std::time::Duration;

pub enum Transport {
    Mailbox,
    Smtp {
        transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
        from: lettre::message::Mailbox,
    },
}

impl Transport {
    pub fn from_config(config: &crate::config::Config) -> anyhow::Result<Self> {
        let Some(url) = &config.smtp_url else {
            return Ok(Transport::Mailbox);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
            .context("OLIVINE_SMTP_URL is not a usable SMTP URL")?
            // lettre waits a minute per command by default; a stuck server must not hold the
            // relay that long.
            .timeout(Some(Duration::from_secs(15)))
            .build();
        let from = config
            .mail_from
            .parse()
            .context("OLIVINE_MAIL_FROM is not an address like `Olivine <hello@example.com>`")?;
        Ok(Transport::Smtp {
            transport: Box::new(transport),
            from,
        })
    }

    /// What the outbox keeps once this transport delivered a message.
    fn after_sending(&self) -> email::AfterSending {
        match self {
            Transport::Mailbox => email::AfterSending::KeepBody,
            Transport::Smtp { .. } => email::AfterSending::RemoveLinks,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Transport::Mailbox => "mailbox",
            Transport::Smtp { .. } => "smtp",
        }
    }

    async fn send(&self, message: &Email) -> anyhow::Result<()> {
        match self {
            Transport::Mailbox => Ok(()),
            Transport::Smtp { transport, from } => {
                let to = message
                    .to
                    .parse()
                    .with_context(|| format!("recipient `{}` is not an address", message.to))?;
                let built = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(&message.subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(message.body_text.clone())
                    .context("cannot build the message")?;
                transport.send(built).await.context("SMTP send failed")?;
                Ok(())
            }
        }
    }
}

/// Deliver due messages until the process stops. Several nodes can run this side by side.
pub async fn run_relay(db: PgPool, transport: Transport) {
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    loop {
        tick.tick().await;
        if let Err(error) = relay_once(&db, &transport).await {
            tracing::warn!(error = format!("{error:#}"), "email relay pass failed");
        }
    }
}

/// One pass: claim a batch, send each, record the outcome. Returns how many were sent.
pub async fn relay_once(db: &PgPool, transport: &Transport) -> anyhow::Result<usize> {
    let mut tx = db.begin().await?;
    let due = email::claim_due(&mut tx, 20).await?;
    let mut sent = 0;
    for outgoing in due {
        match transport.send(&outgoing.email).await {
            Ok(()) => {
                email::mark_sent(
                    &mut tx,
                    outgoing.email_id,
                    transport.name(),
                    transport.after_sending(),
                )
                .await?;
                sent += 1;
            }
            Err(error) => {
                tracing::warn!(email_id = %outgoing.email_id, attempts = outgoing.attempts + 1,
                    error = format!("{error:#}"), "email not delivered; will retry");
                email::mark_failed(&mut tx, outgoing.email_id, &format!("{error:#}")).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(sent)
}

/// Housekeeping: expired sessions, stale rate-limit counters and abandoned guest carts, every
/// few minutes.
pub async fn run_housekeeping(db: PgPool) {
    let mut tick = tokio::time::interval(Duration::from_secs(300));
    loop {
        tick.tick().await;
        let result = async {
            let mut conn = db.acquire().await?;
            let sessions =
                sqlx::query!("DELETE FROM tower_sessions.session WHERE expiry_date < now()")
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
            let limits = app::ratelimit::purge_stale(&mut conn).await?;
            let carts = app::cart::service::sweep_abandoned_guest_carts(&mut conn).await?;
            anyhow::Ok((sessions, limits, carts))
        }
        .await;
        match result {
            Ok((sessions, limits, carts)) if sessions + limits + carts > 0 => {
                tracing::info!(sessions, limits, carts, "housekeeping removed expired rows");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(error = format!("{error:#}"), "housekeeping failed"),
        }
    }
}

/// Payments upkeep every half minute: unpaid orders whose stock hold ran out are cancelled
/// (their PaymentIntent first, so they can't be paid any more) and their stock goes back on
/// sale; webhook events that were stored but not processed are finished.
pub async fn run_payments(state: app::state::AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(30));
    loop {
        tick.tick().await;
        match app::orders::service::expire_overdue(&state).await {
            Ok(0) => {}
            Ok(expired) => tracing::info!(expired, "unpaid orders expired"),
            Err(error) => {
                tracing::warn!(error = %app::error::error_chain(&error), "expiring unpaid orders failed")
            }
        }
        match app::orders::service::retry_unprocessed_events(&state).await {
            Ok(0) => {}
            Ok(finished) => tracing::info!(finished, "stored payment events processed"),
            Err(error) => {
                tracing::warn!(error = %app::error::error_chain(&error), "retrying payment events failed")
            }
        }
    }
}

/// AVIF renditions for new images, one at a time: encoding is slow (rav1e), so it never holds
/// up an upload. Pages offer WebP until an image's AVIF files exist.
pub async fn run_avif(db: PgPool, media: std::sync::Arc<app::media::service::Media>) {
    let idle = Duration::from_secs(5);
    loop {
        match media.avif_pass(&db).await {
            Ok(Some(hash)) => tracing::info!(%hash, "AVIF renditions written"),
            Ok(None) => tokio::time::sleep(idle).await,
            Err(error) => {
                tracing::warn!(error = %app::error::error_chain(&error), "AVIF pass failed");
                tokio::time::sleep(idle).await;
            }
        }
    }
}

/// Hire upkeep every minute: offers unanswered for `OLIVINE_OFFER_EXPIRY_HOURS`, and whatever
/// is still open when its shift starts, expire; submitted hours nobody answered within
/// `OLIVINE_TIMESHEET_AUTO_APPROVE_HOURS` are approved, completing their contracts.
pub async fn run_hire(state: app::state::AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        match app::marketplace::service::expire_due(&state).await {
            Ok(0) => {}
            Ok(expired) => tracing::info!(expired, "unanswered offers and applications expired"),
            Err(error) => {
                tracing::warn!(error = %app::error::error_chain(&error), "expiring applications failed")
            }
        }
        match app::marketplace::service::auto_approve_due(&state).await {
            Ok(0) => {}
            Ok(approved) => tracing::info!(approved, "unanswered timesheets approved"),
            Err(error) => {
                tracing::warn!(error = %app::error::error_chain(&error), "auto-approving timesheets failed")
            }
        }
    }
}

/// The sentence-embedding model, checked against the configured width and the database's
/// vector columns, so a mismatch stops start-up with a clear message instead of failing every
/// embedding later.
pub async fn load_embedder(
    config: &crate::config::Config,
    db: &PgPool,
) -> anyhow::Result<std::sync::Arc<matching::embed::Embedder>> {
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
    let embedder = tokio::task::spawn_blocking(move || matching::embed::Embedder::load(&dir, dimension))
        .await?
        .with_context(|| {
            "OLIVINE_MATCHING_MODEL: the sentence-embedding model did not load (`cargo xtask setup` installs it)"
        })?;
    tracing::info!(model = %config.matching_model.display(), "embedding model loaded");
    Ok(std::sync::Arc::new(embedder))
}

/// The embedding job: every few seconds, profiles and postings whose text changed get new
/// vectors, a batch at a time.
pub async fn run_embeddings(db: PgPool, embedder: std::sync::Arc<matching::embed::Embedder>) {
    const BATCH: i64 = 32;
    let mut tick = tokio::time::interval(Duration::from_secs(3));
    loop {
        tick.tick().await;
        loop {
            match app::marketplace::matching::embed_due(&db, &embedder, BATCH).await {
                Ok(0) => break,
                Ok(stored) => tracing::debug!(stored, "texts embedded"),
                Err(error) => {
                    tracing::warn!(error = %app::error::error_chain(&error), "embedding failed");
                    break;
                }
            }
        }
    }
}
