//! Customers' order pages: "Your orders" and an order's page (status timeline, which batch each
//! item ships from, tracking, paying an order that awaits payment). The back office's are in
//! `admin/pages.rs`.

use super::api::{my_order, my_orders, resume_payment};
use super::components::{OrderBody, OrderList, PaymentPanel, order_id_param, status_badge};
use super::model::{OrderDetail, OrderStatus};
use crate::error::AppError;
use crate::ids::OrderId;
use crate::notifications::arrivals::changes_here;
use crate::ui::{ErrorPage, Notice};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

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
    let live = changes_here();
    let detail = Resource::new(
        move || (id.get(), just_paid.get(), live.get()),
        |(id, sync, _)| async move {
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
