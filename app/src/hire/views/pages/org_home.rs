//! `/hire/org/{slug}`: the organisation's shifts and the hours waiting for approval.

use crate::hire::components::{HireNav, HireNavState, slug_param};
use crate::hire::contracts::api::ApproveHours;
use crate::hire::contracts::components::TimesheetLine;
use crate::hire::postings::model::{PayBasis, PostingKind};
use crate::hire::views::api::load_org_home;
use crate::ui::{ErrorPage, FormError, form_error};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn OrgHomePage() -> impl IntoView {
    let nav = HireNavState::new();
    let slug = slug_param();
    let approve = ServerAction::<ApproveHours>::new();
    let home = Resource::new(
        move || (slug.get(), approve.version().get()),
        |(slug, _)| load_org_home(slug),
    );
    let error = form_error(approve);
    view! {
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match home.await {
                    Ok(home) => {
                        let slug = home.slug.clone();
                        view! {
                            <Title text=format!("{} — Olivine Hire", home.name)/>
                            <header class="page-head">
                                <p class="eyebrow">"Organisation"</p>
                                <h1>{home.name.clone()}</h1>
                                <p>
                                    <a class="button" href=format!("/hire/org/{slug}/shifts/new")>"Post a shift"</a>" "
                                    <a class="button" href=format!("/hire/org/{slug}/jobs/new")>"Post a job"</a>" "
                                    <a class="button button--quiet" href=format!("/hire/org/{slug}/messages")>"Messages"</a>" "
                                    <a class="button button--quiet" href=format!("/hire/org/{slug}/settings")>"Members"</a>" "
                                    <a class="button button--quiet" href=format!("/hire/org/{slug}/billing")>"Billing"</a>
                                </p>
                            </header>
                            <HireNav nav/>
                            {(!home.timesheets_waiting.is_empty()).then(|| { let slug = slug.clone(); view! {
                                <section class="panel" aria-labelledby="waiting-heading">
                                    <h2 id="waiting-heading">"Hours waiting for approval"</h2>
                                    <FormError error/>
                                    <ul class="list" role="list" data-testid="hours-waiting">
                                        {home.timesheets_waiting.into_iter().map(|c| { let slug = slug.clone(); view! {
                                            <li class="list__row">
                                                <a href=format!("/hire/org/{slug}/shifts/{}", c.posting_id)>{c.title.clone()}</a>
                                                <span>{c.freelancer.clone()}</span>
                                                {match c.timesheet.clone() {
                                                    Some(t) if c.kind == PostingKind::Shift => view! {
                                                        <TimesheetLine timesheet=t/>
                                                        <ActionForm action=approve attr:class="inline-form">
                                                            <input type="hidden" name="slug" value=slug/>
                                                            <input type="hidden" name="contract" value=c.id.to_string()/>
                                                            <button type="submit" class="button button--small">"Approve"</button>
                                                        </ActionForm>
                                                    }.into_any(),
                                                    Some(_) | None => view! {
                                                        <a class="button button--small" href=format!("/hire/org/{slug}/shifts/{}", c.posting_id)>
                                                            {if c.pay_basis == PayBasis::Fixed { "Review the work" } else { "Review the weeks" }}
                                                        </a>
                                                    }.into_any(),
                                                }}
                                            </li>
                                        }}).collect_view()}
                                    </ul>
                                </section>
                            }})}
                            <section class="panel" aria-labelledby="shifts-heading">
                                <h2 id="shifts-heading">"Shifts"</h2>
                                {if home.shifts.is_empty() {
                                    view! { <p>"No shifts yet."</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="table" data-testid="org-shifts">
                                            <thead><tr>
                                                <th scope="col">"Shift"</th><th scope="col">"When"</th><th scope="col">"Status"</th>
                                                <th scope="col">"Places"</th><th scope="col">"New applicants"</th><th scope="col">"Hours to approve"</th>
                                            </tr></thead>
                                            <tbody>
                                                {home.shifts.into_iter().map(|o| view! {
                                                    <tr>
                                                        <td><a href=format!("/hire/org/{slug}/shifts/{}", o.shift.id)>{o.shift.title.clone()}</a></td>
                                                        <td>{o.shift.when()}</td>
                                                        <td><span class="tag">{o.shift.status.label()}</span></td>
                                                        <td>{format!("{}/{}", o.shift.seats_taken, o.shift.headcount)}</td>
                                                        <td>{o.applicants}</td>
                                                        <td>{o.timesheets_waiting}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </section>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
