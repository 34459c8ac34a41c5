//! The one authorization helper. Every server function that needs a person calls
//! [`authorize`] first with what it needs; pages hide what a role cannot do, and this refuses
//! it anyway (401 when nobody is signed in, 403 when the person lacks the role).

use super::model::{Membership, OrgRole, Role, Viewer};
use super::repo;
use super::session::{AuthSession, RequestMeta};
use crate::audit::Actor;
use crate::error::AppError;
use crate::ids::LoginId;
use crate::state::{AppState, app_state};

/// What a server function needs from the person calling it.
#[derive(Clone, Copy, Debug)]
pub enum Need<'a> {
    SignedIn,
    Role(Role),
    /// Any admin scope (the back office's front door).
    AnyAdmin,
    /// A member of the organisation with this slug; `owner` when only its owner may act.
    Organisation {
        slug: &'a str,
        owner: bool,
    },
}

/// A signed-in person on this request.
#[derive(Clone, Debug)]
pub struct Principal {
    pub viewer: Viewer,
    pub login_id: LoginId,
}

impl Principal {
    pub fn allows(&self, need: Need<'_>) -> bool {
        match need {
            Need::SignedIn => true,
            Need::Role(role) => self.viewer.has(role),
            Need::AnyAdmin => self.viewer.is_admin(),
            Need::Organisation { slug, owner } => self
                .viewer
                .membership(slug)
                .is_some_and(|m| !owner || m.role == OrgRole::Owner),
        }
    }

    /// The membership an organisation-scoped call acts through; its id scopes every query.
    pub fn organisation(&self, slug: &str) -> Result<&Membership, AppError> {
        self.viewer
            .membership(slug)
            .ok_or_else(|| AppError::Forbidden.with_status())
    }
}

/// Who is signed in on this request, if anyone. A revoked, expired or idle login is cleared
/// from the session on the way.
pub async fn current_principal() -> Result<Option<Principal>, AppError> {
    principal_of(&app_state()?, &AuthSession::current().await?).await
}

/// Who is signed in on `session`: for plain HTTP handlers outside the server functions.
pub async fn principal_of(
    state: &AppState,
    session: &AuthSession,
) -> Result<Option<Principal>, AppError> {
    let Some(login_id) = session.login_id().await? else {
        return Ok(None);
    };
    let mut conn = state.db.acquire().await?;
    let live = repo::live_login(&mut conn, login_id, state.config.login_idle).await?;
    let Some(live) = live else {
        session.end_login().await?;
        return Ok(None);
    };
    // Idle expiry needs last_seen_at; writing it once a minute is plenty.
    if chrono::Utc::now() - live.last_seen_at > chrono::Duration::seconds(60) {
        repo::touch_login(&mut conn, login_id).await?;
    }
    Ok(Some(Principal {
        viewer: live.viewer,
        login_id,
    }))
}

/// Require `need` of the caller; the HTTP status is set on refusal.
pub async fn authorize(need: Need<'_>) -> Result<Principal, AppError> {
    let Some(principal) = current_principal().await? else {
        return Err(AppError::Unauthorized.with_status());
    };
    if principal.allows(need) {
        Ok(principal)
    } else {
        Err(AppError::Forbidden.with_status())
    }
}

/// The signed-in admin with `role` making this request, as the audit log names them.
pub async fn acting_admin(role: Role) -> Result<Actor, AppError> {
    let principal = authorize(Need::Role(role)).await?;
    Ok(Actor {
        user: principal.viewer.user_id,
        ip: RequestMeta::current().await.ip,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{OrganisationId, UserId};

    fn principal(roles: Vec<Role>, memberships: Vec<(&str, OrgRole)>) -> Principal {
        Principal {
            viewer: Viewer {
                user_id: UserId(uuid::Uuid::nil()),
                email: "a@example.com".into(),
                display_name: "A".into(),
                roles,
                memberships: memberships
                    .into_iter()
                    .map(|(slug, role)| Membership {
                        organisation_id: OrganisationId(uuid::Uuid::nil()),
                        slug: slug.into(),
                        name: slug.into(),
                        role,
                    })
                    .collect(),
            },
            login_id: LoginId(uuid::Uuid::nil()),
        }
    }

    #[test]
    fn roles_grant_exactly_what_they_name() {
        let shopper = principal(vec![], vec![]);
        assert!(shopper.allows(Need::SignedIn));
        assert!(!shopper.allows(Need::AnyAdmin));
        assert!(!shopper.allows(Need::Role(Role::Freelancer)));

        let catalog = principal(vec![Role::AdminCatalog], vec![]);
        assert!(catalog.allows(Need::AnyAdmin));
        assert!(catalog.allows(Need::Role(Role::AdminCatalog)));
        assert!(!catalog.allows(Need::Role(Role::AdminSupport)));
        assert!(!catalog.allows(Need::Role(Role::AdminFinance)));
    }

    #[test]
    fn organisations_are_per_slug_and_owners_are_owners() {
        let manager = principal(vec![], vec![("harbour", OrgRole::Manager)]);
        assert!(manager.allows(Need::Organisation {
            slug: "harbour",
            owner: false
        }));
        assert!(!manager.allows(Need::Organisation {
            slug: "harbour",
            owner: true
        }));
        assert!(!manager.allows(Need::Organisation {
            slug: "meadow",
            owner: false
        }));
        assert!(manager.organisation("meadow").is_err());

        let owner = principal(vec![], vec![("harbour", OrgRole::Owner)]);
        assert!(owner.allows(Need::Organisation {
            slug: "harbour",
            owner: true
        }));
    }
}
