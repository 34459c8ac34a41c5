//! `/hire/applications`: the freelancer's applications and offers.

use crate::hire::applications::api::{AcceptOffer, WithdrawApplication, my_applications};
use crate::hire::applications::model::ApplicationStatus;
use crate::hire::components::{HireNav, HireNavState, posting_href};
use crate::notifications::arrivals::changes_here;
use crate::ui::{ErrorPage, FormError, Notice, form_error};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MyApplicationsPage() -> impl IntoView {
    let nav = HireNavState::new();
    let accept = ServerAction::<AcceptOffer>::new();
    let withdraw = ServerAction::<WithdrawApplication>::new();
    let live = changes_here();
    let list = Resource::new(
        move || (accept.version().get(), withdraw.version().get(), live.get()),
        |_| my_applications(),
    );
    let error = Signal::derive(move || {
        form_error(accept)
            .get()
            .or_else(|| form_error(withdraw).get())
    });
    let accepted = move || accept.value().with(|v| matches!(v, Some(Ok(()))));
    view! {
        <Title text="My applications — Olivine Hire"/>
        <header class="page-head">
            <p class="eyebrow">"Hire"</p>
            <h1>"My applications"</h1>
        </header>
        <HireNav nav/>
        {move || accepted().then(|| view! {
            <Notice tone="success"><p>"You're booked. The shift is in "<a href="/hire/work/shifts">"My shifts"</a>"."</p></Notice>
        })}
        <FormError error/>
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(applications) if applications.is_empty() => view! {
                        <p>"No applications yet. "<a href="/hire/work">"Find work"</a></p>
                    }.into_any(),
                    Ok(applications) => view! {
                        <ul class="list" role="list" data-testid="applications">
                            {applications.into_iter().map(|a| {
                                let id = a.id.to_string();
                                let open = matches!(a.status, ApplicationStatus::Invited | ApplicationStatus::Applied | ApplicationStatus::Offered);
                                let offered = a.status == ApplicationStatus::Offered;
                                let invited = a.status == ApplicationStatus::Invited;
                                let reason_id = format!("reason-{id}");
                                view! {
                                    <li class="list__row application" data-status=a.status.db_name()>
                                        <a href=posting_href(a.shift.kind, a.shift.id)>{a.shift.title.clone()}</a>
                                        <span>{a.shift.organisation.clone()}</span>
                                        <span>{a.shift.when()}</span>
                                        <span class="tag">{a.status.label()}</span>
                                        {a.reason.clone().map(|r| view! { <span class="muted">{format!("“{r}”")}</span> })}
                                        <a href=format!("/hire/messages/{id}")>"Message"</a>
                                        {invited.then(|| view! {
                                            <a class="button button--small" href=posting_href(a.shift.kind, a.shift.id)>"Apply"</a>
                                        })}
                                        {offered.then(|| { let id = id.clone(); view! {
                                            <ActionForm action=accept attr:class="inline-form">
                                                <input type="hidden" name="application" value=id/>
                                                <button type="submit" class="button button--small">"Accept offer"</button>
                                            </ActionForm>
                                        }})}
                                        {open.then(|| view! {
                                            <ActionForm action=withdraw attr:class="inline-form">
                                                <input type="hidden" name="application" value=id.clone()/>
                                                <label for=reason_id.clone() class="visually-hidden">"Reason"</label>
                                                <input id=reason_id type="text" name="reason" placeholder="Reason" required/>
                                                <button type="submit" class="link-button link-button--danger">
                                                    {if offered { "Decline offer" } else if invited { "Decline invitation" } else { "Withdraw" }}
                                                </button>
                                            </ActionForm>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
