//! The back office's subscriptions (support and finance admins see them; support acts): the
//! list by status, next delivery and email; the units the deliveries of the next 7 days need
//! per variant next to what lasting lots can give; one subscription with its history and
//! deliveries, and trying its next delivery again.

use super::model::{
    ADMIN_PER_PAGE, AdminSubscription, AdminSubscriptionPage, SubscriptionStatus, UnitsDue,
    long_date,
};
use crate::error::AppError;
use crate::ids::SubscriptionId;
use crate::orders::components::when;
use crate::ui::{ErrorPage, FormError, Pagination, form_error, on_success, urlencode};
use leptos::prelude::*;
use leptos::server::ServerAction;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[cfg(feature = "ssr")]
use {
    super::service,
    crate::accounts::authz::{Need, acting_admin, authorize},
    crate::accounts::model::Role,
    crate::state::app_state,
};

/// The days ahead the back office plans stock for.
pub const PLANNING_DAYS: i64 = 7;

/// Support and finance admins see subscriptions.
#[cfg(feature = "ssr")]
async fn subscription_viewer() -> Result<(), AppError> {
    let principal = authorize(Need::AnyAdmin).await?;
    if principal.viewer.has(Role::AdminSupport) || principal.viewer.has(Role::AdminFinance) {
        Ok(())
    } else {
        Err(AppError::Forbidden.with_status())
    }
}

/// `status`: a status's name or empty; `due_by`: YYYY-MM-DD or empty; `email`: part of one.
#[server(endpoint = "admin/subscriptions")]
pub async fn admin_subscriptions(
    #[server(default)] status: String,
    #[server(default)] due_by: String,
    #[server(default)] email: String,
    #[server(default)] page: i64,
) -> Result<AdminSubscriptionPage, AppError> {
    subscription_viewer().await?;
    Ok(service::admin_list(&app_state()?, &status, &due_by, &email, page).await?)
}

#[server(endpoint = "admin/subscriptions/units-due")]
pub async fn admin_units_due() -> Result<Vec<UnitsDue>, AppError> {
    subscription_viewer().await?;
    Ok(service::units_due(&app_state()?, PLANNING_DAYS).await?)
}

#[server(endpoint = "admin/subscription")]
pub async fn subscription_for_admin(id: SubscriptionId) -> Result<AdminSubscription, AppError> {
    subscription_viewer().await?;
    Ok(service::admin_detail(&app_state()?, id).await?)
}

/// Try the subscription's next delivery again now (support).
#[server(endpoint = "admin/subscription/retry")]
pub async fn retry_subscription(id: SubscriptionId) -> Result<AdminSubscription, AppError> {
    let by = acting_admin(Role::AdminSupport).await?;
    Ok(service::admin_retry(&app_state()?, id, &by).await?)
}

/// `/admin/subscriptions`: the stock the next 7 days need, and every subscription by status,
/// next delivery and email.
#[component]
pub fn AdminSubscriptionsPage() -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        query.with(|q| {
            (
                q.get("status").unwrap_or_default(),
                q.get("due_by").unwrap_or_default(),
                q.get("email").unwrap_or_default(),
                q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1_i64),
            )
        })
    });
    let list = Resource::new(
        move || filters.get(),
        |(status, due_by, email, page)| admin_subscriptions(status, due_by, email, page),
    );
    let units = Resource::new(|| (), |_| admin_units_due());
    view! {
        <Title text="Subscriptions — Olivine back office"/>
        <section class="admin">
            <p class="eyebrow"><a href="/admin">"Back office"</a></p>
            <h1>"Subscriptions"</h1>
            <h2>{format!("Deliveries due in the next {PLANNING_DAYS} days")}</h2>
            <Transition fallback=|| view! { <div class="orders__loading" aria-busy="true"></div> }>
                {move || Suspend::new(async move {
                    match units.await {
                        Ok(units) if units.is_empty() => view! {
                            <p class="muted">"No deliveries are due in the next days."</p>
                        }.into_any(),
                        Ok(units) => view! { <UnitsTable units/> }.into_any(),
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                    }
                })}
            </Transition>
            <h2>"All subscriptions"</h2>
            <form method="get" class="admin-filters" role="search">
                <label>"Status "
                    <select name="status">
                        <option value="">"Any"</option>
                        {SubscriptionStatus::ALL.iter().map(|s| {
                            let name = s.db_name();
                            let selected = move || filters.with(|f| f.0 == name);
                            view! { <option value=name selected=selected>{s.label()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>"Next delivery by "
                    <input type="date" name="due_by" value=move || filters.with(|f| f.1.clone())/>
                </label>
                <label>"Email "
                    <input type="email" name="email" placeholder="ann@example.com"
                        value=move || filters.with(|f| f.2.clone())/>
                </label>
                <button type="submit" class="button button--small">"Show"</button>
            </form>
            <Transition fallback=|| view! { <div class="orders__loading" aria-busy="true"></div> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(page) => {
                            let (status, due_by, email, _) = filters.get_untracked();
                            let base = format!(
                                "/admin/subscriptions?status={}&due_by={}&email={}",
                                urlencode(&status),
                                urlencode(&due_by),
                                urlencode(&email)
                            );
                            view! { <SubscriptionTable page base/> }.into_any()
                        }
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn UnitsTable(units: Vec<UnitsDue>) -> impl IntoView {
    view! {
        <table class="table" data-testid="units-due">
            <thead>
                <tr>
                    <th scope="col">"Product"</th>
                    <th scope="col">"SKU"</th>
                    <th scope="col">"Deliveries"</th>
                    <th scope="col">"Units needed"</th>
                    <th scope="col">"Lasting lots can give"</th>
                </tr>
            </thead>
            <tbody>
                {units.into_iter().map(|u| {
                    let short = u.supply < u.units;
                    view! {
                        <tr class:table__short=short data-sku=u.sku.clone()>
                            <td>{format!("{} · {}", u.product_name, u.variant_label)}</td>
                            <td>{u.sku.clone()}</td>
                            <td>{u.deliveries}</td>
                            <td data-testid="units-needed">{u.units}</td>
                            <td data-testid="units-supply">
                                {u.supply}
                                <span class="muted">{format!(" (best before after {})", long_date(u.lasting_beyond))}</span>
                                {short.then(|| view! { <strong class="badge badge--payment_needed">" Short"</strong> })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn SubscriptionTable(page: AdminSubscriptionPage, base: String) -> impl IntoView {
    let per_page = u32::try_from(ADMIN_PER_PAGE).unwrap_or(50);
    let pages = crate::ui::page_count(page.total, per_page);
    let current = u32::try_from(page.page).unwrap_or(1);
    view! {
        <p class="muted">{crate::ui::count_of(page.total, "subscription")}</p>
        <table class="table" data-testid="subscriptions">
            <thead>
                <tr>
                    <th scope="col">"Customer"</th>
                    <th scope="col">"Product"</th>
                    <th scope="col">"Every"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Next delivery"</th>
                    <th scope="col">"Renewals"</th>
                </tr>
            </thead>
            <tbody>
                {page.rows.into_iter().map(|r| view! {
                    <tr data-testid="admin-subscription">
                        <td><a href=format!("/admin/subscriptions/{}", r.id)>{r.email}</a></td>
                        <td>{format!("{} · {} × {}", r.product_name, r.variant_label, r.quantity)}</td>
                        <td>{r.every.label()}</td>
                        <td>
                            <span class=format!("badge badge--{}", r.status.db_name())>{r.status.label()}</span>
                            {r.renewal.map(|s| view! { <span class="muted">{format!(" · {}", s.label())}</span> })}
                        </td>
                        <td>{long_date(r.next_renewal_on)}</td>
                        <td>{r.renewals_done}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <Pagination page=current total_pages=pages href=move |n| format!("{base}&page={n}")/>
    }
}

/// `/admin/subscriptions/{id}`: one subscription, its deliveries and history; support tries a
/// waiting delivery again.
#[component]
pub fn AdminSubscriptionPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params.with(|p| {
            p.get("id")
                .and_then(|id| id.parse().ok().map(SubscriptionId))
        })
    });
    let retry = ServerAction::<RetrySubscription>::new();
    let retry_error = form_error(retry);
    let version = RwSignal::new(0_u32);
    on_success(retry, move |_| version.update(|v| *v += 1));
    let detail = Resource::new(
        move || (id.get(), version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => subscription_for_admin(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <div class="orders__loading" aria-busy="true"></div> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <AdminSubscriptionView detail retry retry_error/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AdminSubscriptionView(
    detail: AdminSubscription,
    retry: ServerAction<RetrySubscription>,
    retry_error: Signal<Option<AppError>>,
) -> impl IntoView {
    let s = detail.subscription;
    let schedule = s.schedule;
    let title = format!("{} — {}", s.product_name, detail.email);
    view! {
        <Title text=format!("{title} — Olivine back office")/>
        <section class="admin">
            <p class="eyebrow"><a href="/admin/subscriptions">"Subscriptions"</a></p>
            <h1>{title}</h1>
            <dl class="facts">
                <div><dt>"Status"</dt><dd><span class=format!("badge badge--{}", schedule.status.db_name()) data-testid="admin-subscription-status">{schedule.status.label()}</span></dd></div>
                <div><dt>"Delivers"</dt><dd>{format!("{} · {} per delivery, {}", s.variant_label, schedule.quantity, schedule.every.label())}</dd></div>
                <div><dt>"Next delivery"</dt><dd data-testid="admin-next">{long_date(schedule.next_renewal_on)}{s.next_total.map(|total| format!(": {total}"))}</dd></div>
                <div><dt>"Renewals so far"</dt><dd>{schedule.renewals_done}</dd></div>
                <div><dt>"Ships to"</dt><dd>{s.ships_to.clone()}</dd></div>
                {s.cancel_reason.clone().map(|reason| view! { <div><dt>"Cancelled because"</dt><dd>{reason}</dd></div> })}
            </dl>
            {detail.can_retry.then(|| {
                let id = s.id.to_string();
                view! {
                    <ActionForm action=retry attr:class="inline-form">
                        <input type="hidden" name="id" value=id/>
                        <button type="submit" class="button" disabled=move || retry.pending().get()>
                            "Try the next delivery again now"
                        </button>
                    </ActionForm>
                }
            })}
            <FormError error=retry_error/>
            <h2>"Deliveries"</h2>
            {if detail.renewals.is_empty() {
                view! { <p class="muted">"No renewal has come due yet."</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="admin-renewals">
                        <thead>
                            <tr>
                                <th scope="col">"Due"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col">"Attempts"</th>
                                <th scope="col">"Next try"</th>
                                <th scope="col">"Last problem"</th>
                                <th scope="col">"Order"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {detail.renewals.into_iter().map(|r| view! {
                                <tr>
                                    <td>{long_date(r.due_on)}</td>
                                    <td>{r.status.label()}</td>
                                    <td>{r.attempts}</td>
                                    <td>{r.retry_on.map(long_date)}</td>
                                    <td>{r.last_error}</td>
                                    <td>{r.order.map(|(order, reference)| view! {
                                        <a href=format!("/admin/orders/{order}")>{reference}</a>
                                    })}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <h2>"History"</h2>
            <ol class="subscription__events" role="list" data-testid="admin-subscription-history">
                {s.history.into_iter().map(|event| view! {
                    <li>
                        <time datetime=event.at.to_rfc3339()>{when(event.at)}</time>
                        " · "<strong>{event.kind.label()}</strong>" — "{event.detail}
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}
