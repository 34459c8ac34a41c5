//! Where image files live: `object_store`, on the local disk in the data directory by default
//! or in an S3-compatible bucket by configuration. Keys derive from content, so a key's bytes
//! never change.

use super::model::{PIPELINE_VERSION, RenditionFormat, RenditionKey};
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, PutPayload};
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("image storage: {0}")]
    Store(#[from] object_store::Error),
    #[error("image storage directory: {0}")]
    Io(#[from] std::io::Error),
}

/// Where the store is, from configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreLocation {
    /// A folder (created when missing).
    Local(std::path::PathBuf),
    /// A bucket; credentials, region and endpoint come from the standard `AWS_*` variables.
    S3 { bucket: String },
    /// Tests.
    Memory,
}

#[derive(Clone)]
pub struct MediaStore {
    inner: Arc<dyn ObjectStore>,
    location: StoreLocation,
}

impl std::fmt::Debug for MediaStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaStore")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl MediaStore {
    pub fn open(location: StoreLocation) -> Result<Self, StoreError> {
        let inner: Arc<dyn ObjectStore> = match &location {
            StoreLocation::Local(dir) => {
                std::fs::create_dir_all(dir)?;
                Arc::new(object_store::local::LocalFileSystem::new_with_prefix(dir)?)
            }
            StoreLocation::S3 { bucket } => Arc::new(
                object_store::aws::AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .build()?,
            ),
            StoreLocation::Memory => Arc::new(object_store::memory::InMemory::new()),
        };
        Ok(MediaStore { inner, location })
    }

    pub fn in_memory() -> Self {
        MediaStore {
            inner: Arc::new(object_store::memory::InMemory::new()),
            location: StoreLocation::Memory,
        }
    }

    pub fn local(dir: &Path) -> Result<Self, StoreError> {
        Self::open(StoreLocation::Local(dir.to_owned()))
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        self.inner
            .put(&StorePath::from(key), PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    /// The bytes under `key`, or `None` when there is nothing there.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match self.inner.get(&StorePath::from(key)).await {
            Ok(found) => Ok(Some(found.bytes().await?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }
}

/// The uploaded file itself, kept for re-processing.
pub fn original_key(hash: &str) -> String {
    format!("originals/{hash}")
}

pub fn rendition_key(hash: &str, width: u32, format: RenditionFormat) -> String {
    RenditionKey {
        pipeline: PIPELINE_VERSION,
        hash: hash.to_owned(),
        width,
        format,
    }
    .path()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_round_trip_on_disk() {
        let dir = std::env::temp_dir().join(format!("olivine-store-{}", uuid::Uuid::now_v7()));
        let store = MediaStore::local(&dir).unwrap();
        let key = rendition_key(&"a".repeat(64), 320, RenditionFormat::Webp);
        assert_eq!(store.get(&key).await.unwrap(), None);
        store.put(&key, b"RIFF".to_vec()).await.unwrap();
        assert_eq!(store.get(&key).await.unwrap(), Some(b"RIFF".to_vec()));
        assert!(dir.join(&key).is_file());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
