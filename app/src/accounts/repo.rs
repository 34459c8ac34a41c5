//! Account queries. Each takes a connection (often a transaction); none commits.
//! `citext` columns cross as text: `$n::text::citext` in, `col::text` out.

use super::TokenPurpose;
use super::model::{
    ActiveSession, AdminUserRow, InvitationRow, MemberRow, Membership, OrgRole, Role, Viewer,
};
use super::password::PasswordHashString;
use crate::ids::{InvitationId, LoginId, OrganisationId, UserId};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use std::net::IpAddr;
use std::time::Duration;

type Result<T> = std::result::Result<T, sqlx::Error>;

pub const USERS_EMAIL_UNIQUE: &str = "users_email_unique";
pub const ORGANISATIONS_SLUG_UNIQUE: &str = "organisations_slug_key";
pub const INVITATIONS_OPEN_UNIQUE: &str = "organisation_invitations_open";

/// Did this statement fail on the named unique constraint?
pub fn violates(error: &sqlx::Error, constraint: &str) -> bool {
    error
        .as_database_error()
        .and_then(|e| e.constraint())
        .is_some_and(|c| c == constraint)
}

// ---- users ---------------------------------------------------------------------------------

pub async fn insert_user(
    conn: &mut PgConnection,
    user: UserId,
    email: &str,
    display_name: &str,
    password: Option<&PasswordHashString>,
    email_verified: bool,
) -> Result<()> {
    sqlx::query!(
        "INSERT INTO users (user_id, email, display_name, password_hash, email_verified_at)
         VALUES ($1, $2::text::citext, $3, $4, CASE WHEN $5 THEN now() END)",
        user.0,
        email,
        display_name,
        password.map(PasswordHashString::as_str),
        email_verified,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub struct Credentials {
    pub user_id: UserId,
    pub password_hash: Option<PasswordHashString>,
    pub verified: bool,
}

pub async fn credentials_by_email(
    conn: &mut PgConnection,
    email: &str,
) -> Result<Option<Credentials>> {
    let row = sqlx::query!(
        r#"SELECT user_id AS "user_id: UserId", password_hash,
                  email_verified_at IS NOT NULL AS "verified!"
           FROM users WHERE email = $1::text::citext"#,
        email
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

pub async fn user_by_email(conn: &mut PgConnection, email: &str) -> Result<Option<EmailOwner>> {
    let row = sqlx::query!(
        r#"SELECT user_id AS "user_id: UserId", display_name,
                  email_verified_at IS NOT NULL AS "verified!"
           FROM users WHERE email = $1::text::citext"#,
        email
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| EmailOwner {
        user_id: r.user_id,
        display_name: r.display_name,
        verified: r.verified,
    }))
}

pub async fn display_name_of(conn: &mut PgConnection, user: UserId) -> Result<String> {
    sqlx::query_scalar!("SELECT display_name FROM users WHERE user_id = $1", user.0)
        .fetch_one(conn)
        .await
}

pub async fn email_of(conn: &mut PgConnection, user: UserId) -> Result<String> {
    sqlx::query_scalar!(
        r#"SELECT email::text AS "email!" FROM users WHERE user_id = $1"#,
        user.0
    )
    .fetch_one(conn)
    .await
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

/// An OpenID provider vouched for the address of an account nobody had verified: whoever set
/// its password never proved they own the address, so that password stops working.
pub async fn claim_unverified(conn: &mut PgConnection, user: UserId) -> Result<()> {
    sqlx::query!(
        "UPDATE users SET password_hash = NULL, email_verified_at = now()
         WHERE user_id = $1 AND email_verified_at IS NULL",
        user.0
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

pub async fn set_display_name(conn: &mut PgConnection, user: UserId, name: &str) -> Result<()> {
    sqlx::query!(
        "UPDATE users SET display_name = $2 WHERE user_id = $1",
        user.0,
        name
    )
    .execute(conn)
    .await?;
    Ok(())
}

// ---- roles ---------------------------------------------------------------------------------

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

// ---- signed-in devices ---------------------------------------------------------------------

pub struct NewLogin<'a> {
    pub login_id: LoginId,
    pub user_id: UserId,
    pub method: &'a str,
    pub user_agent: &'a str,
    pub ip: Option<IpAddr>,
    pub lifetime: Duration,
}

pub async fn insert_login(conn: &mut PgConnection, login: NewLogin<'_>) -> Result<()> {
    sqlx::query!(
        "INSERT INTO user_logins (login_id, user_id, method, user_agent, ip, expires_at)
         VALUES ($1, $2, $3, $4, $5::text::inet, now() + $6::float8 * interval '1 second')",
        login.login_id.0,
        login.user_id.0,
        login.method,
        login.user_agent,
        login.ip.map(|ip| ip.to_string()),
        login.lifetime.as_secs_f64(),
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub struct LiveLogin {
    pub viewer: Viewer,
    pub last_seen_at: DateTime<Utc>,
}

/// The person behind a login, if the login is neither revoked, expired, nor idle too long.
pub async fn live_login(
    conn: &mut PgConnection,
    login: LoginId,
    idle: Duration,
) -> Result<Option<LiveLogin>> {
    let row = sqlx::query!(
        r#"SELECT u.user_id AS "user_id: UserId", u.email::text AS "email!", u.display_name,
                  l.last_seen_at,
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
    let memberships = memberships_of(conn, row.user_id).await?;
    Ok(Some(LiveLogin {
        viewer: Viewer {
            user_id: row.user_id,
            email: row.email,
            display_name: row.display_name,
            roles: row.roles,
            memberships,
        },
        last_seen_at: row.last_seen_at,
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

// ---- emailed tokens ------------------------------------------------------------------------

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

// ---- OpenID identities ---------------------------------------------------------------------

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

pub async fn link_identity(
    conn: &mut PgConnection,
    provider: &str,
    subject: &str,
    user: UserId,
    email: Option<&str>,
) -> Result<()> {
    sqlx::query!(
        "INSERT INTO oidc_identities (provider, subject, user_id, email)
         VALUES ($1, $2, $3, $4::text::citext)",
        provider,
        subject,
        user.0,
        email,
    )
    .execute(conn)
    .await?;
    Ok(())
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

pub async fn identities_of(conn: &mut PgConnection, user: UserId) -> Result<Vec<Identity>> {
    sqlx::query_as!(
        Identity,
        r#"SELECT provider, email::text AS email, linked_at FROM oidc_identities
           WHERE user_id = $1 ORDER BY provider"#,
        user.0
    )
    .fetch_all(conn)
    .await
}

// ---- organisations -------------------------------------------------------------------------

pub async fn insert_organisation(
    conn: &mut PgConnection,
    id: OrganisationId,
    slug: &str,
    name: &str,
) -> Result<()> {
    sqlx::query!(
        "INSERT INTO organisations (organisation_id, slug, name) VALUES ($1, $2, $3)",
        id.0,
        slug,
        name
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn organisation_slug(conn: &mut PgConnection, org: OrganisationId) -> Result<String> {
    sqlx::query_scalar!(
        "SELECT slug FROM organisations WHERE organisation_id = $1",
        org.0
    )
    .fetch_one(conn)
    .await
}

pub async fn add_member(
    conn: &mut PgConnection,
    org: OrganisationId,
    user: UserId,
    role: OrgRole,
) -> Result<bool> {
    let done = sqlx::query!(
        "INSERT INTO organisation_members (organisation_id, user_id, role) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
        org.0,
        user.0,
        role as OrgRole
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn members(conn: &mut PgConnection, org: OrganisationId) -> Result<Vec<MemberRow>> {
    sqlx::query_as!(
        MemberRow,
        r#"SELECT u.user_id AS "user_id: UserId", u.display_name, u.email::text AS "email!",
                  m.role AS "role: OrgRole", m.joined_at
           FROM organisation_members m JOIN users u USING (user_id)
           WHERE m.organisation_id = $1
           ORDER BY m.role, u.display_name"#,
        org.0
    )
    .fetch_all(conn)
    .await
}

pub async fn open_invitations(
    conn: &mut PgConnection,
    org: OrganisationId,
) -> Result<Vec<InvitationRow>> {
    sqlx::query_as!(
        InvitationRow,
        r#"SELECT invitation_id AS "invitation_id: InvitationId", email::text AS "email!",
                  created_at, expires_at
           FROM organisation_invitations
           WHERE organisation_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL
           ORDER BY created_at DESC"#,
        org.0
    )
    .fetch_all(conn)
    .await
}

pub struct NewInvitation<'a> {
    pub invitation_id: InvitationId,
    pub organisation_id: OrganisationId,
    pub email: &'a str,
    pub token_hash: &'a [u8],
    pub invited_by: UserId,
    pub ttl: Duration,
}

/// Invite, replacing an expired open invitation for the same address.
pub async fn insert_invitation(conn: &mut PgConnection, inv: NewInvitation<'_>) -> Result<()> {
    sqlx::query!(
        "UPDATE organisation_invitations SET revoked_at = now()
         WHERE organisation_id = $1 AND email = $2::text::citext
           AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at <= now()",
        inv.organisation_id.0,
        inv.email,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO organisation_invitations
             (invitation_id, organisation_id, email, token_hash, invited_by, expires_at)
         VALUES ($1, $2, $3::text::citext, $4, $5, now() + $6::float8 * interval '1 second')",
        inv.invitation_id.0,
        inv.organisation_id.0,
        inv.email,
        inv.token_hash,
        inv.invited_by.0,
        inv.ttl.as_secs_f64(),
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub struct OpenInvitation {
    pub invitation_id: InvitationId,
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
    pub email: String,
    pub expires_at: DateTime<Utc>,
}

/// An invitation that can still be accepted.
pub async fn open_invitation(
    conn: &mut PgConnection,
    hash: &[u8],
) -> Result<Option<OpenInvitation>> {
    sqlx::query_as!(
        OpenInvitation,
        r#"SELECT i.invitation_id AS "invitation_id: InvitationId",
                  i.organisation_id AS "organisation_id: OrganisationId",
                  o.name AS organisation_name, i.email::text AS "email!", i.expires_at
           FROM organisation_invitations i JOIN organisations o USING (organisation_id)
           WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL
             AND i.expires_at > now()"#,
        hash
    )
    .fetch_optional(conn)
    .await
}

/// Mark accepted, once; false if someone (or something) got there first.
pub async fn accept_invitation(conn: &mut PgConnection, id: InvitationId) -> Result<bool> {
    let done = sqlx::query!(
        "UPDATE organisation_invitations SET accepted_at = now()
         WHERE invitation_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL
           AND expires_at > now()",
        id.0
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn revoke_invitation(
    conn: &mut PgConnection,
    org: OrganisationId,
    id: InvitationId,
) -> Result<bool> {
    let done = sqlx::query!(
        "UPDATE organisation_invitations SET revoked_at = now()
         WHERE invitation_id = $1 AND organisation_id = $2
           AND accepted_at IS NULL AND revoked_at IS NULL",
        id.0,
        org.0
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Remove a manager (never the owner: ownership moves first).
pub async fn remove_manager(
    conn: &mut PgConnection,
    org: OrganisationId,
    user: UserId,
) -> Result<bool> {
    let done = sqlx::query!(
        "DELETE FROM organisation_members
         WHERE organisation_id = $1 AND user_id = $2 AND role = 'manager'",
        org.0,
        user.0
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Swap owner and manager, guarded on both current roles. The one-owner index holds at every
/// statement, so the owner steps down first.
pub async fn transfer_ownership(
    conn: &mut PgConnection,
    org: OrganisationId,
    from: UserId,
    to: UserId,
) -> Result<bool> {
    let demoted = sqlx::query!(
        "UPDATE organisation_members SET role = 'manager'
         WHERE organisation_id = $1 AND user_id = $2 AND role = 'owner'",
        org.0,
        from.0
    )
    .execute(&mut *conn)
    .await?;
    let promoted = sqlx::query!(
        "UPDATE organisation_members SET role = 'owner'
         WHERE organisation_id = $1 AND user_id = $2 AND role = 'manager'",
        org.0,
        to.0
    )
    .execute(conn)
    .await?;
    Ok(demoted.rows_affected() == 1 && promoted.rows_affected() == 1)
}

// ---- admin ---------------------------------------------------------------------------------

pub async fn search_users(
    conn: &mut PgConnection,
    query: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AdminUserRow>, i64)> {
    let pattern = format!(
        "%{}%",
        query
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM users
           WHERE $1 = '' OR email::text ILIKE $2 OR display_name ILIKE $2"#,
        query,
        pattern
    )
    .fetch_one(&mut *conn)
    .await?;
    let rows = sqlx::query_as!(
        AdminUserRow,
        r#"SELECT u.user_id AS "user_id: UserId", u.email::text AS "email!", u.display_name,
                  ARRAY(SELECT r.role FROM user_roles r WHERE r.user_id = u.user_id ORDER BY r.role)
                      AS "roles!: Vec<Role>",
                  ARRAY(SELECT o.name FROM organisation_members m
                        JOIN organisations o USING (organisation_id)
                        WHERE m.user_id = u.user_id ORDER BY o.name) AS "organisations!",
                  u.created_at
           FROM users u
           WHERE $1 = '' OR u.email::text ILIKE $2 OR u.display_name ILIKE $2
           ORDER BY u.created_at DESC, u.user_id
           LIMIT $3 OFFSET $4"#,
        query,
        pattern,
        limit,
        offset
    )
    .fetch_all(conn)
    .await?;
    Ok((rows, total))
}

pub struct AdminCounts {
    pub users: i64,
    pub organisations: i64,
    pub sign_ins_24h: i64,
    pub failed_sign_ins_24h: i64,
}

pub async fn admin_counts(conn: &mut PgConnection) -> Result<AdminCounts> {
    sqlx::query_as!(
        AdminCounts,
        r#"SELECT
             (SELECT count(*) FROM users) AS "users!",
             (SELECT count(*) FROM organisations) AS "organisations!",
             (SELECT count(*) FROM audit_log
               WHERE action = 'sign_in' AND at > now() - interval '24 hours') AS "sign_ins_24h!",
             (SELECT count(*) FROM audit_log
               WHERE action = 'sign_in_failed' AND at > now() - interval '24 hours')
               AS "failed_sign_ins_24h!""#
    )
    .fetch_one(conn)
    .await
}
