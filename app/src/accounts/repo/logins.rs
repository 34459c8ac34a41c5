//! How people are signed in: signed-in devices and linked OpenID identities.

use super::Result;
use crate::accounts::model::{ActiveSession, Role, Viewer};
use crate::ids::{LoginId, UserId};
use crate::vault::{Sealed, Vault, VaultError};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use std::net::IpAddr;
use std::time::Duration;

pub struct NewLogin<'a> {
    pub login_id: LoginId,
    pub user_id: UserId,
    pub method: &'a str,
    pub user_agent: &'a str,
    pub ip: Option<IpAddr>,
    pub lifetime: Duration,
    /// Whether a second factor was given at this sign-in.
    pub second_factor: bool,
}

pub async fn insert_login(conn: &mut PgConnection, login: NewLogin<'_>) -> Result<()> {
    sqlx::query!(
        "INSERT INTO user_logins
             (login_id, user_id, method, user_agent, ip, expires_at, second_factor_at)
         VALUES ($1, $2, $3, $4, $5::text::inet, now() + $6::float8 * interval '1 second',
                 CASE WHEN $7 THEN now() END)",
        login.login_id.0,
        login.user_id.0,
        login.method,
        login.user_agent,
        login.ip.map(|ip| ip.to_string()),
        login.lifetime.as_secs_f64(),
        login.second_factor,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub struct LiveLogin {
    pub viewer: Viewer,
    pub last_seen_at: DateTime<Utc>,
    /// When this device last gave a second factor.
    pub second_factor_at: Option<DateTime<Utc>>,
    /// Whether the person has an authenticator (and so a second factor to give).
    pub two_step: bool,
}

/// The person behind a login, if the login is neither revoked, expired, nor idle too long.
pub async fn live_login(
    conn: &mut PgConnection,
    vault: &Vault,
    login: LoginId,
    idle: Duration,
) -> std::result::Result<Option<LiveLogin>, VaultError> {
    let row = sqlx::query!(
        r#"SELECT u.user_id AS "user_id: UserId", person_email(u.user_id) AS "email!: Sealed",
                  person_name(u.user_id) AS "name!: Sealed",
                  l.last_seen_at, l.second_factor_at,
                  has_second_factor(u.user_id) AS "two_step!",
                  ARRAY(SELECT r.role FROM user_roles r WHERE r.user_id = u.user_id ORDER BY r.role)
                      AS "roles!: Vec<Role>"
           FROM user_logins l JOIN users u USING (user_id)
           WHERE l.login_id = $1 AND l.revoked_at IS NULL AND l.expires_at > now()
             AND l.last_seen_at > now() - $2::float8 * interval '1 second'"#,
        login.0,
        idle.as_secs_f64(),
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let memberships = super::memberships_of(conn, row.user_id).await?;
    Ok(Some(LiveLogin {
        viewer: Viewer {
            user_id: row.user_id,
            email: super::reveal_email(vault, &row.email)?,
            display_name: super::reveal_name(vault, &row.name)?,
            roles: row.roles,
            memberships,
        },
        last_seen_at: row.last_seen_at,
        second_factor_at: row.second_factor_at,
        two_step: row.two_step,
    }))
}

pub async fn touch_login(conn: &mut PgConnection, login: LoginId) -> Result<()> {
    sqlx::query!(
        "UPDATE user_logins SET last_seen_at = now() WHERE login_id = $1",
        login.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Revoke one of the user's logins; false if it was not theirs or already gone.
pub async fn revoke_login(conn: &mut PgConnection, user: UserId, login: LoginId) -> Result<bool> {
    let done = sqlx::query!(
        "UPDATE user_logins SET revoked_at = now()
         WHERE login_id = $1 AND user_id = $2 AND revoked_at IS NULL",
        login.0,
        user.0
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Revoke every login of the user except `keep`; returns how many were signed out.
pub async fn revoke_logins_except(
    conn: &mut PgConnection,
    user: UserId,
    keep: Option<LoginId>,
) -> Result<u64> {
    let done = sqlx::query!(
        "UPDATE user_logins SET revoked_at = now()
         WHERE user_id = $1 AND revoked_at IS NULL AND login_id IS DISTINCT FROM $2",
        user.0,
        keep.map(|l| l.0),
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

pub async fn active_logins(
    conn: &mut PgConnection,
    user: UserId,
    current: LoginId,
    idle: Duration,
) -> Result<Vec<ActiveSession>> {
    sqlx::query_as!(
        ActiveSession,
        r#"SELECT login_id AS "login_id: LoginId", method, user_agent, host(ip) AS ip,
                  created_at, last_seen_at, login_id = $2 AS "current!"
           FROM user_logins
           WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()
             AND last_seen_at > now() - $3::float8 * interval '1 second'
           ORDER BY login_id = $2 DESC, last_seen_at DESC"#,
        user.0,
        current.0,
        idle.as_secs_f64(),
    )
    .fetch_all(conn)
    .await
}

pub async fn identity_owner(
    conn: &mut PgConnection,
    provider: &str,
    subject: &str,
) -> Result<Option<UserId>> {
    sqlx::query_scalar!(
        r#"SELECT user_id AS "user_id: UserId" FROM oidc_identities
           WHERE provider = $1 AND subject = $2"#,
        provider,
        subject
    )
    .fetch_optional(conn)
    .await
}

/// The context a provider's address for an account is sealed in.
fn identity_context(provider: &str, subject: &str) -> String {
    format!("oidc:{provider}:{subject}:email")
}

/// The address a provider gave, as a query read it (`sealed_by(user_id, email_sealed)`),
/// opened; `None` when it gave none.
pub fn reveal_provider_email(
    vault: &Vault,
    (provider, subject): (&str, &str),
    sealed: &Sealed,
) -> std::result::Result<Option<String>, VaultError> {
    vault.reveal_text(&identity_context(provider, subject), sealed)
}

/// Link a provider's account (`provider`, `subject`) to `user`, with the address it gave
/// sealed with the user's key.
pub async fn link_identity(
    conn: &mut PgConnection,
    vault: &Vault,
    (provider, subject): (&str, &str),
    user: UserId,
    email: Option<&str>,
) -> std::result::Result<(), VaultError> {
    let sealed = match email {
        Some(email) => Some(
            vault
                .seal(
                    &mut *conn,
                    user,
                    &identity_context(provider, subject),
                    email.as_bytes(),
                )
                .await?,
        ),
        None => None,
    };
    sqlx::query!(
        "INSERT INTO oidc_identities (provider, subject, user_id, email_sealed)
         VALUES ($1, $2, $3, $4)",
        provider,
        subject,
        user.0,
        sealed,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Seal the providers' addresses an older version kept in the clear; how many.
pub async fn seal_clear_provider_emails(
    conn: &mut PgConnection,
    vault: &Vault,
) -> std::result::Result<u64, VaultError> {
    crate::vault::seal_clear_rows(
        conn,
        vault,
        |conn| {
            Box::pin(async move {
                Ok(sqlx::query!(
                    r#"SELECT provider, subject, user_id AS "user: UserId", email::text AS "email!"
                         FROM oidc_identities WHERE email IS NOT NULL
                        ORDER BY provider, subject LIMIT 200"#
                )
                .fetch_all(conn)
                .await?)
            })
        },
        |tx, vault, row| {
            Box::pin(async move {
                let context = identity_context(&row.provider, &row.subject);
                let sealed = vault
                    .seal(&mut *tx, row.user, &context, row.email.as_bytes())
                    .await?;
                sqlx::query!(
                    "UPDATE oidc_identities SET email_sealed = $3, email = NULL
                      WHERE provider = $1 AND subject = $2",
                    row.provider,
                    row.subject,
                    sealed
                )
                .execute(tx)
                .await?;
                Ok(())
            })
        },
    )
    .await
}

pub async fn unlink_identity(
    conn: &mut PgConnection,
    user: UserId,
    provider: &str,
) -> Result<bool> {
    let done = sqlx::query!(
        "DELETE FROM oidc_identities WHERE user_id = $1 AND provider = $2",
        user.0,
        provider
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub struct Identity {
    pub provider: String,
    pub email: Option<String>,
    pub linked_at: DateTime<Utc>,
}

pub async fn identities_of(
    conn: &mut PgConnection,
    vault: &Vault,
    user: UserId,
) -> std::result::Result<Vec<Identity>, VaultError> {
    let rows = sqlx::query!(
        r#"SELECT provider, subject, sealed_by(user_id, email_sealed) AS "email!: Sealed",
                  linked_at
             FROM oidc_identities WHERE user_id = $1 ORDER BY provider"#,
        user.0
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            let email = reveal_provider_email(vault, (&r.provider, &r.subject), &r.email)?;
            Ok(Identity {
                provider: r.provider,
                email,
                linked_at: r.linked_at,
            })
        })
        .collect()
}

/// Whether this account has signed in from the device whose cookie hashes to `device`.
pub async fn device_known(conn: &mut PgConnection, user: UserId, device: &[u8]) -> Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM known_devices WHERE user_id = $1 AND device_hash = $2)
           AS "known!""#,
        user.0,
        device
    )
    .fetch_one(conn)
    .await
}

/// Remember (or refresh) a device the account just signed in from.
pub async fn remember_device(conn: &mut PgConnection, user: UserId, device: &[u8]) -> Result<()> {
    sqlx::query!(
        "INSERT INTO known_devices (user_id, device_hash) VALUES ($1, $2)
         ON CONFLICT (user_id, device_hash) DO UPDATE SET last_seen_at = now()",
        user.0,
        device
    )
    .execute(conn)
    .await?;
    Ok(())
}
