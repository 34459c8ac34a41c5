//! Hire: the person's freelancer profile, skills, availability and certificates (with their
//! documents), applications, contracts, hours, handed-over work, ratings and messages, and what
//! they did as a hiring manager (postings, answers, ratings).

use super::certificates::documents;
use crate::audit::Actor;
use crate::error::ServiceError;
use crate::ids::{CertificateId, UserId};
use crate::privacy::{Covered, ERASED, Erased, Erasing, Holding, Part, Person};
use crate::state::AppState;
use sqlx::PgConnection;

/// `hire.json` in a person's data download.
pub const HOLDING: Holding = Holding {
    name: "hire",
    covers: COVERS,
    export: |state, person| Box::pin(export(state, person)),
    let_go: Some(|state, erasing| Box::pin(let_go(state, erasing))),
    hold: Some(|conn, user| Box::pin(hold(conn, user))),
    erase: |_, conn, erasing| Box::pin(erase(conn, erasing)),
};

const COVERS: &[Covered] = &[
    Covered {
        table: "freelancer_profiles",
        columns: &["user_id"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "freelancer_skills",
        columns: &["user_id"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "freelancer_availability",
        columns: &["user_id"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "freelancer_days_off",
        columns: &["user_id"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "freelancer_certificates",
        columns: &["user_id", "reviewed_by"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "applications",
        columns: &["freelancer_id", "invited_by"],
        erased: Erased::Kept("contracts rest on them; the note is cleared"),
    },
    Covered {
        table: "contracts",
        columns: &["freelancer_id"],
        erased: Erased::Kept("what was agreed and paid"),
    },
    Covered {
        table: "contract_events",
        columns: &["recorded_by"],
        erased: Erased::Kept("what was owed and why"),
    },
    Covered {
        table: "timesheets",
        columns: &["freelancer_id", "answered_by"],
        erased: Erased::Kept("hours paid for"),
    },
    Covered {
        table: "deliveries",
        columns: &["freelancer_id", "answered_by"],
        erased: Erased::Kept("work paid for; the note is cleared"),
    },
    Covered {
        table: "contract_ratings",
        columns: &["rated_by"],
        erased: Erased::Kept("a rating stands; the comment is cleared"),
    },
    Covered {
        table: "messages",
        columns: &["sent_by"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "postings",
        columns: &["created_by"],
        erased: Erased::Kept("the organisation's postings"),
    },
];

async fn export(state: &AppState, person: &Person) -> Result<Part, ServiceError> {
    let mut conn = state.db.acquire().await?;
    let user = person.id.0;
    let freelancer_profiles = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM freelancer_profiles t WHERE user_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let freelancer_skills = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM freelancer_skills t WHERE user_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let freelancer_availability = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM freelancer_availability t WHERE user_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let freelancer_days_off = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM freelancer_days_off t WHERE user_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let freelancer_certificates = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM freelancer_certificates t WHERE user_id = $1 OR reviewed_by = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let applications = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM applications t WHERE freelancer_id = $1 OR invited_by = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let contracts = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM contracts t WHERE freelancer_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let contract_events = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM contract_events t WHERE contract_id IN (SELECT contract_id FROM contracts WHERE freelancer_id = $1) OR recorded_by = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let timesheets = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM timesheets t WHERE freelancer_id = $1 OR answered_by = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let deliveries = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM deliveries t WHERE freelancer_id = $1 OR answered_by = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let contract_ratings = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM contract_ratings t WHERE contract_id IN (SELECT contract_id FROM contracts WHERE freelancer_id = $1) OR rated_by = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let messages = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM messages t WHERE application_id IN (SELECT application_id FROM applications WHERE freelancer_id = $1) OR sent_by = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let postings = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM postings t WHERE created_by = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let part = Part::default()
        .table("freelancer_profiles", freelancer_profiles)
        .table("freelancer_skills", freelancer_skills)
        .table("freelancer_availability", freelancer_availability)
        .table("freelancer_days_off", freelancer_days_off)
        .table("freelancer_certificates", freelancer_certificates)
        .table("applications", applications)
        .table("contracts", contracts)
        .table("contract_events", contract_events)
        .table("timesheets", timesheets)
        .table("deliveries", deliveries)
        .table("contract_ratings", contract_ratings)
        .table("messages", messages)
        .table("postings", postings);
    drop(conn);
    with_documents(state, person, part).await
}

/// The person's own certificate documents, in `files/certificates/`; each opening is an audit
/// entry, as every other is.
async fn with_documents(
    state: &AppState,
    person: &Person,
    mut part: Part,
) -> Result<Part, ServiceError> {
    let mut conn = state.db.acquire().await?;
    let ids = sqlx::query_scalar!(
        "SELECT certificate_id FROM freelancer_certificates
         WHERE user_id = $1 AND (document IS NOT NULL OR store_key IS NOT NULL)
         ORDER BY created_at",
        person.id.0
    )
    .fetch_all(&mut *conn)
    .await?;
    drop(conn);
    let owner = Actor {
        user: person.id,
        ip: None,
    };
    for id in ids {
        if let Some(document) = documents::open(state, CertificateId(id), owner, false).await? {
            let name = safe_file_name(&document.file_name);
            part.file(format!("certificates/{id}-{name}"), document.bytes);
        }
    }
    Ok(part)
}

/// A file name as it may stand in a ZIP: letters, digits, dots, dashes and underscores.
fn safe_file_name(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    safe.trim_start_matches('.').to_owned()
}

/// A freelancer's running contract or an offer waiting for their answer is finished first
/// (an offer expires by itself).
async fn hold(conn: &mut PgConnection, user: UserId) -> Result<Option<&'static str>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT EXISTS (SELECT 1 FROM contracts WHERE freelancer_id = $1 AND status = 'active')
                    AS "working!",
                  EXISTS (SELECT 1 FROM applications WHERE freelancer_id = $1 AND status = 'offered')
                    AS "offered!""#,
        user.0
    )
    .fetch_one(conn)
    .await?;
    Ok(if row.working {
        Some("a contract of theirs is still running")
    } else if row.offered {
        Some("an offer waits for their answer")
    } else {
        None
    })
}

/// Their certificate documents leave the restricted store (sealed with their key, which goes
/// too, they could not be read anyway).
async fn let_go(state: &AppState, erasing: &Erasing) -> Result<(), ServiceError> {
    let certificates = sqlx::query_scalar!(
        "SELECT certificate_id FROM freelancer_certificates
         WHERE user_id = $1 AND document_deleted_at IS NULL",
        erasing.id.0
    )
    .fetch_all(&state.db)
    .await?;
    for id in certificates {
        documents::delete(state, CertificateId(id), "its owner's account was erased").await?;
    }
    Ok(())
}

/// The profile goes with its skills, availability and certificates, and the messages they
/// sent; open applications are withdrawn; contracts and what was paid stay, the words they
/// wrote in them cleared.
async fn erase(conn: &mut PgConnection, erasing: &Erasing) -> Result<(), ServiceError> {
    let user = erasing.id.0;
    sqlx::query!("DELETE FROM messages WHERE sent_by = $1", user)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "UPDATE applications SET status = 'withdrawn', reason = 'The freelancer left Olivine.'
         WHERE freelancer_id = $1 AND status IN ('applied', 'invited')",
        user
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE applications SET note = '' WHERE freelancer_id = $1",
        user
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE deliveries SET note = $2 WHERE freelancer_id = $1",
        user,
        ERASED
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE contract_ratings SET comment = '' WHERE rated_by = $1",
        user
    )
    .execute(&mut *conn)
    .await?;
    // Skills, availability, days off and certificates go with the profile.
    sqlx::query!("DELETE FROM freelancer_profiles WHERE user_id = $1", user)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::safe_file_name;

    #[test]
    fn file_names_keep_to_what_a_zip_path_may_hold() {
        assert_eq!(
            safe_file_name("Food hygiene (2026).pdf"),
            "Food_hygiene__2026_.pdf"
        );
        assert_eq!(safe_file_name("../../etc/passwd"), "_.._etc_passwd");
    }
}
