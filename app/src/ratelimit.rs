//! Rate limits shared by every app node: fixed-window counters in Postgres.
//!
//! A limit is a name, a maximum and a window. `hit` counts an attempt and refuses it once the
//! window holds more than the maximum; `peek` only asks (for limits that count failures, which
//! are recorded after the attempt is known to have failed).

use crate::error::AppError;
use sqlx::PgConnection;
use std::time::Duration;

#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub name: &'static str,
    pub max: i32,
    pub window: Duration,
}

const fn minutes(n: u64) -> Duration {
    Duration::from_secs(n * 60)
}

/// Sign-in attempts from one address, successful or not.
pub const SIGNIN_PER_IP: Limit = Limit {
    name: "signin:ip",
    max: 30,
    window: minutes(10),
};
/// Failed sign-ins for one email address, from anywhere.
pub const SIGNIN_FAILURES_PER_ACCOUNT: Limit = Limit {
    name: "signin:account",
    max: 5,
    window: minutes(15),
};
/// One-time sign-in links mailed to a locked account's owner.
/// Wrong sign-in codes (app or recovery) per account: the next is refused until the window
/// ends, even the right one; a right one clears the count.
pub const SECOND_FACTOR_FAILURES_PER_ACCOUNT: Limit = Limit {
    name: "second-factor:account",
    max: 5,
    window: minutes(15),
};
pub const SIGNIN_LINKS_PER_ACCOUNT: Limit = Limit {
    name: "signin-link:account",
    max: 3,
    window: minutes(60),
};
pub const SIGNUP_PER_IP: Limit = Limit {
    name: "signup:ip",
    max: 10,
    window: minutes(60),
};
/// Sign-ups naming one address: each sends that inbox an email, so a stranger must not be able
/// to flood it.
pub const SIGNUP_PER_ACCOUNT: Limit = Limit {
    name: "signup:account",
    max: 3,
    window: minutes(60),
};
pub const RESET_PER_IP: Limit = Limit {
    name: "reset:ip",
    max: 10,
    window: minutes(60),
};
/// New passwords set through reset links from one address: each guess at a link is refused
/// before any hashing, and a flood stops here.
pub const RESET_CONFIRM_PER_IP: Limit = Limit {
    name: "reset-confirm:ip",
    max: 20,
    window: minutes(60),
};
pub const RESET_PER_ACCOUNT: Limit = Limit {
    name: "reset:account",
    max: 3,
    window: minutes(60),
};

/// Checkout starts (each holds stock and creates a PaymentIntent) from one cart…
pub const CHECKOUT_PER_CART: Limit = Limit {
    name: "checkout:cart",
    max: 10,
    window: minutes(10),
};
/// …from one address (IPv4, or IPv6 /64)…
pub const CHECKOUT_PER_IP: Limit = Limit {
    name: "checkout:ip",
    max: 20,
    window: minutes(10),
};
/// …and for one buyer's email.
pub const CHECKOUT_PER_EMAIL: Limit = Limit {
    name: "checkout:email",
    max: 10,
    window: minutes(10),
};

/// Hire messages one person sends (across all threads).
pub const MESSAGES_PER_USER: Limit = Limit {
    name: "messages:user",
    max: 60,
    window: minutes(10),
};
/// Organisation invitations one owner sends: each mails an address of their choosing.
pub const ORG_INVITATIONS_PER_USER: Limit = Limit {
    name: "org-invitations:user",
    max: 20,
    window: minutes(60),
};
/// Organisations one person creates.
pub const ORGS_CREATED_PER_USER: Limit = Limit {
    name: "orgs-created:user",
    max: 5,
    window: minutes(24 * 60),
};
/// Certificate documents one freelancer uploads (each up to 5 MB).
pub const CERTIFICATE_UPLOADS_PER_USER: Limit = Limit {
    name: "certificate-uploads:user",
    max: 10,
    window: minutes(60),
};
/// Discount codes tried that do not exist, per cart and per address (guessing codes).
pub const UNKNOWN_CODES_PER_CART: Limit = Limit {
    name: "unknown-codes:cart",
    max: 10,
    window: minutes(60),
};
pub const UNKNOWN_CODES_PER_IP: Limit = Limit {
    name: "unknown-codes:ip",
    max: 30,
    window: minutes(60),
};
/// Recommended-candidate searches (heavy vector queries, ~85 ms at the 99th percentile) one
/// manager runs: every shift page a manager opens runs one, and each filter change another, so
/// paging through a day's shifts must fit; twelve a minute still bounds one account to about a
/// second of database time per minute.
pub const RECOMMENDATIONS_PER_USER: Limit = Limit {
    name: "recommendations:user",
    max: 120,
    window: minutes(10),
};
/// Payment checks with Stripe from an order's page (each is a call to Stripe).
pub const ORDER_SYNCS_PER_ORDER: Limit = Limit {
    name: "order-sync:order",
    max: 10,
    window: minutes(1),
};

/// Count one attempt on its own connection (for checks at the start of a use case).
pub async fn check(db: &sqlx::PgPool, limit: Limit, subject: &str) -> Result<(), AppError> {
    let mut conn = db.acquire().await?;
    hit(&mut conn, limit, subject).await
}

impl Limit {
    /// The counter's key: the limit's name and a digest of what it counts, so an email or an
    /// address counted is never stored as such.
    fn key(&self, subject: &str) -> String {
        format!("{}:{}", self.name, subject_digest(subject))
    }
}

/// What a counter's key holds of its subject (an email, an IP address, an id): the SHA-256 of
/// it in lower case, in hex.
pub fn subject_digest(subject: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(subject.to_lowercase().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Count one attempt; refuse it if the window is already full.
pub async fn hit(conn: &mut PgConnection, limit: Limit, subject: &str) -> Result<(), AppError> {
    let (hits, remaining_secs) = count(conn, limit, subject).await?;
    refuse_over(limit, hits, remaining_secs)
}

/// Count one attempt and say whether it is within the limit. Nothing is refused and the
/// response is untouched: for work that is quietly skipped past the limit.
pub async fn allowed(
    conn: &mut PgConnection,
    limit: Limit,
    subject: &str,
) -> Result<bool, AppError> {
    let (hits, _) = count(conn, limit, subject).await?;
    Ok(hits <= limit.max)
}

async fn count(
    conn: &mut PgConnection,
    limit: Limit,
    subject: &str,
) -> Result<(i32, f64), AppError> {
    let row = sqlx::query!(
        r#"
        INSERT INTO rate_limits AS r (key, window_start, hits) VALUES ($1, now(), 1)
        ON CONFLICT (key) DO UPDATE SET
            hits = CASE WHEN r.window_start <= now() - $2::float8 * interval '1 second'
                        THEN 1 ELSE r.hits + 1 END,
            window_start = CASE WHEN r.window_start <= now() - $2::float8 * interval '1 second'
                                THEN now() ELSE r.window_start END
        RETURNING hits,
            EXTRACT(EPOCH FROM (window_start + $2::float8 * interval '1 second' - now()))::float8
                AS "remaining_secs!"
        "#,
        limit.key(subject),
        limit.window.as_secs_f64(),
    )
    .fetch_one(conn)
    .await?;
    Ok((row.hits, row.remaining_secs))
}

/// Count an attempt already known to have failed: the refusal, if the window is now full, is
/// for the next attempt to meet.
pub async fn record(conn: &mut PgConnection, limit: Limit, subject: &str) -> Result<(), AppError> {
    count(conn, limit, subject).await.map(|_| ())
}

/// Whether the next attempt would be refused, without counting, refusing or touching the
/// response.
pub async fn is_full(
    conn: &mut PgConnection,
    limit: Limit,
    subject: &str,
) -> Result<bool, AppError> {
    Ok(window(conn, limit, subject)
        .await?
        .is_some_and(|(hits, _)| hits.saturating_add(1) > limit.max))
}

/// The hits and seconds left of the limit's current window, if one is open.
async fn window(
    conn: &mut PgConnection,
    limit: Limit,
    subject: &str,
) -> Result<Option<(i32, f64)>, AppError> {
    let row = sqlx::query!(
        r#"
        SELECT hits,
            EXTRACT(EPOCH FROM (window_start + $2::float8 * interval '1 second' - now()))::float8
                AS "remaining_secs!"
        FROM rate_limits WHERE key = $1
        "#,
        limit.key(subject),
        limit.window.as_secs_f64(),
    )
    .fetch_optional(conn)
    .await?;
    Ok(row
        .filter(|row| row.remaining_secs > 0.0)
        .map(|row| (row.hits, row.remaining_secs)))
}

/// Refuse if the window is already full, without counting.
pub async fn peek(conn: &mut PgConnection, limit: Limit, subject: &str) -> Result<(), AppError> {
    match window(conn, limit, subject).await? {
        // Refuse when the next attempt would be one too many.
        Some((hits, remaining_secs)) => refuse_over(limit, hits.saturating_add(1), remaining_secs),
        None => Ok(()),
    }
}

/// Forget the counter (after a successful sign-in, earlier failures stop counting).
pub async fn clear(conn: &mut PgConnection, limit: Limit, subject: &str) -> Result<(), AppError> {
    sqlx::query!("DELETE FROM rate_limits WHERE key = $1", limit.key(subject))
        .execute(conn)
        .await?;
    Ok(())
}

/// Drop counters whose windows ended long ago.
pub async fn purge_stale(conn: &mut PgConnection) -> Result<u64, sqlx::Error> {
    let done =
        sqlx::query!("DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'")
            .execute(conn)
            .await?;
    Ok(done.rows_affected())
}

fn refuse_over(limit: Limit, hits: i32, remaining_secs: f64) -> Result<(), AppError> {
    if hits <= limit.max {
        return Ok(());
    }
    // Whole seconds, rounded up, never "0 s".
    let retry_after_secs = remaining_secs.max(1.0).ceil() as u64;
    Err(AppError::TooManyRequests { retry_after_secs }.with_status())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_only_past_the_maximum_and_never_says_zero_seconds() {
        assert!(refuse_over(SIGNIN_FAILURES_PER_ACCOUNT, 5, 100.0).is_ok());
        assert_eq!(
            refuse_over(SIGNIN_FAILURES_PER_ACCOUNT, 6, 41.2),
            Err(AppError::TooManyRequests {
                retry_after_secs: 42
            })
        );
        assert_eq!(
            refuse_over(SIGNIN_FAILURES_PER_ACCOUNT, 6, 0.01),
            Err(AppError::TooManyRequests {
                retry_after_secs: 1
            })
        );
    }

    #[test]
    fn keys_ignore_case_and_hold_no_address() {
        let key = SIGNIN_FAILURES_PER_ACCOUNT.key("Ann@Example.com");
        assert_eq!(key, SIGNIN_FAILURES_PER_ACCOUNT.key("ann@example.com"));
        assert_eq!(
            key,
            format!("signin:account:{}", subject_digest("ann@example.com"))
        );
        assert!(!key.contains("ann"), "{key}");
        assert_eq!(subject_digest("x").len(), 64);
    }
}
