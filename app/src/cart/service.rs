//! Cart use cases. A signed-in customer's cart belongs to their account; a guest's cart id lives
//! in the session until sign-in, when it is merged into the account's cart.

use super::model::{Cart, CartLine, MAX_LINE_QUANTITY};
use super::repo;
use crate::accounts::authz::principal_of;
use crate::accounts::session::AuthSession;
use crate::catalog::model::Cadence;
use crate::error::{AppError, ServiceError};
use crate::ids::{CartId, UserId, VariantId};
use crate::inventory::model::sellable_expiry_after;
use crate::state::AppState;
use chrono::NaiveDate;
use sqlx::PgConnection;

type Result<T> = std::result::Result<T, ServiceError>;

/// Whose cart a request works on.
#[derive(Clone, Copy, Debug)]
enum Holder {
    Customer(UserId),
    /// A guest, with the cart their session remembers (if any).
    Guest(Option<CartId>),
}

async fn holder(state: &AppState, session: &AuthSession) -> Result<Holder> {
    Ok(match principal_of(state, session).await? {
        Some(principal) => Holder::Customer(principal.viewer.user_id),
        None => Holder::Guest(session.guest_cart().await?),
    })
}

/// The holder's cart if there is one (a guest's id from a swept cart counts as none).
async fn existing(conn: &mut PgConnection, holder: Holder) -> Result<Option<CartId>> {
    Ok(match holder {
        Holder::Customer(user) => repo::cart_of_user(conn, user).await?,
        Holder::Guest(Some(cart)) if repo::guest_cart_exists(conn, cart).await? => Some(cart),
        Holder::Guest(_) => None,
    })
}

async fn lines(conn: &mut PgConnection, cart: Option<CartId>, today: NaiveDate) -> Result<Cart> {
    let Some(cart) = cart else {
        return Ok(Cart::default());
    };
    let lines = repo::lines(conn, cart, sellable_expiry_after(today)).await?;
    Ok(Cart { lines })
}

/// The cart checkout works on, if the visitor has one.
pub async fn checkout_cart(
    state: &AppState,
    session: &AuthSession,
    conn: &mut PgConnection,
) -> Result<Option<CartId>> {
    let holder = holder(state, session).await?;
    existing(conn, holder).await
}

#[tracing::instrument(skip_all)]
pub async fn view(state: &AppState, session: &AuthSession) -> Result<Cart> {
    let holder = holder(state, session).await?;
    if let Holder::Guest(None) = holder {
        // Most visitors: every page shows the cart link, and this costs no database trip.
        return Ok(Cart::default());
    }
    let mut conn = state.db.acquire().await?;
    let cart = existing(&mut conn, holder).await?;
    lines(&mut conn, cart, state.clock.today()).await
}

/// Add `quantity` more of `variant`, if stock allows the new total, bought once or subscribed
/// to as `every` says (the line takes the latest choice).
#[tracing::instrument(skip_all, fields(variant = %variant))]
pub async fn add(
    state: &AppState,
    session: &AuthSession,
    variant: VariantId,
    quantity: i32,
    every: Option<Cadence>,
) -> Result<Cart> {
    change(state, session, variant, Some(every), |have| {
        have.saturating_add(quantity)
    })
    .await
}

/// Buy the line once, or subscribe to it (`every`), keeping its quantity.
#[tracing::instrument(skip_all, fields(variant = %variant))]
pub async fn set_every(
    state: &AppState,
    session: &AuthSession,
    variant: VariantId,
    every: Option<Cadence>,
) -> Result<Cart> {
    change(state, session, variant, Some(every), |have| have).await
}

/// Set the line's quantity (0 removes it). Setting it also acknowledges a changed price.
#[tracing::instrument(skip_all, fields(variant = %variant))]
pub async fn set_quantity(
    state: &AppState,
    session: &AuthSession,
    variant: VariantId,
    quantity: i32,
) -> Result<Cart> {
    if quantity == 0 {
        return remove(state, session, variant).await;
    }
    change(state, session, variant, None, |_| quantity).await
}

#[tracing::instrument(skip_all, fields(variant = %variant))]
pub async fn remove(state: &AppState, session: &AuthSession, variant: VariantId) -> Result<Cart> {
    let holder = holder(state, session).await?;
    let mut tx = state.db.begin().await?;
    let cart = existing(&mut tx, holder).await?;
    if let Some(cart) = cart {
        repo::remove_line(&mut tx, cart, variant).await?;
    }
    let view = lines(&mut tx, cart, state.clock.today()).await?;
    tx.commit().await?;
    Ok(view)
}

async fn change(
    state: &AppState,
    session: &AuthSession,
    variant: VariantId,
    every: Option<Option<Cadence>>,
    new_quantity: impl FnOnce(i32) -> i32,
) -> Result<Cart> {
    let holder = holder(state, session).await?;
    let mut tx = state.db.begin().await?;
    let (cart, made_for_guest) = match (existing(&mut tx, holder).await?, holder) {
        (Some(cart), _) => (cart, false),
        (None, Holder::Customer(user)) => (repo::ensure_user_cart(&mut tx, user).await?, false),
        (None, Holder::Guest(_)) => (repo::create_guest_cart(&mut tx).await?, true),
    };
    repo::lock(&mut tx, cart).await?;
    let have = repo::quantity_of(&mut tx, cart, variant).await?;
    let want = new_quantity(have);
    if want < 1 {
        return Err(AppError::invalid("That item is no longer in your cart.").into());
    }
    if want > MAX_LINE_QUANTITY {
        return Err(AppError::invalid(format!(
            "You can buy at most {MAX_LINE_QUANTITY} of one item per order."
        ))
        .into());
    }
    if !repo::set_line(&mut tx, cart, variant, want, every).await? {
        return Err(AppError::invalid("Sorry, that product is no longer sold.").into());
    }
    let view = lines(&mut tx, Some(cart), state.clock.today()).await?;
    let line = view.lines.iter().find(|l| l.variant_id == variant);
    if line.is_some_and(|l| l.every.is_some() && l.subscribe.is_none()) {
        return Err(AppError::field(
            "every",
            "Subscribe and save isn't offered for this product; choose one-time.",
        )
        .into());
    }
    if let Some(line) = line.filter(|l| i64::from(want) > l.available) {
        // Dropping the transaction leaves the cart as it was.
        return Err(AppError::invalid(short_of_stock(line, have)).into());
    }
    tx.commit().await?;
    if made_for_guest {
        session.set_guest_cart(cart).await?;
    }
    Ok(view)
}

fn short_of_stock(line: &CartLine, in_cart: i32) -> String {
    let what = format!("{} ({})", line.product_name, line.variant_label);
    match (line.available, in_cart) {
        (n, _) if n <= 0 => format!("Sorry, {what} has just sold out."),
        (n, 0) => format!("Only {n} of {what} left."),
        (n, have) => format!("Only {n} of {what} left, and your cart already holds {have}."),
    }
}

/// After sign-in: the guest cart this browser filled joins the customer's cart.
#[tracing::instrument(skip_all)]
pub async fn adopt_guest_cart(state: &AppState, session: &AuthSession, user: UserId) -> Result<()> {
    let Some(guest) = session.guest_cart().await? else {
        return Ok(());
    };
    let mut tx = state.db.begin().await?;
    if repo::guest_cart_exists(&mut tx, guest).await? {
        let cart = repo::ensure_user_cart(&mut tx, user).await?;
        repo::merge_into(&mut tx, guest, cart).await?;
    }
    tx.commit().await?;
    session.forget_guest_cart().await?;
    Ok(())
}

/// A guest cart nobody touched for this long is deleted (the session that knew it is long gone).
const GUEST_CART_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::days(30);

pub async fn sweep_abandoned_guest_carts(
    conn: &mut PgConnection,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<u64> {
    Ok(repo::sweep_guest_carts(conn, now - GUEST_CART_LIFETIME).await?)
}
