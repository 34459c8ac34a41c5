//! Passwords: change (signed in), and reset through an emailed single-use link.

use super::authz::Principal;
use super::model::{check_email, check_password};
use super::password;
use super::repo;
use super::service::{Entered, FieldErrors, sign_in_as};
use super::session::{AuthSession, RequestMeta};
use super::{TokenPurpose, emails};
use crate::audit::{self, Action, Entry};
use crate::error::AppError;
use crate::error::ServiceError;
use crate::notifications::email;
use crate::ratelimit;
use crate::state::AppState;
use crate::tokens;

type Result<T> = std::result::Result<T, ServiceError>;

pub struct ChangePassword {
    pub current: String,
    pub new: String,
}

/// Change (or, for accounts made through a provider, set) the password. Every other device is
/// signed out and the owner is told by email.
#[tracing::instrument(skip_all)]
pub async fn change_password(
    state: &AppState,
    session: &AuthSession,
    meta: &RequestMeta,
    principal: &Principal,
    form: ChangePassword,
) -> Result<()> {
    let user = principal.viewer.user_id;
    let mut fields = FieldErrors::default();
    fields.check("new", check_password(&form.new));
    fields.finish()?;
    let mut conn = state.db.acquire().await?;
    ratelimit::peek(
        &mut conn,
        ratelimit::SIGNIN_FAILURES_PER_ACCOUNT,
        &principal.viewer.email,
    )
    .await?;
    let credentials = repo::credentials_by_id(&mut conn, user).await?;
    if let Some(current) = credentials.password_hash
        && !password::verify(form.current, Some(current)).await?
    {
        ratelimit::record(
            &mut conn,
            ratelimit::SIGNIN_FAILURES_PER_ACCOUNT,
            &principal.viewer.email,
        )
        .await?;
        return Err(
            AppError::field("current", "That isn't your current password.")
                .with_status()
                .into(),
        );
    }
    drop(conn);
    let hash = password::hash(form.new).await?;
    let mut tx = state.db.begin().await?;
    repo::set_password(&mut tx, user, &hash).await?;
    repo::revoke_logins_except(&mut tx, user, Some(principal.login_id)).await?;
    audit::record(
        &mut tx,
        Entry::new(Some(user), Action::PasswordChanged).ip(meta.ip),
    )
    .await?;
    let message = emails::password_changed(
        &principal.viewer.email,
        &principal.viewer.display_name,
        &state.config.link("/reset-password"),
    );
    email::enqueue(&mut tx, &state.vault, user.into(), &message).await?;
    tx.commit().await?;
    session.rotate().await?;
    Ok(())
}

/// Email a reset link if the address has an account. The answer is the same either way.
#[tracing::instrument(skip_all)]
pub async fn request_password_reset(
    state: &AppState,
    meta: &RequestMeta,
    raw_email: &str,
) -> Result<String> {
    let mut fields = FieldErrors::default();
    let email = fields.check("email", check_email(raw_email));
    fields.finish()?;
    let Some(email) = email else {
        return Err(AppError::Internal.into());
    };
    let mut tx = state.db.begin().await?;
    ratelimit::hit(&mut tx, ratelimit::RESET_PER_IP, &meta.ip_key()).await?;
    ratelimit::hit(&mut tx, ratelimit::RESET_PER_ACCOUNT, &email).await?;
    if let Some(owner) = repo::user_by_email(&mut tx, &state.vault, &email).await? {
        let (token, token_hash) = tokens::issue();
        let ttl = state.config.reset_link_ttl;
        repo::insert_email_token(
            &mut tx,
            &token_hash,
            owner.user_id,
            TokenPurpose::ResetPassword,
            ttl,
        )
        .await?;
        let link = state.config.link(&format!("/reset-password?token={token}"));
        let message =
            emails::reset_password(&email, &owner.display_name, &link, ttl.as_secs() / 60);
        email::enqueue(&mut tx, &state.vault, owner.user_id.into(), &message).await?;
        let entry = Entry::new(Some(owner.user_id), Action::PasswordResetRequested).ip(meta.ip);
        audit::record(&mut tx, entry).await?;
    }
    // The counters count even when the address is unknown.
    tx.commit().await?;
    Ok(email)
}

pub async fn reset_link_is_usable(state: &AppState, token: &str) -> Result<bool> {
    let mut conn = state.db.acquire().await?;
    Ok(repo::email_token_is_usable(
        &mut conn,
        &tokens::digest(token),
        TokenPurpose::ResetPassword,
    )
    .await?)
}

/// Set a new password from an emailed link: single use, every device signed out, this browser
/// signed in (the link proved the address, too).
#[tracing::instrument(skip_all)]
pub async fn reset_password(
    state: &AppState,
    session: &AuthSession,
    meta: &RequestMeta,
    token: &str,
    new_password: String,
) -> Result<Entered> {
    let mut fields = FieldErrors::default();
    fields.check("password", check_password(&new_password));
    fields.finish()?;
    let digest = tokens::digest(token);
    let spent = || {
        AppError::invalid("This reset link has expired or was already used. Ask for a new one.")
            .with_status()
    };
    // Cheap checks first: hashing is the expensive part, so a guessed token never reaches it.
    let mut conn = state.db.acquire().await?;
    ratelimit::hit(&mut conn, ratelimit::RESET_CONFIRM_PER_IP, &meta.ip_key()).await?;
    if !repo::email_token_is_usable(&mut conn, &digest, TokenPurpose::ResetPassword).await? {
        return Err(spent().into());
    }
    drop(conn);
    let hash = password::hash(new_password).await?;
    let mut tx = state.db.begin().await?;
    let user = repo::consume_email_token(&mut tx, &digest, TokenPurpose::ResetPassword)
        .await?
        .ok_or_else(spent)?;
    repo::set_password(&mut tx, user, &hash).await?;
    repo::mark_email_verified(&mut tx, user).await?;
    repo::revoke_logins_except(&mut tx, user, None).await?;
    audit::record(
        &mut tx,
        Entry::new(Some(user), Action::PasswordReset).ip(meta.ip),
    )
    .await?;
    sign_in_as(tx, state, session, meta, user, "password reset").await
}
