//! Writes a small starting corpus for `cargo xtask fuzz`: tiny valid JPEG (baseline, with an
//! EXIF orientation), PNG (RGBA) and WebP files, so the fuzzer starts inside each decoder.
//!
//! usage: cargo run -p media --example fuzz_seeds -- <dir>

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder, RgbImage, RgbaImage};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: fuzz_seeds <dir>")?;
    std::fs::create_dir_all(&dir)?;
    let rgb = RgbImage::from_fn(24, 16, |x, y| image::Rgb([x as u8 * 10, y as u8 * 15, 90]));
    let rgba = RgbaImage::from_fn(20, 12, |x, y| {
        image::Rgba([200, x as u8 * 12, y as u8 * 20, 128])
    });

    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 80).write_image(
        rgb.as_raw(),
        24,
        16,
        ExtendedColorType::Rgb8,
    )?;
    std::fs::write(format!("{dir}/plain.jpg"), &jpeg)?;
    // The same with an APP1 EXIF block: orientation 6.
    let exif: &[u8] =
        b"\xFF\xE1\x00\x22Exif\0\0MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0";
    let mut oriented = jpeg[..2].to_vec();
    oriented.extend(exif);
    oriented.extend(&jpeg[2..]);
    std::fs::write(format!("{dir}/oriented.jpg"), &oriented)?;

    let mut png = Vec::new();
    PngEncoder::new(&mut png).write_image(rgba.as_raw(), 20, 12, ExtendedColorType::Rgba8)?;
    std::fs::write(format!("{dir}/alpha.png"), &png)?;

    let mut webp = Vec::new();
    WebPEncoder::new_lossless(&mut webp).write_image(
        rgb.as_raw(),
        24,
        16,
        ExtendedColorType::Rgb8,
    )?;
    std::fs::write(format!("{dir}/lossless.webp"), &webp)?;
    let lossy = webp::Encoder::from_rgb(rgb.as_raw(), 24, 16).encode(60.0);
    std::fs::write(format!("{dir}/lossy.webp"), &*lossy)?;
    println!("wrote 5 seed files to {dir}");
    Ok(())
}
