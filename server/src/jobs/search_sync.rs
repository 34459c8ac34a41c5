//! This node's search index: opened (or built) at start, kept fresh from the outbox.
//!
//! The index lives in `OLIVINE_DATA_DIR/search`; next to it, `applied-horizon` records which
//! database and which outbox horizon (a transaction id: every transaction below it had ended and
//! was applied) the index reflects. At start the index is rebuilt from Postgres when it is new,
//! its horizon is unknown, or the outbox no longer reaches back to it (pruned); else it catches
//! up from the outbox. Then a worker applies new entries as their NOTIFY arrives (with
//! a one-second poll as a fallback) and rebuilds once a day, when stock dates move on.

use super::wakeup::Wakeup;
use crate::config::Config;
use anyhow::Context;
use app::catalog::search::sync;
use chrono::NaiveDate;
use search::SearchIndex;
use sqlx::PgPool;
use std::path::PathBuf;
use std::sync::Arc;

pub struct Synced {
    pub index: Arc<SearchIndex>,
    database: uuid::Uuid,
    applied: i64,
    seq_file: PathBuf,
    built_on: NaiveDate,
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Where a node records its outbox horizon. (Before horizons, `applied-seq` held an outbox
/// sequence number; an index with only that file is rebuilt once.)
const POSITION_FILE: &str = "applied-horizon";

/// The position file holds `<database id> <horizon>`.
fn read_seq(path: &PathBuf, database: uuid::Uuid) -> Option<i64> {
    let text = std::fs::read_to_string(path).ok()?;
    let (id, seq) = text.trim().split_once(' ')?;
    (id == database.to_string())
        .then(|| seq.parse().ok())
        .flatten()
}

fn write_seq(path: &PathBuf, database: uuid::Uuid, seq: i64) {
    // Written after the index commit: a crash in between re-applies entries, which is harmless.
    if let Err(error) = std::fs::write(path, format!("{database} {seq}")) {
        tracing::warn!(%error, "cannot record the search index position");
    }
}

/// Open this node's index and bring it up to date.
pub async fn open(config: &Config, db: &PgPool) -> anyhow::Result<Synced> {
    let dir = config.data_dir.join("search");
    let (index, created) = SearchIndex::open_or_create(&dir)
        .with_context(|| format!("cannot open the search index in {}", dir.display()))?;
    let index = Arc::new(index);
    let seq_file = dir.join(POSITION_FILE);
    let mut conn = db.acquire().await?;
    let database = sync::database_id(&mut conn).await?;
    let mut known = read_seq(&seq_file, database).filter(|_| !created);
    if let Some(applied) = known
        && !sync::outbox_reaches(&mut conn, applied).await?
    {
        known = None;
    }
    drop(conn);
    let applied = match known {
        Some(applied) => sync::apply_outbox(db, &index, applied, today()).await?,
        _ => {
            tracing::info!("building the search index from the catalog");
            let head = sync::rebuild(db, &index, today(), |_| {}).await?;
            tracing::info!(products = index.num_docs(), "search index built");
            head
        }
    };
    write_seq(&seq_file, database, applied);
    Ok(Synced {
        index,
        database,
        applied,
        seq_file,
        built_on: today(),
    })
}

/// `olivine reindex`: rebuild from Postgres, showing progress.
pub async fn reindex(config: &Config, db: &PgPool) -> anyhow::Result<u64> {
    let dir = config.data_dir.join("search");
    let (index, _) = SearchIndex::open_or_create(&dir)
        .with_context(|| format!("cannot open the search index in {}", dir.display()))?;
    let head = sync::rebuild(db, &index, today(), |n| {
        eprint!("\rindexed {n} products");
    })
    .await?;
    eprintln!();
    let mut conn = db.acquire().await?;
    let database = sync::database_id(&mut conn).await?;
    write_seq(&dir.join(POSITION_FILE), database, head);
    Ok(index.num_docs())
}

/// Keep the index fresh until the process stops.
pub async fn run(db: PgPool, mut synced: Synced) {
    let mut wakeup = Wakeup::listen(&db, "search_outbox").await;
    loop {
        wakeup.wait().await;
        if let Err(error) = step(&db, &mut synced).await {
            tracing::warn!(
                error = format!("{error:#}"),
                "search index update failed; will retry"
            );
        }
    }
}

async fn step(db: &PgPool, synced: &mut Synced) -> anyhow::Result<()> {
    if today() != synced.built_on {
        // Lots cross their shelf-life cut-off with the date, not with a write.
        synced.applied = sync::rebuild(db, &synced.index, today(), |_| {}).await?;
        synced.built_on = today();
        let mut conn = db.acquire().await?;
        sync::prune_outbox(&mut conn).await?;
    } else {
        let applied = sync::apply_outbox(db, &synced.index, synced.applied, today()).await?;
        if applied == synced.applied {
            return Ok(());
        }
        synced.applied = applied;
    }
    write_seq(&synced.seq_file, synced.database, synced.applied);
    Ok(())
}
