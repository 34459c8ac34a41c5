//! Checkout use cases: price the cart for a destination, method, code and loyalty points (the
//! live summary); start payment (an order awaiting payment that holds its stock, its code and
//! the points it spends, and a Stripe PaymentIntent for exactly its total); resume payment of
//! an order.

use super::model::{CheckoutForm, CheckoutSummary, Destination, ShippingOption, check_email};
use super::pricing::{PricedLine, PricingError, Quote, ShippingCharge, TaxMode, TaxRate, quote};
use super::repo;
use crate::accounts::authz::principal_of;
use crate::accounts::session::{AuthSession, RequestMeta};
use crate::cart::model::{Cart, CartLine};
use crate::cart::repo as cart_repo;
use crate::cart::service::checkout_cart;
use crate::catalog::model::ProductKind;
use crate::discounts::model::normalise_code;
use crate::discounts::repo as discounts_repo;
use crate::discounts::service::{self as discounts, UNKNOWN_CODE};
use crate::error::AppError;
use crate::error::ServiceError;
use crate::ids::{CartId, OrderId, SubscriptionId, UserId, VariantId};
use crate::inventory::model::sellable_expiry_after;
use crate::inventory::repo as inventory;
use crate::loyalty::service as loyalty;
use crate::money::Money;
use crate::orders::model::{
    Address, AddressForm, OrderEventKind, OrderStatus, PaymentStart, RESERVATION_MINUTES,
};
use crate::orders::repo::{self as orders, NewEvent, NewLine, NewOrder, Sold};
use crate::orders::service::{cancel_unpaid, payment_for};
use crate::ratelimit;
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use std::collections::HashMap;

type Result<T> = std::result::Result<T, ServiceError>;

/// Who is buying: the account (its email gets the receipt) or a guest with a typed email.
struct Buyer {
    user: Option<UserId>,
    email: String,
    /// What discount limits count by: the account, or the guest's lower-cased email.
    customer_key: String,
}

async fn buyer(state: &AppState, session: &AuthSession, form: &CheckoutForm) -> Result<Buyer> {
    Ok(match principal_of(state, session).await? {
        Some(principal) => Buyer {
            user: Some(principal.viewer.user_id),
            customer_key: principal.viewer.user_id.to_string(),
            email: principal.viewer.email,
        },
        None => {
            let email = check_email(&form.email)?;
            Buyer {
                user: None,
                customer_key: email.to_lowercase(),
                email,
            }
        }
    })
}

/// What the checkout page starts from: the destinations and the cart.
pub async fn destinations(state: &AppState) -> Result<Vec<Destination>> {
    let mut conn = state.db.acquire().await?;
    Ok(repo::destinations(&mut conn).await?)
}

/// A priced cart: the quote plus everything that produced it.
struct Priced {
    summary: CheckoutSummary,
    lines: Vec<CartLine>,
    delivery: PricedDelivery,
}

/// A shipping address, checked against the countries we ship to and their postal codes.
pub async fn checked_address(conn: &mut PgConnection, form: &AddressForm) -> Result<Address> {
    let postal_code = form.postal_code.trim().to_ascii_uppercase();
    let fits = repo::postal_code_fits(conn, &postal_code).await?;
    Ok(form.check(|country, _| fits.get(country).copied())?)
}

/// Price `cart` for the form's destination country, method and code, with loyalty points
/// worth `points` (minor units) to spend, refusing what can't be bought. With `lock_code` the
/// code's row stays locked, so its limits hold until the order is saved.
async fn price(
    conn: &mut PgConnection,
    cart: &Cart,
    form: &CheckoutForm,
    customer_key: Option<&str>,
    lock_code: bool,
    points: i64,
    now: DateTime<Utc>,
) -> Result<Priced> {
    if cart.is_empty() {
        return Err(AppError::invalid("Your cart is empty.").into());
    }
    if let Some((line, notice)) = cart
        .lines
        .iter()
        .find_map(|l| l.notice().filter(|n| n.blocks_checkout()).map(|n| (l, n)))
    {
        return Err(AppError::invalid(format!(
            "{} ({}): {}",
            line.product_name,
            line.variant_label,
            notice.message()
        ))
        .into());
    }
    let code = match normalise_code(&form.discount_code) {
        Some(code) => Some(discounts::usable(conn, &code, customer_key, lock_code).await?),
        None => None,
    };
    let items: Vec<Item> = cart
        .lines
        .iter()
        .map(|line| Item {
            variant: line.variant_id,
            unit_price: line.price_each(),
            quantity: line.quantity.unsigned_abs(),
        })
        .collect();
    let delivery = DeliveryRules::for_items(conn, &form.address.country, &items)
        .await?
        .price(
            &items,
            &form.address.country,
            &form.shipping_method,
            code.as_ref(),
            points,
            now,
        )?;
    Ok(Priced {
        summary: CheckoutSummary {
            quote: delivery.quote.clone(),
            shipping: delivery.shipping.clone(),
            discount_code: code.map(|c| c.code),
            subscriptions: cart
                .lines
                .iter()
                .filter_map(|l| {
                    l.every.map(|every| {
                        format!(
                            "{} ({}) × {}, delivered {}",
                            l.product_name,
                            l.variant_label,
                            l.quantity,
                            every.label()
                        )
                    })
                })
                .collect(),
        },
        lines: cart.lines.clone(),
        delivery,
    })
}

/// An item to price: a variant at a unit price, so many times.
#[derive(Clone, Copy, Debug)]
pub struct Item {
    pub variant: VariantId,
    pub unit_price: Money,
    pub quantity: u32,
}

/// What a delivery costs, and what it was priced with.
#[derive(Clone, Debug)]
pub struct PricedDelivery {
    pub quote: Quote,
    pub shipping: ShippingOption,
    /// Each item's tax rate (basis points), in the order of the items.
    pub rates: Vec<u32>,
    pub prices_include_tax: bool,
}

/// What pricing deliveries reads, read once for several: the destinations and their methods,
/// the tax rates of `countries` by kind of product, and the kind of each variant.
pub struct DeliveryRules {
    destinations: Vec<Destination>,
    tax_rates: HashMap<String, HashMap<ProductKind, TaxRate>>,
    kinds: HashMap<VariantId, ProductKind>,
}

impl DeliveryRules {
    /// The rules for pricing `items` delivered to `country`.
    pub async fn for_items(
        conn: &mut PgConnection,
        country: &str,
        items: &[Item],
    ) -> Result<DeliveryRules> {
        let variants: Vec<_> = items.iter().map(|i| i.variant).collect();
        Self::load(conn, &[country], &variants).await
    }

    pub async fn load(
        conn: &mut PgConnection,
        countries: &[&str],
        variants: &[VariantId],
    ) -> Result<DeliveryRules> {
        let destinations = repo::destinations(conn).await?;
        let mut tax_rates = HashMap::new();
        for country in countries {
            let country = country.trim().to_ascii_uppercase();
            if let std::collections::hash_map::Entry::Vacant(slot) = tax_rates.entry(country) {
                let rates = repo::tax_rates(conn, slot.key()).await?;
                slot.insert(rates);
            }
        }
        let kinds = repo::variant_kinds(conn, variants).await?;
        Ok(DeliveryRules {
            destinations,
            tax_rates,
            kinds,
        })
    }

    /// Price `items` delivered to `country` by `method` (the country's first method when it
    /// offers no such one) with an optional code, exactly as checkout prices a cart: the
    /// destination's tax rates by kind of product, shipping and its free threshold, and the
    /// code's share per line, then loyalty points worth `points` (minor units; renewals spend
    /// none). Renewals are priced with it too. `country` and the items' variants must be among
    /// those the rules were loaded for.
    pub fn price(
        &self,
        items: &[Item],
        country: &str,
        method: &str,
        code: Option<&crate::discounts::model::DiscountTerms>,
        points: i64,
        now: DateTime<Utc>,
    ) -> Result<PricedDelivery> {
        let country = country.trim().to_ascii_uppercase();
        let destination = self
            .destinations
            .iter()
            .find(|d| d.code == country)
            .ok_or_else(|| AppError::field("address[country]", "Choose a country we ship to."))?;
        let shipping: ShippingOption = destination
            .methods
            .iter()
            .find(|m| m.code == method)
            .or_else(|| destination.methods.first())
            .cloned()
            .ok_or_else(|| AppError::field("shipping_method", "Choose how to ship."))?;
        let no_rates = HashMap::new();
        let tax_rates = self.tax_rates.get(&country).unwrap_or(&no_rates);
        let rates = items
            .iter()
            .map(|item| {
                self.kinds
                    .get(&item.variant)
                    .and_then(|kind| tax_rates.get(kind))
                    .map(|rate| rate.0)
                    .ok_or_else(|| {
                        AppError::field("address[country]", "We can't ship these items there.")
                    })
            })
            .collect::<std::result::Result<Vec<u32>, AppError>>()?;
        let priced: Vec<PricedLine> = items
            .iter()
            .zip(&rates)
            .map(|(item, rate)| PricedLine {
                unit_price: item.unit_price,
                quantity: item.quantity,
                tax_rate: TaxRate(*rate),
            })
            .collect();
        let charge = ShippingCharge {
            price: shipping.price,
            free_from: shipping.free_from,
            tax_rate: destination.shipping_tax,
        };
        let mode = if destination.prices_include_tax {
            TaxMode::Included
        } else {
            TaxMode::Added
        };
        let quote = quote(&priced, &charge, code, points, mode, now).map_err(|e| match e {
            PricingError::Discount(refusal) => {
                AppError::field("discount_code", refusal.to_string())
            }
            PricingError::Empty => AppError::invalid("There is nothing to deliver."),
            PricingError::Money(_) => AppError::invalid("This order is too large to take online."),
        })?;
        Ok(PricedDelivery {
            quote,
            shipping,
            rates,
            prices_include_tax: destination.prices_include_tax,
        })
    }
}

async fn current_cart(
    state: &AppState,
    session: &AuthSession,
    conn: &mut PgConnection,
) -> Result<Option<(CartId, Cart)>> {
    let Some(cart) = checkout_cart(state, session, conn).await? else {
        return Ok(None);
    };
    let lines = cart_repo::lines(conn, cart, sellable_expiry_after(state.clock.today())).await?;
    Ok(Some((cart, Cart { lines })))
}

/// The summary for the form as it stands (no writes): what the order would cost.
#[tracing::instrument(skip_all)]
pub async fn summary(
    state: &AppState,
    session: &AuthSession,
    meta: &RequestMeta,
    form: &CheckoutForm,
) -> Result<CheckoutSummary> {
    let user = principal_of(state, session)
        .await?
        .map(|p| p.viewer.user_id);
    let customer = match user {
        Some(user) => Some(user.to_string()),
        None => check_email(&form.email).ok().map(|e| e.to_lowercase()),
    };
    let mut conn = state.db.acquire().await?;
    let points = match user {
        Some(user) if form.use_points => {
            crate::loyalty::model::minor_for_points(loyalty::available(state, user).await?)
        }
        Some(_) | None => 0,
    };
    let Some((cart_id, cart)) = current_cart(state, session, &mut conn).await? else {
        return Err(AppError::invalid("Your cart is empty.").into());
    };
    // Guessing codes: a cart and an address may try only so many codes that don't exist.
    let code_given = normalise_code(&form.discount_code).is_some();
    let (cart_key, ip_key) = (cart_id.to_string(), meta.ip_key());
    if code_given {
        ratelimit::peek(&mut conn, ratelimit::UNKNOWN_CODES_PER_CART, &cart_key).await?;
        ratelimit::peek(&mut conn, ratelimit::UNKNOWN_CODES_PER_IP, &ip_key).await?;
    }
    let priced = price(
        &mut conn,
        &cart,
        form,
        customer.as_deref(),
        false,
        points,
        state.clock.now(),
    )
    .await;
    if let Err(ServiceError::Refused(refusal)) = &priced
        && refusal
            .field_message("discount_code")
            .is_some_and(|m| m.starts_with(UNKNOWN_CODE))
    {
        for (limit, key) in [
            (ratelimit::UNKNOWN_CODES_PER_CART, &cart_key),
            (ratelimit::UNKNOWN_CODES_PER_IP, &ip_key),
        ] {
            ratelimit::record(&mut conn, limit, key).await?;
        }
    }
    Ok(priced?.summary)
}

/// Start paying. In one transaction, under the cart's lock: price the cart, and either find
/// this cart's pending order placed with the very same details (a second click or tab: it is
/// reused) or place the order, holding its stock (first expiry, first out) and its discount
/// code. A pending order with other details is superseded first, outside any transaction (its
/// PaymentIntent is cancelled at Stripe). Then the order's PaymentIntent, keyed by its id.
#[tracing::instrument(skip_all)]
pub async fn start(
    state: &AppState,
    session: &AuthSession,
    meta: &RequestMeta,
    form: &CheckoutForm,
) -> Result<PaymentStart> {
    let buyer = buyer(state, session, form).await;
    let address = {
        let mut conn = state.db.acquire().await?;
        checked_address(&mut conn, &form.address).await
    };
    let (buyer, address) = match (buyer, address) {
        (Ok(buyer), Ok(address)) => (buyer, address),
        (Err(a), Err(b)) => return Err(both(a, b)),
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    let cart = {
        let mut conn = state.db.acquire().await?;
        checkout_cart(state, session, &mut conn).await?
    }
    .ok_or_else(|| AppError::invalid("Your cart is empty."))?;
    limit_starts(state, meta, cart, &buyer.email).await?;
    // Twice at most: supersede what a changed cart left pending, then place.
    for _ in 0..2 {
        match place(state, &buyer, &address, cart, form).await? {
            Placement::Placed(order) => {
                if buyer.user.is_none() {
                    session.add_guest_order(order).await?;
                }
                return payment_for(state, order).await;
            }
            Placement::Reused(order) => return payment_for(state, order).await,
            Placement::Superseding(earlier) => {
                for order in earlier {
                    cancel_unpaid(
                        state,
                        order,
                        OrderEventKind::Superseded,
                        "Checkout was started again; this attempt was replaced.",
                        None,
                    )
                    .await?;
                }
            }
        }
    }
    Err(AppError::invalid(
        "Your cart was checked out from another window at the same moment. Reload the page and try again.",
    )
    .into())
}

/// Checkout starts hold stock and create PaymentIntents: a bounded number per cart (one
/// browser session), address and email, so nobody can hoard the shelves or test cards.
async fn limit_starts(
    state: &AppState,
    meta: &RequestMeta,
    cart: CartId,
    email: &str,
) -> Result<()> {
    let mut conn = state.db.acquire().await?;
    ratelimit::hit(&mut conn, ratelimit::CHECKOUT_PER_CART, &cart.to_string()).await?;
    ratelimit::hit(&mut conn, ratelimit::CHECKOUT_PER_IP, &meta.ip_key()).await?;
    ratelimit::hit(&mut conn, ratelimit::CHECKOUT_PER_EMAIL, email).await?;
    Ok(())
}

enum Placement {
    Placed(OrderId),
    Reused(OrderId),
    /// Pending orders of this cart started with other details: cancel them, then place.
    Superseding(Vec<OrderId>),
}

/// What a checkout is started with, hashed: equal keys mean the same order would be placed.
/// Read from the cart and the form, not from pricing, so a second click is recognised even
/// when the first one's hold leaves no stock to price against.
fn checkout_key(
    buyer: &Buyer,
    address: &Address,
    form: &CheckoutForm,
    lines: &[CartLine],
) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    let mut part = |text: &str| {
        hash.update((text.len() as u64).to_be_bytes());
        hash.update(text.as_bytes());
    };
    part(&buyer.email);
    for field in [
        &address.name,
        &address.line1,
        &address.line2,
        &address.postal_code,
        &address.city,
        &address.country,
    ] {
        part(field);
    }
    part(form.shipping_method.trim());
    part(&normalise_code(&form.discount_code).unwrap_or_default());
    part(if form.use_points { "points" } else { "" });
    for line in lines {
        part(&format!(
            "{}x{}@{}{}/{}",
            line.variant_id.0,
            line.quantity,
            line.price_each().minor(),
            line.unit_price.currency().code(),
            line.every.map_or(0, |e| e.months())
        ));
    }
    hash.finalize().to_vec()
}

pub const SUBSCRIBING_NEEDS_AN_ACCOUNT: &str = "A subscription belongs to an account: sign in or create one to check out, or choose one-time for those items in your cart.";

/// The transaction of [`start`]: under the cart's lock, reuse, supersede or place.
async fn place(
    state: &AppState,
    buyer: &Buyer,
    address: &Address,
    cart: CartId,
    form: &CheckoutForm,
) -> Result<Placement> {
    let order = OrderId(uuid::Uuid::now_v7());
    let mut tx = state.db.begin().await?;
    cart_repo::lock(&mut tx, cart).await?;
    let lines = cart_repo::lines(&mut tx, cart, sellable_expiry_after(state.clock.today())).await?;
    if buyer.user.is_none() && lines.iter().any(|l| l.every.is_some()) {
        return Err(AppError::invalid(SUBSCRIBING_NEEDS_AN_ACCOUNT).into());
    }
    let key = checkout_key(buyer, address, form, &lines);
    let pending = orders::pending_checkouts(&mut tx, cart).await?;
    if let Some(same) = pending
        .iter()
        .find(|p| p.checkout_key.as_deref() == Some(key.as_slice()))
    {
        return Ok(Placement::Reused(same.order));
    }
    if !pending.is_empty() {
        return Ok(Placement::Superseding(
            pending.into_iter().map(|p| p.order).collect(),
        ));
    }
    let now = state.clock.now();
    // The customer's points stay locked until the order holds what it spends.
    let points = match buyer.user {
        Some(user) if form.use_points => loyalty::spendable(&mut tx, user, now).await?,
        Some(_) | None => 0,
    };
    let priced = price(
        &mut tx,
        &Cart { lines },
        form,
        Some(&buyer.customer_key),
        true,
        points,
        now,
    )
    .await?;
    let placing = Placing {
        order,
        cart,
        buyer,
        address,
        key: &key,
    };
    write_cart_order(&mut tx, state, &placing, &priced).await?;
    hold_stock_and_code(&mut tx, state, &placing, &priced).await?;
    let q = &priced.summary.quote;
    if let Some(user) = buyer.user
        && q.points.minor() > 0
    {
        loyalty::spend(&mut tx, user, order, q.points.minor(), now).await?;
    }
    orders::record(
        &mut tx,
        order,
        &NewEvent {
            kind: OrderEventKind::Placed,
            status: OrderStatus::PendingPayment,
            detail: "Order placed; stock held while payment is completed.",
            amount: Some(q.total.minor()),
            actor: buyer.user,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Placement::Placed(order))
}

/// The order being placed: its id, whose cart, who buys it, where it goes, and the key of what
/// the checkout was started with.
struct Placing<'a> {
    order: OrderId,
    cart: CartId,
    buyer: &'a Buyer,
    address: &'a Address,
    key: &'a [u8],
}

/// Write the cart's order and its lines, priced as quoted, reserved for
/// [`RESERVATION_MINUTES`].
async fn write_cart_order(
    tx: &mut PgConnection,
    state: &AppState,
    placing: &Placing<'_>,
    priced: &Priced,
) -> Result<()> {
    let Placing {
        order,
        cart,
        buyer,
        address,
        key,
    } = *placing;
    let lines: Vec<Sold> = priced
        .lines
        .iter()
        .map(|line| Sold {
            variant: line.variant_id,
            sku: &line.sku,
            product_name: &line.product_name,
            variant_label: &line.variant_label,
            unit_price: line.price_each(),
            quantity: line.quantity,
            every: line.every,
            list_price: line.unit_price,
        })
        .collect();
    write_order(
        tx,
        &state.vault,
        &Buying {
            order,
            user: buyer.user,
            email: &buyer.email,
            address,
            discount_code: priced.summary.discount_code.as_deref(),
            reserved_until: state.clock.now() + chrono::TimeDelta::minutes(RESERVATION_MINUTES),
            from: Origin::Cart { cart, key },
        },
        &priced.delivery,
        &lines,
    )
    .await
}

/// Who buys a new order, where it goes, how long its stock is held, and what it comes from.
pub struct Buying<'a> {
    pub order: OrderId,
    pub user: Option<UserId>,
    pub email: &'a str,
    pub address: &'a Address,
    pub discount_code: Option<&'a str>,
    pub reserved_until: DateTime<Utc>,
    pub from: Origin<'a>,
}

/// Where a new order comes from.
pub enum Origin<'a> {
    /// A cart checked out with `key` (the hash of what the checkout was started with).
    Cart { cart: CartId, key: &'a [u8] },
    /// A subscription's delivery due on a date.
    Renewal(SubscriptionId, NaiveDate),
}

/// Write a new order and its lines (`lines` in the order `delivery` priced them) as `delivery`
/// priced them: every order, from a cart or a renewal, is written here.
pub async fn write_order(
    tx: &mut PgConnection,
    vault: &crate::vault::Vault,
    buying: &Buying<'_>,
    delivery: &PricedDelivery,
    lines: &[Sold<'_>],
) -> Result<()> {
    let q = &delivery.quote;
    let (cart, checkout_key, renews) = match buying.from {
        Origin::Cart { cart, key } => (Some(cart), Some(key), None),
        Origin::Renewal(subscription, due_on) => (None, None, Some((subscription, due_on))),
    };
    orders::insert(
        &mut *tx,
        vault,
        &NewOrder {
            id: buying.order,
            user: buying.user,
            cart,
            email: buying.email,
            currency: q.total.currency(),
            subtotal: q.subtotal.minor(),
            discount: q.discount.minor(),
            points: q.points.minor(),
            shipping: q.shipping.minor(),
            tax: q.tax.minor(),
            total: q.total.minor(),
            prices_include_tax: delivery.prices_include_tax,
            discount_code: buying.discount_code,
            address: buying.address,
            shipping_method: &delivery.shipping.code,
            carrier: &delivery.shipping.carrier,
            reserved_until: buying.reserved_until,
            checkout_key,
            renews,
        },
    )
    .await?;
    for (position, ((line, quoted), rate)) in
        lines.iter().zip(&q.lines).zip(&delivery.rates).enumerate()
    {
        orders::insert_line(
            &mut *tx,
            buying.order,
            i32::try_from(position + 1).unwrap_or(i32::MAX),
            &NewLine {
                sold: line,
                discount: quoted.discount.minor(),
                tax_rate_bp: i32::try_from(*rate).unwrap_or(0),
                tax: quoted.tax.minor(),
            },
        )
        .await?;
    }
    Ok(())
}

/// Hold the order's stock, first expiry first, and redeem its discount code; a line that can no
/// longer be served, or a code used up meanwhile, refuses the whole checkout (the caller's
/// transaction is dropped, undoing the order and every hold made so far).
async fn hold_stock_and_code(
    tx: &mut PgConnection,
    state: &AppState,
    placing: &Placing<'_>,
    priced: &Priced,
) -> Result<()> {
    let Placing { order, buyer, .. } = *placing;
    // Reserve in variant order, so checkouts sharing items lock lots in the same order.
    let mut by_variant: Vec<usize> = (0..priced.lines.len()).collect();
    by_variant.sort_by_key(|i| priced.lines[*i].variant_id.0);
    for index in by_variant {
        let line = &priced.lines[index];
        if let Err(short) = inventory::reserve(
            &mut *tx,
            order,
            line.variant_id,
            i64::from(line.quantity),
            state.clock.today(),
        )
        .await?
        {
            // Dropping the transaction undoes the order and every hold made so far.
            let what = format!("{} ({})", line.product_name, line.variant_label);
            return Err(AppError::invalid(match short.available {
                0 => format!("Sorry, {what} has just sold out. Your cart is unchanged; remove it to check out."),
                n => format!("Only {n} of {what} are left. Lower the quantity in your cart to check out."),
            })
            .into());
        }
    }
    if let Some(code) = &priced.summary.discount_code
        && !discounts_repo::redeem(&mut *tx, code, order, &buyer.customer_key).await?
    {
        return Err(AppError::field(
            "discount_code",
            format!("The code {code} has just been used up."),
        )
        .into());
    }
    Ok(())
}

/// Two refusals as one, so every field problem shows at once.
fn both(a: ServiceError, b: ServiceError) -> ServiceError {
    match (a, b) {
        (
            ServiceError::Refused(AppError::Unprocessable {
                message,
                mut fields,
            }),
            ServiceError::Refused(AppError::Unprocessable { fields: more, .. }),
        ) => {
            fields.extend(more);
            ServiceError::Refused(AppError::Unprocessable { message, fields })
        }
        (first, _) => first,
    }
}
