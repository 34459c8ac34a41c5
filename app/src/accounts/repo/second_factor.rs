//! Second factors: a person's authenticator app (its secret sealed with their data key), their
//! passkeys and their recovery codes (hashed).

use super::Result;
use crate::accounts::model::PasskeyInfo;
use crate::ids::{LoginId, PasskeyId, UserId};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

pub struct Authenticator {
    /// Sealed with the person's data key, in the context [`authenticator_context`].
    pub secret: Vec<u8>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// Where an authenticator secret is sealed: it opens only as this person's.
pub fn authenticator_context(user: UserId) -> String {
    format!("authenticator:{}", user.0)
}

pub async fn authenticator_of(
    conn: &mut PgConnection,
    user: UserId,
) -> Result<Option<Authenticator>> {
    sqlx::query_as!(
        Authenticator,
        "SELECT secret, confirmed_at FROM authenticators WHERE user_id = $1",
        user.0
    )
    .fetch_optional(conn)
    .await
}

/// Whether the person signs in in two steps: a confirmed authenticator app or a passkey.
pub async fn has_second_factor(conn: &mut PgConnection, user: UserId) -> Result<bool> {
    sqlx::query_scalar!(r#"SELECT has_second_factor($1) AS "on!""#, user.0)
        .fetch_one(conn)
        .await
}

/// A new secret waiting for its first code; replaces one not yet confirmed, never a
/// confirmed one (false then).
pub async fn begin_authenticator(
    conn: &mut PgConnection,
    user: UserId,
    sealed_secret: &[u8],
) -> Result<bool> {
    let done = sqlx::query!(
        "INSERT INTO authenticators (user_id, secret) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE
             SET secret = EXCLUDED.secret, last_step = 0, created_at = now()
             WHERE authenticators.confirmed_at IS NULL",
        user.0,
        sealed_secret
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Confirm a new authenticator without a code (the demo admin's, when seeding).
pub async fn confirm_authenticator(conn: &mut PgConnection, user: UserId) -> Result<()> {
    sqlx::query!(
        "UPDATE authenticators SET confirmed_at = now() WHERE user_id = $1 AND confirmed_at IS NULL",
        user.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Accept a code of `step`: only a step later than any accepted before, so a code is good
/// once. Confirms a new authenticator on the way. False when the step was used.
pub async fn accept_step(conn: &mut PgConnection, user: UserId, step: i64) -> Result<bool> {
    let done = sqlx::query!(
        "UPDATE authenticators
         SET last_step = $2, confirmed_at = coalesce(confirmed_at, now())
         WHERE user_id = $1 AND last_step < $2",
        user.0,
        step
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Forget the person's authenticator app; their recovery codes go with their last factor.
pub async fn remove_authenticator(conn: &mut PgConnection, user: UserId) -> Result<bool> {
    let done = sqlx::query!("DELETE FROM authenticators WHERE user_id = $1", user.0)
        .execute(&mut *conn)
        .await?;
    forget_recovery_codes_without_factor(conn, user).await?;
    Ok(done.rows_affected() == 1)
}

async fn forget_recovery_codes_without_factor(conn: &mut PgConnection, user: UserId) -> Result<()> {
    sqlx::query!(
        "DELETE FROM recovery_codes WHERE user_id = $1 AND NOT has_second_factor($1)",
        user.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A passkey as webauthn-rs keeps it (JSON), with its row.
pub struct StoredPasskey {
    pub id: PasskeyId,
    pub passkey: serde_json::Value,
}

/// The person's passkeys, oldest first, as their security page lists them.
pub async fn passkeys_of(conn: &mut PgConnection, user: UserId) -> Result<Vec<PasskeyInfo>> {
    sqlx::query_as!(
        PasskeyInfo,
        r#"SELECT passkey_id AS "id: PasskeyId", name, created_at, last_used_at
           FROM passkeys WHERE user_id = $1 ORDER BY created_at, passkey_id"#,
        user.0
    )
    .fetch_all(conn)
    .await
}

/// The person's passkeys as credentials, for a sign-in or a new one to leave out.
pub async fn stored_passkeys(conn: &mut PgConnection, user: UserId) -> Result<Vec<StoredPasskey>> {
    sqlx::query_as!(
        StoredPasskey,
        r#"SELECT passkey_id AS "id: PasskeyId", passkey
           FROM passkeys WHERE user_id = $1 ORDER BY created_at, passkey_id"#,
        user.0
    )
    .fetch_all(conn)
    .await
}

pub struct NewPasskey<'a> {
    pub user: UserId,
    pub credential_id: &'a [u8],
    pub name: &'a str,
    pub passkey: serde_json::Value,
}

/// False when this credential is registered already (to anyone).
pub async fn insert_passkey(conn: &mut PgConnection, new: NewPasskey<'_>) -> Result<bool> {
    let done = sqlx::query!(
        "INSERT INTO passkeys (passkey_id, user_id, credential_id, name, passkey)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (credential_id) DO NOTHING",
        uuid::Uuid::now_v7(),
        new.user.0,
        new.credential_id,
        new.name,
        new.passkey
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A passkey just signed: its new counter (or backup state), and when.
pub async fn passkey_used(
    conn: &mut PgConnection,
    id: PasskeyId,
    passkey: Option<serde_json::Value>,
) -> Result<()> {
    sqlx::query!(
        "UPDATE passkeys SET last_used_at = now(), passkey = coalesce($2, passkey)
         WHERE passkey_id = $1",
        id.0,
        passkey
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Remove one of the person's passkeys; false if it is not theirs.
pub async fn remove_passkey(conn: &mut PgConnection, user: UserId, id: PasskeyId) -> Result<bool> {
    let done = sqlx::query!(
        "DELETE FROM passkeys WHERE passkey_id = $1 AND user_id = $2",
        id.0,
        user.0
    )
    .execute(&mut *conn)
    .await?;
    forget_recovery_codes_without_factor(conn, user).await?;
    Ok(done.rows_affected() == 1)
}

/// The person's recovery codes become these (by hash); earlier ones stop working.
pub async fn replace_recovery_codes(
    conn: &mut PgConnection,
    user: UserId,
    hashes: &[Vec<u8>],
) -> Result<()> {
    sqlx::query!("DELETE FROM recovery_codes WHERE user_id = $1", user.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "INSERT INTO recovery_codes (user_id, code_hash) SELECT $1, unnest($2::bytea[])",
        user.0,
        hashes
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Spend a recovery code; false if it is not one of theirs or was used.
pub async fn use_recovery_code(conn: &mut PgConnection, user: UserId, hash: &[u8]) -> Result<bool> {
    let done = sqlx::query!(
        "UPDATE recovery_codes SET used_at = now()
         WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
        user.0,
        hash
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn recovery_codes_left(conn: &mut PgConnection, user: UserId) -> Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "left!" FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL"#,
        user.0
    )
    .fetch_one(conn)
    .await
}

/// This device just gave a second factor.
pub async fn mark_second_factor(conn: &mut PgConnection, login: LoginId) -> Result<()> {
    sqlx::query!(
        "UPDATE user_logins SET second_factor_at = now() WHERE login_id = $1",
        login.0
    )
    .execute(conn)
    .await?;
    Ok(())
}
