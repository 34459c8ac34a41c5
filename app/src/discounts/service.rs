//! Which codes a customer may use.

use super::model::DiscountTerms;
use super::repo;
use crate::error::{AppError, ServiceError};
use sqlx::PgConnection;

/// How a refusal of an unknown code begins (checkout counts those against guessing).
pub const UNKNOWN_CODE: &str = "We don't know the code";

/// A code's terms, if it exists and has uses left (overall and for this customer).
pub async fn usable(
    conn: &mut PgConnection,
    code: &str,
    customer_key: Option<&str>,
    lock: bool,
) -> Result<DiscountTerms, ServiceError> {
    let unknown = || AppError::field("discount_code", format!("{UNKNOWN_CODE} {code}."));
    let found = repo::discount_code(conn, code, lock)
        .await?
        .ok_or_else(unknown)?;
    if found
        .max_redemptions
        .is_some_and(|max| found.redemptions >= max)
    {
        return Err(AppError::field(
            "discount_code",
            format!("The code {code} has been used up."),
        )
        .into());
    }
    if let (Some(max), Some(customer)) = (found.max_per_customer, customer_key)
        && repo::redemptions_by(conn, code, customer).await? >= i64::from(max)
    {
        let times = if max == 1 {
            "once".to_owned()
        } else {
            format!("{max} times")
        };
        return Err(AppError::field(
            "discount_code",
            format!("The code {code} can be used {times} per customer, and you have."),
        )
        .into());
    }
    Ok(found.terms)
}
