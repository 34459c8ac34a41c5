//! The pipeline on real encoded files: what it makes, and every way it refuses.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder, ImageFormat, RgbImage, RgbaImage};
use media::{Format, Limits, MediaError, Pipeline, Rgb, content_hash, inspect};
use proptest::prelude::*;

/// A photo-like test card: a gradient with a red block in the top-left corner, so orientation
/// can be checked by where the red ends up.
fn card(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        if x < width / 4 && y < height / 4 {
            image::Rgb([220, 20, 20])
        } else {
            image::Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 160])
        }
    })
}

fn jpeg(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

fn png_rgba(image: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgba8,
        )
        .unwrap();
    out
}

/// The same JPEG with an EXIF block saying "rotate 90° clockwise to display" (orientation 6).
fn with_orientation_6(jpeg: &[u8]) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend(b"MM\0*\0\0\0\x08"); // big-endian TIFF header, first IFD at 8
    tiff.extend([0, 1]); // one entry
    tiff.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]); // Orientation, SHORT, 1, 6
    tiff.extend([0, 0, 0, 0]); // no next IFD
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let length = u16::try_from(app1.len() + 2).unwrap();
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(length.to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

fn decode_webp(bytes: &[u8]) -> image::DynamicImage {
    image::load_from_memory_with_format(bytes, ImageFormat::WebP).unwrap()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A valid PNG whose header (with a correct checksum) claims `width` × `height`.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = png_rgba(&RgbaImage::new(4, 4));
    // Signature (8), IHDR length (4), "IHDR" (4), then width and height.
    bytes[16..20].copy_from_slice(&width.to_be_bytes());
    bytes[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

/// A valid JPEG whose frame header claims `width` × `height`.
fn jpeg_claiming(width: u16, height: u16) -> Vec<u8> {
    let mut bytes = jpeg(&card(16, 16));
    let sof = bytes
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("a baseline frame header");
    // Marker (2), length (2), precision (1), then height and width.
    bytes[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    bytes
}

#[test]
fn a_photo_becomes_webp_renditions_placeholder_and_colour() {
    let upload = jpeg(&card(1000, 750));
    let processed = Pipeline::default().process(&upload).unwrap();
    assert_eq!(processed.format, Format::Jpeg);
    assert_eq!((processed.width, processed.height), (1000, 750));
    assert_eq!(processed.content_hash, content_hash(&upload));
    assert_eq!(processed.content_hash.len(), 64);
    let sizes: Vec<(u32, u32)> = processed.webp.iter().map(|r| (r.width, r.height)).collect();
    assert_eq!(sizes, [(960, 720), (640, 480), (320, 240)]);
    for rendition in &processed.webp {
        let decoded = decode_webp(&rendition.bytes);
        assert_eq!(
            (decoded.width(), decoded.height()),
            (rendition.width, rendition.height)
        );
        // The red block stayed in the top-left corner.
        let corner = decoded.to_rgb8().get_pixel(2, 2).0;
        assert!(corner[0] > 180 && corner[1] < 70, "corner {corner:?}");
    }
    assert!(
        processed
            .placeholder
            .data_uri
            .starts_with("data:image/webp;base64,")
    );
    assert_eq!(
        (processed.placeholder.width, processed.placeholder.height),
        (16, 12)
    );
    assert!(processed.placeholder.data_uri.len() < 600);
}

#[test]
fn dominant_colour_is_the_largest_area() {
    let mostly_green = RgbImage::from_fn(400, 400, |x, _| {
        if x < 300 {
            image::Rgb([30, 140, 60])
        } else {
            image::Rgb([250, 250, 250])
        }
    });
    let processed = Pipeline::default().process(&jpeg(&mostly_green)).unwrap();
    let Rgb(r, g, b) = processed.dominant;
    assert!(
        g > 120 && r < 60 && b < 90,
        "dominant {:?}",
        processed.dominant
    );
}

#[test]
fn exif_orientation_is_applied_and_metadata_dropped() {
    let upload = with_orientation_6(&jpeg(&card(400, 200)));
    assert!(upload.windows(4).any(|w| w == b"Exif"));
    let processed = Pipeline::default().process(&upload).unwrap();
    assert_eq!((processed.width, processed.height), (200, 400));
    let rendition = &processed.webp[0];
    assert_eq!((rendition.width, rendition.height), (200, 400));
    assert!(!rendition.bytes.windows(4).any(|w| w == b"Exif"));
    // Turned clockwise, the top-left red block is now top-right.
    let decoded = decode_webp(&rendition.bytes).to_rgb8();
    assert!(decoded.get_pixel(195, 5).0[0] > 180);
    assert!(decoded.get_pixel(5, 5).0[0] < 180);
}

#[test]
fn transparency_survives() {
    let logo = RgbaImage::from_fn(640, 320, |x, _| {
        image::Rgba([200, 80, 30, if x < 320 { 0 } else { 255 }])
    });
    let processed = Pipeline::default().process(&png_rgba(&logo)).unwrap();
    assert_eq!(processed.format, Format::Png);
    let decoded = decode_webp(&processed.webp[0].bytes);
    assert!(decoded.color().has_alpha());
    assert_eq!(decoded.to_rgba8().get_pixel(10, 10).0[3], 0);
    assert_eq!(decoded.to_rgba8().get_pixel(630, 10).0[3], 255);
}

#[test]
fn small_images_are_never_upscaled() {
    let processed = Pipeline::default().process(&jpeg(&card(200, 100))).unwrap();
    assert_eq!(processed.webp.len(), 1);
    assert_eq!(
        (processed.webp[0].width, processed.webp[0].height),
        (200, 100)
    );
}

#[test]
fn avif_renditions_are_avif_files() {
    let renditions = Pipeline::default().avif(&jpeg(&card(700, 350))).unwrap();
    let sizes: Vec<(u32, u32)> = renditions.iter().map(|r| (r.width, r.height)).collect();
    assert_eq!(sizes, [(640, 320), (320, 160)]);
    for rendition in &renditions {
        assert_eq!(&rendition.bytes[4..12], b"ftypavif");
    }
}

#[test]
fn refusals_name_the_problem() {
    let limits = Limits::default();
    assert_eq!(inspect(&[], &limits), Err(MediaError::Empty));
    let small = Limits {
        max_bytes: 1000,
        ..limits
    };
    let big = jpeg(&card(600, 600));
    assert!(matches!(
        inspect(&big, &small),
        Err(MediaError::TooLarge { limit: 1000, .. })
    ));
    assert_eq!(
        inspect(b"%PDF-1.7 not a picture", &limits),
        Err(MediaError::UnknownFormat)
    );
    assert_eq!(
        inspect(b"GIF89a\x01\x00\x01\x00", &limits),
        Err(MediaError::Unsupported("GIF"))
    );
    let message = MediaError::TooLarge {
        bytes: 30 * 1024 * 1024,
        limit: 25 * 1024 * 1024,
    }
    .to_string();
    assert_eq!(message, "the file is 30.0 MB — the limit is 25.0 MB");
}

#[test]
fn huge_dimension_headers_are_refused_before_decoding() {
    let limits = Limits::default();
    let bomb = png_claiming(100_000, 100_000);
    assert!(bomb.len() < 200);
    assert_eq!(
        inspect(&bomb, &limits),
        Err(MediaError::TooManyPixels {
            width: 100_000,
            height: 100_000,
            max_pixels: limits.max_pixels,
            side: limits.max_side,
        })
    );
    assert!(matches!(
        Pipeline::default().process(&bomb),
        Err(MediaError::TooManyPixels { .. })
    ));
    // Under the side limit, over the pixel limit.
    assert!(matches!(
        inspect(&jpeg_claiming(9_000, 9_000), &limits),
        Err(MediaError::TooManyPixels {
            width: 9_000,
            height: 9_000,
            ..
        })
    ));
    let message = inspect(&jpeg_claiming(60_000, 60_000), &limits)
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "the image is 60000 × 60000 pixels — the limit is 50 megapixels and 12000 pixels a side"
    );
}

#[test]
fn truncated_files_say_so() {
    let pipeline = Pipeline::default();
    let whole = jpeg(&card(800, 600));
    assert_eq!(
        pipeline.process(&whole[..whole.len() / 2]),
        Err(MediaError::Truncated)
    );
    let png = png_rgba(&RgbaImage::from_fn(300, 300, |x, y| {
        image::Rgba([x as u8, y as u8, 9, 255])
    }));
    assert_eq!(
        pipeline.process(&png[..png.len() * 2 / 3]),
        Err(MediaError::Truncated)
    );
    // Cut inside the header: nothing to measure.
    assert_eq!(
        inspect(&png[..20], &Limits::default()),
        Err(MediaError::Truncated)
    );
}

#[test]
fn damaged_data_is_refused() {
    let mut png = png_rgba(&RgbaImage::new(64, 64));
    let middle = png.len() / 2;
    for byte in &mut png[middle..middle + 16] {
        *byte ^= 0x5A;
    }
    assert!(matches!(
        Pipeline::default().process(&png),
        Err(MediaError::Corrupt(_) | MediaError::Truncated)
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any damage to a real file gives a result or an error, never a panic.
    #[test]
    fn damaged_uploads_never_crash(
        cut in 0usize..4000,
        flips in proptest::collection::vec((0usize..4000, any::<u8>()), 0..12),
        as_png in any::<bool>(),
    ) {
        let mut bytes = if as_png {
            png_rgba(&RgbaImage::from_fn(48, 40, |x, y| image::Rgba([x as u8 * 5, y as u8 * 6, 90, 200])))
        } else {
            jpeg(&card(48, 40))
        };
        let len = bytes.len();
        for (at, value) in flips {
            bytes[at % len] ^= value;
        }
        bytes.truncate(len - cut.min(len - 1));
        let _ = Pipeline::default().process(&bytes);
    }
}
