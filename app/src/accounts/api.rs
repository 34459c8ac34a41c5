//! Account server functions. Each: authorize → one service call → answer. Forms post to them
//! directly (they work before the WASM arrives); successful sign-ins redirect.

use super::model::{
    AccountOverview, AdminOverview, AdminUsersPage, AuthenticatorSetup, InvitationPreview,
    OrganisationSettings, ProviderInfo, Role, TwoStepStatus, Viewer,
};
use crate::audit::model::{AuditQuery, AuditTrail, ChainStatus};
use crate::error::AppError;
use crate::ids::{InvitationId, LoginId, NotificationId, PasskeyId, UserId};
use crate::notifications::model::{EmailPreference, NotificationPage, Unread};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::authz::{Need, authorize, authorize_confirmed, current_principal},
    super::model::safe_next,
    super::session::Ceremony,
    super::session::{AuthSession, RequestMeta},
    super::{admin, oidc_flow, orgs, passkeys, passwords, second_factor, service},
    crate::notifications::service as notifications,
    crate::state::app_state,
};

/// Who is signed in (for the header and pages), or nobody.
#[server(endpoint = "accounts/viewer")]
pub async fn load_viewer() -> Result<Option<Viewer>, AppError> {
    Ok(current_principal().await?.map(|p| p.viewer))
}

#[server(endpoint = "accounts/providers")]
pub async fn load_providers() -> Result<Vec<ProviderInfo>, AppError> {
    Ok(app_state()?.oidc.providers())
}

/// Returns the address the confirmation link went to.
#[server(endpoint = "accounts/sign-up")]
pub async fn sign_up(
    email: String,
    display_name: String,
    password: String,
) -> Result<String, AppError> {
    let state = app_state()?;
    let form = service::SignUp {
        email,
        display_name,
        password,
    };
    Ok(service::sign_up(&state, &RequestMeta::current().await, form).await?)
}

#[server(endpoint = "accounts/verify-email")]
pub async fn verify_email(token: String) -> Result<(), AppError> {
    let state = app_state()?;
    let session = AuthSession::current().await?;
    let entered =
        service::verify_email(&state, &session, &RequestMeta::current().await, &token).await?;
    leptos_axum::redirect(&entered.destination("/account?welcome=1"));
    Ok(())
}

/// Sign in with a mailed one-time link (sent when an account is past its failure limit).
#[server(endpoint = "accounts/sign-in-link")]
pub async fn sign_in_with_link(token: String) -> Result<(), AppError> {
    let state = app_state()?;
    let session = AuthSession::current().await?;
    let meta = RequestMeta::current().await;
    let entered = super::signin_link::sign_in_with_link(&state, &session, &meta, &token).await?;
    leptos_axum::redirect(&entered.destination("/account"));
    Ok(())
}

#[server(endpoint = "accounts/sign-in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    let state = app_state()?;
    let session = AuthSession::current().await?;
    let form = service::SignIn { email, password };
    let entered = service::sign_in(&state, &session, &RequestMeta::current().await, form).await?;
    leptos_axum::redirect(&entered.destination(&safe_next(next.as_deref())));
    Ok(())
}

/// The second step of a sign-in: a code from the authenticator app, or a recovery code.
#[server(endpoint = "accounts/second-factor")]
pub async fn complete_second_factor(code: String, next: Option<String>) -> Result<(), AppError> {
    let state = app_state()?;
    let session = AuthSession::current().await?;
    let meta = RequestMeta::current().await;
    second_factor::complete_sign_in(&state, &session, &meta, &code).await?;
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(())
}

/// A code given again on this device, before a sensitive action (or an admin page, on a device
/// signed in before two-step sign-in was on).
#[server(endpoint = "accounts/second-factor-confirm")]
pub async fn confirm_second_factor(code: String) -> Result<(), AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let meta = RequestMeta::current().await;
    Ok(second_factor::confirm(&app_state()?, &meta, &principal, &code).await?)
}

#[server(endpoint = "accounts/two-step")]
pub async fn load_two_step() -> Result<TwoStepStatus, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    Ok(second_factor::status(&app_state()?, &principal).await?)
}

#[server(endpoint = "accounts/authenticator-start")]
pub async fn start_authenticator() -> Result<AuthenticatorSetup, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    Ok(second_factor::start_authenticator(&app_state()?, &principal).await?)
}

/// Returns the ten recovery codes, shown this once.
#[server(endpoint = "accounts/authenticator-confirm")]
pub async fn confirm_authenticator(code: String) -> Result<Vec<String>, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let meta = RequestMeta::current().await;
    Ok(second_factor::confirm_authenticator(&app_state()?, &meta, &principal, &code).await?)
}

#[server(endpoint = "accounts/authenticator-off")]
pub async fn turn_off_two_step() -> Result<(), AppError> {
    let principal = authorize_confirmed(Need::SignedIn).await?;
    let meta = RequestMeta::current().await;
    Ok(second_factor::turn_off(&app_state()?, &meta, &principal).await?)
}

/// Returns ten new recovery codes; the earlier ones stop working.
#[server(endpoint = "accounts/recovery-codes")]
pub async fn renew_recovery_codes() -> Result<Vec<String>, AppError> {
    let principal = authorize_confirmed(Need::SignedIn).await?;
    let meta = RequestMeta::current().await;
    Ok(second_factor::renew_recovery_codes(&app_state()?, &meta, &principal).await?)
}

/// The options for a new passkey, for `navigator.credentials.create` (JSON).
#[server(endpoint = "accounts/passkey-options")]
pub async fn passkey_registration_options() -> Result<String, AppError> {
    let principal = authorize_confirmed(Need::SignedIn).await?;
    let session = AuthSession::current().await?;
    Ok(passkeys::registration_options(&app_state()?, &session, &principal).await?)
}

/// Keep the passkey the browser made (`answer`: its JSON). Returns ten recovery codes, shown
/// this once, when it is the person's first second factor.
#[server(endpoint = "accounts/passkey-add")]
pub async fn add_passkey(name: String, answer: String) -> Result<Option<Vec<String>>, AppError> {
    let principal = authorize_confirmed(Need::SignedIn).await?;
    let session = AuthSession::current().await?;
    let meta = RequestMeta::current().await;
    Ok(passkeys::add(&app_state()?, &session, &meta, &principal, &name, &answer).await?)
}

#[server(endpoint = "accounts/passkey-remove")]
pub async fn remove_passkey(passkey: PasskeyId) -> Result<(), AppError> {
    let principal = authorize_confirmed(Need::SignedIn).await?;
    let meta = RequestMeta::current().await;
    Ok(passkeys::remove(&app_state()?, &meta, &principal, passkey).await?)
}

/// The options for signing in with a passkey after the email address (JSON).
#[server(endpoint = "accounts/passkey-sign-in-options")]
pub async fn passkey_sign_in_options(email: String) -> Result<String, AppError> {
    let session = AuthSession::current().await?;
    let meta = RequestMeta::current().await;
    Ok(passkeys::sign_in_options(&app_state()?, &session, &meta, &email).await?)
}

/// Sign in with the passkey's answer; returns where the browser goes next.
#[server(endpoint = "accounts/passkey-sign-in")]
pub async fn sign_in_with_passkey(
    answer: String,
    next: Option<String>,
) -> Result<String, AppError> {
    let session = AuthSession::current().await?;
    let meta = RequestMeta::current().await;
    passkeys::finish(
        &app_state()?,
        &session,
        &meta,
        None,
        Ceremony::SignIn,
        &answer,
    )
    .await?;
    Ok(safe_next(next.as_deref()))
}

/// The options for the second step of this browser's sign-in with a passkey (JSON).
#[server(endpoint = "accounts/passkey-second-step-options")]
pub async fn passkey_second_step_options() -> Result<String, AppError> {
    let session = AuthSession::current().await?;
    Ok(passkeys::second_step_options(&app_state()?, &session).await?)
}

/// The second step of a sign-in with a passkey; returns where the browser goes next.
#[server(endpoint = "accounts/passkey-second-step")]
pub async fn second_step_with_passkey(
    answer: String,
    next: Option<String>,
) -> Result<String, AppError> {
    let session = AuthSession::current().await?;
    let meta = RequestMeta::current().await;
    let state = app_state()?;
    passkeys::finish(&state, &session, &meta, None, Ceremony::SecondStep, &answer).await?;
    Ok(safe_next(next.as_deref()))
}

/// The options for confirming a sensitive action with a passkey (JSON).
#[server(endpoint = "accounts/passkey-confirm-options")]
pub async fn passkey_confirm_options() -> Result<String, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let session = AuthSession::current().await?;
    Ok(passkeys::confirm_options(&app_state()?, &session, &principal).await?)
}

/// A passkey given again on this device, before a sensitive action.
#[server(endpoint = "accounts/passkey-confirm")]
pub async fn confirm_with_passkey(answer: String) -> Result<(), AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let session = AuthSession::current().await?;
    let meta = RequestMeta::current().await;
    let state = app_state()?;
    passkeys::finish(
        &state,
        &session,
        &meta,
        Some(&principal),
        Ceremony::Confirm,
        &answer,
    )
    .await?;
    Ok(())
}

#[server(endpoint = "accounts/sign-out")]
pub async fn sign_out() -> Result<(), AppError> {
    let state = app_state()?;
    let session = AuthSession::current().await?;
    if let Some(principal) = current_principal().await? {
        service::sign_out(&state, &session, &RequestMeta::current().await, &principal).await?;
    }
    leptos_axum::redirect("/");
    Ok(())
}

#[server(endpoint = "accounts/oidc-start")]
pub async fn start_oidc(provider: String, next: Option<String>) -> Result<(), AppError> {
    let state = app_state()?;
    let session = AuthSession::current().await?;
    let url = oidc_flow::start(&state, &session, &provider, next.as_deref(), None).await?;
    leptos_axum::redirect(&url);
    Ok(())
}

#[server(endpoint = "accounts/oidc-link")]
pub async fn link_provider(provider: String) -> Result<(), AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let state = app_state()?;
    let session = AuthSession::current().await?;
    let me = Some(principal.viewer.user_id);
    let url = oidc_flow::start(&state, &session, &provider, Some("/account"), me).await?;
    leptos_axum::redirect(&url);
    Ok(())
}

#[server(endpoint = "accounts/oidc-unlink")]
pub async fn unlink_provider(provider: String) -> Result<(), AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let state = app_state()?;
    Ok(oidc_flow::unlink(&state, &RequestMeta::current().await, &principal, &provider).await?)
}

#[server(endpoint = "accounts/overview")]
pub async fn load_account() -> Result<AccountOverview, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    Ok(service::account_overview(&app_state()?, &principal).await?)
}

/// The signed-in person's notifications, page `page` (from 1).
#[server(endpoint = "accounts/notifications")]
pub async fn load_notifications(page: u32) -> Result<NotificationPage, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let user = principal.viewer.user_id;
    let state = app_state()?;
    Ok(notifications::page(&state.db, &state.vault, user, page).await?)
}

/// How many notifications the signed-in person hasn't read; nothing for a visitor.
#[server(endpoint = "accounts/notifications-unread")]
pub async fn unread_notifications() -> Result<Option<Unread>, AppError> {
    let Some(principal) = current_principal().await? else {
        return Ok(None);
    };
    let user = principal.viewer.user_id;
    Ok(Some(notifications::unread(&app_state()?.db, user).await?))
}

#[server(endpoint = "accounts/notification-read")]
pub async fn mark_notification_read(id: NotificationId) -> Result<(), AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let state = app_state()?;
    let user = principal.viewer.user_id;
    Ok(notifications::mark_read(&state.db, user, id, state.clock.now()).await?)
}

/// Returns how many were unread.
#[server(endpoint = "accounts/notifications-read")]
pub async fn mark_all_notifications_read() -> Result<u64, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let state = app_state()?;
    let user = principal.viewer.user_id;
    Ok(notifications::mark_all_read(&state.db, user, state.clock.now()).await?)
}

/// The signed-in person's email setting for each kind of notification.
#[server(endpoint = "accounts/email-preferences")]
pub async fn load_email_preferences() -> Result<Vec<EmailPreference>, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let user = principal.viewer.user_id;
    Ok(notifications::email_preferences(&app_state()?.db, user).await?)
}

/// `email`: kind → cadence by their form names (`email[offer_made]=daily`).
#[server(endpoint = "accounts/email-preferences-save")]
pub async fn save_email_preferences(
    email: std::collections::HashMap<String, String>,
) -> Result<(), AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let choices = crate::notifications::model::parse_email_preferences(&email)
        .map_err(AppError::with_status)?;
    let user = principal.viewer.user_id;
    Ok(notifications::set_email_preferences(&app_state()?.db, user, &choices).await?)
}

#[server(endpoint = "accounts/profile")]
pub async fn update_profile(display_name: String) -> Result<(), AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let meta = RequestMeta::current().await;
    Ok(service::update_profile(&app_state()?, &meta, &principal, &display_name).await?)
}

#[server(endpoint = "accounts/password")]
pub async fn change_password(current: Option<String>, new: String) -> Result<(), AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let state = app_state()?;
    let session = AuthSession::current().await?;
    let form = passwords::ChangePassword {
        current: current.unwrap_or_default(),
        new,
    };
    let meta = RequestMeta::current().await;
    Ok(passwords::change_password(&state, &session, &meta, &principal, form).await?)
}

/// Returns how many other devices were signed out.
#[server(endpoint = "accounts/sign-out-elsewhere")]
pub async fn sign_out_elsewhere() -> Result<u64, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let meta = RequestMeta::current().await;
    Ok(service::sign_out_elsewhere(&app_state()?, &meta, &principal).await?)
}

#[server(endpoint = "accounts/sign-out-device")]
pub async fn sign_out_device(login_id: LoginId) -> Result<(), AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let meta = RequestMeta::current().await;
    Ok(service::sign_out_device(&app_state()?, &meta, &principal, login_id).await?)
}

/// Returns the address as understood; the answer never says whether it has an account.
#[server(endpoint = "accounts/reset-request")]
pub async fn request_password_reset(email: String) -> Result<String, AppError> {
    let state = app_state()?;
    Ok(passwords::request_password_reset(&state, &RequestMeta::current().await, &email).await?)
}

#[server(endpoint = "accounts/reset-check")]
pub async fn check_reset_link(token: String) -> Result<bool, AppError> {
    Ok(passwords::reset_link_is_usable(&app_state()?, &token).await?)
}

#[server(endpoint = "accounts/reset")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    let state = app_state()?;
    let session = AuthSession::current().await?;
    let meta = RequestMeta::current().await;
    let entered = passwords::reset_password(&state, &session, &meta, &token, password).await?;
    leptos_axum::redirect(&entered.destination("/account?reset=1"));
    Ok(())
}

// ---- organisations -------------------------------------------------------------------------

#[server(endpoint = "accounts/org-create")]
pub async fn create_organisation(name: String) -> Result<(), AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let state = app_state()?;
    let session = AuthSession::current().await?;
    let meta = RequestMeta::current().await;
    let slug = orgs::create(&state, &session, &meta, &principal, &name).await?;
    leptos_axum::redirect(&format!("/hire/org/{slug}/settings"));
    Ok(())
}

#[server(endpoint = "accounts/org-settings")]
pub async fn load_organisation(slug: String) -> Result<OrganisationSettings, AppError> {
    let principal = authorize(Need::Organisation {
        slug: &slug,
        owner: false,
    })
    .await?;
    Ok(orgs::settings(&app_state()?, &principal, &slug).await?)
}

#[server(endpoint = "accounts/org-invite")]
pub async fn invite_manager(slug: String, email: String) -> Result<(), AppError> {
    let principal = authorize(Need::Organisation {
        slug: &slug,
        owner: true,
    })
    .await?;
    let meta = RequestMeta::current().await;
    Ok(orgs::invite(&app_state()?, &meta, &principal, &slug, &email).await?)
}

#[server(endpoint = "accounts/org-revoke-invitation")]
pub async fn revoke_invitation(slug: String, invitation_id: InvitationId) -> Result<(), AppError> {
    let principal = authorize(Need::Organisation {
        slug: &slug,
        owner: true,
    })
    .await?;
    let meta = RequestMeta::current().await;
    Ok(orgs::revoke_invitation(&app_state()?, &meta, &principal, &slug, invitation_id).await?)
}

#[server(endpoint = "accounts/org-remove-member")]
pub async fn remove_member(slug: String, user_id: UserId) -> Result<(), AppError> {
    let principal = authorize(Need::Organisation {
        slug: &slug,
        owner: true,
    })
    .await?;
    let meta = RequestMeta::current().await;
    Ok(orgs::remove_member(&app_state()?, &meta, &principal, &slug, user_id).await?)
}

#[server(endpoint = "accounts/org-transfer")]
pub async fn transfer_ownership(slug: String, user_id: UserId) -> Result<(), AppError> {
    let principal = authorize(Need::Organisation {
        slug: &slug,
        owner: true,
    })
    .await?;
    let state = app_state()?;
    let session = AuthSession::current().await?;
    let meta = RequestMeta::current().await;
    Ok(orgs::transfer_ownership(&state, &session, &meta, &principal, &slug, user_id).await?)
}

#[server(endpoint = "accounts/invitation")]
pub async fn load_invitation(token: String) -> Result<InvitationPreview, AppError> {
    Ok(orgs::preview_invitation(&app_state()?, &token).await?)
}

#[server(endpoint = "accounts/invitation-accept")]
pub async fn accept_invitation(token: String) -> Result<(), AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let state = app_state()?;
    let session = AuthSession::current().await?;
    let meta = RequestMeta::current().await;
    let slug = orgs::accept_invitation(&state, &session, &meta, &principal, &token).await?;
    leptos_axum::redirect(&format!("/hire/org/{slug}/settings"));
    Ok(())
}

// ---- admin ---------------------------------------------------------------------------------

#[server(endpoint = "admin/overview")]
pub async fn load_admin_overview() -> Result<AdminOverview, AppError> {
    let principal = authorize(Need::AnyAdmin).await?;
    Ok(admin::overview(&app_state()?, &principal).await?)
}

#[server(endpoint = "admin/users")]
pub async fn load_admin_users(query: String, page: u32) -> Result<AdminUsersPage, AppError> {
    authorize(Need::Role(Role::AdminSupport)).await?;
    Ok(admin::users_page(&app_state()?, &query, page).await?)
}

/// Grant (`held = true`) or remove one role.
#[server(endpoint = "admin/user-role")]
pub async fn set_user_role(user_id: UserId, role: Role, held: bool) -> Result<(), AppError> {
    let principal = authorize_confirmed(Need::Role(Role::AdminSupport)).await?;
    let meta = RequestMeta::current().await;
    admin::set_role(&app_state()?, &meta, &principal, user_id, role, held).await?;
    if user_id == principal.viewer.user_id {
        // One's own privileges changed: a new session id, as at sign-in.
        AuthSession::current().await?.rotate().await?;
    }
    Ok(())
}

/// A page of the audit trail, newest first, filtered by `query`; `before` is the cursor of an
/// older page.
#[server(endpoint = "admin/audit")]
pub async fn load_audit_trail(
    #[server(default)] query: AuditQuery,
    #[server(default)] before: Option<i64>,
) -> Result<AuditTrail, AppError> {
    authorize(Need::Role(Role::AdminSupport)).await?;
    Ok(admin::audit_trail(&app_state()?, &query, before).await?)
}

/// The audit chain, verified now, and its latest checkpoint.
#[server(endpoint = "admin/audit/chain")]
pub async fn load_audit_chain() -> Result<ChainStatus, AppError> {
    authorize(Need::Role(Role::AdminSupport)).await?;
    Ok(admin::audit_chain(&app_state()?).await?)
}

/// The signed-in person's data downloads, newest first.
#[server(endpoint = "accounts/privacy")]
pub async fn load_data_exports() -> Result<Vec<crate::privacy::model::ExportView>, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    Ok(crate::privacy::service::overview(&app_state()?, principal.viewer.user_id).await?)
}

/// Ask for a download of everything Olivine holds about the signed-in person; it is mailed.
#[server(endpoint = "accounts/privacy-export")]
pub async fn request_data_export() -> Result<(), AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let meta = RequestMeta::current().await;
    Ok(crate::privacy::service::request(&app_state()?, principal.viewer.user_id, meta.ip).await?)
}

/// The erasure the signed-in person asked for, while it can be cancelled.
#[server(endpoint = "accounts/privacy-erasure")]
pub async fn load_erasure() -> Result<Option<crate::privacy::model::ErasureView>, AppError> {
    let principal = authorize(Need::SignedIn).await?;
    Ok(crate::privacy::erasure::of_person(&app_state()?, principal.viewer.user_id).await?)
}

/// Erase the signed-in person after the grace period (`confirm`: the box saying they
/// understand). Asks for the second factor again when it is not recent.
#[server(endpoint = "accounts/privacy-erase")]
pub async fn request_erasure(#[server(default)] confirm: Option<String>) -> Result<(), AppError> {
    use crate::privacy::erasure::{Asker, request};
    let principal = authorize_confirmed(Need::SignedIn).await?;
    if confirm.is_none() {
        return Err(AppError::field("confirm", "Tick the box to confirm.").with_status());
    }
    let meta = RequestMeta::current().await;
    let state = app_state()?;
    request(&state, principal.viewer.user_id, Asker::Themselves, meta.ip).await?;
    Ok(())
}

/// The signed-in person changes their mind about erasure `id`.
#[server(endpoint = "accounts/privacy-erasure-cancel")]
pub async fn cancel_erasure(id: uuid::Uuid) -> Result<(), AppError> {
    let principal = authorize(Need::SignedIn).await?;
    let meta = RequestMeta::current().await;
    let me = principal.viewer.user_id;
    Ok(crate::privacy::erasure::cancel(&app_state()?, id, Some(me), me, meta.ip).await?)
}

/// Erasure requests for support: waiting ones by deadline first.
#[server(endpoint = "admin/privacy")]
pub async fn load_erasures() -> Result<crate::privacy::model::SupportErasures, AppError> {
    authorize(Need::Role(Role::AdminSupport)).await?;
    Ok(crate::privacy::erasure::for_support(&app_state()?).await?)
}

/// Support asks to erase the account with `email` for its person (how they asked: `note`).
#[server(endpoint = "admin/privacy-erase")]
pub async fn admin_request_erasure(email: String, note: String) -> Result<(), AppError> {
    use crate::privacy::erasure::{Asker, account_by_email, request};
    let principal = authorize_confirmed(Need::Role(Role::AdminSupport)).await?;
    let meta = RequestMeta::current().await;
    let state = app_state()?;
    let person = account_by_email(&state, &email).await?;
    let asker = Asker::Support {
        admin: principal.viewer.user_id,
        note: &note,
    };
    request(&state, person, asker, meta.ip).await?;
    Ok(())
}

/// Support cancels erasure `id` (the person changed their mind by mail or phone).
#[server(endpoint = "admin/privacy-cancel")]
pub async fn admin_cancel_erasure(id: uuid::Uuid) -> Result<(), AppError> {
    let principal = authorize_confirmed(Need::Role(Role::AdminSupport)).await?;
    let meta = RequestMeta::current().await;
    let by = principal.viewer.user_id;
    Ok(crate::privacy::erasure::cancel(&app_state()?, id, None, by, meta.ip).await?)
}
