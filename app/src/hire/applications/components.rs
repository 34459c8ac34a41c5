//! The applicants of a posting as its organisation sees them, their answers, and the people who
//! worked for it before.

use crate::hire::applications::model::{ApplicationStatus, PastWorker};
use crate::hire::components::ShiftActions;
use crate::hire::matching::components::{FitExplanation, InviteForm, reliability_line};
use crate::hire::postings::model::{PayBasis, pay_label};
use crate::ids::PostingId;
use crate::ui::count_of;
use leptos::prelude::*;

#[component]
pub fn Applicants(
    page_slug: String,
    applicants: Vec<crate::hire::applications::model::Applicant>,
    basis: PayBasis,
    actions: ShiftActions,
) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="applicants-heading">
            <h2 id="applicants-heading">"Applicants"</h2>
            {applicants.is_empty().then(|| view! { <p>"Nobody has applied or been invited yet."</p> })}
            <ul class="list" role="list" data-testid="applicants">
                {applicants.into_iter().map(|a| {
                    let slug = page_slug.clone();
                    let id = a.id.to_string();
                    let waiting = a.status == ApplicationStatus::Applied;
                    let offered = a.status == ApplicationStatus::Offered;
                    let invited = a.status == ApplicationStatus::Invited;
                    let reason_id = format!("reject-reason-{id}");
                    view! {
                        <li class="list__row applicant" data-status=a.status.db_name()>
                            <a href=format!("/hire/freelancers/{}", a.freelancer_id)>{a.name.clone()}</a>
                            <span>{format!("{} · {}", a.headline, a.city)}</span>
                            <a href=format!("/hire/org/{slug}/messages/{id}")>"Message"</a>
                            <span class="muted">{reliability_line(a.reliability)}</span>
                            <span class="tag">{a.status.label()}</span>
                            {a.fit.clone().map(|fit| view! { <FitExplanation fit/> })}
                            {a.proposed.map(|p| view! { <span class="price" data-testid="proposed">{format!("Asks {}", pay_label(p, basis))}</span> })}
                            {(!a.note.is_empty()).then(|| view! { <q>{a.note.clone()}</q> })}
                            {a.reason.clone().map(|r| view! { <span class="muted">{format!("“{r}”")}</span> })}
                            {waiting.then(|| { let (slug, id) = (slug.clone(), id.clone()); view! {
                                <ActionForm action=actions.offer attr:class="inline-form">
                                    <input type="hidden" name="slug" value=slug/>
                                    <input type="hidden" name="application" value=id/>
                                    <button type="submit" class="button button--small">"Offer a place"</button>
                                </ActionForm>
                            }})}
                            {(waiting || offered || invited).then(|| view! {
                                <ActionForm action=actions.reject attr:class="inline-form">
                                    <input type="hidden" name="slug" value=slug.clone()/>
                                    <input type="hidden" name="application" value=id.clone()/>
                                    <label for=reason_id.clone() class="visually-hidden">"Reason"</label>
                                    <input id=reason_id type="text" name="reason" placeholder="Reason" required/>
                                    <button type="submit" class="link-button link-button--danger">
                                        {if offered { "Take back offer" } else if invited { "Take back invitation" } else { "Turn down" }}
                                    </button>
                                </ActionForm>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// Freelancers who worked for the organisation before, to invite to this open shift.
#[component]
pub fn PastWorkers(
    page_slug: String,
    shift: PostingId,
    workers: Vec<PastWorker>,
    actions: ShiftActions,
) -> impl IntoView {
    (!workers.is_empty()).then(|| view! {
        <section class="panel" aria-labelledby="past-workers-heading">
            <h2 id="past-workers-heading">"Invite people who worked for you"</h2>
            <p class="muted">"They get the invitation with your message and apply from it; an invitation takes no place until you offer one."</p>
            <ul class="list" role="list" data-testid="past-workers">
                {workers.into_iter().map(|w| {
                    let slug = page_slug.clone();
                    view! {
                        <li class="list__row">
                            <a href=format!("/hire/freelancers/{}", w.freelancer_id)>{w.name.clone()}</a>
                            <span>{format!("{} · {}", w.headline, w.city)}</span>
                            <span class="muted">{count_of(w.shifts, "shift")}" with you"</span>
                            <InviteForm action=actions.invite slug shift freelancer=w.freelancer_id name=w.name.clone() list="invite"/>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    })
}
