//! Sign-up, sign-in, passwords and signed-in devices. Each use case: validate → load → decide →
//! persist (one transaction, with its audit entry and outgoing email) → session.

use super::authz::Principal;
use super::model::{AccountOverview, LinkedLogin, check_display_name, check_email, check_password};
use super::oidc::OidcError;
use super::password::{self, HashError};
use super::repo::{self, NewLogin};
use super::session::{AuthSession, PendingSecondStep, RequestMeta};
use super::{TokenPurpose, emails, signin_link};
use crate::audit::{self, Action, Entry};
use crate::error::{AppError, FieldError, ServiceError, violates};
use crate::ids::{LoginId, UserId};
use crate::notifications::email;
use crate::ratelimit;
use crate::state::AppState;
use crate::tokens;
use crate::vault::VaultError;
use sqlx::PgConnection;
use std::time::Duration;

/// A failed OpenID exchange is the provider's or the network's, not the person's: it is logged,
/// and the person is told to try again or use their password.
impl From<OidcError> for ServiceError {
    fn from(error: OidcError) -> Self {
        tracing::warn!(%error, "OpenID sign-in failed");
        AppError::invalid(
            "Signing in with that provider didn't work. Please try again, or use your email and \
             password.",
        )
        .into()
    }
}

impl From<HashError> for ServiceError {
    fn from(error: HashError) -> Self {
        ServiceError::Internal("password hashing", Box::new(error))
    }
}

type Result<T> = std::result::Result<T, ServiceError>;

const VERIFY_LINK_TTL: Duration = Duration::from_secs(24 * 60 * 60);
const WRONG_CREDENTIALS: &str = "That email and password don't match an account.";

/// Collect every field problem of a form at once, so a person fixes them in one pass.
#[derive(Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn check<T>(&mut self, field: &str, result: std::result::Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.0.push(FieldError {
                    field: field.to_owned(),
                    message,
                });
                None
            }
        }
    }

    pub fn finish(self) -> std::result::Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Unprocessable {
                message: "Please check the highlighted fields.".to_owned(),
                fields: self.0,
            }
            .with_status())
        }
    }
}

pub struct SignUp {
    pub email: String,
    pub display_name: String,
    pub password: String,
}

/// Create an unverified account and email a confirmation link. An address that already has an
/// account gets a different email, and the person at the form sees the same answer either way:
/// nothing on the page says whether an address is registered.
#[tracing::instrument(skip_all)]
pub async fn sign_up(state: &AppState, meta: &RequestMeta, form: SignUp) -> Result<String> {
    let mut fields = FieldErrors::default();
    let email = fields.check("email", check_email(&form.email));
    let name = fields.check("display_name", check_display_name(&form.display_name));
    fields.check("password", check_password(&form.password));
    fields.finish()?;
    let (Some(email), Some(name)) = (email, name) else {
        return Err(AppError::Internal.into());
    };

    let mut conn = state.db.acquire().await?;
    ratelimit::hit(&mut conn, ratelimit::SIGNUP_PER_IP, &meta.ip_key()).await?;
    ratelimit::hit(&mut conn, ratelimit::SIGNUP_PER_ACCOUNT, &email).await?;
    drop(conn);

    let hash = password::hash(form.password).await?;
    let user = UserId(uuid::Uuid::now_v7());
    let mut tx = state.db.begin().await?;
    match repo::insert_user(
        &mut tx,
        &state.vault,
        user,
        &email,
        &name,
        Some(&hash),
        false,
    )
    .await
    {
        Ok(()) => {
            send_verification(&mut tx, state, user, &email, &name).await?;
            audit::record(
                &mut tx,
                Entry::new(Some(user), Action::SignUp)
                    .subject(user.0)
                    .ip(meta.ip),
            )
            .await?;
        }
        Err(VaultError::Database(error)) if violates(&error, repo::USERS_EMAIL_UNIQUE) => {
            // The failed INSERT aborted the transaction; tell the owner on a fresh one.
            tx.rollback().await?;
            tx = state.db.begin().await?;
            if let Some(owner) = repo::user_by_email(&mut tx, &state.vault, &email).await? {
                let message = emails::already_registered(
                    &repo::email_of(&mut tx, &state.vault, owner.user_id).await?,
                    &owner.display_name,
                    &state.config.link("/signin"),
                    &state.config.link("/reset-password"),
                );
                email::enqueue(&mut tx, &state.vault, owner.user_id.into(), &message).await?;
            }
        }
        Err(error) => return Err(error.into()),
    }
    tx.commit().await?;
    Ok(email)
}

/// Issue a single-use confirmation link and queue its email, on the caller's transaction.
async fn send_verification(
    conn: &mut PgConnection,
    state: &AppState,
    user: UserId,
    email: &str,
    name: &str,
) -> Result<()> {
    let (token, token_hash) = tokens::issue();
    repo::insert_email_token(
        conn,
        &token_hash,
        user,
        TokenPurpose::VerifyEmail,
        VERIFY_LINK_TTL,
    )
    .await?;
    let link = state.config.link(&format!("/verify-email?token={token}"));
    let message = emails::verify_address(email, name, &link);
    email::enqueue(conn, &state.vault, user.into(), &message).await?;
    Ok(())
}

/// Follow the emailed link: the address is proven and this browser is signed in.
#[tracing::instrument(skip_all)]
pub async fn verify_email(
    state: &AppState,
    session: &AuthSession,
    meta: &RequestMeta,
    token: &str,
) -> Result<Entered> {
    let mut tx = state.db.begin().await?;
    let user = repo::consume_email_token(
        &mut tx,
        &tokens::digest(token),
        TokenPurpose::VerifyEmail,
    )
    .await?
    .ok_or_else(|| {
        AppError::invalid(
            "This confirmation link has expired or was already used. Sign in to get a new one.",
        )
    })?;
    repo::mark_email_verified(&mut tx, user).await?;
    sign_in_as(tx, state, session, meta, user, "email link").await
}

pub struct SignIn {
    pub email: String,
    pub password: String,
}

#[tracing::instrument(skip_all)]
pub async fn sign_in(
    state: &AppState,
    session: &AuthSession,
    meta: &RequestMeta,
    form: SignIn,
) -> Result<Entered> {
    let email = form.email.trim().to_owned();
    let mut conn = state.db.acquire().await?;
    ratelimit::hit(&mut conn, ratelimit::SIGNIN_PER_IP, &meta.ip_key()).await?;
    let credentials = repo::credentials_by_email(&mut conn, &state.vault, &email).await?;
    let (user, hash, verified) = match credentials {
        Some(c) => (Some(c.user_id), c.password_hash, c.verified),
        None => (None, None, false),
    };
    // Past the account's failure limit a password counts only from a device it knows; from
    // anywhere else the owner gets a mailed one-time link, and the guesser nothing.
    let locked =
        ratelimit::is_full(&mut conn, ratelimit::SIGNIN_FAILURES_PER_ACCOUNT, &email).await?;
    if locked {
        let known = match user {
            Some(user) => signin_link::from_known_device(&mut conn, meta, user).await?,
            None => false,
        };
        if !known {
            if let (Some(user), true) = (user, verified) {
                signin_link::send(&mut conn, state, user, &email).await?;
            }
            return Err(AppError::invalid(signin_link::LOCKED).with_status().into());
        }
    }
    // verify() spends the same effort when there is no account or no password.
    let matches = password::verify(form.password, hash).await?;
    let (Some(user), true) = (user, matches) else {
        ratelimit::record(&mut conn, ratelimit::SIGNIN_FAILURES_PER_ACCOUNT, &email).await?;
        // An account's failures name the account; for an address no account has, only its
        // domain is kept (the trail can't be changed, so it holds no address of anyone's).
        let mut entry = Entry::new(user, Action::SignInFailed).ip(meta.ip);
        if user.is_none() {
            let domain = email.rsplit_once('@').map_or("", |(_, domain)| domain);
            entry = entry.detail(serde_json::json!({ "unknown_account_at": domain }));
        }
        audit::record(&mut conn, entry).await?;
        return Err(AppError::invalid(WRONG_CREDENTIALS).with_status().into());
    };
    drop(conn);

    let mut tx = state.db.begin().await?;
    if !verified {
        // Only someone who knows the password learns the address is unconfirmed.
        let name = repo::display_name_of(&mut tx, &state.vault, user).await?;
        send_verification(&mut tx, state, user, &email, &name).await?;
        tx.commit().await?;
        return Err(AppError::invalid(
            "Please confirm your email address first: we've sent you a new link.",
        )
        .with_status()
        .into());
    }
    ratelimit::clear(&mut tx, ratelimit::SIGNIN_FAILURES_PER_ACCOUNT, &email).await?;
    signin_link::remember_device(&mut tx, state, meta, user).await?;
    sign_in_as(tx, state, session, meta, user, "password").await
}

/// The page of a sign-in's second step.
pub const SECOND_STEP_PAGE: &str = "/signin/second-factor";

/// Where a sign-in stands after its first step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub enum Entered {
    SignedIn,
    /// The person has two-step sign-in: a code is asked for next.
    SecondStep,
}

impl Entered {
    /// Where the browser goes next: `next`, or the second step on its way there.
    pub fn destination(self, next: &str) -> String {
        match self {
            Entered::SignedIn => next.to_owned(),
            Entered::SecondStep => {
                format!("{SECOND_STEP_PAGE}?next={}", crate::ui::urlencode(next))
            }
        }
    }
}

/// Finish a first step that proved `user` (a password, a provider, an emailed link),
/// committing `tx`: signed in now, or, for a person with two-step sign-in, asked for a code
/// next (nothing is signed in until it is given).
pub async fn sign_in_as(
    mut tx: sqlx::Transaction<'static, sqlx::Postgres>,
    state: &AppState,
    session: &AuthSession,
    meta: &RequestMeta,
    user: UserId,
    method: &str,
) -> Result<Entered> {
    if repo::has_second_factor(&mut tx, user).await? {
        tx.commit().await?;
        let pending = PendingSecondStep {
            user,
            method: method.to_owned(),
            started_at: chrono::Utc::now(),
        };
        session.set_pending_second_step(&pending).await?;
        return Ok(Entered::SecondStep);
    }
    let login = start_login(&mut tx, state, meta, user, method, false).await?;
    tx.commit().await?;
    enter(state, session, login, user).await?;
    Ok(Entered::SignedIn)
}

/// Sign this browser in (after the login row is committed) and run the after-sign-in steps.
/// The person is signed in whether or not a step works; a failed one is logged.
pub async fn enter(
    state: &AppState,
    session: &AuthSession,
    login: LoginId,
    user: UserId,
) -> Result<()> {
    session.begin_login(login).await?;
    for step in state.after_sign_in.iter() {
        if let Err(error) = (step.run)(state, session, user).await {
            tracing::error!(step = step.name, error = %crate::error::error_chain(&error), "after-sign-in step failed");
        }
    }
    Ok(())
}

/// Record a new signed-in device (with its audit entry) on the caller's transaction.
pub async fn start_login(
    conn: &mut PgConnection,
    state: &AppState,
    meta: &RequestMeta,
    user: UserId,
    method: &str,
    second_factor: bool,
) -> Result<LoginId> {
    let login_id = LoginId(uuid::Uuid::now_v7());
    repo::insert_login(
        conn,
        NewLogin {
            login_id,
            user_id: user,
            method,
            user_agent: &meta.user_agent,
            ip: meta.ip,
            lifetime: state.config.login_absolute,
            second_factor,
        },
    )
    .await?;
    let entry = Entry::new(Some(user), Action::SignIn)
        .subject(login_id.0)
        .ip(meta.ip)
        .detail(serde_json::json!({ "method": method, "second_factor": second_factor }));
    audit::record(conn, entry).await?;
    Ok(login_id)
}

pub async fn sign_out(
    state: &AppState,
    session: &AuthSession,
    meta: &RequestMeta,
    principal: &Principal,
) -> Result<()> {
    let user = principal.viewer.user_id;
    let mut tx = state.db.begin().await?;
    repo::revoke_login(&mut tx, user, principal.login_id).await?;
    audit::record(&mut tx, Entry::new(Some(user), Action::SignOut).ip(meta.ip)).await?;
    tx.commit().await?;
    session.end_login().await?;
    Ok(())
}

/// Sign out every other device; this one stays signed in.
pub async fn sign_out_elsewhere(
    state: &AppState,
    meta: &RequestMeta,
    principal: &Principal,
) -> Result<u64> {
    let user = principal.viewer.user_id;
    let mut tx = state.db.begin().await?;
    let count = repo::revoke_logins_except(&mut tx, user, Some(principal.login_id)).await?;
    let entry = Entry::new(Some(user), Action::SessionsRevoked)
        .ip(meta.ip)
        .detail(serde_json::json!({ "count": count }));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(count)
}

pub async fn sign_out_device(
    state: &AppState,
    meta: &RequestMeta,
    principal: &Principal,
    login: LoginId,
) -> Result<()> {
    let user = principal.viewer.user_id;
    let mut tx = state.db.begin().await?;
    if !repo::revoke_login(&mut tx, user, login).await? {
        return Err(AppError::NotFound.with_status().into());
    }
    let entry = Entry::new(Some(user), Action::SessionsRevoked)
        .subject(login.0)
        .ip(meta.ip)
        .detail(serde_json::json!({ "count": 1 }));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn update_profile(
    state: &AppState,
    meta: &RequestMeta,
    principal: &Principal,
    display_name: &str,
) -> Result<()> {
    let mut fields = FieldErrors::default();
    let name = fields.check("display_name", check_display_name(display_name));
    fields.finish()?;
    let Some(name) = name else {
        return Err(AppError::Internal.into());
    };
    let user = principal.viewer.user_id;
    let mut tx = state.db.begin().await?;
    repo::set_display_name(&mut tx, &state.vault, user, &name).await?;
    audit::record(
        &mut tx,
        Entry::new(Some(user), Action::ProfileUpdated).ip(meta.ip),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn account_overview(state: &AppState, principal: &Principal) -> Result<AccountOverview> {
    let user = principal.viewer.user_id;
    let mut conn = state.db.acquire().await?;
    let credentials = repo::credentials_by_id(&mut conn, user).await?;
    let linked = repo::identities_of(&mut conn, &state.vault, user)
        .await?
        .into_iter()
        .map(|i| LinkedLogin {
            provider_name: state.oidc.display_name(&i.provider),
            provider: i.provider,
            email: i.email,
            linked_at: i.linked_at,
        })
        .collect();
    let sessions =
        repo::active_logins(&mut conn, user, principal.login_id, state.config.login_idle).await?;
    Ok(AccountOverview {
        viewer: principal.viewer.clone(),
        has_password: credentials.password_hash.is_some(),
        linked,
        providers: state.oidc.providers(),
        sessions,
    })
}
