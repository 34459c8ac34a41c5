//! Subscription use cases: a subscription starts in the transaction that books its first
//! order's payment; its customer sees what the next delivery will cost and changes it (skip,
//! pause, resume, interval, quantity, size, address, card, cancel), each change an entry in its
//! history.

use super::model::{
    AdminSubscription, AdminSubscriptionPage, Change, RenewalStatus, SizeOption,
    SubscriptionEventKind, SubscriptionStatus, SubscriptionView, UnitsDue, add_cadence, long_date,
    renewal_unit_price, retryable,
};
use super::repo::{self, NewSubscription, Row};
use crate::checkout::service::{DeliveryRules, Item, checked_address};
use crate::error::{AppError, ServiceError};
use crate::ids::{SubscriptionId, UserId, VariantId};
use crate::orders::hooks::PaidOrder;
use crate::orders::model::AddressForm;
use crate::state::AppState;
use crate::ui::CardSetup;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

type Result<T> = std::result::Result<T, ServiceError>;

/// Start a subscription for each subscribed line of a paid order, with the card its payment
/// saved. Runs in the payment's transaction; a repeated payment event starts nothing twice.
pub async fn start_from_order(
    state: &AppState,
    conn: &mut PgConnection,
    paid: &PaidOrder,
) -> Result<()> {
    let lines = repo::starting_lines(conn, paid.order).await?;
    if lines.is_empty() {
        return Ok(());
    }
    let (Some(user), Some(customer), Some(method)) =
        (paid.user, &paid.customer, &paid.payment_method)
    else {
        // Checkout makes a subscription's first payment for an account and saves its card;
        // without them nothing could renew, so nothing pretends to.
        tracing::error!(order = %paid.order, "subscription order paid without an account and a saved card; no subscription started");
        return Ok(());
    };
    for line in &lines {
        let id = SubscriptionId(uuid::Uuid::now_v7());
        let next = add_cadence(paid.today, line.every);
        let started = repo::insert(
            conn,
            &state.vault,
            &NewSubscription {
                id,
                user,
                order: paid.order,
                line,
                next_renewal_on: next,
                stripe_customer: customer,
                payment_method: method,
            },
        )
        .await?;
        if started {
            let detail = format!(
                "Subscribed: {} per delivery, {}, at {} each; the first renewal is on {}.",
                line.quantity,
                line.every.label(),
                line.unit_price,
                long_date(next)
            );
            repo::record(
                conn,
                id,
                SubscriptionEventKind::Started,
                &detail,
                Some(user),
            )
            .await?;
        }
    }
    Ok(())
}

/// The rules that price the next deliveries of `rows`, read once for all of them.
async fn rules_for(conn: &mut PgConnection, rows: &[&Row]) -> Result<DeliveryRules> {
    let countries: Vec<&str> = rows.iter().map(|r| r.address.country.as_str()).collect();
    let variants: Vec<_> = rows.iter().map(|r| r.variant).collect();
    DeliveryRules::load(conn, &countries, &variants).await
}

/// What `row`'s next delivery costs under the price rule, delivered as at checkout.
fn view_of(
    row: Row,
    rules: &DeliveryRules,
    now: DateTime<Utc>,
    history: Vec<super::model::SubscriptionEvent>,
    sizes: Vec<SizeOption>,
) -> Result<SubscriptionView> {
    let today = now.date_naive();
    let schedule = row.schedule.as_of(today);
    let renewal = schedule.next_renewal_number();
    let unit = renewal_unit_price(renewal, row.locked_unit_price, row.list_price, row.offer);
    let quantity = schedule.quantity.unsigned_abs();
    let items = unit
        .checked_mul(quantity)
        .map_err(|_| AppError::invalid("This subscription is too large to price."))?;
    let delivery = rules.price(
        &[Item {
            variant: row.variant,
            unit_price: unit,
            quantity,
        }],
        &row.address.country,
        &row.shipping_method,
        None,
        0,
        now,
    );
    let (next_shipping, next_total) = match delivery {
        Ok(priced) => (Some(priced.quote.shipping), Some(priced.quote.total)),
        Err(ServiceError::Refused(_)) => (None, None),
        Err(other) => return Err(other),
    };
    Ok(SubscriptionView {
        id: row.id,
        product_name: row.product_name,
        product_slug: row.product_slug,
        variant_id: row.variant,
        variant_label: row.variant_label,
        sku: row.sku,
        schedule,
        next_items: items,
        next_unit_price: unit,
        price_locked: renewal <= super::model::PRICE_LOCKED_RENEWALS,
        next_shipping,
        next_total,
        ships_to: format!(
            "{}, {}, {}",
            row.address.name, row.address.city, row.address.country
        ),
        address: row.address,
        sizes,
        started_on: row.created_at.date_naive(),
        cancel_reason: row.cancel_reason,
        history,
    })
}

/// The customer's subscriptions with their next delivery and history.
#[tracing::instrument(skip_all)]
pub async fn mine(state: &AppState, user: UserId) -> Result<Vec<SubscriptionView>> {
    let mut conn = state.db.acquire().await?;
    let rows = repo::of_user(&mut conn, &state.vault, user).await?;
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    let mut histories = repo::histories(&mut conn, &ids).await?;
    let variants: Vec<_> = rows.iter().map(|r| r.variant).collect();
    let sizes = repo::sizes(&mut conn, &variants).await?;
    let rules = rules_for(&mut conn, &rows.iter().collect::<Vec<_>>()).await?;
    let now = state.clock.now();
    rows.into_iter()
        .map(|row| {
            let history = histories.remove(&row.id).unwrap_or_default();
            let sizes = sizes.get(&row.variant).cloned().unwrap_or_default();
            view_of(row, &rules, now, history, sizes)
        })
        .collect()
}

/// Write what happened to `id` (if anything) in its history, commit, and show it as it now is.
async fn changed(
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    vault: &crate::vault::Vault,
    id: SubscriptionId,
    user: UserId,
    what: Option<(SubscriptionEventKind, &str)>,
    now: DateTime<Utc>,
) -> Result<SubscriptionView> {
    if let Some((kind, detail)) = what {
        repo::record(&mut tx, id, kind, detail, Some(user)).await?;
    }
    let row = repo::lock(&mut tx, vault, id, user)
        .await?
        .ok_or(AppError::NotFound)?;
    let history = repo::histories(&mut tx, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let sizes = repo::sizes(&mut tx, &[row.variant])
        .await?
        .remove(&row.variant)
        .unwrap_or_default();
    let rules = rules_for(&mut tx, &[&row]).await?;
    let view = view_of(row, &rules, now, history, sizes)?;
    tx.commit().await?;
    Ok(view)
}

/// One of the user's live subscriptions, locked, as it stands today; refused when its
/// delivery due now is being charged (a change then could not apply to it).
async fn lock_live(
    tx: &mut PgConnection,
    vault: &crate::vault::Vault,
    id: SubscriptionId,
    user: UserId,
    today: chrono::NaiveDate,
) -> Result<Row> {
    let mut row = repo::lock(tx, vault, id, user)
        .await?
        .ok_or(AppError::NotFound)?;
    row.schedule = row.schedule.as_of(today);
    if row.schedule.status == SubscriptionStatus::Cancelled {
        return Err(AppError::invalid(
            "This subscription was cancelled. Subscribe again from the product page.",
        )
        .into());
    }
    if repo::being_charged(tx, id, row.schedule.next_renewal_on).await? {
        return Err(AppError::invalid(format!(
            "The delivery of {} is being paid for right now. Try again in a minute: the change will apply from the next one.",
            long_date(row.schedule.next_renewal_on)
        ))
        .into());
    }
    Ok(row)
}

/// Deliver `variant` (another size of the same product) from the next delivery on, at
/// today's subscriber price for it. The sign-up price rule goes on counting from the start:
/// the new size keeps its price for the renewals the lock has left.
#[tracing::instrument(skip_all, fields(subscription = %id))]
pub async fn swap_size(
    state: &AppState,
    user: UserId,
    id: SubscriptionId,
    variant: VariantId,
) -> Result<SubscriptionView> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let row = lock_live(&mut tx, &state.vault, id, user, now.date_naive()).await?;
    if variant == row.variant {
        return Err(AppError::field(
            "variant",
            format!("It is already {} per delivery.", row.variant_label),
        )
        .into());
    }
    let sizes = repo::sizes(&mut tx, &[row.variant])
        .await?
        .remove(&row.variant)
        .unwrap_or_default();
    let Some(size) = sizes.into_iter().find(|s| s.variant == variant) else {
        return Err(AppError::field(
            "variant",
            "Choose one of the sizes offered for this product.",
        )
        .into());
    };
    let discount_bp = row.offer.map_or(0, |o| o.discount_bp);
    repo::set_variant(&mut tx, id, variant, size.unit_price, discount_bp).await?;
    let said = format!(
        "Now {} at {} each (was {} at {}), from the delivery on {}.",
        size.label,
        size.unit_price,
        row.variant_label,
        row.locked_unit_price,
        long_date(row.schedule.next_renewal_on)
    );
    changed(
        tx,
        &state.vault,
        id,
        user,
        Some((SubscriptionEventKind::VariantSwapped, &said)),
        now,
    )
    .await
}

/// Send deliveries to `form` from the next one on. The shipping method stays when the new
/// country offers it, else the country's first.
#[tracing::instrument(skip_all, fields(subscription = %id))]
pub async fn move_deliveries(
    state: &AppState,
    user: UserId,
    id: SubscriptionId,
    form: &AddressForm,
) -> Result<SubscriptionView> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let row = lock_live(&mut tx, &state.vault, id, user, now.date_naive()).await?;
    let address = checked_address(&mut tx, form).await?;
    if address == row.address {
        return Err(AppError::invalid("Deliveries already go to this address.").into());
    }
    let destinations = crate::checkout::repo::destinations(&mut tx).await?;
    let methods = destinations
        .iter()
        .find(|d| d.code == address.country)
        .map(|d| d.methods.as_slice())
        .unwrap_or_default();
    let method = methods
        .iter()
        .find(|m| m.code == row.shipping_method)
        .or_else(|| methods.first())
        .ok_or_else(|| AppError::field("address[country]", "Choose a country we ship to."))?;
    repo::set_address(&mut tx, &state.vault, (id, user), &address, &method.code).await?;
    // The history names no street or person: what it says is kept in the clear.
    let said = format!(
        "Deliveries now go to a new address in {} by {}.",
        address.country, method.name,
    );
    changed(
        tx,
        &state.vault,
        id,
        user,
        Some((SubscriptionEventKind::AddressChanged, &said)),
        now,
    )
    .await
}

/// Make `change` to one of the customer's subscriptions, under its lock, and write why in its
/// history. Returns the subscription as it now is.
#[tracing::instrument(skip_all, fields(subscription = %id))]
pub async fn change(
    state: &AppState,
    user: UserId,
    id: SubscriptionId,
    change: &Change,
) -> Result<SubscriptionView> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let row = repo::lock(&mut tx, &state.vault, id, user)
        .await?
        .ok_or(AppError::NotFound)?;
    let (schedule, said) = row
        .schedule
        .as_of(now.date_naive())
        .apply(change, now.date_naive())?;
    let reason = match change {
        Change::Cancel { reason } => Some(reason.trim()),
        Change::Skip { .. }
        | Change::Pause { .. }
        | Change::Resume
        | Change::Every(_)
        | Change::Quantity(_) => None,
    };
    repo::save(&mut tx, id, &schedule, reason).await?;
    changed(
        tx,
        &state.vault,
        id,
        user,
        Some((change.event(), &said)),
        now,
    )
    .await
}

/// Start saving a new card for one of the customer's live subscriptions: the client secret
/// the browser confirms with Stripe's form (`confirmSetup`).
#[tracing::instrument(skip_all, fields(subscription = %id))]
pub async fn start_card_update(
    state: &AppState,
    user: UserId,
    id: SubscriptionId,
) -> Result<CardSetup> {
    let customer = {
        let mut conn = state.db.acquire().await?;
        repo::customer(&mut conn, id, user)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let key = format!("subscription-card-{id}-{}", uuid::Uuid::new_v4());
    CardSetup::start(&state.payments, &key, &customer).await
}

/// Renewals of the subscription are charged to the card the browser saved with `setup_id`.
/// A subscription on hold for a payment is active again and its delivery is tried at once.
/// Finishing the same setup again changes nothing.
#[tracing::instrument(skip_all, fields(subscription = %id))]
pub async fn finish_card_update(
    state: &AppState,
    user: UserId,
    id: SubscriptionId,
    setup_id: &str,
) -> Result<SubscriptionView> {
    if !setup_id.starts_with("seti_") || setup_id.len() > 255 {
        return Err(AppError::NotFound.into());
    }
    let customer = {
        let mut conn = state.db.acquire().await?;
        repo::customer(&mut conn, id, user)
            .await?
            .ok_or(AppError::NotFound)?
    };
    // A setup Stripe doesn't know, or another customer's, is as unknown as another person's.
    let setup = match state.payments.retrieve_setup(setup_id).await {
        Err(payments::PaymentsError::Refused { .. }) => return Err(AppError::NotFound.into()),
        other => other?,
    };
    if setup.customer.as_deref() != Some(customer.as_str()) {
        return Err(AppError::NotFound.into());
    }
    let method = setup
        .saved_card()
        .map_err(|why| AppError::invalid(format!("The card wasn't saved: {why}")))?
        .to_owned();
    let card = state.payments.saved_card(&method).await?;
    let now = state.clock.now();
    let today = now.date_naive();
    let mut tx = state.db.begin().await?;
    let row = repo::lock(&mut tx, &state.vault, id, user)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut schedule = row.schedule.as_of(today);
    if schedule.status == SubscriptionStatus::Cancelled {
        return Err(AppError::invalid("This subscription was cancelled.").into());
    }
    if row.payment_method == method {
        // Finished already: nothing new to record.
        return changed(tx, &state.vault, id, user, None, now).await;
    }
    repo::set_card(&mut tx, id, &method).await?;
    let mut detail = format!(
        "Renewals are now charged to the {} card ending {}.",
        card.brand, card.last4
    );
    if schedule.status == SubscriptionStatus::PaymentNeeded {
        schedule.status = SubscriptionStatus::Active;
        repo::save(&mut tx, id, &schedule, None).await?;
        repo::retry_renewal_today(&mut tx, id, schedule.next_renewal_on, today).await?;
        detail.push_str(" The delivery that waited for it is ordered now.");
    }
    changed(
        tx,
        &state.vault,
        id,
        user,
        Some((SubscriptionEventKind::CardUpdated, &detail)),
        now,
    )
    .await
}

/// The back office's list. `status`: a status's name or empty for any; `due_by`: YYYY-MM-DD
/// or empty; `email`: part of the customer's email.
#[tracing::instrument(skip_all)]
pub async fn admin_list(
    state: &AppState,
    status: &str,
    due_by: &str,
    email: &str,
    page: i64,
) -> Result<AdminSubscriptionPage> {
    let status = match status.trim() {
        "" => None,
        name => Some(
            SubscriptionStatus::from_db_name(name)
                .ok_or_else(|| AppError::field("status", "Choose a status."))?,
        ),
    };
    let due_by = match due_by.trim() {
        "" => None,
        raw => Some(
            crate::dates::parse_form_date(raw)
                .ok_or_else(|| AppError::field("due_by", "That is not a date."))?,
        ),
    };
    let email = email.trim().chars().take(100).collect::<String>();
    let page = page.max(1);
    let mut conn = state.db.acquire().await?;
    let (rows, total) =
        repo::admin_list(&mut conn, &state.vault, status, due_by, &email, page).await?;
    Ok(AdminSubscriptionPage { rows, total, page })
}

/// What the deliveries due in the next `days` need per variant, next to what lots that last
/// can give.
pub async fn units_due(state: &AppState, days: i64) -> Result<Vec<UnitsDue>> {
    let today = state.clock.today();
    let mut conn = state.db.acquire().await?;
    Ok(repo::units_due(
        &mut conn,
        today + chrono::TimeDelta::days(days),
        i32::try_from(super::renewals::SHELF_LIFE_MARGIN_DAYS).unwrap_or(30),
        crate::inventory::model::sellable_expiry_after(today),
    )
    .await?)
}

/// One subscription for the back office.
async fn admin_view(
    conn: &mut PgConnection,
    vault: &crate::vault::Vault,
    id: SubscriptionId,
    now: DateTime<Utc>,
) -> Result<AdminSubscription> {
    let row = repo::one(conn, vault, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let history = repo::histories(conn, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let sizes = repo::sizes(conn, &[row.variant])
        .await?
        .remove(&row.variant)
        .unwrap_or_default();
    let renewals = repo::renewal_lines(conn, id).await?;
    let email = crate::accounts::repo::email_of(conn, vault, row.user).await?;
    let rules = rules_for(conn, &[&row]).await?;
    let subscription = view_of(row, &rules, now, history, sizes)?;
    let schedule = subscription.schedule;
    let can_retry = renewals
        .iter()
        .find(|r| r.due_on == schedule.next_renewal_on)
        .is_some_and(|r| retryable(schedule.status, r.status));
    Ok(AdminSubscription {
        subscription,
        email,
        renewals,
        can_retry,
    })
}

pub async fn admin_detail(state: &AppState, id: SubscriptionId) -> Result<AdminSubscription> {
    let mut conn = state.db.acquire().await?;
    admin_view(&mut conn, &state.vault, id, state.clock.now()).await
}

/// Support tries the next delivery again now: one waiting for a retry or for stock, or given
/// up on the card (the subscription is active again). In the history and the audit log; then
/// the renewal runs at once, as the job would run it.
#[tracing::instrument(skip_all, fields(subscription = %id))]
pub async fn admin_retry(
    state: &AppState,
    id: SubscriptionId,
    by: &crate::audit::Actor,
) -> Result<AdminSubscription> {
    let today = state.clock.today();
    let mut tx = state.db.begin().await?;
    let sub = repo::lock_for_renewal(&mut tx, &state.vault, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut schedule = sub.schedule.as_of(today);
    let due_on = schedule.next_renewal_on;
    let renewal = repo::lock_renewal(&mut tx, id, due_on).await?;
    let Some(renewal) = renewal.filter(|r| retryable(schedule.status, r.status)) else {
        return Err(AppError::invalid(match schedule.status {
            SubscriptionStatus::Paused | SubscriptionStatus::Cancelled => format!(
                "This subscription is {}: it has no delivery to try again.",
                schedule.status.label().to_lowercase()
            ),
            SubscriptionStatus::Active | SubscriptionStatus::PaymentNeeded => format!(
                "The delivery of {} has nothing to try again: it is not waiting for a retry, for stock or for a card.",
                long_date(due_on)
            ),
        })
        .into());
    };
    if schedule.status == SubscriptionStatus::PaymentNeeded {
        schedule.status = SubscriptionStatus::Active;
        repo::save(&mut tx, id, &schedule, None).await?;
    }
    let status = match renewal.status {
        RenewalStatus::WaitingStock => RenewalStatus::WaitingStock,
        RenewalStatus::Retrying
        | RenewalStatus::Failed
        | RenewalStatus::Charging
        | RenewalStatus::Paid
        | RenewalStatus::Skipped => RenewalStatus::Retrying,
    };
    let again = repo::Renewal {
        status,
        retry_on: Some(today),
        ..renewal.clone()
    };
    repo::save_renewal(&mut tx, id, due_on, &again, None).await?;
    let said = format!(
        "Support tried the delivery of {} again (it was {}).",
        long_date(due_on),
        renewal.status.label().to_lowercase()
    );
    repo::record(
        &mut tx,
        id,
        SubscriptionEventKind::RetryOrdered,
        &said,
        Some(by.user),
    )
    .await?;
    by.record(
        &mut tx,
        crate::audit::Action::SubscriptionRetried,
        id.0,
        serde_json::json!({ "due_on": due_on, "was": renewal.status.db_name() }),
    )
    .await?;
    tx.commit().await?;
    super::renewals::renew(state, id).await?;
    admin_detail(state, id).await
}
