//! Admin use cases over accounts: the users list, role editing, and bootstrapping the first
//! admin from the command line.

use super::authz::Principal;
use super::model::{ADMIN_USERS_PER_PAGE, AdminOverview, AdminUsersPage, Role, check_email};
use super::session::RequestMeta;
use super::{TokenPurpose, emails, repo};
use crate::audit::model::{AuditQuery, AuditTrail, ChainStatus};
use crate::audit::{self, Action, Entry};
use crate::error::AppError;
use crate::error::ServiceError;
use crate::ids::UserId;
use crate::notifications::email;
use crate::state::AppState;
use crate::tokens;
use crate::ui::page_count;
use sqlx::PgConnection;

type Result<T> = std::result::Result<T, ServiceError>;

pub async fn overview(state: &AppState, principal: &Principal) -> Result<AdminOverview> {
    let mut conn = state.db.acquire().await?;
    let counts = repo::admin_counts(&mut conn).await?;
    Ok(AdminOverview {
        users: counts.users,
        organisations: counts.organisations,
        sign_ins_24h: counts.sign_ins_24h,
        failed_sign_ins_24h: counts.failed_sign_ins_24h,
        can_manage_users: principal.viewer.has(Role::AdminSupport),
        can_manage_catalog: principal.viewer.has(Role::AdminCatalog),
        can_manage_finance: principal.viewer.has(Role::AdminFinance),
    })
}

/// A page of the audit trail (see [`audit::trail`]).
pub async fn audit_trail(
    state: &AppState,
    query: &AuditQuery,
    before: Option<i64>,
) -> Result<AuditTrail> {
    let mut conn = state.db.acquire().await?;
    audit::trail::page(&mut conn, &state.vault, query, before).await
}

/// The audit chain verified now, with its latest checkpoint.
pub async fn audit_chain(state: &AppState) -> Result<ChainStatus> {
    let mut conn = state.db.acquire().await?;
    audit::trail::status(&mut conn, &state.audit_checkpoints).await
}

pub async fn users_page(state: &AppState, query: &str, page: u32) -> Result<AdminUsersPage> {
    let query = query.trim();
    let page = page.max(1);
    let per_page = i64::from(ADMIN_USERS_PER_PAGE);
    let mut conn = state.db.acquire().await?;
    let (rows, total) = repo::search_users(
        &mut conn,
        &state.vault,
        query,
        per_page,
        i64::from(page - 1) * per_page,
    )
    .await?;
    Ok(AdminUsersPage {
        rows,
        total,
        page,
        total_pages: page_count(total, ADMIN_USERS_PER_PAGE),
        query: query.to_owned(),
    })
}

/// Decide which role changes `actor` may make: an admin hands out (or takes away) only the
/// admin scopes they hold themselves, and never drops their own support scope (that would
/// lock the last admin out of this page).
pub fn plan_role_change(
    actor_roles: &[Role],
    actor_is_target: bool,
    current: &[Role],
    wanted: &[Role],
) -> std::result::Result<(Vec<Role>, Vec<Role>), String> {
    let grant: Vec<Role> = wanted
        .iter()
        .copied()
        .filter(|r| !current.contains(r))
        .collect();
    let revoke: Vec<Role> = current
        .iter()
        .copied()
        .filter(|r| !wanted.contains(r))
        .collect();
    for role in grant.iter().chain(&revoke) {
        if role.is_admin() && !actor_roles.contains(role) {
            return Err(format!(
                "Only an admin who holds “{}” can grant or remove it.",
                role.label()
            ));
        }
    }
    if actor_is_target && revoke.contains(&Role::AdminSupport) {
        return Err("You can't remove your own support role.".to_owned());
    }
    Ok((grant, revoke))
}

/// Grant or remove one role of `target`.
pub async fn set_role(
    state: &AppState,
    meta: &RequestMeta,
    principal: &Principal,
    target: UserId,
    role: Role,
    held: bool,
) -> Result<()> {
    let actor = principal.viewer.user_id;
    let mut tx = state.db.begin().await?;
    let current = repo::roles_of(&mut tx, target).await?;
    let mut wanted: Vec<Role> = current.iter().copied().filter(|r| *r != role).collect();
    if held {
        wanted.push(role);
    }
    let (grant, revoke) =
        plan_role_change(&principal.viewer.roles, actor == target, &current, &wanted)
            .map_err(|message| AppError::invalid(message).with_status())?;
    for role in grant {
        change_role(&mut tx, meta, Some(actor), target, role, true).await?;
    }
    for role in revoke {
        change_role(&mut tx, meta, Some(actor), target, role, false).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn change_role(
    conn: &mut PgConnection,
    meta: &RequestMeta,
    actor: Option<UserId>,
    target: UserId,
    role: Role,
    grant: bool,
) -> Result<()> {
    let changed = if grant {
        repo::grant_role(conn, target, role, actor).await?
    } else {
        repo::revoke_role(conn, target, role).await?
    };
    if changed {
        let action = if grant {
            Action::RoleGranted
        } else {
            Action::RoleRevoked
        };
        let entry = Entry::new(actor, action)
            .subject(target.0)
            .ip(meta.ip)
            .detail(serde_json::json!({ "role": role.db_name() }));
        audit::record(conn, entry).await?;
    }
    Ok(())
}

/// What `olivine admin create` did.
pub struct Bootstrapped {
    pub user_id: UserId,
    pub created: bool,
    /// A link to choose a password, when the account has none yet.
    pub password_link: Option<String>,
}

/// Make `email` an admin with every scope, creating the account if needed. An account without
/// a password gets a set-password link (also emailed), so no password ever passes a command line.
pub async fn bootstrap_admin(state: &AppState, raw_email: &str) -> Result<Bootstrapped> {
    let email = check_email(raw_email).map_err(AppError::invalid)?;
    let mut tx = state.db.begin().await?;
    let existing = repo::credentials_by_email(&mut tx, &state.vault, &email).await?;
    let (user, created, has_password) = match existing {
        Some(c) => (c.user_id, false, c.password_hash.is_some()),
        None => {
            let user = UserId(uuid::Uuid::now_v7());
            let name = email.split('@').next().unwrap_or("Admin").to_owned();
            repo::insert_user(&mut tx, &state.vault, user, &email, &name, None, true).await?;
            (user, true, false)
        }
    };
    for role in [Role::AdminCatalog, Role::AdminSupport, Role::AdminFinance] {
        change_role(&mut tx, &RequestMeta::default(), None, user, role, true).await?;
    }
    audit::record(
        &mut tx,
        Entry::new(None, Action::AdminBootstrapped).subject(user.0),
    )
    .await?;
    let password_link = if has_password {
        None
    } else {
        let (token, hash) = tokens::issue();
        let ttl = state.config.reset_link_ttl;
        repo::insert_email_token(&mut tx, &hash, user, TokenPurpose::ResetPassword, ttl).await?;
        let link = state.config.link(&format!("/reset-password?token={token}"));
        let name = repo::display_name_of(&mut tx, &state.vault, user).await?;
        let message = emails::reset_password(&email, &name, &link, ttl.as_secs() / 60);
        email::enqueue(&mut tx, &state.vault, user.into(), &message).await?;
        Some(link)
    };
    tx.commit().await?;
    Ok(Bootstrapped {
        user_id: user,
        created,
        password_link,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_hand_out_only_scopes_they_hold() {
        let support = [Role::AdminSupport];
        assert_eq!(
            plan_role_change(
                &support,
                false,
                &[],
                &[Role::Freelancer, Role::AdminSupport]
            ),
            Ok((vec![Role::Freelancer, Role::AdminSupport], vec![]))
        );
        assert!(plan_role_change(&support, false, &[], &[Role::AdminFinance]).is_err());
        assert!(plan_role_change(&support, false, &[Role::AdminFinance], &[]).is_err());
        // Untouched scopes they don't hold are fine.
        assert_eq!(
            plan_role_change(
                &support,
                false,
                &[Role::AdminFinance],
                &[Role::AdminFinance, Role::Freelancer]
            ),
            Ok((vec![Role::Freelancer], vec![]))
        );
    }

    #[test]
    fn nobody_removes_their_own_support_scope() {
        let all = [Role::AdminSupport, Role::AdminCatalog];
        assert!(plan_role_change(&all, true, &all, &[Role::AdminCatalog]).is_err());
        assert!(plan_role_change(&all, false, &all, &[Role::AdminCatalog]).is_ok());
    }
}
