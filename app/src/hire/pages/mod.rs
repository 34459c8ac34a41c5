//! Hire pages: the freelancer's profile, find-work, applications and shifts; the organisation's
//! shifts, applicants, contracts and timesheets; and the pieces they share.

mod certificates;
mod freelancer;
mod messages;
mod organisation;

pub use certificates::VerificationPage;
use certificates::{CertificateBadges, CertificatesPanel};
pub use freelancer::{
    FindWorkPage, FreelancerPage, MyApplicationsPage, MyShiftsPage, ProfilePage, ShiftPage,
};
pub use messages::{MessagesPage, OrgMessagesPage, OrgThreadPage, ThreadPage};
pub use organisation::{EditShiftPage, NewJobPage, NewShiftPage, OrgHomePage, OrgShiftPage};

use super::api::unread_messages;
use crate::accounts::pages::ViewerState;
use crate::error::AppError;
use crate::hire::contracts::model::{ContractEvent, ContractView, Delivery, Timesheet};
use crate::hire::messages::model::Unread;
use crate::hire::postings::model::{PayBasis, PostingKind, ShiftSummary};
use crate::hire::profiles::model::Reliability;
use crate::hire::reference::model::Side;
use crate::hire::reference::model::{City, SKILL_LEVELS, WEEKDAYS};
use crate::hire::views::ShiftDetail;
use crate::ids::{ContractId, PostingId};
use crate::ui::{ErrorPage, FormError, TextArea, TextField, field_error};
use leptos::prelude::*;
use leptos_meta::Title;

/// A city picked from the bundled list, `selected` chosen; its error is the field `name`'s.
#[component]
fn CitySelect(
    label: &'static str,
    name: &'static str,
    id: &'static str,
    cities: Vec<City>,
    selected: String,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let city_error = field_error(error, name);
    view! {
        <div class="field" class:field--invalid=move || city_error.get().is_some()>
            <label for=id>{label}</label>
            <select id=id name=name>
                <option value="">"Choose a city"</option>
                {cities.into_iter().map(|c| {
                    let chosen = c.id == selected;
                    view! { <option value=c.id selected=chosen>{format!("{} ({})", c.name, c.country)}</option> }
                }).collect_view()}
            </select>
            <p class="field__error">{move || city_error.get()}</p>
        </div>
    }
}

/// The Hire face's own navigation: work for freelancers, each organisation for its members.
#[component]
pub fn HireNav() -> impl IntoView {
    let Some(state) = use_context::<ViewerState>() else {
        return ().into_any();
    };
    // Only asked for when someone is signed in.
    let unread = Resource::new(
        || (),
        move |()| async move {
            match state.viewer.await {
                Ok(Some(_)) => unread_messages().await,
                Ok(None) | Err(_) => Ok(Unread::default()),
            }
        },
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let viewer = state.viewer.await.ok().flatten();
                // Counts are a nicety: a failure leaves the links without them.
                let counts = unread.await.unwrap_or_default();
                let freelancer = viewer.as_ref().is_some_and(|v| v.has(crate::accounts::model::Role::Freelancer));
                let memberships = viewer.map(|v| v.memberships).unwrap_or_default();
                view! {
                    <nav class="tabs tabs--spaced" aria-label="Hire">
                        {if freelancer {
                            view! {
                                <a href="/hire/work">"Find work"</a>
                                <a href="/hire/work/applications">"My applications"</a>
                                <a href="/hire/work/shifts">"My shifts"</a>
                                <a href="/hire/messages">"Messages"<UnreadBadge count=counts.freelancer/></a>
                                <a href="/hire/profile">"My profile"</a>
                            }.into_any()
                        } else {
                            view! { <a href="/hire/profile">"Work as a freelancer"</a> }.into_any()
                        }}
                        {memberships.into_iter().map(|m| {
                            let count = counts.organisations.iter().find(|(slug, _)| *slug == m.slug).map_or(0, |(_, n)| *n);
                            view! {
                                <a href=format!("/hire/org/{}", m.slug)>{m.name}</a>
                                {(count > 0).then(|| view! {
                                    <a href=format!("/hire/org/{}/messages", m.slug)>"Messages"<UnreadBadge count/></a>
                                })}
                            }
                        }).collect_view()}
                    </nav>
                }
            })}
        </Transition>
    }
    .into_any()
}

/// "3" after a link, read out as "3 unread"; nothing when there are none.
#[component]
fn UnreadBadge(count: i64) -> impl IntoView {
    (count > 0).then(|| {
        view! {
            " "<span class="badge" data-testid="unread-badge" aria-label=format!("{count} unread")>{count}</span>
        }
    })
}

/// `/hire`: where each kind of Hire user starts.
#[component]
pub fn HireHomePage() -> impl IntoView {
    let Some(state) = use_context::<ViewerState>() else {
        return ().into_any();
    };
    view! {
        <Title text="Hire — Olivine"/>
        <header class="page-head">
            <p class="eyebrow">"Olivine Hire"</p>
            <h1>"Shifts and freelance work"</h1>
            <p class="muted">"Organisations post shifts; freelancers near them apply, get hired, and submit their hours."</p>
        </header>
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match state.viewer.await {
                    Ok(Some(viewer)) => {
                        let freelancer = viewer.has(crate::accounts::model::Role::Freelancer);
                        view! {
                            <HireNav/>
                            <div class="grid grid--categories">
                                <section class="panel">
                                    <h2>"Work"</h2>
                                    {if freelancer {
                                        view! {
                                            <p>"Open shifts within your travel radius, soonest first."</p>
                                            <a class="button" href="/hire/work">"Find work"</a>
                                        }.into_any()
                                    } else {
                                        view! {
                                            <p>"Set up a freelancer profile — your skills, where you live, your rate and your week — to apply for shifts."</p>
                                            <a class="button" href="/hire/profile">"Create your profile"</a>
                                        }.into_any()
                                    }}
                                </section>
                                <section class="panel">
                                    <h2>"Hire"</h2>
                                    {if viewer.memberships.is_empty() {
                                        view! {
                                            <p>"Post shifts as your company and hire the freelancers who apply."</p>
                                            <a class="button button--quiet" href="/hire/org/new">"Create an organisation"</a>
                                        }.into_any()
                                    } else {
                                        view! {
                                            <ul class="list" role="list">
                                                {viewer.memberships.into_iter().map(|m| view! {
                                                    <li class="list__row"><a href=format!("/hire/org/{}", m.slug)>{m.name}</a></li>
                                                }).collect_view()}
                                            </ul>
                                        }.into_any()
                                    }}
                                </section>
                            </div>
                        }.into_any()
                    }
                    Ok(None) => view! { <ErrorPage error=AppError::Unauthorized/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

/// When, where, how long and for how much: a shift's hours, a job's days.
#[component]
fn ShiftFacts(shift: ShiftSummary) -> impl IntoView {
    let paid = crate::hire::time::hours_label(shift.paid_minutes());
    view! {
        <dl class="facts">
            <div><dt>"When"</dt><dd>{shift.when()}</dd></div>
            <div><dt>"Where"</dt><dd>{shift.city.clone()}{shift.distance_km.map(|km| format!(" · {km:.0} km from you"))}</dd></div>
            <div><dt>{if shift.pay_basis == PayBasis::Fixed { "Price" } else { "Wage" }}</dt><dd>{shift.pay_label()}</dd></div>
            {(shift.kind == PostingKind::Shift).then(|| view! {
                <div><dt>"Paid time"</dt><dd>{format!("{paid} (break {} min)", shift.break_minutes)}</dd></div>
            })}
            <div><dt>"Places"</dt><dd>{format!("{} of {} taken", shift.seats_taken, shift.headcount)}</dd></div>
        </dl>
    }
}

/// One line of a freelancer's track record.
fn reliability_line(r: Reliability) -> String {
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
fn FitExplanation(fit: crate::hire::matching::model::Fit) -> impl IntoView {
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
                    <tfoot><tr><th scope="row" colspan="3">"Score"</th><td data-testid="fit-total">{format!("{:.1}", fit.score.total)}</td></tr></tfoot>
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

/// The skills and certificates a shift asks for.
#[component]
fn ShiftRequirements(detail: ShiftDetail) -> impl IntoView {
    let level = |l: i16| SKILL_LEVELS[usize::try_from(l - 1).unwrap_or(0)].to_lowercase();
    let skills: Vec<String> = detail
        .skills
        .iter()
        .map(|(_, name, l)| format!("{name} ({})", level(*l)))
        .collect();
    let certificates: Vec<String> = detail.certificates.into_iter().map(|(_, n)| n).collect();
    view! {
        {(!skills.is_empty()).then(|| view! { <p>"Skills: "{skills.join(", ")}</p> })}
        {(!certificates.is_empty()).then(|| view! {
            <p data-testid="required-certificates">"Certificates, verified and valid on the day: "{certificates.join(", ")}</p>
        })}
    }
}

/// "★★★★☆"
fn stars(n: i16) -> String {
    let n = usize::try_from(n.clamp(0, 5)).unwrap_or(0);
    format!("{}{}", "★".repeat(n), "☆".repeat(5 - n))
}

/// What each side said after a completed contract, seen by `me`; with the form for `me`'s
/// rating (`form`) while it is still to give.
#[component]
fn ContractRatings(contract: ContractView, me: Side, form: AnyView) -> impl IntoView {
    let awaiting = contract.awaits_rating_by(me);
    view! {
        <ul class="ratings" role="list" data-testid="ratings">
            {contract.ratings.iter().map(|r| view! {
                <li>
                    {if r.by == me { "You gave " } else { "You received " }}
                    <span class="stars" aria-label=format!("{} of 5 stars", r.stars)>{stars(r.stars)}</span>
                    {(!r.comment.is_empty()).then(|| format!(" — “{}”", r.comment))}
                </li>
            }).collect_view()}
        </ul>
        {awaiting.then_some(form)}
    }
}

/// The stars, comment and button of a rating form (`contract` keeps ids unique).
#[component]
fn RatingFields(contract: ContractId, error: Signal<Option<AppError>>) -> impl IntoView {
    let stars_id = format!("rating-stars-{contract}");
    let stars_error = field_error(error, "stars");
    view! {
        <div class="field" class:field--invalid=move || stars_error.get().is_some()>
            <label for=stars_id.clone()>"Your rating"</label>
            <select id=stars_id name="stars">
                <option value="">"Choose"</option>
                {(1..=5_i16).rev().map(|n| view! {
                    <option value=n.to_string()>{format!("{} {n} of 5", stars(n))}</option>
                }).collect_view()}
            </select>
            <p class="field__error">{move || stars_error.get()}</p>
        </div>
        <TextArea label="A few words (optional)" name="comment" id=format!("rating-comment-{contract}") rows=2 error/>
        <FormError error/>
        <button type="submit" class="button button--quiet">"Send rating"</button>
    }
}

/// Hours on a timesheet.
#[component]
fn TimesheetLine(timesheet: Timesheet) -> impl IntoView {
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
fn WeekLine(timesheet: Timesheet) -> impl IntoView {
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
fn DeliveryLine(delivery: Delivery) -> impl IntoView {
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
fn WeekFields(
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

/// A posting's page for freelancers: `/hire/shifts/{id}` or `/hire/jobs/{id}`.
fn posting_href(kind: PostingKind, id: PostingId) -> String {
    match kind {
        PostingKind::Shift => format!("/hire/shifts/{id}"),
        PostingKind::Job => format!("/hire/jobs/{id}"),
    }
}

/// A contract's history.
#[component]
fn ContractEvents(events: Vec<ContractEvent>) -> impl IntoView {
    view! {
        <ol class="timeline">
            {events.into_iter().map(|e| view! {
                <li>
                    {format!("{} — {}", e.at.format("%-d %b %H:%M"), e.kind.label())}
                    {e.late.then_some(" (late)")}
                    {(e.amount.minor() > 0).then(|| format!(": {} owed", e.amount))}
                    {(!e.reason.is_empty()).then(|| format!(" — “{}”", e.reason))}
                </li>
            }).collect_view()}
        </ol>
    }
}

/// The hours fields, prefilled with the contract's schedule; `prefix` keeps ids unique.
#[component]
fn HoursFields(
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
