//! A contract's parts as both sides see them: timesheets, weeks and deliveries with their
//! forms, its events, and an organisation's list of contracts with their actions.

use crate::error::AppError;
use crate::hire::components::ShiftActions;
use crate::hire::contracts::model::{
    CANCELLATION_POLICY, ContractEvent, ContractEventKind, ContractStatus, ContractView, Delivery,
    Timesheet, TimesheetStatus,
};
use crate::hire::disputes::components::DisputeNote;
use crate::hire::postings::model::{PayBasis, PostingKind};
use crate::hire::ratings::components::{ContractRatings, RatingFields};
use crate::hire::reference::model::{Side, WEEKDAYS};
use crate::ids::{ContractId, DisputeId};
use crate::ui::{FormError, TextField, field_error, form_error};
use leptos::prelude::*;

/// Hours on a timesheet.
#[component]
pub fn TimesheetLine(timesheet: Timesheet) -> impl IntoView {
    let adjusted = timesheet.claimed_minutes != timesheet.minutes;
    view! {
        <p class="timesheet" data-testid="timesheet">
            <span class="tag">{timesheet.status.label()}</span>" "
            {format!(
                "{}–{}, break {} min: {} = {}",
                timesheet.worked_from.format("%a %-d %b %H:%M"),
                timesheet.worked_to.format("%H:%M"),
                timesheet.break_minutes,
                crate::hire::time::hours_label(i64::from(timesheet.minutes)),
                timesheet.amount,
            )}
            {adjusted.then(|| format!(" (claimed {})", crate::hire::time::hours_label(i64::from(timesheet.claimed_minutes))))}
            {timesheet.reason.map(|r| view! { <span class="muted">{format!(" — “{r}”")}</span> })}
        </p>
    }
}

/// A job's week: the hours each day, the total and its pay, and the answer.
#[component]
pub fn WeekLine(timesheet: Timesheet) -> impl IntoView {
    let monday = timesheet.week.unwrap_or_default();
    let days = (0_i64..)
        .zip(&timesheet.daily_minutes)
        .filter(|(_, m)| **m > 0)
        .map(|(i, m)| {
            format!(
                "{} {}",
                (monday + chrono::Duration::days(i)).format("%a"),
                crate::hire::time::hours_label(i64::from(*m))
            )
        })
        .collect::<Vec<_>>()
        .join(" · ");
    let adjusted = timesheet.claimed_minutes != timesheet.minutes;
    view! {
        <p class="timesheet" data-testid="week" data-week=monday.to_string()>
            <span class="tag">{timesheet.status.label()}</span>" "
            {format!(
                "Week of {}: {days} = {} = {}",
                monday.format("%-d %b %Y"),
                crate::hire::time::hours_label(i64::from(timesheet.minutes)),
                timesheet.amount,
            )}
            {adjusted.then(|| format!(" (claimed {})", crate::hire::time::hours_label(i64::from(timesheet.claimed_minutes))))}
            {timesheet.reason.map(|r| view! { <span class="muted">{format!(" — “{r}”")}</span> })}
        </p>
    }
}

/// A fixed-price job's handed-over work and its answer.
#[component]
pub fn DeliveryLine(delivery: Delivery) -> impl IntoView {
    view! {
        <p class="timesheet" data-testid="delivery">
            <span class="tag">{delivery.status.label()}</span>" "
            {format!("Work handed over for {}: “{}”", delivery.amount, delivery.note)}
            {delivery.reason.map(|r| view! { <span class="muted">{format!(" — disputed: “{r}”")}</span> })}
        </p>
    }
}

/// A week's hours per day, starting from `initial` (a disputed week, or this week empty);
/// `prefix` keeps ids unique.
#[component]
pub fn WeekFields(
    contract: ContractId,
    prefix: &'static str,
    monday: chrono::NaiveDate,
    initial: Option<Timesheet>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let daily = initial.map(|t| t.daily_minutes).unwrap_or_default();
    let hours = move |i: usize| {
        daily
            .get(i)
            .filter(|m| **m > 0)
            .map(|m| format!("{}", f64::from(*m) / 60.0))
            .unwrap_or_default()
    };
    let week_error = field_error(error, "week[days]");
    view! {
        <div class="hours-fields">
            <TextField label="Week of" name="week[week]" kind="date" value=monday.to_string()
                hint="Any day of the week; it runs Monday to Sunday." id=format!("{prefix}-week-{contract}") error/>
            {WEEKDAYS.iter().enumerate().map(|(i, day)| {
                let id = format!("{prefix}-day-{}-{contract}", i + 1);
                let name = format!("week[days][{}]", i + 1);
                let day_error = field_error(error, &name);
                view! {
                    <div class="field field--narrow" class:field--invalid=move || day_error.get().is_some()>
                        <label for=id.clone()>{format!("{day} (hours)")}</label>
                        <input id=id type="text" inputmode="decimal" name=name value=hours(i)/>
                        <p class="field__error">{move || day_error.get()}</p>
                    </div>
                }
            }).collect_view()}
            <p class="field__error">{move || week_error.get()}</p>
        </div>
    }
}

/// A contract's history.
#[component]
pub fn ContractEvents(events: Vec<ContractEvent>) -> impl IntoView {
    view! {
        <ol class="timeline">
            {events.into_iter().map(|e| view! {
                <li>
                    {format!("{} — {}", e.at.format("%-d %b %H:%M"), e.kind.label())}
                    {e.late.then_some(" (late)")}
                    {(e.amount.minor() > 0).then(|| match e.kind {
                        ContractEventKind::Disputed => format!(": {} claimed", e.amount),
                        ContractEventKind::DisputeResolved => format!(": {} paid", e.amount),
                        ContractEventKind::Hired
                        | ContractEventKind::CancelledByClient
                        | ContractEventKind::CancelledByFreelancer
                        | ContractEventKind::NoShow
                        | ContractEventKind::HoursApproved
                        | ContractEventKind::WorkApproved
                        | ContractEventKind::FundingLapsed
                        | ContractEventKind::EndedByClient
                        | ContractEventKind::DisputeSettled => format!(": {} owed", e.amount),
                    })}
                    {(!e.reason.is_empty()).then(|| format!(" — “{}”", e.reason))}
                </li>
            }).collect_view()}
        </ol>
    }
}

/// The hours fields, prefilled with the contract's schedule; `prefix` keeps ids unique.
#[component]
pub fn HoursFields(
    contract: ContractView,
    prefix: &'static str,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let (from, to) = match &contract.timesheet {
        Some(t) => (t.worked_from, t.worked_to),
        None => (contract.starts, contract.ends),
    };
    let break_minutes = contract
        .timesheet
        .as_ref()
        .map_or(contract.break_minutes, |t| t.break_minutes);
    let id = contract.id;
    view! {
        <div class="hours-fields">
            <TextField label="Date" name="hours[date]" kind="date" value=from.format("%Y-%m-%d").to_string()
                id=format!("{prefix}-date-{id}") error/>
            <TextField label="Start" name="hours[starts]" kind="time" value=from.format("%H:%M").to_string()
                id=format!("{prefix}-starts-{id}") error/>
            <TextField label="End" name="hours[ends]" kind="time" value=to.format("%H:%M").to_string()
                id=format!("{prefix}-ends-{id}") error/>
            <TextField label="Break (minutes)" name="hours[break_minutes]" kind="number" value=break_minutes.to_string()
                id=format!("{prefix}-break-{id}") required=false error/>
        </div>
    }
}

#[component]
pub fn Contracts(
    page_slug: String,
    kind: PostingKind,
    contracts: Vec<ContractView>,
    actions: ShiftActions,
) -> impl IntoView {
    let adjust_error = form_error(actions.adjust);
    let rate_error = form_error(actions.rate);
    view! {
        <section class="panel" aria-labelledby="contracts-heading">
            <h2 id="contracts-heading">"Booked"</h2>
            <p class="muted">{match kind {
                PostingKind::Shift => format!(
                    "Cancelling less than {} hours before the start owes the freelancer {}% of the shift's wage.",
                    CANCELLATION_POLICY.notice_hours, CANCELLATION_POLICY.late_share_percent
                ),
                PostingKind::Job => format!(
                    "A job can be cancelled until it starts; less than {} hours before, it counts as late but owes nothing.",
                    CANCELLATION_POLICY.notice_hours
                ),
            }}</p>
            {contracts.is_empty().then(|| view! { <p>"Nobody is booked yet."</p> })}
            {contracts.into_iter().map(|c| {
                let slug = page_slug.clone();
                let id = c.id.to_string();
                let active = c.status == ContractStatus::Active;
                let waiting = c.timesheet.as_ref().is_some_and(|t| t.status == TimesheetStatus::Submitted);
                let may_cancel = active && !c.started;
                let may_no_show = c.kind == PostingKind::Shift && active && c.started && c.timesheet.is_none();
                let may_end = c.kind == PostingKind::Job && c.pay_basis == PayBasis::Hourly && active && c.started;
                let reason_id = format!("cancel-reason-{id}");
                let end_id = format!("end-reason-{id}");
                let dispute_id = format!("dispute-reason-{id}");
                let rating_form = {
                    let (slug, id) = (slug.clone(), id.clone());
                    let heading = format!("How did {} do?", c.freelancer);
                    view! {
                        <ActionForm action=actions.rate attr:class="form form--compact" attr:novalidate=true>
                            <h4>{heading}</h4>
                            <input type="hidden" name="slug" value=slug/>
                            <input type="hidden" name="contract" value=id/>
                            <RatingFields contract=c.id error=rate_error/>
                        </ActionForm>
                    }
                    .into_any()
                };
                view! {
                    <article class="contract subpanel" data-status=c.status.db_name()>
                        <h3><a href=format!("/hire/freelancers/{}", c.freelancer_id)>{c.freelancer.clone()}</a>" "
                            <span class="tag">{c.status.label()}</span></h3>
                        <p><a href=format!("/hire/org/{slug}/messages/{}", c.application_id)>"Messages"</a></p>
                        {c.timesheet.clone().map(|t| view! { <TimesheetLine timesheet=t/> })}
                        {(c.kind == PostingKind::Job).then(|| view! { <JobAnswers slug=slug.clone() contract=c.clone() actions/> })}
                        {c.disputes.clone().into_iter().map(|brief| {
                            let form = brief.may_escalate.then(|| escalate_form(actions, slug.clone(), brief.id));
                            view! { <DisputeNote brief form=form.unwrap_or_else(|| ().into_any())/> }
                        }).collect_view()}
                        {waiting.then(|| { let (slug_a, slug_b, slug_c) = (slug.clone(), slug.clone(), slug.clone()); let (id_a, id_b, id_c) = (id.clone(), id.clone(), id.clone()); let contract = c.clone(); view! {
                            <div class="hours-answer">
                                <ActionForm action=actions.approve attr:class="inline-form">
                                    <input type="hidden" name="slug" value=slug_a/>
                                    <input type="hidden" name="contract" value=id_a/>
                                    <button type="submit" class="button">"Approve hours"</button>
                                </ActionForm>
                                <ActionForm action=actions.dispute attr:class="inline-form">
                                    <input type="hidden" name="slug" value=slug_b/>
                                    <input type="hidden" name="contract" value=id_b/>
                                    <label for=dispute_id.clone() class="visually-hidden">"Why you dispute the hours"</label>
                                    <input id=dispute_id type="text" name="reason" placeholder="Why these hours are wrong" required/>
                                    <button type="submit" class="link-button link-button--danger">"Dispute"</button>
                                </ActionForm>
                                <details>
                                    <summary>"Approve different hours"</summary>
                                    <ActionForm action=actions.adjust attr:class="form form--compact" attr:novalidate=true>
                                        <input type="hidden" name="slug" value=slug_c/>
                                        <input type="hidden" name="contract" value=id_c/>
                                        <HoursFields contract prefix="adjust" error=adjust_error/>
                                        <TextField label="Reason" name="reason" id=format!("adjust-reason-{}", c.id) error=adjust_error/>
                                        <FormError error=adjust_error/>
                                        <button type="submit" class="button button--quiet">"Approve adjusted hours"</button>
                                    </ActionForm>
                                </details>
                            </div>
                        }})}
                        {may_cancel.then(|| { let (slug, id) = (slug.clone(), id.clone()); view! {
                            <ActionForm action=actions.cancel attr:class="inline-form">
                                <input type="hidden" name="slug" value=slug/>
                                <input type="hidden" name="contract" value=id/>
                                <label for=reason_id.clone() class="visually-hidden">"Reason"</label>
                                <input id=reason_id type="text" name="reason" placeholder="Reason" required/>
                                <button type="submit" class="link-button link-button--danger">"Cancel booking"</button>
                            </ActionForm>
                        }})}
                        {may_no_show.then(|| { let (slug, id) = (slug.clone(), id.clone()); view! {
                            <ActionForm action=actions.no_show attr:class="inline-form">
                                <input type="hidden" name="slug" value=slug/>
                                <input type="hidden" name="contract" value=id/>
                                <button type="submit" class="link-button link-button--danger">"Record a no-show"</button>
                            </ActionForm>
                        }})}
                        {may_end.then(|| view! {
                            <ActionForm action=actions.end_job attr:class="inline-form">
                                <input type="hidden" name="slug" value=slug/>
                                <input type="hidden" name="contract" value=id/>
                                <label for=end_id.clone() class="visually-hidden">"Why you end the job"</label>
                                <input id=end_id type="text" name="reason" placeholder="Why the job ends early" required/>
                                <button type="submit" class="link-button link-button--danger">"End the job"</button>
                            </ActionForm>
                        })}
                        <ContractEvents events=c.events.clone()/>
                        <ContractRatings contract=c.clone() me=Side::Organisation form=rating_form/>
                    </article>
                }
            }).collect_view()}
        </section>
    }
}

/// The organisation's way to ask Olivine to decide dispute `id`.
fn escalate_form(actions: ShiftActions, slug: String, id: DisputeId) -> AnyView {
    let note_id = format!("escalate-{id}");
    view! {
        <ActionForm action=actions.escalate attr:class="inline-form">
            <input type="hidden" name="slug" value=slug/>
            <input type="hidden" name="dispute" value=id.to_string()/>
            <label for=note_id.clone() class="visually-hidden">"What Olivine should know"</label>
            <input id=note_id type="text" name="note" placeholder="What Olivine should know" required/>
            <button type="submit" class="button button--quiet">"Ask Olivine to decide"</button>
        </ActionForm>
    }
    .into_any()
}

/// A job's weeks or handed-over work, with the organisation's answers to what waits.
#[component]
pub fn JobAnswers(slug: String, contract: ContractView, actions: ShiftActions) -> impl IntoView {
    let adjust_error = form_error(actions.adjust_week);
    let id = contract.id;
    let hidden = move || {
        view! {
            <input type="hidden" name="slug" value=slug.clone()/>
            <input type="hidden" name="contract" value=id.to_string()/>
        }
    };
    match contract.pay_basis {
        PayBasis::Hourly => contract.weeks.into_iter().map(|t| {
            let waiting = t.status == TimesheetStatus::Submitted;
            let monday = t.week.unwrap_or_default();
            let dispute_id = format!("dispute-week-{id}-{monday}");
            let (approve_fields, dispute_fields, adjust_fields) = (hidden(), hidden(), hidden());
            let sheet = t.clone();
            view! {
                <WeekLine timesheet=t/>
                {waiting.then(|| view! {
                    <div class="hours-answer">
                        <ActionForm action=actions.approve_week attr:class="inline-form">
                            {approve_fields}
                            <input type="hidden" name="monday" value=monday.to_string()/>
                            <button type="submit" class="button">"Approve week"</button>
                        </ActionForm>
                        <ActionForm action=actions.dispute_week attr:class="inline-form">
                            {dispute_fields}
                            <input type="hidden" name="monday" value=monday.to_string()/>
                            <label for=dispute_id.clone() class="visually-hidden">"Why you dispute the week"</label>
                            <input id=dispute_id type="text" name="reason" placeholder="Why these hours are wrong" required/>
                            <button type="submit" class="link-button link-button--danger">"Dispute"</button>
                        </ActionForm>
                        <details>
                            <summary>"Approve different hours"</summary>
                            <ActionForm action=actions.adjust_week attr:class="form form--compact" attr:novalidate=true>
                                {adjust_fields}
                                <input type="hidden" name="monday" value=monday.to_string()/>
                                <WeekFields contract=id prefix="adjust" monday initial=Some(sheet) error=adjust_error/>
                                <TextField label="Reason" name="reason" id=format!("adjust-week-reason-{id}-{monday}") error=adjust_error/>
                                <FormError error=adjust_error/>
                                <button type="submit" class="button button--quiet">"Approve adjusted week"</button>
                            </ActionForm>
                        </details>
                    </div>
                })}
            }
        }).collect_view().into_any(),
        PayBasis::Fixed => {
            let waiting = contract
                .delivery
                .as_ref()
                .is_some_and(|d| d.status == TimesheetStatus::Submitted);
            let dispute_id = format!("dispute-delivery-{id}");
            let (approve_fields, dispute_fields) = (hidden(), hidden());
            view! {
                {contract.delivery.map(|d| view! { <DeliveryLine delivery=d/> })}
                {waiting.then(|| view! {
                    <div class="hours-answer">
                        <ActionForm action=actions.approve_delivery attr:class="inline-form">
                            {approve_fields}
                            <button type="submit" class="button">"Approve the work"</button>
                        </ActionForm>
                        <ActionForm action=actions.dispute_delivery attr:class="inline-form">
                            {dispute_fields}
                            <label for=dispute_id.clone() class="visually-hidden">"What is missing"</label>
                            <input id=dispute_id type="text" name="reason" placeholder="What is missing" required/>
                            <button type="submit" class="link-button link-button--danger">"Dispute"</button>
                        </ActionForm>
                    </div>
                })}
            }
            .into_any()
        }
    }
}
