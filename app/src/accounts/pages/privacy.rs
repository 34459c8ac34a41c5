//! `/account/privacy`: a download of everything Olivine keeps about the signed-in person, and
//! erasing them (with 14 days to change their mind).

use super::AccountHead;
use crate::accounts::api::{
    CancelErasure, RequestDataExport, RequestErasure, load_data_exports, load_erasure,
};
use crate::privacy::model::{ErasureView, ExportState, ExportView, readable_size};
use crate::ui::{ErrorPage, FormError, Notice, field_error, form_error};
use chrono::{DateTime, Utc};
use leptos::prelude::*;

fn when(at: DateTime<Utc>) -> String {
    at.format("%-d %b %Y, %H:%M UTC").to_string()
}

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let ask = ServerAction::<RequestDataExport>::new();
    let exports = Resource::new(move || ask.version().get(), |_| load_data_exports());
    let error = form_error(ask);
    let query = leptos_router::hooks::use_query_map();
    let spent = move || query.with(|q| q.get("link").as_deref() == Some("spent"));
    view! {
        <AccountHead title="Privacy — Olivine" current="/account/privacy"/>
        <section class="panel" aria-labelledby="export-heading" data-testid="data-export">
            <h2 id="export-heading">"Download your data"</h2>
            <p class="muted">
                "One ZIP file with everything Olivine keeps about you: your account and sign-ins, "
                "orders, subscriptions, points, reviews, your Hire profile with its certificates "
                "and their documents, applications, contracts, hours and messages, payouts, the "
                "emails we sent you and the audit trail of your account. We prepare it in the "
                "background and email you a link within a few minutes. The link works once, for "
                "7 days, while you're signed in."
            </p>
            <FormError error/>
            {move || spent().then(|| view! {
                <Notice tone="warning">
                    <p>"That download link has expired or was already used, or it belongs to another account. Ask for a new download below."</p>
                </Notice>
            })}
            <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match exports.await {
                        Ok(list) => view! { <Exports list ask/> }.into_any(),
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <Erasure/>
    }
}

/// "Erase my account": asked with a box ticked (and the second factor again if it is not
/// recent), then the date it happens and a way to cancel until then.
#[component]
fn Erasure() -> impl IntoView {
    let ask = ServerAction::<RequestErasure>::new();
    let cancel = ServerAction::<CancelErasure>::new();
    let erasure = Resource::new(
        move || (ask.version().get(), cancel.version().get()),
        |_| load_erasure(),
    );
    view! {
        <section class="panel" aria-labelledby="erase-heading" data-testid="erasure">
            <h2 id="erase-heading">"Erase your account"</h2>
            <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match erasure.await {
                        Ok(Some(waiting)) => view! { <Waiting waiting cancel/> }.into_any(),
                        Ok(None) => view! { <AskErasure ask/> }.into_any(),
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn AskErasure(ask: ServerAction<RequestErasure>) -> impl IntoView {
    let error = form_error(ask);
    let confirm_error = field_error(error, "confirm");
    view! {
        <p class="muted">
            "We erase your account and what identifies you: your sign-ins, profile and "
            "certificates, reviews, messages you sent, saved cards and your customer record at "
            "Stripe, subscriptions (they end) and points. Orders stay for bookkeeping, with your "
            "name and address sealed for 7 years; payments and payouts stay in the ledger under "
            "an account number that no longer leads to you. You have 14 days to change your "
            "mind; an order on its way or a running contract is finished first."
        </p>
        <ActionForm action=ask attr:class="stack" attr:novalidate=true>
            <label class="check">
                <input type="checkbox" name="confirm" value="yes" required
                    aria-invalid=move || confirm_error.get().is_some().to_string()
                    aria-describedby="erase-confirm-error"/>
                " I understand that after 14 days my account and data are erased for good."
            </label>
            <p id="erase-confirm-error" class="field-error">{move || confirm_error.get()}</p>
            <FormError error/>
            <button type="submit" class="button button--danger">"Erase my account"</button>
        </ActionForm>
    }
}

#[component]
fn Waiting(waiting: ErasureView, cancel: ServerAction<CancelErasure>) -> impl IntoView {
    let error = form_error(cancel);
    let asked = if waiting.by_support {
        "Our support team asked, as you requested,"
    } else {
        "You asked"
    };
    view! {
        <Notice tone="warning">
            <p data-testid="erasure-waiting">
                {format!(
                    "{asked} on {} to erase your account. It will be erased after {}.",
                    when(waiting.requested_at),
                    when(waiting.erase_after)
                )}
            </p>
            {waiting.held_because.map(|why| view! {
                <p data-testid="erasure-held">{format!("It waits because {why}; it is erased once that is done.")}</p>
            })}
        </Notice>
        <ActionForm action=cancel attr:class="inline-form">
            <input type="hidden" name="id" value=waiting.id.to_string()/>
            <FormError error/>
            <button type="submit" class="button">"Keep my account"</button>
        </ActionForm>
    }
}

#[component]
fn Exports(list: Vec<ExportView>, ask: ServerAction<RequestDataExport>) -> impl IntoView {
    let building = list.iter().any(ExportView::building);
    view! {
        {if building {
            view! {
                <p class="notice" data-testid="export-building">
                    "We're preparing your download and will email you the link. "
                    <a href="/account/privacy">"Refresh"</a>
                </p>
            }.into_any()
        } else {
            view! {
                <ActionForm action=ask attr:class="inline-form">
                    <button type="submit" class="button">"Ask for a download"</button>
                </ActionForm>
            }.into_any()
        }}
        {(!list.is_empty()).then(|| view! {
            <table class="table" data-testid="data-exports">
                <thead><tr><th scope="col">"Asked"</th><th scope="col">"Status"</th></tr></thead>
                <tbody>
                    {list.into_iter().map(|export| view! {
                        <tr>
                            <td><time datetime=export.requested_at.to_rfc3339()>{when(export.requested_at)}</time></td>
                            <td>{status(&export.state)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
    }
}

fn status(state: &ExportState) -> String {
    match state {
        ExportState::Building => "Being prepared".to_owned(),
        ExportState::Mailed {
            expires_at,
            size_bytes,
        } => format!(
            "Emailed ({}): the link works once, until {}",
            readable_size(*size_bytes),
            when(*expires_at)
        ),
        ExportState::Downloaded { at } => format!("Downloaded {}", when(*at)),
        ExportState::Expired => "Expired: not downloaded within 7 days".to_owned(),
    }
}
