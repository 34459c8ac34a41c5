//! What a page shows while the real image loads: a tiny, blurred version of it and its
//! dominant colour.

use base64::Engine;
use serde::{Deserialize, Serialize};

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`, for CSS.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    pub fn from_hex(hex: &str) -> Option<Rgb> {
        let hex = hex.strip_prefix('#')?;
        if hex.len() != 6 || !hex.is_ascii() {
            return None;
        }
        let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Rgb(channel(0)?, channel(2)?, channel(4)?))
    }
}

/// A few-pixel WebP of the whole picture, inlined as a data URI; pages scale it up under a
/// blur so the layout shows the picture's shapes and colours before it arrives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placeholder {
    pub width: u32,
    pub height: u32,
    pub data_uri: String,
}

/// The long side of the placeholder, in pixels.
pub(crate) const PLACEHOLDER_SIDE: u32 = 16;

pub(crate) fn placeholder(rgb: &[u8], width: u32, height: u32) -> Placeholder {
    let webp = webp::Encoder::from_rgb(rgb, width, height).encode(40.0);
    Placeholder {
        width,
        height,
        data_uri: format!(
            "data:image/webp;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&*webp)
        ),
    }
}

/// The most common colour, by 4-bit-per-channel buckets, as the mean of its bucket's pixels:
/// a product on a white background is white-dominant only when white really is most of it.
pub(crate) fn dominant(rgb: &[u8]) -> Rgb {
    let mut buckets = vec![(0u32, [0u64; 3]); 4096];
    for pixel in rgb.chunks_exact(3) {
        let key = (usize::from(pixel[0] >> 4) << 8)
            | (usize::from(pixel[1] >> 4) << 4)
            | usize::from(pixel[2] >> 4);
        let (count, sums) = &mut buckets[key];
        *count += 1;
        for (sum, value) in sums.iter_mut().zip(pixel) {
            *sum += u64::from(*value);
        }
    }
    let Some((count, sums)) = buckets
        .iter()
        .filter(|(count, _)| *count > 0)
        .max_by_key(|(count, _)| *count)
    else {
        return Rgb(0, 0, 0);
    };
    let mean = |sum: u64| u8::try_from(sum / u64::from(*count)).unwrap_or(u8::MAX);
    Rgb(mean(sums[0]), mean(sums[1]), mean(sums[2]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_common_colour_wins() {
        let mut pixels = Vec::new();
        for _ in 0..60 {
            pixels.extend([200, 40, 40]);
        }
        for _ in 0..40 {
            pixels.extend([250, 250, 250]);
        }
        assert_eq!(dominant(&pixels), Rgb(200, 40, 40));
        assert_eq!(Rgb(200, 40, 40).hex(), "#c82828");
        assert_eq!(Rgb::from_hex("#c82828"), Some(Rgb(200, 40, 40)));
        assert_eq!(Rgb::from_hex("c82828"), None);
    }
}
