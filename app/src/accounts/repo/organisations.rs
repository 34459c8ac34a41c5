//! Client organisations, members and invitations; every query scoped by organisation id.

use super::Result;
use crate::accounts::model::{InvitationRow, MemberRow, OrgRole};
use crate::ids::{InvitationId, OrganisationId, UserId};
use crate::vault::{KeyOwner, Sealed, Vault, VaultError};
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
                  m.role AS "role: OrgRole", m.joined_at
           FROM organisation_members m JOIN users u USING (user_id)
           WHERE m.organisation_id = $1"#,
        org.0
    )
    .fetch_all(conn)
    .await?;
    let mut members = rows
        .into_iter()
        .map(|r| {
            Ok(MemberRow {
                user_id: r.user_id,
                display_name: super::reveal_name(vault, &r.name)?,
                email: super::reveal_email(vault, &r.email)?,
                role: r.role,
                joined_at: r.joined_at,
            })
        })
        .collect::<std::result::Result<Vec<_>, VaultError>>()?;
    // The owner first, then by name (sealed: sorted here; `OrgRole` orders as the SQL enum).
    members.sort_by(|a, b| (a.role, &a.display_name).cmp(&(b.role, &b.display_name)));
    Ok(members)
}

/// The context an invitation's address is sealed in.
fn invitation_context(id: InvitationId) -> String {
    format!("invitation:{id}:email")
}

/// An invitation's address as a query read it (`sealed_by(invitation_id, email_sealed)`),
/// opened; empty once its invitee is erased.
pub fn reveal_invitee(
    vault: &Vault,
    id: InvitationId,
    sealed: &Sealed,
) -> std::result::Result<String, VaultError> {
    Ok(vault
        .reveal_text(&invitation_context(id), sealed)?
        .unwrap_or_default())
}

/// Seal `email` into invitation `id`'s row with the invitation's own key.
async fn seal_invitee(
    conn: &mut PgConnection,
    vault: &Vault,
    id: InvitationId,
    email: &str,
) -> std::result::Result<(), VaultError> {
    let sealed = vault
        .seal(
            &mut *conn,
            KeyOwner::Invitee(id),
            &invitation_context(id),
            email.as_bytes(),
        )
        .await?;
    sqlx::query!(
        "UPDATE organisation_invitations SET email_sealed = $2, email = NULL
          WHERE invitation_id = $1",
        id.0,
        sealed
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn open_invitations(
    conn: &mut PgConnection,
    vault: &Vault,
    org: OrganisationId,
) -> std::result::Result<Vec<InvitationRow>, VaultError> {
    let rows = sqlx::query!(
        r#"SELECT invitation_id AS "invitation_id: InvitationId",
                  sealed_by(invitation_id, email_sealed) AS "email!: Sealed",
                  created_at, expires_at
           FROM organisation_invitations
           WHERE organisation_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL
           ORDER BY created_at DESC"#,
        org.0
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(InvitationRow {
                email: reveal_invitee(vault, r.invitation_id, &r.email)?,
                invitation_id: r.invitation_id,
                created_at: r.created_at,
                expires_at: r.expires_at,
            })
        })
        .collect()
}

pub struct NewInvitation<'a> {
    pub invitation_id: InvitationId,
    pub organisation_id: OrganisationId,
    pub email: &'a str,
    pub token_hash: &'a [u8],
    pub invited_by: UserId,
    pub ttl: Duration,
}

/// Invite, replacing an expired open invitation for the same address; the address is found by
/// its lookup hash and sealed with the invitation's own key.
pub async fn insert_invitation(
    conn: &mut PgConnection,
    vault: &Vault,
    inv: NewInvitation<'_>,
) -> std::result::Result<(), VaultError> {
    let lookup = vault.email_lookup(&mut *conn, inv.email).await?;
    sqlx::query!(
        "UPDATE organisation_invitations SET revoked_at = now()
         WHERE organisation_id = $1 AND email_lookup = $2
           AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at <= now()",
        inv.organisation_id.0,
        lookup,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO organisation_invitations
             (invitation_id, organisation_id, email_lookup, token_hash, invited_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + $6::float8 * interval '1 second')",
        inv.invitation_id.0,
        inv.organisation_id.0,
        lookup,
        inv.token_hash,
        inv.invited_by.0,
        inv.ttl.as_secs_f64(),
    )
    .execute(&mut *conn)
    .await?;
    seal_invitee(conn, vault, inv.invitation_id, inv.email).await
}

/// Seal the invitations' addresses an older version kept in the clear; how many.
pub async fn seal_clear_invitations(
    conn: &mut PgConnection,
    vault: &Vault,
) -> std::result::Result<u64, VaultError> {
    crate::vault::seal_clear_rows(
        conn,
        vault,
        |conn| {
            Box::pin(async move {
                Ok(sqlx::query!(
                    r#"SELECT invitation_id AS "id: InvitationId", email::text AS "email!"
                         FROM organisation_invitations WHERE email IS NOT NULL
                        ORDER BY invitation_id LIMIT 200"#
                )
                .fetch_all(conn)
                .await?)
            })
        },
        |tx, vault, row| {
            Box::pin(async move {
                let lookup = vault.email_lookup(&mut *tx, &row.email).await?;
                sqlx::query!(
                    "UPDATE organisation_invitations SET email_lookup = $2 WHERE invitation_id = $1",
                    row.id.0,
                    lookup
                )
                .execute(&mut *tx)
                .await?;
                seal_invitee(tx, vault, row.id, &row.email).await
            })
        },
    )
    .await
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
    vault: &Vault,
    hash: &[u8],
) -> std::result::Result<Option<OpenInvitation>, VaultError> {
    let Some(row) = sqlx::query!(
        r#"SELECT i.invitation_id AS "invitation_id: InvitationId",
                  i.organisation_id AS "organisation_id: OrganisationId",
                  o.name AS organisation_name,
                  sealed_by(i.invitation_id, i.email_sealed) AS "email!: Sealed", i.expires_at
           FROM organisation_invitations i JOIN organisations o USING (organisation_id)
           WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL
             AND i.expires_at > now()"#,
        hash
    )
    .fetch_optional(conn)
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(OpenInvitation {
        email: reveal_invitee(vault, row.invitation_id, &row.email)?,
        invitation_id: row.invitation_id,
        organisation_id: row.organisation_id,
        organisation_name: row.organisation_name,
        expires_at: row.expires_at,
    }))
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
