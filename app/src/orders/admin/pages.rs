//! The back office's orders: the list (by status, reference or email), an order's page with
//! fulfilment, cancellation and refunds, and signed Stripe events that could not be read.

use super::api::{
    AdvanceOrder, CancelOrder, RefundOrder, ReviewUnreadableStripeEvent, admin_order, admin_orders,
    unreadable_stripe_events,
};
use crate::error::AppError;
use crate::orders::components::{OrderBody, OrderList, order_id_param, status_badge, when};
use crate::orders::model::{ORDERS_PER_PAGE, OrderDetail, OrderStatus};
use crate::ui::{ErrorPage, FormError, Notice, TextField, form_error, on_success, urlencode};
use leptos::prelude::*;
use leptos::server::ServerAction;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/admin/orders`: every order, by status and search.
#[component]
pub fn AdminOrdersPage() -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        query.with(|q| {
            (
                q.get("status").unwrap_or_default(),
                q.get("q").unwrap_or_default(),
                q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1_i64),
            )
        })
    });
    let orders = Resource::new(
        move || filters.get(),
        |(status, q, page)| admin_orders(status, q, page),
    );
    view! {
        <Title text="Orders — Olivine back office"/>
        <section class="admin">
            <p class="eyebrow"><a href="/admin">"Back office"</a></p>
            <h1>"Orders"</h1>
            <UnreadableStripeEvents/>
            <form method="get" class="admin-filters" role="search">
                <label>"Status "
                    <select name="status">
                        <option value="">"Any"</option>
                        {OrderStatus::ALL.iter().map(|s| {
                            let name = s.db_name();
                            let selected = move || filters.with(|f| f.0 == name);
                            view! { <option value=name selected=selected>{s.label()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>"Search "
                    <input type="search" name="q" placeholder="OL-1001, email or name"
                        value=move || filters.with(|f| f.1.clone())/>
                </label>
                <button type="submit" class="button button--small">"Show"</button>
            </form>
            <Transition fallback=|| view! { <div class="orders__loading" aria-busy="true"></div> }>
                {move || Suspend::new(async move {
                    match orders.await {
                        Ok(page) => {
                            let (status, q, _) = filters.get_untracked();
                            let per_page = u32::try_from(ORDERS_PER_PAGE).unwrap_or(20);
                            let pages = crate::ui::page_count(page.total, per_page);
                            let current = u32::try_from(page.page).unwrap_or(1);
                            let base = format!(
                                "/admin/orders?status={}&q={}",
                                urlencode(&status),
                                urlencode(&q)
                            );
                            let total = page.total;
                            view! {
                                <p class="muted">{crate::ui::count_of(total, "order")}</p>
                                <OrderList page admin=true/>
                                {(pages > 1).then(|| view! {
                                    <nav class="pagination" aria-label="Pages">
                                        {(current > 1).then(|| view! {
                                            <a href=format!("{base}&page={}", current - 1)>"Newer"</a>
                                        })}
                                        <span>{format!(" Page {current} of {pages} ")}</span>
                                        {(current < pages).then(|| view! {
                                            <a href=format!("{base}&page={}", current + 1)>"Older"</a>
                                        })}
                                    </nav>
                                })}
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// `/admin/orders/{id}`: the order with its history, and what may happen next.
#[component]
pub fn AdminOrderPage() -> impl IntoView {
    let id = order_id_param();
    let version = RwSignal::new(0_u32);
    let detail = Resource::new(
        move || (id.get(), version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => admin_order(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <div class="orders__loading" aria-busy="true"></div> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <AdminOrder detail version/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The next fulfilment step after `status`, if any.
fn next_step(status: OrderStatus) -> Option<OrderStatus> {
    match status {
        OrderStatus::Paid => Some(OrderStatus::Packed),
        OrderStatus::Packed => Some(OrderStatus::Shipped),
        OrderStatus::Shipped => Some(OrderStatus::Delivered),
        OrderStatus::PendingPayment
        | OrderStatus::Delivered
        | OrderStatus::Cancelled
        | OrderStatus::Refunded => None,
    }
}

#[component]
fn AdminOrder(detail: OrderDetail, version: RwSignal<u32>) -> impl IntoView {
    let advance = ServerAction::<AdvanceOrder>::new();
    let refund = ServerAction::<RefundOrder>::new();
    let cancel = ServerAction::<CancelOrder>::new();
    let bump = move |_: &OrderStatus| version.update(|v| *v += 1);
    on_success(advance, bump);
    on_success(refund, bump);
    on_success(cancel, bump);
    let advance_error = form_error(advance);
    let refund_error = form_error(refund);
    let cancel_error = form_error(cancel);
    let status = detail.summary.status;
    let id = detail.summary.id.to_string();
    let left = detail.summary.total.minor() - detail.summary.refunded.minor();
    let reference = detail.summary.reference.clone();
    let byline = format!(
        "{} · placed {}",
        detail.summary.email,
        when(detail.summary.placed_at)
    );
    let (id_advance, id_refund, id_cancel) = (id.clone(), id.clone(), id);
    let advance_form = next_step(status).map(|next| {
        let verb = format!("Mark {}", next.label().to_lowercase());
        let tracking = if next == OrderStatus::Shipped {
            view! { <TextField label="Tracking number" name="tracking_number" error=advance_error/> }
                .into_any()
        } else {
            view! { <input type="hidden" name="tracking_number" value=""/> }.into_any()
        };
        view! {
            <ActionForm action=advance attr:class="admin-action" attr:novalidate=true>
                <h2>{verb.clone()}</h2>
                <FormError error=advance_error/>
                <input type="hidden" name="order" value=id_advance/>
                <input type="hidden" name="to" value=next.db_name()/>
                {tracking}
                <button type="submit" class="button">{verb}</button>
            </ActionForm>
        }
    });
    let refund_form = (status.is_paid() && left > 0).then(|| {
        let amount = format!("{}.{:02}", left / 100, left % 100);
        view! {
            <ActionForm action=refund attr:class="admin-action" attr:novalidate=true>
                <h2>"Refund"</h2>
                <FormError error=refund_error/>
                <input type="hidden" name="order" value=id_refund/>
                <TextField label="Amount (EUR)" name="amount" value=amount error=refund_error/>
                <TextField label="Reason (the customer sees it)" name="reason" id="refund-reason" error=refund_error/>
                <button type="submit" class="button">"Refund"</button>
            </ActionForm>
        }
    });
    let cancel_form = status.may_become(OrderStatus::Cancelled).then(|| {
        let effect = if status == OrderStatus::PendingPayment {
            "Stops the payment and puts the items back on sale."
        } else {
            "Refunds the whole order and puts the items back on the shelf."
        };
        view! {
            <ActionForm action=cancel attr:class="admin-action" attr:novalidate=true>
                <h2>"Cancel order"</h2>
                <p class="muted">{effect}</p>
                <FormError error=cancel_error/>
                <input type="hidden" name="order" value=id_cancel/>
                <TextField label="Reason" name="reason" id="cancel-reason" error=cancel_error/>
                <button type="submit" class="button button--danger">"Cancel order"</button>
            </ActionForm>
        }
    });
    view! {
        <Title text=format!("Order {reference} — Olivine back office")/>
        <section class="admin order">
            <p class="eyebrow"><a href="/admin/orders">"Orders"</a></p>
            <h1>{format!("Order {reference} ")} {status_badge(status)}</h1>
            <p class="muted">{byline}</p>
            <div class="admin-actions">{advance_form} {refund_form} {cancel_form}</div>
            <OrderBody detail/>
        </section>
    }
}

/// Finance admins' warning: Stripe sent events that could not be read. Each says which event to
/// look up in Stripe's dashboard, and is marked reviewed once dealt with.
#[component]
fn UnreadableStripeEvents() -> impl IntoView {
    let review = ServerAction::<ReviewUnreadableStripeEvent>::new();
    let events = Resource::new(
        move || review.version().get(),
        |_| unreadable_stripe_events(),
    );
    let error = form_error(review);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let events = events.await.unwrap_or_default();
                (!events.is_empty()).then(|| view! {
                    <Notice tone="warning">
                        <p>
                            <strong>{crate::ui::count_of(i64::try_from(events.len()).unwrap_or(i64::MAX), "Stripe event")}</strong>
                            " could not be read. Look each one up in Stripe's dashboard, settle what it was about, then mark it reviewed."
                        </p>
                        <ul class="list" data-testid="unreadable-stripe-events">
                            {events.into_iter().map(|event| view! {
                                <li class="list__row">
                                    <span>{event.event_id.unwrap_or_else(|| "(no event id)".to_owned())}</span>
                                    " "
                                    <span class="muted">{event.kind.unwrap_or_else(|| "unknown type".to_owned())}</span>
                                    " "
                                    <span class="muted">{when(event.received_at)}</span>
                                    <ActionForm action=review attr:class="inline-form">
                                        <input type="hidden" name="id" value=event.id.to_string()/>
                                        <button type="submit" class="button button--small">"Mark reviewed"</button>
                                    </ActionForm>
                                </li>
                            }).collect_view()}
                        </ul>
                        <FormError error/>
                    </Notice>
                })
            })}
        </Transition>
    }
}
