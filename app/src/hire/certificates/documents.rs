//! Where certificate documents live: in the restricted object store (`OLIVINE_RESTRICTED_STORE`,
//! apart from product media and never indexed), each sealed with its owner's data key from the
//! [`crate::vault`], so deleting that key makes every copy unreadable. Every opening, by its
//! owner or an admin, is an audit entry. A document is deleted some months after its
//! certificate expired; the certificate's record stays.

use crate::audit::{Action, Actor, Entry};
use crate::error::ServiceError;
use crate::ids::{CertificateId, UserId};
use crate::restricted;
use crate::state::AppState;
use chrono::NaiveDate;
use serde_json::json;

type Result<T> = std::result::Result<T, ServiceError>;

/// A document to send to the browser.
pub struct Document {
    pub content_type: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

fn store_key(id: CertificateId) -> String {
    format!("certificates/{id}")
}

/// What the document is bound to: sealed for one certificate, it opens for no other.
fn context(id: CertificateId) -> String {
    format!("certificate:{id}")
}

/// Seal `bytes` for `owner` and put them in the restricted store; the key they are under.
pub async fn put(
    state: &AppState,
    owner: UserId,
    id: CertificateId,
    bytes: &[u8],
) -> Result<String> {
    let key = store_key(id);
    restricted::put(state, owner, &context(id), &key, bytes).await?;
    Ok(key)
}

/// Take back what [`put`] stored for a certificate that was then not saved.
pub async fn discard(state: &AppState, key: &str) {
    if let Err(error) = state.restricted.delete(key).await {
        tracing::warn!(%error, key, "an unsaved certificate's document was left in the store");
    }
}

/// The document of certificate `id`, for its owner or (`admin`) a support admin; the opening
/// is audited before a byte is sent. `None`: no such certificate for this person, or its
/// document is gone (deleted after expiry, or its owner's key erased).
pub async fn open(
    state: &AppState,
    id: CertificateId,
    viewer: Actor,
    admin: bool,
) -> Result<Option<Document>> {
    let mut conn = state.db.acquire().await?;
    let Some(row) = sqlx::query!(
        "SELECT user_id, content_type, file_name, document, store_key FROM freelancer_certificates
         WHERE certificate_id = $1 AND (user_id = $2 OR $3)",
        id.0,
        viewer.user.0,
        admin
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let owner = UserId(row.user_id);
    let bytes = match (row.document, row.store_key) {
        // Uploaded before the restricted store, not moved yet.
        (Some(bytes), _) => bytes,
        (None, Some(key)) => {
            match restricted::open(state, &mut conn, owner, &context(id), &key).await? {
                Some(bytes) => bytes,
                None => return Ok(None),
            }
        }
        (None, None) => return Ok(None),
    };
    crate::audit::record(
        &mut conn,
        viewer.entry(
            Action::CertificateDocumentViewed,
            id.0,
            // Ids only: the trail outlives what it names, and file names can say too much.
            json!({ "freelancer": owner.0 }),
        ),
    )
    .await?;
    Ok(Some(Document {
        content_type: row.content_type,
        file_name: row.file_name,
        bytes,
    }))
}

/// Certificates whose document is still in the database (uploaded before the restricted
/// store), oldest first.
pub async fn in_database(
    state: &AppState,
    limit: i64,
    resting: &[String],
) -> Result<Vec<CertificateId>> {
    let ids = sqlx::query_scalar!(
        "SELECT certificate_id FROM freelancer_certificates
         WHERE document IS NOT NULL AND NOT (certificate_id::text = ANY($2))
         ORDER BY created_at LIMIT $1",
        limit,
        resting
    )
    .fetch_all(&state.db)
    .await?;
    Ok(ids.into_iter().map(CertificateId).collect())
}

/// Move one certificate's document from the database to the restricted store.
pub async fn move_to_store(state: &AppState, id: CertificateId) -> Result<()> {
    let Some(row) = sqlx::query!(
        "SELECT user_id, document FROM freelancer_certificates
         WHERE certificate_id = $1 AND document IS NOT NULL",
        id.0
    )
    .fetch_optional(&state.db)
    .await?
    else {
        return Ok(());
    };
    let bytes = row.document.unwrap_or_default();
    let key = put(state, UserId(row.user_id), id, &bytes).await?;
    sqlx::query!(
        "UPDATE freelancer_certificates SET store_key = $2, document = NULL
         WHERE certificate_id = $1 AND document IS NOT NULL",
        id.0,
        key
    )
    .execute(&state.db)
    .await?;
    Ok(())
}

/// Certificates whose document has been kept `months` past their expiry on `today`.
pub async fn past_retention(
    state: &AppState,
    today: NaiveDate,
    months: u32,
    limit: i64,
    resting: &[String],
) -> Result<Vec<CertificateId>> {
    let ids = sqlx::query_scalar!(
        "SELECT certificate_id FROM freelancer_certificates
         WHERE document_deleted_at IS NULL AND expires_on IS NOT NULL
           AND (expires_on + make_interval(months => $2))::date < $1::date
           AND NOT (certificate_id::text = ANY($4))
         ORDER BY expires_on LIMIT $3",
        today,
        i32::try_from(months).unwrap_or(i32::MAX),
        limit,
        resting
    )
    .fetch_all(&state.db)
    .await?;
    Ok(ids.into_iter().map(CertificateId).collect())
}

/// Delete certificate `id`'s document (its record stays): from the store first, then noted,
/// with an audit entry by Olivine.
pub async fn delete(state: &AppState, id: CertificateId, reason: &str) -> Result<()> {
    let key = sqlx::query_scalar!(
        "SELECT store_key FROM freelancer_certificates
         WHERE certificate_id = $1 AND document_deleted_at IS NULL",
        id.0
    )
    .fetch_optional(&state.db)
    .await?;
    let Some(key) = key else { return Ok(()) };
    if let Some(key) = &key {
        restricted::delete(state, key).await?;
    }
    let mut tx = state.db.begin().await?;
    let deleted = sqlx::query!(
        "UPDATE freelancer_certificates
         SET document = NULL, store_key = NULL, document_deleted_at = $2
         WHERE certificate_id = $1 AND document_deleted_at IS NULL",
        id.0,
        state.clock.now()
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if deleted == 1 {
        crate::audit::record(
            &mut tx,
            Entry::new(None, Action::CertificateDocumentDeleted)
                .subject(id.0)
                .detail(json!({ "reason": reason })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
