//! `/admin/privacy` (support scope): erasure requests against the law's month. Support asks
//! for someone who wrote or called (with how they asked), and cancels for someone who changed
//! their mind; the job does the erasing once the 14 days of grace are over.

use crate::accounts::api::{AdminCancelErasure, AdminRequestErasure, load_erasures};
use crate::privacy::model::{ErasureRow, ErasureStatus};
use crate::ui::{ErrorPage, FormError, field_error, form_error};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;

fn day(at: DateTime<Utc>) -> String {
    at.format("%-d %b %Y").to_string()
}

#[component]
pub fn AdminPrivacyPage() -> impl IntoView {
    let ask = ServerAction::<AdminRequestErasure>::new();
    let cancel = ServerAction::<AdminCancelErasure>::new();
    let requests = Resource::new(
        move || (ask.version().get(), cancel.version().get()),
        |_| load_erasures(),
    );
    let error = form_error(ask);
    let email_error = field_error(error, "email");
    let note_error = field_error(error, "note");
    view! {
        <Title text="Privacy requests — Back office — Olivine"/>
        <header class="page-head">
            <p class="eyebrow"><a href="/admin">"Back office"</a></p>
            <h1>"Privacy requests"</h1>
        </header>
        <section class="panel" aria-labelledby="erase-for-heading">
            <h2 id="erase-for-heading">"Erase an account for its person"</h2>
            <p class="muted">
                "For someone who asked by email, letter or phone. They are mailed, and can "
                "cancel for 14 days; the law gives 30 days to answer."
            </p>
            <ActionForm action=ask attr:class="stack" attr:novalidate=true>
                <div class="field">
                    <label for="erase-email">"Their account's email"</label>
                    <input id="erase-email" name="email" type="email" required autocomplete="off"
                        aria-invalid=move || email_error.get().is_some().to_string()
                        aria-describedby="erase-email-error"/>
                    <p id="erase-email-error" class="field-error">{move || email_error.get()}</p>
                </div>
                <div class="field">
                    <label for="erase-note">"How they asked"</label>
                    <input id="erase-note" name="note" type="text" required maxlength="500"
                        placeholder="Email of 3 December to support@"
                        aria-invalid=move || note_error.get().is_some().to_string()
                        aria-describedby="erase-note-error"/>
                    <p id="erase-note-error" class="field-error">{move || note_error.get()}</p>
                </div>
                <FormError error/>
                <button type="submit" class="button button--danger">"Erase after 14 days"</button>
            </ActionForm>
        </section>
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match requests.await {
                    Ok(list) if list.rows.is_empty() => view! {
                        <p class="notice" data-testid="erasures-empty">"No erasure has been asked for."</p>
                    }.into_any(),
                    Ok(list) => {
                        let now = list.now;
                        view! {
                            <table class="table" data-testid="erasures">
                                <thead><tr>
                                    <th scope="col">"Person"</th>
                                    <th scope="col">"Asked"</th>
                                    <th scope="col">"Erased after"</th>
                                    <th scope="col">"Deadline"</th>
                                    <th scope="col">"Status"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr></thead>
                                <tbody>
                                    {list.rows.into_iter().map(|row| view! { <Row row now cancel/> }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Row(
    row: ErasureRow,
    now: DateTime<Utc>,
    cancel: ServerAction<AdminCancelErasure>,
) -> impl IntoView {
    let error = form_error(cancel);
    let status = match row.status {
        ErasureStatus::Waiting if row.late(now) => format!("Late by {} days", row.days_late(now)),
        ErasureStatus::Waiting => format!("Waiting · {} days to the deadline", row.days_left(now)),
        ErasureStatus::Cancelled | ErasureStatus::Erased => format!(
            "{} {}",
            row.status.label(),
            row.done_at.map(day).unwrap_or_default()
        ),
    };
    let asked = match &row.note {
        Some(note) => format!("{} by {} ({note})", day(row.requested_at), row.asked_by),
        None => format!("{} by {}", day(row.requested_at), row.asked_by),
    };
    let waiting = row.status == ErasureStatus::Waiting;
    let late = row.late(now);
    view! {
        <tr data-testid="erasure-row" data-erasure=row.id.to_string() class:late=late>
            <td>{row.person}</td>
            <td>{asked}</td>
            <td>{day(row.erase_after)}</td>
            <td>{day(row.deadline)}</td>
            <td>
                {status}
                {row.held_because.map(|why| view! { <br/><span class="muted">{format!("Held: {why}")}</span> })}
            </td>
            <td>
                {waiting.then(|| view! {
                    <ActionForm action=cancel attr:class="inline-form">
                        <input type="hidden" name="id" value=row.id.to_string()/>
                        <button type="submit" class="button button--quiet">"Cancel"</button>
                        <FormError error/>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}
