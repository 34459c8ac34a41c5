//! `/admin/audit` (support scope): the audit trail filtered by person, subject, action and
//! days, newest first, each entry with who, from where and what changed; the whole chain's
//! verification and its latest checkpoint; the filtered entries as CSV.

use crate::accounts::api::{load_audit_chain, load_audit_trail};
use crate::audit::Action;
use crate::audit::model::{
    AuditEntry, AuditQuery, ChainState, ChainStatus, CheckpointState, Named,
};
use crate::error::AppError;
use crate::ui::{ErrorPage, urlencode};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The filters' form fields, with their labels (for errors).
const FIELDS: [(&str, &str); 5] = [
    ("person", "Person"),
    ("subject", "Subject"),
    ("action", "Action"),
    ("from", "From"),
    ("to", "To"),
];

#[component]
pub fn AdminAuditPage() -> impl IntoView {
    let params = use_query_map();
    let filters = Memo::new(move |_| {
        params.with(|q| {
            let get = |k: &str| q.get(k).unwrap_or_default();
            (
                AuditQuery {
                    person: get("person"),
                    subject: get("subject"),
                    action: get("action"),
                    from: get("from"),
                    to: get("to"),
                },
                q.get("before").and_then(|b| b.parse::<i64>().ok()),
            )
        })
    });
    let trail = Resource::new(
        move || filters.get(),
        |(query, before)| load_audit_trail(query, before),
    );
    let chain = Resource::new(|| (), |()| load_audit_chain());
    let value = move |field: &'static str| {
        move || {
            filters.with(|(q, _)| match field {
                "person" => q.person.clone(),
                "subject" => q.subject.clone(),
                "from" => q.from.clone(),
                "to" => q.to.clone(),
                _ => q.action.clone(),
            })
        }
    };
    view! {
        <Title text="Audit trail — Back office — Olivine"/>
        <header class="page-head">
            <p class="eyebrow"><a href="/admin">"Back office"</a></p>
            <h1>"Audit trail"</h1>
        </header>
        <Suspense fallback=|| view! { <p aria-busy="true">"Verifying the chain…"</p> }>
            {move || Suspend::new(async move {
                match chain.await {
                    Ok(status) => view! { <Chain status/> }.into_any(),
                    // A refusal shows once, where the entries would be.
                    Err(AppError::Unauthorized | AppError::Forbidden) => ().into_any(),
                    Err(error) => view! {
                        <p class="form-error" role="alert" data-testid="audit-chain">
                            {format!("The chain could not be verified just now: {error}")}
                        </p>
                    }.into_any(),
                }
            })}
        </Suspense>
        <form method="get" action="/admin/audit" class="audit__filters" role="search" aria-label="Filter the audit trail">
            <div class="field">
                <label for="audit-person">"Person"</label>
                <input id="audit-person" name="person" type="text" placeholder="Email or account id"
                    prop:value=value("person")/>
            </div>
            <div class="field">
                <label for="audit-subject">"Subject"</label>
                <input id="audit-subject" name="subject" type="text" placeholder="Order, product, account… id"
                    prop:value=value("subject")/>
            </div>
            <div class="field">
                <label for="audit-action">"Action"</label>
                <select id="audit-action" name="action" prop:value=value("action")>
                    <option value="">"Any action"</option>
                    {Action::ALL.iter().map(|a| view! {
                        <option value=a.db_name()>{a.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="audit-from">"From (UTC)"</label>
                <input id="audit-from" name="from" type="date" prop:value=value("from")/>
            </div>
            <div class="field">
                <label for="audit-to">"To (UTC)"</label>
                <input id="audit-to" name="to" type="date" prop:value=value("to")/>
            </div>
            <div class="audit__filter-actions">
                <button type="submit" class="button">"Filter"</button>
                <a class="button button--quiet" href="/admin/audit">"Clear"</a>
                <a class="button button--quiet" data-testid="audit-csv" download="" rel="external nofollow"
                    href=move || filters.with(|(q, _)| format!("/admin/audit.csv?{}", q.to_query_string(None)))>
                    "Download CSV"
                </a>
            </div>
        </form>
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match trail.await {
                    Ok(trail) if trail.entries.is_empty() => view! {
                        <p class="notice" data-testid="audit-empty">"No entries match these filters."</p>
                    }.into_any(),
                    Ok(trail) => {
                        let older = trail.older.map(|before| {
                            filters.with_untracked(|(q, _)| format!("/admin/audit?{}", q.to_query_string(Some(before))))
                        });
                        let newest = filters.with_untracked(|(q, before)| {
                            before.map(|_| format!("/admin/audit?{}", q.to_query_string(None)))
                        });
                        view! {
                            <ol class="audit__entries" data-testid="audit-entries">
                                {trail.entries.into_iter().map(|entry| view! { <Entry entry/> }).collect_view()}
                            </ol>
                            <nav class="pager" aria-label="Audit trail pages">
                                {newest.map(|href| view! { <a class="button button--quiet" href=href>"Newest entries"</a> })}
                                {older.map(|href| view! { <a class="button button--quiet" href=href rel="next">"Older entries"</a> })}
                            </nav>
                        }.into_any()
                    }
                    Err(error) => filter_errors(error),
                }
            })}
        </Transition>
    }
}

/// A filter that makes no sense is said next to the filters; anything else is an error page.
fn filter_errors(error: AppError) -> AnyView {
    let messages: Vec<String> = FIELDS
        .iter()
        .filter_map(|(field, label)| {
            error
                .field_message(field)
                .map(|message| format!("{label}: {message}"))
        })
        .collect();
    if messages.is_empty() {
        return view! { <ErrorPage error/> }.into_any();
    }
    view! {
        <div class="form-error" role="alert" data-testid="audit-filter-error">
            {messages.into_iter().map(|m| view! { <p>{m}</p> }).collect_view()}
        </div>
    }
    .into_any()
}

#[component]
fn Chain(status: ChainStatus) -> impl IntoView {
    let chain = match status.chain {
        ChainState::Intact { rows, seq, head } => view! {
            <p class="audit__chain audit__chain--ok" data-testid="audit-chain">
                <strong>"Chain intact. "</strong>
                {format!("All {rows} entries match their hashes; the head, at place {seq}, is ")}
                <code title=head.clone()>{head.chars().take(16).collect::<String>()}"…"</code>
            </p>
        }
        .into_any(),
        ChainState::Broken { seq, audit_id } => view! {
            <p class="audit__chain audit__chain--bad" role="alert" data-testid="audit-chain">
                <strong>"Chain broken. "</strong>
                {format!("Entry {audit_id}, at place {seq}, no longer matches its hash or the entry before it: it was edited, or an earlier entry was changed or removed.")}
            </p>
        }
        .into_any(),
    };
    let checkpoint = match status.checkpoint {
        None => view! {
            <p class="muted" data-testid="audit-checkpoint">"No checkpoint written yet: the audit-checkpoint job writes one every hour."</p>
        }
        .into_any(),
        Some(c) => {
            let (class, verdict) = match c.state {
                CheckpointState::Matches => ("muted", "the chain agrees with it"),
                CheckpointState::Differs => ("form-error", "the chain no longer agrees with it: history before it was rewritten"),
                CheckpointState::Missing => ("form-error", "its copy is missing from the checkpoint store"),
            };
            view! {
                <p class=class data-testid="audit-checkpoint">
                    {format!(
                        "Last checkpoint: place {}, written {} to {}; {verdict}.",
                        c.seq,
                        c.written_at.format("%-d %b %Y %H:%M UTC"),
                        c.key
                    )}
                </p>
            }
            .into_any()
        }
    };
    view! { <section class="panel audit__status" aria-label="Chain verification">{chain}{checkpoint}</section> }
}

/// A person or thing the entry names, linked to the entries about it.
fn named(named: Named, param: &'static str) -> impl IntoView {
    let id = named.id.to_string();
    let href = format!("/admin/audit?{param}={}", urlencode(&id));
    let text = named.label.unwrap_or_else(|| id.clone());
    view! { <a href=href title=id>{text}</a> }
}

#[component]
fn Entry(entry: AuditEntry) -> impl IntoView {
    let actor = match entry.actor {
        Some(actor) => named(actor, "person").into_any(),
        None => view! { <span>"Olivine"</span> }.into_any(),
    };
    let subject = entry.subject.map(|subject| {
        let param = if subject.label.is_some() {
            "person"
        } else {
            "subject"
        };
        view! { <span>" · "</span>{named(subject, param)} }
    });
    let action_href = format!("/admin/audit?action={}", urlencode(&entry.action));
    let changes = (!entry.changes.is_empty()).then(|| {
        view! {
            <table class="table audit__changes">
                <thead><tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                <tbody>
                    {entry.changes.into_iter().map(|c| view! {
                        <tr><th scope="row">{c.field}</th><td class="audit__before">{c.before}</td><td>"→ "{c.after}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    });
    let details = (!entry.details.is_empty()).then(|| {
        view! {
            <dl class="audit__details">
                {entry.details.into_iter().map(|(k, v)| view! { <div><dt>{k}</dt><dd>{v}</dd></div> }).collect_view()}
            </dl>
        }
    });
    view! {
        <li class="audit__entry" data-testid="audit-entry" data-action=entry.action.clone()>
            <p class="audit__line">
                <a href=action_href class="audit__action">{entry.action_label}</a>
                <span>" by "</span>{actor}{subject}
            </p>
            <p class="muted audit__meta">
                <time datetime=entry.at.to_rfc3339()>{entry.at.format("%-d %b %Y %H:%M:%S UTC").to_string()}</time>
                {entry.ip.map(|ip| format!(" · from {ip}"))}
                {entry.seq.map(|s| format!(" · #{s}"))}
            </p>
            {changes}
            {details}
        </li>
    }
}
