//! The account page (profile, sign-in methods, organisations) and the security page
//! (password, signed-in devices).

use super::AccountHead;
use super::second_factor::{TwoStepActions, TwoStepSection};
use crate::accounts::api::{
    ChangePassword, LinkProvider, SignOutDevice, SignOutElsewhere, UnlinkProvider, UpdateProfile,
    load_account, load_two_step,
};
use crate::accounts::model::{AccountOverview, ActiveSession};
use crate::ui::{ErrorPage, FormError, Notice, TextField, form_error};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn short_date(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%-d %b %Y, %H:%M UTC").to_string()
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let profile = ServerAction::<UpdateProfile>::new();
    let unlink = ServerAction::<UnlinkProvider>::new();
    super::refresh_viewer_on_success(profile);
    let account = Resource::new(
        move || (profile.version().get(), unlink.version().get()),
        |_| load_account(),
    );
    let query = use_query_map();
    let banner = move || {
        query.with(|q| {
            if q.get("welcome").is_some() {
                Some("Welcome to Olivine — your email address is confirmed.")
            } else if q.get("reset").is_some() {
                Some("Your new password is saved. Other devices were signed out.")
            } else if q.get("linked").is_some() {
                Some("Done: you can now sign in with that provider too.")
            } else {
                None
            }
        })
    };
    view! {
        <AccountHead title="Your account — Olivine" current="/account"/>
        {move || banner().map(|text| view! { <Notice tone="success"><p>{text}</p></Notice> })}
        <Transition fallback=|| view! { <p aria-busy="true">"Loading your account…"</p> }>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(overview) => view! { <AccountSections overview profile unlink/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AccountSections(
    overview: AccountOverview,
    profile: ServerAction<UpdateProfile>,
    unlink: ServerAction<UnlinkProvider>,
) -> impl IntoView {
    let profile_error = form_error(profile);
    let unlink_error = form_error(unlink);
    let link = ServerAction::<LinkProvider>::new();
    let link_error = form_error(link);
    let saved = move || profile.value().with(|v| matches!(v, Some(Ok(()))));
    let linked_ids: Vec<String> = overview.linked.iter().map(|l| l.provider.clone()).collect();
    let linkable: Vec<_> = overview
        .providers
        .iter()
        .filter(|p| !linked_ids.contains(&p.id))
        .cloned()
        .collect();
    let viewer = overview.viewer.clone();
    view! {
        <section class="panel" aria-labelledby="profile-heading">
            <h2 id="profile-heading">"Profile"</h2>
            <p>"Email: " <strong>{viewer.email.clone()}</strong></p>
            <ActionForm action=profile attr:class="form form--narrow">
                <TextField label="Your name" name="display_name" autocomplete="name" value=viewer.display_name.clone() error=profile_error/>
                <FormError error=profile_error/>
                <button type="submit" class="button">"Save"</button>
                {move || saved().then(|| view! { <span class="saved" role="status">"Saved"</span> })}
            </ActionForm>
            <p class="roles">
                "Roles: shopper"
                {viewer.roles.iter().map(|r| format!(", {}", r.label().to_lowercase())).collect::<String>()}
                {(!viewer.memberships.is_empty()).then_some(", hiring manager")}
            </p>
        </section>

        <nav class="panel account-links" aria-label="Your shop">
            <ul role="list">
                <li><a href="/orders">"Orders"</a></li>
                <li><a href="/account/subscriptions">"Subscriptions"</a></li>
                <li><a href="/account/loyalty">"Loyalty points"</a></li>
                <li><a href="/account/notifications">"Notifications"</a></li>
            </ul>
        </nav>

        <section class="panel" aria-labelledby="logins-heading">
            <h2 id="logins-heading">"Ways to sign in"</h2>
            <ul class="list" role="list">
                <li class="list__row">
                    <span>"Email and password"</span>
                    <span class="muted">{if overview.has_password { "Set" } else { "Not set" }}</span>
                    <a href="/account/security">{if overview.has_password { "Change" } else { "Set a password" }}</a>
                </li>
                {overview.linked.into_iter().map(|l| view! {
                    <li class="list__row">
                        <span>{l.provider_name}</span>
                        <span class="muted">{l.email.unwrap_or_default()}</span>
                        <ActionForm action=unlink attr:class="inline-form">
                            <input type="hidden" name="provider" value=l.provider/>
                            <button type="submit" class="link-button">"Unlink"</button>
                        </ActionForm>
                    </li>
                }).collect_view()}
            </ul>
            <FormError error=unlink_error/>
            {linkable.into_iter().map(|p| view! {
                <ActionForm action=link attr:class="inline-form">
                    <input type="hidden" name="provider" value=p.id/>
                    <button type="submit" class="button button--quiet">{format!("Link {}", p.name)}</button>
                </ActionForm>
            }).collect_view()}
            <FormError error=link_error/>
        </section>

        <section class="panel" aria-labelledby="orgs-heading">
            <h2 id="orgs-heading">"Organisations"</h2>
            {if viewer.memberships.is_empty() {
                view! { <p>"Hiring through Olivine? Create your organisation, then invite your managers."</p> }.into_any()
            } else {
                view! {
                    <ul class="list" role="list">
                        {viewer.memberships.into_iter().map(|m| view! {
                            <li class="list__row">
                                <span>{m.name}</span>
                                <span class="muted">{m.role.label()}</span>
                                <a href=format!("/hire/org/{}/settings", m.slug)>"Settings"</a>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <a class="button button--quiet" href="/hire/org/new">"Create an organisation"</a>
        </section>
    }
}

#[component]
pub fn SecurityPage() -> impl IntoView {
    let password = ServerAction::<ChangePassword>::new();
    let elsewhere = ServerAction::<SignOutElsewhere>::new();
    let device = ServerAction::<SignOutDevice>::new();
    let account = Resource::new(
        move || {
            (
                password.version().get(),
                elsewhere.version().get(),
                device.version().get(),
            )
        },
        |_| load_account(),
    );
    let two_step_actions = TwoStepActions::new();
    let two_step = Resource::new(move || two_step_actions.version(), |_| load_two_step());
    view! {
        <AccountHead title="Password and devices — Olivine" current="/account/security"/>
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match (account.await, two_step.await) {
                    (Ok(overview), Ok(status)) => view! {
                        <TwoStepSection status actions=two_step_actions/>
                        <PasswordSection has_password=overview.has_password action=password/>
                        <DevicesSection sessions=overview.sessions elsewhere device/>
                    }.into_any(),
                    (Err(error), _) | (_, Err(error)) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PasswordSection(has_password: bool, action: ServerAction<ChangePassword>) -> impl IntoView {
    let error = form_error(action);
    let saved = move || action.value().with(|v| matches!(v, Some(Ok(()))));
    view! {
        <section class="panel" aria-labelledby="password-heading">
            <h2 id="password-heading">{if has_password { "Change password" } else { "Set a password" }}</h2>
            {move || saved().then(|| view! {
                <Notice tone="success"><p>"Password saved. Your other devices were signed out."</p></Notice>
            })}
            <ActionForm action=action attr:class="form form--narrow" attr:novalidate=true>
                {has_password.then(|| view! {
                    <TextField label="Current password" name="current" kind="password" autocomplete="current-password" error/>
                })}
                <TextField label="New password" name="new" kind="password" autocomplete="new-password"
                    hint="At least 12 characters." error/>
                <FormError error/>
                <button type="submit" class="button">"Save password"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn DevicesSection(
    sessions: Vec<ActiveSession>,
    elsewhere: ServerAction<SignOutElsewhere>,
    device: ServerAction<SignOutDevice>,
) -> impl IntoView {
    let others = sessions.iter().filter(|s| !s.current).count();
    let done = move || elsewhere.value().get().and_then(Result::ok);
    view! {
        <section class="panel" aria-labelledby="devices-heading">
            <h2 id="devices-heading">"Signed-in devices"</h2>
            {move || done().map(|n| view! {
                <Notice tone="success"><p>{format!("Signed out of {n} other device{}.", if n == 1 { "" } else { "s" })}</p></Notice>
            })}
            <ul class="list" role="list" data-testid="sessions">
                {sessions.into_iter().map(|s| view! {
                    <li class="list__row">
                        <span>
                            <strong>{summarise_agent(&s.user_agent)}</strong>
                            {s.current.then(|| view! { <span class="tag">"This device"</span> })}
                            <br/>
                            <span class="muted">
                                {format!("{} · signed in {} · last active {}", s.method, short_date(s.created_at), short_date(s.last_seen_at))}
                                {s.ip.map(|ip| format!(" · {ip}"))}
                            </span>
                        </span>
                        {(!s.current).then(|| view! {
                            <ActionForm action=device attr:class="inline-form">
                                <input type="hidden" name="login_id" value=s.login_id.to_string()/>
                                <button type="submit" class="link-button">"Sign out"</button>
                            </ActionForm>
                        })}
                    </li>
                }).collect_view()}
            </ul>
            {(others > 0).then(|| view! {
                <ActionForm action=elsewhere attr:class="inline-form">
                    <button type="submit" class="button button--quiet">"Sign out of all other devices"</button>
                </ActionForm>
            })}
        </section>
    }
}

/// "Chrome on Linux" from a user-agent string, good enough to recognise one's devices.
fn summarise_agent(agent: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .iter()
    .find(|(needle, _)| agent.contains(needle))
    .map_or("A browser", |(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(needle, _)| agent.contains(needle))
    .map(|(_, name)| *name);
    match system {
        Some(system) => format!("{browser} on {system}"),
        None => browser.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::summarise_agent;

    #[test]
    fn user_agents_read_like_devices() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
        assert_eq!(summarise_agent(chrome), "Chrome on Linux");
        assert_eq!(summarise_agent("curl/8.0"), "A browser");
    }
}
