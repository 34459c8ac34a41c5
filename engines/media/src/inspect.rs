//! Identify an upload by its first bytes and read its dimensions from the header alone.

use super::{Limits, MediaError, Result};
use image::{ImageError, ImageFormat, ImageReader};
use std::io::Cursor;

/// The kinds we decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    WebP,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::WebP => "webp",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::WebP => "image/webp",
        }
    }

    pub(crate) fn image_format(self) -> ImageFormat {
        match self {
            Format::Jpeg => ImageFormat::Jpeg,
            Format::Png => ImageFormat::Png,
            Format::WebP => ImageFormat::WebP,
        }
    }
}

/// What the header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inspection {
    pub format: Format,
    /// As stored, before EXIF orientation.
    pub width: u32,
    pub height: u32,
}

/// The format from the content's signature; names and declared types are never trusted.
fn sniff(bytes: &[u8]) -> Result<Format> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    let brand = bytes.get(4..12);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        Ok(Format::Jpeg)
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Ok(Format::Png)
    } else if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Ok(Format::WebP)
    } else if matches!(brand, Some(b"ftypavif" | b"ftypavis")) {
        // No AVIF decoder is built in (it would need libdav1d); we only write AVIF.
        Err(MediaError::Unsupported("AVIF"))
    } else if matches!(brand, Some(b"ftypheic" | b"ftypheix" | b"ftypmif1")) {
        Err(MediaError::Unsupported("HEIC"))
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Err(MediaError::Unsupported("GIF"))
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        Err(MediaError::Unsupported("TIFF"))
    } else if starts(b"BM") {
        Err(MediaError::Unsupported("BMP"))
    } else {
        Err(MediaError::UnknownFormat)
    }
}

/// Refuse an upload that is empty, too large, not an image we take, or whose header claims
/// too many pixels — without decoding a single pixel.
pub fn inspect(bytes: &[u8], limits: &Limits) -> Result<Inspection> {
    if bytes.is_empty() {
        return Err(MediaError::Empty);
    }
    if bytes.len() > limits.max_bytes {
        return Err(MediaError::TooLarge {
            bytes: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let format = sniff(bytes)?;
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format.image_format())
        .into_dimensions()
        .map_err(read_error)?;
    if width == 0 || height == 0 {
        return Err(MediaError::Corrupt("the header gives no size".into()));
    }
    if u64::from(width) * u64::from(height) > limits.max_pixels
        || width.max(height) > limits.max_side
    {
        return Err(MediaError::TooManyPixels {
            width,
            height,
            max_pixels: limits.max_pixels,
            side: limits.max_side,
        });
    }
    Ok(Inspection {
        format,
        width,
        height,
    })
}

/// Whether a JPEG's segments run all the way to its end-of-image marker. The JPEG decoder
/// fills a cut-off image with grey rather than failing, so truncation is found here: by walking
/// the marker segments and the entropy-coded data between them (linear, no decoding).
pub(crate) fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut i = 2; // after SOI
    loop {
        // Markers may be preceded by any number of 0xFF fill bytes.
        while bytes.get(i) == Some(&0xFF) && bytes.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let (Some(0xFF), Some(&marker)) = (bytes.get(i), bytes.get(i + 1)) else {
            return false;
        };
        match marker {
            0xD9 => return true,
            0x01 | 0xD0..=0xD7 => i += 2,
            _ => {
                let Some(length) = bytes.get(i + 2..i + 4) else {
                    return false;
                };
                i += 2 + usize::from(u16::from_be_bytes([length[0], length[1]]));
                if marker == 0xDA {
                    // Entropy-coded data runs to the next marker that is not a stuffed 0xFF00
                    // or a restart marker.
                    loop {
                        match (bytes.get(i), bytes.get(i + 1)) {
                            (Some(0xFF), Some(next))
                                if *next != 0x00 && !(0xD0..=0xD7).contains(next) =>
                            {
                                break;
                            }
                            (Some(_), Some(_)) => i += 1,
                            _ => return false,
                        }
                    }
                }
            }
        }
    }
}

/// A decoder's complaint in the admin's words: running out of data is truncation.
pub(crate) fn read_error(error: ImageError) -> MediaError {
    let truncated = match &error {
        ImageError::IoError(io) => io.kind() == std::io::ErrorKind::UnexpectedEof,
        other @ (ImageError::Decoding(_)
        | ImageError::Encoding(_)
        | ImageError::Parameter(_)
        | ImageError::Limits(_)
        | ImageError::Unsupported(_)) => {
            let text = other.to_string().to_lowercase();
            [
                "eof",
                "end of file",
                "no more bytes",
                "unexpected end",
                "truncated",
            ]
            .iter()
            .any(|needle| text.contains(needle))
        }
    };
    if truncated {
        MediaError::Truncated
    } else {
        MediaError::Corrupt(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_decide_the_format() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok(Format::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Ok(Format::Png));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Ok(Format::WebP));
        assert_eq!(
            sniff(b"\0\0\0\x1cftypavif\0\0"),
            Err(MediaError::Unsupported("AVIF"))
        );
        assert_eq!(sniff(b"GIF89a.."), Err(MediaError::Unsupported("GIF")));
        assert_eq!(sniff(b"%PDF-1.7"), Err(MediaError::UnknownFormat));
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVE"), Err(MediaError::UnknownFormat));
    }

    #[test]
    fn jpeg_structure_walk_finds_the_end() {
        // SOI, a comment segment, SOS with two bytes of data (one stuffed 0xFF00 and a restart
        // marker inside), EOI.
        let whole = [
            0xFF, 0xD8, 0xFF, 0xFE, 0, 4, b'h', b'i', 0xFF, 0xDA, 0, 2, 0x12, 0xFF, 0x00, 0xFF,
            0xD0, 0x34, 0xFF, 0xD9,
        ];
        assert!(jpeg_is_complete(&whole));
        for cut in 2..whole.len() - 1 {
            assert!(!jpeg_is_complete(&whole[..cut]), "cut at {cut}");
        }
    }
}
