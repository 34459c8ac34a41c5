//! The tower-sessions store: session records in Postgres (`tower_sessions.session`), so any
//! app node can serve any browser.
//!
//! Why not `tower-sessions-sqlx-store`: it switches on sqlx's `time` feature, and with both
//! `time` and `chrono` enabled sqlx 0.8's query macros map every timestamp to `time` types,
//! across the whole workspace. The store is four small queries, so it lives here.

use async_trait::async_trait;
use sqlx::PgPool;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

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

fn encode(record: &Record) -> session_store::Result<Vec<u8>> {
    serde_json::to_vec(record).map_err(|e| session_store::Error::Encode(e.to_string()))
}

#[async_trait]
impl SessionStore for PostgresStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A fresh random id collides essentially never; if it does, draw again.
        loop {
            let inserted = sqlx::query!(
                "INSERT INTO tower_sessions.session (id, data, expiry_date) VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO NOTHING",
                record.id.to_string(),
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
            record.id.to_string(),
            encode(record)?,
            expiry(record),
        )
        .execute(&self.db)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let data = sqlx::query_scalar!(
            "SELECT data FROM tower_sessions.session WHERE id = $1 AND expiry_date > now()",
            id.to_string()
        )
        .fetch_optional(&self.db)
        .await
        .map_err(backend)?;
        data.map(|bytes| {
            serde_json::from_slice(&bytes).map_err(|e| session_store::Error::Decode(e.to_string()))
        })
        .transpose()
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query!(
            "DELETE FROM tower_sessions.session WHERE id = $1",
            id.to_string()
        )
        .execute(&self.db)
        .await
        .map_err(backend)?;
        Ok(())
    }
}
