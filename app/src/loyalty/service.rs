//! Loyalty use cases. Points are earned in the transactions that book what earns them (a
//! payment, a published review; steps the app hands to orders and reviews) and taken back in
//! the one that books a refund or a review's takedown; checkout spends them in the transaction
//! that places the order, and a refund or an order given up unpaid gives them back; each event
//! books once, however often it is replayed. Customers read their balance and history; support
//! adjusts with a reason (audited); a job expires the points of customers a year without any
//! activity.

use super::model::{
    Adjustment, Balance, CustomerPoints, EXPIRY_MONTHS, Earning, EntryKind, LoyaltyAccount,
    earned_for_payment, points_for_minor, refund_share,
};
use super::repo::{self, NewEntry};
use crate::accounts;
use crate::audit::{Action, Actor};
use crate::error::{AppError, ServiceError};
use crate::ids::{OrderId, UserId};
use crate::money::{Currency, Money};
use crate::notifications::model::{Notice, NotificationKind};
use crate::notifications::repo::notify;
use crate::orders::hooks::{PaidOrder, RefundedOrder, ReleasedOrder};
use crate::reviews::hooks::DecidedReview;
use crate::reviews::model::ReviewStatus;
use crate::state::AppState;
use chrono::{DateTime, Months, Utc};
use sqlx::PgConnection;

type Result<T> = std::result::Result<T, ServiceError>;

pub const NO_SUCH_CUSTOMER: &str = "No account has that email address.";

/// A paid order earns its customer points for what they paid, and a renewal order the bonus
/// its subscription's renewal count reaches. Guests earn nothing. (A `WhenPaid` step, after
/// the renewal is counted.)
pub async fn earn_for_payment(conn: &mut PgConnection, paid: &PaidOrder) -> Result<()> {
    let Some(order) = repo::paid_order(conn, paid.order).await? else {
        return Ok(());
    };
    if let Some(per_euro) = repo::rule_points(conn, Earning::EuroPaid, None).await? {
        let currency = Currency::parse(&order.currency)
            .map_err(|e| ServiceError::Internal("reading the order's currency", Box::new(e)))?;
        let points = earned_for_payment(Money::new(order.paid_minor, currency), per_euro);
        let mut entry = NewEntry::new(order.user, EntryKind::Purchase, points, paid.now);
        entry.order = Some(paid.order);
        repo::insert(conn, &entry).await?;
    }
    if let Some(nth) = order.renewal_number
        && let Some(points) = repo::rule_points(conn, Earning::Renewal, Some(nth)).await?
    {
        let mut entry = NewEntry::new(order.user, EntryKind::Renewal, i64::from(points), paid.now);
        entry.order = Some(paid.order);
        entry.renewal_number = Some(nth);
        repo::insert(conn, &entry).await?;
    }
    Ok(())
}

/// A refund takes back its share of what the order earned and gives back its share of the
/// points spent on it. (A `WhenRefunded` step.)
pub async fn take_back_for_refund(conn: &mut PgConnection, refunded: &RefundedOrder) -> Result<()> {
    let Some(booked) = repo::booked_for_order(conn, refunded.order).await? else {
        return Ok(());
    };
    let share = |points: i64| {
        refund_share(
            points,
            refunded.total,
            refunded.refunded_before,
            refunded.refunded_after,
        )
    };
    for (kind, points) in [
        (EntryKind::PurchaseRefunded, -share(booked.earned)),
        (EntryKind::RedemptionReturned, share(booked.spent)),
    ] {
        let mut entry = NewEntry::new(booked.user, kind, points, refunded.now);
        entry.order = Some(refunded.order);
        entry.refund = Some(refunded.refund);
        repo::insert(conn, &entry).await?;
    }
    Ok(())
}

/// What `user` may spend now, as money off in minor units (100 points are €1). The customer
/// stays locked until the transaction ends, so a [`spend`] that follows sees the same balance.
pub async fn spendable(conn: &mut PgConnection, user: UserId, now: DateTime<Utc>) -> Result<i64> {
    repo::lock_customer(conn, user).await?;
    let balance = repo::balance(conn, user, now).await?;
    Ok(balance.worth_minor())
}

/// Spend the points worth `minor` on `order` (in the transaction that places it, after
/// [`spendable`]).
pub async fn spend(
    conn: &mut PgConnection,
    user: UserId,
    order: OrderId,
    minor: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut entry = NewEntry::new(user, EntryKind::Redeemed, -points_for_minor(minor), now);
    entry.order = Some(order);
    repo::insert(conn, &entry).await?;
    Ok(())
}

/// An order given up unpaid gives back the points spent on it (what refunds did not give back
/// already). (A `WhenReleased` step.)
pub async fn give_back_for_release(
    conn: &mut PgConnection,
    released: &ReleasedOrder,
) -> Result<()> {
    let Some(booked) = repo::booked_for_order(conn, released.order).await? else {
        return Ok(());
    };
    let mut entry = NewEntry::new(
        booked.user,
        EntryKind::RedemptionReturned,
        booked.spent - booked.returned,
        released.now,
    );
    entry.order = Some(released.order);
    repo::insert(conn, &entry).await?;
    Ok(())
}

/// A published review earns its author points once; taking it down takes them back. (A
/// `WhenDecided` step.)
pub async fn on_review(conn: &mut PgConnection, decided: &DecidedReview) -> Result<()> {
    let (kind, points) = match decided.status {
        ReviewStatus::Published => {
            let Some(points) = repo::rule_points(conn, Earning::ReviewPublished, None).await?
            else {
                return Ok(());
            };
            (EntryKind::Review, i64::from(points))
        }
        ReviewStatus::Rejected => (
            EntryKind::ReviewWithdrawn,
            -repo::review_points(conn, decided.review).await?,
        ),
        ReviewStatus::Pending => return Ok(()),
    };
    let mut entry = NewEntry::new(decided.author, kind, points, decided.now);
    entry.review = Some(decided.review);
    entry.note = &decided.product_name;
    repo::insert(conn, &entry).await?;
    Ok(())
}

/// The points `user` could spend now.
pub async fn available(state: &AppState, user: UserId) -> Result<i64> {
    let mut conn = state.db.acquire().await?;
    let balance = repo::balance(&mut conn, user, state.clock.now()).await?;
    Ok(balance.available.max(0))
}

/// `user`'s points page: the balance, page `page` of the history and how to earn more.
pub async fn account(state: &AppState, user: UserId, page: i64) -> Result<LoyaltyAccount> {
    let mut conn = state.db.acquire().await?;
    read_account(&mut conn, user, state.clock.now(), page).await
}

async fn read_account(
    conn: &mut PgConnection,
    user: UserId,
    now: DateTime<Utc>,
    page: i64,
) -> Result<LoyaltyAccount> {
    let balance = repo::balance(conn, user, now).await?;
    let (entries, total) = repo::history(conn, user, now, page).await?;
    let rules = repo::rules(conn).await?;
    Ok(LoyaltyAccount {
        balance,
        entries,
        total,
        page: page.max(1),
        rules,
    })
}

/// Support looks a customer up by email.
pub async fn customer(state: &AppState, email: &str, page: i64) -> Result<CustomerPoints> {
    let mut conn = state.db.acquire().await?;
    let Some(user) = accounts::repo::user_id_by_email(&mut conn, &state.vault, email).await? else {
        return Err(AppError::field("email", NO_SUCH_CUSTOMER).into());
    };
    let name = accounts::repo::display_name_of(&mut conn, &state.vault, user).await?;
    let email = accounts::repo::email_of(&mut conn, &state.vault, user).await?;
    let account = read_account(&mut conn, user, state.clock.now(), page).await?;
    Ok(CustomerPoints {
        user,
        name,
        email,
        account,
    })
}

/// Support adds or takes points with a reason the customer reads; never more than the
/// customer has available. Audited; the customer is told.
pub async fn adjust(
    state: &AppState,
    by: Actor,
    user: UserId,
    adjustment: &Adjustment,
) -> Result<Balance> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    if !repo::customer_exists(&mut tx, user).await? {
        return Err(AppError::NotFound.into());
    }
    repo::lock_customer(&mut tx, user).await?;
    let before = repo::balance(&mut tx, user, now).await?;
    let points = i64::from(adjustment.points);
    if before.available + points < 0 {
        return Err(AppError::field(
            "points",
            format!(
                "Only {} available to take.",
                crate::ui::count_of(before.available.max(0), "point")
            ),
        )
        .into());
    }
    let mut entry = NewEntry::new(user, EntryKind::Adjustment, points, now);
    entry.note = &adjustment.reason;
    entry.actor = Some(by.user);
    repo::insert(&mut tx, &entry).await?;
    by.record(
        &mut tx,
        Action::PointsAdjusted,
        user.0,
        serde_json::json!({ "points": points, "reason": adjustment.reason }),
    )
    .await?;
    let count = crate::ui::count_of(points.abs(), "point");
    let notice = Notice {
        mentions: Vec::new(),
        kind: NotificationKind::PointsAdjusted,
        title: if points > 0 {
            format!("{count} added to your loyalty points")
        } else {
            format!("{count} taken from your loyalty points")
        },
        body: adjustment.reason.clone(),
        link: "/account/loyalty".to_owned(),
    };
    notify(&mut tx, &[user], &notice).await?;
    let after = repo::balance(&mut tx, user, now).await?;
    tx.commit().await?;
    Ok(after)
}

/// The day before which a last entry lets points expire.
fn expiry_cutoff(now: DateTime<Utc>) -> DateTime<Utc> {
    now.checked_sub_months(Months::new(EXPIRY_MONTHS))
        .unwrap_or(now)
}

/// Customers a year without any entry who may still hold points (for the expiry job).
pub async fn dormant(state: &AppState, limit: i64, resting: &[String]) -> Result<Vec<UserId>> {
    let mut conn = state.db.acquire().await?;
    let cutoff = expiry_cutoff(state.clock.now());
    Ok(repo::dormant(&mut conn, cutoff, limit, resting).await?)
}

/// Expire what `user` has available when a year passed without activity; the points expired
/// (0 when something happened meanwhile). The customer is told.
pub async fn expire(state: &AppState, user: UserId) -> Result<i64> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    repo::lock_customer(&mut tx, user).await?;
    let balance = repo::balance(&mut tx, user, now).await?;
    let dormant = balance
        .last_activity
        .is_some_and(|last| last < expiry_cutoff(now));
    if !dormant || balance.available <= 0 {
        return Ok(0);
    }
    let mut entry = NewEntry::new(user, EntryKind::Expired, -balance.available, now);
    entry.note = "a year without points earned or spent";
    repo::insert(&mut tx, &entry).await?;
    let notice = Notice {
        mentions: Vec::new(),
        kind: NotificationKind::PointsExpired,
        title: format!(
            "{} expired",
            crate::ui::count_of(balance.available, "loyalty point")
        ),
        body:
            "Points expire after a year without any earned or spent. Every order starts a new year."
                .to_owned(),
        link: "/account/loyalty".to_owned(),
    };
    notify(&mut tx, &[user], &notice).await?;
    tx.commit().await?;
    Ok(balance.available)
}
