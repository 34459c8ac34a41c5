//! Demo product photos, drawn here so the shop looks real offline: a bottle, tub, dropper, jar,
//! tube or spray by the product's form, its label in the product line's colour, lit from the
//! upper left on a soft backdrop with a floor shadow and a little grain. Each goes through the
//! same upload path an admin's photo takes.

use super::data::{CATALOG, LINES, ProductSpec};
use super::slugify;
use anyhow::Context;
use app::catalog::model::ProductForm;
use app::ids::ProductId;
use app::media::repo as media_repo;
use app::media::service::Media;
use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder, Rgb, RgbImage};
use sqlx::PgPool;
use std::sync::Arc;

const SIDE: u32 = 960;

type Colour = [f32; 3];

fn hex(colour: &str) -> Colour {
    let c = media::Rgb::from_hex(colour).unwrap_or(media::Rgb(90, 120, 90));
    [f32::from(c.0), f32::from(c.1), f32::from(c.2)]
}

fn mix(a: Colour, b: Colour, t: f32) -> Colour {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

struct Canvas {
    pixels: Vec<Colour>,
}

impl Canvas {
    /// A backdrop tinted by the line colour, lighter towards the top.
    fn new(accent: Colour) -> Canvas {
        let top = mix([250.0, 247.0, 241.0], accent, 0.06);
        let bottom = mix([236.0, 230.0, 220.0], accent, 0.14);
        let mut pixels = Vec::with_capacity((SIDE * SIDE) as usize);
        for y in 0..SIDE {
            let row = mix(top, bottom, y as f32 / SIDE as f32);
            pixels.extend(std::iter::repeat_n(row, SIDE as usize));
        }
        Canvas { pixels }
    }

    fn at(&mut self, x: u32, y: u32) -> &mut Colour {
        &mut self.pixels[(y * SIDE + x) as usize]
    }

    /// A soft elliptical shadow on the floor.
    fn shadow(&mut self, cx: f32, cy: f32, rx: f32, ry: f32) {
        for y in (cy - ry) as u32..(cy + ry) as u32 {
            for x in (cx - rx) as u32..(cx + rx) as u32 {
                let d = ((x as f32 - cx) / rx).powi(2) + ((y as f32 - cy) / ry).powi(2);
                if d < 1.0 {
                    let p = self.at(x, y);
                    *p = mix(*p, [60.0, 50.0, 40.0], 0.28 * (1.0 - d));
                }
            }
        }
    }

    /// An upright cylinder seen from the front: a rounded rectangle shaded as a curved surface
    /// lit from the left. `paint` picks the surface colour by height (labels, bands).
    fn cylinder(
        &mut self,
        (left, top, right, bottom): (f32, f32, f32, f32),
        radius: f32,
        paint: impl Fn(f32) -> Colour,
    ) {
        let (cx, half) = ((left + right) / 2.0, (right - left) / 2.0);
        for y in top as u32..bottom as u32 {
            let fy = y as f32;
            // Rounded corners: how far in from each side this row starts.
            let inset = if fy < top + radius {
                radius
                    - (radius * radius - (top + radius - fy).powi(2))
                        .max(0.0)
                        .sqrt()
            } else if fy > bottom - radius {
                radius
                    - (radius * radius - (fy - (bottom - radius)).powi(2))
                        .max(0.0)
                        .sqrt()
            } else {
                0.0
            };
            let base = paint((fy - top) / (bottom - top));
            for x in (left + inset) as u32..(right - inset) as u32 {
                let u = (x as f32 - cx) / half; // -1 … 1 across the body
                let light = 0.62 + 0.45 * (1.0 - (u + 0.35).powi(2)).max(0.0).sqrt();
                let highlight = (-((u + 0.55) * 9.0).powi(2)).exp() * 0.35;
                let c = base.map(|v| v * light);
                *self.at(x, y) = mix(c, [255.0, 255.0, 255.0], highlight);
            }
        }
    }

    fn finish(self, seed: u64) -> RgbImage {
        let mut state = seed | 1;
        let mut grain = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % 7) as f32 - 3.0
        };
        let mut image = RgbImage::new(SIDE, SIDE);
        for (pixel, colour) in image.pixels_mut().zip(self.pixels) {
            let g = grain();
            *pixel = Rgb(colour.map(|c| (c + g).clamp(0.0, 255.0) as u8));
        }
        image
    }
}

/// How one part of a pack is coloured.
#[derive(Clone, Copy)]
enum Paint {
    /// The body: a label in the line colour (with a white band on top) between two heights
    /// (0 = top, 1 = bottom), white or amber glass elsewhere.
    Labelled {
        from: f32,
        to: f32,
        amber: bool,
    },
    /// A cap or collar: the line colour, darkened.
    Dark,
    Solid(Colour),
}

/// One upright part, on a 1000 × 1000 layout: left, top, right, bottom, corner radius.
#[derive(Clone, Copy)]
struct Part {
    rect: (f32, f32, f32, f32),
    radius: f32,
    paint: Paint,
}

const fn part(rect: (f32, f32, f32, f32), radius: f32, paint: Paint) -> Part {
    Part {
        rect,
        radius,
        paint,
    }
}

const fn body(from: f32, to: f32) -> Paint {
    Paint::Labelled {
        from,
        to,
        amber: false,
    }
}

const BOTTLE: &[Part] = &[
    part((330.0, 300.0, 670.0, 870.0), 60.0, body(0.3, 0.75)),
    part((370.0, 210.0, 630.0, 310.0), 14.0, Paint::Dark),
];
const TUB: &[Part] = &[
    part((200.0, 420.0, 800.0, 870.0), 40.0, body(0.25, 0.8)),
    part((190.0, 350.0, 810.0, 430.0), 16.0, Paint::Dark),
];
const DROPPER: &[Part] = &[
    part(
        (360.0, 420.0, 640.0, 870.0),
        50.0,
        Paint::Labelled {
            from: 0.35,
            to: 0.8,
            amber: true,
        },
    ),
    part((420.0, 340.0, 580.0, 430.0), 10.0, Paint::Dark),
    part(
        (445.0, 170.0, 555.0, 350.0),
        50.0,
        Paint::Solid([40.0, 38.0, 36.0]),
    ),
];
const JAR: &[Part] = &[
    part((210.0, 560.0, 790.0, 870.0), 36.0, body(0.2, 0.85)),
    part((200.0, 470.0, 800.0, 570.0), 20.0, Paint::Dark),
];
const TUBE: &[Part] = &[
    part((340.0, 140.0, 660.0, 720.0), 30.0, body(0.2, 0.7)),
    part((410.0, 710.0, 590.0, 870.0), 16.0, Paint::Dark),
];
const SPRAY: &[Part] = &[
    part((350.0, 360.0, 650.0, 870.0), 70.0, body(0.3, 0.8)),
    part(
        (430.0, 270.0, 570.0, 370.0),
        10.0,
        Paint::Solid([235.0, 235.0, 232.0]),
    ),
    part((455.0, 200.0, 545.0, 280.0), 20.0, Paint::Dark),
];

/// A pack: its floor shadow's half-width and half-height, and its parts back to front.
fn pack(form: ProductForm) -> ((f32, f32), &'static [Part]) {
    match form {
        ProductForm::Capsule | ProductForm::Tablet | ProductForm::Softgel | ProductForm::Gummy => {
            ((230.0, 34.0), BOTTLE)
        }
        ProductForm::Powder => ((320.0, 38.0), TUB),
        ProductForm::Liquid | ProductForm::Serum | ProductForm::Oil => ((180.0, 30.0), DROPPER),
        ProductForm::Cream | ProductForm::Balm => ((330.0, 36.0), JAR),
        ProductForm::Cleanser => ((160.0, 30.0), TUBE),
        ProductForm::Mist => ((200.0, 32.0), SPRAY),
    }
}

/// The pack shot for a product's form, in its line's colour.
pub fn draw(form: ProductForm, accent: &str, seed: u64) -> RgbImage {
    const WHITE: Colour = [244.0, 241.0, 234.0];
    const AMBER: Colour = [150.0, 92.0, 40.0];
    let accent = hex(accent);
    let dark = mix(accent, [30.0, 30.0, 30.0], 0.55);
    let mut canvas = Canvas::new(accent);
    let s = SIDE as f32 / 1000.0;
    let ((shadow_x, shadow_y), parts) = pack(form);
    canvas.shadow(500.0 * s, 865.0 * s, shadow_x * s, shadow_y * s);
    for part in parts {
        let (l, t, r, b) = part.rect;
        let colour = move |height: f32| match part.paint {
            Paint::Labelled { from, to, amber } if !(from..to).contains(&height) => {
                if amber {
                    AMBER
                } else {
                    WHITE
                }
            }
            Paint::Labelled { from, to, .. } if (height - from) / (to - from) < 0.12 => WHITE,
            Paint::Labelled { .. } => accent,
            Paint::Dark => dark,
            Paint::Solid(c) => c,
        };
        canvas.cylinder((l * s, t * s, r * s, b * s), part.radius * s, colour);
    }
    canvas.finish(seed)
}

/// Give every seeded product without a picture its drawn photo. Returns how many were added.
/// Pictures are drawn and processed on as many cores as there are (drawing is CPU work, so it
/// runs on blocking threads; the pipeline bounds its own concurrency).
pub async fn seed_images(db: &PgPool, media: &Arc<Media>) -> anyhow::Result<usize> {
    let seeded: Vec<(ProductId, &'static ProductSpec)> = CATALOG
        .iter()
        .flat_map(|c| c.products)
        .map(|spec| {
            let slug = slugify(spec.name);
            (
                ProductId(super::stable_id(&format!("product:{slug}"))),
                spec,
            )
        })
        .collect();
    let ids: Vec<ProductId> = seeded.iter().map(|(id, _)| *id).collect();
    let mut conn = db.acquire().await?;
    let pictured = media_repo::product_images(&mut conn, &ids).await?;
    drop(conn);
    let missing: Vec<_> = seeded
        .into_iter()
        .filter(|(id, _)| !pictured.contains_key(id))
        .collect();
    let parallel = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut queue = missing.into_iter();
    let mut tasks = tokio::task::JoinSet::new();
    let mut added = 0;
    loop {
        while tasks.len() < parallel {
            let Some((product, spec)) = queue.next() else {
                break;
            };
            tasks.spawn(seed_one(db.clone(), media.clone(), product, spec));
        }
        match tasks.join_next().await {
            None => return Ok(added),
            Some(done) => {
                done.context("a picture task stopped")??;
                added += 1;
            }
        }
    }
}

async fn seed_one(
    db: PgPool,
    media: Arc<Media>,
    product: ProductId,
    spec: &'static ProductSpec,
) -> anyhow::Result<()> {
    let slug = slugify(spec.name);
    let (line, accent) = LINES[spec.line];
    let seed = super::pick(&slug, u64::MAX);
    let png = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<u8>> {
        let picture = draw(spec.form, accent, seed);
        let mut png = Vec::new();
        PngEncoder::new(&mut png).write_image(
            picture.as_raw(),
            SIDE,
            SIDE,
            ExtendedColorType::Rgb8,
        )?;
        Ok(png)
    })
    .await
    .context("drawing stopped")??;
    let stored = media
        .ingest(&db, png)
        .await
        .with_context(|| format!("picture of {slug}"))?;
    let alt = format!(
        "{} by {line}: {}",
        spec.name,
        spec.form.label().to_lowercase()
    );
    let mut conn = db.acquire().await?;
    media_repo::attach(&mut conn, product, &stored.hash, &alt).await?;
    Ok(())
}
