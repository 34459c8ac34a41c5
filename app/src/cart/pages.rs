//! The cart page, the header's cart link and the product page's "Add to cart" form. Every form
//! is a plain HTML form (it works before the WASM loads); hydrated, it updates in place.

use super::api::{AddToCart, RemoveFromCart, SetCartEvery, SetCartQuantity, load_cart};
use super::model::{Cart, CartLine, LineNotice, MAX_LINE_QUANTITY};
use crate::accounts::pages::ViewerState;
use crate::catalog::model::{Cadence, SubscribeOffer, VariantOffer};
use crate::error::AppError;
use crate::ui::ErrorPage;
use crate::ui::{form_error, on_success};
use leptos::prelude::*;
use leptos::server::ServerAction;
use leptos_meta::Title;

/// The cart for the whole page, refetched after every cart change and every sign-in or out.
#[derive(Clone, Copy)]
pub struct CartState {
    pub cart: Resource<Result<Cart, AppError>>,
    version: RwSignal<u32>,
}

impl CartState {
    pub fn provide() {
        let version = RwSignal::new(0u32);
        let viewer = use_context::<ViewerState>();
        let cart = Resource::new(
            move || (version.get(), viewer.map(|v| v.generation())),
            |_| load_cart(),
        );
        provide_context(CartState { cart, version });
    }

    /// Fetch the cart again (something outside the cart changed it, such as a payment).
    pub fn refresh(self) {
        self.version.update(|v| *v += 1);
    }

    /// Refetch the cart whenever `action` succeeds.
    fn refresh_on_success<I>(action: ServerAction<I>)
    where
        I: leptos::server_fn::ServerFn<Output = Cart, Error = AppError>
            + Clone
            + Send
            + Sync
            + 'static,
    {
        if let Some(state) = use_context::<CartState>() {
            on_success(action, move |_| state.version.update(|v| *v += 1));
        }
    }
}

/// The latest refusal of a cart action, in the shopper's words.
fn refusal<I>(action: ServerAction<I>) -> Signal<Option<String>>
where
    I: leptos::server_fn::ServerFn<Output = Cart, Error = AppError> + Clone + Send + Sync + 'static,
{
    let error = form_error(action);
    Signal::derive(move || error.with(|e| e.as_ref().map(AppError::detail)))
}

/// "Cart (3)" in the site header.
#[component]
pub fn CartLink() -> impl IntoView {
    let Some(state) = use_context::<CartState>() else {
        return ().into_any();
    };
    let count = move || {
        state
            .cart
            .get()
            .and_then(Result::ok)
            .map_or(0, |cart| cart.item_count())
    };
    view! {
        <a class="cart-link" href="/cart" data-testid="cart-link">
            "Cart"
            <Transition fallback=|| ()>
                {move || {
                    let n = count();
                    (n > 0).then(|| view! {
                        <span class="cart-link__count" aria-label=format!("{n} items")>{n}</span>
                    })
                }}
            </Transition>
        </a>
    }
    .into_any()
}

/// The product page's quantity field and "Add to cart" button for the selected variant.
#[component]
pub fn AddToCartForm(selected: Memo<Option<VariantOffer>>) -> impl IntoView {
    let action = ServerAction::<AddToCart>::new();
    CartState::refresh_on_success(action);
    let problem = refusal(action);
    let pending = action.pending();
    let sold_out = move || selected.with(|v| v.as_ref().is_none_or(|v| !v.stock.is_available()));
    let added = move || action.value().with(|v| matches!(v, Some(Ok(_))));
    // A new variant starts a new attempt: yesterday's message would mislead.
    Effect::new(move |previous: Option<Option<String>>| {
        let sku = selected.with(|v| v.as_ref().map(|v| v.sku.clone()));
        if previous.is_some_and(|p| p != sku) {
            action.value().set(None);
        }
        sku
    });
    view! {
        <ActionForm action=action attr:class="add-to-cart" attr:novalidate=true>
            <input
                type="hidden"
                name="variant"
                value=move || selected.with(|v| v.as_ref().map(|v| v.id.to_string()).unwrap_or_default())
            />
            {move || selected.with(|v| v.as_ref().and_then(|v| v.subscribe.map(|offer| (offer, v.price))))
                .map(|(offer, price)| view! { <PurchaseChoice offer price/> })}
            <label class="add-to-cart__quantity">
                <span>"Quantity"</span>
                <input type="number" name="quantity" value="1" min="1" max=MAX_LINE_QUANTITY inputmode="numeric"/>
            </label>
            <button type="submit" class="button" disabled=move || pending.get() || sold_out()>
                {move || match (sold_out(), pending.get()) {
                    (true, _) => "Sold out",
                    (false, true) => "Adding…",
                    (false, false) => "Add to cart",
                }}
            </button>
            <p class="form-error" role="alert" aria-live="polite">{move || problem.get()}</p>
            {move || added().then(|| view! {
                <p class="add-to-cart__done" role="status">
                    "Added to your cart. " <a href="/cart">"View cart"</a>
                </p>
            })}
        </ActionForm>
    }
}

/// One-time purchase or subscribe and save, with the price of each.
#[component]
fn PurchaseChoice(offer: SubscribeOffer, price: crate::money::Money) -> impl IntoView {
    let each = offer.price(price);
    view! {
        <fieldset class="purchase-choice" data-testid="purchase-choice">
            <legend>"How would you like it?"</legend>
            <label class="purchase-choice__option">
                <input type="radio" name="every" value="once" checked=true/>
                <span>"One-time purchase"</span>
                <span class="purchase-choice__price">{price.to_string()}</span>
            </label>
            {Cadence::ALL.into_iter().map(|cadence| view! {
                <label class="purchase-choice__option">
                    <input type="radio" name="every" value=cadence.months().to_string()/>
                    <span>{format!("Subscribe, {} — save {}", cadence.label(), offer.percent_label())}</span>
                    <span class="purchase-choice__price">{each.to_string()}</span>
                </label>
            }).collect_view()}
            <p class="purchase-choice__fine">
                "Skip, pause or cancel any time from your account. The price you subscribe at holds for your next 3 deliveries."
            </p>
        </fieldset>
    }
}

#[component]
pub fn CartPage() -> impl IntoView {
    let Some(state) = use_context::<CartState>() else {
        return ().into_any();
    };
    view! {
        <Title text="Your cart — Olivine"/>
        <section class="cart">
            <h1>"Your cart"</h1>
            <Transition fallback=|| view! { <div class="cart__loading" aria-busy="true"></div> }>
                {move || Suspend::new(async move {
                    match state.cart.await {
                        Ok(cart) => view! { <CartContents cart/> }.into_any(),
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

#[component]
fn CartContents(cart: Cart) -> impl IntoView {
    if cart.is_empty() {
        return view! {
            <div class="cart__empty">
                <p>"Your cart is empty."</p>
                <a class="button" href="/shop">"Browse the shop"</a>
            </div>
        }
        .into_any();
    }
    let count = cart.item_count();
    let subtotal = match cart.subtotal() {
        Ok(Some(total)) => total.to_string(),
        Ok(None) | Err(_) => String::new(),
    };
    let blocked = !cart.can_check_out();
    view! {
        <ul class="cart__lines" role="list">
            {cart.lines.into_iter().map(|line| view! { <CartLineRow line/> }).collect_view()}
        </ul>
        <div class="cart__summary">
            <p class="cart__subtotal">
                <span>{format!("Subtotal ({})", crate::ui::count_of(count, "item"))}</span>
                <strong data-testid="cart-subtotal">{subtotal}</strong>
            </p>
            <p class="cart__fine">"Shipping and tax are worked out at checkout."</p>
            {if blocked {
                view! {
                    <p class="cart__blocked" role="status">
                        "Some items can't be bought as they are: see the notes above."
                    </p>
                }.into_any()
            } else {
                view! { <a class="button button--large" href="/checkout" data-testid="checkout-link">"Check out"</a> }.into_any()
            }}
        </div>
    }
    .into_any()
}

#[component]
fn CartLineRow(line: CartLine) -> impl IntoView {
    let set = ServerAction::<SetCartQuantity>::new();
    let remove = ServerAction::<RemoveFromCart>::new();
    let every_action = ServerAction::<SetCartEvery>::new();
    CartState::refresh_on_success(set);
    CartState::refresh_on_success(remove);
    CartState::refresh_on_success(every_action);
    let set_problem = refusal(set);
    let remove_problem = refusal(remove);
    let every_problem = refusal(every_action);
    let each = line.price_each();
    let delivery = (line.subscribe.is_some() || line.every.is_some()).then(|| {
        let chosen = line.every;
        let variant = line.variant_id.to_string();
        let select_id = format!("every-{}", line.sku);
        let saving = line
            .subscribe
            .map(|offer| format!(" (save {})", offer.percent_label()))
            .unwrap_or_default();
        view! {
            <ActionForm action=every_action attr:class="cart-line__every">
                <input type="hidden" name="variant" value=variant/>
                <label for=select_id.clone()>"Delivery"</label>
                <select id=select_id name="every">
                    <option value="once" selected=chosen.is_none()>"One-time"</option>
                    {Cadence::ALL.into_iter().map(|cadence| view! {
                        <option value=cadence.months().to_string() selected=chosen == Some(cadence)>
                            {format!("Subscribe, {}{saving}", cadence.label())}
                        </option>
                    }).collect_view()}
                </select>
                <button type="submit" class="button button--small button--quiet">"Change"</button>
            </ActionForm>
        }
    });
    let notice = line.notice();
    let total = line.total().map(|t| t.to_string()).unwrap_or_default();
    let max = line.max_quantity();
    let CartLine {
        variant_id,
        sku,
        product_name,
        product_slug,
        variant_label,
        quantity,
        unit_price,
        every,
        ..
    } = line;
    let variant = variant_id.to_string();
    let (variant_for_remove, variant_for_ok) = (variant.clone(), variant.clone());
    let input_id = format!("quantity-{sku}");
    let href = format!("/products/{product_slug}?variant={sku}");
    let tone = match notice {
        Some(LineNotice::PriceChanged { .. }) => "info",
        Some(
            LineNotice::SoldOut
            | LineNotice::Withdrawn
            | LineNotice::NotSubscribable
            | LineNotice::OnlyLeft { .. },
        )
        | None => "warning",
    };
    let notice_view = notice.map(|notice| {
        let acknowledge = matches!(notice, LineNotice::PriceChanged { .. }).then(|| {
            view! {
                <ActionForm action=set attr:class="inline-form">
                    <input type="hidden" name="variant" value=variant_for_ok/>
                    <input type="hidden" name="quantity" value=quantity/>
                    <button type="submit" class="link-button">"OK"</button>
                </ActionForm>
            }
        });
        view! {
            <div class=format!("cart-line__notice cart-line__notice--{tone}") role="status">
                <p>{notice.message()}</p>
                {acknowledge}
            </div>
        }
    });
    view! {
        <li class="cart-line" data-sku=sku>
            <div class="cart-line__what">
                <a class="cart-line__name" href=href>{product_name}</a>
                <span class="cart-line__variant">{variant_label}</span>
                <span class="cart-line__unit">
                    {if each == unit_price {
                        format!("{unit_price} each")
                    } else {
                        format!("{each} each (was {unit_price})")
                    }}
                </span>
                {every.map(|every| view! {
                    <span class="cart-line__subscription" data-testid="line-subscription">
                        {format!("Subscription: delivered {}", every.label())}
                    </span>
                })}
            </div>
            <ActionForm action=set attr:class="cart-line__quantity" attr:novalidate=true>
                <input type="hidden" name="variant" value=variant/>
                <label for=input_id.clone()>"Quantity"</label>
                <input
                    id=input_id
                    type="number"
                    name="quantity"
                    value=quantity
                    min="0"
                    max=max
                    inputmode="numeric"
                />
                <button type="submit" class="button button--small button--quiet">"Update"</button>
            </ActionForm>
            <p class="cart-line__total">{total}</p>
            <ActionForm action=remove attr:class="cart-line__remove">
                <input type="hidden" name="variant" value=variant_for_remove/>
                <button type="submit" class="link-button">"Remove"</button>
            </ActionForm>
            {delivery}
            {notice_view}
            <p class="form-error cart-line__error" role="alert" aria-live="polite">
                {move || set_problem.get().or_else(|| remove_problem.get()).or_else(|| every_problem.get())}
            </p>
        </li>
    }
}
