//! `/search` and the header's search box. Every control is a link or a GET form, so the URL
//! holds the whole state (links share, Back works) and the page works without JavaScript;
//! after hydration the box suggests products as you type.

use super::model::{ProductSuggestion, SearchPage, SearchSort, SearchState};
use crate::catalog::api::{search_products, suggest_products};
use crate::catalog::components::StockBadge;
use crate::inventory::model::StockStatus;
use crate::media::picture::Picture;
use crate::ui::{ErrorPage, Pagination, Skeleton, star_text};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use std::time::Duration;

fn current_state() -> Memo<SearchState> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| SearchState::from_query(&q.to_query_string())))
}

#[component]
pub fn SearchResultsPage() -> impl IntoView {
    let state = current_state();
    let results = Resource::new(move || state.get().to_query(), search_products);
    let title = move || {
        let q = state.with(|s| s.q.clone());
        if q.is_empty() {
            "Search — Olivine".to_owned()
        } else {
            format!("“{q}” — Search — Olivine")
        }
    };
    view! {
        <Title text=title/>
        <header class="page-head">
            <h1>
                {move || {
                    let q = state.with(|s| s.q.clone());
                    if q.is_empty() { "All products".to_owned() } else { format!("Results for “{q}”") }
                }}
            </h1>
        </header>
        <Transition fallback=|| view! { <Skeleton cards=6/> }>
            {move || Suspend::new(async move {
                match results.await {
                    Ok(page) => view! { <SearchResultsView page state=state.get_untracked()/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn SearchResultsView(page: SearchPage, state: SearchState) -> impl IntoView {
    let chips: Vec<(String, String)> = page
        .groups
        .iter()
        .flat_map(|g| {
            g.values
                .iter()
                .filter(|v| v.active)
                .map(|v| {
                    (
                        format!("{}: {}", g.title, v.label),
                        state.toggled(&g.key, &v.value).href(),
                    )
                })
                .collect::<Vec<_>>()
        })
        .chain(state.in_stock.then(|| {
            (
                "In stock only".to_owned(),
                state.with_in_stock(false).href(),
            )
        }))
        .collect();
    let has_filters = !chips.is_empty();
    let clear = state.without_filters().href();
    let total_pages = page.total_pages;
    let page_state = state.clone();
    view! {
        <div class="search-layout">
            <details class="facets" open>
                <summary>"Filters"</summary>
                <nav aria-label="Filters">
                    <div class="facet-group">
                        <h2>"Availability"</h2>
                        <a class="facet" href=state.with_in_stock(!state.in_stock).href() aria-current=state.in_stock.then_some("true")>
                            <span class="facet__box" aria-hidden="true"></span>
                            "In stock"
                            <span class="facet__count">{page.in_stock_count}</span>
                        </a>
                    </div>
                    {page.groups.iter().filter(|g| !g.values.is_empty()).map(|g| view! {
                        <div class="facet-group">
                            <h2>{g.title.clone()}</h2>
                            <ul role="list">
                                {g.values.iter().map(|v| view! {
                                    <li>
                                        <a class="facet" href=state.toggled(&g.key, &v.value).href() aria-current=v.active.then_some("true") data-facet=format!("{}={}", g.key, v.value)>
                                            <span class="facet__box" aria-hidden="true"></span>
                                            {v.label.clone()}
                                            <span class="facet__count">{v.count}</span>
                                        </a>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </div>
                    }).collect_view()}
                </nav>
            </details>
            <section class="search-results" aria-live="polite">
                <div class="toolbar">
                    <p class="toolbar__count" data-testid="result-count">
                        {format!("{} product{}", page.total, if page.total == 1 { "" } else { "s" })}
                    </p>
                    <nav class="sort-links" aria-label="Sort">
                        {SearchSort::ALL.into_iter().map(|s| view! {
                            <a href=state.with_sort(s).href() aria-current=(s == state.sort).then_some("true")>{s.label()}</a>
                        }).collect_view()}
                    </nav>
                </div>
                {has_filters.then(|| view! {
                    <ul class="chips" role="list" aria-label="Active filters">
                        {chips.into_iter().map(|(label, href)| {
                            let aria = format!("Remove filter {label}");
                            view! { <li><a class="chip chip--on" href=href aria-label=aria>{label}" ×"</a></li> }
                        }).collect_view()}
                        <li><a class="chip" href=clear.clone()>"Clear all"</a></li>
                    </ul>
                })}
                {if page.hits.is_empty() {
                    view! { <NoResults page=page.clone() state=state.clone() clear has_filters/> }.into_any()
                } else {
                    view! {
                        <ol class="search-hits" role="list">
                            {page.hits.into_iter().map(|h| { let pictured = h.image.is_some(); view! {
                                <li class="search-hit" class:search-hit--pictured=pictured>
                                    {h.image.map(|image| view! {
                                        <div class="search-hit__photo"><Picture image sizes="6rem"/></div>
                                    })}
                                    <a class="search-hit__name" href=format!("/products/{}", h.slug)>{h.name}</a>
                                    <p class="search-hit__brand">{h.brand_line}</p>
                                    {(h.rating_tenths > 0).then(|| view! {
                                        <p class="search-hit__rating" data-testid="hit-rating">
                                            <span class="stars" aria-hidden="true">{star_text(i16::try_from((h.rating_tenths + 5) / 10).unwrap_or(0))}</span>
                                            {format!(" {}.{} out of 5", h.rating_tenths / 10, h.rating_tenths % 10)}
                                        </p>
                                    })}
                                    <p class="search-hit__snippet" inner_html=h.snippet_html></p>
                                    <p class="search-hit__meta">
                                        <strong>{h.price}</strong>
                                        <StockBadge status=if h.in_stock { StockStatus::InStock } else { StockStatus::OutOfStock }/>
                                    </p>
                                </li>
                            }}).collect_view()}
                        </ol>
                        <Pagination page=state.page as u32 total_pages=total_pages as u32 href=move |p| page_state.with_page(p as usize).href()/>
                    }.into_any()
                }}
            </section>
        </div>
    }
}

#[component]
fn NoResults(
    page: SearchPage,
    state: SearchState,
    clear: String,
    has_filters: bool,
) -> impl IntoView {
    view! {
        <div class="notice">
            <h2>{if state.q.is_empty() { "No products match these filters".to_owned() } else { format!("No products match “{}”", state.q) }}</h2>
            {page.did_you_mean.map(|suggestion| {
                let href = SearchState { q: suggestion.clone(), ..state.clone() }.with_page(1).href();
                view! { <p class="did-you-mean">"Did you mean " <a href=href>{suggestion}</a>"?"</p> }
            })}
            <p>"Check the spelling, try fewer words, or search for an ingredient or a benefit such as “sleep”."</p>
            {has_filters.then(|| view! { <p><a class="button button--quiet" href=clear>"Search without filters"</a></p> })}
        </div>
    }
}

/// The header's search box: a plain GET form, with suggestions after hydration.
#[component]
pub fn SearchBox() -> impl IntoView {
    let state = current_state();
    let text = RwSignal::new(String::new());
    Effect::new(move |_| text.set(state.with(|s| s.q.clone())));
    let suggestions = RwSignal::new(Vec::<ProductSuggestion>::new());
    let highlighted = RwSignal::new(None::<usize>);
    let typed = RwSignal::new(0u64);
    let navigate = use_navigate();

    let on_input = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        text.set(value.clone());
        let version = typed.get_untracked() + 1;
        typed.set(version);
        // Debounced: only the last keystroke within 150 ms asks the server.
        set_timeout(
            move || {
                if typed.get_untracked() != version {
                    return;
                }
                if value.trim().chars().count() < 2 {
                    suggestions.set(Vec::new());
                    return;
                }
                leptos::task::spawn_local(async move {
                    if let Ok(found) = suggest_products(value).await
                        && typed.get_untracked() == version
                    {
                        highlighted.set(None);
                        suggestions.set(found);
                    }
                });
            },
            Duration::from_millis(150),
        );
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let count = suggestions.with_untracked(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" if count > 0 => {
                ev.prevent_default();
                highlighted.update(|h| *h = Some(h.map_or(0, |i| (i + 1) % count)));
            }
            "ArrowUp" if count > 0 => {
                ev.prevent_default();
                highlighted.update(|h| *h = Some(h.map_or(count - 1, |i| (i + count - 1) % count)));
            }
            "Escape" => {
                suggestions.set(Vec::new());
                highlighted.set(None);
            }
            "Enter" => {
                if let Some(i) = highlighted.get_untracked()
                    && let Some(s) = suggestions.with_untracked(|list| list.get(i).cloned())
                {
                    ev.prevent_default();
                    suggestions.set(Vec::new());
                    navigate(&format!("/products/{}", s.slug), Default::default());
                }
            }
            _ => {}
        }
    };
    let open = move || suggestions.with(|s| !s.is_empty());
    view! {
        <form class="search-box" action="/search" method="get" role="search">
            <label for="site-search" class="visually-hidden">"Search products"</label>
            <input
                id="site-search"
                name="q"
                type="search"
                placeholder="Search vitamins, serums, ingredients…"
                autocomplete="off"
                role="combobox"
                aria-autocomplete="list"
                aria-controls="search-suggestions"
                aria-expanded=move || if open() { "true" } else { "false" }
                aria-activedescendant=move || highlighted.get().map(|i| format!("suggestion-{i}"))
                prop:value=move || text.get()
                on:input=on_input
                on:keydown=on_keydown
                on:blur=move |_| set_timeout(move || suggestions.set(Vec::new()), Duration::from_millis(150))
            />
            <button type="submit" class="button button--small">"Search"</button>
            <ul id="search-suggestions" class="suggestions" role="listbox" aria-label="Suggestions" hidden=move || !open()>
                {move || suggestions.get().into_iter().enumerate().map(|(i, s)| view! {
                    <li
                        id=format!("suggestion-{i}")
                        role="option"
                        aria-selected=move || if highlighted.get() == Some(i) { "true" } else { "false" }
                    >
                        <a href=format!("/products/{}", s.slug)>{s.name}</a>
                    </li>
                }).collect_view()}
            </ul>
        </form>
    }
}
