//! Files sealed with one person's data key (from the [`crate::vault`]) in the restricted store
//! (`OLIVINE_RESTRICTED_STORE`, apart from product media and never indexed): certificate
//! documents and data downloads. Deleting the person's key makes every copy unreadable.

use crate::error::ServiceError;
use crate::ids::UserId;
use crate::state::AppState;
use sqlx::PgConnection;

type Result<T> = std::result::Result<T, ServiceError>;

/// Seal `bytes` for `owner`, bound to `context` (they open for no other), and put them at
/// `key`. No transaction is open while the store is written.
pub async fn put(
    state: &AppState,
    owner: UserId,
    context: &str,
    key: &str,
    bytes: &[u8],
) -> Result<()> {
    let mut conn = state.db.acquire().await?;
    let sealed = state
        .vault
        .seal(&mut conn, owner, context, bytes)
        .await
        .map_err(ServiceError::failed("sealing a restricted file"))?;
    drop(conn);
    state
        .restricted
        .put(key, sealed)
        .await
        .map_err(ServiceError::failed("storing a restricted file"))
}

/// What [`put`] stored at `key` for `owner` in `context`. `None`: gone from the store, or the
/// owner's key erased. Call it outside a transaction: it reads the store.
pub async fn open(
    state: &AppState,
    conn: &mut PgConnection,
    owner: UserId,
    context: &str,
    key: &str,
) -> Result<Option<Vec<u8>>> {
    let Some(sealed) = state
        .restricted
        .get(key)
        .await
        .map_err(ServiceError::failed("reading a restricted file"))?
    else {
        return Ok(None);
    };
    state
        .vault
        .open(conn, owner, context, &sealed)
        .await
        .map_err(ServiceError::failed("opening a restricted file"))
}

/// Delete the file at `key`.
pub async fn delete(state: &AppState, key: &str) -> Result<()> {
    state
        .restricted
        .delete(key)
        .await
        .map_err(ServiceError::failed("deleting a restricted file"))
}
