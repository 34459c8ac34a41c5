//! When an account is past its failed-sign-in limit, its owner must still get in, and a
//! stranger guessing passwords must not lock them out. Past the limit, the right password is
//! taken only from a device the account signed in from before (it carries a device cookie);
//! anywhere else a one-time sign-in link goes to the account's address instead.

use super::repo;
use super::service::{Entered, sign_in_as};
use super::session::{AuthSession, RequestMeta, set_device_cookie};
use super::{TokenPurpose, emails};
use crate::error::AppError;
use crate::error::ServiceError;
use crate::ids::UserId;
use crate::notifications::email;
use crate::ratelimit;
use crate::state::AppState;
use crate::tokens;
use sqlx::PgConnection;
use std::time::Duration;

type Result<T> = std::result::Result<T, ServiceError>;

const LINK_TTL: Duration = Duration::from_secs(15 * 60);

/// What a locked account's sign-in form says, whether or not the address has an account.
pub const LOCKED: &str = "Too many wrong passwords were tried for this account, so from this \
                          device it now opens only with a one-time link. We've emailed one to \
                          the account's address (check your inbox), or sign in from a device \
                          you've used before.";

/// Whether this request comes from a device `user` signed in from before.
pub async fn from_known_device(
    conn: &mut PgConnection,
    meta: &RequestMeta,
    user: UserId,
) -> Result<bool> {
    Ok(match &meta.device {
        Some(device) => repo::device_known(conn, user, &tokens::digest(device)).await?,
        None => false,
    })
}

/// Mail a one-time sign-in link to a locked account's owner (a few per hour at most: past
/// that, the links already sent still work).
pub async fn send(
    conn: &mut PgConnection,
    state: &AppState,
    user: UserId,
    email_address: &str,
) -> Result<()> {
    if ratelimit::hit(conn, ratelimit::SIGNIN_LINKS_PER_ACCOUNT, email_address)
        .await
        .is_err()
    {
        return Ok(());
    }
    let (token, token_hash) = tokens::issue();
    repo::insert_email_token(conn, &token_hash, user, TokenPurpose::SignIn, LINK_TTL).await?;
    let name = repo::display_name_of(conn, &state.vault, user).await?;
    let link = state.config.link(&format!("/signin/link?token={token}"));
    let message = emails::sign_in_link(email_address, &name, &link, LINK_TTL.as_secs() / 60);
    email::enqueue(conn, &state.vault, user.into(), &message).await?;
    Ok(())
}

/// Follow the mailed link: single use; this browser is signed in and becomes a known device.
#[tracing::instrument(skip_all)]
pub async fn sign_in_with_link(
    state: &AppState,
    session: &AuthSession,
    meta: &RequestMeta,
    token: &str,
) -> Result<Entered> {
    let mut tx = state.db.begin().await?;
    let user = repo::consume_email_token(&mut tx, &tokens::digest(token), TokenPurpose::SignIn)
        .await?
        .ok_or_else(|| {
            AppError::invalid(
                "This sign-in link has expired or was already used. Sign in again to get a new one.",
            )
        })?;
    remember_device(&mut tx, state, meta, user).await?;
    sign_in_as(tx, state, session, meta, user, "emailed sign-in link").await
}

/// This browser signed in as `user`: remember it, giving it a device cookie if it has none.
pub async fn remember_device(
    conn: &mut PgConnection,
    state: &AppState,
    meta: &RequestMeta,
    user: UserId,
) -> Result<()> {
    let device = match &meta.device {
        Some(device) => device.clone(),
        None => {
            let (device, _) = tokens::issue();
            set_device_cookie(&device, !state.config.dev_mode);
            device
        }
    };
    repo::remember_device(conn, user, &tokens::digest(&device)).await?;
    Ok(())
}
