//! Decode, orient, resize and encode.

use super::colour::{self, PLACEHOLDER_SIDE, Placeholder, Rgb};
use super::inspect::{Format, inspect, jpeg_is_complete, read_error};
use super::{Limits, MediaError, Result};
use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::avif::AvifEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ExtendedColorType, ImageDecoder, ImageEncoder, ImageReader};
use sha2::{Digest, Sha256};
use std::io::Cursor;

/// How uploads become renditions.
#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    pub limits: Limits,
    /// Rendition widths, any order; an image narrower than one is never upscaled to it.
    pub widths: Vec<u32>,
    /// libwebp quality, 0–100.
    pub webp_quality: f32,
    /// rav1e quality, 0–100.
    pub avif_quality: u8,
    /// rav1e speed, 1 (slow, small) – 10 (fast).
    pub avif_speed: u8,
}

impl Default for Pipeline {
    fn default() -> Self {
        Pipeline {
            limits: Limits::default(),
            widths: vec![320, 640, 960, 1280, 1920],
            webp_quality: 80.0,
            avif_quality: 60,
            avif_speed: 8,
        }
    }
}

/// One encoded size of an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendition {
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

/// Everything a page needs of an upload, except the AVIF renditions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Processed {
    /// sha256 of the uploaded bytes, hex: the same file uploaded twice is one image.
    pub content_hash: String,
    pub format: Format,
    /// After EXIF orientation.
    pub width: u32,
    pub height: u32,
    /// Widest first.
    pub webp: Vec<Rendition>,
    pub placeholder: Placeholder,
    pub dominant: Rgb,
}

impl Processed {
    /// The storage key stem every file of this image hangs under.
    pub fn content_key(&self) -> &str {
        &self.content_hash
    }
}

/// sha256 of `bytes`, hex.
pub fn content_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Decoded, oriented pixels.
struct Pixels {
    width: u32,
    height: u32,
    alpha: bool,
    data: Vec<u8>,
}

impl Pixels {
    fn pixel_type(&self) -> PixelType {
        if self.alpha {
            PixelType::U8x4
        } else {
            PixelType::U8x3
        }
    }

    fn colour_type(&self) -> ExtendedColorType {
        if self.alpha {
            ExtendedColorType::Rgba8
        } else {
            ExtendedColorType::Rgb8
        }
    }

    /// A Lanczos3 resize to `width` × `height`.
    fn resized(&self, width: u32, height: u32, resizer: &mut Resizer) -> Result<Pixels> {
        let resize_error = |e: &dyn std::fmt::Display| MediaError::Corrupt(e.to_string());
        let source = ImageRef::new(self.width, self.height, &self.data, self.pixel_type())
            .map_err(|e| resize_error(&e))?;
        let mut target = Image::new(width, height, self.pixel_type());
        resizer
            .resize(
                &source,
                &mut target,
                &ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3)),
            )
            .map_err(|e| resize_error(&e))?;
        Ok(Pixels {
            width,
            height,
            alpha: self.alpha,
            data: target.into_vec(),
        })
    }

    /// Opaque RGB: placeholders and colour analysis ignore transparency.
    fn rgb(&self) -> Vec<u8> {
        if !self.alpha {
            return self.data.clone();
        }
        self.data
            .chunks_exact(4)
            .flat_map(|p| {
                // Over white, as product shots on a transparent background are shown.
                let a = u16::from(p[3]);
                let over = |c: u8| ((u16::from(c) * a + 255 * (255 - a)) / 255) as u8;
                [over(p[0]), over(p[1]), over(p[2])]
            })
            .collect()
    }
}

/// `height` scaled to `width` keeping the aspect ratio, at least 1.
fn scaled_height(width: u32, from_width: u32, from_height: u32) -> u32 {
    let h = (u64::from(from_height) * u64::from(width) + u64::from(from_width) / 2)
        / u64::from(from_width);
    u32::try_from(h.max(1)).unwrap_or(u32::MAX)
}

impl Pipeline {
    /// The widths an image `width` pixels wide gets: every configured width it reaches, widest
    /// first, or its own width alone when it is narrower than all of them.
    pub fn widths_for(&self, width: u32) -> Vec<u32> {
        let mut out: Vec<u32> = self
            .widths
            .iter()
            .copied()
            .filter(|w| *w <= width)
            .collect();
        out.sort_unstable_by(|a, b| b.cmp(a));
        out.dedup();
        if out.is_empty() {
            out.push(width);
        }
        out
    }

    fn decode(&self, bytes: &[u8]) -> Result<(Format, Pixels)> {
        let header = inspect(bytes, &self.limits)?;
        if header.format == Format::Jpeg && !jpeg_is_complete(bytes) {
            return Err(MediaError::Truncated);
        }
        let mut reader = ImageReader::with_format(Cursor::new(bytes), header.format.image_format());
        // A second wall behind the header check: the decoder itself refuses to allocate more.
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(self.limits.max_side);
        limits.max_image_height = Some(self.limits.max_side);
        limits.max_alloc = Some(self.limits.max_pixels.saturating_mul(8));
        reader.limits(limits);
        let mut decoder = reader.into_decoder().map_err(read_error)?;
        let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
        let mut image = DynamicImage::from_decoder(decoder).map_err(read_error)?;
        image.apply_orientation(orientation);
        let alpha = image.color().has_alpha();
        let (width, height) = (image.width(), image.height());
        let data = if alpha {
            image.into_rgba8().into_raw()
        } else {
            image.into_rgb8().into_raw()
        };
        Ok((
            header.format,
            Pixels {
                width,
                height,
                alpha,
                data,
            },
        ))
    }

    /// Each width's pixels, widest first; each resized from the next wider one, so the large
    /// original is read once.
    fn sizes(&self, pixels: &Pixels) -> Result<Vec<Pixels>> {
        let mut resizer = Resizer::new();
        let mut out: Vec<Pixels> = Vec::new();
        for width in self.widths_for(pixels.width) {
            let from = out.last().unwrap_or(pixels);
            let height = scaled_height(width, pixels.width, pixels.height);
            let next = if width == from.width {
                Pixels {
                    width,
                    height: from.height,
                    alpha: from.alpha,
                    data: from.data.clone(),
                }
            } else {
                from.resized(width, height, &mut resizer)?
            };
            out.push(next);
        }
        Ok(out)
    }

    /// Refuse or process an upload: the WebP renditions, the placeholder and the dominant
    /// colour. Encodes the renditions on two threads.
    pub fn process(&self, bytes: &[u8]) -> Result<Processed> {
        let (format, pixels) = self.decode(bytes)?;
        let sizes = self.sizes(&pixels)?;
        let smallest = sizes.last().unwrap_or(&pixels);
        let mut resizer = Resizer::new();
        let side = PLACEHOLDER_SIDE;
        let (tiny_w, tiny_h) = if smallest.width >= smallest.height {
            (side, scaled_height(side, smallest.width, smallest.height))
        } else {
            (scaled_height(side, smallest.height, smallest.width), side)
        };
        let tiny = smallest.resized(
            tiny_w.min(smallest.width),
            tiny_h.min(smallest.height),
            &mut resizer,
        )?;
        let sample_w = smallest.width.min(64);
        let sample = smallest.resized(
            sample_w,
            scaled_height(sample_w, smallest.width, smallest.height),
            &mut resizer,
        )?;

        let quality = self.webp_quality;
        let encode = |p: &Pixels| Rendition {
            width: p.width,
            height: p.height,
            bytes: if p.alpha {
                webp::Encoder::from_rgba(&p.data, p.width, p.height).encode(quality)
            } else {
                webp::Encoder::from_rgb(&p.data, p.width, p.height).encode(quality)
            }
            .to_vec(),
        };
        // The widest rendition costs about as much as all the others together.
        let webp = std::thread::scope(|scope| {
            let (first, rest) = sizes
                .split_first()
                .map_or((None, &[][..]), |(f, r)| (Some(f), r));
            let widest = scope.spawn(move || first.map(encode));
            let others: Vec<Rendition> = rest.iter().map(encode).collect();
            let widest = widest.join().ok().flatten();
            widest.into_iter().chain(others).collect::<Vec<_>>()
        });
        if webp.len() != sizes.len() {
            return Err(MediaError::Encode {
                format: "WebP",
                reason: "an encoder thread stopped".into(),
            });
        }
        Ok(Processed {
            content_hash: content_hash(bytes),
            format,
            width: pixels.width,
            height: pixels.height,
            webp,
            placeholder: colour::placeholder(&tiny.rgb(), tiny.width, tiny.height),
            dominant: colour::dominant(&sample.rgb()),
        })
    }

    /// The AVIF renditions of an upload, widest first: slow (rav1e), so a background job's work.
    pub fn avif(&self, bytes: &[u8]) -> Result<Vec<Rendition>> {
        let (_, pixels) = self.decode(bytes)?;
        self.sizes(&pixels)?
            .iter()
            .map(|p| {
                let mut out = Vec::new();
                AvifEncoder::new_with_speed_quality(&mut out, self.avif_speed, self.avif_quality)
                    .write_image(&p.data, p.width, p.height, p.colour_type())
                    .map_err(|e| MediaError::Encode {
                        format: "AVIF",
                        reason: e.to_string(),
                    })?;
                Ok(Rendition {
                    width: p.width,
                    height: p.height,
                    bytes: out,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_upscales_and_lists_widest_first() {
        let pipeline = Pipeline::default();
        assert_eq!(pipeline.widths_for(4000), [1920, 1280, 960, 640, 320]);
        assert_eq!(pipeline.widths_for(1000), [960, 640, 320]);
        assert_eq!(pipeline.widths_for(200), [200]);
        assert_eq!(scaled_height(320, 4000, 3000), 240);
        assert_eq!(scaled_height(1, 4000, 10), 1);
    }
}
