//! `/hire/org/{slug}/shifts/{id}`: one shift with its applicants, recommendations and
//! contracts.

use crate::error::AppError;
use crate::hire::applications::components::{Applicants, PastWorkers};
use crate::hire::components::ShiftActions;
use crate::hire::components::posting_href;
use crate::hire::components::{HireNav, HireNavState, ShiftFacts, slug_param};
use crate::hire::contracts::components::Contracts;
use crate::hire::matching::api::load_recommended;
use crate::hire::matching::components::RecommendedCandidates;
use crate::hire::matching::model::MatchFilter;
use crate::hire::postings::components::ShiftRequirements;
use crate::hire::postings::model::PostingStatus;
use crate::hire::views::api::load_org_shift;
use crate::ids::PostingId;
use crate::notifications::arrivals::changes_here;
use crate::ui::{ErrorPage, FormError};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn OrgShiftPage() -> impl IntoView {
    let nav = HireNavState::new();
    let slug = slug_param();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let actions = ShiftActions::in_page();
    let live = changes_here();
    let shift = Resource::new(
        move || (slug.get(), id.get(), actions.version(), live.get()),
        |(slug, id, _, _)| async move {
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
                        let s = page.posting.summary.clone();
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
                            <HireNav nav/>
                            <section class="panel">
                                <ShiftFacts shift=s.clone()/>
                                <ShiftRequirements detail=page.posting.clone()/>
                                <p class="prose">{page.posting.description.clone()}</p>
                                <div class="publish-bar">
                                    {(status == PostingStatus::Draft).then(|| view! {
                                        <a class="button button--quiet" href=format!("/hire/org/{slug}/shifts/{}/edit", s.id)>"Edit"</a>
                                    })}
                                    {change(PostingStatus::Published, "Publish", "button")}
                                    {change(PostingStatus::Closed, "Stop taking applications", "button button--quiet")}
                                    {change(PostingStatus::Cancelled, "Cancel shift", "button button--danger")}
                                </div>
                                {(status == PostingStatus::Published).then(|| view! {
                                    <p class="muted">"Freelancers see it at "<a href=posting_href(s.kind, s.id)>"its page"</a>"."</p>
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
