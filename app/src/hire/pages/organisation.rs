//! The organisation's pages: its shifts and the hours waiting for approval, posting a shift,
//! and one shift with its applicants and contracts.

use super::{
    CitySelect, ContractEvents, ContractRatings, DeliveryLine, FitExplanation, HireNav,
    HoursFields, RatingFields, ShiftFacts, ShiftRequirements, TimesheetLine, WeekFields, WeekLine,
    reliability_line,
};
use crate::error::AppError;
use crate::hire::api::{
    AdjustHours, AdjustWeek, ApproveDelivery, ApproveHours, ApproveWeek, CancelContract,
    ChangeShift, CreateJob, CreateShift, DisputeDelivery, DisputeHours, DisputeWeek,
    InviteFreelancer, MakeOffer, RateFreelancer, RecordNoShow, RejectApplication, UpdateDraft,
    UpdateJobDraft, load_draft, load_org_home, load_org_shift, load_recommended, load_reference,
};
use crate::hire::applications::model::{ApplicationStatus, PastWorker};
use crate::hire::contracts::model::{
    CANCELLATION_POLICY, ContractStatus, ContractView, TimesheetStatus,
};
use crate::hire::matching::model::{Candidate, MatchFilter};
use crate::hire::postings::model::{
    Draft, JobInput, PayBasis, PostingKind, PostingStatus, ShiftInput, pay_label,
};
use crate::hire::reference::model::Side;
use crate::hire::reference::model::{CertificateType, Reference, SKILL_LEVELS, SkillCategory};
use crate::ids::{PostingId, UserId};
use crate::ui::{
    ErrorPage, FormError, TextArea, TextField, count_of, field_error, form_error, on_success,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use std::collections::BTreeMap;

fn slug_param() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get("slug").unwrap_or_default()))
}

#[component]
pub fn OrgHomePage() -> impl IntoView {
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
                                    <a class="button button--quiet" href=format!("/hire/org/{slug}/settings")>"Members"</a>
                                </p>
                            </header>
                            <HireNav/>
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
fn NewPosting(kind: PostingKind) -> impl IntoView {
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
        <HireNav/>
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
        <HireNav/>
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
fn ShiftFields(
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
fn JobFields(
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
fn Requirements(
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

/// Every action the shift page can take, for its parts.
#[derive(Clone, Copy)]
struct ShiftActions {
    change: ServerAction<ChangeShift>,
    offer: ServerAction<MakeOffer>,
    reject: ServerAction<RejectApplication>,
    approve: ServerAction<ApproveHours>,
    adjust: ServerAction<AdjustHours>,
    dispute: ServerAction<DisputeHours>,
    cancel: ServerAction<CancelContract>,
    no_show: ServerAction<RecordNoShow>,
    rate: ServerAction<RateFreelancer>,
    invite: ServerAction<InviteFreelancer>,
    approve_week: ServerAction<ApproveWeek>,
    adjust_week: ServerAction<AdjustWeek>,
    dispute_week: ServerAction<DisputeWeek>,
    approve_delivery: ServerAction<ApproveDelivery>,
    dispute_delivery: ServerAction<DisputeDelivery>,
}

impl ShiftActions {
    fn new() -> Self {
        ShiftActions {
            change: ServerAction::new(),
            offer: ServerAction::new(),
            reject: ServerAction::new(),
            approve: ServerAction::new(),
            adjust: ServerAction::new(),
            dispute: ServerAction::new(),
            cancel: ServerAction::new(),
            no_show: ServerAction::new(),
            rate: ServerAction::new(),
            invite: ServerAction::new(),
            approve_week: ServerAction::new(),
            adjust_week: ServerAction::new(),
            dispute_week: ServerAction::new(),
            approve_delivery: ServerAction::new(),
            dispute_delivery: ServerAction::new(),
        }
    }

    fn version(self) -> usize {
        self.change.version().get()
            + self.offer.version().get()
            + self.reject.version().get()
            + self.approve.version().get()
            + self.adjust.version().get()
            + self.dispute.version().get()
            + self.cancel.version().get()
            + self.no_show.version().get()
            + self.rate.version().get()
            + self.invite.version().get()
            + self.approve_week.version().get()
            + self.adjust_week.version().get()
            + self.dispute_week.version().get()
            + self.approve_delivery.version().get()
            + self.dispute_delivery.version().get()
    }

    /// The latest refusal among the actions without a form of their own.
    fn error(self) -> Signal<Option<AppError>> {
        Signal::derive(move || {
            form_error(self.change)
                .get()
                .or_else(|| form_error(self.offer).get())
                .or_else(|| form_error(self.reject).get())
                .or_else(|| form_error(self.approve).get())
                .or_else(|| form_error(self.dispute).get())
                .or_else(|| form_error(self.cancel).get())
                .or_else(|| form_error(self.no_show).get())
                .or_else(|| form_error(self.invite).get())
                .or_else(|| form_error(self.approve_week).get())
                .or_else(|| form_error(self.dispute_week).get())
                .or_else(|| form_error(self.approve_delivery).get())
                .or_else(|| form_error(self.dispute_delivery).get())
        })
    }
}

#[component]
pub fn OrgShiftPage() -> impl IntoView {
    let slug = slug_param();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let actions = ShiftActions::new();
    let shift = Resource::new(
        move || (slug.get(), id.get(), actions.version()),
        |(slug, id, _)| async move {
            let id = uuid::Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
            load_org_shift(slug, PostingId(id)).await
        },
    );
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| MatchFilter {
            within_km: q.get("within").and_then(|v| v.parse().ok()),
            min_attendance: q.get("attendance").and_then(|v| v.parse().ok()),
        })
    });
    let recommended = Resource::new(
        move || (slug.get(), id.get(), filter.get(), actions.version()),
        |(slug, id, filter, _)| async move {
            let id = uuid::Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
            load_recommended(slug, PostingId(id), filter.within_km, filter.min_attendance).await
        },
    );
    let error = actions.error();
    view! {
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match shift.await {
                    Ok(page) => {
                        let candidates = recommended.await;
                        let s = page.detail.summary.clone();
                        let slug = slug.get_untracked();
                        let status = s.status;
                        let change = |to: PostingStatus, label: &'static str, class: &'static str| {
                            let slug = slug.clone();
                            status.may_become(to).then(|| view! {
                                <ActionForm action=actions.change attr:class="inline-form">
                                    <input type="hidden" name="slug" value=slug/>
                                    <input type="hidden" name="id" value=s.id.to_string()/>
                                    <input type="hidden" name="to" value=to.db_name()/>
                                    <button type="submit" class=class>{label}</button>
                                </ActionForm>
                            })
                        };
                        view! {
                            <Title text=format!("{} — Olivine Hire", s.title)/>
                            <header class="page-head">
                                <p class="eyebrow"><a href=format!("/hire/org/{slug}")>{s.organisation.clone()}</a></p>
                                <h1>{s.title.clone()}</h1>
                                <p><span class="tag" data-testid="shift-status">{status.label()}</span></p>
                            </header>
                            <HireNav/>
                            <section class="panel">
                                <ShiftFacts shift=s.clone()/>
                                <ShiftRequirements detail=page.detail.clone()/>
                                <p class="prose">{page.detail.description.clone()}</p>
                                <div class="publish-bar">
                                    {(status == PostingStatus::Draft).then(|| view! {
                                        <a class="button button--quiet" href=format!("/hire/org/{slug}/shifts/{}/edit", s.id)>"Edit"</a>
                                    })}
                                    {change(PostingStatus::Published, "Publish", "button")}
                                    {change(PostingStatus::Closed, "Stop taking applications", "button button--quiet")}
                                    {change(PostingStatus::Cancelled, "Cancel shift", "button button--danger")}
                                </div>
                                {(status == PostingStatus::Published).then(|| view! {
                                    <p class="muted">"Freelancers see it at "<a href=super::posting_href(s.kind, s.id)>"its page"</a>"."</p>
                                })}
                            </section>
                            <FormError error/>
                            <Applicants page_slug=slug.clone() applicants=page.applicants basis=s.pay_basis actions/>
                            {status.accepts_applications().then(|| view! {
                                <RecommendedCandidates page_slug=slug.clone() shift=s.id filter=filter.get_untracked() candidates actions/>
                            })}
                            <PastWorkers page_slug=slug.clone() shift=s.id workers=page.past_workers actions/>
                            <Contracts page_slug=slug kind=s.kind contracts=page.contracts actions/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Applicants(
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

/// A job's weeks or handed-over work, with the organisation's answers to what waits.
#[component]
fn JobAnswers(slug: String, contract: ContractView, actions: ShiftActions) -> impl IntoView {
    let adjust_error = form_error(actions.adjust_week);
    let id = contract.id;
    let hidden = move || {
        view! {
            <input type="hidden" name="slug" value=slug.clone()/>
            <input type="hidden" name="contract" value=id.to_string()/>
        }
    };
    match contract.pay_basis {
        PayBasis::Hourly => contract.weeks.into_iter().map(|t| {
            let waiting = t.status == TimesheetStatus::Submitted;
            let monday = t.week.unwrap_or_default();
            let dispute_id = format!("dispute-week-{id}-{monday}");
            let (approve_fields, dispute_fields, adjust_fields) = (hidden(), hidden(), hidden());
            let sheet = t.clone();
            view! {
                <WeekLine timesheet=t/>
                {waiting.then(|| view! {
                    <div class="hours-answer">
                        <ActionForm action=actions.approve_week attr:class="inline-form">
                            {approve_fields}
                            <input type="hidden" name="monday" value=monday.to_string()/>
                            <button type="submit" class="button">"Approve week"</button>
                        </ActionForm>
                        <ActionForm action=actions.dispute_week attr:class="inline-form">
                            {dispute_fields}
                            <input type="hidden" name="monday" value=monday.to_string()/>
                            <label for=dispute_id.clone() class="visually-hidden">"Why you dispute the week"</label>
                            <input id=dispute_id type="text" name="reason" placeholder="Why these hours are wrong" required/>
                            <button type="submit" class="link-button link-button--danger">"Dispute"</button>
                        </ActionForm>
                        <details>
                            <summary>"Approve different hours"</summary>
                            <ActionForm action=actions.adjust_week attr:class="form form--compact" attr:novalidate=true>
                                {adjust_fields}
                                <input type="hidden" name="monday" value=monday.to_string()/>
                                <WeekFields contract=id prefix="adjust" monday initial=Some(sheet) error=adjust_error/>
                                <TextField label="Reason" name="reason" id=format!("adjust-week-reason-{id}-{monday}") error=adjust_error/>
                                <FormError error=adjust_error/>
                                <button type="submit" class="button button--quiet">"Approve adjusted week"</button>
                            </ActionForm>
                        </details>
                    </div>
                })}
            }
        }).collect_view().into_any(),
        PayBasis::Fixed => {
            let waiting = contract
                .delivery
                .as_ref()
                .is_some_and(|d| d.status == TimesheetStatus::Submitted);
            let dispute_id = format!("dispute-delivery-{id}");
            let (approve_fields, dispute_fields) = (hidden(), hidden());
            view! {
                {contract.delivery.map(|d| view! { <DeliveryLine delivery=d/> })}
                {waiting.then(|| view! {
                    <div class="hours-answer">
                        <ActionForm action=actions.approve_delivery attr:class="inline-form">
                            {approve_fields}
                            <button type="submit" class="button">"Approve the work"</button>
                        </ActionForm>
                        <ActionForm action=actions.dispute_delivery attr:class="inline-form">
                            {dispute_fields}
                            <label for=dispute_id.clone() class="visually-hidden">"What is missing"</label>
                            <input id=dispute_id type="text" name="reason" placeholder="What is missing" required/>
                            <button type="submit" class="link-button link-button--danger">"Dispute"</button>
                        </ActionForm>
                    </div>
                })}
            }
            .into_any()
        }
    }
}

/// The matching engine's best freelancers for the posting, each explained, with an invitation
/// form; the radius and a minimum attendance narrow them.
#[component]
fn RecommendedCandidates(
    page_slug: String,
    shift: PostingId,
    filter: MatchFilter,
    candidates: Result<Vec<Candidate>, AppError>,
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
            {match candidates {
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
fn InviteForm(
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

/// Freelancers who worked for the organisation before, to invite to this open shift.
#[component]
fn PastWorkers(
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

#[component]
fn Contracts(
    page_slug: String,
    kind: PostingKind,
    contracts: Vec<ContractView>,
    actions: ShiftActions,
) -> impl IntoView {
    let adjust_error = form_error(actions.adjust);
    let rate_error = form_error(actions.rate);
    view! {
        <section class="panel" aria-labelledby="contracts-heading">
            <h2 id="contracts-heading">"Booked"</h2>
            <p class="muted">{match kind {
                PostingKind::Shift => format!(
                    "Cancelling less than {} hours before the start owes the freelancer {}% of the shift's wage.",
                    CANCELLATION_POLICY.notice_hours, CANCELLATION_POLICY.late_share_percent
                ),
                PostingKind::Job => format!(
                    "A job can be cancelled until it starts; less than {} hours before, it counts as late but owes nothing.",
                    CANCELLATION_POLICY.notice_hours
                ),
            }}</p>
            {contracts.is_empty().then(|| view! { <p>"Nobody is booked yet."</p> })}
            {contracts.into_iter().map(|c| {
                let slug = page_slug.clone();
                let id = c.id.to_string();
                let active = c.status == ContractStatus::Active;
                let waiting = c.timesheet.as_ref().is_some_and(|t| t.status == TimesheetStatus::Submitted);
                let may_cancel = active && !c.started;
                let may_no_show = c.kind == PostingKind::Shift && active && c.started && c.timesheet.is_none();
                let reason_id = format!("cancel-reason-{id}");
                let dispute_id = format!("dispute-reason-{id}");
                let rating_form = {
                    let (slug, id) = (slug.clone(), id.clone());
                    let heading = format!("How did {} do?", c.freelancer);
                    view! {
                        <ActionForm action=actions.rate attr:class="form form--compact" attr:novalidate=true>
                            <h4>{heading}</h4>
                            <input type="hidden" name="slug" value=slug/>
                            <input type="hidden" name="contract" value=id/>
                            <RatingFields contract=c.id error=rate_error/>
                        </ActionForm>
                    }
                    .into_any()
                };
                view! {
                    <article class="contract subpanel" data-status=c.status.db_name()>
                        <h3><a href=format!("/hire/freelancers/{}", c.freelancer_id)>{c.freelancer.clone()}</a>" "
                            <span class="tag">{c.status.label()}</span></h3>
                        <p><a href=format!("/hire/org/{slug}/messages/{}", c.application_id)>"Messages"</a></p>
                        {c.timesheet.clone().map(|t| view! { <TimesheetLine timesheet=t/> })}
                        {(c.kind == PostingKind::Job).then(|| view! { <JobAnswers slug=slug.clone() contract=c.clone() actions/> })}
                        {waiting.then(|| { let (slug_a, slug_b, slug_c) = (slug.clone(), slug.clone(), slug.clone()); let (id_a, id_b, id_c) = (id.clone(), id.clone(), id.clone()); let contract = c.clone(); view! {
                            <div class="hours-answer">
                                <ActionForm action=actions.approve attr:class="inline-form">
                                    <input type="hidden" name="slug" value=slug_a/>
                                    <input type="hidden" name="contract" value=id_a/>
                                    <button type="submit" class="button">"Approve hours"</button>
                                </ActionForm>
                                <ActionForm action=actions.dispute attr:class="inline-form">
                                    <input type="hidden" name="slug" value=slug_b/>
                                    <input type="hidden" name="contract" value=id_b/>
                                    <label for=dispute_id.clone() class="visually-hidden">"Why you dispute the hours"</label>
                                    <input id=dispute_id type="text" name="reason" placeholder="Why these hours are wrong" required/>
                                    <button type="submit" class="link-button link-button--danger">"Dispute"</button>
                                </ActionForm>
                                <details>
                                    <summary>"Approve different hours"</summary>
                                    <ActionForm action=actions.adjust attr:class="form form--compact" attr:novalidate=true>
                                        <input type="hidden" name="slug" value=slug_c/>
                                        <input type="hidden" name="contract" value=id_c/>
                                        <HoursFields contract prefix="adjust" error=adjust_error/>
                                        <TextField label="Reason" name="reason" id=format!("adjust-reason-{}", c.id) error=adjust_error/>
                                        <FormError error=adjust_error/>
                                        <button type="submit" class="button button--quiet">"Approve adjusted hours"</button>
                                    </ActionForm>
                                </details>
                            </div>
                        }})}
                        {may_cancel.then(|| { let (slug, id) = (slug.clone(), id.clone()); view! {
                            <ActionForm action=actions.cancel attr:class="inline-form">
                                <input type="hidden" name="slug" value=slug/>
                                <input type="hidden" name="contract" value=id/>
                                <label for=reason_id.clone() class="visually-hidden">"Reason"</label>
                                <input id=reason_id type="text" name="reason" placeholder="Reason" required/>
                                <button type="submit" class="link-button link-button--danger">"Cancel booking"</button>
                            </ActionForm>
                        }})}
                        {may_no_show.then(|| view! {
                            <ActionForm action=actions.no_show attr:class="inline-form">
                                <input type="hidden" name="slug" value=slug.clone()/>
                                <input type="hidden" name="contract" value=id.clone()/>
                                <button type="submit" class="link-button link-button--danger">"Record a no-show"</button>
                            </ActionForm>
                        })}
                        <ContractEvents events=c.events.clone()/>
                        <ContractRatings contract=c.clone() me=Side::Organisation form=rating_form/>
                    </article>
                }
            }).collect_view()}
        </section>
    }
}
