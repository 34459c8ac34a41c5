//! Checkpoints of the audit chain: now and then the `audit-checkpoint` job verifies the whole
//! chain and writes its head (place and hash) to an object store outside the database, under a
//! key that is never overwritten. Whoever can rewrite the database, chain and all, cannot make
//! the chain agree with the heads kept there.

use super::model::{CheckpointState, CheckpointView};
use super::trail::hex;
use super::{ChainCheck, verify};
use crate::blobs::{BlobStore, StoreError};
use crate::error::ServiceError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};

/// The store key of the checkpoint at place `seq` (zero-padded, so keys sort by place).
pub fn key(seq: i64) -> String {
    format!("audit-chain/{seq:020}.json")
}

/// What a checkpoint's file holds.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    pub chain_seq: i64,
    /// The hash of the chain's row at `chain_seq`, in hex.
    pub head: String,
    pub written_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error(
        "the audit chain is broken at place {seq} (entry {audit_id}): it was edited, or a row \
         before it was changed or removed"
    )]
    Broken { seq: i64, audit_id: i64 },
    #[error(
        "the audit chain no longer agrees with its checkpoint at place {seq} ({key}: {state:?}): \
         history before it was rewritten"
    )]
    Disagrees {
        seq: i64,
        key: String,
        state: CheckpointState,
    },
    #[error("checkpoint store: {0}")]
    Store(#[from] StoreError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// Verify the whole chain and, when it is intact, agrees with the latest checkpoint and has
/// grown since, write a checkpoint of its head. The place written, if any.
pub async fn write(
    db: &PgPool,
    store: &BlobStore,
    now: DateTime<Utc>,
) -> Result<Option<i64>, CheckpointError> {
    let mut conn = db.acquire().await?;
    let (seq, head) = match verify(&mut conn).await? {
        ChainCheck::Intact { seq: 0, .. } => return Ok(None),
        ChainCheck::Intact { seq, head, .. } => (seq, hex(&head)),
        ChainCheck::Broken {
            audit_id,
            chain_seq,
        } => {
            return Err(CheckpointError::Broken {
                seq: chain_seq,
                audit_id,
            });
        }
    };
    if let Some(last) = last(&mut conn).await? {
        let state = held_against(&mut conn, store, last.seq, &last.key).await?;
        if state != CheckpointState::Matches {
            return Err(CheckpointError::Disagrees {
                seq: last.seq,
                key: last.key,
                state,
            });
        }
        if last.seq >= seq {
            return Ok(None);
        }
    }
    let key = key(seq);
    let stored = Stored {
        chain_seq: seq,
        head: head.clone(),
        written_at: now,
    };
    let body = serde_json::to_vec_pretty(&stored).map_err(|e| StoreError::Io(e.into()))?;
    if !store.put_new(&key, body).await? {
        // Written before, by a pass that stopped before it noted it here: it must say the same.
        let state = held_against(&mut conn, store, seq, &key).await?;
        if state != CheckpointState::Matches {
            return Err(CheckpointError::Disagrees { seq, key, state });
        }
    }
    let head_bytes =
        sqlx::query_scalar!("SELECT row_hash FROM audit_log WHERE chain_seq = $1", seq)
            .fetch_one(&mut *conn)
            .await?;
    sqlx::query!(
        "INSERT INTO audit_checkpoints (chain_seq, head, store_key, written_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT (chain_seq) DO NOTHING",
        seq,
        head_bytes,
        key,
        now,
    )
    .execute(&mut *conn)
    .await?;
    Ok(Some(seq))
}

struct Last {
    seq: i64,
    key: String,
    written_at: DateTime<Utc>,
}

async fn last(conn: &mut PgConnection) -> Result<Option<Last>, sqlx::Error> {
    sqlx::query_as!(
        Last,
        r#"SELECT chain_seq AS seq, store_key AS key, written_at FROM audit_checkpoints
           ORDER BY chain_seq DESC LIMIT 1"#
    )
    .fetch_optional(conn)
    .await
}

/// The copy under `key` in the store against the chain's row at `seq` now.
async fn held_against(
    conn: &mut PgConnection,
    store: &BlobStore,
    seq: i64,
    key: &str,
) -> Result<CheckpointState, CheckpointError> {
    let Some(bytes) = store.get(key).await? else {
        return Ok(CheckpointState::Missing);
    };
    let chain = sqlx::query_scalar!("SELECT row_hash FROM audit_log WHERE chain_seq = $1", seq)
        .fetch_optional(conn)
        .await?
        .flatten();
    let agrees = serde_json::from_slice::<Stored>(&bytes).is_ok_and(|stored| {
        stored.chain_seq == seq && chain.is_some_and(|hash| hex(&hash) == stored.head)
    });
    Ok(if agrees {
        CheckpointState::Matches
    } else {
        CheckpointState::Differs
    })
}

/// The latest checkpoint and whether the chain still agrees with it.
pub async fn latest(
    conn: &mut PgConnection,
    store: &BlobStore,
) -> Result<Option<CheckpointView>, ServiceError> {
    let Some(last) = last(conn).await? else {
        return Ok(None);
    };
    let state = match held_against(conn, store, last.seq, &last.key).await {
        Ok(state) => state,
        Err(CheckpointError::Database(error)) => return Err(error.into()),
        Err(error) => {
            return Err(ServiceError::Internal(
                "reading the audit checkpoint",
                Box::new(error),
            ));
        }
    };
    Ok(Some(CheckpointView {
        seq: last.seq,
        written_at: last.written_at,
        key: last.key,
        state,
    }))
}
