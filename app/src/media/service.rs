//! From upload to stored renditions, and the background AVIF pass.

use super::model::{PIPELINE_VERSION, RenditionFormat};
use super::store::{original_key, rendition_key};
use crate::blobs::{BlobStore, StoreError};
use crate::error::AppError;
use ::media::{MediaError, Pipeline, Processed, Rendition};
use sqlx::PgPool;
use std::sync::Arc;
use tokio::sync::Semaphore;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The upload itself is the problem; the message is for the person who uploaded it.
    #[error("{0}")]
    Refused(#[from] MediaError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("image record")]
    Database(#[from] sqlx::Error),
    #[error("image processing stopped unexpectedly")]
    Worker,
    #[error("the original file of this photo is missing from storage")]
    OriginalMissing,
}

impl From<IngestError> for AppError {
    fn from(error: IngestError) -> Self {
        match error {
            IngestError::Refused(refusal) => AppError::invalid(refusal.to_string()),
            IngestError::OriginalMissing => AppError::invalid(
                "The original file of this photo is missing from storage, so it can't be \
                 processed again. Upload the photo again instead.",
            ),
            other @ (IngestError::Store(_) | IngestError::Database(_) | IngestError::Worker) => {
                AppError::internal(&other)
            }
        }
    }
}

/// The image pipeline and its store, with a bound on how many images are processed at once:
/// decoding a 12-megapixel photo takes ~50 MB and a core for a fraction of a second.
#[derive(Debug)]
pub struct Media {
    pub store: BlobStore,
    pipeline: Pipeline,
    processing: Semaphore,
}

/// What an ingested image is known by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ingested {
    pub hash: String,
    pub width: u32,
    pub height: u32,
    /// False when the same file had been uploaded before.
    pub new: bool,
}

fn widths(renditions: &[Rendition]) -> Vec<i32> {
    renditions
        .iter()
        .map(|r| i32::try_from(r.width).unwrap_or(i32::MAX))
        .collect()
}

impl Media {
    pub fn new(store: BlobStore) -> Arc<Self> {
        Arc::new(Media {
            store,
            pipeline: Pipeline::default(),
            processing: Semaphore::new(2),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Pipeline) -> T + Send + 'static,
    ) -> Result<T, IngestError> {
        let _permit = self
            .processing
            .acquire()
            .await
            .map_err(|_| IngestError::Worker)?;
        let pipeline = self.pipeline.clone();
        tokio::task::spawn_blocking(move || work(&pipeline))
            .await
            .map_err(|_| IngestError::Worker)
    }

    async fn put_renditions(
        &self,
        hash: &str,
        renditions: &[Rendition],
        format: RenditionFormat,
    ) -> Result<(), StoreError> {
        for rendition in renditions {
            self.store
                .put(
                    &rendition_key(hash, rendition.width, format),
                    rendition.bytes.clone(),
                )
                .await?;
        }
        Ok(())
    }

    /// Check, process and store an upload; record it once (or again under a newer recipe).
    /// Files first, row last: a crash in between leaves only unreferenced files under content
    /// keys, which the next upload of the same file overwrites with the same bytes.
    pub async fn ingest(&self, db: &PgPool, bytes: Vec<u8>) -> Result<Ingested, IngestError> {
        let (processed, bytes) = self
            .run(move |pipeline| pipeline.process(&bytes).map(|p| (p, bytes)))
            .await??;
        let hash = processed.content_hash.clone();
        let known = sqlx::query_scalar!(
            "SELECT EXISTS (SELECT 1 FROM media_images WHERE content_hash = $1 AND pipeline = $2)",
            hash,
            PIPELINE_VERSION
        )
        .fetch_one(db)
        .await?
        .unwrap_or(false);
        if !known {
            let source_bytes = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
            self.store.put(&original_key(&hash), bytes).await?;
            self.put_renditions(&hash, &processed.webp, RenditionFormat::Webp)
                .await?;
            record(db, &processed, source_bytes, false).await?;
        }
        Ok(Ingested {
            hash,
            width: processed.width,
            height: processed.height,
            new: !known,
        })
    }

    /// Run the current recipe again over a stored original: new WebP renditions, placeholder
    /// and colour, and AVIF queued again. For a recipe change or an image whose AVIF failed.
    pub async fn reprocess(&self, db: &PgPool, hash: &str) -> Result<(), IngestError> {
        let original = self
            .store
            .get(&original_key(hash))
            .await?
            .ok_or(IngestError::OriginalMissing)?;
        let source_bytes = i64::try_from(original.len()).unwrap_or(i64::MAX);
        let processed = self
            .run(move |pipeline| pipeline.process(&original))
            .await??;
        self.put_renditions(hash, &processed.webp, RenditionFormat::Webp)
            .await?;
        record(db, &processed, source_bytes, true).await?;
        Ok(())
    }

    /// Images still waiting for their AVIF renditions, oldest first, leaving out `resting`
    /// (hashes the job holds or is waiting to retry).
    pub async fn pending_avif(
        &self,
        db: &PgPool,
        limit: i64,
        resting: &[String],
    ) -> Result<Vec<String>, IngestError> {
        Ok(sqlx::query_scalar!(
            r#"SELECT content_hash FROM media_images
               WHERE avif_state = 'pending' AND NOT (content_hash = ANY($2))
               ORDER BY created_at
               LIMIT $1"#,
            limit,
            resting
        )
        .fetch_all(db)
        .await?)
    }

    /// Make the AVIF renditions of one image waiting for them; `false` when it no longer
    /// waits. No lock is held while it encodes (the job's lease keeps other nodes off the
    /// image); a crash leaves it pending for the next pass, and rewriting a content key writes
    /// the same bytes. An image that cannot be encoded is marked failed (pages keep WebP).
    pub async fn encode_avif(&self, db: &PgPool, hash: &str) -> Result<bool, IngestError> {
        let pending = sqlx::query_scalar!(
            "SELECT EXISTS (SELECT 1 FROM media_images
                            WHERE content_hash = $1 AND avif_state = 'pending') AS \"pending!\"",
            hash
        )
        .fetch_one(db)
        .await?;
        if !pending {
            return Ok(false);
        }
        let outcome = match self.store.get(&original_key(hash)).await? {
            Some(original) => self.run(move |pipeline| pipeline.avif(&original)).await?,
            None => Err(MediaError::Corrupt(
                "the original file is missing from storage".into(),
            )),
        };
        match outcome {
            Ok(renditions) => {
                self.put_renditions(hash, &renditions, RenditionFormat::Avif)
                    .await?;
                sqlx::query!(
                    r#"UPDATE media_images
                       SET avif_widths = $2, avif_state = 'done', avif_error = NULL,
                           avif_attempts = avif_attempts + 1
                       WHERE content_hash = $1 AND avif_state = 'pending'"#,
                    hash,
                    &widths(&renditions),
                )
                .execute(db)
                .await?;
            }
            Err(error) => {
                tracing::warn!(%hash, %error, "AVIF renditions failed; pages keep WebP");
                sqlx::query!(
                    r#"UPDATE media_images
                       SET avif_state = 'failed', avif_error = $2, avif_attempts = avif_attempts + 1
                       WHERE content_hash = $1 AND avif_state = 'pending'"#,
                    hash,
                    error.to_string(),
                )
                .execute(db)
                .await?;
            }
        }
        Ok(true)
    }
}

/// Record an image's renditions: a new row, or a row made by an older recipe (or any row, when
/// `replace`) brought up to date, with AVIF queued again.
async fn record(
    db: &PgPool,
    processed: &Processed,
    source_bytes: i64,
    replace: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO media_images (content_hash, source_format, source_bytes, width, height,
               pipeline, webp_widths, placeholder, dominant_colour)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (content_hash) DO UPDATE
           SET source_format = EXCLUDED.source_format, width = EXCLUDED.width,
               height = EXCLUDED.height, pipeline = EXCLUDED.pipeline,
               webp_widths = EXCLUDED.webp_widths, avif_widths = '{}',
               avif_state = 'pending', avif_error = NULL,
               placeholder = EXCLUDED.placeholder,
               dominant_colour = EXCLUDED.dominant_colour
           WHERE $10 OR media_images.pipeline <> EXCLUDED.pipeline"#,
        processed.content_hash,
        match processed.format {
            ::media::Format::Jpeg => "jpeg",
            ::media::Format::Png => "png",
            ::media::Format::WebP => "webp",
        },
        source_bytes,
        i32::try_from(processed.width).unwrap_or(i32::MAX),
        i32::try_from(processed.height).unwrap_or(i32::MAX),
        PIPELINE_VERSION,
        &widths(&processed.webp),
        processed.placeholder.data_uri,
        processed.dominant.hex(),
        replace,
    )
    .execute(db)
    .await?;
    Ok(())
}
