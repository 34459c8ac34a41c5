//! `/account/notifications`: what the signed-in person was told about, newest first, with
//! mark-read and mark-all-read, and which of it also reaches their inbox; and the header's bell
//! with the unread count.

use super::{AccountHead, ViewerState};
use crate::accounts::api::{
    MarkAllNotificationsRead, MarkNotificationRead, SaveEmailPreferences, load_email_preferences,
    load_notifications,
};
use crate::notifications::model::{Audience, EmailCadence, EmailPreference, Notification};
use crate::ui::{ErrorPage, FormError, Notice, Pagination, form_error, use_list_query};
use leptos::prelude::*;

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let viewer = use_context::<ViewerState>();
    let read_one = ServerAction::<MarkNotificationRead>::new();
    let read_all = ServerAction::<MarkAllNotificationsRead>::new();
    let (_, page) = use_list_query();
    // Live arrivals show here at once, whatever they link to.
    let list = Resource::new(
        move || {
            (
                page.get(),
                read_one.version().get() + read_all.version().get(),
                viewer.map_or(0, |v| v.notifications_generation()),
            )
        },
        |(page, _, _)| load_notifications(page),
    );
    // The bell follows what this page marks.
    Effect::new(move |_| {
        let changed = read_one.version().get() + read_all.version().get();
        if changed > 0
            && let Some(viewer) = viewer
        {
            viewer.notifications_changed();
        }
    });
    let error = Signal::derive(move || {
        form_error(read_one)
            .get()
            .or_else(|| form_error(read_all).get())
    });
    view! {
        <AccountHead title="Notifications — Olivine" current="/account/notifications"/>
        <FormError error/>
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) if list.total == 0 => view! {
                        <p class="notice" data-testid="no-notifications">
                            "Nothing yet. Offers, bookings, hours, messages and order updates will show up here."
                        </p>
                    }.into_any(),
                    Ok(list) => view! {
                        <div class="toolbar">
                            <p class="toolbar__count" data-testid="unread-count">
                                {match list.unread {
                                    0 => "All read".to_owned(),
                                    1 => "1 unread".to_owned(),
                                    n => format!("{n} unread"),
                                }}
                            </p>
                            {(list.unread > 0).then(|| view! {
                                <ActionForm action=read_all attr:class="inline-form">
                                    <button type="submit" class="button button--quiet">"Mark all as read"</button>
                                </ActionForm>
                            })}
                        </div>
                        <ul class="notifications" role="list" data-testid="notifications">
                            {list.notifications.into_iter().map(|n| view! { <Item n read_one/> }).collect_view()}
                        </ul>
                        <Pagination page=list.page total_pages=list.total_pages href=|p| format!("/account/notifications?page={p}")/>
                    }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
        <EmailSettings/>
    }
}

/// Per kind: email at once, in the morning digest, or not at all.
#[component]
fn EmailSettings() -> impl IntoView {
    let save = ServerAction::<SaveEmailPreferences>::new();
    let preferences = Resource::new(move || save.version().get(), |_| load_email_preferences());
    let saved = move || save.value().get().is_some_and(|r| r.is_ok());
    let error = form_error(save);
    view! {
        <section class="panel" aria-labelledby="email-heading" data-testid="email-settings">
            <h2 id="email-heading">"Email"</h2>
            <p class="muted">
                "Everything shows up on this page. Choose what also reaches your inbox: at once, "
                "in one digest each morning at 08:00, or not at all. Order receipts and shipping "
                "notes are always emailed."
            </p>
            <FormError error/>
            {move || saved().then(|| view! { <Notice tone="success"><p>"Email settings saved."</p></Notice> })}
            <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match preferences.await {
                        Ok(preferences) => {
                            let groups: Vec<(Audience, Vec<EmailPreference>)> = Audience::ALL
                                .into_iter()
                                .map(|audience| {
                                    let rows: Vec<EmailPreference> = preferences.iter().copied().filter(|p| p.kind.audience() == audience).collect();
                                    (audience, rows)
                                })
                                .filter(|(_, rows)| !rows.is_empty())
                                .collect();
                            view! {
                                <ActionForm action=save attr:class="form email-settings">
                                    {groups.into_iter().map(|(audience, rows)| view! {
                                        <fieldset class="email-settings__group">
                                            <legend>{audience.heading()}</legend>
                                            {rows.into_iter().map(|p| view! { <CadenceField preference=p/> }).collect_view()}
                                        </fieldset>
                                    }).collect_view()}
                                    <button type="submit" class="button">"Save email settings"</button>
                                </ActionForm>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn CadenceField(preference: EmailPreference) -> impl IntoView {
    let id = format!("email-{}", preference.kind.db_name());
    let name = format!("email[{}]", preference.kind.db_name());
    view! {
        <div class="field email-settings__row">
            <label for=id.clone()>{preference.kind.label()}</label>
            <select id=id name=name>
                {EmailCadence::ALL.iter().map(|&cadence| view! {
                    <option value=cadence.db_name() selected=cadence == preference.email>{cadence.label()}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn Item(n: Notification, read_one: ServerAction<MarkNotificationRead>) -> impl IntoView {
    let id = n.id.to_string();
    view! {
        <li class="notification" class:notification--unread=!n.read data-testid="notification">
            <p class="notification__head">
                <span class="tag">{n.kind.label()}</span>
                " "
                <time datetime=n.at.to_rfc3339()>{n.at.format("%-d %b %Y, %H:%M UTC").to_string()}</time>
            </p>
            <p class="notification__title"><a href=n.link>{n.title}</a></p>
            <p class="notification__body">{n.body}</p>
            {(!n.read).then(|| view! {
                <ActionForm action=read_one attr:class="inline-form">
                    <input type="hidden" name="id" value=id/>
                    <button type="submit" class="link-button">"Mark as read"</button>
                </ActionForm>
            })}
        </li>
    }
}

/// The header's link to the notifications, with how many are unread.
#[component]
pub fn NotificationBell(unread: i64) -> impl IntoView {
    let label = match unread {
        0 => "Notifications".to_owned(),
        1 => "Notifications, 1 unread".to_owned(),
        n => format!("Notifications, {n} unread"),
    };
    let count = match unread {
        0 => None,
        1..=99 => Some(unread.to_string()),
        _ => Some("99+".to_owned()),
    };
    view! {
        <a href="/account/notifications" class="bell" aria-label=label data-testid="bell">
            <svg class="bell__icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                <path d="M12 3a6 6 0 0 0-6 6v3.6L4.3 15.3A1 1 0 0 0 5.1 17h13.8a1 1 0 0 0 .8-1.7L18 12.6V9a6 6 0 0 0-6-6Zm-2.5 15.5a2.5 2.5 0 0 0 5 0" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/>
            </svg>
            {count.map(|n| view! { <span class="bell__count" data-testid="bell-count">{n}</span> })}
        </a>
    }
}
