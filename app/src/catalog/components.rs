//! The Shop's product pieces other pages reuse: pack shots, photos, stock badges, cards.

use super::model::{ProductCard, ProductForm};
use crate::inventory::model::StockStatus;
use crate::media::model::ImageView;
use crate::media::picture::Picture;
use leptos::prelude::*;

/// A drawn pack shot for a product without photos: its form and label colour.
#[component]
pub fn PackShot(
    form: ProductForm,
    accent: String,
    line: String,
    #[prop(optional)] large: bool,
) -> impl IntoView {
    let shape = match form {
        ProductForm::Capsule | ProductForm::Tablet | ProductForm::Softgel | ProductForm::Gummy => {
            "bottle"
        }
        ProductForm::Powder => "tub",
        ProductForm::Liquid | ProductForm::Serum | ProductForm::Oil => "dropper",
        ProductForm::Cream | ProductForm::Balm => "jar",
        ProductForm::Cleanser => "tube",
        ProductForm::Mist => "spray",
    };
    let label = format!("{} — {}", line, form.label());
    view! {
        <div
            class="packshot"
            class:packshot--large=large
            style=format!("--accent: {accent}")
            role="img"
            aria-label=label
        >
            <div class=format!("pack pack--{shape}")>
                <span class="pack__label">{line}</span>
            </div>
        </div>
    }
}

/// A product's picture when it has one, its drawn pack shot otherwise.
#[component]
pub fn ProductVisual(
    image: Option<ImageView>,
    form: ProductForm,
    accent: String,
    line: String,
    /// How wide it is drawn, for `sizes`.
    sizes: &'static str,
    #[prop(optional)] large: bool,
    #[prop(optional)] eager: bool,
) -> impl IntoView {
    match image {
        Some(image) => view! {
            <div class="product-photo" class:product-photo--large=large>
                <Picture image sizes eager/>
            </div>
        }
        .into_any(),
        None => view! { <PackShot form accent line large/> }.into_any(),
    }
}

#[component]
pub fn StockBadge(status: StockStatus) -> impl IntoView {
    let class = match status {
        StockStatus::InStock => "stock stock--in",
        StockStatus::Low { .. } => "stock stock--low",
        StockStatus::OutOfStock => "stock stock--out",
    };
    view! { <span class=class>{status.label()}</span> }
}

#[component]
pub fn ProductCardView(card: ProductCard) -> impl IntoView {
    let href = format!("/products/{}", card.slug);
    let price = if card.variant_count > 1 {
        format!("from {}", card.price_from)
    } else {
        card.price_from.to_string()
    };
    view! {
        <article class="card">
            <a class="card__link" href=href>
                <ProductVisual
                    image=card.image
                    form=card.form
                    accent=card.accent_colour
                    line=card.product_line.clone()
                    sizes="(min-width: 64rem) 20rem, (min-width: 40rem) 45vw, 100vw"
                />
                <div class="card__body">
                    <p class="eyebrow">{card.product_line}</p>
                    <h3 class="card__title">{card.name}</h3>
                    <p class="card__summary">{card.summary}</p>
                    <p class="card__meta">
                        <span class="price">{price}</span>
                        <StockBadge status=card.stock/>
                    </p>
                </div>
            </a>
        </article>
    }
}

#[component]
pub fn ProductGrid(cards: Vec<ProductCard>) -> impl IntoView {
    view! {
        <div class="grid grid--products">
            {cards.into_iter().map(|card| view! { <ProductCardView card/> }).collect_view()}
        </div>
    }
}
