//! The tower-sessions store: session records in Postgres (`tower_sessions.session`), so any
//! app node can serve any browser.
//!
//! Rows are keyed by the SHA-256 of the session id, and the stored record leaves the id out:
//! someone who reads the table (a backup, a replica) learns no cookie that signs them in.
//!
//! Why not `tower-sessions-sqlx-store`: it switches on sqlx's `time` feature, and with both
//! `time` and `chrono` enabled sqlx 0.8's query macros map every timestamp to `time` types,
//! across the whole workspace. The store is four small queries, so it lives here.

use app::ids::LoginId;
use async_trait::async_trait;
use sqlx::PgPool;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

/// The session cookie's name.
pub const COOKIE: &str = "olivine_session";

#[derive(Clone, Debug)]
pub struct PostgresStore {
    db: PgPool,
}

impl PostgresStore {
    pub fn new(db: PgPool) -> Self {
        PostgresStore { db }
    }
}

fn backend(error: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

fn expiry(record: &Record) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(record.expiry_date.unix_timestamp(), 0).unwrap_or_default()
}

/// The row key of a session id: its SHA-256, in hex.
fn key(id: &Id) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(id.to_string().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What the `data` column holds: the record's values (its expiry has a column of its own, and
/// its id is never stored).
#[derive(serde::Serialize, serde::Deserialize)]
struct Stored {
    data: std::collections::HashMap<String, serde_json::Value>,
}

fn encode(record: &Record) -> session_store::Result<Vec<u8>> {
    serde_json::to_vec(&Stored {
        data: record.data.clone(),
    })
    .map_err(|e| session_store::Error::Encode(e.to_string()))
}

#[async_trait]
impl SessionStore for PostgresStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A fresh random id collides essentially never; if it does, draw again.
        loop {
            let inserted = sqlx::query!(
                "INSERT INTO tower_sessions.session (id, data, expiry_date) VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO NOTHING",
                key(&record.id),
                encode(record)?,
                expiry(record),
            )
            .execute(&self.db)
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        sqlx::query!(
            "INSERT INTO tower_sessions.session (id, data, expiry_date) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expiry_date = excluded.expiry_date",
            key(&record.id),
            encode(record)?,
            expiry(record),
        )
        .execute(&self.db)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row = sqlx::query!(
            "SELECT data, expiry_date FROM tower_sessions.session WHERE id = $1 AND expiry_date > now()",
            key(id)
        )
        .fetch_optional(&self.db)
        .await
        .map_err(backend)?;
        row.map(|row| {
            let stored: Stored = serde_json::from_slice(&row.data)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?;
            let expiry_date =
                time::OffsetDateTime::from_unix_timestamp(row.expiry_date.timestamp())
                    .map_err(|e| session_store::Error::Decode(e.to_string()))?;
            Ok(Record {
                id: *id,
                data: stored.data,
                expiry_date,
            })
        })
        .transpose()
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query!("DELETE FROM tower_sessions.session WHERE id = $1", key(id))
            .execute(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

/// A `Cookie` header value for a new session signed in as `login` (a committed `user_logins`
/// row), made without a request: for tools that sign in thousands of people at once.
pub async fn signed_in_cookie(
    db: &PgPool,
    login: LoginId,
    lifetime: time::Duration,
) -> session_store::Result<String> {
    let mut record = Record {
        id: Id::default(),
        data: app::accounts::session::signed_in_values(login),
        expiry_date: time::OffsetDateTime::now_utc() + lifetime,
    };
    PostgresStore::new(db.clone()).create(&mut record).await?;
    Ok(format!("{COOKIE}={}", record.id))
}
