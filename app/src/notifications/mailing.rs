//! Email about notifications, after each person's settings: a kind mailed at once gets its own
//! message; kinds on the daily digest go out together each morning at 08:00; a kind turned off
//! is never mailed. Every message carries a one-click unsubscribe link (RFC 8058) for what it
//! is about. The jobs in `server/src/jobs/mail.rs` drive these; each step is one transaction
//! that queues the email and settles the notifications it covers, so nothing is mailed twice.

use super::email::{self, Email};
use super::model::{EmailCadence, Notification, NotificationKind};
use super::repo::{self, ToMail};
use super::service::Result;
use crate::ids::{NotificationId, UserId};
use crate::tokens;
use crate::vault::Vault;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

/// A digest lists at most this many notifications; the rest are on the notifications page.
pub const DIGEST_LIMIT: usize = 30;

/// Notifications whose own email is due (or which only need settling), as job items.
pub async fn due(db: &PgPool, limit: i64, resting: &[String]) -> Result<Vec<NotificationId>> {
    Ok(repo::mail_due(&mut *db.acquire().await?, limit, resting).await?)
}

/// Mail notification `id` at once, or settle it unsent when its kind is turned off; a kind
/// switched to the digest meanwhile is left for the digest. `site`: the public URL links
/// start with. Idempotent.
pub async fn mail_one(db: &PgPool, vault: &Vault, site: &str, id: NotificationId) -> Result<()> {
    let mut tx = db.begin().await?;
    let Some(n) = repo::lock_for_mail(&mut tx, vault, id).await? else {
        return Ok(());
    };
    match n.cadence {
        EmailCadence::Daily => return Ok(()),
        EmailCadence::Off => {}
        EmailCadence::Immediately => {
            let unsubscribe = unsubscribe_url(&mut tx, site, n.user, Some(n.kind)).await?;
            let message = single(&n, site, unsubscribe);
            email::enqueue(&mut tx, vault, n.user.into(), &message).await?;
        }
    }
    repo::settle_mail(&mut tx, &[n.id]).await?;
    tx.commit().await?;
    Ok(())
}

/// People whose morning digest is due at `now`, as job items.
pub async fn digests_due(
    db: &PgPool,
    now: DateTime<Utc>,
    limit: i64,
    resting: &[String],
) -> Result<Vec<UserId>> {
    Ok(repo::digests_due(&mut *db.acquire().await?, now, limit, resting).await?)
}

/// Send `user` one email listing their digest notifications from before this morning's 08:00;
/// `false` when there were none (already sent). Idempotent.
pub async fn send_digest(
    db: &PgPool,
    vault: &Vault,
    site: &str,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut tx = db.begin().await?;
    let notifications = repo::lock_digest(&mut tx, vault, user, now).await?;
    if notifications.is_empty() {
        return Ok(false);
    }
    let (to, name) = repo::recipient(&mut tx, vault, user).await?;
    let unsubscribe = unsubscribe_url(&mut tx, site, user, None).await?;
    let message = digest(&to, &name, &notifications, site, unsubscribe);
    email::enqueue(&mut tx, vault, user.into(), &message).await?;
    let ids: Vec<NotificationId> = notifications.iter().map(|n| n.id).collect();
    repo::settle_mail(&mut tx, &ids).await?;
    tx.commit().await?;
    Ok(true)
}

/// A fresh one-click unsubscribe address for `kind` (`None`: the digest).
async fn unsubscribe_url(
    conn: &mut PgConnection,
    site: &str,
    user: UserId,
    kind: Option<NotificationKind>,
) -> Result<String> {
    let (token, hash) = tokens::issue();
    repo::add_unsubscribe(conn, &hash, user, kind).await?;
    Ok(format!("{site}/email/unsubscribe?token={token}"))
}

fn single(n: &ToMail, site: &str, unsubscribe: String) -> Email {
    let label = n.kind.label();
    Email {
        to: n.to.clone(),
        subject: n.title.clone(),
        body_text: format!(
            "Hello {name},\n\n{body}\n\n{site}{link}\n\n— Olivine\n\n\
             You get this email at once because of your setting for “{label}”; change it at \
             {site}/account/notifications\nStop emails about “{label}”: {unsubscribe}\n",
            name = n.name,
            body = n.body,
            link = n.link,
        ),
        unsubscribe_url: Some(unsubscribe),
    }
}

fn digest(
    to: &str,
    name: &str,
    notifications: &[Notification],
    site: &str,
    unsubscribe: String,
) -> Email {
    let count = notifications.len();
    let mut items = String::new();
    for n in notifications.iter().take(DIGEST_LIMIT) {
        items.push_str(&format!(
            "• {title} ({at})\n  {body}\n  {site}{link}\n\n",
            title = n.title,
            at = n.at.format("%-d %b, %H:%M UTC"),
            body = n.body,
            link = n.link,
        ));
    }
    if count > DIGEST_LIMIT {
        items.push_str(&format!(
            "… and {} more: {site}/account/notifications\n\n",
            count - DIGEST_LIMIT
        ));
    }
    let updates = if count == 1 {
        "1 update".to_owned()
    } else {
        format!("{count} updates")
    };
    Email {
        to: to.to_owned(),
        subject: format!("Your Olivine digest: {updates}"),
        body_text: format!(
            "Hello {name},\n\nSince your last digest:\n\n{items}— Olivine\n\n\
             You get these once a day because of your notification settings; change them at \
             {site}/account/notifications\nStop the daily digest: {unsubscribe}\n"
        ),
        unsubscribe_url: Some(unsubscribe),
    }
}
