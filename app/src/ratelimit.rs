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
pub const RESET_PER_ACCOUNT: Limit = Limit {
    name: "reset:account",
    max: 3,
    window: minutes(60),
};

impl Limit {
    fn key(&self, subject: &str) -> String {
        format!("{}:{}", self.name, subject.to_lowercase())
    }
}

/// Count one attempt; refuse it if the window is already full.
pub async fn hit(conn: &mut PgConnection, limit: Limit, subject: &str) -> Result<(), AppError> {
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
    .await
    .map_err(|e| AppError::internal(&e))?;
    refuse_over(limit, row.hits, row.remaining_secs)
}

/// Refuse if the window is already full, without counting.
pub async fn peek(conn: &mut PgConnection, limit: Limit, subject: &str) -> Result<(), AppError> {
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
    .await
    .map_err(|e| AppError::internal(&e))?;
    match row {
        // Refuse when the next attempt would be one too many.
        Some(row) if row.remaining_secs > 0.0 => {
            refuse_over(limit, row.hits.saturating_add(1), row.remaining_secs)
        }
        _ => Ok(()),
    }
}

/// Forget the counter (after a successful sign-in, earlier failures stop counting).
pub async fn clear(conn: &mut PgConnection, limit: Limit, subject: &str) -> Result<(), AppError> {
    sqlx::query!("DELETE FROM rate_limits WHERE key = $1", limit.key(subject))
        .execute(conn)
        .await
        .map_err(|e| AppError::internal(&e))?;
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
    fn keys_ignore_case() {
        assert_eq!(
            SIGNIN_FAILURES_PER_ACCOUNT.key("Ann@Example.com"),
            "signin:account:ann@example.com"
        );
    }
}
