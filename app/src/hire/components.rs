//! Parts every Hire page shares: the navigation with its unread badge, the city picker, a
//! shift's facts and link, stars, and the actions of an organisation's shift page that its
//! applicant, contract and candidate lists all drive.

use crate::accounts::pages::ViewerState;
use crate::error::AppError;
use crate::hire::applications::api::{InviteFreelancer, MakeOffer, RejectApplication};
use crate::hire::contracts::api::{
    AdjustHours, AdjustWeek, ApproveDelivery, ApproveHours, ApproveWeek, CancelContract,
    DisputeDelivery, DisputeHours, DisputeWeek, EndJob, RecordNoShow,
};
use crate::hire::messages::api::unread_messages;
use crate::hire::messages::model::Unread;
use crate::hire::postings::api::ChangeShift;
use crate::hire::postings::model::{PayBasis, PostingKind, ShiftSummary};
use crate::hire::ratings::api::RateFreelancer;
use crate::hire::reference::model::City;
use crate::ids::PostingId;
use crate::ui::{field_error, form_error};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// A city picked from the bundled list, `selected` chosen; its error is the field `name`'s.
#[component]
pub fn CitySelect(
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

/// What the Hire navigation loads: the viewer's unread messages, asked for only when someone
/// is signed in. Created with the page: the server rebuilds a Suspense's children while it
/// waits, and a resource created in them would be created (and serialized) again each time.
#[derive(Clone, Copy)]
pub struct HireNavState {
    viewer: ViewerState,
    unread: Resource<Result<Unread, AppError>>,
}

impl HireNavState {
    /// None without the app's viewer (outside the app's shell).
    pub fn new() -> Option<Self> {
        let viewer = use_context::<ViewerState>()?;
        let unread = Resource::new(
            || (),
            move |()| async move {
                match viewer.viewer.await {
                    Ok(Some(_)) => unread_messages().await,
                    Ok(None) | Err(_) => Ok(Unread::default()),
                }
            },
        );
        Some(HireNavState { viewer, unread })
    }
}

/// The Hire face's own navigation: work for freelancers, each organisation for its members.
#[component]
pub fn HireNav(nav: Option<HireNavState>) -> impl IntoView {
    let Some(HireNavState {
        viewer: state,
        unread,
    }) = nav
    else {
        return ().into_any();
    };
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
                                <a href="/hire/work/earnings">"Earnings"</a>
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
pub fn UnreadBadge(count: i64) -> impl IntoView {
    (count > 0).then(|| {
        view! {
            " "<span class="badge" data-testid="unread-badge" aria-label=format!("{count} unread")>{count}</span>
        }
    })
}

/// When, where, how long and for how much: a shift's hours, a job's days.
#[component]
pub fn ShiftFacts(shift: ShiftSummary) -> impl IntoView {
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

/// "★★★★☆"
pub fn stars(n: i16) -> String {
    let n = usize::try_from(n.clamp(0, 5)).unwrap_or(0);
    format!("{}{}", "★".repeat(n), "☆".repeat(5 - n))
}

/// A posting's page for freelancers: `/hire/shifts/{id}` or `/hire/jobs/{id}`.
pub fn posting_href(kind: PostingKind, id: PostingId) -> String {
    match kind {
        PostingKind::Shift => format!("/hire/shifts/{id}"),
        PostingKind::Job => format!("/hire/jobs/{id}"),
    }
}

pub fn slug_param() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get("slug").unwrap_or_default()))
}

/// Every action the shift page can take, for its parts.
#[derive(Clone, Copy)]
pub struct ShiftActions {
    pub change: ServerAction<ChangeShift>,
    pub offer: ServerAction<MakeOffer>,
    pub reject: ServerAction<RejectApplication>,
    pub approve: ServerAction<ApproveHours>,
    pub adjust: ServerAction<AdjustHours>,
    pub dispute: ServerAction<DisputeHours>,
    pub cancel: ServerAction<CancelContract>,
    pub no_show: ServerAction<RecordNoShow>,
    pub end_job: ServerAction<EndJob>,
    pub rate: ServerAction<RateFreelancer>,
    pub invite: ServerAction<InviteFreelancer>,
    pub approve_week: ServerAction<ApproveWeek>,
    pub adjust_week: ServerAction<AdjustWeek>,
    pub dispute_week: ServerAction<DisputeWeek>,
    pub approve_delivery: ServerAction<ApproveDelivery>,
    pub dispute_delivery: ServerAction<DisputeDelivery>,
    pub escalate: ServerAction<crate::hire::disputes::api::EscalateOrgDispute>,
}

impl ShiftActions {
    /// The shift page's actions, created in the page's reactive owner (hence no `Default`).
    pub fn in_page() -> Self {
        ShiftActions {
            change: ServerAction::new(),
            offer: ServerAction::new(),
            reject: ServerAction::new(),
            approve: ServerAction::new(),
            adjust: ServerAction::new(),
            dispute: ServerAction::new(),
            cancel: ServerAction::new(),
            no_show: ServerAction::new(),
            end_job: ServerAction::new(),
            rate: ServerAction::new(),
            invite: ServerAction::new(),
            approve_week: ServerAction::new(),
            adjust_week: ServerAction::new(),
            dispute_week: ServerAction::new(),
            approve_delivery: ServerAction::new(),
            dispute_delivery: ServerAction::new(),
            escalate: ServerAction::new(),
        }
    }

    pub fn version(self) -> usize {
        self.change.version().get()
            + self.offer.version().get()
            + self.reject.version().get()
            + self.approve.version().get()
            + self.adjust.version().get()
            + self.dispute.version().get()
            + self.cancel.version().get()
            + self.no_show.version().get()
            + self.end_job.version().get()
            + self.rate.version().get()
            + self.invite.version().get()
            + self.approve_week.version().get()
            + self.adjust_week.version().get()
            + self.dispute_week.version().get()
            + self.approve_delivery.version().get()
            + self.dispute_delivery.version().get()
            + self.escalate.version().get()
    }

    /// The latest refusal among the actions without a form of their own.
    pub fn error(self) -> Signal<Option<AppError>> {
        Signal::derive(move || {
            form_error(self.change)
                .get()
                .or_else(|| form_error(self.offer).get())
                .or_else(|| form_error(self.reject).get())
                .or_else(|| form_error(self.approve).get())
                .or_else(|| form_error(self.dispute).get())
                .or_else(|| form_error(self.cancel).get())
                .or_else(|| form_error(self.no_show).get())
                .or_else(|| form_error(self.end_job).get())
                .or_else(|| form_error(self.invite).get())
                .or_else(|| form_error(self.approve_week).get())
                .or_else(|| form_error(self.dispute_week).get())
                .or_else(|| form_error(self.approve_delivery).get())
                .or_else(|| form_error(self.dispute_delivery).get())
                .or_else(|| form_error(self.escalate).get())
        })
    }
}
