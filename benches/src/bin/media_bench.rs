//! `cargo xtask bench media` runs this: one 12-megapixel photo-like JPEG → every rendition
//! width as WebP, through our pipeline and through Debian's `vips` (`vips thumbnail`, one call
//! per width, as an operator would script it) in the same run, at the same libwebp quality.
//! Prints times, the ratio and output sizes; writes JSON.
//!
//! usage: media_bench <out.json>

use anyhow::{Context, Result, bail};
use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, ImageEncoder, RgbImage};
use media::Pipeline;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const WIDTH: u32 = 4000;
const HEIGHT: u32 = 3000;
const RUNS: usize = 5;

/// A deterministic stand-in for a product photo: a lit backdrop, a few bottles with labels,
/// soft shadows and sensor grain (grain matters: it is what makes photos expensive to encode).
fn photo() -> RgbImage {
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut noise = move || {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        (seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 59) as i32 - 16
    };
    let bottles = [
        (900.0, 1700.0, 420.0, [46, 94, 74]),
        (1800.0, 1600.0, 480.0, [176, 92, 48]),
        (2800.0, 1750.0, 400.0, [62, 84, 150]),
    ];
    RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let light = 1.0 - ((fx - 2000.0).hypot(fy - 600.0) / 5200.0);
        let mut rgb = [236.0 * light, 228.0 * light, 214.0 * light];
        for (cx, top, half, colour) in bottles {
            let dx = (fx - cx).abs();
            if dx < half && fy > top && fy < top + 1100.0 {
                let shade = 0.55 + 0.45 * (1.0 - (dx / half).powi(2)).sqrt();
                let label = fy > top + 380.0 && fy < top + 760.0;
                let base = if label { [242, 238, 226] } else { colour };
                rgb = base.map(|c| c as f32 * shade);
            } else if dx < half * 1.2 && fy > top + 1100.0 && fy < top + 1180.0 {
                rgb = rgb.map(|c| c * 0.7);
            }
        }
        image::Rgb(rgb.map(|c| (c as i32 + noise()).clamp(0, 255) as u8))
    })
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn vips_run(input: &Path, out_dir: &Path, widths: &[u32], quality: f32) -> Result<u64> {
    let mut bytes = 0;
    for width in widths {
        let out = out_dir.join(format!("vips-{width}.webp"));
        let status = Command::new("vips")
            .arg("thumbnail")
            .arg(input)
            .arg(format!("{}[Q={quality},strip]", out.display()))
            .arg(width.to_string())
            .args(["--height", "100000", "--size", "down"])
            .status()
            .context("running vips (libvips-tools)")?;
        if !status.success() {
            bail!("vips thumbnail failed for width {width}");
        }
        bytes += std::fs::metadata(&out)?.len();
    }
    Ok(bytes)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [out] = args.as_slice() else {
        bail!("usage: media_bench <out.json>");
    };
    let dir = std::env::temp_dir().join(format!("olivine-media-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let input = dir.join("photo.jpg");
    let mut jpeg = Vec::new();
    let picture = photo();
    JpegEncoder::new_with_quality(&mut jpeg, 92).write_image(
        picture.as_raw(),
        WIDTH,
        HEIGHT,
        ExtendedColorType::Rgb8,
    )?;
    std::fs::write(&input, &jpeg)?;

    let pipeline = Pipeline::default();
    let widths = pipeline.widths_for(WIDTH);
    let mut ours = Vec::new();
    let mut our_sizes = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let processed = pipeline.process(&jpeg)?;
        ours.push(start.elapsed());
        our_sizes = processed
            .webp
            .iter()
            .map(|r| (r.width, r.bytes.len() as u64))
            .collect();
    }
    let mut vips = Vec::new();
    let mut vips_bytes = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        vips_bytes = vips_run(&input, &dir, &widths, pipeline.webp_quality)?;
        vips.push(start.elapsed());
    }
    let vips_sizes: Vec<(u32, u64)> = widths
        .iter()
        .map(|w| {
            let len = std::fs::metadata(dir.join(format!("vips-{w}.webp")))
                .map(|m| m.len())
                .unwrap_or(0);
            (*w, len)
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);

    let (ours, vips) = (median(ours), median(vips));
    let our_bytes: u64 = our_sizes.iter().map(|(_, b)| b).sum();
    let ratio = ours.as_secs_f64() / vips.as_secs_f64();
    println!(
        "media benchmark: {WIDTH}×{HEIGHT} JPEG ({:.1} MB) → WebP at widths {widths:?}, quality {}, median of {RUNS}",
        jpeg.len() as f64 / 1e6,
        pipeline.webp_quality
    );
    println!("{:<30} {:>10} {:>12}", "", "time", "total bytes");
    println!(
        "{:<30} {:>7.0} ms {:>12}",
        "olivine pipeline (+placeholder, colour)",
        ours.as_secs_f64() * 1000.0,
        our_bytes
    );
    println!(
        "{:<30} {:>7.0} ms {:>12}",
        "vips thumbnail, one per width",
        vips.as_secs_f64() * 1000.0,
        vips_bytes
    );
    println!("time ratio (ours / vips): {ratio:.2} (target ≤ 1.0)");
    for ((w, a), (_, b)) in our_sizes.iter().zip(&vips_sizes) {
        println!("  {w:>5} px: ours {a:>8} B, vips {b:>8} B");
    }
    let json = serde_json::json!({
        "input": { "width": WIDTH, "height": HEIGHT, "bytes": jpeg.len() },
        "quality": pipeline.webp_quality,
        "ours_ms": ours.as_secs_f64() * 1000.0,
        "vips_ms": vips.as_secs_f64() * 1000.0,
        "ratio": ratio,
        "ours_sizes": our_sizes,
        "vips_sizes": vips_sizes,
    });
    std::fs::write(out, serde_json::to_string_pretty(&json)?)?;
    Ok(())
}
