//! Client organisations, members and invitations; every query scoped by organisation id.

use super::Result;
use crate::accounts::model::{InvitationRow, MemberRow, OrgRole};
use crate::ids::{InvitationId, OrganisationId, UserId};
use crate::vault::{Sealed, Vault, VaultError};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use std::time::Duration;

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

pub async fn members(
    conn: &mut PgConnection,
    vault: &Vault,
    org: OrganisationId,
) -> std::result::Result<Vec<MemberRow>, VaultError> {
    let rows = sqlx::query!(
        r#"SELECT u.user_id AS "user_id: UserId", person_name(u.user_id) AS "name!: Sealed",
                  person_email(u.user_id) AS "email!: Sealed",
                  m.role AS "role: OrgRole", m.joined_at,
                  array_position(enum_range(NULL::org_role), m.role) AS "rank!"
           FROM organisation_members m JOIN users u USING (user_id)
           WHERE m.organisation_id = $1"#,
        org.0
    )
    .fetch_all(conn)
    .await?;
    // By role, then by name (sealed: sorted here).
    let mut members = rows
        .into_iter()
        .map(|r| {
            let member = MemberRow {
                user_id: r.user_id,
                display_name: super::reveal_name(vault, &r.name)?,
                email: super::reveal_email(vault, &r.email)?,
                role: r.role,
                joined_at: r.joined_at,
            };
            Ok((r.rank, member))
        })
        .collect::<std::result::Result<Vec<_>, VaultError>>()?;
    members.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| x.display_name.cmp(&y.display_name)));
    Ok(members.into_iter().map(|(_, m)| m).collect())
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
