//! `/hire/profile`: the freelancer's own profile, its editor and days off.

use crate::accounts::pages::refresh_viewer_on_success;
use crate::error::AppError;
use crate::escrow::api::load_payout_setup;
use crate::escrow::earnings::PayoutsPanel;
use crate::hire::certificates::api::load_my_certificates;
use crate::hire::certificates::pages::CertificatesPanel;
use crate::hire::components::{CitySelect, HireNav, HireNavState};
use crate::hire::matching::components::reliability_line;
use crate::hire::profiles::api::{AddDayOff, RemoveDayOff, SaveProfile, load_my_profile};
use crate::hire::profiles::model::Profile;
use crate::hire::reference::api::load_reference;
use crate::hire::reference::model::{Reference, SKILL_LEVELS, WEEKDAYS};
use crate::ui::{ErrorPage, FormError, Notice, TextArea, TextField, field_error, form_error};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let nav = HireNavState::new();
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
    // Only a freelancer with a profile has payouts to set up.
    let payouts = Resource::new(
        || (),
        move |()| async move {
            match data.await {
                Ok((Some(_), _, _)) => load_payout_setup().await,
                Ok(_) | Err(_) => Ok(None),
            }
        },
    );
    view! {
        <Title text="Your freelancer profile — Olivine"/>
        <header class="page-head">
            <p class="eyebrow">"Hire"</p>
            <h1>"Your freelancer profile"</h1>
            <p class="muted">"Hiring managers see this when you apply. Your city and travel radius decide which shifts you find."</p>
        </header>
        <HireNav nav/>
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
                        <PayoutsPanel setup=payouts/>
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
pub fn ProfileEditor(
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
pub fn DaysOff(
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
