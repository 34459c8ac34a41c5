//! Requests applied once. A client that sends the same request again until it hears an answer
//! (the freelancer app's offline outbox) names it with a key it made when the person acted. The
//! service claims the key in the transaction that applies the request: a retry finds the claim
//! and is answered as the first was, a concurrent twin waits on the first one's transaction, and
//! a refused request rolls its claim back with everything else.

use serde::{Deserialize, Serialize};

/// A request's idempotency key, made by the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequestKey(pub uuid::Uuid);

/// What claiming a key found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// Not applied before: apply it now, on this transaction.
    Fresh,
    /// Applied before, with what it created then (if anything).
    Applied(Option<uuid::Uuid>),
}

#[cfg(feature = "ssr")]
pub use server_side::*;

#[cfg(feature = "ssr")]
mod server_side {
    use super::{Claim, RequestKey};
    use crate::error::AppError;
    use crate::ids::UserId;
    use chrono::{DateTime, Utc};
    use sha2::{Digest, Sha256};
    use sqlx::PgConnection;

    /// How long a key is remembered.
    const KEPT_DAYS: i32 = 30;

    /// Claim `key` for `user`'s `endpoint` with `arguments`, on the transaction that applies
    /// it. The same key sent before with other content is refused.
    pub async fn claim(
        conn: &mut PgConnection,
        user: UserId,
        key: RequestKey,
        endpoint: &str,
        arguments: &impl serde::Serialize,
    ) -> Result<Claim, AppError> {
        let request = fingerprint(endpoint, arguments)?;
        let claimed = sqlx::query!(
            "INSERT INTO applied_requests (user_id, key, request) VALUES ($1, $2, $3)
             ON CONFLICT (user_id, key) DO NOTHING",
            user.0,
            key.0,
            &request,
        )
        .execute(&mut *conn)
        .await?;
        if claimed.rows_affected() == 1 {
            return Ok(Claim::Fresh);
        }
        let first = sqlx::query!(
            "SELECT request, result FROM applied_requests WHERE user_id = $1 AND key = $2",
            user.0,
            key.0,
        )
        .fetch_one(&mut *conn)
        .await?;
        if first.request != request {
            return Err(AppError::invalid(
                "This was already sent with different content. Reload the page and try again.",
            ));
        }
        Ok(Claim::Applied(first.result))
    }

    /// Remember what the request claimed as `key` created, for its retries.
    pub async fn record_result(
        conn: &mut PgConnection,
        user: UserId,
        key: RequestKey,
        result: uuid::Uuid,
    ) -> Result<(), sqlx::Error> {
        sqlx::query!(
            "UPDATE applied_requests SET result = $3 WHERE user_id = $1 AND key = $2",
            user.0,
            key.0,
            result,
        )
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Forget keys older than the outbox could hold anything; how many.
    pub async fn purge(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        let done = sqlx::query!(
            "DELETE FROM applied_requests WHERE applied_at < $1::timestamptz - make_interval(days => $2::int)",
            now,
            KEPT_DAYS,
        )
        .execute(conn)
        .await?;
        Ok(done.rows_affected())
    }

    fn fingerprint(endpoint: &str, arguments: &impl serde::Serialize) -> Result<Vec<u8>, AppError> {
        let arguments = serde_json::to_vec(arguments).map_err(|e| AppError::internal(&e))?;
        let mut hash = Sha256::new();
        hash.update(endpoint.as_bytes());
        hash.update([0]);
        hash.update(arguments);
        Ok(hash.finalize().to_vec())
    }
}
