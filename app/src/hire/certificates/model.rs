//! Certificates: the documents freelancers upload and admins verify.

use crate::ids::{CertificateId, UserId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pg_enum! {
    CertificateStatus as "certificate_status" {
        Pending = "pending": "Waiting for review",
        Verified = "verified": "Verified",
        Rejected = "rejected": "Not accepted",
    }
}

/// The largest certificate document accepted.
pub const MAX_CERTIFICATE_BYTES: usize = 5 * 1024 * 1024;

/// The document types a certificate may be uploaded as, recognised by their first bytes (the
/// name and the browser's claim are not trusted).
pub fn certificate_content_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

/// A freelancer's certificate as its owner and admins see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub id: CertificateId,
    pub type_id: String,
    pub name: String,
    pub status: CertificateStatus,
    pub expires_on: Option<NaiveDate>,
    pub file_name: String,
    pub uploaded_on: NaiveDate,
    pub rejection_reason: Option<String>,
    /// The document was deleted (kept only for a while after the certificate expired).
    pub document_deleted_on: Option<NaiveDate>,
}

impl Certificate {
    /// Verified, and not expired on `day`.
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.status == CertificateStatus::Verified && self.expires_on.is_none_or(|end| end >= day)
    }

    /// "Verified · valid until 3 May 2027", "Expired on …", "Waiting for review", …
    pub fn state_label(&self, today: NaiveDate) -> String {
        let until = |d: NaiveDate| d.format("%-d %b %Y").to_string();
        match (self.status, self.expires_on) {
            (CertificateStatus::Verified, Some(end)) if end < today => {
                format!("Expired on {}", until(end))
            }
            (CertificateStatus::Verified, Some(end)) => {
                format!("Verified · valid until {}", until(end))
            }
            (CertificateStatus::Verified, None) => "Verified".to_owned(),
            (CertificateStatus::Pending | CertificateStatus::Rejected, _) => {
                self.status.label().to_owned()
            }
        }
    }
}

/// A certificate waiting in the admins' verification queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationItem {
    pub certificate: Certificate,
    pub freelancer_id: UserId,
    pub freelancer: String,
    pub email: String,
    /// The type carries an expiry date, so verifying needs one.
    pub type_expires: bool,
}

/// The freelancer's own certificates and the Hire clock's date (what shows as expired).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyCertificates {
    pub certificates: Vec<Certificate>,
    pub today: NaiveDate,
}

/// The verification queue's first page and its full length.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationQueue {
    pub items: Vec<VerificationItem>,
    pub total: i64,
}
