//! Certificates: a freelancer uploads the document, an admin verifies it (correcting the expiry
//! date if the document says otherwise) or says why not, and only verified certificates that
//! haven't expired count — on the profile managers read and for shifts that require one.
//! Documents are personal data: only their owner and support admins can open them, and they
//! live sealed in the restricted store ([`documents`]).

use crate::audit::{Action, Actor};
use crate::error::{AppError, ServiceError};
use crate::hire::certificates::documents;
use crate::hire::certificates::model::{
    Certificate, CertificateStatus, MAX_CERTIFICATE_BYTES, MyCertificates, VerificationItem,
    VerificationQueue, certificate_content_type,
};
use crate::hire::notices;
use crate::hire::refusal::Refusal;
use crate::ids::{CertificateId, PostingId, UserId};
use crate::state::AppState;
use chrono::NaiveDate;
use sqlx::PgConnection;

type Result<T> = std::result::Result<T, ServiceError>;

/// A certificate as it arrives from the upload form.
pub struct Upload {
    pub type_id: String,
    /// `2027-05-31`, for types that expire.
    pub expires_on: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// What an admin decided.
pub enum Review<'a> {
    /// With the expiry date as the document shows it (types that expire).
    Verify {
        expires_on: &'a str,
    },
    Reject {
        reason: &'a str,
    },
}

impl<'a> Review<'a> {
    /// The admin's form: `decision` is `verify` (with the expiry date) or `reject` (with the
    /// reason the freelancer will read).
    pub fn parse(decision: &str, expires_on: &'a str, reason: &'a str) -> Result<Self> {
        match decision {
            "verify" => Ok(Review::Verify { expires_on }),
            "reject" => Ok(Review::Reject { reason }),
            _ => Err(Refusal::UnknownReview.into()),
        }
    }
}

/// The freelancer's certificates with their review state, and today for their expiry.
pub async fn mine(state: &AppState, user: UserId) -> Result<MyCertificates> {
    let certificates = of(&mut *state.db.acquire().await?, user).await?;
    let today = state.clock.now().date_naive();
    Ok(MyCertificates {
        certificates,
        today,
    })
}

/// Certificates waiting for a support admin's review, oldest first, with their count.
pub async fn verification_queue(state: &AppState) -> Result<VerificationQueue> {
    let (items, total) = queue(&mut *state.db.acquire().await?, &state.vault).await?;
    Ok(VerificationQueue { items, total })
}

fn refuse<T>(field: &str, message: impl Into<String>) -> Result<T> {
    Err(AppError::field(field, message).into())
}

/// The last path component of what the browser called the file, without control characters,
/// at most 200 characters.
fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let name: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    let name = name.trim();
    if name.is_empty() {
        "document".to_owned()
    } else {
        name.to_owned()
    }
}

/// An expiry date typed into `field`: required, and not already past `today`.
fn expiry(field: &str, raw: &str, today: NaiveDate) -> Result<NaiveDate> {
    let Some(day) = crate::dates::parse_form_date(raw) else {
        return refuse(field, "Enter the expiry date printed on the certificate.");
    };
    if day < today {
        return refuse(
            field,
            "This certificate has expired; a valid one is needed.",
        );
    }
    Ok(day)
}

/// Whether certificates of `type_id` expire, if it is a known type.
async fn type_expires(conn: &mut PgConnection, type_id: &str) -> Result<Option<bool>> {
    Ok(sqlx::query_scalar!(
        "SELECT expires FROM certificate_types WHERE certificate_type_id = $1",
        type_id
    )
    .fetch_optional(conn)
    .await?)
}

/// Store an uploaded certificate for review.
pub async fn submit(state: &AppState, user: UserId, upload: Upload) -> Result<CertificateId> {
    let today = state.clock.now().date_naive();
    let mut conn = state.db.acquire().await?;
    crate::ratelimit::hit(
        &mut conn,
        crate::ratelimit::CERTIFICATE_UPLOADS_PER_USER,
        &user.to_string(),
    )
    .await?;
    let Some(expires) = type_expires(&mut conn, upload.type_id.trim()).await? else {
        return refuse("certificate_type", "Choose a certificate from the list.");
    };
    let expires_on = if expires {
        Some(expiry("expires_on", &upload.expires_on, today)?)
    } else {
        None
    };
    if upload.bytes.is_empty() {
        return refuse(
            "file",
            "Choose the certificate's document: a PDF, JPEG or PNG.",
        );
    }
    if upload.bytes.len() > MAX_CERTIFICATE_BYTES {
        return Err(too_large().into());
    }
    let Some(content_type) = certificate_content_type(&upload.bytes) else {
        return refuse(
            "file",
            "That file is not a PDF, JPEG or PNG; scan or photograph the certificate and upload that.",
        );
    };
    let id = CertificateId(uuid::Uuid::now_v7());
    drop(conn);
    let key = documents::put(state, user, id, &upload.bytes).await?;
    let inserted = sqlx::query!(
        "INSERT INTO freelancer_certificates (certificate_id, user_id, certificate_type_id,
                                              file_name, content_type, store_key, expires_on)
         SELECT $1, user_id, $3, $4, $5, $6, $7 FROM freelancer_profiles WHERE user_id = $2",
        id.0,
        user.0,
        upload.type_id.trim(),
        clean_file_name(&upload.file_name),
        content_type,
        key,
        expires_on,
    )
    .execute(&state.db)
    .await;
    let refusal = match inserted {
        Ok(done) if done.rows_affected() == 1 => return Ok(id),
        Ok(_) => Refusal::ProfileBeforeCertificates.into(),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Refusal::CertificateAlreadyWaiting.into()
        }
        Err(e) => ServiceError::from(e),
    };
    documents::discard(state, &key).await;
    Err(refusal)
}

/// The refusal for a document over the limit (also used while it streams in).
pub fn too_large() -> AppError {
    AppError::field(
        "file",
        format!(
            "The file is larger than the {} MB limit; a smaller scan or photo will do.",
            MAX_CERTIFICATE_BYTES / (1024 * 1024)
        ),
    )
}

/// A freelancer's certificates, newest first.
pub async fn of(
    conn: &mut PgConnection,
    user: UserId,
) -> std::result::Result<Vec<Certificate>, sqlx::Error> {
    listed(conn, Some(user), None).await
}

/// Certificates of `user`, or those with the given ids, newest first.
async fn listed(
    conn: &mut PgConnection,
    user: Option<UserId>,
    ids: Option<&[uuid::Uuid]>,
) -> std::result::Result<Vec<Certificate>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT c.certificate_id, c.certificate_type_id, t.name,
                  c.status AS "status: CertificateStatus", c.expires_on, c.file_name,
                  hire_local(c.created_at)::date AS "uploaded_on!",
                  c.rejection_reason, hire_local(c.document_deleted_at)::date AS document_deleted_on
           FROM freelancer_certificates c JOIN certificate_types t USING (certificate_type_id)
           WHERE ($1::uuid IS NULL OR c.user_id = $1)
             AND ($2::uuid[] IS NULL OR c.certificate_id = ANY($2))
           ORDER BY c.created_at DESC, c.certificate_id"#,
        user.map(|u| u.0),
        ids
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Certificate {
            id: CertificateId(r.certificate_id),
            type_id: r.certificate_type_id,
            name: r.name,
            status: r.status,
            expires_on: r.expires_on,
            file_name: r.file_name,
            uploaded_on: r.uploaded_on,
            rejection_reason: r.rejection_reason,
            document_deleted_on: r.document_deleted_on,
        })
        .collect())
}

/// Certificates waiting for review, oldest first (up to 100), and how many wait in all.
pub async fn queue(
    conn: &mut PgConnection,
    vault: &crate::vault::Vault,
) -> std::result::Result<(Vec<VerificationItem>, i64), crate::vault::VaultError> {
    let rows = sqlx::query!(
        r#"SELECT c.certificate_id, t.expires, c.user_id,
                  person_name(c.user_id) AS "name!: crate::vault::Sealed",
                  person_email(c.user_id) AS "email!: crate::vault::Sealed",
                  count(*) OVER () AS "total!"
           FROM freelancer_certificates c
           JOIN certificate_types t USING (certificate_type_id)
           WHERE c.status = 'pending'
           ORDER BY c.created_at, c.certificate_id
           LIMIT 100"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.certificate_id).collect();
    let mut certificates = listed(conn, None, Some(&ids)).await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        let Some(at) = certificates.iter().position(|c| c.id.0 == r.certificate_id) else {
            continue;
        };
        items.push(VerificationItem {
            certificate: certificates.swap_remove(at),
            freelancer_id: UserId(r.user_id),
            freelancer: crate::accounts::repo::reveal_name(vault, &r.name)?,
            email: crate::accounts::repo::reveal_email(vault, &r.email)?,
            type_expires: r.expires,
        });
    }
    Ok((items, total))
}

/// An admin verifies or rejects a certificate waiting for review.
pub async fn review(
    state: &AppState,
    admin: Actor,
    id: CertificateId,
    decision: Review<'_>,
) -> Result<()> {
    let today = state.clock.now().date_naive();
    let mut tx = state.db.begin().await?;
    let Some(row) = sqlx::query!(
        r#"SELECT c.status AS "status: CertificateStatus", c.user_id, t.expires, t.name
           FROM freelancer_certificates c JOIN certificate_types t USING (certificate_type_id)
           WHERE c.certificate_id = $1 FOR UPDATE OF c"#,
        id.0
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Err(AppError::NotFound.into());
    };
    if row.status != CertificateStatus::Pending {
        return Err(Refusal::AlreadyReviewed.into());
    }
    let (status, expires_on, reason, action) = match decision {
        Review::Verify { expires_on } => {
            let expires_on = if row.expires {
                Some(expiry("expires_on", expires_on, today)?)
            } else {
                None
            };
            (
                CertificateStatus::Verified,
                expires_on,
                None,
                Action::CertificateVerified,
            )
        }
        Review::Reject { reason } => {
            let reason = reason.trim();
            if reason.is_empty() {
                return refuse("reason", "Tell the freelancer why, so they can fix it.");
            }
            if reason.chars().count() > 500 {
                return refuse("reason", "Keep the reason to 500 characters.");
            }
            (
                CertificateStatus::Rejected,
                None,
                Some(reason.to_owned()),
                Action::CertificateRejected,
            )
        }
    };
    sqlx::query!(
        "UPDATE freelancer_certificates
         SET status = $2, expires_on = CASE WHEN $6 THEN $3 ELSE expires_on END,
             rejection_reason = $4, reviewed_by = $5, reviewed_at = now()
         WHERE certificate_id = $1 AND status = 'pending'",
        id.0,
        status as CertificateStatus,
        expires_on,
        reason,
        admin.user.0,
        status == CertificateStatus::Verified,
    )
    .execute(&mut *tx)
    .await?;
    admin
        .record(
            &mut tx,
            action,
            row.user_id,
            serde_json::json!({ "certificate": id.0, "expires_on": expires_on }),
        )
        .await?;
    let freelancer = UserId(row.user_id);
    notices::certificate_reviewed(&mut tx, freelancer, &row.name, reason.as_deref()).await?;
    tx.commit().await?;
    Ok(())
}

/// Names of the certificates shift `posting` requires that `user` doesn't hold verified and
/// valid on the day the shift ends.
pub async fn missing(
    conn: &mut PgConnection,
    user: UserId,
    posting: PostingId,
) -> std::result::Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT t.name FROM posting_certificates k
         JOIN certificate_types t USING (certificate_type_id)
         JOIN postings p USING (posting_id)
         WHERE k.posting_id = $1
           AND NOT EXISTS (
               SELECT 1 FROM freelancer_certificates c
               WHERE c.user_id = $2 AND c.certificate_type_id = k.certificate_type_id
                 AND c.status = 'verified'
                 AND (c.expires_on IS NULL
                      OR c.expires_on >= hire_local(p.ends_at)::date))
         ORDER BY t.name",
        posting.0,
        user.0
    )
    .fetch_all(conn)
    .await
}
