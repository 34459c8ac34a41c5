//! Waking up when Postgres says something changed: `LISTEN` on a channel that triggers
//! `NOTIFY` at commit, with a one-second poll as the fallback (and as the only way when the
//! listener can't connect).

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::time::Duration;

pub struct Wakeup {
    listener: Option<PgListener>,
}

impl Wakeup {
    pub async fn listen(db: &PgPool, channel: &str) -> Wakeup {
        let listener = match PgListener::connect_with(db).await {
            Ok(mut listener) => match listener.listen(channel).await {
                Ok(()) => Some(listener),
                Err(error) => {
                    tracing::warn!(%error, channel, "cannot LISTEN; polling instead");
                    None
                }
            },
            Err(error) => {
                tracing::warn!(%error, channel, "cannot LISTEN; polling instead");
                None
            }
        };
        Wakeup { listener }
    }

    /// Until the next NOTIFY, or a second at most.
    pub async fn wait(&mut self) {
        let second = Duration::from_secs(1);
        match &mut self.listener {
            Some(listener) => {
                let _ = tokio::time::timeout(second, listener.recv()).await;
            }
            None => tokio::time::sleep(second).await,
        }
    }
}
