//! Erase me. A person asks on `/account/privacy` (or a support admin for them on
//! `/admin/privacy`); for [`GRACE_DAYS`] they can cancel, then the `erasures` job erases them:
//!
//! 1. Anything that must finish first holds it (an order on its way, a running contract, pay
//!    on its way): the request waits, saying why, and is tried again.
//! 2. What lives outside the database goes: the Stripe customer with its cards, certificate
//!    documents and data downloads in the restricted store.
//! 3. In one transaction every domain erases its rows ([`super::Holding::erase`]), their data
//!    key is deleted (whatever it sealed, in every backup, is unreadable), and the request is
//!    marked done with an audit entry. Orders keep the buyer sealed with a retention key for
//!    [`RETENTION_YEARS`]; the ledger, orders and the audit trail name the account id, which
//!    nothing identifies any more.
//!
//! Support sees every request against the law's month ([`DEADLINE_DAYS`]).

use super::model::{ErasureView, SupportErasures};
use super::{Erasing, repo};
use crate::accounts::{
    self,
    repo::{reveal_email, reveal_name},
};
use crate::audit::{self, Action, Entry};
use crate::error::{AppError, ServiceError};
use crate::ids::UserId;
use crate::notifications::email::{self, Email};
use crate::restricted;
use crate::state::AppState;
use crate::vault::{Sealed, Vault};
use chrono::{DateTime, Duration, Utc};
use std::net::IpAddr;
use uuid::Uuid;

type Result<T> = std::result::Result<T, ServiceError>;

/// The days a person can change their mind.
pub const GRACE_DAYS: i64 = 14;
/// The days the law gives to answer a request.
pub const DEADLINE_DAYS: i64 = 30;
/// How long bookkeeping keeps an erased buyer's name and address on their orders.
pub const RETENTION_YEARS: u32 = 7;

/// Requests `/admin/privacy` lists.
const LISTED: i64 = 100;

/// Who asks for an erasure.
pub enum Asker<'a> {
    /// The person, for themselves.
    Themselves,
    /// A support admin, for someone who asked them (how, in `note`).
    Support { admin: UserId, note: &'a str },
}

/// `person` is to be erased once the grace period is over; they are mailed how to cancel.
pub async fn request(
    state: &AppState,
    person: UserId,
    asker: Asker<'_>,
    ip: Option<IpAddr>,
) -> Result<ErasureView> {
    let (asked_by, note) = match asker {
        Asker::Themselves => (person, None),
        Asker::Support { admin, note } => {
            let note = note.trim();
            if note.is_empty() {
                return Err(
                    AppError::field("note", "Say how the person asked (for the record).").into(),
                );
            }
            if note.chars().count() > 500 {
                return Err(AppError::field("note", "Keep it under 500 characters.").into());
            }
            (admin, Some(note))
        }
    };
    let now = state.clock.now();
    let erase_after = now + Duration::days(GRACE_DAYS);
    let deadline = now + Duration::days(DEADLINE_DAYS);
    let mut tx = state.db.begin().await?;
    let Some((email, name, erased)) = person_of(&mut tx, &state.vault, person).await? else {
        return Err(AppError::NotFound.into());
    };
    if erased {
        return Err(AppError::invalid("This account is erased already.").into());
    }
    let id = Uuid::new_v4();
    let added = repo::insert_erasure(
        &mut tx,
        id,
        person,
        asked_by,
        note,
        (now, erase_after, deadline),
    )
    .await?;
    if !added {
        return Err(AppError::invalid(
            "An erasure is asked for already: it can be cancelled until it is done.",
        )
        .into());
    }
    let entry = Entry::new(Some(asked_by), Action::ErasureRequested)
        .subject(person.0)
        .ip(ip)
        .detail(serde_json::json!({ "erase_after": erase_after, "by_support": note.is_some() }));
    audit::record(&mut tx, entry).await?;
    let link = state.config.link("/account/privacy");
    let message = asked_email(&email, &name, &link, erase_after);
    email::enqueue(&mut tx, &state.vault, person.into(), &message).await?;
    let view = repo::waiting_erasure(&mut tx, person)
        .await?
        .ok_or_else(|| AppError::invalid("The request changed meanwhile; look again."))?;
    tx.commit().await?;
    Ok(view)
}

async fn person_of(
    conn: &mut sqlx::PgConnection,
    vault: &Vault,
    person: UserId,
) -> std::result::Result<Option<(String, String, bool)>, crate::vault::VaultError> {
    let row = sqlx::query!(
        r#"SELECT person_email(user_id) AS "email!: Sealed", person_name(user_id) AS "name!: Sealed",
                  erased_at IS NOT NULL AS "erased!"
             FROM users WHERE user_id = $1"#,
        person.0
    )
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok((
            reveal_email(vault, &r.email)?,
            reveal_name(vault, &r.name)?,
            r.erased,
        ))
    })
    .transpose()
}

fn asked_email(to: &str, name: &str, link: &str, erase_after: DateTime<Utc>) -> Email {
    Email {
        to: to.to_owned(),
        subject: "Your Olivine account will be erased".to_owned(),
        body_text: format!(
            "Hello {name},\n\nWe were asked to erase your Olivine account and what we hold \
             about you. It will be erased after {} UTC.\n\nChanged your mind? Until then you \
             can cancel it on your privacy page:\n\n{link}\n\nOnce erased, your account, \
             profile, reviews, saved cards and subscriptions are gone for good; orders stay \
             for bookkeeping with your name and address sealed for 7 years.\n\n— Olivine\n",
            erase_after.format("%-d %B %Y, %H:%M")
        ),
        unsubscribe_url: None,
    }
}

/// Cancel a waiting erasure: the person's own (`person`), or any as support.
pub async fn cancel(
    state: &AppState,
    id: Uuid,
    person: Option<UserId>,
    by: UserId,
    ip: Option<IpAddr>,
) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let Some(whose) = repo::cancel_erasure(&mut tx, id, person, by, state.clock.now()).await?
    else {
        return Err(AppError::invalid("This erasure is no longer waiting: look again.").into());
    };
    let entry = Entry::new(Some(by), Action::ErasureCancelled)
        .subject(whose.0)
        .ip(ip);
    audit::record(&mut tx, entry).await?;
    if let Some((address, name, _)) = person_of(&mut tx, &state.vault, whose).await? {
        let message = cancelled_email(&address, &name);
        email::enqueue(&mut tx, &state.vault, whose.into(), &message).await?;
    }
    tx.commit().await?;
    Ok(())
}

fn cancelled_email(to: &str, name: &str) -> Email {
    Email {
        to: to.to_owned(),
        subject: "Your Olivine account stays".to_owned(),
        body_text: format!(
            "Hello {name},\n\nThe erasure of your Olivine account was cancelled: everything \
             stays as it was.\n\nIf you didn't cancel it, sign in and look at your privacy \
             page.\n\n— Olivine\n"
        ),
        unsubscribe_url: None,
    }
}

/// `person`'s waiting erasure, if they asked for one.
pub async fn of_person(state: &AppState, person: UserId) -> Result<Option<ErasureView>> {
    let mut conn = state.db.acquire().await?;
    Ok(repo::waiting_erasure(&mut conn, person).await?)
}

/// What support sees: waiting requests by deadline, then the latest done or cancelled.
pub async fn for_support(state: &AppState) -> Result<SupportErasures> {
    let mut conn = state.db.acquire().await?;
    Ok(SupportErasures {
        now: state.clock.now(),
        rows: repo::erasures_for_support(&mut conn, &state.vault, LISTED).await?,
    })
}

/// The account with `email`, for support asking on someone's behalf.
pub async fn account_by_email(state: &AppState, email: &str) -> Result<UserId> {
    let mut conn = state.db.acquire().await?;
    accounts::repo::user_id_by_email(&mut conn, &state.vault, email)
        .await?
        .ok_or_else(|| AppError::field("email", "No account has that email.").into())
}

/// Requests whose grace period is over.
pub async fn due(state: &AppState, limit: i64, resting: &[String]) -> Result<Vec<Uuid>> {
    let mut conn = state.db.acquire().await?;
    Ok(repo::erasures_due(&mut conn, state.clock.now(), limit, resting).await?)
}

/// What happened to a due request.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Erased,
    /// Something must finish first (why).
    Held(&'static str),
    /// Cancelled, done by another runner, or not due.
    Nothing,
}

/// Erase the person of request `id`, when nothing holds it. Run again after a failure, it
/// picks up where it stopped: letting go of what is outside the database is idempotent, and
/// the rows go in one transaction.
pub async fn erase(state: &AppState, id: Uuid) -> Result<Outcome> {
    let now = state.clock.now();
    let mut conn = state.db.acquire().await?;
    let Some(due) = repo::lock_due_erasure(&mut conn, &state.vault, id, now).await? else {
        return Ok(Outcome::Nothing);
    };
    if let Some(why) = held(state, &mut conn, due.user).await? {
        if due.held_because.as_deref() != Some(why) {
            repo::hold_erasure(&mut conn, id, Some(why)).await?;
        }
        return Ok(Outcome::Held(why));
    }
    let erasing = Erasing {
        id: due.user,
        email: due.email,
        name: due.name,
        now,
        retention_key: id,
        retain_until: now
            .checked_add_months(chrono::Months::new(12 * RETENTION_YEARS))
            .unwrap_or(DateTime::<Utc>::MAX_UTC),
    };
    for (_, key) in repo::stored_exports(&mut conn, erasing.id).await? {
        restricted::delete(state, &key).await?;
    }
    drop(conn);
    for holding in state.holdings {
        if let Some(let_go) = holding.let_go {
            let_go(state, &erasing).await?;
        }
    }

    let mut tx = state.db.begin().await?;
    if repo::lock_due_erasure(&mut tx, &state.vault, id, now)
        .await?
        .is_none()
    {
        return Ok(Outcome::Nothing);
    }
    // Something begun while the outside was let go (an order placed) waits for the next run.
    if let Some(why) = held(state, &mut tx, erasing.id).await? {
        drop(tx);
        let mut conn = state.db.acquire().await?;
        repo::hold_erasure(&mut conn, id, Some(why)).await?;
        return Ok(Outcome::Held(why));
    }
    for holding in state.holdings {
        (holding.erase)(state, &mut tx, &erasing).await?;
    }
    Vault::forget(&mut tx, erasing.id).await?;
    repo::mark_erased(&mut tx, id, now).await?;
    let entry = Entry::new(None, Action::PersonErased)
        .subject(erasing.id.0)
        .detail(serde_json::json!({ "request": id }));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(Outcome::Erased)
}

/// What must finish before `person` can be erased, if anything.
async fn held(
    state: &AppState,
    conn: &mut sqlx::PgConnection,
    person: UserId,
) -> Result<Option<&'static str>> {
    for holding in state.holdings {
        if let Some(hold) = holding.hold
            && let Some(why) = hold(&mut *conn, person).await?
        {
            return Ok(Some(why));
        }
    }
    Ok(None)
}

/// Delete the retention keys whose years are up; how many.
pub async fn forget_expired_retention(state: &AppState) -> Result<u64> {
    let mut conn = state.db.acquire().await?;
    Ok(Vault::forget_expired(&mut conn, state.clock.now()).await?)
}
