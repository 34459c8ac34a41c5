//! Object storage: files kept outside the database, on the local disk in the data directory by
//! default or in an S3-compatible bucket by configuration. Product images live in one store,
//! the audit log's checkpoints in another, certificate documents (sealed) in a third; each is
//! configured on its own.

use object_store::path::Path as StorePath;
use object_store::{ObjectStore, PutMode, PutOptions, PutPayload};
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("object storage: {0}")]
    Store(#[from] object_store::Error),
    #[error("object storage directory: {0}")]
    Io(#[from] std::io::Error),
}

/// Where a store is, from configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreLocation {
    /// A folder (created when missing).
    Local(std::path::PathBuf),
    /// A bucket; credentials, region and endpoint come from the standard `AWS_*` variables.
    S3 { bucket: String },
    /// Tests.
    Memory,
}

impl StoreLocation {
    /// Read a configured location: `s3://<bucket>`, `memory`, or nothing for `default`.
    pub fn parse(value: Option<&str>, default: std::path::PathBuf) -> Result<Self, String> {
        match value {
            None => Ok(StoreLocation::Local(default)),
            Some("memory") => Ok(StoreLocation::Memory),
            Some(value) => match value.strip_prefix("s3://") {
                Some(bucket) if !bucket.is_empty() && !bucket.contains('/') => {
                    Ok(StoreLocation::S3 {
                        bucket: bucket.to_owned(),
                    })
                }
                _ => Err(format!("expected s3://<bucket> or `memory`, got `{value}`")),
            },
        }
    }
}

#[derive(Clone)]
pub struct BlobStore {
    inner: Arc<dyn ObjectStore>,
    location: StoreLocation,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobStore")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl BlobStore {
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
        Ok(BlobStore { inner, location })
    }

    pub fn in_memory() -> Self {
        BlobStore {
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

    /// Write `key` only if nothing is there yet (a conditional create, which S3 and the local
    /// disk both honour): `false` when the key already exists, which stays as it was.
    pub async fn put_new(&self, key: &str, bytes: Vec<u8>) -> Result<bool, StoreError> {
        let create = PutOptions {
            mode: PutMode::Create,
            ..PutOptions::default()
        };
        match self
            .inner
            .put_opts(&StorePath::from(key), PutPayload::from(bytes), create)
            .await
        {
            Ok(_) => Ok(true),
            Err(object_store::Error::AlreadyExists { .. }) => Ok(false),
            Err(error) => Err(error.into()),
        }
    }

    /// Remove `key`; nothing there is no error.
    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self.inner.delete(&StorePath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(error.into()),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_round_trip_on_disk_and_a_new_key_is_written_once() {
        let dir = std::env::temp_dir().join(format!("olivine-store-{}", uuid::Uuid::now_v7()));
        let store = BlobStore::local(&dir).unwrap();
        let key = "a/b/c.webp";
        assert_eq!(store.get(key).await.unwrap(), None);
        store.put(key, b"RIFF".to_vec()).await.unwrap();
        assert_eq!(store.get(key).await.unwrap(), Some(b"RIFF".to_vec()));
        assert!(dir.join(key).is_file());

        assert!(store.put_new("once", b"first".to_vec()).await.unwrap());
        assert!(!store.put_new("once", b"second".to_vec()).await.unwrap());
        assert_eq!(store.get("once").await.unwrap(), Some(b"first".to_vec()));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn memory_honours_write_once_too() {
        let store = BlobStore::in_memory();
        assert!(store.put_new("k", b"1".to_vec()).await.unwrap());
        assert!(!store.put_new("k", b"2".to_vec()).await.unwrap());
        assert_eq!(store.get("k").await.unwrap(), Some(b"1".to_vec()));
        store.delete("k").await.unwrap();
        assert_eq!(store.get("k").await.unwrap(), None);
        store.delete("k").await.unwrap();
    }

    #[test]
    fn locations_read_from_configuration() {
        let default = std::path::PathBuf::from("/data/x");
        assert_eq!(
            StoreLocation::parse(None, default.clone()),
            Ok(StoreLocation::Local(default.clone()))
        );
        assert_eq!(
            StoreLocation::parse(Some("s3://bucket"), default.clone()),
            Ok(StoreLocation::S3 {
                bucket: "bucket".into()
            })
        );
        for bad in ["s3://", "s3://a/b", "/tmp/x"] {
            assert!(StoreLocation::parse(Some(bad), default.clone()).is_err());
        }
    }
}
