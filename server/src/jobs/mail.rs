//! Email: the relay, and the jobs that turn notifications into mail.
//!
//! The relay: queued messages go out over SMTP when configured, otherwise to the local dev
//! mailbox at `/dev/mailbox`. At least once: a crash between sending and recording sends again.
//! No transaction is open while a message is on the wire.
//!
//! Notification mail: each notification a person wants at once becomes a message of its own;
//! the rest wait for the morning digest, one message per person (see
//! `app::notifications::mailing`). Both only queue mail, in the transaction that settles the
//! notifications, so a retried item never mails twice.

use super::{Job, Placement, Schedule};
use anyhow::Context;
use app::ids::{EmailId, NotificationId, UserId};
use app::notifications::email::{self, Email};
use app::notifications::mailing;
use app::state::AppState;
use app::vault::Vault;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;
use std::sync::Arc;
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
            Transport::Mailbox => email::AfterSending::Keep,
            Transport::Smtp { .. } => email::AfterSending::Forget,
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
                let built = build(from, message)?;
                transport.send(built).await.context("SMTP send failed")?;
                Ok(())
            }
        }
    }
}

/// The message as it goes over SMTP: plain text, and the unsubscribe headers when it has them.
fn build(from: &lettre::message::Mailbox, message: &Email) -> anyhow::Result<Message> {
    let to = message
        .to
        .parse()
        .with_context(|| format!("recipient `{}` is not an address", message.to))?;
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&message.subject)
        .header(ContentType::TEXT_PLAIN);
    if let Some(url) = &message.unsubscribe_url {
        for (name, value) in list_unsubscribe(url) {
            builder = builder.raw_header(HeaderValue::new(name, value));
        }
    }
    builder
        .body(message.body_text.clone())
        .context("cannot build the message")
}

/// The headers that offer one-click unsubscribe (RFC 8058) at `url`.
fn list_unsubscribe(url: &str) -> [(HeaderName, String); 2] {
    [
        (
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{url}>"),
        ),
        (
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_owned(),
        ),
    ]
}

/// Deliver due messages; every node relays, each message leased to one of them.
pub struct EmailRelay {
    db: PgPool,
    vault: Arc<Vault>,
    transport: Transport,
}

impl EmailRelay {
    pub fn new(db: PgPool, vault: Arc<Vault>, transport: Transport) -> Self {
        EmailRelay {
            db,
            vault,
            transport,
        }
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
        let Some(message) = email::unsent(&mut *self.db.acquire().await?, &self.vault, id).await?
        else {
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
pub async fn relay_once(
    db: &PgPool,
    vault: Arc<Vault>,
    transport: Transport,
) -> anyhow::Result<usize> {
    let relay = EmailRelay::new(db.clone(), vault, transport);
    Ok(super::pass(db, &relay).await?.done)
}

/// Notifications a person wants by email at once: each queued as its own message (or settled
/// unsent when they turned its kind off).
pub struct NotificationMail {
    state: AppState,
}

impl NotificationMail {
    pub fn new(state: AppState) -> Self {
        NotificationMail { state }
    }
}

#[async_trait::async_trait]
impl Job for NotificationMail {
    fn name(&self) -> &'static str {
        "notification-mail"
    }

    fn schedule(&self) -> Schedule {
        Schedule::items(Duration::from_secs(5), Placement::EveryNode)
    }

    async fn due(&self, limit: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        let due = mailing::due(&self.state.db, limit, resting).await?;
        Ok(due.iter().map(ToString::to_string).collect())
    }

    async fn work(&self, item: &str) -> anyhow::Result<()> {
        let id = NotificationId(item.parse().context("not a notification id")?);
        mailing::mail_one(
            &self.state.db,
            &self.state.vault,
            &self.state.config.public_url,
            id,
        )
        .await?;
        Ok(())
    }
}

/// Each morning at 08:00 (in the zone pages show times in), one digest per person of the
/// notifications they chose to get daily.
pub struct NotificationDigest {
    state: AppState,
}

impl NotificationDigest {
    pub fn new(state: AppState) -> Self {
        NotificationDigest { state }
    }
}

#[async_trait::async_trait]
impl Job for NotificationDigest {
    fn name(&self) -> &'static str {
        "notification-digest"
    }

    fn schedule(&self) -> Schedule {
        Schedule::items(Duration::from_secs(60), Placement::EveryNode)
    }

    async fn due(&self, limit: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        let now = self.state.clock.now();
        let due = mailing::digests_due(&self.state.db, now, limit, resting).await?;
        Ok(due.iter().map(ToString::to_string).collect())
    }

    async fn work(&self, item: &str) -> anyhow::Result<()> {
        let user = UserId(item.parse().context("not a user id")?);
        let now = self.state.clock.now();
        mailing::send_digest(
            &self.state.db,
            &self.state.vault,
            &self.state.config.public_url,
            user,
            now,
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(unsubscribe_url: Option<&str>) -> Email {
        Email {
            to: "ann@example.com".to_owned(),
            subject: "Offer".to_owned(),
            body_text: "An offer.".to_owned(),
            unsubscribe_url: unsubscribe_url.map(str::to_owned),
        }
    }

    fn formatted(message: &Email) -> String {
        let from = "Olivine <hello@example.com>".parse().unwrap();
        String::from_utf8(build(&from, message).unwrap().formatted()).unwrap()
    }

    /// Header `name`'s value in `text`, unfolded (RFC 5322: a line break before white space
    /// continues the header).
    fn header(text: &str, name: &str) -> Option<String> {
        let unfolded = text.replace("\r\n ", " ").replace("\r\n\t", " ");
        let head = unfolded.split("\r\n\r\n").next()?;
        head.split("\r\n").find_map(|line| {
            let (n, value) = line.split_once(':')?;
            (n == name).then(|| value.split_whitespace().collect::<Vec<_>>().join(" "))
        })
    }

    #[test]
    fn mail_a_person_may_turn_off_offers_one_click_unsubscribe() {
        let url = "https://olivine.example/email/unsubscribe?token=abc_DEF-123";
        let text = formatted(&email(Some(url)));
        assert_eq!(
            header(&text, "List-Unsubscribe"),
            Some(format!("<{url}>")),
            "{text}"
        );
        assert_eq!(
            header(&text, "List-Unsubscribe-Post").as_deref(),
            Some("List-Unsubscribe=One-Click"),
            "{text}"
        );
    }

    #[test]
    fn other_mail_has_no_unsubscribe_headers() {
        let text = formatted(&email(None));
        assert_eq!(header(&text, "List-Unsubscribe"), None, "{text}");
        assert_eq!(header(&text, "Subject").as_deref(), Some("Offer"), "{text}");
    }
}
