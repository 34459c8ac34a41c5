//! Account pages: sign-in and sign-up, the account and security pages, organisations, the
//! admin users list; and the header's account menu.

mod account;
mod admin;
mod audit;
mod erasures;
mod live;
mod notifications;
mod orgs;
mod privacy;
mod second_factor;
mod signin;

pub use account::{AccountPage, SecurityPage};
pub use admin::{AdminHomePage, AdminUsersPage};
pub use audit::AdminAuditPage;
pub use erasures::AdminPrivacyPage;
pub use live::connect_live;
pub use notifications::{NotificationBell, NotificationsPage};
pub use orgs::{InvitationPage, NewOrganisationPage, OrganisationSettingsPage};
pub use privacy::PrivacyPage;
pub use second_factor::SecondFactorNeeded;
pub use signin::{
    ResetPasswordPage, SecondFactorPage, SignInLinkPage, SignInPage, SignUpPage, VerifyEmailPage,
};

use super::api::{SignOut, load_viewer, unread_notifications};
use super::model::Viewer;
use crate::error::AppError;
use crate::notifications::model::Unread;
use leptos::prelude::*;
use leptos::server::ServerAction;

/// The signed-in person for the whole page, refetched when an action changes who that is, and
/// how many of their notifications are unread (for the header's bell).
#[derive(Clone, Copy)]
pub struct ViewerState {
    pub viewer: Resource<Result<Option<Viewer>, AppError>>,
    pub unread: Resource<Result<Option<Unread>, AppError>>,
    version: RwSignal<u32>,
    notifications: RwSignal<u32>,
}

impl ViewerState {
    pub fn provide() -> Self {
        let version = RwSignal::new(0u32);
        let notifications = RwSignal::new(0u32);
        let viewer = Resource::new(move || version.get(), |_| load_viewer());
        let unread = Resource::new(
            move || (version.get(), notifications.get()),
            |_| unread_notifications(),
        );
        let state = ViewerState {
            viewer,
            unread,
            version,
            notifications,
        };
        provide_context(state);
        state
    }

    /// Changes whenever the viewer may have changed: a tracked read, for resources that
    /// depend on who is signed in (the cart).
    pub fn generation(&self) -> u32 {
        self.version.get()
    }

    /// Changes whenever the person's notifications may have changed (a tracked read).
    pub fn notifications_generation(&self) -> u32 {
        self.notifications.get()
    }

    /// Notifications arrived or were read: the bell asks again.
    pub fn notifications_changed(&self) {
        self.notifications.update(|v| *v += 1);
    }

    /// Ask the server again (after sign-in, sign-out, role or membership changes).
    pub fn refresh(&self) {
        self.version.update(|v| *v += 1);
    }
}

/// Refresh the viewer whenever `action` succeeds.
pub fn refresh_viewer_on_success<I, O>(action: ServerAction<I>)
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    let Some(state) = use_context::<ViewerState>() else {
        return;
    };
    Effect::new(move |_| {
        if action.value().with(|v| matches!(v, Some(Ok(_)))) {
            state.refresh();
        }
    });
}

#[component]
pub fn AccountMenu() -> impl IntoView {
    let Some(state) = use_context::<ViewerState>() else {
        return ().into_any();
    };
    let sign_out = ServerAction::<SignOut>::new();
    refresh_viewer_on_success(sign_out);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match state.viewer.await {
                    Ok(Some(viewer)) => {
                        let unread = state.unread.await.ok().flatten().map_or(0, |u| u.count);
                        let admin = viewer.is_admin();
                        view! {
                            <ul class="account-menu" role="list">
                                {admin.then(|| view! { <li><a href="/admin">"Back office"</a></li> })}
                                <li><a href="/orders">"Orders"</a></li>
                                <li><NotificationBell unread/></li>
                                <li><a href="/account" class="account-menu__me">{viewer.display_name}</a></li>
                                <li>
                                    <ActionForm action=sign_out attr:class="inline-form">
                                        <button type="submit" class="link-button">"Sign out"</button>
                                    </ActionForm>
                                </li>
                            </ul>
                        }
                        .into_any()
                    }
                    Ok(None) | Err(_) => view! {
                        <ul class="account-menu" role="list">
                            <li><a href="/signin">"Sign in"</a></li>
                            <li><a href="/signup" class="button button--small">"Create account"</a></li>
                        </ul>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

/// The account pages' title and tabs; `current` is the open tab's path.
#[component]
fn AccountHead(title: &'static str, current: &'static str) -> impl IntoView {
    let tab = move |href: &'static str, label: &'static str| {
        view! { <a href=href aria-current=(href == current).then_some("page")>{label}</a> }
    };
    view! {
        <leptos_meta::Title text=title/>
        <header class="page-head">
            <h1>"Your account"</h1>
            <nav class="tabs" aria-label="Account">
                {tab("/account", "Profile")}
                {tab("/account/security", "Password & devices")}
                {tab("/account/notifications", "Notifications")}
                {tab("/account/privacy", "Privacy")}
            </nav>
        </header>
    }
}
