//! Loyalty queries: the rules, the entries (only ever inserted), the balance and history, and
//! what the jobs and hooks need from orders.

use super::model::{Balance, EarnRule, Earning, EntryKind, LoyaltyEntry, PER_PAGE, Settlement};
use crate::ids::{OrderId, RefundId, ReviewId, UserId};
use crate::orders::model::order_reference;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

type Result<T> = std::result::Result<T, sqlx::Error>;

pub async fn rules(conn: &mut PgConnection) -> Result<Vec<EarnRule>> {
    sqlx::query_as!(
        EarnRule,
        r#"SELECT earning AS "earning: Earning", nth, points FROM loyalty_rules
           ORDER BY earning, nth"#
    )
    .fetch_all(conn)
    .await
}

/// The points `earning` gives (on the `nth` renewal); None when no rule says.
pub async fn rule_points(
    conn: &mut PgConnection,
    earning: Earning,
    nth: Option<i32>,
) -> Result<Option<i32>> {
    sqlx::query_scalar!(
        "SELECT points FROM loyalty_rules WHERE earning = $1 AND nth IS NOT DISTINCT FROM $2",
        earning as Earning,
        nth,
    )
    .fetch_optional(conn)
    .await
}

/// An entry to write; what it is tied to depends on its kind (the table checks it).
pub struct NewEntry<'a> {
    pub user: UserId,
    pub kind: EntryKind,
    pub points: i64,
    pub order: Option<OrderId>,
    pub refund: Option<RefundId>,
    pub review: Option<ReviewId>,
    pub renewal_number: Option<i32>,
    pub note: &'a str,
    pub actor: Option<UserId>,
    pub at: DateTime<Utc>,
}

impl<'a> NewEntry<'a> {
    pub fn new(user: UserId, kind: EntryKind, points: i64, at: DateTime<Utc>) -> Self {
        NewEntry {
            user,
            kind,
            points,
            order: None,
            refund: None,
            review: None,
            renewal_number: None,
            note: "",
            actor: None,
            at,
        }
    }
}

/// Write an entry; false when the event it books was booked before (or it is worth nothing).
pub async fn insert(conn: &mut PgConnection, entry: &NewEntry<'_>) -> Result<bool> {
    let Ok(points) = i32::try_from(entry.points) else {
        return Err(sqlx::Error::Protocol(format!(
            "{} points do not fit one entry",
            entry.points
        )));
    };
    if points == 0 {
        return Ok(false);
    }
    let written = sqlx::query!(
        "INSERT INTO loyalty_entries (entry_id, user_id, kind, points, order_id, refund_id,
                                      review_id, renewal_number, note, actor_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT DO NOTHING",
        uuid::Uuid::now_v7(),
        entry.user.0,
        entry.kind as EntryKind,
        points,
        entry.order.map(|o| o.0),
        entry.refund.map(|r| r.0),
        entry.review.map(|r| r.0),
        entry.renewal_number,
        entry.note,
        entry.actor.map(|a| a.0),
        entry.at,
    )
    .execute(conn)
    .await?;
    Ok(written.rows_affected() == 1)
}

/// Hold `user`'s points still until the transaction ends, so two spends (or a spend and an
/// expiry) never both see the same balance.
pub async fn lock_customer(conn: &mut PgConnection, user: UserId) -> Result<()> {
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtextextended('loyalty ' || $1::uuid::text, 0))",
        user.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn balance(conn: &mut PgConnection, user: UserId, now: DateTime<Utc>) -> Result<Balance> {
    let row = sqlx::query!(
        r#"SELECT
             coalesce(sum(points) FILTER (
                 WHERE loyalty_counts_from(kind, order_id, created_at) <= $2), 0)::bigint
                 AS "available!",
             coalesce(sum(points) FILTER (
                 WHERE loyalty_counts_from(kind, order_id, created_at) IS NULL
                    OR loyalty_counts_from(kind, order_id, created_at) > $2), 0)::bigint
                 AS "pending!",
             max(created_at) AS last_activity
           FROM loyalty_entries WHERE user_id = $1"#,
        user.0,
        now,
    )
    .fetch_one(conn)
    .await?;
    Ok(Balance {
        available: row.available,
        pending: row.pending,
        last_activity: row.last_activity,
    })
}

/// One page of `user`'s history, newest first, and how many entries there are.
pub async fn history(
    conn: &mut PgConnection,
    user: UserId,
    now: DateTime<Utc>,
    page: i64,
) -> Result<(Vec<LoyaltyEntry>, i64)> {
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM loyalty_entries WHERE user_id = $1"#,
        user.0
    )
    .fetch_one(&mut *conn)
    .await?;
    let rows = sqlx::query!(
        r#"SELECT e.kind AS "kind: EntryKind", e.points, e.created_at, e.order_id,
                  o.order_number AS "order_number?", e.renewal_number, e.note,
                  loyalty_counts_from(e.kind, e.order_id, e.created_at) AS counts_from
           FROM loyalty_entries e LEFT JOIN orders o USING (order_id)
           WHERE e.user_id = $1
           ORDER BY e.created_at DESC, e.entry_id DESC
           LIMIT $2 OFFSET $3"#,
        user.0,
        PER_PAGE,
        (page.max(1) - 1) * PER_PAGE,
    )
    .fetch_all(conn)
    .await?;
    let entries = rows
        .into_iter()
        .map(|r| LoyaltyEntry {
            kind: r.kind,
            points: i64::from(r.points),
            at: r.created_at,
            order: r
                .order_id
                .zip(r.order_number)
                .map(|(id, number)| (OrderId(id), order_reference(number))),
            renewal_number: r.renewal_number,
            note: r.note,
            settlement: match r.counts_from {
                None => Settlement::AwaitingDelivery,
                Some(from) if from > now => Settlement::Until(from.date_naive()),
                Some(_) => Settlement::Available,
            },
        })
        .collect();
    Ok((entries, total))
}

/// What a paid order earns from: its customer, what was paid, and for a renewal's order which
/// renewal of its subscription it is.
pub struct PaidForPoints {
    pub user: UserId,
    pub paid_minor: i64,
    pub currency: String,
    pub renewal_number: Option<i32>,
}

pub async fn paid_order(conn: &mut PgConnection, order: OrderId) -> Result<Option<PaidForPoints>> {
    let row = sqlx::query!(
        r#"SELECT o.user_id AS "user_id!", o.total_minor, o.currency,
                  s.renewals_done AS "renewal_number?"
           FROM orders o LEFT JOIN subscriptions s
             ON s.subscription_id = o.subscription_id
           WHERE o.order_id = $1 AND o.user_id IS NOT NULL"#,
        order.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| PaidForPoints {
        user: UserId(r.user_id),
        paid_minor: r.total_minor,
        currency: r.currency,
        renewal_number: r.renewal_number,
    }))
}

/// What an order booked: the points it earned (its purchase and renewal entries), spent, and
/// gave back so far.
pub struct Booked {
    pub user: UserId,
    pub earned: i64,
    pub spent: i64,
    pub returned: i64,
}

pub async fn booked_for_order(conn: &mut PgConnection, order: OrderId) -> Result<Option<Booked>> {
    let row = sqlx::query!(
        r#"SELECT user_id,
                  coalesce(sum(points) FILTER (WHERE kind IN ('purchase', 'renewal')), 0)::bigint
                      AS "earned!",
                  coalesce(-sum(points) FILTER (WHERE kind = 'redeemed'), 0)::bigint AS "spent!",
                  coalesce(sum(points) FILTER (WHERE kind = 'redemption_returned'), 0)::bigint
                      AS "returned!"
           FROM loyalty_entries WHERE order_id = $1
           GROUP BY user_id"#,
        order.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Booked {
        user: UserId(r.user_id),
        earned: r.earned,
        spent: r.spent,
        returned: r.returned,
    }))
}

/// Whether `review` earned points that were not taken back yet.
pub async fn review_points(conn: &mut PgConnection, review: ReviewId) -> Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT coalesce(sum(points), 0)::bigint AS "points!" FROM loyalty_entries
           WHERE review_id = $1"#,
        review.0
    )
    .fetch_one(conn)
    .await
}

/// Customers whose last entry is older than `cutoff` and who may still hold points.
pub async fn dormant(
    conn: &mut PgConnection,
    cutoff: DateTime<Utc>,
    limit: i64,
    resting: &[String],
) -> Result<Vec<UserId>> {
    sqlx::query_scalar!(
        r#"SELECT user_id AS "user_id: UserId" FROM loyalty_entries
           WHERE NOT (user_id::text = ANY($3))
           GROUP BY user_id
           HAVING max(created_at) < $1 AND sum(points) > 0
           ORDER BY max(created_at)
           LIMIT $2"#,
        cutoff,
        limit,
        resting,
    )
    .fetch_all(conn)
    .await
}

pub async fn customer_exists(conn: &mut PgConnection, user: UserId) -> Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM users WHERE user_id = $1) AS "exists!""#,
        user.0
    )
    .fetch_one(conn)
    .await
}
