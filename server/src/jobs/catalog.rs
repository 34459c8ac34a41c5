//! The catalog's jobs: AVIF renditions for new product images.

use super::{Job, Placement, Schedule};
use app::media::service::Media;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;

/// AVIF renditions, one image at a time: encoding is slow (rav1e, ~20 s for a large photo), so
/// it never holds up an upload, and it holds no row lock while it runs. Pages offer WebP until an
/// image's AVIF files exist.
pub struct AvifRenditions {
    db: PgPool,
    media: Arc<Media>,
}

impl AvifRenditions {
    pub fn new(db: PgPool, media: Arc<Media>) -> Self {
        AvifRenditions { db, media }
    }
}

#[async_trait::async_trait]
impl Job for AvifRenditions {
    fn name(&self) -> &'static str {
        "avif-renditions"
    }

    fn schedule(&self) -> Schedule {
        Schedule {
            batch: 4,
            ..Schedule::items(Duration::from_secs(5), Placement::EveryNode)
        }
    }

    async fn due(&self, limit: i64, resting: &[String]) -> anyhow::Result<Vec<String>> {
        Ok(self.media.pending_avif(&self.db, limit, resting).await?)
    }

    async fn work(&self, item: &str) -> anyhow::Result<()> {
        if self.media.encode_avif(&self.db, item).await? {
            tracing::info!(hash = %item, "AVIF renditions written");
        }
        Ok(())
    }
}
