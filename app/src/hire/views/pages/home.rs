//! `/hire`: what Hire is, and where each side starts.

use crate::accounts::pages::ViewerState;
use crate::error::AppError;
use crate::hire::components::{HireNav, HireNavState};
use crate::ui::ErrorPage;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/hire`: where each kind of Hire user starts.
#[component]
pub fn HireHomePage() -> impl IntoView {
    let nav = HireNavState::new();
    let Some(state) = use_context::<ViewerState>() else {
        return ().into_any();
    };
    view! {
        <Title text="Hire — Olivine"/>
        <header class="page-head">
            <p class="eyebrow">"Olivine Hire"</p>
            <h1>"Shifts and freelance work"</h1>
            <p class="muted">"Organisations post shifts; freelancers near them apply, get hired, and submit their hours."</p>
        </header>
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match state.viewer.await {
                    Ok(Some(viewer)) => {
                        let freelancer = viewer.has(crate::accounts::model::Role::Freelancer);
                        view! {
                            <HireNav nav/>
                            <div class="grid grid--categories">
                                <section class="panel">
                                    <h2>"Work"</h2>
                                    {if freelancer {
                                        view! {
                                            <p>"Open shifts within your travel radius, soonest first."</p>
                                            <a class="button" href="/hire/work">"Find work"</a>
                                        }.into_any()
                                    } else {
                                        view! {
                                            <p>"Set up a freelancer profile — your skills, where you live, your rate and your week — to apply for shifts."</p>
                                            <a class="button" href="/hire/profile">"Create your profile"</a>
                                        }.into_any()
                                    }}
                                </section>
                                <section class="panel">
                                    <h2>"Hire"</h2>
                                    {if viewer.memberships.is_empty() {
                                        view! {
                                            <p>"Post shifts as your company and hire the freelancers who apply."</p>
                                            <a class="button button--quiet" href="/hire/org/new">"Create an organisation"</a>
                                        }.into_any()
                                    } else {
                                        view! {
                                            <ul class="list" role="list">
                                                {viewer.memberships.into_iter().map(|m| view! {
                                                    <li class="list__row"><a href=format!("/hire/org/{}", m.slug)>{m.name}</a></li>
                                                }).collect_view()}
                                            </ul>
                                        }.into_any()
                                    }}
                                </section>
                            </div>
                        }.into_any()
                    }
                    Ok(None) => view! { <ErrorPage error=AppError::Unauthorized/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}
