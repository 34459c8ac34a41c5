//! The email relay: queued messages go out over SMTP when configured, otherwise to the local dev
//! mailbox at `/dev/mailbox`. At least once: a crash between sending and recording sends again.
//! No transaction is open while a message is on the wire.

use super::{Job, Placement, Schedule};
use anyhow::Context;
use app::ids::EmailId;
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

/// Deliver due messages; every node relays, each message leased to one of them.
pub struct EmailRelay {
    db: PgPool,
    transport: Transport,
}

impl EmailRelay {
    pub fn new(db: PgPool, transport: Transport) -> Self {
        EmailRelay { db, transport }
    }
}

#[async_trait::async_trait]
impl Job for EmailRelay {
    fn name(&self) -> &'static str {
        "email-relay"
    }

    fn schedule(&self) -> Schedule {
        Schedule {
            // The outbox keeps its own backoff (30 s, doubling up to an hour); the runner's
            // matches it and parks a message that failed ten times.
            retry_after: Duration::from_secs(30),
            attempts: Some(10),
            ..Schedule::items(Duration::from_millis(500), Placement::EveryNode)
        }
    }

    async fn due(&self, limit: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        let mut conn = self.db.acquire().await?;
        let due = email::due(&mut conn, limit, resting).await?;
        Ok(due.iter().map(|id| id.0.to_string()).collect())
    }

    async fn work(&self, item: &str) -> anyhow::Result<()> {
        let id = EmailId(item.parse().context("not an email id")?);
        let Some(message) = email::unsent(&mut *self.db.acquire().await?, id).await? else {
            return Ok(());
        };
        match self.transport.send(&message).await {
            Ok(()) => {
                let mut conn = self.db.acquire().await?;
                email::mark_sent(
                    &mut conn,
                    id,
                    self.transport.name(),
                    self.transport.after_sending(),
                )
                .await?;
                Ok(())
            }
            Err(error) => {
                let mut conn = self.db.acquire().await?;
                email::mark_failed(&mut conn, id, &format!("{error:#}")).await?;
                Err(error)
            }
        }
    }
}

/// One relay pass over `transport` (tests, and anyone who wants the outbox flushed now).
/// Returns how many messages went out.
pub async fn relay_once(db: &PgPool, transport: Transport) -> anyhow::Result<usize> {
    let relay = EmailRelay::new(db.clone(), transport);
    Ok(super::pass(db, &relay).await?.done)
}
