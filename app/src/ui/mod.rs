//! Design-system components shared by every face of the app.

use crate::error::AppError;
use leptos::prelude::*;

mod card_setup;
mod form;
pub mod passkey;
mod step_up;
pub use card_setup::{CardSetup, CardSetupForm};
pub use form::{
    FormError, Notice, TextArea, TextField, UnsavedChanges, UnsavedChangesGuard, field_error,
    form_error, on_success, percent_decode, urlencode,
};
pub use passkey::{PasskeyUse, UsePasskey};
pub use step_up::StepUp;

/// What to tell the person when an upload endpoint answered `status` with `body`
/// (`{"error": …}` from our own routes); `too_large` words a 413 from in front of them.
pub fn upload_refusal(status: u16, body: &str, too_large: impl FnOnce() -> String) -> String {
    let error = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::from_value::<AppError>(v.get("error")?.clone()).ok());
    match (status, error) {
        (0, _) => "The connection dropped before the upload finished. Try again.".to_owned(),
        (_, Some(error)) => error.detail(),
        (413, None) => too_large(),
        (_, None) => AppError::Internal.to_string(),
    }
}

/// Breadcrumb trail; the last crumb is the current page and is not a link.
#[component]
pub fn Breadcrumbs(trail: Vec<(String, String)>, current: String) -> impl IntoView {
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <ol>
                {trail
                    .into_iter()
                    .map(|(href, label)| view! { <li><a href=href>{label}</a></li> })
                    .collect_view()}
                <li aria-current="page">{current}</li>
            </ol>
        </nav>
    }
}

/// A list page's search text (`?q=`) and page number (`?page=`, from 1) from the URL.
pub fn use_list_query() -> (Memo<String>, Memo<u32>) {
    let query = leptos_router::hooks::use_query_map();
    let search = Memo::new(move |_| query.with(|q| q.get("q").unwrap_or_default()));
    let page = Memo::new(move |_| {
        query.with(|q| q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1u32))
    });
    (search, page)
}

/// "★★★★☆" for 4 of 5 stars.
pub fn star_text(stars: i16) -> String {
    let filled = usize::try_from(stars.clamp(0, 5)).unwrap_or(0);
    format!("{}{}", "★".repeat(filled), "☆".repeat(5 - filled))
}

/// "1 product", "80 products".
pub fn count_of(n: i64, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// The furthest page a list goes: past it a page number from the URL is read as this one, so
/// no offset arithmetic can overflow.
pub const MAX_PAGE: i64 = 10_000;

/// The row offset of page `page` (1-based, brought into 1..=[`MAX_PAGE`]).
pub fn page_offset(page: i64, per_page: i64) -> i64 {
    (page.clamp(1, MAX_PAGE) - 1) * per_page
}

/// How many pages `total` items fill, `per_page` to a page; at least one.
pub fn page_count(total: i64, per_page: u32) -> u32 {
    let per_page = i64::from(per_page.max(1));
    u32::try_from((total + per_page - 1) / per_page)
        .unwrap_or(u32::MAX)
        .max(1)
}

/// Numbered page links; `href(n)` builds the URL of page `n`.
#[component]
pub fn Pagination(
    page: u32,
    total_pages: u32,
    href: impl Fn(u32) -> String + 'static,
) -> impl IntoView {
    (total_pages > 1).then(|| {
        let prev = (page > 1).then(|| href(page - 1));
        let next = (page < total_pages).then(|| href(page + 1));
        let numbers = (1..=total_pages)
            .map(|n| {
                let current = n == page;
                view! {
                    <li>
                        <a
                            class="pager__num"
                            href=href(n)
                            aria-current=current.then_some("page")
                            aria-label=format!("Page {n}")
                        >
                            {n}
                        </a>
                    </li>
                }
            })
            .collect_view();
        view! {
            <nav class="pager" aria-label="Pages">
                <ul>
                    <li>
                        {match prev {
                            Some(h) => view! { <a class="pager__step" href=h rel="prev">"← Previous"</a> }.into_any(),
                            None => view! { <span class="pager__step" aria-disabled="true">"← Previous"</span> }.into_any(),
                        }}
                    </li>
                    {numbers}
                    <li>
                        {match next {
                            Some(h) => view! { <a class="pager__step" href=h rel="next">"Next →"</a> }.into_any(),
                            None => view! { <span class="pager__step" aria-disabled="true">"Next →"</span> }.into_any(),
                        }}
                    </li>
                </ul>
            </nav>
        }
    })
}

/// Placeholder blocks with the page's rough shape while data loads.
#[component]
pub fn Skeleton(#[prop(default = 6)] cards: usize) -> impl IntoView {
    view! {
        <div class="grid grid--products" aria-busy="true" aria-label="Loading">
            {(0..cards).map(|_| view! { <div class="card card--skeleton"></div> }).collect_view()}
        </div>
    }
}

/// Sets the HTTP status of a server-rendered page (no-op in the browser).
pub fn set_status(status: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(code)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(status),
    ) {
        response.set_status(code);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}

#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <leptos_meta::Title text="Page not found"/>
        <section class="notice notice--404">
            <p class="eyebrow">"Error 404"</p>
            <h1>"We couldn't find that page"</h1>
            <p>"The link may be old, or the product may no longer be sold. Our full range is one click away."</p>
            <p class="notice__actions">
                <a class="button" href="/shop">"Browse the shop"</a>
                <a class="button button--quiet" href="/">"Go to the home page"</a>
            </p>
        </section>
    }
}

/// What a page shows when its data could not be loaded.
#[component]
pub fn ErrorPage(error: AppError) -> impl IntoView {
    match error {
        AppError::NotFound => view! { <NotFound/> }.into_any(),
        AppError::Unauthorized => {
            set_status(error.status_code());
            let next = leptos_router::hooks::use_location();
            let href = move || {
                let here = format!("{}{}", next.pathname.get(), next.search.get());
                format!("/signin?next={}", urlencode(&here))
            };
            view! {
                <leptos_meta::Title text="Please sign in — Olivine"/>
                <section class="notice" role="alert">
                    <p class="eyebrow">"Members only"</p>
                    <h1>"Please sign in to continue"</h1>
                    <p>"This page belongs to an account. Sign in and we'll bring you straight back."</p>
                    <p class="notice__actions">
                        <a class="button" href=href>"Sign in"</a>
                        <a class="button button--quiet" href="/signup">"Create an account"</a>
                    </p>
                </section>
            }
            .into_any()
        }
        AppError::Forbidden => {
            set_status(error.status_code());
            view! {
                <leptos_meta::Title text="No access — Olivine"/>
                <section class="notice notice--error" role="alert">
                    <p class="eyebrow">"Error 403"</p>
                    <h1>"You don't have access to this page"</h1>
                    <p>"Your account doesn't hold the role this page needs. If you think it should, ask an administrator."</p>
                    <p class="notice__actions">
                        <a class="button" href="/">"Go to the home page"</a>
                    </p>
                </section>
            }
            .into_any()
        }
        AppError::SecondFactorRequired { setup } => {
            set_status(error.status_code());
            view! { <crate::accounts::pages::SecondFactorNeeded setup/> }.into_any()
        }
        other @ (AppError::Unprocessable { .. }
        | AppError::TooManyRequests { .. }
        | AppError::Unreachable
        | AppError::Internal) => {
            set_status(other.status_code());
            view! {
                <section class="notice notice--error" role="alert">
                    <p class="eyebrow">"Something went wrong"</p>
                    <h1>"This page didn't load"</h1>
                    <p>{other.to_string()}</p>
                    <p class="notice__actions">
                        <a class="button" href="">"Try again"</a>
                    </p>
                </section>
            }
            .into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_offsets_never_overflow() {
        assert_eq!(page_offset(1, 20), 0);
        assert_eq!(page_offset(3, 20), 40);
        assert_eq!(page_offset(0, 20), 0);
        assert_eq!(page_offset(i64::MIN, 20), 0);
        assert_eq!(page_offset(i64::MAX, 20), (MAX_PAGE - 1) * 20);
    }
}
