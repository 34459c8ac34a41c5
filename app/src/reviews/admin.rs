//! `/admin/reviews`: the moderation queue (support admins). Waiting reviews, oldest first,
//! each with why it waits; publish, or reject with a reason its author reads. Published
//! reviews can be taken down and rejected ones published after all.

use super::api::{ModerateReview, admin_reviews};
use super::model::{AdminReview, AdminReviewPage, ReviewStatus};
use crate::orders::components::when;
use crate::ui::{ErrorPage, FormError, Pagination, form_error, on_success, star_text};
use leptos::prelude::*;
use leptos::server::ServerAction;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AdminReviewsPage() -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        query.with(|q| {
            (
                q.get("status")
                    .and_then(|s| ReviewStatus::from_db_name(&s))
                    .unwrap_or(ReviewStatus::Pending),
                q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1_i64),
            )
        })
    });
    let moderate = ServerAction::<ModerateReview>::new();
    let error = form_error(moderate);
    let version = RwSignal::new(0_u32);
    on_success(moderate, move |_| version.update(|v| *v += 1));
    let list = Resource::new(
        move || (filters.get(), version.get()),
        |((status, page), _)| admin_reviews(status.db_name().to_owned(), page),
    );
    view! {
        <Title text="Reviews — Olivine back office"/>
        <section class="admin">
            <p class="eyebrow"><a href="/admin">"Back office"</a></p>
            <h1>"Reviews"</h1>
            <nav class="sort-links" aria-label="Review status">
                {ReviewStatus::ALL.iter().map(|s| {
                    let status = *s;
                    view! {
                        <a href=format!("/admin/reviews?status={}", status.db_name())
                            aria-current=move || (filters.get().0 == status).then_some("true")>
                            {status.label()}
                        </a>
                    }
                }).collect_view()}
            </nav>
            <FormError error/>
            <Transition fallback=|| view! { <div class="orders__loading" aria-busy="true"></div> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(page) => view! { <ReviewQueue page moderate/> }.into_any(),
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ReviewQueue(page: AdminReviewPage, moderate: ServerAction<ModerateReview>) -> impl IntoView {
    let status = page.status;
    let total_pages = crate::ui::page_count(
        page.total,
        u32::try_from(super::model::ADMIN_PER_PAGE).unwrap_or(25),
    );
    let current = u32::try_from(page.page).unwrap_or(1);
    let empty = match status {
        ReviewStatus::Pending => "Nothing waits for moderation.",
        ReviewStatus::Published => "No review is published yet.",
        ReviewStatus::Rejected => "No review has been rejected.",
    };
    view! {
        <p class="muted" data-testid="reviews-waiting">
            {format!("{} waiting for moderation", crate::ui::count_of(page.waiting, "review"))}
        </p>
        {if page.rows.is_empty() {
            view! { <p class="muted">{empty}</p> }.into_any()
        } else {
            view! {
                <ol class="moderation" role="list">
                    {page.rows.into_iter().map(|review| view! {
                        <li><QueuedReview review moderate/></li>
                    }).collect_view()}
                </ol>
            }.into_any()
        }}
        <Pagination page=current total_pages href=move |n| {
            format!("/admin/reviews?status={}&page={n}", status.db_name())
        }/>
    }
}

#[component]
fn QueuedReview(review: AdminReview, moderate: ServerAction<ModerateReview>) -> impl IntoView {
    let id = review.id.to_string();
    let reason_id = format!("reason-{id}");
    view! {
        <article class="moderation__item" data-testid="queued-review">
            <p class="eyebrow">
                <a href=format!("/products/{}#reviews", review.product_slug)>{review.product_name}</a>
            </p>
            <p class="stars" role="img" aria-label=format!("{} out of 5 stars", review.rating)>{star_text(review.rating)}</p>
            <h2 class="review__title">{review.title}</h2>
            <p class="review__by muted">
                {format!("{} <{}> · ", review.author, review.author_email)}
                <time datetime=review.written_at.to_rfc3339()>{when(review.written_at)}</time>
                {format!(" · {}", crate::ui::count_of(i64::from(review.helpful), "helpful vote"))}
            </p>
            <p class="moderation__body">{review.body}</p>
            {review.held_because.map(|why| view! { <p class="badge badge--payment_needed">{format!("Held: {why}")}</p> })}
            {review.reject_reason.map(|why| view! { <p class="muted">{format!("Rejected: {why}")}</p> })}
            <div class="moderation__actions">
                {(review.status != ReviewStatus::Published).then(|| {
                    let id = id.clone();
                    view! {
                        <ActionForm action=moderate attr:class="inline-form">
                            <input type="hidden" name="review" value=id/>
                            <input type="hidden" name="decision" value="publish"/>
                            <button type="submit" class="button button--small" disabled=move || moderate.pending().get()>"Publish"</button>
                        </ActionForm>
                    }
                })}
                {(review.status != ReviewStatus::Rejected).then(|| view! {
                    <ActionForm action=moderate attr:class="inline-form">
                        <input type="hidden" name="review" value=id.clone()/>
                        <input type="hidden" name="decision" value="reject"/>
                        <label for=reason_id.clone()>"Reason"</label>
                        <input id=reason_id.clone() name="reason" required=true maxlength="500"
                            placeholder="What the author should know"/>
                        <button type="submit" class="button button--small button--quiet" disabled=move || moderate.pending().get()>
                            {if review.status == ReviewStatus::Published { "Take down" } else { "Reject" }}
                        </button>
                    </ActionForm>
                })}
            </div>
        </article>
    }
}
