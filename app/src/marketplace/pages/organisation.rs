//! The organisation's pages: its shifts and the hours waiting for approval, posting a shift,
//! and one shift with its applicants and contracts.

use super::{
    CitySelect, ContractEvents, ContractRatings, HireNav, HoursFields, RatingFields, ShiftFacts,
    ShiftRequirements, TimesheetLine, reliability_line,
};
use crate::error::AppError;
use crate::ids::PostingId;
use crate::marketplace::api::{
    AdjustHours, ApproveHours, CancelContract, ChangeShift, CreateShift, DisputeHours,
    InviteFreelancer, MakeOffer, RateFreelancer, RecordNoShow, RejectApplication, UpdateDraft,
    load_draft, load_org_home, load_org_shift, load_reference,
};
use crate::marketplace::model::{
    ApplicationStatus, CANCELLATION_POLICY, ContractStatus, ContractView, PastWorker,
    PostingStatus, Reference, SKILL_LEVELS, ShiftInput, Side, TimesheetStatus,
};
use crate::ui::{
    ErrorPage, FormError, TextArea, TextField, count_of, field_error, form_error, on_success,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

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
                                                {c.timesheet.clone().map(|t| view! { <TimesheetLine timesheet=t/> })}
                                                <ActionForm action=approve attr:class="inline-form">
                                                    <input type="hidden" name="slug" value=slug/>
                                                    <input type="hidden" name="contract" value=c.id.to_string()/>
                                                    <button type="submit" class="button button--small">"Approve"</button>
                                                </ActionForm>
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
    let slug = slug_param();
    let create = ServerAction::<CreateShift>::new();
    let error = form_error(create);
    let reference = Resource::new(|| (), |()| load_reference());
    let navigate = use_navigate();
    on_success(create, move |id| {
        navigate(
            &format!("/hire/org/{}/shifts/{id}", slug.get_untracked()),
            Default::default(),
        );
    });
    view! {
        <Title text="Post a shift — Olivine Hire"/>
        <header class="page-head">
            <p class="eyebrow">"Hire"</p>
            <h1>"Post a shift"</h1>
            <p class="muted">"It is saved as a draft; publish it when it is ready and freelancers nearby can apply."</p>
        </header>
        <HireNav/>
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match reference.await {
                    Ok(reference) => view! {
                        <ActionForm action=create attr:class="form panel" attr:novalidate=true>
                            <input type="hidden" name="slug" value=slug.get_untracked()/>
                            <ShiftFields reference initial=ShiftInput { headcount: "1".into(), break_minutes: "0".into(), ..ShiftInput::default() } error/>
                            <button type="submit" class="button">"Save draft"</button>
                        </ActionForm>
                    }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Change a draft before publishing it.
#[component]
pub fn EditShiftPage() -> impl IntoView {
    let slug = slug_param();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let update = ServerAction::<UpdateDraft>::new();
    let error = form_error(update);
    let data = Resource::new(
        move || (slug.get(), id.get()),
        |(slug, id)| async move {
            let id = PostingId(uuid::Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?);
            Ok::<_, AppError>((id, load_reference().await?, load_draft(slug, id).await?))
        },
    );
    let navigate = use_navigate();
    on_success(update, move |()| {
        navigate(
            &format!(
                "/hire/org/{}/shifts/{}",
                slug.get_untracked(),
                id.get_untracked()
            ),
            Default::default(),
        );
    });
    view! {
        <Title text="Edit shift — Olivine Hire"/>
        <header class="page-head">
            <p class="eyebrow">"Hire"</p>
            <h1>"Edit draft shift"</h1>
        </header>
        <HireNav/>
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((id, reference, initial)) => view! {
                        <ActionForm action=update attr:class="form panel" attr:novalidate=true>
                            <input type="hidden" name="slug" value=slug.get_untracked()/>
                            <input type="hidden" name="id" value=id.to_string()/>
                            <ShiftFields reference initial error/>
                            <button type="submit" class="button">"Save draft"</button>
                            " "<a href=format!("/hire/org/{}/shifts/{id}", slug.get_untracked())>"Back to the shift"</a>
                        </ActionForm>
                    }.into_any(),
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
    let skills_error = field_error(error, "shift[skills]");
    let certificates_error = field_error(error, "shift[certificates]");
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
        <fieldset class="subpanel">
            <legend>"Required skills"</legend>
            <p class="field__error">{move || skills_error.get()}</p>
            {reference.skills.into_iter().map(|category| view! {
                <h3>{category.name}</h3>
                <div class="skill-grid">
                    {category.skills.into_iter().map(|skill| {
                        let id = format!("shift-skill-{}", skill.id);
                        let level = skills.get(&skill.id).cloned().unwrap_or_default();
                        view! {
                            <label for=id.clone()>{skill.name}</label>
                            <select id=id name=format!("shift[skills][{}]", skill.id)>
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
            <p class="field__hint">"Only freelancers holding each, verified by us and valid on the day, can apply."</p>
            <p class="field__error">{move || certificates_error.get()}</p>
            <ul class="checks" role="list">
                {reference.certificates.into_iter().map(|c| {
                    let id = format!("shift-certificate-{}", c.id);
                    let checked = certificates.contains_key(&c.id);
                    view! {
                        <li>
                            <input type="checkbox" id=id.clone() name=format!("shift[certificates][{}]", c.id) value="on" checked=checked/>
                            <label for=id>{c.name}</label>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </fieldset>
        <FormError error/>
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
    let error = actions.error();
    view! {
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match shift.await {
                    Ok(page) => {
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
                                    <p class="muted">"Freelancers see it at "<a href=format!("/hire/shifts/{}", s.id)>"its page"</a>"."</p>
                                })}
                            </section>
                            <FormError error/>
                            <Applicants page_slug=slug.clone() applicants=page.applicants actions/>
                            <PastWorkers page_slug=slug.clone() shift=s.id workers=page.past_workers actions/>
                            <Contracts page_slug=slug contracts=page.contracts actions/>
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
    applicants: Vec<crate::marketplace::model::Applicant>,
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
                    let message_id = format!("invite-message-{}", w.freelancer_id);
                    let slug = page_slug.clone();
                    view! {
                        <li class="list__row">
                            <a href=format!("/hire/freelancers/{}", w.freelancer_id)>{w.name.clone()}</a>
                            <span>{format!("{} · {}", w.headline, w.city)}</span>
                            <span class="muted">{count_of(w.shifts, "shift")}" with you"</span>
                            <ActionForm action=actions.invite attr:class="inline-form">
                                <input type="hidden" name="slug" value=slug/>
                                <input type="hidden" name="shift" value=shift.to_string()/>
                                <input type="hidden" name="freelancer" value=w.freelancer_id.to_string()/>
                                <label for=message_id.clone() class="visually-hidden">{format!("Message to {}", w.name)}</label>
                                <input id=message_id type="text" name="message" placeholder="Message (optional)"/>
                                <button type="submit" class="button button--small">"Invite"</button>
                            </ActionForm>
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
    contracts: Vec<ContractView>,
    actions: ShiftActions,
) -> impl IntoView {
    let adjust_error = form_error(actions.adjust);
    let rate_error = form_error(actions.rate);
    view! {
        <section class="panel" aria-labelledby="contracts-heading">
            <h2 id="contracts-heading">"Booked"</h2>
            <p class="muted">{format!(
                "Cancelling less than {} hours before the start owes the freelancer {}% of the shift's wage.",
                CANCELLATION_POLICY.notice_hours, CANCELLATION_POLICY.late_share_percent
            )}</p>
            {contracts.is_empty().then(|| view! { <p>"Nobody is booked yet."</p> })}
            {contracts.into_iter().map(|c| {
                let slug = page_slug.clone();
                let id = c.id.to_string();
                let active = c.status == ContractStatus::Active;
                let waiting = c.timesheet.as_ref().is_some_and(|t| t.status == TimesheetStatus::Submitted);
                let may_cancel = active && !c.started;
                let may_no_show = active && c.started && c.timesheet.is_none();
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
