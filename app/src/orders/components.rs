//! The pieces of an order that customers' and admins' pages share: the list, the order's body
//! and history, its status badge, and the payment form.

use super::model::{
    OrderDetail, OrderEvent, OrderPage, OrderStatus, OrderSummary, PaymentStart,
    RESERVATION_MINUTES,
};
use crate::ids::OrderId;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The payment form for a started checkout. Rendered in the browser only (after hydration),
/// where `payment.js` finds it and mounts Stripe's card form into it.
#[component]
pub fn PaymentPanel(start: PaymentStart) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let PaymentStart {
        order_id,
        reference,
        total,
        client_secret,
        publishable_key,
        stripe_js,
    } = start;
    let return_url = format!("/orders/{order_id}?paid=1");
    let pay = format!("Pay {total}");
    view! {
        <Show when=move || hydrated.get()>
            <section
                class="payment"
                data-payment=""
                data-client-secret=client_secret.clone()
                data-publishable-key=publishable_key.clone()
                data-stripe-js=stripe_js.clone()
                data-return-url=return_url.clone()
                aria-labelledby="payment-title"
            >
                <h2 id="payment-title">{format!("Payment for order {reference}")}</h2>
                <p class="muted">
                    "Your card details go straight to our payment provider, Stripe; Olivine never sees them. "
                    {format!("We hold your items for {RESERVATION_MINUTES} minutes.")}
                </p>
                <form class="payment__form" novalidate=true>
                    <div data-payment-element=""></div>
                    <p class="form-error" data-payment-status="" role="alert" aria-live="polite"></p>
                    <button type="submit" class="button button--large" data-payment-submit="" disabled=true>
                        {pay.clone()}
                    </button>
                </form>
            </section>
        </Show>
    }
}

pub fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%-d %b %Y, %H:%M UTC").to_string()
}

pub fn status_badge(status: OrderStatus) -> impl IntoView {
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

pub fn order_id_param() -> Memo<Option<OrderId>> {
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
pub fn OrderList(page: OrderPage, admin: bool) -> impl IntoView {
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

/// What customers and admins both see of an order.
#[component]
pub fn OrderBody(detail: OrderDetail) -> impl IntoView {
    let tracking = detail.tracking_link();
    let refund = refund_note(&detail.summary);
    let OrderDetail {
        summary,
        lines,
        subtotal,
        discount,
        discount_code,
        points,
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
                    {(points.minor() > 0).then(|| view! {
                        <div><dt>"Loyalty points"</dt><dd>{format!("-{points}")}</dd></div>
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
