//! Two-step sign-in: an authenticator app and recovery codes. A person with it gives a code
//! after their first step (password, provider or emailed link), and again before sensitive
//! actions when the last one on that device is older than the step-up window. Admins must
//! have it.

use super::authz::Principal;
use super::model::{AuthenticatorSetup, TwoStepStatus};
use super::repo;
use super::service::{enter, start_login};
use super::session::{AuthSession, RequestMeta};
use super::totp;
use crate::audit::{self, Action, Entry};
use crate::error::{AppError, ServiceError};
use crate::ids::UserId;
use crate::ratelimit::{self, SECOND_FACTOR_FAILURES_PER_ACCOUNT as FAILURES};
use crate::state::AppState;
use sqlx::PgConnection;

type Result<T> = std::result::Result<T, ServiceError>;

/// How long the second step of a sign-in waits for its code (or passkey).
pub(super) const SECOND_STEP_TTL: chrono::Duration = chrono::Duration::minutes(10);

const WRONG_CODE: &str = "That code didn't work. Use the newest code from your authenticator \
                          app (check the time on your phone), or one of your recovery codes.";

fn vault_failed(error: crate::vault::VaultError) -> ServiceError {
    ServiceError::Internal("authenticator secret", Box::new(error))
}

/// The authenticator's secret, opened; `None` without one (or once the person's key is gone).
async fn secret_of(
    conn: &mut PgConnection,
    state: &AppState,
    user: UserId,
    confirmed: bool,
) -> Result<Option<Vec<u8>>> {
    let Some(authenticator) = repo::authenticator_of(conn, user).await? else {
        return Ok(None);
    };
    if authenticator.confirmed_at.is_some() != confirmed {
        return Ok(None);
    }
    let context = repo::authenticator_context(user);
    state
        .vault
        .open(conn, user, &context, &authenticator.secret)
        .await
        .map_err(vault_failed)
}

fn now_unix() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0)
}

/// Check a code from `user`'s app (its step later than any used) or one of their recovery
/// codes (spent). A wrong one is counted and audited; past the limit every code is refused
/// until the window ends. On the caller's plain connection, so a failure's count survives the
/// refusal.
async fn check_code(
    conn: &mut PgConnection,
    state: &AppState,
    meta: &RequestMeta,
    user: UserId,
    code: &str,
) -> Result<()> {
    let subject = user.0.to_string();
    ratelimit::peek(conn, FAILURES, &subject).await?;
    let accepted = if totp::looks_like_app_code(code) {
        match secret_of(conn, state, user, true).await? {
            Some(secret) => match totp::matching_step(&secret, &totp::app_code(code), now_unix()) {
                Some(step) => repo::accept_step(conn, user, step).await?,
                None => false,
            },
            None => false,
        }
    } else {
        let spent = repo::use_recovery_code(conn, user, &totp::recovery_code_hash(code)).await?;
        if spent {
            let left = repo::recovery_codes_left(conn, user).await?;
            let entry = Entry::new(Some(user), Action::RecoveryCodeUsed)
                .ip(meta.ip)
                .detail(serde_json::json!({ "left": left }));
            audit::record(conn, entry).await?;
        }
        spent
    };
    if !accepted {
        ratelimit::record(conn, FAILURES, &subject).await?;
        let entry = Entry::new(Some(user), Action::SecondFactorFailed).ip(meta.ip);
        audit::record(conn, entry).await?;
        return Err(AppError::field("code", WRONG_CODE).with_status().into());
    }
    ratelimit::clear(conn, FAILURES, &subject).await?;
    Ok(())
}

/// The second step of a sign-in: with the right code this browser is signed in.
#[tracing::instrument(skip_all)]
pub async fn complete_sign_in(
    state: &AppState,
    session: &AuthSession,
    meta: &RequestMeta,
    code: &str,
) -> Result<()> {
    let pending = session
        .pending_second_step()
        .await?
        .filter(|p| chrono::Utc::now() - p.started_at < SECOND_STEP_TTL)
        .ok_or_else(|| {
            AppError::invalid("This sign-in has timed out. Please sign in again.").with_status()
        })?;
    let user = pending.user;
    let mut conn = state.db.acquire().await?;
    check_code(&mut conn, state, meta, user, code).await?;
    drop(conn);
    let mut tx = state.db.begin().await?;
    let login = start_login(&mut tx, state, meta, user, &pending.method, true).await?;
    tx.commit().await?;
    enter(state, session, login, user).await?;
    Ok(())
}

/// A code given again on a signed-in device, before a sensitive action.
pub async fn confirm(
    state: &AppState,
    meta: &RequestMeta,
    principal: &Principal,
    code: &str,
) -> Result<()> {
    let user = principal.viewer.user_id;
    let mut conn = state.db.acquire().await?;
    check_code(&mut conn, state, meta, user, code).await?;
    let mut tx = state.db.begin().await?;
    repo::mark_second_factor(&mut tx, principal.login_id).await?;
    let entry = Entry::new(Some(user), Action::SecondFactorConfirmed).ip(meta.ip);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn status(state: &AppState, principal: &Principal) -> Result<TwoStepStatus> {
    let user = principal.viewer.user_id;
    let mut conn = state.db.acquire().await?;
    let on_since = repo::authenticator_of(&mut conn, user)
        .await?
        .and_then(|a| a.confirmed_at);
    let passkeys = repo::passkeys_of(&mut conn, user).await?;
    let recovery_codes_left = repo::recovery_codes_left(&mut conn, user).await?;
    Ok(TwoStepStatus {
        on_since,
        passkeys,
        recovery_codes_left,
        required: principal.viewer.is_admin(),
    })
}

/// A new secret for the person's app, waiting for its first code; one started before and not
/// confirmed is replaced.
pub async fn start_authenticator(
    state: &AppState,
    principal: &Principal,
) -> Result<AuthenticatorSetup> {
    let user = principal.viewer.user_id;
    let secret = totp::new_secret();
    let uri = totp::otpauth_uri(&secret, &principal.viewer.email);
    let qr_svg = totp::qr_svg(&uri).ok_or_else(|| {
        ServiceError::Internal("QR code", "the address does not fit a QR code".into())
    })?;
    let mut tx = state.db.begin().await?;
    let context = repo::authenticator_context(user);
    let sealed = state
        .vault
        .seal(&mut tx, user, &context, &secret)
        .await
        .map_err(vault_failed)?;
    if !repo::begin_authenticator(&mut tx, user, &sealed).await? {
        return Err(AppError::invalid("Two-step sign-in is already on.").into());
    }
    tx.commit().await?;
    Ok(AuthenticatorSetup {
        secret: totp::base32(&secret),
        qr_svg,
    })
}

/// The first code from the new app turns two-step sign-in on; this device counts as having
/// given it. Returns the ten recovery codes, shown once.
pub async fn confirm_authenticator(
    state: &AppState,
    meta: &RequestMeta,
    principal: &Principal,
    code: &str,
) -> Result<Vec<String>> {
    let user = principal.viewer.user_id;
    let subject = user.0.to_string();
    let mut conn = state.db.acquire().await?;
    ratelimit::peek(&mut conn, FAILURES, &subject).await?;
    let Some(secret) = secret_of(&mut conn, state, user, false).await? else {
        return Err(AppError::invalid(
            "There's no authenticator waiting to be confirmed. Start again.",
        )
        .into());
    };
    let Some(step) = totp::matching_step(&secret, &totp::app_code(code), now_unix()) else {
        ratelimit::record(&mut conn, FAILURES, &subject).await?;
        return Err(AppError::field("code", WRONG_CODE).with_status().into());
    };
    drop(conn);
    let codes = totp::new_recovery_codes();
    let hashes: Vec<Vec<u8>> = codes.iter().map(|c| totp::recovery_code_hash(c)).collect();
    let mut tx = state.db.begin().await?;
    if !repo::accept_step(&mut tx, user, step).await? {
        return Err(AppError::field("code", WRONG_CODE).with_status().into());
    }
    repo::replace_recovery_codes(&mut tx, user, &hashes).await?;
    repo::mark_second_factor(&mut tx, principal.login_id).await?;
    ratelimit::clear(&mut tx, FAILURES, &subject).await?;
    audit::record(
        &mut tx,
        Entry::new(Some(user), Action::AuthenticatorAdded).ip(meta.ip),
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Ten new recovery codes; the earlier ones stop working.
pub async fn renew_recovery_codes(
    state: &AppState,
    meta: &RequestMeta,
    principal: &Principal,
) -> Result<Vec<String>> {
    let user = principal.viewer.user_id;
    if !principal.two_step {
        return Err(AppError::invalid("Turn on two-step sign-in first.").into());
    }
    let codes = totp::new_recovery_codes();
    let hashes: Vec<Vec<u8>> = codes.iter().map(|c| totp::recovery_code_hash(c)).collect();
    let mut tx = state.db.begin().await?;
    repo::replace_recovery_codes(&mut tx, user, &hashes).await?;
    audit::record(
        &mut tx,
        Entry::new(Some(user), Action::RecoveryCodesRenewed).ip(meta.ip),
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Forget the authenticator app (and, without a passkey either, the recovery codes). An admin
/// keeps at least one second factor.
pub async fn turn_off(state: &AppState, meta: &RequestMeta, principal: &Principal) -> Result<()> {
    let user = principal.viewer.user_id;
    let mut tx = state.db.begin().await?;
    let removed = repo::remove_authenticator(&mut tx, user).await?;
    if principal.viewer.is_admin() && !repo::has_second_factor(&mut tx, user).await? {
        return Err(AppError::invalid(
            "Admins keep two-step sign-in: the back office needs it. Add a passkey first to \
             stop using the app.",
        )
        .into());
    }
    if removed {
        audit::record(
            &mut tx,
            Entry::new(Some(user), Action::AuthenticatorRemoved).ip(meta.ip),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
