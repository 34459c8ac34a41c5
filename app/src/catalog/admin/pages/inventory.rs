//! /admin/inventory: variants running low and lots expiring within a chosen window, as a plain GET
//! form so every window has a URL.

use super::BackOfficeHead;
use crate::catalog::admin::api::load_inventory_alerts;
use crate::catalog::admin::model::{DEFAULT_EXPIRY_WINDOW_DAYS, ExpiringLotRow};
use crate::error::AppError;
use crate::ui::ErrorPage;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// "in 12 days", "today", "3 days ago".
fn days_phrase(days: i64) -> String {
    match days {
        0 => "today".to_owned(),
        1 => "tomorrow".to_owned(),
        -1 => "yesterday".to_owned(),
        d if d > 0 => format!("in {d} days"),
        d => format!("{} days ago", -d),
    }
}

#[component]
fn ExpiringRow(lot: ExpiringLotRow) -> impl IntoView {
    let state = if lot.days_left < 0 {
        "Expired"
    } else if lot.unsellable {
        "Too close to sell"
    } else {
        "Sellable"
    };
    let batch = lot.batch_number.clone();
    view! {
        <tr data-batch=batch>
            <td>{lot.batch_number}</td>
            <td><a href=format!("/products/{}", lot.product_slug)>{lot.product_name}</a><br/><span class="muted">{lot.sku}</span></td>
            <td>{lot.expiry_date}" ("{days_phrase(lot.days_left)}")"</td>
            <td>{lot.on_hand}</td>
            <td><span class=if lot.unsellable { "stock stock--out" } else { "stock stock--low" }>{state}</span></td>
        </tr>
    }
}

#[component]
pub fn AdminInventoryPage() -> impl IntoView {
    let query = use_query_map();
    // What was typed, kept as typed; a value that is not a number is refused like one out of range.
    let typed = Memo::new(move |_| query.with(|q| q.get("days")));
    let days = Memo::new(move |_| typed.get().map(|d| d.trim().parse::<u32>().unwrap_or(0)));
    let alerts = Resource::new(move || days.get(), load_inventory_alerts);
    let shown = move || {
        typed
            .get()
            .unwrap_or_else(|| DEFAULT_EXPIRY_WINDOW_DAYS.to_string())
    };
    view! {
        <BackOfficeHead title="Stock alerts"/>
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let result = alerts.await;
                let problem = match &result {
                    Err(error @ AppError::Unprocessable { .. }) => error.field_message("days").map(str::to_owned),
                    _ => None,
                };
                view! {
                    <form method="get" action="/admin/inventory" class="search-row">
                        <label for="expiry-window">"Lots expiring within"</label>
                        <input id="expiry-window" name="days" inputmode="numeric" size="4"
                            value=shown aria-invalid=problem.is_some().to_string()
                            aria-describedby="expiry-window-error"/>
                        <span>"days"</span>
                        <button type="submit" class="button">"Show"</button>
                    </form>
                    {problem.clone().map(|message| view! {
                        <p id="expiry-window-error" class="field__error" role="alert">{message}</p>
                    })}
                    {match result {
                        Ok(alerts) => view! {
                            <section class="panel" aria-labelledby="low-stock-heading">
                                <h2 id="low-stock-heading">{format!("Low stock ({} or fewer sellable units)", alerts.threshold)}</h2>
                                {if alerts.low_stock.is_empty() {
                                    view! { <p class="muted">"Every published variant has more than that."</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="table" data-testid="low-stock">
                                            <thead><tr><th scope="col">"SKU"</th><th scope="col">"Product"</th><th scope="col">"Variant"</th><th scope="col">"Sellable units"</th></tr></thead>
                                            <tbody>
                                                {alerts.low_stock.into_iter().map(|row| { let sku = row.sku.clone(); view! {
                                                    <tr data-sku=sku>
                                                        <td>{row.sku}</td>
                                                        <td><a href=format!("/products/{}", row.product_slug)>{row.product_name}</a></td>
                                                        <td>{row.variant_label}</td>
                                                        <td>{if row.sellable_units == 0 { "Sold out".to_owned() } else { row.sellable_units.to_string() }}</td>
                                                    </tr>
                                                }}).collect_view()}
                                            </tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </section>
                            <section class="panel" aria-labelledby="expiring-heading">
                                <h2 id="expiring-heading">{format!("Expiring within {} days", alerts.window_days)}</h2>
                                {if alerts.expiring.is_empty() {
                                    view! { <p class="muted">"No lot with stock expires in that window."</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="table" data-testid="expiring">
                                            <thead><tr><th scope="col">"Batch"</th><th scope="col">"Product"</th><th scope="col">"Best before"</th><th scope="col">"On hand"</th><th scope="col">"State"</th></tr></thead>
                                            <tbody>
                                                {alerts.expiring.into_iter().map(|lot| view! { <ExpiringRow lot/> }).collect_view()}
                                            </tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </section>
                        }.into_any(),
                        // The field's own message, under it, says what to enter.
                        Err(AppError::Unprocessable { .. }) => ().into_any(),
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                    }}
                }
            })}
        </Transition>
    }
}
