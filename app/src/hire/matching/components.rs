//! How a match is shown: a candidate's fit explained factor by factor, reliability, and the
//! recommended candidates a manager can invite.

use crate::error::AppError;
use crate::hire::applications::api::InviteFreelancer;
use crate::hire::components::ShiftActions;
use crate::hire::matching::model::{MatchFilter, Recommendations};
use crate::hire::profiles::model::Reliability;
use crate::ids::{PostingId, UserId};
use leptos::prelude::*;

/// One line of a freelancer's track record.
pub fn reliability_line(r: Reliability) -> String {
    let mut parts = vec![format!("{} completed", r.completed)];
    if let Some(a) = r.attendance() {
        parts.push(format!("{:.0}% attendance", a * 100.0));
    }
    if let Some(p) = r.punctuality() {
        parts.push(format!("{:.0}% on time", p * 100.0));
    }
    if r.no_shows > 0 {
        parts.push(format!("{} no-show(s)", r.no_shows));
    }
    if r.late_cancellations > 0 {
        parts.push(format!("{} late cancellation(s)", r.late_cancellations));
    }
    if r.ratings > 0 {
        parts.push(crate::hire::ratings::model::rating_line(
            r.average_rating(),
            r.ratings,
        ));
    }
    parts.join(" · ")
}

/// A match score and what makes it: the summary line, then (opened on demand) each factor's
/// value, weight and points, adding up to the score, and each hard filter with its outcome.
#[component]
pub fn FitExplanation(fit: crate::hire::matching::model::Fit) -> impl IntoView {
    let eligible = fit.eligible();
    view! {
        <div class="fit" data-testid="fit">
            <span class="fit__score" data-testid="fit-summary">{fit.summary()}</span>
            <details class="fit__why">
                <summary>"Why this score"</summary>
                <table class="fit__factors">
                    <caption class="visually-hidden">"How the score adds up"</caption>
                    <thead><tr><th scope="col">"Factor"</th><th scope="col">"Value"</th><th scope="col">"Weight"</th><th scope="col">"Points"</th></tr></thead>
                    <tbody>
                        {fit.score.contributions.iter().map(|c| view! {
                            <tr data-testid="fit-factor">
                                <th scope="row">{c.factor.label()}</th>
                                <td>{format!("{:.2}", c.value)}</td>
                                <td>{format!("{:.0}%", c.weight * 100.0)}</td>
                                <td>{format!("{:.1}", c.points)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                    <tfoot><tr><th scope="row" colspan="3">"Score"</th><td data-testid="fit-total">{format!("{:.1}", fit.total())}</td></tr></tfoot>
                </table>
                <ul class="fit__checks" role="list">
                    {fit.checks.iter().map(|c| view! {
                        <li class=if c.passed { "check check--passed" } else { "check check--failed" }>
                            <span aria-hidden="true">{if c.passed { "✓ " } else { "✗ " }}</span>
                            <span class="visually-hidden">{if c.passed { "Passed: " } else { "Failed: " }}</span>
                            {c.text.clone()}
                        </li>
                    }).collect_view()}
                </ul>
                {(!eligible).then(|| view! { <p class="muted">"Fails a hard filter: the engine would not recommend them for this posting."</p> })}
            </details>
        </div>
    }
}

/// The matching engine's best freelancers for the posting, each explained, with an invitation
/// form; the radius and a minimum attendance narrow them.
#[component]
pub fn RecommendedCandidates(
    page_slug: String,
    shift: PostingId,
    filter: MatchFilter,
    candidates: Result<Recommendations, AppError>,
    actions: ShiftActions,
) -> impl IntoView {
    let within = filter.within_km();
    let attendance = filter.min_attendance.unwrap_or(0);
    view! {
        <section class="panel" aria-labelledby="recommended-heading">
            <h2 id="recommended-heading">"Recommended candidates"</h2>
            <p class="muted">"Ranked by how their profile fits the description, skills and levels, rating, attendance, distance and rate. Everyone listed lives within reach, accepts the pay, holds the certificates and is free at that time."</p>
            <leptos_router::components::Form method="GET" action="" attr:class="filters">
                <label>
                    "Within "
                    <select name="within">
                        {MatchFilter::RADII.into_iter().map(|km| view! {
                            <option value=km.to_string() selected=km == within>{format!("{km} km")}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    "Attendance at least "
                    <select name="attendance">
                        {[0, 80, 90, 95].into_iter().map(|p| view! {
                            <option value=p.to_string() selected=p == attendance>{if p == 0 { "any".to_owned() } else { format!("{p}%") }}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="button button--quiet button--small">"Update"</button>
            </leptos_router::components::Form>
            {matches!(&candidates, Ok(r) if !r.description_read).then(|| view! {
                <p class="muted" role="status" data-testid="description-unread">"The description is still being read: for a few seconds how each profile fits it does not count yet. Reload to see it."</p>
            })}
            {match candidates.map(|r| r.candidates) {
                Err(error) => view! { <p class="error">{error.to_string()}</p> }.into_any(),
                Ok(list) if list.is_empty() => view! {
                    <p>"Nobody passes every requirement yet. A wider radius or no attendance minimum may find someone."</p>
                }.into_any(),
                Ok(list) => view! {
                    <ol class="list" data-testid="recommended">
                        {list.into_iter().map(|c| {
                            let slug = page_slug.clone();
                            view! {
                                <li class="list__row candidate">
                                    <a href=format!("/hire/freelancers/{}", c.freelancer_id)>{c.name.clone()}</a>
                                    <span>{format!("{} · {}", c.headline, c.city)}</span>
                                    <FitExplanation fit=c.fit/>
                                    <InviteForm action=actions.invite slug shift freelancer=c.freelancer_id name=c.name.clone() list="recommended"/>
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any(),
            }}
        </section>
    }
}

/// An invitation to apply to the posting, with an optional message; `list` keeps the message
/// field's id unique when someone appears in two lists.
#[component]
pub fn InviteForm(
    action: ServerAction<InviteFreelancer>,
    slug: String,
    shift: PostingId,
    freelancer: UserId,
    name: String,
    list: &'static str,
) -> impl IntoView {
    let message_id = format!("{list}-message-{freelancer}");
    view! {
        <ActionForm action attr:class="inline-form">
            <input type="hidden" name="slug" value=slug/>
            <input type="hidden" name="shift" value=shift.to_string()/>
            <input type="hidden" name="freelancer" value=freelancer.to_string()/>
            <label for=message_id.clone() class="visually-hidden">{format!("Message to {name}")}</label>
            <input id=message_id type="text" name="message" placeholder="Message (optional)"/>
            <button type="submit" class="button button--small">"Invite"</button>
        </ActionForm>
    }
}
