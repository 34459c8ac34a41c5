//! `/hire/freelancers/{id}`: a freelancer's profile as a manager reads it, with an invitation
//! to one of the organisation's shifts.

use crate::error::AppError;
use crate::hire::applications::api::{InviteFreelancer, load_invitable_shifts};
use crate::hire::certificates::pages::CertificateBadges;
use crate::hire::matching::components::reliability_line;
use crate::hire::postings::model::ShiftSummary;
use crate::hire::profiles::api::load_freelancer;
use crate::hire::reference::model::{SKILL_LEVELS, WEEKDAYS};
use crate::ids::UserId;
use crate::ui::{ErrorPage, FormError, Notice, TextArea, form_error};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

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
pub fn InviteToShift(
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
