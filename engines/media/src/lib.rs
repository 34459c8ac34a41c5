//! Product images, from an admin's upload to the files a phone downloads.
//!
//! [`inspect`] identifies an upload by its content and refuses it cheaply — before any pixel
//! is decoded — when it is too big, of an unknown or unsupported kind, or claims more pixels
//! than we accept (a decompression bomb costs us a header read). [`Pipeline::process`] then
//! decodes it, applies its EXIF orientation, drops every piece of metadata (the outputs are
//! encoded from pixels alone), resizes it with a Lanczos filter to each configured width it
//! reaches (never upscaling), encodes WebP, and derives a tiny blurred placeholder and the
//! dominant colour. [`Pipeline::avif`] makes the AVIF renditions, slow enough to belong in a
//! background job.
//!
//! It knows no database, no HTTP and no storage: callers keep the original and the outputs
//! under the keys [`Processed::content_key`] gives them.

mod colour;
mod inspect;
mod process;

pub use colour::{Placeholder, Rgb};
pub use inspect::{Format, Inspection, inspect};
pub use process::{Pipeline, Processed, Rendition, content_hash};

/// What an upload may be. Checked in this order: bytes, then the header's dimensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_bytes: usize,
    /// Width × height.
    pub max_pixels: u64,
    /// Either side.
    pub max_side: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 25 * 1024 * 1024,
            max_pixels: 50_000_000,
            max_side: 12_000,
        }
    }
}

/// Why an upload was refused or could not be processed. Each message is written for the admin
/// who uploaded the file.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MediaError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {size} — the limit is {limit}", size = megabytes(*bytes), limit = megabytes(*limit))]
    TooLarge { bytes: usize, limit: usize },
    #[error("this is not a JPEG, PNG or WebP image")]
    UnknownFormat,
    #[error("{0} images are not accepted here — upload a JPEG, PNG or WebP")]
    Unsupported(&'static str),
    #[error(
        "the image is {width} × {height} pixels — the limit is {limit} megapixels and {side} pixels a side",
        limit = max_pixels / 1_000_000
    )]
    TooManyPixels {
        width: u32,
        height: u32,
        max_pixels: u64,
        side: u32,
    },
    #[error("the image is cut short — the file seems truncated; upload it again")]
    Truncated,
    #[error("the image data is damaged and cannot be read ({0})")]
    Corrupt(String),
    #[error("encoding the {format} rendition failed: {reason}")]
    Encode {
        format: &'static str,
        reason: String,
    },
}

fn megabytes(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

pub type Result<T> = std::result::Result<T, MediaError>;
