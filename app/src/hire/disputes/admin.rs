//! The back office's disputes (finance admins): the list, waiting ones first, and one dispute
//! with its evidence and the decision.

use super::api::{ResolveDispute, admin_dispute, admin_disputes};
use super::components::DisputeNote;
use super::model::{DisputeDetail, DisputeStatus};
use crate::error::AppError;
use crate::hire::contracts::components::{ContractEvents, DeliveryLine, TimesheetLine, WeekLine};
use crate::hire::reference::model::Side;
use crate::ids::DisputeId;
use crate::orders::components::when;
use crate::ui::{ErrorPage, FormError, TextArea, TextField, form_error};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/admin/disputes`: every dispute, those waiting for a decision first.
#[component]
pub fn AdminDisputesPage() -> impl IntoView {
    let query = use_query_map();
    let status = Memo::new(move |_| query.with(|q| q.get("status").unwrap_or_default()));
    let list = Resource::new(move || status.get(), admin_disputes);
    view! {
        <Title text="Disputes — Olivine back office"/>
        <section class="admin">
            <p class="eyebrow"><a href="/admin">"Back office"</a></p>
            <h1>"Disputes"</h1>
            <p class="muted">"Hours or work an organisation disputed. Once either side asks Olivine to decide, a finance admin weighs the evidence and releases, refunds or splits the pay."</p>
            <form method="get" class="admin-filters" role="search">
                <label>"Status "
                    <select name="status">
                        <option value="">"Any"</option>
                        {DisputeStatus::ALL.iter().map(|s| {
                            let name = s.db_name();
                            let selected = move || status.with(|f| f == name);
                            view! { <option value=name selected=selected>{s.label()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="button button--small">"Show"</button>
            </form>
            <Transition fallback=|| view! { <div class="orders__loading" aria-busy="true"></div> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(disputes) if disputes.is_empty() => view! { <p>"No disputes."</p> }.into_any(),
                        Ok(disputes) => view! {
                            <table class="admin-table" data-testid="disputes">
                                <thead><tr>
                                    <th scope="col">"Booking"</th>
                                    <th scope="col">"Organisation"</th>
                                    <th scope="col">"Freelancer"</th>
                                    <th scope="col">"Claimed"</th>
                                    <th scope="col">"Status"</th>
                                    <th scope="col">"Opened"</th>
                                </tr></thead>
                                <tbody>
                                    {disputes.into_iter().map(|d| view! {
                                        <tr data-status=d.status.db_name()>
                                            <td><a href=format!("/admin/disputes/{}", d.id)>{d.title}</a></td>
                                            <td>{d.organisation}</td>
                                            <td>{d.freelancer}</td>
                                            <td>{d.claimed.to_string()}</td>
                                            <td>{d.status.label()}
                                                {d.escalated_at.map(|at| format!(" since {}", when(at)))}</td>
                                            <td>{when(d.opened_at)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// `/admin/disputes/{id}`: the evidence and, while it waits for Olivine, the decision.
#[component]
pub fn AdminDisputePage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params.with(|p| {
            p.get("id")
                .and_then(|id| id.parse::<uuid::Uuid>().ok())
                .map(DisputeId)
        })
    });
    let resolve = ServerAction::<ResolveDispute>::new();
    let detail = Resource::new(
        move || (id.get(), resolve.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => admin_dispute(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <div class="orders__loading" aria-busy="true"></div> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <AdminDispute detail resolve/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AdminDispute(detail: DisputeDetail, resolve: ServerAction<ResolveDispute>) -> impl IntoView {
    let error = form_error(resolve);
    let brief = detail.dispute.clone();
    let waiting = brief.status == DisputeStatus::Escalated;
    let heading = format!(
        "{} — {} and {}",
        detail.title, detail.organisation, detail.freelancer
    );
    let escalated_by = detail
        .escalated_by
        .clone()
        .map(|who| format!("{who} asked Olivine to decide."));
    let claimed = brief.claimed;
    let form = waiting.then(|| {
        let id = brief.id.to_string();
        view! {
            <ActionForm action=resolve attr:class="admin-action" attr:novalidate=true>
                <h2>"Decide"</h2>
                <FormError error/>
                <input type="hidden" name="dispute" value=id/>
                <fieldset class="choices">
                    <legend>{format!("The freelancer claims {claimed}")}</legend>
                    <label><input type="radio" name="outcome" value="release"/>" Release all of it to the freelancer"</label>
                    <label><input type="radio" name="outcome" value="refund"/>" Refund all of it to the organisation"</label>
                    <label><input type="radio" name="outcome" value="split" checked=true/>" Split: pay the freelancer part of it"</label>
                </fieldset>
                <TextField label="Paid to the freelancer in a split (EUR)" name="amount" required=false error/>
                <TextArea label="Why (both sides read it)" name="note" error/>
                <button type="submit" class="button">"Decide the dispute"</button>
            </ActionForm>
        }
    });
    let evidence = match (detail.timesheet.clone(), detail.delivery.clone()) {
        (Some(t), _) if t.week.is_some() => view! { <WeekLine timesheet=t/> }.into_any(),
        (Some(t), _) => view! { <TimesheetLine timesheet=t/> }.into_any(),
        (None, Some(d)) => view! { <DeliveryLine delivery=d/> }.into_any(),
        (None, None) => ().into_any(),
    };
    view! {
        <Title text=format!("Dispute: {} — Olivine back office", detail.title)/>
        <section class="admin dispute-detail">
            <p class="eyebrow"><a href="/admin/disputes">"Disputes"</a></p>
            <h1>{heading}</h1>
            <p class="muted">
                {format!("{} · {} · held for disputes now: {}", detail.kind.label(), crate::hire::postings::model::pay_label(detail.wage, detail.pay_basis), detail.frozen)}
            </p>
            <DisputeNote brief/>
            {escalated_by.map(|text| view! { <p>{text}</p> })}
            <div class="admin-actions">{form}</div>
            <h2>"Hours or work"</h2>
            {evidence}
            <h2>"History"</h2>
            <ContractEvents events=detail.events.clone()/>
            <h2>"Messages"</h2>
            {detail.messages.is_empty().then(|| view! { <p class="muted">"The two sides wrote nothing to each other."</p> })}
            <ol class="thread" data-testid="dispute-messages">
                {detail.messages.into_iter().map(|m| {
                    let side = match m.by { Side::Organisation => "organisation", Side::Freelancer => "freelancer" };
                    view! {
                        <li class="thread__message" data-side=side>
                            <p class="muted">{format!("{} · {}", m.author, m.at.format("%-d %b %H:%M"))}</p>
                            <p>{m.body}</p>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}
