//! The freelancer's pages: profile editor, find work, a shift, applications and shifts; and a
//! freelancer's profile as hiring managers read it.

use super::{
    CertificateBadges, CertificatesPanel, CitySelect, ContractEvents, ContractRatings,
    DeliveryLine, FitExplanation, HireNav, HoursFields, RatingFields, ShiftFacts,
    ShiftRequirements, TimesheetLine, WeekFields, WeekLine, posting_href, reliability_line,
};
use crate::accounts::pages::refresh_viewer_on_success;
use crate::error::AppError;
use crate::hire::api::{
    AcceptOffer, AddDayOff, ApplyToShift, CancelMyContract, InviteFreelancer, RateOrganisation,
    RemoveDayOff, SHIFTS_PER_PAGE, SaveProfile, SubmitDelivery, SubmitHours, SubmitWeek,
    WithdrawApplication, find_work, load_freelancer, load_invitable_shifts, load_my_certificates,
    load_my_profile, load_openings, load_reference, load_shift, my_applications, my_contracts,
};
use crate::hire::applications::model::ApplicationStatus;
use crate::hire::contracts::model::{ContractStatus, ContractView, TimesheetStatus};
use crate::hire::postings::model::{PayBasis, PostingKind, ShiftSummary, pay_label, when_label};
use crate::hire::profiles::model::Profile;
use crate::hire::ratings::model::rating_line;
use crate::hire::reference::model::Side;
use crate::hire::reference::model::{Reference, SKILL_LEVELS, WEEKDAYS};
use crate::hire::time::last_day;
use crate::ids::UserId;
use crate::ui::{
    ErrorPage, FormError, Notice, Pagination, TextArea, TextField, field_error, form_error,
    page_count, urlencode,
};
use chrono::Datelike;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ProfilePage() -> impl IntoView {
    let save = ServerAction::<SaveProfile>::new();
    let add_day = ServerAction::<AddDayOff>::new();
    let remove_day = ServerAction::<RemoveDayOff>::new();
    refresh_viewer_on_success(save);
    // Bumped by each accepted certificate upload (not a server action: the file streams).
    let uploaded = RwSignal::new(0_usize);
    let data = Resource::new(
        move || {
            (
                save.version().get(),
                add_day.version().get(),
                remove_day.version().get(),
                uploaded.get(),
            )
        },
        |_| async {
            let profile = load_my_profile().await?;
            let certificates = match profile {
                Some(_) => Some(load_my_certificates().await?),
                None => None,
            };
            Ok::<_, AppError>((profile, load_reference().await?, certificates))
        },
    );
    view! {
        <Title text="Your freelancer profile — Olivine"/>
        <header class="page-head">
            <p class="eyebrow">"Hire"</p>
            <h1>"Your freelancer profile"</h1>
            <p class="muted">"Hiring managers see this when you apply. Your city and travel radius decide which shifts you find."</p>
        </header>
        <HireNav/>
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((profile, reference, _)) => view! {
                        <ProfileEditor profile reference save/>
                    }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((Some(profile), reference, Some(mine))) => view! {
                        <CertificatesPanel mine types=reference.certificates uploaded/>
                        <DaysOff profile add_day remove_day/>
                    }.into_any(),
                    Ok(_) | Err(_) => ().into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ProfileEditor(
    profile: Option<Profile>,
    reference: Reference,
    save: ServerAction<SaveProfile>,
) -> impl IntoView {
    let error = form_error(save);
    let saved = move || save.value().with(|v| matches!(v, Some(Ok(()))));
    let skills_error = field_error(error, "profile[skills]");
    let existing = profile.is_some();
    let p = profile.clone();
    let headline = p.as_ref().map(|p| p.headline.clone()).unwrap_or_default();
    let bio = p.as_ref().map(|p| p.bio.clone()).unwrap_or_default();
    let city = p.as_ref().map(|p| p.city.id.clone()).unwrap_or_default();
    let travel = p
        .as_ref()
        .map_or("25".to_owned(), |p| p.travel_km.to_string());
    let rate = p.as_ref().map(|p| p.min_rate.decimal()).unwrap_or_default();
    let languages = p
        .as_ref()
        .map(|p| p.languages.join(", "))
        .unwrap_or_default();
    let level_of = {
        let p = p.clone();
        move |skill: &str| {
            p.as_ref()
                .and_then(|p| p.skills.iter().find(|(id, ..)| id == skill).map(|s| s.2))
                .unwrap_or(0)
        }
    };
    let window = move |day: i16| {
        p.as_ref()
            .and_then(|p| p.week.iter().find(|a| a.weekday == day).copied())
            .map(|a| {
                (
                    a.starts.format("%H:%M").to_string(),
                    a.ends.format("%H:%M").to_string(),
                )
            })
            .unwrap_or_default()
    };
    view! {
        {profile.map(|p| view! {
            <section class="panel" aria-labelledby="record-heading">
                <h2 id="record-heading">"Your record"</h2>
                <p data-testid="reliability">{reliability_line(p.reliability)}</p>
                <p><a href=format!("/hire/freelancers/{}", p.user_id)>"See your profile as managers do"</a></p>
            </section>
        })}
        {move || saved().then(|| view! { <Notice tone="success"><p>"Profile saved."</p></Notice> })}
        <ActionForm action=save attr:class="form panel" attr:novalidate=true>
            <TextField label="Headline" name="profile[headline]" value=headline
                hint="What you do, in a line: “Barista and event bartender”." error/>
            <TextArea label="About you" name="profile[bio]" value=bio rows=5 error/>
            <CitySelect label="Home city" name="profile[city]" id="field-profile-city" cities=reference.cities selected=city error/>
            <TextField label="How far you travel (km)" name="profile[travel_km]" kind="number" value=travel error/>
            <TextField label="Minimum hourly rate (€)" name="profile[min_rate]" value=rate
                hint="Shifts paying less still show; managers see your minimum." error/>
            <TextField label="Languages" name="profile[languages]" value=languages required=false
                hint="Two-letter codes, separated by commas: nl, en, de." error/>
            <fieldset class="subpanel">
                <legend>"Skills"</legend>
                <p class="field__error">{move || skills_error.get()}</p>
                {reference.skills.into_iter().map(|category| {
                    let level_of = level_of.clone();
                    view! {
                        <h3>{category.name}</h3>
                        <div class="skill-grid">
                            {category.skills.into_iter().map(|skill| {
                                let current = level_of(&skill.id);
                                let id = format!("skill-{}", skill.id);
                                view! {
                                    <label for=id.clone()>{skill.name}</label>
                                    <select id=id name=format!("profile[skills][{}]", skill.id)>
                                        <option value="0" selected=current == 0>"—"</option>
                                        {SKILL_LEVELS.iter().enumerate().map(|(i, label)| {
                                            let level = i16::try_from(i + 1).unwrap_or(1);
                                            view! { <option value=level.to_string() selected=current == level>{*label}</option> }
                                        }).collect_view()}
                                    </select>
                                }
                            }).collect_view()}
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <fieldset class="subpanel">
                <legend>"Your usual week"</legend>
                <p class="field__hint">"When you can usually work; leave a day empty if you can't. An end before the start runs past midnight."</p>
                <table class="table">
                    <thead><tr><th scope="col">"Day"</th><th scope="col">"From"</th><th scope="col">"Until"</th></tr></thead>
                    <tbody>
                        {(1..=7_i16).map(|day| {
                            let (from, to) = window(day);
                            let key = format!("profile[week][{day}]");
                            let message = move || error.with(|e| e.as_ref().and_then(|e| e.field_message(&key)).map(str::to_owned));
                            let name = WEEKDAYS[usize::try_from(day - 1).unwrap_or(0)];
                            view! {
                                <tr>
                                    <th scope="row">{name}</th>
                                    <td><input type="time" name=format!("profile[week][{day}_from]") value=from aria-label=format!("{name} from")/></td>
                                    <td>
                                        <input type="time" name=format!("profile[week][{day}_to]") value=to aria-label=format!("{name} until")/>
                                        <span class="field__error">{message}</span>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </fieldset>
            <FormError error/>
            <button type="submit" class="button">{if existing { "Save profile" } else { "Create profile" }}</button>
        </ActionForm>
    }
}

#[component]
fn DaysOff(
    profile: Profile,
    add_day: ServerAction<AddDayOff>,
    remove_day: ServerAction<RemoveDayOff>,
) -> impl IntoView {
    let error = form_error(add_day);
    view! {
        <section class="panel" aria-labelledby="days-off-heading">
            <h2 id="days-off-heading">"Days off"</h2>
            <p class="muted">"Days you can't work, whatever your usual week says."</p>
            <ul class="list" role="list" data-testid="days-off">
                {profile.days_off.into_iter().map(|day| view! {
                    <li class="list__row">
                        <span>{day.format("%a %-d %b %Y").to_string()}</span>
                        <ActionForm action=remove_day attr:class="inline-form">
                            <input type="hidden" name="day" value=day.format("%Y-%m-%d").to_string()/>
                            <button type="submit" class="link-button">"Remove"</button>
                        </ActionForm>
                    </li>
                }).collect_view()}
            </ul>
            <ActionForm action=add_day attr:class="form form--compact" attr:novalidate=true>
                <TextField label="Day" name="day" kind="date" error/>
                <TextField label="Note" name="note" required=false error/>
                <FormError error/>
                <button type="submit" class="button button--quiet">"Add day off"</button>
            </ActionForm>
        </section>
    }
}

/// The find-work query string, for links that keep the filters.
fn work_href(query: &[(&str, String)], page: u32) -> String {
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
            // The recommendations head the first page only.
            let openings = if page <= 1 {
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
        <HireNav/>
        <Transition fallback=|| view! { <p aria-busy="true">"Finding shifts…"</p> }>
            {move || Suspend::new(async move {
                let (within, wage, skill, from, _) = filters.get_untracked();
                match results.await {
                    Ok((work, reference, openings)) => {
                        let query = vec![("within_km", within.clone()), ("min_wage", wage.clone()), ("skill", skill.clone()), ("from", from.clone())];
                        let pages = page_count(work.total, u32::try_from(SHIFTS_PER_PAGE).unwrap_or(20));
                        let page = u32::try_from(work.page).unwrap_or(1);
                        view! {
                            <form class="toolbar work-filters" method="get" action="/hire/work">
                                <label>"Within (km)"<input type="number" name="within_km" min="1" max="250" value=within
                                    placeholder=work.home.as_ref().map(|(_, km)| km.to_string())/></label>
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
                    Err(AppError::Forbidden) => view! {
                        <Notice>
                            <p>"Create your freelancer profile to find shifts near you."</p>
                            <p><a class="button" href="/hire/profile">"Create your profile"</a></p>
                        </Notice>
                    }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ShiftRow(shift: ShiftSummary) -> impl IntoView {
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

#[component]
pub fn ShiftPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let apply = ServerAction::<ApplyToShift>::new();
    let shift = Resource::new(
        move || (id.get(), apply.version().get()),
        |(id, _)| async move {
            let id = uuid::Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
            load_shift(crate::ids::PostingId(id)).await
        },
    );
    let error = form_error(apply);
    view! {
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match shift.await {
                    Ok(detail) => {
                        let s = detail.summary.clone();
                        view! {
                            <Title text=format!("{} — Olivine Hire", s.title)/>
                            <header class="page-head">
                                <p class="eyebrow">{s.organisation.clone()}</p>
                                <h1>{s.title.clone()}</h1>
                                <p><span class="tag">{s.status.label()}</span></p>
                            </header>
                            <HireNav/>
                            <section class="panel">
                                <ShiftFacts shift=s.clone()/>
                                {(!detail.address.is_empty()).then(|| view! { <p>{format!("Address: {}", detail.address)}</p> })}
                                <ShiftRequirements detail=detail.clone()/>
                                <p class="prose">{detail.description.clone()}</p>
                                <p class="muted" data-testid="organisation-rating">{format!(
                                    "{}: {}",
                                    s.organisation,
                                    rating_line(detail.organisation_rating.0, detail.organisation_rating.1)
                                )}</p>
                            </section>
                            {detail.mine.as_ref().filter(|m| m.status == ApplicationStatus::Invited).map(|_| view! {
                                <Notice>
                                    <p data-testid="invited">{format!("{} invited you to apply for this {}.", s.organisation, s.kind.label().to_lowercase())}</p>
                                </Notice>
                            })}
                            {match detail.mine.filter(|m| m.status != ApplicationStatus::Invited) {
                                Some(mine) => view! {
                                    <Notice>
                                        <p data-testid="my-application">{format!("You applied: {}.", mine.status.label().to_lowercase())}</p>
                                        <p><a href="/hire/work/applications">"See your applications"</a></p>
                                    </Notice>
                                }.into_any(),
                                None if s.status.accepts_applications() && !detail.can_apply => view! {
                                    <Notice>
                                        <p>"Create your freelancer profile to apply: your skills, where you live and when you can work."</p>
                                        <p><a class="button" href="/hire/profile">"Create your profile"</a></p>
                                    </Notice>
                                }.into_any(),
                                None if s.status.accepts_applications() && !detail.missing_certificates.is_empty() => view! {
                                    <Notice>
                                        <p data-testid="missing-certificates">{format!(
                                            "To apply you need, verified and valid on the day: {}.",
                                            detail.missing_certificates.join(", ")
                                        )}</p>
                                        <p><a href="/hire/profile#certificates">"Upload a certificate"</a>" — it counts once our team has checked it, usually within a working day."</p>
                                    </Notice>
                                }.into_any(),
                                None if s.status.accepts_applications() => view! {
                                    <section class="panel" aria-labelledby="apply-heading">
                                        <h2 id="apply-heading">"Apply"</h2>
                                        <ActionForm action=apply attr:class="form" attr:novalidate=true>
                                            <input type="hidden" name="shift" value=s.id.to_string()/>
                                            <TextArea label="A note for the manager" name="note" rows=3
                                                hint="Optional: relevant experience, when you can arrive." error/>
                                            {match (s.kind, s.pay_basis) {
                                                (PostingKind::Shift, _) => view! { <input type="hidden" name="proposed" value=""/> }.into_any(),
                                                (PostingKind::Job, PayBasis::Hourly) => view! {
                                                    <TextField label="Your hourly rate (€)" name="proposed" required=false
                                                        hint="Optional: leave empty to take the posted rate." error/>
                                                }.into_any(),
                                                (PostingKind::Job, PayBasis::Fixed) => view! {
                                                    <TextField label="Your price (€)" name="proposed" required=false
                                                        hint="Optional: leave empty to take the posted price." error/>
                                                }.into_any(),
                                            }}
                                            <FormError error/>
                                            <button type="submit" class="button">{format!("Apply for this {}", s.kind.label().to_lowercase())}</button>
                                        </ActionForm>
                                    </section>
                                }.into_any(),
                                None => view! { <p class="muted">{format!("This {} no longer takes applications.", s.kind.label().to_lowercase())}</p> }.into_any(),
                            }}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn MyApplicationsPage() -> impl IntoView {
    let accept = ServerAction::<AcceptOffer>::new();
    let withdraw = ServerAction::<WithdrawApplication>::new();
    let list = Resource::new(
        move || (accept.version().get(), withdraw.version().get()),
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
        <HireNav/>
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

#[component]
pub fn MyShiftsPage() -> impl IntoView {
    let submit = ServerAction::<SubmitHours>::new();
    let cancel = ServerAction::<CancelMyContract>::new();
    let rate = ServerAction::<RateOrganisation>::new();
    let work = JobWork {
        week: ServerAction::new(),
        delivery: ServerAction::new(),
    };
    let list = Resource::new(
        move || {
            (
                submit.version().get(),
                cancel.version().get(),
                rate.version().get(),
                work.week.version().get() + work.delivery.version().get(),
            )
        },
        |_| my_contracts(),
    );
    let submit_error = form_error(submit);
    let cancel_error = form_error(cancel);
    let rate_error = form_error(rate);
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
        <HireNav/>
        <FormError error=submit_error/>
        <FormError error=cancel_error/>
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
                                {may_submit.then(|| { let contract = c.clone(); let id = id.clone(); view! {
                                    <ActionForm action=submit attr:class="form form--compact" attr:novalidate=true>
                                        <h3>"Your hours"</h3>
                                        <input type="hidden" name="contract" value=id/>
                                        <HoursFields contract prefix="submit" error=submit_error/>
                                        <button type="submit" class="button">"Submit hours"</button>
                                    </ActionForm>
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

/// The freelancer's actions on a job's contract.
#[derive(Clone, Copy)]
struct JobWork {
    week: ServerAction<SubmitWeek>,
    delivery: ServerAction<SubmitDelivery>,
}

/// A job's weeks or handed-over work, and the form for the next.
#[component]
fn MyJobWork(contract: ContractView, work: JobWork) -> impl IntoView {
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

#[component]
pub fn FreelancerPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let invite = ServerAction::<InviteFreelancer>::new();
    let profile = Resource::new(
        move || (id.get(), invite.version().get()),
        |(id, _)| async move {
            let id = UserId(uuid::Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?);
            Ok::<_, AppError>((load_freelancer(id).await?, load_invitable_shifts(id).await?))
        },
    );
    view! {
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok((p, shifts)) => view! {
                        <Title text=format!("{} — Olivine Hire", p.display_name)/>
                        <header class="page-head">
                            <p class="eyebrow">"Freelancer"</p>
                            <h1>{p.display_name.clone()}</h1>
                            <p>{p.headline.clone()}</p>
                        </header>
                        <section class="panel">
                            <dl class="facts">
                                <div><dt>"Lives in"</dt><dd>{format!("{} · travels up to {} km", p.city.name, p.travel_km)}</dd></div>
                                <div><dt>"Minimum rate"</dt><dd>{format!("{}/h", p.min_rate)}</dd></div>
                                <div><dt>"Languages"</dt><dd>{p.languages.join(", ").to_uppercase()}</dd></div>
                                <div><dt>"Record"</dt><dd data-testid="reliability">{reliability_line(p.reliability)}</dd></div>
                            </dl>
                            <p class="prose">{p.bio.clone()}</p>
                            <h2>"Skills"</h2>
                            <ul class="chips" role="list">
                                {p.skills.iter().map(|(_, name, level)| view! {
                                    <li class="chip chip--static">{format!("{name} · {}", SKILL_LEVELS[usize::try_from(*level - 1).unwrap_or(0)])}</li>
                                }).collect_view()}
                            </ul>
                            <CertificateBadges certificates=p.certificates.clone()/>
                            <h2>"Usual week"</h2>
                            {(!p.availability_shown).then(|| view! {
                                <p class="muted" data-testid="availability-private">
                                    "Shown to organisations this freelancer has applied to or been invited by."
                                </p>
                            })}
                            <ul class="list" role="list">
                                {p.week.iter().map(|a| view! {
                                    <li class="list__row">{format!(
                                        "{}: {}–{}",
                                        WEEKDAYS[usize::try_from(a.weekday - 1).unwrap_or(0)],
                                        a.starts.format("%H:%M"),
                                        a.ends.format("%H:%M")
                                    )}</li>
                                }).collect_view()}
                            </ul>
                        </section>
                        <InviteToShift freelancer=p.user_id name=p.display_name.clone() shifts action=invite/>
                    }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A manager invites the freelancer to one of their organisations' open shifts: one form per
/// organisation (its slug names whom the manager acts for).
#[component]
fn InviteToShift(
    freelancer: UserId,
    name: String,
    shifts: Vec<ShiftSummary>,
    action: ServerAction<InviteFreelancer>,
) -> impl IntoView {
    let error = form_error(action);
    let sent = move || action.value().with(|v| matches!(v, Some(Ok(()))));
    let mut organisations: Vec<(String, String, Vec<ShiftSummary>)> = Vec::new();
    for shift in shifts {
        match organisations
            .iter_mut()
            .find(|(slug, ..)| *slug == shift.organisation_slug)
        {
            Some((.., list)) => list.push(shift),
            None => organisations.push((
                shift.organisation_slug.clone(),
                shift.organisation.clone(),
                vec![shift],
            )),
        }
    }
    let heading = format!("Invite {name} to a shift");
    (!organisations.is_empty() || sent()).then(|| view! {
        <section class="panel" aria-labelledby="invite-heading">
            <h2 id="invite-heading">{heading}</h2>
            {move || sent().then(|| view! {
                <Notice tone="success"><p>"Invitation sent. It shows on the shift's page with its applicants."</p></Notice>
            })}
            {organisations.into_iter().map(|(slug, organisation, shifts)| {
                let select_id = format!("invite-shift-{slug}");
                let message_id = format!("invite-message-{slug}");
                view! {
                    <ActionForm action attr:class="form form--compact" attr:novalidate=true>
                        <input type="hidden" name="slug" value=slug/>
                        <input type="hidden" name="freelancer" value=freelancer.to_string()/>
                        <div class="field">
                            <label for=select_id.clone()>{format!("Shift at {organisation}")}</label>
                            <select id=select_id name="shift">
                                {shifts.into_iter().map(|s| view! {
                                    <option value=s.id.to_string()>{format!("{} — {}", s.title, s.when())}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <TextArea label="Message" name="message" id=message_id rows=3
                            hint="Optional: it opens the conversation about the shift." error/>
                        <FormError error/>
                        <button type="submit" class="button">"Invite to apply"</button>
                    </ActionForm>
                }
            }).collect_view()}
        </section>
    })
}
