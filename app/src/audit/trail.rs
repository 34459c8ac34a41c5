//! Reading the audit trail: the filtered, newest-first pages of `/admin/audit`, the same
//! entries as CSV, and the chain's state with its latest checkpoint.

use super::Action;
use super::checkpoint;
use super::model::{
    AuditEntry, AuditQuery, AuditTrail, ChainState, ChainStatus, ENTRIES_PER_PAGE, Named, describe,
};
use super::{ChainCheck, verify};
use crate::accounts;
use crate::blobs::BlobStore;
use crate::csv;
use crate::dates::parse_form_date;
use crate::error::{AppError, ServiceError};
use crate::vault::{Sealed, Vault};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

type Result<T> = std::result::Result<T, ServiceError>;

/// The filters, checked: each one given is an id, an action or a day that exists.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub person: Option<uuid::Uuid>,
    pub subject: Option<uuid::Uuid>,
    pub action: Option<Action>,
    pub from: Option<DateTime<Utc>>,
    /// Exclusive: the start of the day after the last one asked for.
    pub until: Option<DateTime<Utc>>,
}

/// Check `query`; a person may be named by email, which must belong to an account.
pub async fn filter(conn: &mut PgConnection, vault: &Vault, query: &AuditQuery) -> Result<Filter> {
    let person = match query.person.trim() {
        "" => None,
        text => match text.parse::<uuid::Uuid>() {
            Ok(id) => Some(id),
            Err(_) => Some(
                accounts::repo::user_id_by_email(conn, vault, text)
                    .await?
                    .map(|user| user.0)
                    .ok_or_else(|| {
                        AppError::field(
                            "person",
                            "No account has that email. Give an email or an account id.",
                        )
                    })?,
            ),
        },
    };
    let subject = match query.subject.trim() {
        "" => None,
        text => Some(text.parse::<uuid::Uuid>().map_err(|_| {
            AppError::field(
                "subject",
                "A subject is an id such as 0193a7c2-…; copy it from an entry.",
            )
        })?),
    };
    let action = match query.action.trim() {
        "" => None,
        name => Some(
            Action::from_db_name(name)
                .ok_or_else(|| AppError::field("action", "Choose an action from the list."))?,
        ),
    };
    let day = |raw: &str, name: &str| -> std::result::Result<_, AppError> {
        match raw.trim() {
            "" => Ok(None),
            text => parse_form_date(text)
                .map(Some)
                .ok_or_else(|| AppError::field(name, "Give a date as YYYY-MM-DD.")),
        }
    };
    let from = day(&query.from, "from")?;
    let to = day(&query.to, "to")?;
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        return Err(AppError::field("to", "The last day comes on or after the first.").into());
    }
    let start_of = |d: chrono::NaiveDate| d.and_time(chrono::NaiveTime::MIN).and_utc();
    Ok(Filter {
        person,
        subject,
        action,
        from: from.map(start_of),
        until: to.and_then(|d| d.succ_opt()).map(start_of),
    })
}

struct Row {
    audit_id: i64,
    chain_seq: Option<i64>,
    at: DateTime<Utc>,
    actor_id: Option<uuid::Uuid>,
    actor: Option<String>,
    ip: Option<String>,
    action: String,
    subject_id: Option<uuid::Uuid>,
    subject: Option<String>,
    detail: serde_json::Value,
}

/// Up to `limit` entries matching `filter` written before entry `before`, newest first.
async fn rows(
    conn: &mut PgConnection,
    vault: &Vault,
    filter: &Filter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Row>> {
    let rows = sqlx::query!(
        r#"SELECT a.audit_id, a.chain_seq, a.at, a.actor_id,
                  person_name(a.actor_id) AS "actor_name: Sealed",
                  person_email(a.actor_id) AS "actor_email: Sealed",
                  host(a.ip) AS ip, a.action, a.subject_id,
                  person_name(a.subject_id) AS "subject_name: Sealed",
                  person_email(a.subject_id) AS "subject_email: Sealed",
                  a.detail
           FROM audit_log a
           WHERE ($1::uuid IS NULL OR a.actor_id = $1 OR a.subject_id = $1)
             AND ($2::uuid IS NULL OR a.subject_id = $2)
             AND ($3::text IS NULL OR a.action = $3)
             AND ($4::timestamptz IS NULL OR a.at >= $4)
             AND ($5::timestamptz IS NULL OR a.at < $5)
             AND ($6::bigint IS NULL OR a.audit_id < $6)
           ORDER BY a.audit_id DESC
           LIMIT $7"#,
        filter.person,
        filter.subject,
        filter.action.map(Action::db_name),
        filter.from,
        filter.until,
        before,
        limit,
    )
    .fetch_all(conn)
    .await?;
    let label = |name: Option<Sealed>, email: Option<Sealed>| {
        accounts::repo::person_label(vault, name.as_ref(), email.as_ref())
    };
    rows.into_iter()
        .map(|r| {
            Ok(Row {
                audit_id: r.audit_id,
                chain_seq: r.chain_seq,
                at: r.at,
                actor_id: r.actor_id,
                actor: label(r.actor_name, r.actor_email)?,
                ip: r.ip,
                action: r.action,
                subject_id: r.subject_id,
                subject: label(r.subject_name, r.subject_email)?,
                detail: r.detail,
            })
        })
        .collect()
}

fn entry(row: Row) -> AuditEntry {
    let (changes, details) = describe(&row.detail);
    let action = Action::from_db_name(&row.action);
    AuditEntry {
        id: row.audit_id,
        seq: row.chain_seq,
        at: row.at,
        actor: row.actor_id.map(|id| Named {
            id,
            label: row.actor,
        }),
        ip: row.ip,
        action_label: action.map_or_else(|| row.action.clone(), |a| a.label().to_owned()),
        action: row.action,
        subject: row.subject_id.map(|id| Named {
            id,
            label: row.subject,
        }),
        changes,
        details,
    }
}

/// One page of entries matching `query`, older than entry `before`.
pub async fn page(
    conn: &mut PgConnection,
    vault: &Vault,
    query: &AuditQuery,
    before: Option<i64>,
) -> Result<AuditTrail> {
    let filter = filter(conn, vault, query).await?;
    let mut rows = rows(conn, vault, &filter, before, ENTRIES_PER_PAGE + 1).await?;
    let more = rows.len() as i64 > ENTRIES_PER_PAGE;
    rows.truncate(ENTRIES_PER_PAGE as usize);
    let older = more.then(|| rows.last().map(|r| r.audit_id)).flatten();
    Ok(AuditTrail {
        entries: rows.into_iter().map(entry).collect(),
        older,
    })
}

/// Every entry matching `query` as CSV, newest first, read a thousand at a time.
pub async fn export(conn: &mut PgConnection, vault: &Vault, query: &AuditQuery) -> Result<String> {
    const CHUNK: i64 = 1000;
    let filter = filter(conn, vault, query).await?;
    let mut out = csv::row(&[
        "seq",
        "entry",
        "at",
        "actor_id",
        "actor",
        "ip",
        "action",
        "what",
        "subject_id",
        "subject",
        "changes",
        "details",
    ]);
    let mut before = None;
    loop {
        let rows = rows(conn, vault, &filter, before, CHUNK).await?;
        let Some(last) = rows.last() else { break };
        before = Some(last.audit_id);
        let full = rows.len() as i64 == CHUNK;
        for e in rows.into_iter().map(entry) {
            let named = |n: &Option<Named>| {
                (
                    n.as_ref().map(|n| n.id.to_string()).unwrap_or_default(),
                    n.as_ref().and_then(|n| n.label.clone()).unwrap_or_default(),
                )
            };
            let (actor_id, actor) = named(&e.actor);
            let (subject_id, subject) = named(&e.subject);
            let changes: Vec<String> = e
                .changes
                .iter()
                .map(|c| format!("{}: {} → {}", c.field, c.before, c.after))
                .collect();
            let details: Vec<String> = e.details.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            out.push_str(&csv::row(&[
                e.seq.map(|s| s.to_string()).unwrap_or_default(),
                e.id.to_string(),
                e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                actor_id,
                actor,
                e.ip.unwrap_or_default(),
                e.action,
                e.action_label,
                subject_id,
                subject,
                changes.join("; "),
                details.join("; "),
            ]));
        }
        if !full {
            break;
        }
    }
    Ok(out)
}

/// Recompute the whole chain and hold the latest checkpoint against it.
pub async fn status(conn: &mut PgConnection, store: &BlobStore) -> Result<ChainStatus> {
    let chain = match verify(conn).await? {
        ChainCheck::Intact { rows, seq, head } => ChainState::Intact {
            rows,
            seq,
            head: hex(&head),
        },
        ChainCheck::Broken {
            audit_id,
            chain_seq,
        } => ChainState::Broken {
            seq: chain_seq,
            audit_id,
        },
    };
    let checkpoint = checkpoint::latest(conn, store).await?;
    Ok(ChainStatus { chain, checkpoint })
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
