//! Message threads: the freelancer's and the organisation's inbox and one thread each.

use crate::error::AppError;
use crate::hire::components::{HireNav, HireNavState};
use crate::hire::messages::api::{
    SendMyMessage, SendOrgMessage, my_thread, my_threads, org_thread, org_threads,
};
use crate::hire::messages::model::{Thread, ThreadSummary};
use crate::hire::reference::model::Side;
use crate::ids::ApplicationId;
use crate::notifications::arrivals::changes_here;
use crate::offline::{Outbox, QueuedForm};
use crate::ui::{ErrorPage, FormError, TextArea, form_error};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The route's `{slug}` and `{id}` (an application), the latter parsed.
pub fn route_params() -> (Memo<String>, Memo<Result<ApplicationId, AppError>>) {
    let params = use_params_map();
    let slug = Memo::new(move |_| params.with(|p| p.get("slug").unwrap_or_default()));
    let id = Memo::new(move |_| {
        params.with(|p| {
            uuid::Uuid::parse_str(&p.get("id").unwrap_or_default())
                .map(ApplicationId)
                .map_err(|_| AppError::NotFound)
        })
    });
    (slug, id)
}

/// An inbox as it loads; `base` is where each thread opens (`{base}/{application}`).
#[component]
pub fn Inbox(
    threads: Resource<Result<Vec<ThreadSummary>, AppError>>,
    #[prop(into)] base: Signal<String>,
) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match threads.await {
                    Ok(threads) => view! { <InboxList threads base=base.get_untracked()/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn InboxList(threads: Vec<ThreadSummary>, base: String) -> impl IntoView {
    if threads.is_empty() {
        return view! {
            <p data-testid="inbox-empty">"No messages yet. Start a conversation from an application or a booking."</p>
        }
        .into_any();
    }
    view! {
        <ul class="list inbox" role="list" data-testid="inbox">
            {threads.into_iter().map(|t| {
                let unread = t.unread > 0;
                view! {
                <li class="list__row" class:inbox__row--unread=unread>
                    <a href=format!("{base}/{}", t.application)>{format!("{} — {}", t.title, t.counterpart)}</a>
                    <span class="muted">{t.last.clone()}</span>
                    <span class="muted">{t.last_at.format("%-d %b %H:%M").to_string()}</span>
                    {unread.then(|| view! { <span class="badge" data-testid="unread">{format!("{} new", t.unread)}</span> })}
                </li>
            }}).collect_view()}
        </ul>
    }
    .into_any()
}

/// A thread's messages as `me` reads them, then the reply form (`form`) while it is open.
#[component]
pub fn ThreadView(thread: Thread, me: Side, form: AnyView) -> impl IntoView {
    view! {
        {thread.messages.is_empty().then(|| view! { <p class="muted">"No messages yet: say hello."</p> })}
        <ol class="messages" data-testid="messages">
            {thread.messages.into_iter().map(|m| {
                let mine = m.by == me;
                view! {
                    <li class="message" class:message--mine=mine>
                        <p class="message__meta">{format!("{} · {}", m.author, m.at.format("%-d %b %H:%M"))}</p>
                        <p class="message__body">{m.body}</p>
                    </li>
                }
            }).collect_view()}
        </ol>
        {if thread.open {
            form
        } else {
            view! { <p class="muted">"This conversation is closed: the application ended without a booking."</p> }.into_any()
        }}
    }
}

/// The reply box and button, for either side's form.
#[component]
pub fn ReplyFields(error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <TextArea label="Your message" name="body" rows=3 error/>
        <FormError error/>
        <button type="submit" class="button">"Send"</button>
    }
}

/// `/hire/messages`: the freelancer's conversations with organisations.
#[component]
pub fn MessagesPage() -> impl IntoView {
    let nav = HireNavState::new();
    let threads = Resource::new(|| (), |()| my_threads());
    view! {
        <Title text="Messages — Olivine Hire"/>
        <header class="page-head">
            <p class="eyebrow">"Hire"</p>
            <h1>"Messages"</h1>
        </header>
        <HireNav nav/>
        <Inbox threads base="/hire/messages".to_owned()/>
    }
}

/// `/hire/messages/{application}`: the freelancer's thread with the organisation.
#[component]
pub fn ThreadPage() -> impl IntoView {
    let nav = HireNavState::new();
    let (_, id) = route_params();
    let outbox = Outbox::here();
    let live = changes_here();
    let thread = Resource::new(
        move || (id.get(), outbox.deliveries(), live.get()),
        |(id, _, _)| async move { my_thread(id?).await },
    );
    let sending = RwSignal::new(None::<AppError>);
    let error = Signal::from(sending);
    view! {
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match thread.await {
                    Ok(thread) => {
                        let application = thread.application.to_string();
                        let label = format!("Message to {}", thread.organisation);
                        let form = view! {
                            <QueuedForm endpoint=SendMyMessage::PATH label quote="body" error=sending>
                                <input type="hidden" name="application" value=application/>
                                <ReplyFields error/>
                            </QueuedForm>
                        }.into_any();
                        view! {
                            <Title text=format!("{} — Messages — Olivine Hire", thread.organisation)/>
                            <header class="page-head">
                                <p class="eyebrow"><a href="/hire/messages">"Messages"</a></p>
                                <h1>{thread.organisation.clone()}</h1>
                                <p><a href=format!("/hire/shifts/{}", thread.posting_id)>{thread.title.clone()}</a>
                                    <span class="tag">{thread.status.label()}</span></p>
                            </header>
                            <HireNav nav/>
                            <section class="panel"><ThreadView thread me=Side::Freelancer form/></section>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// `/hire/org/{slug}/messages`: the organisation's conversations with freelancers.
#[component]
pub fn OrgMessagesPage() -> impl IntoView {
    let nav = HireNavState::new();
    let (slug, _) = route_params();
    let threads = Resource::new(move || slug.get(), org_threads);
    view! {
        <Title text="Messages — Olivine Hire"/>
        <header class="page-head">
            <p class="eyebrow"><a href=move || format!("/hire/org/{}", slug.get())>"Organisation"</a></p>
            <h1>"Messages"</h1>
        </header>
        <HireNav nav/>
        <Inbox threads base=Signal::derive(move || format!("/hire/org/{}/messages", slug.get()))/>
    }
}

/// `/hire/org/{slug}/messages/{application}`: the organisation's thread with a freelancer.
#[component]
pub fn OrgThreadPage() -> impl IntoView {
    let nav = HireNavState::new();
    let (slug, id) = route_params();
    let send = ServerAction::<SendOrgMessage>::new();
    let live = changes_here();
    let thread = Resource::new(
        move || (slug.get(), id.get(), send.version().get(), live.get()),
        |(slug, id, _, _)| async move { org_thread(slug, id?).await },
    );
    let error = form_error(send);
    view! {
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match thread.await {
                    Ok(thread) => {
                        let slug = slug.get_untracked();
                        let application = thread.application.to_string();
                        let form = {
                            let slug = slug.clone();
                            view! {
                                <ActionForm action=send attr:class="form form--compact" attr:novalidate=true>
                                    <input type="hidden" name="slug" value=slug/>
                                    <input type="hidden" name="application" value=application/>
                                    <ReplyFields error/>
                                </ActionForm>
                            }.into_any()
                        };
                        view! {
                            <Title text=format!("{} — Messages — Olivine Hire", thread.freelancer)/>
                            <header class="page-head">
                                <p class="eyebrow"><a href=format!("/hire/org/{slug}/messages")>"Messages"</a></p>
                                <h1><a href=format!("/hire/freelancers/{}", thread.freelancer_id)>{thread.freelancer.clone()}</a></h1>
                                <p><a href=format!("/hire/org/{slug}/shifts/{}", thread.posting_id)>{thread.title.clone()}</a>
                                    <span class="tag">{thread.status.label()}</span></p>
                            </header>
                            <HireNav nav/>
                            <section class="panel"><ThreadView thread me=Side::Organisation form/></section>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
