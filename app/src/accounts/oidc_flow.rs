//! Sign-in through an OpenID provider, as use cases: start, callback, link, unlink.
//!
//! Accounts are matched by (provider, subject). A new subject whose verified email belongs to
//! no account gets a new account. One whose email an account already uses joins nothing: a
//! provider's word about an address is not proof enough to enter someone's account (an
//! identity provider that lets people assert any address would hand over admins' accounts).
//! The person signs in to that account first and links the provider from the account page.

use super::authz::Principal;
use super::model::safe_next;
use super::oidc::{Identity, OidcError};
use super::repo;
use super::service::sign_in_as;
use super::session::{AuthSession, PendingOidc, RequestMeta};
use crate::audit::{self, Action, Entry};
use crate::error::AppError;
use crate::error::ServiceError;
use crate::ids::UserId;
use crate::state::AppState;

type Result<T> = std::result::Result<T, ServiceError>;

fn callback_url(state: &AppState, provider: &str) -> String {
    state
        .config
        .link(&format!("/auth/oidc/{provider}/callback"))
}

/// Begin a sign-in (or, with `link_to`, a linking) at the provider; returns where to send the
/// browser.
pub async fn start(
    state: &AppState,
    session: &AuthSession,
    provider: &str,
    next: Option<&str>,
    link_to: Option<UserId>,
) -> Result<String> {
    let started = state
        .oidc
        .start(provider, &callback_url(state, provider))
        .await
        .map_err(|e| match e {
            OidcError::UnknownProvider(_) => ServiceError::Refused(AppError::NotFound),
            other @ (OidcError::Discovery { .. }
            | OidcError::Config(_)
            | OidcError::StateMismatch
            | OidcError::Exchange(_)
            | OidcError::UnknownKey
            | OidcError::IdToken(_)) => other.into(),
        })?;
    session
        .set_pending_oidc(&PendingOidc {
            provider: provider.to_owned(),
            state: started.state,
            nonce: started.nonce,
            pkce_verifier: started.pkce_verifier,
            next: safe_next(next),
            link_to,
        })
        .await?;
    Ok(started.url)
}

/// The provider sent the browser back. Returns the path to continue at.
#[tracing::instrument(skip_all, fields(provider))]
pub async fn finish(
    state: &AppState,
    session: &AuthSession,
    meta: &RequestMeta,
    provider: &str,
    code: &str,
    returned_state: &str,
) -> Result<String> {
    // Taken, not read: a callback is answered once.
    let pending = session
        .take_pending_oidc()
        .await?
        .filter(|p| p.provider == provider)
        .ok_or(OidcError::StateMismatch)?;
    if !super::oidc::constant_time_eq(pending.state.as_bytes(), returned_state.as_bytes()) {
        return Err(OidcError::StateMismatch.into());
    }
    let identity = state
        .oidc
        .finish(
            provider,
            &callback_url(state, provider),
            code,
            &pending.pkce_verifier,
            &pending.nonce,
        )
        .await?;

    let mut tx = state.db.begin().await?;
    if let Some(user) = pending.link_to {
        link(&mut tx, &state.vault, meta, provider, &identity, user).await?;
        tx.commit().await?;
        session.rotate().await?;
        return Ok("/account?linked=1".to_owned());
    }
    let user = match repo::identity_owner(&mut tx, provider, &identity.subject).await? {
        Some(user) => user,
        None => match account_for_new_identity(&mut tx, &state.vault, meta, provider, &identity)
            .await?
        {
            Some(user) => user,
            None => return Ok(EXISTING_ACCOUNT_PAGE.to_owned()),
        },
    };
    let method = format!("{} (OpenID)", state.oidc.display_name(provider));
    let entered = sign_in_as(tx, state, session, meta, user, &method).await?;
    Ok(entered.destination(&pending.next))
}

async fn link(
    conn: &mut sqlx::PgConnection,
    vault: &crate::vault::Vault,
    meta: &RequestMeta,
    provider: &str,
    identity: &Identity,
    user: UserId,
) -> Result<()> {
    match repo::identity_owner(conn, provider, &identity.subject).await? {
        Some(owner) if owner == user => return Ok(()),
        Some(_) => {
            return Err(AppError::invalid(
                "That login already belongs to another Olivine account.",
            )
            .into());
        }
        None => {}
    }
    let email = identity
        .email
        .as_deref()
        .filter(|_| identity.email_verified);
    repo::link_identity(conn, vault, (provider, &identity.subject), user, email)
        .await
        .map_err(|e| {
            if let crate::vault::VaultError::Database(e) = &e
                && e.as_database_error()
                    .is_some_and(|d| d.is_unique_violation())
            {
                ServiceError::Refused(AppError::invalid(
                    "Your account already has a login from this provider. Unlink it first.",
                ))
            } else {
                e.into()
            }
        })?;
    let entry = Entry::new(Some(user), Action::LoginLinked)
        .ip(meta.ip)
        .detail(serde_json::json!({ "provider": provider }));
    audit::record(conn, entry).await?;
    Ok(())
}

/// Where a first provider sign-in goes when an account already uses its email address: the
/// sign-in page, which explains how to link the provider.
pub const EXISTING_ACCOUNT_PAGE: &str = "/signin?oidc=existing";

/// First sign-in with this provider account: a new account for its verified email, or `None`
/// when an account already uses that address (it is never joined from here).
async fn account_for_new_identity(
    conn: &mut sqlx::PgConnection,
    vault: &crate::vault::Vault,
    meta: &RequestMeta,
    provider: &str,
    identity: &Identity,
) -> Result<Option<UserId>> {
    let Some(email) = identity
        .email
        .as_deref()
        .filter(|_| identity.email_verified)
    else {
        return Err(AppError::invalid(
            "Your provider didn't share a verified email address, so we can't sign you in with \
             it. Sign up with your email address instead.",
        )
        .into());
    };
    let user = match repo::user_by_email(conn, vault, email).await? {
        Some(existing) => {
            let entry = Entry::new(None, Action::ProviderJoinRefused)
                .subject(existing.user_id.0)
                .ip(meta.ip)
                .detail(serde_json::json!({ "provider": provider }));
            audit::record(conn, entry).await?;
            return Ok(None);
        }
        None => {
            let user = UserId(uuid::Uuid::now_v7());
            let name = identity
                .name
                .as_deref()
                .and_then(|n| super::model::check_display_name(n).ok())
                .unwrap_or_else(|| {
                    email
                        .split('@')
                        .next()
                        .unwrap_or("Olivine shopper")
                        .to_owned()
                });
            repo::insert_user(conn, vault, user, email, &name, None, true).await?;
            audit::record(
                conn,
                Entry::new(Some(user), Action::SignUp)
                    .subject(user.0)
                    .ip(meta.ip),
            )
            .await?;
            user
        }
    };
    link(conn, vault, meta, provider, identity, user).await?;
    Ok(Some(user))
}

/// Remove a provider login, unless it is the account's only way in.
pub async fn unlink(
    state: &AppState,
    meta: &RequestMeta,
    principal: &Principal,
    provider: &str,
) -> Result<()> {
    let user = principal.viewer.user_id;
    let mut tx = state.db.begin().await?;
    let has_password = repo::credentials_by_id(&mut tx, user)
        .await?
        .password_hash
        .is_some();
    let others = repo::identities_of(&mut tx, &state.vault, user)
        .await?
        .into_iter()
        .filter(|i| i.provider != provider)
        .count();
    if !has_password && others == 0 {
        return Err(AppError::invalid(
            "This is your only way to sign in. Set a password first, then unlink it.",
        )
        .with_status()
        .into());
    }
    if !repo::unlink_identity(&mut tx, user, provider).await? {
        return Err(AppError::NotFound.with_status().into());
    }
    let entry = Entry::new(Some(user), Action::LoginUnlinked)
        .ip(meta.ip)
        .detail(serde_json::json!({ "provider": provider }));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}
