//! `/hire/shifts/{id}`: one shift, with the viewer's application or the form to apply; a
//! visitor sees it without its address and is asked to sign in to apply.

use crate::error::AppError;
use crate::hire::applications::api::ApplyToShift;
use crate::hire::applications::model::ApplicationStatus;
use crate::hire::components::{HireNav, HireNavState, ShiftFacts, posting_href};
use crate::hire::postings::components::ShiftRequirements;
use crate::hire::postings::model::{PayBasis, PostingKind};
use crate::hire::ratings::model::rating_line;
use crate::hire::views::api::load_shift;
use crate::ui::{ErrorPage, FormError, Notice, TextArea, TextField, form_error};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ShiftPage() -> impl IntoView {
    let nav = HireNavState::new();
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
                        let s = detail.posting.summary.clone();
                        view! {
                            <Title text=format!("{} — Olivine Hire", s.title)/>
                            <header class="page-head">
                                <p class="eyebrow">{s.organisation.clone()}</p>
                                <h1>{s.title.clone()}</h1>
                                <p><span class="tag">{s.status.label()}</span></p>
                            </header>
                            <HireNav nav/>
                            <section class="panel">
                                <ShiftFacts shift=s.clone()/>
                                {(!detail.posting.address.is_empty()).then(|| view! { <p>{format!("Address: {}", detail.posting.address)}</p> })}
                                <ShiftRequirements detail=detail.posting.clone()/>
                                <p class="prose">{detail.posting.description.clone()}</p>
                                <p class="muted" data-testid="organisation-rating">{format!(
                                    "{}: {}",
                                    s.organisation,
                                    rating_line(detail.posting.organisation_rating.0, detail.posting.organisation_rating.1)
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
                                None if s.status.accepts_applications() && !detail.signed_in => {
                                    let next = crate::ui::urlencode(&posting_href(s.kind, s.id));
                                    view! {
                                        <Notice>
                                            <p data-testid="sign-in-to-apply">{format!("Sign in to apply for this {}: you'll need a free account and a freelancer profile (your skills, where you live and when you can work). The address is shown once you're signed in.", s.kind.label().to_lowercase())}</p>
                                            <p>
                                                <a class="button" href=format!("/signin?next={next}")>"Sign in to apply"</a>
                                                " "
                                                <a href="/signup">"Create an account"</a>
                                            </p>
                                        </Notice>
                                    }.into_any()
                                }
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
