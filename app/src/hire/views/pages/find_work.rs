//! `/hire/work`: open shifts and jobs, filtered and paged: near a freelancer's home, with their
//! recommendations; all of them for anyone else, so a visitor sees what work there is before
//! signing up.

use crate::error::AppError;
use crate::hire::components::{HireNav, HireNavState, posting_href};
use crate::hire::matching::api::load_openings;
use crate::hire::matching::components::FitExplanation;
use crate::hire::postings::model::ShiftSummary;
use crate::hire::reference::api::load_reference;
use crate::hire::views::api::{SHIFTS_PER_PAGE, find_work};
use crate::ui::{ErrorPage, Notice, Pagination, page_count, urlencode};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The find-work query string, for links that keep the filters.
pub fn work_href(query: &[(&str, String)], page: u32) -> String {
    let mut parts: Vec<String> = query
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect();
    if page > 1 {
        parts.push(format!("page={page}"));
    }
    if parts.is_empty() {
        "/hire/work".to_owned()
    } else {
        format!("/hire/work?{}", parts.join("&"))
    }
}

#[component]
pub fn FindWorkPage() -> impl IntoView {
    let nav = HireNavState::new();
    let query = use_query_map();
    let get = move |key: &str| query.with(|q| q.get(key).unwrap_or_default());
    let filters = Memo::new(move |_| {
        (
            get("within_km"),
            get("min_wage"),
            get("skill"),
            get("from"),
            get("page").parse::<i64>().unwrap_or(1),
        )
    });
    let results = Resource::new(
        move || filters.get(),
        |(within, wage, skill, from, page)| async move {
            let work = find_work(within, wage, skill, from, page).await?;
            // A freelancer's recommendations head the first page only.
            let openings = if page <= 1 && work.home.is_some() {
                load_openings().await?
            } else {
                Vec::new()
            };
            Ok::<_, AppError>((work, load_reference().await?, openings))
        },
    );
    view! {
        <Title text="Find work — Olivine"/>
        <header class="page-head">
            <p class="eyebrow">"Hire"</p>
            <h1>"Find work"</h1>
        </header>
        <HireNav nav/>
        <Transition fallback=|| view! { <p aria-busy="true">"Finding shifts…"</p> }>
            {move || Suspend::new(async move {
                let (within, wage, skill, from, _) = filters.get_untracked();
                match results.await {
                    Ok((work, reference, openings)) => {
                        let query = vec![("within_km", within.clone()), ("min_wage", wage.clone()), ("skill", skill.clone()), ("from", from.clone())];
                        let pages = page_count(work.total, u32::try_from(SHIFTS_PER_PAGE).unwrap_or(20));
                        let page = u32::try_from(work.page).unwrap_or(1);
                        let invitation = match (work.signed_in, work.home.is_some()) {
                            (false, _) => Some(view! {
                                <Notice>
                                    <p data-testid="visitor-invitation">"These are the shifts and jobs open now. Create a free account and a freelancer profile to apply, and to see the work within reach of where you live."</p>
                                    <p>
                                        <a class="button" href="/signup">"Sign up"</a>
                                        " "
                                        <a href="/signin?next=%2Fhire%2Fwork">"Sign in"</a>
                                    </p>
                                </Notice>
                            }.into_any()),
                            (true, false) => Some(view! {
                                <Notice>
                                    <p>"Create your freelancer profile to apply, and to see the work within reach of where you live."</p>
                                    <p><a class="button" href="/hire/profile">"Create your profile"</a></p>
                                </Notice>
                            }.into_any()),
                            (true, true) => None,
                        };
                        view! {
                            {invitation}
                            <form class="toolbar work-filters" method="get" action="/hire/work">
                                {work.home.as_ref().map(|(_, km)| {
                                    let km = km.to_string();
                                    view! {
                                        <label>"Within (km)"<input type="number" name="within_km" min="1" max="250" value=within.clone()
                                            placeholder=km/></label>
                                    }
                                })}
                                <label>"Minimum wage (€/h)"<input type="text" name="min_wage" value=wage inputmode="decimal"/></label>
                                <label>"Skill"
                                    <select name="skill">
                                        <option value="">"Any"</option>
                                        {reference.skills.into_iter().flat_map(|c| c.skills).map(|s| {
                                            let selected = s.id == skill;
                                            view! { <option value=s.id selected=selected>{s.name}</option> }
                                        }).collect_view()}
                                    </select>
                                </label>
                                <label>"From"<input type="date" name="from" value=from/></label>
                                <button type="submit" class="button button--small">"Filter"</button>
                            </form>
                            {(!openings.is_empty()).then(|| view! {
                                <section class="panel" aria-labelledby="openings-heading">
                                    <h2 id="openings-heading">"Recommended for you"</h2>
                                    <p class="muted">"Open shifts and jobs within your travel radius that pay your minimum, need no certificate you lack and fit your usual week, best match first."</p>
                                    <ul class="list shift-list" role="list" data-testid="openings">
                                        {openings.into_iter().map(|o| view! {
                                            <li class="list__row shift-row">
                                                <a href=posting_href(o.shift.kind, o.shift.id) class="shift-row__title">{o.shift.title.clone()}</a>
                                                <span>{o.shift.organisation.clone()}</span>
                                                <span>{o.shift.when()}</span>
                                                <span class="price">{o.shift.pay_label()}</span>
                                                <FitExplanation fit=o.fit/>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                </section>
                            })}
                            <p class="muted" data-testid="work-count">
                                {if work.total == 1 { "1 open shift or job".to_owned() } else { format!("{} open shifts and jobs", work.total) }}
                                {work.home.map(|(city, km)| format!(" within {km} km of {city}"))}
                            </p>
                            <ul class="list shift-list" role="list" data-testid="work-results">
                                {work.shifts.into_iter().map(|s| view! { <ShiftRow shift=s/> }).collect_view()}
                            </ul>
                            <Pagination page total_pages=pages href=move |n| work_href(&query, n)/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn ShiftRow(shift: ShiftSummary) -> impl IntoView {
    view! {
        <li class="list__row shift-row">
            <a href=posting_href(shift.kind, shift.id) class="shift-row__title">{shift.title.clone()}</a>
            <span>{shift.organisation.clone()}</span>
            <span>{shift.when()}</span>
            <span>{shift.city.clone()}{shift.distance_km.map(|km| format!(" · {km:.0} km"))}</span>
            <span class="price">{shift.pay_label()}</span>
            {shift.needs_certificates.then(|| view! { <span class="tag">"Certificate required"</span> })}
        </li>
    }
}
