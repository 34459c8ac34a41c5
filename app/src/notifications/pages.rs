//! `/email/unsubscribe`: where an email's unsubscribe link lands (it asks before it stops
//! anything: mail scanners open links); and `/dev/mailbox`: the mail the local relay
//! "delivered", newest first, links clickable.

use super::api::{StopEmail, load_mailbox, load_unsubscribe};
use crate::error::AppError;
use crate::ui::{ErrorPage, FormError, form_error};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn UnsubscribePage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let link = Resource::new(token, load_unsubscribe);
    let stop = ServerAction::<StopEmail>::new();
    let error = form_error(stop);
    view! {
        <Title text="Unsubscribe — Olivine"/>
        <header class="page-head">
            <h1>"Unsubscribe"</h1>
        </header>
        <section class="panel" data-testid="unsubscribe">
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || {
                let stopped = stop.value().get().is_some_and(|r| r.is_ok());
                Suspend::new(async move {
                    let settings = view! {
                        <p>
                            "You still see every notification on your "
                            <a href="/account/notifications">"notifications page"</a>
                            ", where you can also choose again what reaches your inbox."
                        </p>
                    };
                    let link = match link.await {
                        Ok(link) => link,
                        // A link that doesn't work says why and where to go instead; trying
                        // again would not help.
                        Err(error @ AppError::Unprocessable { .. }) => return view! {
                            <p role="alert" data-testid="unsubscribe-invalid">{error.detail()}</p>
                            {settings}
                        }.into_any(),
                        Err(error) => return view! { <ErrorPage error/> }.into_any(),
                    };
                    let what = link.what();
                    if stopped {
                        return view! {
                            <p role="status" data-testid="unsubscribed">{format!("Done: you will get no more {what}.")}</p>
                            {settings}
                        }.into_any();
                    }
                    if link.used {
                        // Used before: what it stopped then may have been chosen again since.
                        return view! {
                            <p role="status" data-testid="unsubscribed">{format!("This link was already used: it stopped {what}.")}</p>
                            {settings}
                        }.into_any();
                    }
                    view! {
                        <p>{format!("Stop {what}?")}</p>
                        <FormError error/>
                        <ActionForm action=stop attr:class="form">
                            <input type="hidden" name="token" value=token()/>
                            <button type="submit" class="button">"Unsubscribe"</button>
                        </ActionForm>
                        {settings}
                    }.into_any()
                })
                }}
            </Suspense>
        </section>
    }
}

#[component]
pub fn MailboxPage() -> impl IntoView {
    let mail = Resource::new(|| (), |()| load_mailbox());
    view! {
        <Title text="Dev mailbox — Olivine"/>
        <header class="page-head">
            <p class="eyebrow">"Local development"</p>
            <h1>"Mailbox"</h1>
            <p class="muted">"Email the app sent while no SMTP server is configured. Newest first; reload to see new mail."</p>
        </header>
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match mail.await {
                    Ok(messages) if messages.is_empty() => view! { <p>"No mail yet."</p> }.into_any(),
                    Ok(messages) => view! {
                        <ol class="mailbox" role="list">
                            {messages.into_iter().map(|m| view! {
                                <li class="mailbox__message panel" data-to=m.recipient.clone()>
                                    <p class="mailbox__meta">
                                        <strong class="mailbox__subject">{m.subject}</strong>
                                        <br/>
                                        <span class="muted">{format!("To {} · {}", m.recipient, m.sent_at.format("%-d %b %Y %H:%M:%S UTC"))}</span>
                                    </p>
                                    <pre class="mailbox__body">{linkify(&m.body_text)}</pre>
                                </li>
                            }).collect_view()}
                        </ol>
                    }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Plain text with its http(s) URLs turned into links.
fn linkify(text: &str) -> Vec<AnyView> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest
        .find("http://")
        .or_else(|| rest.find("https://"))
        .map(|i| {
            // Whichever scheme comes first.
            match (rest.find("http://"), rest.find("https://")) {
                (Some(a), Some(b)) => a.min(b),
                _ => i,
            }
        })
    {
        out.push(rest[..start].to_owned().into_any());
        let end = rest[start..]
            .find(char::is_whitespace)
            .map_or(rest.len(), |e| start + e);
        let url = rest[start..end].to_owned();
        let href = url.clone();
        out.push(view! { <a href=href>{url}</a> }.into_any());
        rest = &rest[end..];
    }
    out.push(rest.to_owned().into_any());
    out
}
