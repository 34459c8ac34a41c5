//! Users, their roles, and the single-use tokens emailed to them.

use super::Result;
use crate::accounts::TokenPurpose;
use crate::accounts::model::{Membership, OrgRole, Role};
use crate::accounts::password::PasswordHashString;
use crate::ids::{OrganisationId, UserId};
use crate::vault::{PersonField, Sealed, Vault, VaultError};
use sqlx::PgConnection;
use std::time::Duration;

/// A new account. Call it in a transaction: the address and name are sealed with the person's
/// key, made once their row exists. An address taken already fails on
/// [`super::USERS_EMAIL_UNIQUE`].
pub async fn insert_user(
    conn: &mut PgConnection,
    vault: &Vault,
    user: UserId,
    email: &str,
    display_name: &str,
    password: Option<&PasswordHashString>,
    email_verified: bool,
) -> std::result::Result<(), VaultError> {
    let lookup = vault.email_lookup(conn, email).await?;
    sqlx::query!(
        "INSERT INTO users (user_id, email_lookup, password_hash, email_verified_at)
         VALUES ($1, $2, $3, CASE WHEN $4 THEN now() END)",
        user.0,
        lookup,
        password.map(PasswordHashString::as_str),
        email_verified,
    )
    .execute(&mut *conn)
    .await?;
    seal_email(conn, vault, user, email.trim()).await?;
    set_display_name(conn, vault, user, display_name).await
}

/// Seal `email` into `user`'s row (its lookup is the caller's), emptying the clear column.
async fn seal_email(
    conn: &mut PgConnection,
    vault: &Vault,
    user: UserId,
    email: &str,
) -> std::result::Result<(), VaultError> {
    let sealed = vault
        .seal_field(conn, user, PersonField::Email, email)
        .await?;
    sqlx::query!(
        "UPDATE users SET email_sealed = $2, email = NULL WHERE user_id = $1",
        user.0,
        sealed
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Seal the addresses and names still held in the clear (accounts made before they were
/// sealed) and clear them; how many people. `olivine migrate` and `olivine serve` run it.
pub async fn seal_clear_identities(
    conn: &mut PgConnection,
    vault: &Vault,
) -> std::result::Result<u64, VaultError> {
    crate::vault::seal_clear_rows(
        conn,
        vault,
        |conn| {
            Box::pin(async move {
                Ok(sqlx::query!(
                    r#"SELECT user_id AS "user_id: UserId", email::text, display_name
                         FROM users WHERE email IS NOT NULL OR display_name IS NOT NULL
                        ORDER BY user_id LIMIT 200"#
                )
                .fetch_all(conn)
                .await?)
            })
        },
        |tx, vault, row| {
            Box::pin(async move {
                if let Some(email) = row.email {
                    let lookup = vault.email_lookup(&mut *tx, &email).await?;
                    sqlx::query!(
                        "UPDATE users SET email_lookup = $2 WHERE user_id = $1",
                        row.user_id.0,
                        lookup
                    )
                    .execute(&mut *tx)
                    .await?;
                    seal_email(tx, vault, row.user_id, &email).await?;
                }
                if let Some(name) = row.display_name {
                    set_display_name(tx, vault, row.user_id, &name).await?;
                }
                Ok(())
            })
        },
    )
    .await
}

/// The account an address belongs to (erased accounts have none).
pub async fn user_id_by_email(
    conn: &mut PgConnection,
    vault: &Vault,
    email: &str,
) -> std::result::Result<Option<UserId>, VaultError> {
    let lookup = vault.email_lookup(conn, email).await?;
    Ok(sqlx::query_scalar!(
        r#"SELECT user_id AS "user_id: UserId" FROM users WHERE email_lookup = $1"#,
        lookup
    )
    .fetch_optional(conn)
    .await?)
}

/// How lists name a person: `Name <address>` (`Erased account` once they are erased); `None`
/// for no person (a query's `person_name(NULL)`).
pub fn person_label(
    vault: &Vault,
    name: Option<&Sealed>,
    email: Option<&Sealed>,
) -> std::result::Result<Option<String>, VaultError> {
    let Some(name) = name else { return Ok(None) };
    let name = reveal_name(vault, name)?;
    let email = match email {
        Some(sealed) => reveal_email(vault, sealed)?,
        None => String::new(),
    };
    Ok(Some(if email.is_empty() {
        name
    } else {
        format!("{name} <{email}>")
    }))
}

/// What an erased person is called wherever their name was.
pub const ERASED_NAME: &str = "Erased account";

/// A person's name as a query read it (`person_name(id) AS "name!: Sealed"`), opened;
/// [`ERASED_NAME`] once they are erased.
pub fn reveal_name(vault: &Vault, sealed: &Sealed) -> std::result::Result<String, VaultError> {
    Ok(vault
        .reveal(PersonField::Name, sealed)?
        .unwrap_or_else(|| ERASED_NAME.to_owned()))
}

/// [`reveal_name`] of a person a query may not have (`person_name(NULL)`): `None` for nobody.
pub fn reveal_name_of(
    vault: &Vault,
    sealed: Option<&Sealed>,
) -> std::result::Result<Option<String>, VaultError> {
    sealed.map(|s| reveal_name(vault, s)).transpose()
}

/// A person's address as a query read it (`person_email(id) AS "email!: Sealed"`), opened;
/// the empty string once they are erased.
pub fn reveal_email(vault: &Vault, sealed: &Sealed) -> std::result::Result<String, VaultError> {
    Ok(vault
        .reveal(PersonField::Email, sealed)?
        .unwrap_or_default())
}

pub struct Credentials {
    pub user_id: UserId,
    pub password_hash: Option<PasswordHashString>,
    pub verified: bool,
}

pub async fn credentials_by_email(
    conn: &mut PgConnection,
    vault: &Vault,
    email: &str,
) -> std::result::Result<Option<Credentials>, VaultError> {
    let lookup = vault.email_lookup(conn, email).await?;
    let row = sqlx::query!(
        r#"SELECT user_id AS "user_id: UserId", password_hash,
                  email_verified_at IS NOT NULL AS "verified!"
           FROM users WHERE email_lookup = $1"#,
        lookup
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Credentials {
        user_id: r.user_id,
        password_hash: r.password_hash.map(PasswordHashString::from_db),
        verified: r.verified,
    }))
}

pub async fn credentials_by_id(conn: &mut PgConnection, user: UserId) -> Result<Credentials> {
    let row = sqlx::query!(
        r#"SELECT user_id AS "user_id: UserId", password_hash,
                  email_verified_at IS NOT NULL AS "verified!"
           FROM users WHERE user_id = $1"#,
        user.0
    )
    .fetch_one(conn)
    .await?;
    Ok(Credentials {
        user_id: row.user_id,
        password_hash: row.password_hash.map(PasswordHashString::from_db),
        verified: row.verified,
    })
}

pub struct EmailOwner {
    pub user_id: UserId,
    pub display_name: String,
    pub verified: bool,
}

pub async fn user_by_email(
    conn: &mut PgConnection,
    vault: &Vault,
    email: &str,
) -> std::result::Result<Option<EmailOwner>, VaultError> {
    let lookup = vault.email_lookup(conn, email).await?;
    let row = sqlx::query!(
        r#"SELECT user_id AS "user_id: UserId", person_name(user_id) AS "name!: Sealed",
                  email_verified_at IS NOT NULL AS "verified!"
           FROM users WHERE email_lookup = $1"#,
        lookup
    )
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(EmailOwner {
            user_id: r.user_id,
            display_name: reveal_name(vault, &r.name)?,
            verified: r.verified,
        })
    })
    .transpose()
}

pub async fn display_name_of(
    conn: &mut PgConnection,
    vault: &Vault,
    user: UserId,
) -> std::result::Result<String, VaultError> {
    let sealed = sqlx::query_scalar!(r#"SELECT person_name($1) AS "name!: Sealed""#, user.0)
        .fetch_one(conn)
        .await?;
    reveal_name(vault, &sealed)
}

/// A person's address; the empty string once they are erased.
pub async fn email_of(
    conn: &mut PgConnection,
    vault: &Vault,
    user: UserId,
) -> std::result::Result<String, VaultError> {
    let sealed = sqlx::query_scalar!(r#"SELECT person_email($1) AS "email!: Sealed""#, user.0)
        .fetch_one(conn)
        .await?;
    reveal_email(vault, &sealed)
}

pub async fn set_password(
    conn: &mut PgConnection,
    user: UserId,
    hash: &PasswordHashString,
) -> Result<()> {
    sqlx::query!(
        "UPDATE users SET password_hash = $2 WHERE user_id = $1",
        user.0,
        hash.as_str()
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Following an emailed link proves the address.
pub async fn mark_email_verified(conn: &mut PgConnection, user: UserId) -> Result<()> {
    sqlx::query!(
        "UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE user_id = $1",
        user.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Seal `name` as the person's name (and the hashes of its words, for the back office's
/// search), clearing any name kept in the clear.
pub async fn set_display_name(
    conn: &mut PgConnection,
    vault: &Vault,
    user: UserId,
    name: &str,
) -> std::result::Result<(), VaultError> {
    let sealed = vault
        .seal_field(conn, user, PersonField::Name, name)
        .await?;
    let words = vault.name_words(conn, name).await?;
    sqlx::query!(
        "UPDATE users SET name_sealed = $2, name_words = $3, display_name = NULL
          WHERE user_id = $1",
        user.0,
        sealed,
        &words
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn roles_of(conn: &mut PgConnection, user: UserId) -> Result<Vec<Role>> {
    sqlx::query_scalar!(
        r#"SELECT role AS "role: Role" FROM user_roles WHERE user_id = $1 ORDER BY role"#,
        user.0
    )
    .fetch_all(conn)
    .await
}

/// Returns whether the role was new.
pub async fn grant_role(
    conn: &mut PgConnection,
    user: UserId,
    role: Role,
    by: Option<UserId>,
) -> Result<bool> {
    let done = sqlx::query!(
        "INSERT INTO user_roles (user_id, role, granted_by) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
        user.0,
        role as Role,
        by.map(|u| u.0),
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Returns whether the role was held.
pub async fn revoke_role(conn: &mut PgConnection, user: UserId, role: Role) -> Result<bool> {
    let done = sqlx::query!(
        "DELETE FROM user_roles WHERE user_id = $1 AND role = $2",
        user.0,
        role as Role
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn memberships_of(conn: &mut PgConnection, user: UserId) -> Result<Vec<Membership>> {
    sqlx::query_as!(
        Membership,
        r#"SELECT o.organisation_id AS "organisation_id: OrganisationId", o.slug, o.name,
                  m.role AS "role: OrgRole"
           FROM organisation_members m JOIN organisations o USING (organisation_id)
           WHERE m.user_id = $1 ORDER BY o.name"#,
        user.0
    )
    .fetch_all(conn)
    .await
}

pub async fn insert_email_token(
    conn: &mut PgConnection,
    hash: &[u8],
    user: UserId,
    purpose: TokenPurpose,
    ttl: Duration,
) -> Result<()> {
    sqlx::query!(
        "INSERT INTO email_tokens (token_hash, user_id, purpose, expires_at)
         VALUES ($1, $2, $3, now() + $4::float8 * interval '1 second')",
        hash,
        user.0,
        purpose as TokenPurpose,
        ttl.as_secs_f64(),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Use a token: succeeds once, before it expires, and spends every other open token of the
/// same person and purpose.
pub async fn consume_email_token(
    conn: &mut PgConnection,
    hash: &[u8],
    purpose: TokenPurpose,
) -> Result<Option<UserId>> {
    let user = sqlx::query_scalar!(
        r#"UPDATE email_tokens SET used_at = now()
           WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
           RETURNING user_id AS "user_id: UserId""#,
        hash,
        purpose as TokenPurpose,
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(user) = user {
        sqlx::query!(
            "UPDATE email_tokens SET used_at = now()
             WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
            user.0,
            purpose as TokenPurpose,
        )
        .execute(conn)
        .await?;
    }
    Ok(user)
}

pub async fn email_token_is_usable(
    conn: &mut PgConnection,
    hash: &[u8],
    purpose: TokenPurpose,
) -> Result<bool> {
    let usable = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM email_tokens
                          WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL
                            AND expires_at > now())
           AS "usable!""#,
        hash,
        purpose as TokenPurpose,
    )
    .fetch_one(conn)
    .await?;
    Ok(usable)
}
