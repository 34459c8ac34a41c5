//! The product page's reviews: the average and how the stars spread, the reviews newest or
//! most helpful first with "helpful" votes, and the form for a customer who received it.

use super::api::{MarkHelpful, WriteReview, load_product_reviews};
use super::model::{
    MayReview, NOT_RECEIVED, PER_PAGE, ProductReviews, RatingSummary, ReviewSort, ReviewStatus,
    ReviewView,
};
use crate::catalog::pages::ProductResource;
use crate::error::AppError;
use crate::ids::ProductId;
use crate::ui::{
    FormError, Pagination, TextArea, TextField, form_error, on_success, star_text, urlencode,
};
use leptos::prelude::*;
use leptos::server::ServerAction;
use leptos_router::hooks::{use_location, use_params_map, use_query_map};

/// The reviews of the page's product and the forms that change them; their sort and page live
/// in the URL (`reviews`, `reviews_page`). Created with the product page, not inside its
/// Suspense (see `product_resource`).
#[derive(Clone, Copy)]
pub struct ReviewsState {
    state: Memo<(ReviewSort, i64, Option<String>)>,
    write: ServerAction<WriteReview>,
    vote: ServerAction<MarkHelpful>,
    reviews: Resource<Result<ProductReviews, AppError>>,
}

impl ReviewsState {
    pub fn new(product: ProductResource) -> Self {
        let params = use_params_map();
        let query = use_query_map();
        let state = Memo::new(move |_| {
            query.with(|q| {
                (
                    ReviewSort::from_param(&q.get("reviews").unwrap_or_default()),
                    q.get("reviews_page")
                        .and_then(|p| p.parse().ok())
                        .unwrap_or(1_i64),
                    q.get("variant"),
                )
            })
        });
        let write = ServerAction::<WriteReview>::new();
        let vote = ServerAction::<MarkHelpful>::new();
        let version = RwSignal::new(0_u32);
        on_success(write, move |_| version.update(|v| *v += 1));
        on_success(vote, move |_| version.update(|v| *v += 1));
        let reviews = Resource::new(
            move || {
                (
                    params.read().get("slug"),
                    state.with(|s| (s.0, s.1)),
                    version.get(),
                )
            },
            move |(_, (sort, page), _)| async move {
                let product = product.await?;
                load_product_reviews(product.id, sort.param().to_owned(), page).await
            },
        );
        ReviewsState {
            state,
            write,
            vote,
            reviews,
        }
    }
}

/// The reviews section under a product.
#[component]
pub fn ProductReviewsSection(state: ReviewsState) -> impl IntoView {
    let ReviewsState {
        state,
        write,
        vote,
        reviews,
    } = state;
    // Links keep the chosen variant and land on this section.
    let href = move |sort: ReviewSort, page: i64| {
        let variant = state.with_untracked(|s| s.2.clone());
        let mut parts = Vec::new();
        if let Some(variant) = variant {
            parts.push(format!("variant={}", urlencode(&variant)));
        }
        if sort != ReviewSort::Newest {
            parts.push(format!("reviews={}", sort.param()));
        }
        if page > 1 {
            parts.push(format!("reviews_page={page}"));
        }
        format!("?{}#reviews", parts.join("&"))
    };
    view! {
        <section class="reviews" id="reviews" aria-labelledby="reviews-title">
            <h2 id="reviews-title">"Reviews"</h2>
            <Transition fallback=|| view! { <div class="reviews__loading" aria-busy="true"></div> }>
                {move || Suspend::new(async move {
                    match reviews.await {
                        Ok(reviews) => view! { <ReviewsView reviews write vote href/> }.into_any(),
                        Err(_) => view! {
                            <p class="muted">"Reviews can't be shown just now."</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ReviewsView(
    reviews: ProductReviews,
    write: ServerAction<WriteReview>,
    vote: ServerAction<MarkHelpful>,
    href: impl Fn(ReviewSort, i64) -> String + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let count = reviews.summary.count();
    let signed_in = reviews.may != MayReview::SignIn;
    let vote_error = form_error(vote);
    let sort = reviews.sort;
    let total_pages = crate::ui::page_count(count, u32::try_from(PER_PAGE).unwrap_or(10));
    let page = u32::try_from(reviews.page).unwrap_or(1);
    view! {
        <Summary summary=reviews.summary/>
        <MayWrite may=reviews.may product=reviews.product write/>
        {(count > 0).then(|| view! {
            <nav class="sort-links" aria-label="Sort reviews">
                {ReviewSort::ALL.into_iter().map(|s| view! {
                    <a href=href(s, 1) aria-current=(s == sort).then_some("true")>{s.label()}</a>
                }).collect_view()}
            </nav>
        })}
        <FormError error=vote_error/>
        <ol class="reviews__list" role="list">
            {reviews.reviews.into_iter().map(|review| view! {
                <li><Review review signed_in vote/></li>
            }).collect_view()}
        </ol>
        <Pagination page total_pages href=move |n| href(sort, i64::from(n))/>
    }
}

#[component]
fn Summary(summary: RatingSummary) -> impl IntoView {
    let count = summary.count();
    if count == 0 {
        return view! { <p class="muted" data-testid="rating-summary">"No reviews yet."</p> }
            .into_any();
    }
    let stars = i16::try_from((summary.average_tenths() + 5) / 10).unwrap_or(0);
    view! {
        <div class="rating-summary" data-testid="rating-summary">
            <p class="rating-summary__average">
                <span class="rating-summary__number" data-testid="rating-average">{summary.average_label()}</span>
                <span class="stars" aria-hidden="true">{star_text(stars)}</span>
                <span class="muted">{format!("out of 5 · {}", crate::ui::count_of(count, "review"))}</span>
            </p>
            <ul class="rating-summary__bars" role="list" aria-label="How the stars spread">
                {(1..=5_usize).rev().map(|stars| {
                    let n = summary.stars.get(stars - 1).copied().unwrap_or(0);
                    let percent = summary.percent(stars);
                    view! {
                        <li data-testid=format!("stars-{stars}")>
                            <span>{format!("{stars} star{}", if stars == 1 { "" } else { "s" })}</span>
                            <meter min="0" max="100" value=percent.to_string()>{format!("{percent}%")}</meter>
                            <span class="muted">{n}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
    .into_any()
}

/// Whether and how the viewer can review: sign in, not received, the form, or where their
/// review is.
#[component]
fn MayWrite(may: MayReview, product: ProductId, write: ServerAction<WriteReview>) -> impl IntoView {
    let location = use_location();
    match may {
        MayReview::SignIn => {
            let next = urlencode(&format!("{}#reviews", location.pathname.get_untracked()));
            view! {
                <p class="muted">
                    "Bought it? "<a href=format!("/signin?next={next}")>"Sign in"</a>" to review it."
                </p>
            }
            .into_any()
        }
        MayReview::NotReceived => view! { <p class="muted">{NOT_RECEIVED}</p> }.into_any(),
        MayReview::Written {
            status,
            reject_reason,
        } => {
            let text = match status {
                ReviewStatus::Published => "Thank you: your review is published.".to_owned(),
                ReviewStatus::Pending => "Thank you: your review contains a link, so a moderator reads it first. It appears here once published.".to_owned(),
                ReviewStatus::Rejected => format!(
                    "Your review was not published. Our moderators said: {}",
                    reject_reason.unwrap_or_default()
                ),
            };
            view! { <p class="banner banner--info" role="status" data-testid="my-review">{text}</p> }
                .into_any()
        }
        MayReview::Write => {
            let error = form_error(write);
            view! {
                <details class="review-form" open=true data-testid="review-form">
                    <summary>"Write a review"</summary>
                    <ActionForm action=write attr:class="form">
                        <input type="hidden" name="product" value=product.to_string()/>
                        <fieldset class="stars-input">
                            <legend>"Your rating"</legend>
                            {(1..=5).rev().map(|stars| view! {
                                <label>
                                    <input type="radio" name="rating" value=stars.to_string() required=true/>
                                    {format!(" {stars} star{}", if stars == 1 { "" } else { "s" })}
                                </label>
                            }).collect_view()}
                            <p class="field__error" role="alert">
                                {move || error.get().and_then(|e| e.field_message("rating").map(str::to_owned))}
                            </p>
                        </fieldset>
                        <TextField label="Title" name="title" error/>
                        <TextArea label="Your review" name="body" rows=5 error
                            hint="What did you use it for, and how did it work for you? Links are read by a moderator first."/>
                        <button type="submit" class="button" disabled=move || write.pending().get()>"Publish review"</button>
                        <FormError error/>
                    </ActionForm>
                </details>
            }
            .into_any()
        }
    }
}

#[component]
fn Review(review: ReviewView, signed_in: bool, vote: ServerAction<MarkHelpful>) -> impl IntoView {
    let helpful = match review.helpful {
        0 => String::new(),
        1 => "1 person found this helpful".to_owned(),
        n => format!("{n} people found this helpful"),
    };
    let can_vote = signed_in && !review.mine && !review.voted;
    let paragraphs: Vec<String> = review
        .body
        .split("\n\n")
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    view! {
        <article class="review" data-testid="review">
            <p class="stars" role="img" aria-label=format!("{} out of 5 stars", review.rating)>
                {star_text(review.rating)}
            </p>
            <h3 class="review__title">{review.title}</h3>
            <p class="review__by muted">
                {review.author}" · "
                <time datetime=review.written_at.to_rfc3339()>{review.written_at.format("%-d %B %Y").to_string()}</time>
                " · Verified purchase"
            </p>
            {paragraphs.into_iter().map(|p| view! { <p>{p}</p> }).collect_view()}
            <p class="review__helpful">
                <span class="muted" data-testid="helpful-count">{helpful}</span>
                {review.voted.then(|| view! { <span class="muted">" · You found this helpful"</span> })}
                {can_vote.then(|| view! {
                    <ActionForm action=vote attr:class="inline-form">
                        <input type="hidden" name="review" value=review.id.to_string()/>
                        <button type="submit" class="link-button" disabled=move || vote.pending().get()>"Helpful"</button>
                    </ActionForm>
                })}
            </p>
        </article>
    }
}
