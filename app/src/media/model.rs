//! An image as pages see it: every URL derives from its content hash and recipe version.

use serde::{Deserialize, Serialize};

/// The rendition recipe (widths, qualities, encoders) that produced the files. Part of every
/// rendition key: a new recipe writes new keys, so old URLs stay cacheable forever.
pub const PIPELINE_VERSION: i32 = 1;

/// Where renditions are served.
pub const MEDIA_PREFIX: &str = "/media/";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RenditionFormat {
    Webp,
    Avif,
}

impl RenditionFormat {
    pub fn extension(self) -> &'static str {
        match self {
            RenditionFormat::Webp => "webp",
            RenditionFormat::Avif => "avif",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            RenditionFormat::Webp => "image/webp",
            RenditionFormat::Avif => "image/avif",
        }
    }

    pub fn from_extension(extension: &str) -> Option<Self> {
        match extension {
            "webp" => Some(RenditionFormat::Webp),
            "avif" => Some(RenditionFormat::Avif),
            _ => None,
        }
    }
}

/// One stored rendition: `r{pipeline}/{hash}/{width}.{ext}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenditionKey {
    pub pipeline: i32,
    pub hash: String,
    pub width: u32,
    pub format: RenditionFormat,
}

impl RenditionKey {
    pub fn path(&self) -> String {
        format!(
            "r{}/{}/{}.{}",
            self.pipeline,
            self.hash,
            self.width,
            self.format.extension()
        )
    }

    /// A key from a request path (after `/media/`); anything not exactly of the shape is
    /// refused, so no path ever reaches the store unchecked.
    pub fn parse(path: &str) -> Option<RenditionKey> {
        let mut parts = path.split('/');
        let (Some(recipe), Some(hash), Some(file), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let pipeline: i32 = recipe.strip_prefix('r')?.parse().ok()?;
        if hash.len() != 64
            || !hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return None;
        }
        let (width, extension) = file.split_once('.')?;
        if width.is_empty() || width.starts_with('0') || !width.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        Some(RenditionKey {
            pipeline,
            hash: hash.to_owned(),
            width: width.parse().ok()?,
            format: RenditionFormat::from_extension(extension)?,
        })
    }
}

/// A picture ready for a page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageView {
    pub hash: String,
    pub pipeline: i32,
    /// Of the oriented original.
    pub width: u32,
    pub height: u32,
    /// Widest first.
    pub webp_widths: Vec<u32>,
    /// Widest first; empty until the AVIF job has run.
    pub avif_widths: Vec<u32>,
    /// A tiny WebP data URI.
    pub placeholder: String,
    /// `#rrggbb`.
    pub colour: String,
    pub alt: String,
}

impl ImageView {
    pub fn url(&self, width: u32, format: RenditionFormat) -> String {
        let key = RenditionKey {
            pipeline: self.pipeline,
            hash: self.hash.clone(),
            width,
            format,
        };
        format!("{MEDIA_PREFIX}{}", key.path())
    }

    /// `url 320w, url 640w, …` for one format, narrowest first.
    pub fn srcset(&self, format: RenditionFormat) -> String {
        let widths = match format {
            RenditionFormat::Webp => &self.webp_widths,
            RenditionFormat::Avif => &self.avif_widths,
        };
        let mut widths = widths.clone();
        widths.sort_unstable();
        widths
            .iter()
            .map(|w| format!("{} {w}w", self.url(*w, format)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The rendition at least `width` wide, or the widest: the `<img src>` fallback.
    pub fn fallback_width(&self, width: u32) -> u32 {
        let mut widths = self.webp_widths.clone();
        widths.sort_unstable();
        widths
            .iter()
            .copied()
            .find(|w| *w >= width)
            .or_else(|| widths.last().copied())
            .unwrap_or(self.width)
    }
}

/// Which way a photo moves in the order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    Earlier,
    Later,
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592";

    #[test]
    fn keys_round_trip_and_refuse_anything_else() {
        let key = RenditionKey {
            pipeline: 1,
            hash: HASH.into(),
            width: 640,
            format: RenditionFormat::Webp,
        };
        assert_eq!(key.path(), format!("r1/{HASH}/640.webp"));
        assert_eq!(RenditionKey::parse(&key.path()), Some(key));
        for bad in [
            format!("r1/{HASH}/640.png"),
            format!("r1/{HASH}/0640.webp"),
            format!("r1/{HASH}/.webp"),
            "r1/../640.webp".to_owned(),
            format!("r1/{}/640.webp", HASH.to_uppercase()),
            format!("x1/{HASH}/640.webp"),
            format!("r1/{HASH}/640.webp/more"),
            format!("originals/{HASH}"),
        ] {
            assert_eq!(RenditionKey::parse(&bad), None, "{bad}");
        }
    }

    #[test]
    fn srcset_lists_narrowest_first() {
        let image = ImageView {
            hash: HASH.into(),
            pipeline: 1,
            width: 1200,
            height: 900,
            webp_widths: vec![960, 640, 320],
            avif_widths: vec![],
            placeholder: String::new(),
            colour: "#ffffff".into(),
            alt: "A jar".into(),
        };
        assert_eq!(
            image.srcset(RenditionFormat::Webp),
            format!(
                "/media/r1/{HASH}/320.webp 320w, /media/r1/{HASH}/640.webp 640w, /media/r1/{HASH}/960.webp 960w"
            )
        );
        assert_eq!(image.srcset(RenditionFormat::Avif), "");
        assert_eq!(image.fallback_width(500), 640);
        assert_eq!(image.fallback_width(5000), 960);
    }
}
