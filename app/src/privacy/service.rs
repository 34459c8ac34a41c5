//! Downloads of a person's data: asked for, built by the job, mailed, taken once, removed.

use super::model::{ExportState, ExportView};
use super::{Part, Person, archive, repo};
use crate::audit::{self, Action, Entry};
use crate::error::ServiceError;
use crate::ids::UserId;
use crate::notifications::email::{self, Email};
use crate::restricted;
use crate::state::AppState;
use crate::tokens;
use chrono::{DateTime, Utc};
use std::net::IpAddr;
use uuid::Uuid;

type Result<T> = std::result::Result<T, ServiceError>;

/// How long the mailed link works.
pub const LINK_DAYS: i64 = 7;

/// Requests the privacy page lists.
const LISTED: i64 = 5;

/// What a download sealed under a person's key is bound to: it opens for no other.
fn context(id: Uuid) -> String {
    format!("data-export:{id}")
}

fn store_key(id: Uuid) -> String {
    format!("exports/{id}.zip")
}

/// `user` asks for their data. While one download is being built, asking again adds nothing.
pub async fn request(state: &AppState, user: UserId, ip: Option<IpAddr>) -> Result<()> {
    let mut tx = state.db.begin().await?;
    if repo::insert_request(&mut tx, Uuid::new_v4(), user, state.clock.now()).await? {
        audit::record(
            &mut tx,
            Entry::new(Some(user), Action::DataExportRequested).ip(ip),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `user`'s latest downloads, newest first.
pub async fn overview(state: &AppState, user: UserId) -> Result<Vec<ExportView>> {
    let mut conn = state.db.acquire().await?;
    let now = state.clock.now();
    let rows = repo::of_person(&mut conn, user, LISTED).await?;
    Ok(rows
        .into_iter()
        .map(|row| ExportView {
            requested_at: row.requested_at,
            state: match (
                row.built_at,
                row.downloaded_at,
                row.expires_at,
                row.size_bytes,
            ) {
                (_, Some(at), _, _) => ExportState::Downloaded { at },
                (Some(_), None, Some(expires_at), Some(size_bytes)) if expires_at > now => {
                    ExportState::Mailed {
                        expires_at,
                        size_bytes,
                    }
                }
                (Some(_), None, _, _) => ExportState::Expired,
                (None, None, _, _) => ExportState::Building,
            },
        })
        .collect())
}

/// Requests waiting for the job.
pub async fn due(state: &AppState, limit: i64, resting: &[String]) -> Result<Vec<Uuid>> {
    let mut conn = state.db.acquire().await?;
    Ok(repo::to_build(&mut conn, limit, resting).await?)
}

/// Build request `id`: every holding's part into one ZIP, sealed with the person's key into
/// the restricted store, and the link mailed. No transaction is open while the parts are read
/// or the ZIP is stored; a second runner finding it built leaves it.
pub async fn build(state: &AppState, id: Uuid) -> Result<()> {
    let mut conn = state.db.acquire().await?;
    let Some((user, address, name)) = repo::unbuilt(&mut conn, &state.vault, id).await? else {
        return Ok(());
    };
    drop(conn);
    let person = Person {
        id: user,
        email: address.clone(),
    };
    let mut parts: Vec<(&'static str, Part)> = Vec::with_capacity(state.holdings.len());
    for holding in state.holdings {
        parts.push((holding.name, (holding.export)(state, &person).await?));
    }
    let zip = archive::build(&parts).map_err(ServiceError::failed("writing a data download"))?;
    let size = i64::try_from(zip.len()).unwrap_or(i64::MAX);
    let key = store_key(id);
    restricted::put(state, user, &context(id), &key, &zip).await?;

    let (token, token_hash) = tokens::issue();
    let built_at = state.clock.now();
    let expires_at = built_at + chrono::Duration::days(LINK_DAYS);
    let mut tx = state.db.begin().await?;
    if !repo::mark_built(&mut tx, id, &key, size, &token_hash, built_at, expires_at).await? {
        return Ok(());
    }
    let link = state
        .config
        .link(&format!("/account/privacy/download?token={token}"));
    let message = ready_email(&address, &name, &link, expires_at);
    email::enqueue(&mut tx, &state.vault, user.into(), &message).await?;
    let entry = Entry::new(None, Action::DataExportBuilt)
        .subject(user.0)
        .detail(serde_json::json!({ "bytes": size }));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

fn ready_email(to: &str, name: &str, link: &str, expires_at: DateTime<Utc>) -> Email {
    Email {
        to: to.to_owned(),
        subject: "Your Olivine data is ready to download".to_owned(),
        body_text: format!(
            "Hello {name},\n\nThe download of your data you asked for is ready:\n\n{link}\n\n\
             Sign in as yourself to use it. The link works once, until {} UTC; after that the \
             download is deleted and you can ask for a new one on your privacy page.\n\n\
             If you didn't ask for it, sign in and change your password: only someone signed \
             in to your account could.\n\n— Olivine\n",
            expires_at.format("%-d %B %Y, %H:%M")
        ),
        unsubscribe_url: None,
    }
}

/// A download, ready to send.
pub struct Download {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// The download the link `token` names, for `user` (whose it must be), once. `None`: not
/// theirs, already used, expired or removed.
pub async fn download(
    state: &AppState,
    user: UserId,
    token: &str,
    ip: Option<IpAddr>,
) -> Result<Option<Download>> {
    let token_hash = tokens::digest(token);
    let now = state.clock.now();
    let mut conn = state.db.acquire().await?;
    let Some((id, key)) = repo::usable_link(&mut conn, user, &token_hash, now).await? else {
        return Ok(None);
    };
    let Some(bytes) = restricted::open(state, &mut conn, user, &context(id), &key).await? else {
        return Ok(None);
    };
    drop(conn);
    let mut tx = state.db.begin().await?;
    // Taken here, once: of two clicks at the same moment one gets the file.
    if !repo::take_link(&mut tx, id, now).await? {
        return Ok(None);
    }
    let entry = Entry::new(Some(user), Action::DataExportDownloaded)
        .subject(id)
        .ip(ip);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    // Downloaded: the ZIP goes now (or with the next sweep, when this fails).
    if let Err(error) = remove(state, id, &key).await {
        tracing::warn!(%error, "a downloaded data export stays in the store until the next sweep");
    }
    Ok(Some(Download {
        file_name: format!("olivine-data-{}.zip", now.format("%Y-%m-%d")),
        bytes,
    }))
}

async fn remove(state: &AppState, id: Uuid, key: &str) -> Result<()> {
    restricted::delete(state, key).await?;
    let mut conn = state.db.acquire().await?;
    repo::mark_removed(&mut conn, id, state.clock.now()).await?;
    Ok(())
}

/// Delete from the store every download taken or past its link's expiry; how many.
pub async fn remove_spent(state: &AppState) -> Result<u64> {
    let mut conn = state.db.acquire().await?;
    let spent = repo::to_remove(&mut conn, state.clock.now(), 100).await?;
    drop(conn);
    let mut removed = 0;
    for (id, key) in spent {
        remove(state, id, &key).await?;
        removed += 1;
    }
    Ok(removed)
}
