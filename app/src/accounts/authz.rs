//! The one authorization helper. Every server function that needs a person calls
//! [`authorize`] first with what it needs; pages hide what a role cannot do, and this refuses
//! it anyway (401 when nobody is signed in, 403 when the person lacks the role).
//!
//! Every admin scope also needs two-step sign-in, set up and given on this device; sensitive
//! actions ([`authorize_confirmed`]) need the second factor given within [`STEP_UP_WINDOW`].

use super::model::{Membership, OrgRole, Role, Viewer};
use super::repo;
use super::session::{AuthSession, RequestMeta};
use crate::audit::Actor;
use crate::error::{AppError, ServiceError};
use crate::ids::LoginId;
use crate::state::{AppState, app_state};
use chrono::{DateTime, Utc};

/// How long a second factor given on a device covers refunds, role changes, payout settings
/// and turning two-step sign-in off; after it they ask for a code again.
pub const STEP_UP_WINDOW: chrono::Duration = chrono::Duration::minutes(10);

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
    /// Whether the person has two-step sign-in (a confirmed authenticator).
    pub two_step: bool,
    /// When this device last gave the second factor.
    pub second_factor_at: Option<DateTime<Utc>>,
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

    /// Whether this person, on this device, may do what `need` names: refused as [`authorize`]
    /// refuses (403, or a second factor first), without setting a status (for plain handlers).
    pub fn require(&self, need: Need<'_>) -> Result<(), AppError> {
        if !self.allows(need) {
            return Err(AppError::Forbidden);
        }
        self.second_factor_refusal(need).map_or(Ok(()), Err)
    }

    /// Why `need` is refused for want of a second factor, if it is: admin scopes need two-step
    /// sign-in set up, and given on this device.
    pub fn second_factor_refusal(&self, need: Need<'_>) -> Option<AppError> {
        let admin_scope = match need {
            Need::AnyAdmin => true,
            Need::Role(role) => role.is_admin(),
            Need::SignedIn | Need::Organisation { .. } => false,
        };
        if !admin_scope {
            None
        } else if !self.two_step {
            Some(AppError::SecondFactorRequired { setup: true })
        } else if self.second_factor_at.is_none() {
            Some(AppError::SecondFactorRequired { setup: false })
        } else {
            None
        }
    }

    /// Whether this device gave its second factor within [`STEP_UP_WINDOW`] of `now`; true for
    /// a person without two-step sign-in, who has none to give.
    pub fn recently_confirmed(&self, now: DateTime<Utc>) -> bool {
        !self.two_step
            || self
                .second_factor_at
                .is_some_and(|at| now - at < STEP_UP_WINDOW)
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
    let live = repo::live_login(&mut conn, &state.vault, login_id, state.config.login_idle)
        .await
        .map_err(ServiceError::from)?;
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
        two_step: live.two_step,
        second_factor_at: live.second_factor_at,
    }))
}

/// Require `need` of the caller; the HTTP status is set on refusal.
pub async fn authorize(need: Need<'_>) -> Result<Principal, AppError> {
    let Some(principal) = current_principal().await? else {
        return Err(AppError::Unauthorized.with_status());
    };
    principal.require(need).map_err(AppError::with_status)?;
    Ok(principal)
}

/// [`authorize`], for a sensitive action: the second factor, for a person who has one, must
/// have been given on this device within [`STEP_UP_WINDOW`].
pub async fn authorize_confirmed(need: Need<'_>) -> Result<Principal, AppError> {
    let principal = authorize(need).await?;
    if principal.recently_confirmed(Utc::now()) {
        Ok(principal)
    } else {
        Err(AppError::SecondFactorRequired { setup: false }.with_status())
    }
}

/// The signed-in admin with `role` making this request, as the audit log names them.
pub async fn acting_admin(role: Role) -> Result<Actor, AppError> {
    actor(authorize(Need::Role(role)).await?).await
}

/// [`acting_admin`] for a sensitive action (a refund): with a recent second factor.
pub async fn acting_admin_confirmed(role: Role) -> Result<Actor, AppError> {
    actor(authorize_confirmed(Need::Role(role)).await?).await
}

async fn actor(principal: Principal) -> Result<Actor, AppError> {
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
            two_step: true,
            second_factor_at: Some(Utc::now()),
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
    fn admin_scopes_need_two_step_sign_in_given_on_this_device() {
        let mut admin = principal(vec![Role::AdminSupport], vec![]);
        assert!(admin.second_factor_refusal(Need::AnyAdmin).is_none());
        admin.second_factor_at = None;
        assert_eq!(
            admin.second_factor_refusal(Need::Role(Role::AdminSupport)),
            Some(AppError::SecondFactorRequired { setup: false })
        );
        admin.two_step = false;
        assert_eq!(
            admin.second_factor_refusal(Need::AnyAdmin),
            Some(AppError::SecondFactorRequired { setup: true })
        );
        // Other scopes never ask.
        assert!(admin.second_factor_refusal(Need::SignedIn).is_none());
        assert!(
            admin
                .second_factor_refusal(Need::Role(Role::Freelancer))
                .is_none()
        );
    }

    #[test]
    fn sensitive_actions_need_a_second_factor_from_the_last_ten_minutes() {
        let now = Utc::now();
        let mut person = principal(vec![], vec![]);
        person.second_factor_at = Some(now - chrono::Duration::minutes(9));
        assert!(person.recently_confirmed(now));
        person.second_factor_at = Some(now - chrono::Duration::minutes(11));
        assert!(!person.recently_confirmed(now));
        person.second_factor_at = None;
        assert!(!person.recently_confirmed(now));
        // Without two-step sign-in there is nothing to ask.
        person.two_step = false;
        assert!(person.recently_confirmed(now));
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
