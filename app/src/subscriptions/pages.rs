//! `/account/subscriptions`: each subscription with its next delivery and what it will cost,
//! the changes a customer can make (skip, pause, resume, interval, quantity, size, address,
//! card, cancel) and its history. Every form is a plain HTML form; hydrated, the list refreshes in place.

use super::api::{
    CancelSubscription, ChangeInterval, ChangeSubscriptionAddress, ChangeSubscriptionQuantity,
    FinishSubscriptionCard, PauseSubscription, ResumeSubscription, SkipDelivery,
    StartSubscriptionCard, SwapSubscriptionSize, my_subscriptions,
};
use super::model::{CANCEL_REASONS, SubscriptionStatus, SubscriptionView, add_cadence, long_date};
use crate::cart::model::MAX_LINE_QUANTITY;
use crate::catalog::model::Cadence;
use crate::checkout::api::load_checkout_options;
use crate::error::AppError;
use crate::ids::SubscriptionId;
use crate::ui::{
    CardSetupForm, ErrorPage, FormError, TextField, field_error, form_error, on_success,
};
use leptos::prelude::*;
use leptos::server::ServerAction;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Bumped after every change, so the list is read again.
#[derive(Clone, Copy)]
struct Changed(RwSignal<u32>);

/// Refresh the list whenever `action` succeeds; its refusal, in words, for the card.
fn wire<I>(action: ServerAction<I>) -> Signal<Option<AppError>>
where
    I: leptos::server_fn::ServerFn<Output = SubscriptionView, Error = AppError>
        + Clone
        + Send
        + Sync
        + 'static,
{
    if let Some(Changed(version)) = use_context::<Changed>() {
        on_success(action, move |_| version.update(|v| *v += 1));
    }
    form_error(action)
}

#[component]
pub fn SubscriptionsPage() -> impl IntoView {
    let version = RwSignal::new(0_u32);
    provide_context(Changed(version));
    let query = use_query_map();
    let finish = ServerAction::<FinishSubscriptionCard>::new();
    let card_error = wire(finish);
    // Back from Stripe's card form with a setup to record: record it, once.
    Effect::new(move |_| {
        let back = query.with(|q| {
            q.get("card")
                .and_then(|id| id.parse().ok().map(SubscriptionId))
                .zip(q.get("setup_intent"))
        });
        if let Some((id, setup)) = back
            && finish.version().get_untracked() == 0
            && !finish.pending().get_untracked()
        {
            finish.dispatch(FinishSubscriptionCard { id, setup });
        }
    });
    let card_saved = move || finish.value().with(|v| matches!(v, Some(Ok(_))));
    let list = Resource::new(move || version.get(), |_| my_subscriptions());
    // The countries a delivery address may be in.
    let options = Resource::new(|| (), |_| load_checkout_options());
    // From a reminder's link: skip the delivery of this subscription due then.
    let asked = Signal::derive(move || {
        query.with(|q| {
            q.get("skip")
                .and_then(|id| id.parse().ok().map(SubscriptionId))
                .zip(q.get("due").and_then(|d| crate::dates::parse_form_date(&d)))
        })
    });
    view! {
        <Title text="Your subscriptions — Olivine"/>
        <section class="subscriptions">
            <p class="eyebrow"><a href="/account">"Your account"</a></p>
            <h1>"Your subscriptions"</h1>
            <p role="status" aria-live="polite" data-testid="card-status">
                {move || finish.pending().get().then_some("Saving your card…")}
                {move || card_saved().then_some("Card saved: renewals are charged to it.")}
            </p>
            <FormError error=card_error/>
            <Transition fallback=|| view! { <div class="subscriptions__loading" aria-busy="true"></div> }>
                {move || Suspend::new(async move {
                    let countries: Vec<(String, String)> = options
                        .await
                        .map(|o| o.destinations.into_iter().map(|d| (d.code, d.name)).collect())
                        .unwrap_or_default();
                    match list.await {
                        Ok(list) if list.is_empty() => view! {
                            <div class="subscriptions__empty">
                                <p>"You have no subscriptions yet. Products with “Subscribe and save” can be delivered every 1, 2 or 3 months at a lower price."</p>
                                <a class="button" href="/shop">"Browse the shop"</a>
                            </div>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="subscriptions__list" role="list">
                                {list.into_iter().map(|s| {
                                    let asked = asked.get_untracked().filter(|(id, _)| *id == s.id).map(|(_, due)| due);
                                    let countries = countries.clone();
                                    view! { <SubscriptionCard s asked countries/> }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// What the next delivery is, in a sentence.
fn next_delivery(s: &SubscriptionView) -> String {
    let schedule = s.schedule;
    let cost = match s.next_total {
        Some(total) => format!(
            "{total} ({} × {}{})",
            schedule.quantity,
            s.next_unit_price,
            s.next_shipping
                .filter(|shipping| shipping.minor() > 0)
                .map(|shipping| format!(", shipping {shipping}"))
                .unwrap_or_else(|| ", free shipping".to_owned())
        ),
        None => format!(
            "{} for the items; shipping is worked out when it renews",
            s.next_items
        ),
    };
    match schedule.status {
        SubscriptionStatus::Active => format!(
            "Next delivery on {}: {cost}.",
            long_date(schedule.next_renewal_on)
        ),
        SubscriptionStatus::Paused => match schedule.paused_until {
            Some(until) => format!(
                "Paused until {}; the next delivery is on {}: {cost}.",
                long_date(until),
                long_date(schedule.next_renewal_on)
            ),
            None => "Paused until you resume it.".to_owned(),
        },
        SubscriptionStatus::PaymentNeeded => {
            "On hold: the last renewal could not be paid. Update your card to resume.".to_owned()
        }
        SubscriptionStatus::Cancelled => format!(
            "Cancelled ({}).",
            s.cancel_reason.clone().unwrap_or_default()
        ),
    }
}

/// `asked`: the due date of the delivery a reminder's link asks to skip, for this subscription;
/// `countries`: (code, name) of those we ship to.
#[component]
fn SubscriptionCard(
    s: SubscriptionView,
    asked: Option<chrono::NaiveDate>,
    countries: Vec<(String, String)>,
) -> impl IntoView {
    let skip = ServerAction::<SkipDelivery>::new();
    let pause = ServerAction::<PauseSubscription>::new();
    let resume = ServerAction::<ResumeSubscription>::new();
    let every = ServerAction::<ChangeInterval>::new();
    let quantity = ServerAction::<ChangeSubscriptionQuantity>::new();
    let cancel = ServerAction::<CancelSubscription>::new();
    let size = ServerAction::<SwapSubscriptionSize>::new();
    let address = ServerAction::<ChangeSubscriptionAddress>::new();
    let card = ServerAction::<StartSubscriptionCard>::new();
    let card_problem = form_error(card);
    let errors = [
        wire(skip),
        wire(pause),
        wire(resume),
        wire(every),
        wire(quantity),
        wire(cancel),
        wire(size),
    ];
    // The address form shows its problems by its fields.
    let address_error = wire(address);
    let problem = move || errors.iter().find_map(|e| e.get()).map(|e| e.detail());
    let until_problem = field_error(errors[1], "until");
    let reason_problem = Signal::derive(move || {
        field_error(errors[5], "reason")
            .get()
            .or_else(|| field_error(errors[5], "details").get())
    });
    let sentence = next_delivery(&s);
    let schedule = s.schedule;
    let status = schedule.status;
    let live = status != SubscriptionStatus::Cancelled;
    let id = s.id.to_string();
    let key = s.sku.to_lowercase();
    let href = format!("/products/{}?variant={}", s.product_slug, s.sku);
    let price_note = if s.price_locked {
        "Your sign-up price holds for this delivery."
    } else {
        "The price follows the shop's current price, less your subscription discount."
    };
    let history = s.history.clone();
    view! {
        <li class="subscription" data-testid="subscription" data-sku=s.sku.clone()
            data-id=id.clone() data-next=schedule.next_renewal_on.to_string()>
            <header class="subscription__head">
                <div>
                    <h2 class="subscription__name"><a href=href>{s.product_name.clone()}</a></h2>
                    <p class="subscription__what" data-testid="subscription-what">
                        {format!("{} · {} per delivery, {}", s.variant_label, schedule.quantity, schedule.every.label())}
                    </p>
                </div>
                <span class=format!("badge badge--{}", status.db_name()) data-testid="subscription-status">
                    {status.label()}
                </span>
            </header>
            <p class="subscription__next" data-testid="next-delivery">{sentence}</p>
            {asked.map(|due| {
                let id = id.clone();
                if status == SubscriptionStatus::Active && due == schedule.next_renewal_on {
                    let after = add_cadence(due, schedule.every);
                    view! {
                        <div class="subscription__reminder" data-testid="skip-prompt">
                            <p>{format!("Skip the delivery of {}? The one after it comes on {}.", long_date(due), long_date(after))}</p>
                            <ActionForm action=skip attr:class="inline-form">
                                <input type="hidden" name="id" value=id/>
                                <input type="hidden" name="due" value=due.to_string()/>
                                <button type="submit" class="button">"Skip this delivery"</button>
                            </ActionForm>
                        </div>
                    }.into_any()
                } else {
                    view! {
                        <p class="subscription__reminder" data-testid="skip-prompt">{schedule.not_coming(due)}</p>
                    }.into_any()
                }
            })}
            {live.then(|| view! {
                <p class="subscription__fine">{price_note}" Ships to "{s.ships_to.clone()}"."</p>
            })}
            <p class="form-error" role="alert" aria-live="polite">{problem}</p>
            {live.then(|| {
                let (id1, id2, id3, id4, id5, id6) = (id.clone(), id.clone(), id.clone(), id.clone(), id.clone(), id.clone());
                let (id7, id8, id9) = (id.clone(), id.clone(), id.clone());
                let sizes = s.sizes.clone();
                let ship = s.address.clone();
                let country_problem = field_error(address_error, "address[country]");
                let [field_name, field_line1, field_line2, field_postal, field_city, field_country] =
                    ["name", "line1", "line2", "postal", "city", "country"].map(|f| format!("{f}-{key}"));
                view! {
                    <div class="subscription__actions">
                        {(status == SubscriptionStatus::Active).then(|| view! {
                            <ActionForm action=skip attr:class="inline-form">
                                <input type="hidden" name="id" value=id1/>
                                <button type="submit" class="button button--quiet">"Skip the next delivery"</button>
                            </ActionForm>
                        })}
                        {(status == SubscriptionStatus::Paused).then(|| view! {
                            <ActionForm action=resume attr:class="inline-form">
                                <input type="hidden" name="id" value=id2/>
                                <button type="submit" class="button">"Resume"</button>
                            </ActionForm>
                        })}
                        {(status != SubscriptionStatus::PaymentNeeded).then(|| {
                            let field = format!("until-{key}");
                            view! {
                                <ActionForm action=pause attr:class="subscription__form">
                                    <input type="hidden" name="id" value=id3/>
                                    <label for=field.clone()>"Pause until (leave empty to pause until you resume)"</label>
                                    <input id=field type="date" name="until"/>
                                    <button type="submit" class="button button--quiet">"Pause"</button>
                                    <p class="field-error" role="alert">{move || until_problem.get()}</p>
                                </ActionForm>
                            }
                        })}
                        {
                            let field = format!("every-{key}");
                            view! {
                                <ActionForm action=every attr:class="subscription__form">
                                    <input type="hidden" name="id" value=id4/>
                                    <label for=field.clone()>"Deliver"</label>
                                    <select id=field name="every">
                                        {Cadence::ALL.into_iter().map(|c| view! {
                                            <option value=c.months().to_string() selected=c == schedule.every>{c.label()}</option>
                                        }).collect_view()}
                                    </select>
                                    <button type="submit" class="button button--quiet">"Change interval"</button>
                                </ActionForm>
                            }
                        }
                        {
                            let field = format!("quantity-{key}");
                            view! {
                                <ActionForm action=quantity attr:class="subscription__form">
                                    <input type="hidden" name="id" value=id5/>
                                    <label for=field.clone()>"Quantity per delivery"</label>
                                    <input id=field type="number" name="quantity" value=schedule.quantity
                                        min="1" max=MAX_LINE_QUANTITY inputmode="numeric"/>
                                    <button type="submit" class="button button--quiet">"Change quantity"</button>
                                </ActionForm>
                            }
                        }
                        {(!sizes.is_empty()).then(|| {
                            let field = format!("size-{key}");
                            view! {
                                <ActionForm action=size attr:class="subscription__form">
                                    <input type="hidden" name="id" value=id8.clone()/>
                                    <label for=field.clone()>"Size"</label>
                                    <select id=field name="variant">
                                        {sizes.iter().map(|o| view! {
                                            <option value=o.variant.to_string()>
                                                {format!("{} — {} each", o.label, o.unit_price)}
                                            </option>
                                        }).collect_view()}
                                    </select>
                                    <button type="submit" class="button button--quiet">"Change size"</button>
                                </ActionForm>
                            }
                        })}
                        <details class="subscription__address">
                            <summary>"Change the delivery address"</summary>
                            <ActionForm action=address attr:class="subscription__form" attr:novalidate=true>
                                <input type="hidden" name="id" value=id9.clone()/>
                                <TextField label="Full name" name="address[name]" id=field_name
                                    autocomplete="name" value=ship.name.clone() error=address_error/>
                                <TextField label="Street and number" name="address[line1]" id=field_line1
                                    autocomplete="address-line1" value=ship.line1.clone() error=address_error/>
                                <TextField label="Apartment, floor (optional)" name="address[line2]" id=field_line2
                                    autocomplete="address-line2" value=ship.line2.clone() required=false error=address_error/>
                                <TextField label="Postal code" name="address[postal_code]" id=field_postal
                                    autocomplete="postal-code" value=ship.postal_code.clone() error=address_error/>
                                <TextField label="Town or city" name="address[city]" id=field_city
                                    autocomplete="address-level2" value=ship.city.clone() error=address_error/>
                                <label for=field_country.clone()>"Country"</label>
                                <select id=field_country name="address[country]" autocomplete="country">
                                    {countries.iter().map(|(code, name)| view! {
                                        <option value=code.clone() selected=*code == ship.country>{name.clone()}</option>
                                    }).collect_view()}
                                </select>
                                <p class="field-error" role="alert">{move || country_problem.get()}</p>
                                <button type="submit" class="button button--quiet">"Save the address"</button>
                                <FormError error=address_error/>
                            </ActionForm>
                        </details>
                        <div class="subscription__card">
                            {move || {
                                let id7 = id7.clone();
                                match card.value().get() {
                                Some(Ok(setup)) => view! {
                                    <CardSetupForm setup return_url=format!("/account/subscriptions?card={id7}")/>
                                }.into_any(),
                                _ => view! {
                                    <ActionForm action=card attr:class="inline-form">
                                        <input type="hidden" name="id" value=id7.clone()/>
                                        <button type="submit" class="button button--quiet">"Update the card"</button>
                                        <p class="form-error" role="alert">{move || card_problem.get().map(|e| e.detail())}</p>
                                    </ActionForm>
                                }.into_any(),
                            }}}
                        </div>
                        <details class="subscription__cancel">
                            <summary>"Cancel this subscription"</summary>
                            <ActionForm action=cancel attr:class="subscription__form">
                                <input type="hidden" name="id" value=id6/>
                                <label for=format!("reason-{key}")>"Why are you cancelling?"</label>
                                <select id=format!("reason-{key}") name="reason">
                                    {CANCEL_REASONS.iter().map(|(value, words)| view! {
                                        <option value=*value>{*words}</option>
                                    }).collect_view()}
                                </select>
                                <label for=format!("details-{key}")>"Anything to add? (optional)"</label>
                                <textarea id=format!("details-{key}") name="details" rows="2" maxlength="400"></textarea>
                                <button type="submit" class="button button--danger">"Cancel subscription"</button>
                                <p class="field-error" role="alert">{move || reason_problem.get()}</p>
                            </ActionForm>
                        </details>
                    </div>
                }
            })}
            <details class="subscription__history">
                <summary>"History"</summary>
                <ol class="subscription__events" role="list" data-testid="subscription-history">
                    {history.into_iter().map(|event| view! {
                        <li>
                            <time datetime=event.at.to_rfc3339()>{long_date(event.at.date_naive())}</time>
                            " · "<strong>{event.kind.label()}</strong>" — "{event.detail}
                        </li>
                    }).collect_view()}
                </ol>
            </details>
        </li>
    }
}
