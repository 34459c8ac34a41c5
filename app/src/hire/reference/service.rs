//! Checking a form's cities, skills and certificates against the reference lists.

use crate::error::AppError;
use crate::hire::error::Result;
use crate::hire::reference;
use sqlx::PgConnection;

/// Refuse a form whose city, skills or certificates are not in the reference lists (`form`:
/// the fields' prefix, `profile` or `shift`).
pub(crate) async fn check_reference(
    conn: &mut PgConnection,
    form: &str,
    city: &str,
    skills: &[(String, i16)],
    certificates: &[String],
) -> Result<()> {
    let ids: Vec<String> = skills.iter().map(|(id, _)| id.clone()).collect();
    let (city_known, skills_known, certificates_known) =
        reference::repo::known_references(conn, city, &ids, certificates).await?;
    let problem = if !city_known {
        Some(("city", "Choose a city from the list."))
    } else if !skills_known {
        Some(("skills", "Choose skills from the list."))
    } else if !certificates_known {
        Some(("certificates", "Choose certificates from the list."))
    } else {
        None
    };
    match problem {
        Some((field, message)) => Err(AppError::field(&format!("{form}[{field}]"), message).into()),
        None => Ok(()),
    }
}
