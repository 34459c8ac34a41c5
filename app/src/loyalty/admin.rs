//! `/admin/loyalty` (support admins): find a customer by email, see their points as they do,
//! and add or take points with a reason the customer reads (audited).

use super::api::{AdjustPoints, admin_points};
use super::model::{CustomerPoints, EarnRule};
use super::pages::{PointsHistory, PointsSummary};
use crate::error::AppError;
use crate::ui::{ErrorPage, FormError, TextField, form_error, on_success, urlencode};
use leptos::prelude::*;
use leptos::server::ServerAction;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AdminLoyaltyPage() -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        query.with(|q| {
            (
                q.get("email").unwrap_or_default(),
                q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1_i64),
            )
        })
    });
    let adjust = ServerAction::<AdjustPoints>::new();
    let version = RwSignal::new(0_u32);
    on_success(adjust, move |_| version.update(|v| *v += 1));
    let found = Resource::new(
        move || (filters.get(), version.get()),
        |((email, page), _)| admin_points(email, page),
    );
    view! {
        <Title text="Loyalty points — Olivine back office"/>
        <section class="admin">
            <p class="eyebrow"><a href="/admin">"Back office"</a></p>
            <h1>"Loyalty points"</h1>
            <form method="get" action="/admin/loyalty" class="inline-form" role="search">
                <label for="loyalty-email">"Customer's email"</label>
                <input id="loyalty-email" name="email" type="email" required=true
                    prop:value=move || filters.with(|f| f.0.clone())/>
                <button type="submit" class="button button--small">"Find"</button>
            </form>
            <Transition fallback=|| view! { <div class="orders__loading" aria-busy="true"></div> }>
                {move || Suspend::new(async move {
                    match found.await {
                        Ok(Some(customer)) => view! { <Customer customer adjust/> }.into_any(),
                        Ok(None) => view! {
                            <p class="muted">"Find a customer to see and adjust their points."</p>
                        }.into_any(),
                        Err(error) => not_found(error),
                    }
                })}
            </Transition>
        </section>
    }
}

/// An unknown email is said next to the search; anything else is an error page.
fn not_found(error: AppError) -> AnyView {
    match error.field_message("email") {
        Some(message) => {
            view! { <p class="form-error" role="alert">{message.to_owned()}</p> }.into_any()
        }
        None => view! { <ErrorPage error/> }.into_any(),
    }
}

#[component]
fn Customer(customer: CustomerPoints, adjust: ServerAction<AdjustPoints>) -> impl IntoView {
    let error = form_error(adjust);
    let email = urlencode(&customer.email);
    let rules: Vec<EarnRule> = customer.account.rules.clone();
    view! {
        <h2 data-testid="loyalty-customer">{format!("{} <{}>", customer.name, customer.email)}</h2>
        <PointsSummary balance=customer.account.balance/>
        <ActionForm action=adjust attr:class="form loyalty__adjust" attr:data-testid="adjust-points">
            <h3>"Adjust"</h3>
            <input type="hidden" name="user" value=customer.user.to_string()/>
            <TextField label="Points" name="points" error
                hint="250 adds points, -250 takes them away"/>
            <TextField label="Reason" name="reason" error
                hint="The customer reads it in their history"/>
            <FormError error/>
            <button type="submit" class="button" disabled=move || adjust.pending().get()>"Adjust points"</button>
        </ActionForm>
        <PointsHistory account=customer.account admin=true
            href=move |n| format!("/admin/loyalty?email={email}&page={n}")/>
        <details class="loyalty__rules">
            <summary>"Earning rules"</summary>
            <ul>{rules.into_iter().map(|r| view! { <li>{r.describe()}</li> }).collect_view()}</ul>
        </details>
    }
}
