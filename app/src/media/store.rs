//! Where image files live (a [`crate::blobs`] store of their own). Keys derive from content, so
//! a key's bytes never change.

use super::model::{PIPELINE_VERSION, RenditionFormat, RenditionKey};

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
    use crate::blobs::BlobStore;

    #[tokio::test]
    async fn renditions_round_trip() {
        let store = BlobStore::in_memory();
        let key = rendition_key(&"a".repeat(64), 320, RenditionFormat::Webp);
        assert_eq!(store.get(&key).await.unwrap(), None);
        store.put(&key, b"RIFF".to_vec()).await.unwrap();
        assert_eq!(store.get(&key).await.unwrap(), Some(b"RIFF".to_vec()));
    }
}
