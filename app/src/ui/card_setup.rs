//! Saving a card with Stripe's own form: what the browser needs (a SetupIntent's client secret
//! and which Stripe.js to load with which key) and the panel `public/payment.js` mounts it in.
//! Card details go from that form to Stripe, never to Olivine; once saved, the browser comes
//! back to `return_url` with `?setup_intent=seti_…` for the page to record.

use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CardSetup {
    pub client_secret: String,
    pub publishable_key: String,
    pub stripe_js: String,
}

#[cfg(feature = "ssr")]
impl CardSetup {
    /// A SetupIntent for Stripe `customer` (created under idempotency `key`), and what the
    /// browser needs to show Stripe's form for it.
    pub async fn start(
        payments: &payments::Payments,
        key: &str,
        customer: &str,
    ) -> Result<CardSetup, crate::error::ServiceError> {
        let setup = payments.create_setup(key, customer).await?;
        let client_secret = setup.client_secret.ok_or_else(|| {
            crate::error::ServiceError::Internal(
                "starting to save a card",
                "Stripe sent no client secret".into(),
            )
        })?;
        Ok(CardSetup {
            client_secret,
            publishable_key: payments.publishable_key().to_owned(),
            stripe_js: payments.stripe_js().to_owned(),
        })
    }
}

#[component]
pub fn CardSetupForm(setup: CardSetup, return_url: String) -> impl IntoView {
    let CardSetup {
        client_secret,
        publishable_key,
        stripe_js,
    } = setup;
    view! {
        <div
            class="payment"
            data-payment=""
            data-mode="setup"
            data-client-secret=client_secret
            data-publishable-key=publishable_key
            data-stripe-js=stripe_js
            data-return-url=return_url
        >
            <form class="payment__form" novalidate=true>
                <div data-payment-element=""></div>
                <p class="form-error" data-payment-status="" role="alert" aria-live="polite"></p>
                <button type="submit" class="button" data-payment-submit="" disabled=true>"Save the card"</button>
            </form>
        </div>
    }
}
