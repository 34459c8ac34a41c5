//! `/dev/mailbox`: the mail the local relay "delivered", newest first, links clickable.

use super::api::load_mailbox;
use crate::ui::ErrorPage;
use leptos::prelude::*;
use leptos_meta::Title;

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
