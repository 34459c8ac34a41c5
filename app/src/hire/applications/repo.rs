//! Application queries: applying, inviting, offers and the lists each side sees.

use crate::accounts::repo::reveal_name;
use crate::hire::applications::model::{Applicant, ApplicationStatus, MyApplication, PastWorker};
use crate::hire::postings::model::ShiftSummary;
use crate::hire::postings::repo::cards;
use crate::hire::profiles::repo::reliability;
use crate::hire::reference::model::HIRE_CURRENCY;
use crate::ids::{ApplicationId, OrganisationId, PostingId, UserId};
use crate::money::Money;
use crate::vault::{Sealed, Vault, VaultError};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// A new application or invitation.
pub struct NewApplication<'a> {
    pub id: ApplicationId,
    pub posting: PostingId,
    pub organisation: OrganisationId,
    pub freelancer: UserId,
    /// `Applied` when the freelancer applies, `Invited` when a manager invites.
    pub status: ApplicationStatus,
    pub note: &'a str,
    /// The freelancer's own rate or price for a job.
    pub proposed: Option<Money>,
    pub invited_by: Option<UserId>,
}

/// Insert an application, or turn the freelancer's invitation to the posting into one. The
/// id of the row written; `None` when the freelancer already applied or was already invited.
pub async fn insert_application(
    conn: &mut PgConnection,
    new: &NewApplication<'_>,
) -> Result<Option<ApplicationId>, sqlx::Error> {
    let id = sqlx::query_scalar!(
        "INSERT INTO applications (application_id, posting_id, organisation_id, freelancer_id,
                                   status, note, invited_by, proposed_minor)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (posting_id, freelancer_id) DO UPDATE
             SET status = 'applied', note = EXCLUDED.note, proposed_minor = EXCLUDED.proposed_minor
             WHERE applications.status = 'invited' AND EXCLUDED.status = 'applied'
         RETURNING application_id",
        new.id.0,
        new.posting.0,
        new.organisation.0,
        new.freelancer.0,
        new.status as ApplicationStatus,
        new.note,
        new.invited_by.map(|u| u.0),
        new.proposed.map(Money::minor),
    )
    .fetch_optional(conn)
    .await?;
    Ok(id.map(ApplicationId))
}

/// Freelancers who completed a contract for the organisation and are not yet on `posting`
/// (applied, invited or otherwise), most shifts first: the people a manager invites back.
pub async fn past_workers(
    conn: &mut PgConnection,
    vault: &Vault,
    organisation: OrganisationId,
    posting: PostingId,
) -> Result<Vec<PastWorker>, VaultError> {
    let rows = sqlx::query!(
        r#"
        SELECT c.freelancer_id, person_name(c.freelancer_id) AS "name!: Sealed", p.headline,
               ci.name AS city, count(*) AS "shifts!"
        FROM contracts c
        JOIN freelancer_profiles p ON p.user_id = c.freelancer_id
        JOIN cities ci ON ci.city_id = p.city_id
        WHERE c.organisation_id = $1 AND c.status = 'completed'
          AND NOT EXISTS (SELECT 1 FROM applications a
                          WHERE a.posting_id = $2 AND a.freelancer_id = c.freelancer_id)
        GROUP BY c.freelancer_id, p.headline, ci.name
        ORDER BY count(*) DESC, c.freelancer_id
        LIMIT 20
        "#,
        organisation.0,
        posting.0
    )
    .fetch_all(conn)
    .await?;
    let mut workers = rows
        .into_iter()
        .map(|r| {
            Ok(PastWorker {
                freelancer_id: UserId(r.freelancer_id),
                name: reveal_name(vault, &r.name)?,
                headline: r.headline,
                city: r.city,
                shifts: r.shifts,
            })
        })
        .collect::<Result<Vec<_>, VaultError>>()?;
    // Most shifts first, then by name (sealed: sorted here).
    workers.sort_by(|a, b| b.shifts.cmp(&a.shifts).then_with(|| a.name.cmp(&b.name)));
    Ok(workers)
}

/// The organisations' open, upcoming shifts `freelancer` is not yet on: what a manager of
/// them can invite the freelancer to.
pub async fn invitable_shifts(
    conn: &mut PgConnection,
    organisations: &[uuid::Uuid],
    freelancer: UserId,
    now: DateTime<Utc>,
) -> Result<Vec<ShiftSummary>, sqlx::Error> {
    let ids = sqlx::query_scalar!(
        "SELECT posting_id FROM postings p
         WHERE organisation_id = ANY($1) AND status = 'published' AND starts_at > $3
           AND NOT EXISTS (SELECT 1 FROM applications a
                           WHERE a.posting_id = p.posting_id AND a.freelancer_id = $2)
         ORDER BY starts_at, posting_id
         LIMIT 100",
        organisations,
        freelancer.0,
        now
    )
    .fetch_all(&mut *conn)
    .await?;
    cards(conn, &ids, None).await
}

#[derive(Clone, Copy, Debug)]
pub struct LockedApplication {
    pub status: ApplicationStatus,
    pub posting: PostingId,
    pub organisation: OrganisationId,
    pub freelancer: UserId,
}

pub async fn lock_application(
    conn: &mut PgConnection,
    id: ApplicationId,
) -> Result<Option<LockedApplication>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT status AS "status: ApplicationStatus", posting_id, organisation_id, freelancer_id
           FROM applications WHERE application_id = $1 FOR UPDATE"#,
        id.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| LockedApplication {
        status: r.status,
        posting: PostingId(r.posting_id),
        organisation: OrganisationId(r.organisation_id),
        freelancer: UserId(r.freelancer_id),
    }))
}

pub async fn set_application_status(
    conn: &mut PgConnection,
    id: ApplicationId,
    from: ApplicationStatus,
    to: ApplicationStatus,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE applications SET status = $3::application_status, reason = $4,
                offered_at = CASE WHEN $3::application_status = 'offered' THEN $5 ELSE offered_at END
         WHERE application_id = $1 AND status = $2",
        id.0,
        from as ApplicationStatus,
        to as ApplicationStatus,
        reason,
        now,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn my_applications(
    conn: &mut PgConnection,
    freelancer: UserId,
    posting: Option<PostingId>,
) -> Result<Vec<MyApplication>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        SELECT application_id, posting_id, status AS "status: ApplicationStatus", note, reason
        FROM applications
        WHERE freelancer_id = $1 AND ($2::uuid IS NULL OR posting_id = $2)
        ORDER BY created_at DESC
        LIMIT 200
        "#,
        freelancer.0,
        posting.map(|p| p.0),
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.posting_id).collect();
    let shifts = cards(conn, &ids, Some(freelancer)).await?;
    Ok(shifts
        .into_iter()
        .zip(rows)
        .map(|(shift, r)| MyApplication {
            id: ApplicationId(r.application_id),
            status: r.status,
            note: r.note,
            reason: r.reason,
            shift,
        })
        .collect())
}

pub async fn applicants(
    conn: &mut PgConnection,
    vault: &Vault,
    organisation: OrganisationId,
    posting: PostingId,
) -> Result<Vec<Applicant>, VaultError> {
    let rows = sqlx::query!(
        r#"
        SELECT a.application_id, a.freelancer_id, person_name(a.freelancer_id) AS "name!: Sealed",
               p.headline, c.name AS city,
               a.status AS "status: ApplicationStatus", a.note, a.reason, a.proposed_minor
        FROM applications a
        JOIN freelancer_profiles p ON p.user_id = a.freelancer_id
        JOIN cities c ON c.city_id = p.city_id
        WHERE a.organisation_id = $1 AND a.posting_id = $2
        ORDER BY a.created_at
        "#,
        organisation.0,
        posting.0
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<UserId> = rows.iter().map(|r| UserId(r.freelancer_id)).collect();
    let stats = reliability(conn, &ids).await?;
    let names = rows
        .iter()
        .map(|r| reveal_name(vault, &r.name))
        .collect::<Result<Vec<_>, VaultError>>()?;
    Ok(rows
        .into_iter()
        .zip(names)
        .map(|(r, name)| Applicant {
            id: ApplicationId(r.application_id),
            freelancer_id: UserId(r.freelancer_id),
            reliability: stats
                .iter()
                .find(|(u, _)| u.0 == r.freelancer_id)
                .map(|(_, s)| *s)
                .unwrap_or_default(),
            name,
            headline: r.headline,
            city: r.city,
            status: r.status,
            note: r.note,
            reason: r.reason,
            proposed: r.proposed_minor.map(|c| Money::new(c, HIRE_CURRENCY)),
            fit: None,
        })
        .collect())
}
