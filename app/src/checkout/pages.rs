//! `/checkout`: address, shipping method, discount code and loyalty points with a live summary
//! that equals the charge, then the payment form. Card details are typed into Stripe's own form
//! (Stripe.js; the emulator's stand-in locally) and go to Stripe directly: `public/payment.js`
//! mounts it in the `[data-payment]` panel and confirms the payment.

use super::api::{CheckoutOptions, StartCheckout, load_checkout_options, quote_checkout};
use super::model::{CheckoutSummary, Destination};
use crate::error::AppError;
use crate::money::Money;
use crate::orders::components::PaymentPanel;
use crate::orders::model::AddressForm;
use crate::ui::{ErrorPage, FormError, TextField, field_error, form_error};
use leptos::prelude::*;
use leptos::server::ServerAction;
use leptos_meta::Title;

#[component]
pub fn CheckoutPage() -> impl IntoView {
    let options = Resource::new(|| (), |_| load_checkout_options());
    view! {
        <Title text="Checkout — Olivine"/>
        <section class="checkout">
            <h1>"Checkout"</h1>
            <Suspense fallback=|| view! { <div class="checkout__loading" aria-busy="true"></div> }>
                {move || Suspend::new(async move {
                    match options.await {
                        Ok(options) => view! { <CheckoutForm options/> }.into_any(),
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn CheckoutForm(options: CheckoutOptions) -> impl IntoView {
    let CheckoutOptions {
        destinations,
        account_email,
        points,
    } = options;
    let first = destinations
        .first()
        .map(|d| d.code.clone())
        .unwrap_or_default();
    let country = RwSignal::new(first);
    let method = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let use_points = RwSignal::new(false);
    let destinations = StoredValue::new(destinations);
    let methods = move || {
        destinations.with_value(|all| {
            all.iter()
                .find(|d| d.code == country.get())
                .map(|d| d.methods.clone())
                .unwrap_or_default()
        })
    };
    let summary = Resource::new(
        move || (country.get(), method.get(), code.get(), use_points.get()),
        |(country, method, code, use_points)| {
            quote_checkout(
                String::new(),
                AddressForm {
                    country,
                    ..AddressForm::default()
                },
                method,
                code,
                if use_points { "yes" } else { "" }.to_owned(),
            )
        },
    );
    let start = ServerAction::<StartCheckout>::new();
    let error = form_error(start);
    let pending = start.pending();
    let started = move || {
        start
            .value()
            .with(|v| v.as_ref().and_then(|r| r.as_ref().ok()).cloned())
    };
    let code_input = NodeRef::<leptos::html::Input>::new();
    let summary_error = Signal::derive(move || summary.get().and_then(Result::err));
    let code_problem = field_error(summary_error, "discount_code");
    let code_refused = field_error(error, "discount_code");
    let account_email = StoredValue::new(account_email);

    view! {
        <div class="checkout__layout">
            <div class="checkout__main">
                <Show
                    when=move || started().is_none()
                    fallback=move || view! { {started().map(|start| view! { <PaymentPanel start/> })} }
                >
                    <ActionForm action=start attr:class="checkout__form" attr:novalidate=true>
                        <FormError error/>
                        <fieldset>
                            <legend>"Contact"</legend>
                            {move || match account_email.get_value() {
                                Some(address) => view! {
                                    <p>"Your receipt goes to " <strong>{address}</strong> "."</p>
                                    <input type="hidden" name="email" value=""/>
                                }.into_any(),
                                None => view! {
                                    <TextField label="Email for your receipt" name="email" kind="email"
                                        autocomplete="email" error
                                        hint="Already have an account? Sign in first to keep the order with it."/>
                                }.into_any(),
                            }}
                        </fieldset>
                        <fieldset>
                            <legend>"Shipping address"</legend>
                            <TextField label="Full name" name="address[name]" autocomplete="name" error/>
                            <TextField label="Street and number" name="address[line1]" autocomplete="address-line1" error/>
                            <TextField label="Apartment, floor (optional)" name="address[line2]" autocomplete="address-line2" required=false error/>
                            <div class="checkout__row">
                                <TextField label="Postal code" name="address[postal_code]" autocomplete="postal-code" error/>
                                <TextField label="Town or city" name="address[city]" autocomplete="address-level2" error/>
                            </div>
                            <CountrySelect destinations=destinations.get_value() country error/>
                        </fieldset>
                        <fieldset class="checkout__methods">
                            <legend>"Delivery"</legend>
                            {move || {
                                let options = methods();
                                let chosen = method.get();
                                let chosen = if options.iter().any(|m| m.code == chosen) {
                                    chosen
                                } else {
                                    options.first().map(|m| m.code.clone()).unwrap_or_default()
                                };
                                options.into_iter().map(|m| {
                                    let value = m.code.clone();
                                    let checked = m.code == chosen;
                                    let id = format!("method-{}", m.code);
                                    let label_for = id.clone();
                                    let description = m.describe();
                                    view! {
                                        <label class="checkout__method" for=label_for>
                                            <input type="radio" id=id name="shipping_method" value=m.code checked=checked
                                                on:change=move |_| method.set(value.clone())/>
                                            <span>{description}</span>
                                        </label>
                                    }
                                }).collect_view()
                            }}
                        </fieldset>
                        <fieldset>
                            <legend>"Discount code"</legend>
                            <div class="checkout__code">
                                <label for="field-discount_code" class="visually-hidden">"Discount code"</label>
                                <input id="field-discount_code" name="discount_code" node_ref=code_input autocomplete="off"
                                    aria-describedby="discount_code-error"/>
                                <button type="button" class="button button--quiet"
                                    on:click=move |_| if let Some(input) = code_input.get() { code.set(input.value()) }>
                                    "Apply"
                                </button>
                            </div>
                            <p class="field-error" id="discount_code-error" role="alert">
                                {move || code_problem.get().or_else(|| code_refused.get())}
                            </p>
                        </fieldset>
                        {(points > 0).then(|| view! { <PointsChoice points use_points/> })}
                        <button type="submit" class="button button--large" disabled=move || pending.get()
                            on:click=move |_| {
                                if let Some(input) = code_input.get() { code.set(input.value()) }
                            }>
                            {move || if pending.get() { "Holding your items…" } else { "Continue to payment" }}
                        </button>
                        <noscript>
                            <p class="banner banner--info">
                                "Paying needs JavaScript: your card details go straight to our payment provider, Stripe."
                            </p>
                        </noscript>
                    </ActionForm>
                </Show>
            </div>
            <aside class="checkout__summary" aria-labelledby="summary-title">
                <h2 id="summary-title">"Order summary"</h2>
                <Transition fallback=|| view! { <div class="checkout__loading" aria-busy="true"></div> }>
                    {move || Suspend::new(async move {
                        match summary.await {
                            Ok(summary) => {
                                let guest = account_email.with_value(Option::is_none);
                                view! { <SummaryView summary guest/> }.into_any()
                            }
                            Err(AppError::Unprocessable { message, fields }) if !fields.is_empty() => {
                                let _ = message;
                                view! { <p class="muted">"Enter a valid discount code, or clear it, to see the total."</p> }.into_any()
                            }
                            Err(error) => view! { <p class="form-error" role="alert">{error.detail()}</p> }.into_any(),
                        }
                    })}
                </Transition>
            </aside>
        </div>
    }
}

#[component]
fn CountrySelect(
    destinations: Vec<Destination>,
    country: RwSignal<String>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let problem = field_error(error, "address[country]");
    view! {
        <div class="field">
            <label for="field-address-country">"Country"</label>
            <select id="field-address-country" name="address[country]" autocomplete="country"
                on:change=move |ev| country.set(event_target_value(&ev))>
                {destinations.into_iter().map(|d| {
                    let selected = d.code == country.get_untracked();
                    view! { <option value=d.code.clone() selected=selected>{d.name}</option> }
                }).collect_view()}
            </select>
            <p class="field-error" role="alert">{move || problem.get()}</p>
        </div>
    }
}

/// Spending the customer's loyalty points: as many as the order allows.
#[component]
fn PointsChoice(points: i64, use_points: RwSignal<bool>) -> impl IntoView {
    let worth = Money::new(
        crate::loyalty::model::minor_for_points(points),
        crate::money::Currency::Eur,
    );
    view! {
        <fieldset>
            <legend>"Loyalty points"</legend>
            <label class="checkout__method" for="field-use_points">
                <input type="checkbox" id="field-use_points" name="use_points" value="yes"
                    on:change=move |ev| use_points.set(event_target_checked(&ev))/>
                <span>{format!(
                    "Use my points: you have {}, worth {worth}; they pay up to half of the items.",
                    crate::ui::count_of(points, "point")
                )}</span>
            </label>
        </fieldset>
    }
}

/// The lines that start subscriptions, and what subscribing asks of the shopper.
#[component]
fn SubscriptionsNote(subscriptions: Vec<String>, guest: bool) -> impl IntoView {
    view! {
        <div class="summary__subscriptions" data-testid="summary-subscriptions">
            <h3>"Subscribe and save"</h3>
            <ul role="list">
                {subscriptions.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
            </ul>
            {if guest {
                view! {
                    <p class="banner banner--warning" role="status">
                        "A subscription belongs to an account: "
                        <a href="/signin?next=/checkout">"sign in"</a>" or "
                        <a href="/signup">"create one"</a>
                        " to check out, or choose one-time in your " <a href="/cart">"cart"</a>"."
                    </p>
                }.into_any()
            } else {
                view! {
                    <p class="muted">
                        "Paying saves your card with Stripe for these deliveries. Skip, pause or cancel any time from your account."
                    </p>
                }.into_any()
            }}
        </div>
    }
}

#[component]
fn SummaryView(summary: CheckoutSummary, guest: bool) -> impl IntoView {
    let CheckoutSummary {
        quote,
        shipping,
        discount_code,
        subscriptions,
    } = summary;
    let included = quote.tax_mode == super::pricing::TaxMode::Included;
    let shipping_text = if quote.shipping.minor() == 0 {
        "Free".to_owned()
    } else {
        quote.shipping.to_string()
    };
    view! {
        <dl class="summary">
            <div><dt>"Subtotal"</dt><dd>{quote.subtotal.to_string()}</dd></div>
            {(quote.discount.minor() > 0).then(|| view! {
                <div class="summary__discount">
                    <dt>{format!("Discount ({})", discount_code.unwrap_or_default())}</dt>
                    <dd>{format!("-{}", quote.discount)}</dd>
                </div>
            })}
            {(quote.points.minor() > 0).then(|| view! {
                <div class="summary__discount" data-testid="summary-points">
                    <dt>"Loyalty points"</dt>
                    <dd>{format!("-{}", quote.points)}</dd>
                </div>
            })}
            <div><dt>{format!("Shipping: {}", shipping.name)}</dt><dd>{shipping_text}</dd></div>
            <div class="summary__total">
                <dt>"Total"</dt>
                <dd data-testid="checkout-total">{quote.total.to_string()}</dd>
            </div>
            <div class="summary__tax">
                <dt>{if included { "Including VAT" } else { "VAT" }}</dt>
                <dd>{quote.tax.to_string()}</dd>
            </div>
        </dl>
        {(!subscriptions.is_empty()).then(|| view! { <SubscriptionsNote subscriptions guest/> })}
    }
}
