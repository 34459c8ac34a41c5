//! Client organisations: create, invite managers by email, accept, remove, transfer ownership.
//! Every query is scoped by the organisation id taken from the caller's own membership.

use super::authz::Principal;
use super::model::{
    InvitationPreview, OrgRole, OrganisationSettings, check_email, check_organisation_name, slugify,
};
use super::service::FieldErrors;
use super::session::{AuthSession, RequestMeta};
use super::{emails, repo};
use crate::audit::{self, Action, Entry};
use crate::error::{AppError, ServiceError, violates};
use crate::ids::{InvitationId, OrganisationId, UserId};
use crate::notifications::email;
use crate::ratelimit;
use crate::state::AppState;
use crate::tokens;
use crate::vault::{KeyOwner, VaultError};

type Result<T> = std::result::Result<T, ServiceError>;

/// Create an organisation owned by the caller; returns its slug.
pub async fn create(
    state: &AppState,
    session: &AuthSession,
    meta: &RequestMeta,
    principal: &Principal,
    raw_name: &str,
) -> Result<String> {
    let mut fields = FieldErrors::default();
    let name = fields.check("name", check_organisation_name(raw_name));
    fields.finish()?;
    let Some(name) = name else {
        return Err(AppError::Internal.into());
    };
    let user = principal.viewer.user_id.to_string();
    ratelimit::check(&state.db, ratelimit::ORGS_CREATED_PER_USER, &user).await?;
    let slug = slugify(&name);
    if slug.is_empty() {
        return Err(
            AppError::field("name", "Use some letters or digits in the name.")
                .with_status()
                .into(),
        );
    }
    let user = principal.viewer.user_id;
    let org = OrganisationId(uuid::Uuid::now_v7());
    let mut tx = state.db.begin().await?;
    repo::insert_organisation(&mut tx, org, &slug, &name)
        .await
        .map_err(|e| {
            if violates(&e, repo::ORGANISATIONS_SLUG_UNIQUE) {
                ServiceError::Refused(
                    AppError::field("name", "An organisation with this name already exists.")
                        .with_status(),
                )
            } else {
                e.into()
            }
        })?;
    repo::add_member(&mut tx, org, user, OrgRole::Owner).await?;
    let entry = Entry::new(Some(user), Action::OrganisationCreated)
        .subject(org.0)
        .ip(meta.ip)
        .detail(serde_json::json!({ "name": name }));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    session.rotate().await?;
    Ok(slug)
}

pub async fn settings(
    state: &AppState,
    principal: &Principal,
    slug: &str,
) -> Result<OrganisationSettings> {
    let membership = principal.organisation(slug)?;
    let org = membership.organisation_id;
    let mut conn = state.db.acquire().await?;
    Ok(OrganisationSettings {
        organisation_id: org,
        slug: membership.slug.clone(),
        name: membership.name.clone(),
        my_role: membership.role,
        me: principal.viewer.user_id,
        members: repo::members(&mut conn, &state.vault, org).await?,
        invitations: repo::open_invitations(&mut conn, &state.vault, org).await?,
    })
}

/// Invite someone by email to manage for the organisation (owner only).
pub async fn invite(
    state: &AppState,
    meta: &RequestMeta,
    principal: &Principal,
    slug: &str,
    raw_email: &str,
) -> Result<()> {
    let membership = principal.organisation(slug)?.clone();
    let mut fields = FieldErrors::default();
    let email = fields.check("email", check_email(raw_email));
    fields.finish()?;
    let Some(email) = email else {
        return Err(AppError::Internal.into());
    };
    let inviter = principal.viewer.user_id.to_string();
    ratelimit::check(&state.db, ratelimit::ORG_INVITATIONS_PER_USER, &inviter).await?;
    let org = membership.organisation_id;
    let mut tx = state.db.begin().await?;
    let already_member = repo::members(&mut tx, &state.vault, org)
        .await?
        .iter()
        .any(|m| m.email.eq_ignore_ascii_case(&email));
    if already_member {
        return Err(AppError::field("email", "This person is already a member.")
            .with_status()
            .into());
    }
    let (token, token_hash) = tokens::issue();
    let id = InvitationId(uuid::Uuid::now_v7());
    let ttl = state.config.invitation_ttl;
    repo::insert_invitation(
        &mut tx,
        &state.vault,
        repo::NewInvitation {
            invitation_id: id,
            organisation_id: org,
            email: &email,
            token_hash: &token_hash,
            invited_by: principal.viewer.user_id,
            ttl,
        },
    )
    .await
    .map_err(|e| {
        if let VaultError::Database(e) = &e
            && violates(e, repo::INVITATIONS_OPEN_UNIQUE)
        {
            ServiceError::Refused(
                AppError::field("email", "This address already has an open invitation.")
                    .with_status(),
            )
        } else {
            e.into()
        }
    })?;
    let link = state
        .config
        .link(&format!("/hire/invitations?token={token}"));
    let message = emails::invitation(
        &email,
        &principal.viewer.display_name,
        &membership.name,
        &link,
        ttl.as_secs() / 86_400,
    );
    email::enqueue(&mut tx, &state.vault, KeyOwner::Invitee(id), &message).await?;
    let entry = Entry::new(Some(principal.viewer.user_id), Action::MemberInvited)
        .subject(org.0)
        .ip(meta.ip)
        // The invitation, not the address: the trail can't be changed when its person is
        // erased, the invitation can.
        .detail(serde_json::json!({ "invitation": id.0 }));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn revoke_invitation(
    state: &AppState,
    meta: &RequestMeta,
    principal: &Principal,
    slug: &str,
    invitation: InvitationId,
) -> Result<()> {
    let org = principal.organisation(slug)?.organisation_id;
    let mut tx = state.db.begin().await?;
    if !repo::revoke_invitation(&mut tx, org, invitation).await? {
        return Err(AppError::NotFound.with_status().into());
    }
    let entry = Entry::new(Some(principal.viewer.user_id), Action::InvitationRevoked)
        .subject(org.0)
        .ip(meta.ip);
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn preview_invitation(state: &AppState, token: &str) -> Result<InvitationPreview> {
    let mut conn = state.db.acquire().await?;
    let open = repo::open_invitation(&mut conn, &state.vault, &tokens::digest(token))
        .await?
        .ok_or_else(expired_invitation)?;
    Ok(InvitationPreview {
        organisation_name: open.organisation_name,
        email: open.email,
        expires_at: open.expires_at,
    })
}

fn expired_invitation() -> ServiceError {
    ServiceError::Refused(
        AppError::invalid("This invitation has expired, was revoked, or was already accepted.")
            .with_status(),
    )
}

/// Join through an invitation, as the person it was sent to; returns the organisation's slug.
pub async fn accept_invitation(
    state: &AppState,
    session: &AuthSession,
    meta: &RequestMeta,
    principal: &Principal,
    token: &str,
) -> Result<String> {
    let user = principal.viewer.user_id;
    let mut tx = state.db.begin().await?;
    let open = repo::open_invitation(&mut tx, &state.vault, &tokens::digest(token))
        .await?
        .ok_or_else(expired_invitation)?;
    if !open.email.eq_ignore_ascii_case(&principal.viewer.email) {
        return Err(AppError::invalid(format!(
            "This invitation was sent to {}. Sign in with that address to accept it.",
            open.email
        ))
        .with_status()
        .into());
    }
    if !repo::accept_invitation(&mut tx, open.invitation_id).await? {
        return Err(expired_invitation());
    }
    repo::add_member(&mut tx, open.organisation_id, user, OrgRole::Manager).await?;
    // The link reached this address's inbox.
    repo::mark_email_verified(&mut tx, user).await?;
    let entry = Entry::new(Some(user), Action::MemberJoined)
        .subject(open.organisation_id.0)
        .ip(meta.ip);
    audit::record(&mut tx, entry).await?;
    let slug = repo::organisation_slug(&mut tx, open.organisation_id).await?;
    tx.commit().await?;
    session.rotate().await?;
    Ok(slug)
}

pub async fn remove_member(
    state: &AppState,
    meta: &RequestMeta,
    principal: &Principal,
    slug: &str,
    member: UserId,
) -> Result<()> {
    let org = principal.organisation(slug)?.organisation_id;
    let mut tx = state.db.begin().await?;
    if !repo::remove_manager(&mut tx, org, member).await? {
        return Err(AppError::invalid(
            "Only managers can be removed. To leave as owner, transfer ownership first.",
        )
        .with_status()
        .into());
    }
    let entry = Entry::new(Some(principal.viewer.user_id), Action::MemberRemoved)
        .subject(org.0)
        .ip(meta.ip)
        .detail(serde_json::json!({ "user_id": member }));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn transfer_ownership(
    state: &AppState,
    session: &AuthSession,
    meta: &RequestMeta,
    principal: &Principal,
    slug: &str,
    to: UserId,
) -> Result<()> {
    let org = principal.organisation(slug)?.organisation_id;
    let me = principal.viewer.user_id;
    let mut tx = state.db.begin().await?;
    if to == me || !repo::transfer_ownership(&mut tx, org, me, to).await? {
        // Nothing was committed: the transaction rolls back on drop.
        return Err(AppError::invalid(
            "Ownership can only pass to a manager of this organisation.",
        )
        .with_status()
        .into());
    }
    let entry = Entry::new(Some(me), Action::OwnershipTransferred)
        .subject(org.0)
        .ip(meta.ip)
        .detail(serde_json::json!({ "to": to }));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    session.rotate().await?;
    Ok(())
}
