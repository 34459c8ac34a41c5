//! The audit log: who did what to whom, append-only (the table refuses UPDATE, DELETE and
//! TRUNCATE), each row hash-chained to the one written before it ([`verify`] checks the chain).

pub mod model;

#[cfg(feature = "ssr")]
pub mod checkpoint;
#[cfg(feature = "ssr")]
pub mod privacy;
#[cfg(feature = "ssr")]
pub mod trail;

#[cfg(feature = "ssr")]
pub use record::{Actor, ChainCheck, Entry, record, verify};

pg_enum!(
    /// What happened. Stored as text so the list can grow without a migration.
    Action as "text" {
    SignUp = "sign_up": "Signed up",
    SignIn = "sign_in": "Signed in",
    SignInFailed = "sign_in_failed": "Failed sign-in",
    SignOut = "sign_out": "Signed out",
    SessionsRevoked = "sessions_revoked": "Signed out other devices",
    SecondFactorFailed = "second_factor_failed": "Entered a wrong sign-in code",
    SecondFactorConfirmed = "second_factor_confirmed": "Confirmed with a sign-in code",
    AuthenticatorAdded = "authenticator_added": "Turned on two-step sign-in",
    AuthenticatorRemoved = "authenticator_removed": "Turned off two-step sign-in",
    RecoveryCodesRenewed = "recovery_codes_renewed": "Made new recovery codes",
    RecoveryCodeUsed = "recovery_code_used": "Signed in with a recovery code",
    PasskeyAdded = "passkey_added": "Added a passkey",
    PasskeyRemoved = "passkey_removed": "Removed a passkey",
    PasskeyFailed = "passkey_failed": "A passkey was refused",
    PasswordChanged = "password_changed": "Changed password",
    PasswordResetRequested = "password_reset_requested": "Asked for a password reset",
    PasswordReset = "password_reset": "Reset password",
    ProfileUpdated = "profile_updated": "Updated profile",
    LoginLinked = "login_linked": "Linked a sign-in provider",
    LoginUnlinked = "login_unlinked": "Unlinked a sign-in provider",
    ProviderJoinRefused = "provider_join_refused": "A provider sign-in named this account's email; not joined",
    RoleGranted = "role_granted": "Role granted",
    RoleRevoked = "role_revoked": "Role revoked",
    AdminBootstrapped = "admin_bootstrapped": "First admin created",
    OrganisationCreated = "organisation_created": "Created an organisation",
    MemberInvited = "member_invited": "Invited a member",
    InvitationRevoked = "invitation_revoked": "Revoked an invitation",
    MemberJoined = "member_joined": "Joined an organisation",
    MemberRemoved = "member_removed": "Removed a member",
    OwnershipTransferred = "ownership_transferred": "Transferred ownership",
    ProductCreated = "product_created": "Created a product",
    ProductUpdated = "product_updated": "Edited a product",
    ProductPublished = "product_published": "Published a product",
    ProductUnpublished = "product_unpublished": "Unpublished a product",
    VariantCreated = "variant_created": "Added a variant",
    VariantUpdated = "variant_updated": "Edited a variant",
    LotReceived = "lot_received": "Received a lot",
    StockAdjusted = "stock_adjusted": "Corrected stock",
    ImageAdded = "image_added": "Added a product photo",
    ImageUpdated = "image_updated": "Edited a photo's alt text",
    ImageMoved = "image_moved": "Reordered product photos",
    ImageRemoved = "image_removed": "Removed a product photo",
    ImageReprocessed = "image_reprocessed": "Re-processed a product photo",
    OrderPacked = "order_packed": "Marked an order packed",
    OrderShipped = "order_shipped": "Marked an order shipped",
    OrderDelivered = "order_delivered": "Marked an order delivered",
    OrderCancelled = "order_cancelled": "Cancelled an order",
    OrderRefunded = "order_refunded": "Refunded an order",
    OfferMade = "offer_made": "Offered a place",
    ContractHired = "contract_hired": "Contract started",
    ContractCancelledByClient = "contract_cancelled_by_client": "Organisation cancelled a contract",
    ContractCancelledByFreelancer = "contract_cancelled_by_freelancer": "Freelancer cancelled a contract",
    NoShowRecorded = "no_show_recorded": "Recorded a no-show",
    HoursApproved = "hours_approved": "Hours approved",
    WorkApproved = "work_approved": "Work approved",
    CertificateVerified = "certificate_verified": "Verified a certificate",
    CertificateRejected = "certificate_rejected": "Rejected a certificate",
    CertificateDocumentViewed = "certificate_document_viewed": "Opened a certificate document",
    CertificateDocumentDeleted = "certificate_document_deleted": "Deleted a certificate document",
    JobItemRetried = "job_item_retried": "Sent a parked background job item back to its queue",
    OrganisationCardSaved = "organisation_card_saved": "Saved the organisation's card for Hire",
    BookingLapsed = "booking_lapsed": "Released a booking that was not funded in time",
    JobEnded = "job_ended": "Ended an hourly job early",
    DisputeOpened = "dispute_opened": "Disputed hours or work",
    DisputeSettled = "dispute_settled": "Settled a dispute by submitting again",
    DisputeEscalated = "dispute_escalated": "Asked Olivine to decide a dispute",
    DisputeResolved = "dispute_resolved": "Decided a dispute",
    SubscriptionRetried = "subscription_retried": "Tried a subscription's delivery again",
    ReviewPublished = "review_published": "Published a review",
    ReviewRejected = "review_rejected": "Rejected a review",
    PointsAdjusted = "points_adjusted": "Adjusted a customer's loyalty points",
    DataExportRequested = "data_export_requested": "Asked for a download of their data",
    DataExportBuilt = "data_export_built": "Prepared a download of a person's data",
    DataExportDownloaded = "data_export_downloaded": "Downloaded their data",
    ErasureRequested = "erasure_requested": "Asked for an account to be erased",
    ErasureCancelled = "erasure_cancelled": "Cancelled an account's erasure",
    PersonErased = "person_erased": "Erased an account and what identified its person",
});

#[cfg(feature = "ssr")]
mod record {
    use super::Action;
    use crate::ids::UserId;
    use sqlx::PgConnection;
    use std::net::IpAddr;

    pub struct Entry {
        pub actor: Option<UserId>,
        pub action: Action,
        pub subject: Option<uuid::Uuid>,
        pub ip: Option<IpAddr>,
        pub detail: serde_json::Value,
    }

    impl Entry {
        pub fn new(actor: Option<UserId>, action: Action) -> Self {
            Entry {
                actor,
                action,
                subject: None,
                ip: None,
                detail: serde_json::Value::Object(serde_json::Map::new()),
            }
        }

        pub fn subject(mut self, id: impl Into<uuid::Uuid>) -> Self {
            self.subject = Some(id.into());
            self
        }

        pub fn ip(mut self, ip: Option<IpAddr>) -> Self {
            self.ip = ip;
            self
        }

        pub fn detail(mut self, detail: serde_json::Value) -> Self {
            self.detail = detail;
            self
        }
    }

    /// Who is acting, as the audit log names them: the person and the address their request
    /// came from.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Actor {
        pub user: UserId,
        pub ip: Option<IpAddr>,
    }

    impl Actor {
        /// This actor's entry for `action` on `subject`.
        pub fn entry(
            self,
            action: Action,
            subject: impl Into<uuid::Uuid>,
            detail: serde_json::Value,
        ) -> Entry {
            Entry::new(Some(self.user), action)
                .subject(subject)
                .ip(self.ip)
                .detail(detail)
        }

        /// Write that entry on the caller's connection, in the change's own transaction.
        pub async fn record(
            self,
            conn: &mut PgConnection,
            action: Action,
            subject: impl Into<uuid::Uuid>,
            detail: serde_json::Value,
        ) -> Result<(), sqlx::Error> {
            record(conn, self.entry(action, subject, detail)).await
        }
    }

    /// Write one entry on the caller's connection, so it commits or rolls back with the change.
    /// It is sealed into the hash chain when the transaction commits.
    pub async fn record(conn: &mut PgConnection, entry: Entry) -> Result<(), sqlx::Error> {
        sqlx::query!(
            "INSERT INTO audit_log (actor_id, action, subject_id, ip, detail)
             VALUES ($1, $2, $3, $4::text::inet, $5)",
            entry.actor.map(|u| u.0),
            entry.action.db_name(),
            entry.subject,
            entry.ip.map(|ip| ip.to_string()),
            entry.detail,
        )
        .execute(conn)
        .await?;
        Ok(())
    }

    /// What [`verify`] found.
    #[derive(Debug, PartialEq, Eq)]
    pub enum ChainCheck {
        /// Every row's hash matches its content and the row before it; `head` is the hash of
        /// the last row, at place `seq` (0 and empty for an empty log).
        Intact { rows: i64, seq: i64, head: Vec<u8> },
        /// The first row (in the order written) whose content or link does not match: it was
        /// edited, or a row before it was removed or changed.
        Broken { audit_id: i64, chain_seq: i64 },
    }

    /// Recompute the audit log's hash chain. `head` is the last row's hash: kept somewhere
    /// else, it also shows that no rows were cut off the end.
    pub async fn verify(conn: &mut PgConnection) -> Result<ChainCheck, sqlx::Error> {
        let broken = sqlx::query!(
            r#"WITH chain AS (
                   SELECT a.audit_id, a.chain_seq, a.prev_hash, a.row_hash,
                          sha256(a.prev_hash || convert_to(audit_row_text(a), 'UTF8')) AS recomputed,
                          coalesce(lag(a.row_hash) OVER (ORDER BY a.chain_seq), '\x'::bytea)
                              AS before
                   FROM audit_log a)
               SELECT audit_id AS "audit_id!", coalesce(chain_seq, 0) AS "chain_seq!" FROM chain
               WHERE row_hash IS NULL OR row_hash IS DISTINCT FROM recomputed
                  OR prev_hash IS DISTINCT FROM before
               ORDER BY chain_seq LIMIT 1"#
        )
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(row) = broken {
            return Ok(ChainCheck::Broken {
                audit_id: row.audit_id,
                chain_seq: row.chain_seq,
            });
        }
        let head = sqlx::query!(
            r#"SELECT count(*) AS "rows!", last.chain_seq AS "seq?", last.row_hash AS "head?"
               FROM audit_log
               LEFT JOIN (SELECT chain_seq, row_hash FROM audit_log
                          ORDER BY chain_seq DESC NULLS LAST LIMIT 1) last ON true
               GROUP BY last.chain_seq, last.row_hash"#
        )
        .fetch_optional(conn)
        .await?;
        Ok(match head {
            Some(head) => ChainCheck::Intact {
                rows: head.rows,
                seq: head.seq.unwrap_or_default(),
                head: head.head.unwrap_or_default(),
            },
            None => ChainCheck::Intact {
                rows: 0,
                seq: 0,
                head: Vec::new(),
            },
        })
    }
}
