//! The pieces of an order other pages show: the payment form.

use super::model::{PaymentStart, RESERVATION_MINUTES};
use leptos::prelude::*;

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
