//! `/hire/shifts`: the freelancer's booked shifts and jobs, with hours, deliveries and ratings.

use crate::error::AppError;
use crate::hire::components::{HireNav, HireNavState, posting_href};
use crate::hire::contracts::api::{
    CancelMyContract, SubmitDelivery, SubmitHours, SubmitWeek, my_contracts,
};
use crate::hire::contracts::components::{
    ContractEvents, DeliveryLine, HoursFields, TimesheetLine, WeekFields, WeekLine,
};
use crate::hire::contracts::model::{ContractStatus, ContractView, TimesheetStatus};
use crate::hire::disputes::api::EscalateMyDispute;
use crate::hire::disputes::components::DisputeNote;
use crate::hire::postings::model::{PayBasis, PostingKind, pay_label, when_label};
use crate::hire::ratings::api::RateOrganisation;
use crate::hire::ratings::components::{ContractRatings, RatingFields};
use crate::hire::reference::model::Side;
use crate::hire::time::last_day;
use crate::ids::DisputeId;
use crate::notifications::arrivals::changes_here;
use crate::offline::{Outbox, QueuedForm, keep_offline};
use crate::ui::{ErrorPage, FormError, TextArea, form_error};
use chrono::Datelike;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

#[component]
pub fn MyShiftsPage() -> impl IntoView {
    let nav = HireNavState::new();
    let outbox = Outbox::here();
    let submit_error = RwSignal::new(None::<AppError>);
    let cancel = ServerAction::<CancelMyContract>::new();
    let rate = ServerAction::<RateOrganisation>::new();
    let escalate = ServerAction::<EscalateMyDispute>::new();
    let work = JobWork {
        week: ServerAction::new(),
        delivery: ServerAction::new(),
    };
    let live = changes_here();
    let list = Resource::new(
        move || {
            (
                outbox.deliveries(),
                cancel.version().get() + escalate.version().get(),
                rate.version().get(),
                work.week.version().get() + work.delivery.version().get(),
                live.get(),
            )
        },
        |_| my_contracts(),
    );
    let submit_error_shown = Signal::from(submit_error);
    // The bookings still ahead or under way, and their pages, stay readable offline.
    Effect::new(move |_| {
        if let Some(Ok(contracts)) = list.get() {
            keep_offline(offline_pages(&contracts));
        }
    });
    let cancel_error = form_error(cancel);
    let rate_error = form_error(rate);
    let escalate_error = form_error(escalate);
    view! {
        <Title text="My shifts — Olivine Hire"/>
        <header class="page-head">
            <p class="eyebrow">"Hire"</p>
            <h1>"My shifts"</h1>
            <p class="muted">{format!(
                "Cancelling less than {} hours before the start counts against your attendance.",
                crate::hire::contracts::model::CANCELLATION_POLICY.notice_hours
            )}</p>
        </header>
        <HireNav nav/>
        <FormError error=submit_error_shown/>
        <FormError error=cancel_error/>
        <FormError error=escalate_error/>
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(contracts) if contracts.is_empty() => view! {
                        <p>"No shifts booked yet. "<a href="/hire/work">"Find work"</a></p>
                    }.into_any(),
                    Ok(contracts) => contracts.into_iter().map(|c| {
                        let active = c.status == ContractStatus::Active;
                        let is_shift = c.kind == PostingKind::Shift;
                        let may_submit = is_shift && active && c.started && c.timesheet.as_ref().is_none_or(|t| t.status == TimesheetStatus::Disputed);
                        let may_cancel = active && !c.started;
                        let id = c.id.to_string();
                        let reason_id = format!("cancel-reason-{id}");
                        let rating_form = {
                            let id = id.clone();
                            let heading = format!("How was working for {}?", c.organisation);
                            view! {
                                <ActionForm action=rate attr:class="form form--compact" attr:novalidate=true>
                                    <h3>{heading}</h3>
                                    <input type="hidden" name="contract" value=id/>
                                    <RatingFields contract=c.id error=rate_error/>
                                </ActionForm>
                            }
                            .into_any()
                        };
                        view! {
                            <article class="panel contract" data-status=c.status.db_name()>
                                <h2><a href=posting_href(c.kind, c.posting_id)>{c.title.clone()}</a></h2>
                                <p>
                                    {format!("{} · {} · {} · ", c.organisation, when_label(c.kind, c.starts, c.ends), pay_label(c.wage, c.pay_basis))}
                                    <span class="tag">{c.status.label()}</span>" "
                                    <a href=format!("/hire/messages/{}", c.application_id)>"Messages"</a>
                                </p>
                                {c.timesheet.clone().map(|t| view! { <TimesheetLine timesheet=t/> })}
                                {(!is_shift).then(|| view! { <MyJobWork contract=c.clone() work/> })}
                                {c.disputes.clone().into_iter().map(|brief| {
                                    let form = brief.may_escalate.then(|| escalate_form(escalate, brief.id));
                                    view! { <DisputeNote brief form=form.unwrap_or_else(|| ().into_any())/> }
                                }).collect_view()}
                                {may_submit.then(|| { let contract = c.clone(); let id = id.clone(); view! {
                                    <QueuedForm endpoint=SubmitHours::PATH label=format!("Hours for {}", c.title) error=submit_error>
                                        <h3>"Your hours"</h3>
                                        <input type="hidden" name="contract" value=id/>
                                        <HoursFields contract prefix="submit" error=submit_error_shown/>
                                        <button type="submit" class="button">"Submit hours"</button>
                                    </QueuedForm>
                                }})}
                                {may_cancel.then(|| view! {
                                    <ActionForm action=cancel attr:class="inline-form">
                                        <input type="hidden" name="contract" value=id.clone()/>
                                        <label for=reason_id.clone()>"Can't make it?"</label>
                                        <input id=reason_id type="text" name="reason" placeholder="Reason" required/>
                                        <button type="submit" class="link-button link-button--danger">{if is_shift { "Cancel shift" } else { "Cancel job" }}</button>
                                    </ActionForm>
                                })}
                                <ContractEvents events=c.events.clone()/>
                                <ContractRatings contract=c.clone() me=Side::Freelancer form=rating_form/>
                            </article>
                        }
                    }).collect_view().into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The freelancer's way to ask Olivine to decide dispute `id`.
fn escalate_form(action: ServerAction<EscalateMyDispute>, id: DisputeId) -> AnyView {
    let note_id = format!("escalate-{id}");
    view! {
        <ActionForm action attr:class="inline-form">
            <input type="hidden" name="dispute" value=id.to_string()/>
            <label for=note_id.clone() class="visually-hidden">"What Olivine should know"</label>
            <input id=note_id type="text" name="note" placeholder="What Olivine should know" required/>
            <button type="submit" class="button button--quiet">"Ask Olivine to decide"</button>
        </ActionForm>
    }
    .into_any()
}

/// The pages a freelancer may need on site: their shifts, and each booking's details and thread
/// while it is ahead or under way.
fn offline_pages(contracts: &[ContractView]) -> Vec<String> {
    let mut pages = vec!["/hire/work/shifts".to_owned()];
    for c in contracts
        .iter()
        .filter(|c| c.status == ContractStatus::Active)
    {
        pages.push(posting_href(c.kind, c.posting_id));
        pages.push(format!("/hire/messages/{}", c.application_id));
    }
    pages
}

/// The freelancer's actions on a job's contract.
#[derive(Clone, Copy)]
pub struct JobWork {
    week: ServerAction<SubmitWeek>,
    delivery: ServerAction<SubmitDelivery>,
}

/// A job's weeks or handed-over work, and the form for the next.
#[component]
pub fn MyJobWork(contract: ContractView, work: JobWork) -> impl IntoView {
    let week_error = form_error(work.week);
    let delivery_error = form_error(work.delivery);
    let open = contract.status == ContractStatus::Active && contract.started;
    let id = contract.id;
    match contract.pay_basis {
        PayBasis::Hourly => {
            let disputed = contract
                .weeks
                .iter()
                .find(|t| t.status == TimesheetStatus::Disputed)
                .cloned();
            // A disputed week to correct, or this week kept within the job's dates.
            let monday = disputed.as_ref().and_then(|t| t.week).unwrap_or_else(|| {
                let day = contract
                    .today
                    .clamp(contract.starts.date(), last_day(contract.ends));
                day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()))
            });
            let heading = if disputed.is_some() {
                "Correct the disputed week"
            } else {
                "Submit a week's hours"
            };
            view! {
                {contract.weeks.into_iter().map(|t| view! { <WeekLine timesheet=t/> }).collect_view()}
                {open.then(|| view! {
                    <ActionForm action=work.week attr:class="form form--compact" attr:novalidate=true>
                        <h3>{heading}</h3>
                        <input type="hidden" name="contract" value=id.to_string()/>
                        <WeekFields contract=id prefix="submit" monday initial=disputed.clone() error=week_error/>
                        <FormError error=week_error/>
                        <button type="submit" class="button">"Submit week"</button>
                    </ActionForm>
                })}
            }
            .into_any()
        }
        PayBasis::Fixed => {
            let may_hand_over = open
                && contract
                    .delivery
                    .as_ref()
                    .is_none_or(|d| d.status == TimesheetStatus::Disputed);
            view! {
                {contract.delivery.map(|d| view! { <DeliveryLine delivery=d/> })}
                {may_hand_over.then(|| view! {
                    <ActionForm action=work.delivery attr:class="form form--compact" attr:novalidate=true>
                        <h3>"Hand over the work"</h3>
                        <input type="hidden" name="contract" value=id.to_string()/>
                        <TextArea label="What you delivered" name="note" id=format!("delivery-note-{id}") rows=3
                            hint="Where to find it, what is included. The organisation approves it or says what is missing." error=delivery_error/>
                        <FormError error=delivery_error/>
                        <button type="submit" class="button">"Hand over for approval"</button>
                    </ActionForm>
                })}
            }
            .into_any()
        }
    }
}
