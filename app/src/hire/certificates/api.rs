//! Server functions for certificates: the freelancer's own and the verification queue.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::hire::access::freelancer;
use crate::hire::certificates::model::{MyCertificates, VerificationQueue};
use crate::ids::CertificateId;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    crate::accounts::authz::{Need, acting_admin, authorize},
    crate::accounts::model::Role,
    crate::hire::certificates::service as certificates,
    crate::state::app_state,
};

/// The caller's certificates with their review state.
#[server(endpoint = "hire/certificates/mine")]
pub async fn load_my_certificates() -> Result<MyCertificates, AppError> {
    let (state, user) = freelancer().await?;
    Ok(certificates::mine(&state, user).await?)
}

/// Certificates waiting for a support admin's review.
#[server(endpoint = "admin/verification")]
pub async fn load_verification_queue() -> Result<VerificationQueue, AppError> {
    authorize(Need::Role(Role::AdminSupport)).await?;
    Ok(certificates::verification_queue(&app_state()?).await?)
}

/// Verify a certificate (`decision` = `verify`, with the expiry date as the document shows it)
/// or reject it (`reject`, with the reason the freelancer will read).
#[server(endpoint = "admin/verification/review")]
pub async fn review_certificate(
    certificate: CertificateId,
    decision: String,
    expires_on: String,
    reason: String,
) -> Result<(), AppError> {
    let admin = acting_admin(Role::AdminSupport).await?;
    let review = certificates::Review::parse(&decision, &expires_on, &reason)?;
    Ok(certificates::review(&app_state()?, admin, certificate, review).await?)
}
