//! Posting a new shift or job, and editing a draft.

use crate::error::AppError;
use crate::hire::components::{CitySelect, HireNav, HireNavState, slug_param};
use crate::hire::postings::api::{CreateJob, CreateShift, UpdateDraft, UpdateJobDraft, load_draft};
use crate::hire::postings::model::{Draft, JobInput, PayBasis, PostingKind, ShiftInput};
use crate::hire::reference::api::load_reference;
use crate::hire::reference::model::{CertificateType, Reference, SKILL_LEVELS, SkillCategory};
use crate::ids::PostingId;
use crate::ui::{ErrorPage, FormError, TextArea, TextField, field_error, form_error, on_success};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};
use std::collections::BTreeMap;

#[component]
pub fn NewShiftPage() -> impl IntoView {
    view! { <NewPosting kind=PostingKind::Shift/> }
}

#[component]
pub fn NewJobPage() -> impl IntoView {
    view! { <NewPosting kind=PostingKind::Job/> }
}

/// Post a shift or a job: saved as a draft, then the posting's page.
#[component]
pub fn NewPosting(kind: PostingKind) -> impl IntoView {
    let nav = HireNavState::new();
    let slug = slug_param();
    let create_shift = ServerAction::<CreateShift>::new();
    let create_job = ServerAction::<CreateJob>::new();
    let reference = Resource::new(|| (), |()| load_reference());
    let navigate = use_navigate();
    let open = move |id: &PostingId| {
        navigate(
            &format!("/hire/org/{}/shifts/{id}", slug.get_untracked()),
            Default::default(),
        );
    };
    on_success(create_shift, open.clone());
    on_success(create_job, open);
    let noun = kind.label().to_lowercase();
    let title = format!("Post a {noun}");
    view! {
        <Title text=format!("{title} — Olivine Hire")/>
        <header class="page-head">
            <p class="eyebrow">"Hire"</p>
            <h1>{title}</h1>
            <p class="muted">"It is saved as a draft; publish it when it is ready and freelancers nearby can apply."</p>
        </header>
        <HireNav nav/>
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match reference.await {
                    Ok(reference) => match kind {
                        PostingKind::Shift => {
                            let error = form_error(create_shift);
                            let initial = ShiftInput { headcount: "1".into(), break_minutes: "0".into(), ..ShiftInput::default() };
                            view! {
                                <ActionForm action=create_shift attr:class="form panel" attr:novalidate=true>
                                    <input type="hidden" name="slug" value=slug.get_untracked()/>
                                    <ShiftFields reference initial error/>
                                    <button type="submit" class="button">"Save draft"</button>
                                </ActionForm>
                            }.into_any()
                        }
                        PostingKind::Job => {
                            let error = form_error(create_job);
                            let initial = JobInput { headcount: "1".into(), pay_basis: "hourly".into(), ..JobInput::default() };
                            view! {
                                <ActionForm action=create_job attr:class="form panel" attr:novalidate=true>
                                    <input type="hidden" name="slug" value=slug.get_untracked()/>
                                    <JobFields reference initial error/>
                                    <button type="submit" class="button">"Save draft"</button>
                                </ActionForm>
                            }.into_any()
                        }
                    },
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Change a draft shift or job before publishing it.
#[component]
pub fn EditShiftPage() -> impl IntoView {
    let nav = HireNavState::new();
    let slug = slug_param();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let update_shift = ServerAction::<UpdateDraft>::new();
    let update_job = ServerAction::<UpdateJobDraft>::new();
    let data = Resource::new(
        move || (slug.get(), id.get()),
        |(slug, id)| async move {
            let id = PostingId(uuid::Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?);
            Ok::<_, AppError>((id, load_reference().await?, load_draft(slug, id).await?))
        },
    );
    let navigate = use_navigate();
    let back = move |_: &()| {
        navigate(
            &format!(
                "/hire/org/{}/shifts/{}",
                slug.get_untracked(),
                id.get_untracked()
            ),
            Default::default(),
        );
    };
    on_success(update_shift, back.clone());
    on_success(update_job, back);
    view! {
        <Title text="Edit draft — Olivine Hire"/>
        <header class="page-head">
            <p class="eyebrow">"Hire"</p>
            <h1>"Edit draft"</h1>
        </header>
        <HireNav nav/>
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((id, reference, draft)) => {
                        let slug = slug.get_untracked();
                        let back_link = view! { " "<a href=format!("/hire/org/{slug}/shifts/{id}")>"Back to the posting"</a> };
                        match draft {
                            Draft::Shift(initial) => {
                                let error = form_error(update_shift);
                                view! {
                                    <ActionForm action=update_shift attr:class="form panel" attr:novalidate=true>
                                        <input type="hidden" name="slug" value=slug.clone()/>
                                        <input type="hidden" name="id" value=id.to_string()/>
                                        <ShiftFields reference initial error/>
                                        <button type="submit" class="button">"Save draft"</button>
                                        {back_link}
                                    </ActionForm>
                                }.into_any()
                            }
                            Draft::Job(initial) => {
                                let error = form_error(update_job);
                                view! {
                                    <ActionForm action=update_job attr:class="form panel" attr:novalidate=true>
                                        <input type="hidden" name="slug" value=slug.clone()/>
                                        <input type="hidden" name="id" value=id.to_string()/>
                                        <JobFields reference initial error/>
                                        <button type="submit" class="button">"Save draft"</button>
                                        {back_link}
                                    </ActionForm>
                                }.into_any()
                            }
                        }
                    }
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The shift form's fields, filled with `initial`.
#[component]
pub fn ShiftFields(
    reference: Reference,
    initial: ShiftInput,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let ShiftInput {
        title,
        description,
        city,
        address,
        date,
        starts,
        ends,
        break_minutes,
        headcount,
        wage,
        skills,
        certificates,
    } = initial;
    view! {
        <TextField label="Title" name="shift[title]" value=title hint="“Barista, Christmas market”" error/>
        <TextArea label="Description" name="shift[description]" value=description rows=4
            hint="What the work is, what to wear, who to ask for." error/>
        <CitySelect label="City" name="shift[city]" id="field-shift-city" cities=reference.cities selected=city error/>
        <TextField label="Address" name="shift[address]" value=address required=false error/>
        <TextField label="Date" name="shift[date]" kind="date" value=date error/>
        <TextField label="Start" name="shift[starts]" kind="time" value=starts error/>
        <TextField label="End" name="shift[ends]" kind="time" value=ends
            hint="An end before the start is the next morning." error/>
        <TextField label="Break (minutes)" name="shift[break_minutes]" kind="number" value=break_minutes required=false error/>
        <TextField label="People needed" name="shift[headcount]" kind="number" value=headcount error/>
        <TextField label="Hourly wage (€)" name="shift[wage]" value=wage hint="Like 16.50" error/>
        <Requirements form="shift" skills=reference.skills certificates=reference.certificates
            chosen_skills=skills chosen_certificates=certificates
            hint="Only freelancers holding each, verified by us and valid on the day, can apply." error/>
        <FormError error/>
    }
}

/// A job's form fields, filled with `initial`.
#[component]
pub fn JobFields(
    reference: Reference,
    initial: JobInput,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let JobInput {
        title,
        description,
        city,
        address,
        starts,
        ends,
        headcount,
        pay_basis,
        pay,
        skills,
        certificates,
    } = initial;
    let basis_error = field_error(error, "job[pay_basis]");
    let basis = |value: PayBasis, label: &'static str| {
        let id = format!("job-pay-{}", value.db_name());
        let checked = pay_basis == value.db_name();
        view! {
            <li>
                <input type="radio" id=id.clone() name="job[pay_basis]" value=value.db_name() checked=checked/>
                <label for=id>{label}</label>
            </li>
        }
    };
    view! {
        <TextField label="Title" name="job[title]" value=title hint="“Shop fit-out, new branch”" error/>
        <TextArea label="Scope" name="job[description]" value=description rows=6
            hint="What is to be done and delivered, and how you will judge it done." error/>
        <CitySelect label="City" name="job[city]" id="field-job-city" cities=reference.cities selected=city error/>
        <TextField label="Address" name="job[address]" value=address required=false error/>
        <TextField label="First day" name="job[starts]" kind="date" value=starts error/>
        <TextField label="Last day" name="job[ends]" kind="date" value=ends error/>
        <TextField label="People needed" name="job[headcount]" kind="number" value=headcount error/>
        <fieldset class="field" class:field--invalid=move || basis_error.get().is_some()>
            <legend>"Pay"</legend>
            <ul class="checks" role="list">
                {basis(PayBasis::Hourly, "By the hour, on weekly timesheets")}
                {basis(PayBasis::Fixed, "A fixed price for the delivered work")}
            </ul>
            <p class="field__error">{move || basis_error.get()}</p>
        </fieldset>
        <TextField label="Rate per hour or price (€)" name="job[pay]" value=pay
            hint="Like 24.50 an hour, or 1800 for the whole job." error/>
        <Requirements form="job" skills=reference.skills certificates=reference.certificates
            chosen_skills=skills chosen_certificates=certificates
            hint="Only freelancers holding each, verified by us and valid until the last day, can apply." error/>
        <FormError error/>
    }
}

/// The required skills (with a minimum level) and certificates of a posting form.
#[component]
pub fn Requirements(
    /// The form's fields' prefix: `shift` or `job`.
    form: &'static str,
    skills: Vec<SkillCategory>,
    certificates: Vec<CertificateType>,
    chosen_skills: BTreeMap<String, String>,
    chosen_certificates: BTreeMap<String, String>,
    hint: &'static str,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let skills_error = field_error(error, format!("{form}[skills]"));
    let certificates_error = field_error(error, format!("{form}[certificates]"));
    view! {
        <fieldset class="subpanel">
            <legend>"Required skills"</legend>
            <p class="field__error">{move || skills_error.get()}</p>
            {skills.into_iter().map(|category| view! {
                <h3>{category.name}</h3>
                <div class="skill-grid">
                    {category.skills.into_iter().map(|skill| {
                        let id = format!("{form}-skill-{}", skill.id);
                        let level = chosen_skills.get(&skill.id).cloned().unwrap_or_default();
                        view! {
                            <label for=id.clone()>{skill.name}</label>
                            <select id=id name=format!("{form}[skills][{}]", skill.id)>
                                <option value="0">"Not needed"</option>
                                {SKILL_LEVELS.iter().enumerate().map(|(i, label)| {
                                    let value = (i + 1).to_string();
                                    let selected = value == level;
                                    view! { <option value=value selected=selected>{format!("{label} or better")}</option> }
                                }).collect_view()}
                            </select>
                        }
                    }).collect_view()}
                </div>
            }).collect_view()}
        </fieldset>
        <fieldset class="subpanel">
            <legend>"Required certificates"</legend>
            <p class="field__hint">{hint}</p>
            <p class="field__error">{move || certificates_error.get()}</p>
            <ul class="checks" role="list">
                {certificates.into_iter().map(|c| {
                    let id = format!("{form}-certificate-{}", c.id);
                    let checked = chosen_certificates.contains_key(&c.id);
                    view! {
                        <li>
                            <input type="checkbox" id=id.clone() name=format!("{form}[certificates][{}]", c.id) value="on" checked=checked/>
                            <label for=id>{c.name}</label>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </fieldset>
    }
}
