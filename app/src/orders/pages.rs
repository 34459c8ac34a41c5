//! Order pages: "Your orders" and an order's page for customers (status timeline, which batch
//! each item ships from, tracking, paying an order that awaits payment), and the back office's
//! order list and order page with fulfilment, refunds and cancellation.

use super::api::{
    AdvanceOrder, CancelOrder, RefundOrder, ReviewUnreadableStripeEvent, admin_order, admin_orders,
    my_order, my_orders, resume_payment, unreadable_stripe_events,
};
use super::components::PaymentPanel;
use super::model::{
    ORDERS_PER_PAGE, OrderDetail, OrderEvent, OrderPage, OrderStatus, OrderSummary,
};
use crate::error::AppError;
use crate::ids::OrderId;
use crate::ui::{ErrorPage, FormError, Notice, TextField, form_error, on_success, urlencode};
use leptos::prelude::*;
use leptos::server::ServerAction;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%-d %b %Y, %H:%M UTC").to_string()
}

fn status_badge(status: OrderStatus) -> impl IntoView {
    view! {
        <span class=format!("order-status order-status--{}", status.db_name()) data-testid="order-status">
            {status.label()}
        </span>
    }
}

fn refund_note(summary: &OrderSummary) -> Option<String> {
    let refunded = summary.refunded.minor();
    (refunded > 0 && refunded < summary.total.minor())
        .then(|| format!("Partially refunded: {}", summary.refunded))
}

fn order_id_param() -> Memo<Option<OrderId>> {
    let params = use_params_map();
    Memo::new(move |_| {
        params.with(|p| {
            p.get("id")
                .and_then(|id| id.parse::<uuid::Uuid>().ok())
                .map(OrderId)
        })
    })
}

#[component]
fn OrderList(page: OrderPage, admin: bool) -> impl IntoView {
    if page.orders.is_empty() {
        return view! { <p class="muted">"No orders yet."</p> }.into_any();
    }
    view! {
        <table class="table orders-table">
            <thead>
                <tr>
                    <th scope="col">"Order"</th>
                    <th scope="col">"Placed"</th>
                    {admin.then(|| view! { <th scope="col">"Customer"</th> })}
                    <th scope="col">"Items"</th>
                    <th scope="col">"Total"</th>
                    <th scope="col">"Status"</th>
                </tr>
            </thead>
            <tbody>
                {page.orders.into_iter().map(|o| {
                    let href = if admin {
                        format!("/admin/orders/{}", o.id)
                    } else {
                        format!("/orders/{}", o.id)
                    };
                    let note = refund_note(&o);
                    view! {
                        <tr>
                            <td><a href=href>{o.reference.clone()}</a></td>
                            <td>{when(o.placed_at)}</td>
                            {admin.then(|| view! { <td>{o.email.clone()}</td> })}
                            <td>{o.items}</td>
                            <td>{o.total.to_string()}</td>
                            <td>
                                {status_badge(o.status)}
                                {note.map(|n| view! { <small class="muted">" " {n}</small> })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// `/orders`: the visitor's orders (a guest sees those placed in this browser).
#[component]
pub fn MyOrdersPage() -> impl IntoView {
    let query = use_query_map();
    let page = Memo::new(move |_| {
        query.with(|q| q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1_i64))
    });
    let orders = Resource::new(move || page.get(), my_orders);
    view! {
        <Title text="Your orders — Olivine"/>
        <section class="orders">
            <h1>"Your orders"</h1>
            <Suspense fallback=|| view! { <div class="orders__loading" aria-busy="true"></div> }>
                {move || Suspend::new(async move {
                    match orders.await {
                        Ok(page) => view! { <OrderList page admin=false/> }.into_any(),
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// `/orders/{id}`; `?paid=1` when the shopper comes back from paying (the page then asks
/// Stripe, so it is right before the webhook arrives).
#[component]
pub fn OrderDetailPage() -> impl IntoView {
    let id = order_id_param();
    let query = use_query_map();
    let just_paid = Memo::new(move |_| query.with(|q| q.get("paid").is_some()));
    let detail = Resource::new(
        move || (id.get(), just_paid.get()),
        |(id, sync)| async move {
            match id {
                Some(id) => my_order(id, sync).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <div class="orders__loading" aria-busy="true"></div> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => {
                        let just_paid = just_paid.get_untracked();
                        view! { <CustomerOrder detail just_paid/> }.into_any()
                    }
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CustomerOrder(detail: OrderDetail, just_paid: bool) -> impl IntoView {
    let status = detail.summary.status;
    let email = detail.summary.email.clone();
    let id = detail.summary.id;
    let reference = detail.summary.reference.clone();
    if just_paid {
        // Paying took the bought items out of the cart; the header's count may predate that.
        let cart = use_context::<crate::cart::pages::CartState>();
        Effect::new(move |_| {
            if let Some(cart) = cart {
                cart.refresh();
            }
        });
    }
    view! {
        <Title text=format!("Order {reference} — Olivine")/>
        <section class="order">
            <p class="eyebrow"><a href="/orders">"Your orders"</a></p>
            <h1>{format!("Order {reference} ")} {status_badge(status)}</h1>
            {(just_paid && status.is_paid()).then(|| view! {
                <Notice tone="success">
                    {format!("Thank you! Your payment was received. A confirmation is on its way to {email}.")}
                </Notice>
            })}
            {(status == OrderStatus::PendingPayment).then(|| view! { <PayForOrder order=id/> })}
            <OrderBody detail/>
        </section>
    }
}

/// An order awaiting payment: fetch its payment in the browser and show the card form.
#[component]
fn PayForOrder(order: OrderId) -> impl IntoView {
    let resume = Action::new(move |_: &()| resume_payment(order));
    Effect::new(move |_| {
        resume.dispatch(());
    });
    view! {
        {move || match resume.value().get() {
            Some(Ok(start)) => view! { <PaymentPanel start/> }.into_any(),
            Some(Err(error)) => view! { <p class="form-error" role="alert">{error.detail()}</p> }.into_any(),
            None => view! { <p class="muted">"This order is waiting for payment."</p> }.into_any(),
        }}
    }
}

/// What customers and admins both see of an order.
#[component]
fn OrderBody(detail: OrderDetail) -> impl IntoView {
    let tracking = detail.tracking_link();
    let refund = refund_note(&detail.summary);
    let OrderDetail {
        summary,
        lines,
        subtotal,
        discount,
        discount_code,
        shipping,
        tax,
        prices_include_tax,
        address,
        shipping_method,
        carrier,
        tracking_number,
        events,
    } = detail;
    let line2 = (!address.line2.is_empty()).then(|| address.line2.clone());
    view! {
        <div class="order__layout">
            <div>
                <h2>"Items"</h2>
                <ul class="order-lines" role="list">
                    {lines.into_iter().map(|l| {
                        let line_total = l
                            .unit_price
                            .checked_mul(l.quantity.unsigned_abs())
                            .unwrap_or(l.unit_price);
                        let lots = l.lots;
                        view! {
                            <li class="order-line">
                                <div>
                                    <strong>{l.product_name}</strong>
                                    {format!(" · {} · {} × {}", l.variant_label, l.quantity, l.unit_price)}
                                </div>
                                <div>{line_total.to_string()}</div>
                                {(!lots.is_empty()).then(|| view! {
                                    <ul class="order-line__lots" role="list" aria-label="Batches shipped">
                                        {lots.into_iter().map(|lot| view! {
                                            <li>{format!(
                                                "Batch {}, best before {} ({} ×)",
                                                lot.batch_number,
                                                lot.best_before.format("%-d %b %Y"),
                                                lot.quantity
                                            )}</li>
                                        }).collect_view()}
                                    </ul>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <dl class="summary">
                    <div><dt>"Subtotal"</dt><dd>{subtotal.to_string()}</dd></div>
                    {(discount.minor() > 0).then(|| view! {
                        <div>
                            <dt>{format!("Discount ({})", discount_code.unwrap_or_default())}</dt>
                            <dd>{format!("-{discount}")}</dd>
                        </div>
                    })}
                    <div><dt>{format!("Shipping: {shipping_method}")}</dt><dd>{shipping.to_string()}</dd></div>
                    <div class="summary__total"><dt>"Total"</dt><dd>{summary.total.to_string()}</dd></div>
                    <div class="summary__tax">
                        <dt>{if prices_include_tax { "Including VAT" } else { "VAT" }}</dt>
                        <dd>{tax.to_string()}</dd>
                    </div>
                    {refund.map(|r| view! { <div><dt>"Refunds"</dt><dd>{r}</dd></div> })}
                </dl>
            </div>
            <div>
                <h2>"Delivery"</h2>
                <address class="order__address">
                    {address.name}<br/>{address.line1}
                    {line2.map(|l| view! { <br/>{l} })}
                    <br/>{format!("{} {}", address.postal_code, address.city)}<br/>{address.country}
                </address>
                <p>{format!("{shipping_method} with {carrier}")}</p>
                {tracking_number.map(|number| match tracking {
                    Some(href) => view! {
                        <p>"Tracking: "
                            <a href=href rel="noopener" target="_blank" data-testid="tracking-link">{number}</a>
                        </p>
                    }.into_any(),
                    None => view! { <p>{format!("Tracking number {number}")}</p> }.into_any(),
                })}
                <h2>"History"</h2>
                <Timeline events/>
            </div>
        </div>
    }
}

#[component]
fn Timeline(events: Vec<OrderEvent>) -> impl IntoView {
    view! {
        <ol class="timeline" data-testid="order-timeline">
            {events.into_iter().map(|e| {
                let title = e.kind.label();
                let detail = (!e.detail.is_empty()).then(|| e.detail.clone());
                view! {
                    <li>
                        <strong>{title}</strong>
                        {e.amount.map(|a| format!(" · {a}"))}
                        <span class="muted">{format!(" · {}", when(e.at))}</span>
                        {detail.map(|d| view! { <p>{d}</p> })}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

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
