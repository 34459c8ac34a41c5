//! The ratings under a finished contract, and the form to give one.

use crate::error::AppError;
use crate::hire::components::stars;
use crate::hire::contracts::model::ContractView;
use crate::hire::reference::model::Side;
use crate::ids::ContractId;
use crate::ui::{FormError, TextArea, field_error};
use leptos::prelude::*;

/// What each side said after a completed contract, seen by `me`; with the form for `me`'s
/// rating (`form`) while it is still to give.
#[component]
pub fn ContractRatings(contract: ContractView, me: Side, form: AnyView) -> impl IntoView {
    let awaiting = contract.awaits_rating_by(me);
    view! {
        <ul class="ratings" role="list" data-testid="ratings">
            {contract.ratings.iter().map(|r| view! {
                <li>
                    {if r.by == me { "You gave " } else { "You received " }}
                    <span class="stars" aria-label=format!("{} of 5 stars", r.stars)>{stars(r.stars)}</span>
                    {(!r.comment.is_empty()).then(|| format!(" — “{}”", r.comment))}
                </li>
            }).collect_view()}
        </ul>
        {awaiting.then_some(form)}
    }
}

/// The stars, comment and button of a rating form (`contract` keeps ids unique).
#[component]
pub fn RatingFields(contract: ContractId, error: Signal<Option<AppError>>) -> impl IntoView {
    let stars_id = format!("rating-stars-{contract}");
    let stars_error = field_error(error, "stars");
    view! {
        <div class="field" class:field--invalid=move || stars_error.get().is_some()>
            <label for=stars_id.clone()>"Your rating"</label>
            <select id=stars_id name="stars">
                <option value="">"Choose"</option>
                {(1..=5_i16).rev().map(|n| view! {
                    <option value=n.to_string()>{format!("{} {n} of 5", stars(n))}</option>
                }).collect_view()}
            </select>
            <p class="field__error">{move || stars_error.get()}</p>
        </div>
        <TextArea label="A few words (optional)" name="comment" id=format!("rating-comment-{contract}") rows=2 error/>
        <FormError error/>
        <button type="submit" class="button button--quiet">"Send rating"</button>
    }
}
