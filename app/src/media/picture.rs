//! `<Picture>`: the one way pages show a product image.

use super::model::{ImageView, RenditionFormat};
use leptos::prelude::*;

/// AVIF where the background job has made it, WebP otherwise; `srcset` + `sizes` so a phone
/// downloads a phone-sized file; explicit width and height so nothing shifts while it loads;
/// lazy unless `eager` (the first picture above the fold); the dominant colour and a tiny
/// blurred version of the picture behind it until it arrives.
#[component]
pub fn Picture(
    image: ImageView,
    /// The `sizes` attribute: how wide the picture is drawn at each viewport width.
    sizes: &'static str,
    #[prop(optional)] eager: bool,
) -> impl IntoView {
    let avif = image.srcset(RenditionFormat::Avif);
    let webp = image.srcset(RenditionFormat::Webp);
    let src = image.url(image.fallback_width(640), RenditionFormat::Webp);
    let style = format!(
        "background-color:{};background-image:url({})",
        image.colour, image.placeholder
    );
    view! {
        <picture class="picture">
            {(!avif.is_empty())
                .then(|| view! { <source type="image/avif" srcset=avif sizes=sizes/> })}
            <source type="image/webp" srcset=webp sizes=sizes/>
            <img
                src=src
                alt=image.alt
                width=image.width
                height=image.height
                loading=if eager { "eager" } else { "lazy" }
                fetchpriority=if eager { "high" } else { "auto" }
                decoding="async"
                style=style
            />
        </picture>
    }
}
