//! The shop's browsing pages: home, all categories, one category, one product.
//! Every page renders completely on the server (no JavaScript needed); after hydration the
//! variant selector switches price, stock and best-before date without a round trip.

use super::api::{load_categories, load_category, load_home, load_product};
use super::components::{ProductGrid, ProductVisual, StockBadge};
use super::model::{CategorySummary, Ingredient, ProductDetail, ProductKind, Sort, VariantOffer};
use crate::error::AppError;
use crate::media::picture::Picture;
use crate::ui::{Breadcrumbs, ErrorPage, Pagination, Skeleton};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn HomePage() -> impl IntoView {
    let home = Resource::new(|| (), |()| load_home());
    view! {
        <Title text="Olivine — supplements and natural skincare"/>
        <Meta name="description" content="Clean supplements and natural skincare, batch-tracked and shipped freshest-first."/>
        <section class="hero">
            <div class="hero__text">
                <p class="eyebrow">"Supplements & natural skincare"</p>
                <h1>"Daily care, made simple and honest"</h1>
                <p class="hero__lede">
                    "Every product lists its full ingredients and the best-before date of the batch you'll receive."
                </p>
                <a class="button" href="/shop">"Shop the range"</a>
            </div>
        </section>
        <Suspense fallback=|| view! { <Skeleton cards=6/> }>
            {move || Suspend::new(async move {
                match home.await {
                    Ok(home) => view! {
                        <section class="section" aria-labelledby="featured-heading">
                            <h2 id="featured-heading">"Customer favourites"</h2>
                            <ProductGrid cards=home.featured/>
                        </section>
                        <section class="section" aria-labelledby="categories-heading">
                            <h2 id="categories-heading">"Shop by category"</h2>
                            <CategoryTiles categories=home.categories/>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CategoryTiles(categories: Vec<CategorySummary>) -> impl IntoView {
    view! {
        <ul class="grid grid--categories" role="list">
            {categories
                .into_iter()
                .map(|c| {
                    let kind_class = match c.kind {
                        ProductKind::Supplement => "tile tile--supplement",
                        ProductKind::Skincare => "tile tile--skincare",
                    };
                    view! {
                        <li class=kind_class>
                            <a href=format!("/shop/{}", c.slug)>
                                <span class="tile__name">{c.name}</span>
                                <span class="tile__tagline">{c.tagline}</span>
                                <span class="tile__count">{format!("{} products", c.product_count)}</span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
pub fn ShopPage() -> impl IntoView {
    let categories = Resource::new(|| (), |()| load_categories());
    view! {
        <Title text="Shop all categories — Olivine"/>
        <header class="page-head">
            <h1>"Shop"</h1>
            <p>"Supplements for every day and skincare made with plants and care."</p>
        </header>
        <Suspense fallback=|| view! { <Skeleton/> }>
            {move || Suspend::new(async move {
                match categories.await {
                    Ok(all) => {
                        let (supplements, skincare): (Vec<_>, Vec<_>) =
                            all.into_iter().partition(|c| c.kind == ProductKind::Supplement);
                        view! {
                            <section class="section" aria-labelledby="supplements-heading">
                                <h2 id="supplements-heading">{ProductKind::Supplement.label()}</h2>
                                <CategoryTiles categories=supplements/>
                            </section>
                            <section class="section" aria-labelledby="skincare-heading">
                                <h2 id="skincare-heading">{ProductKind::Skincare.label()}</h2>
                                <CategoryTiles categories=skincare/>
                            </section>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn category_href(slug: &str, sort: Sort, page: u32) -> String {
    let mut href = format!("/shop/{slug}");
    let mut params = Vec::new();
    if sort != Sort::Featured {
        params.push(format!("sort={}", sort.param()));
    }
    if page > 1 {
        params.push(format!("page={page}"));
    }
    if !params.is_empty() {
        href.push('?');
        href.push_str(&params.join("&"));
    }
    href
}

#[component]
pub fn CategoryPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let request = move || {
        let slug = params.read().get("category").unwrap_or_default();
        let query = query.read();
        let sort = Sort::from_param(query.get("sort").as_deref());
        let page = query
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1);
        (slug, sort, page)
    };
    let listing = Resource::new(request, |(slug, sort, page)| {
        load_category(slug, sort, page)
    });

    view! {
        // Transition: paging and sorting keep the current products on screen until the next
        // ones arrive, instead of flashing the skeleton.
        <Transition fallback=|| view! { <Skeleton/> }>
            {move || Suspend::new(async move {
                match listing.await {
                    Ok(listing) => {
                        let category = listing.category;
                        let slug = category.slug.clone();
                        let products = listing.products;
                        let (page, total_pages) = (products.page, products.total_pages());
                        let sort = listing.sort;
                        let sort_links = Sort::ALL.into_iter().map(|s| {
                            let href = category_href(&slug, s, 1);
                            view! {
                                <li>
                                    <a class="chip" href=href aria-current=(s == sort).then_some("true")>{s.label()}</a>
                                </li>
                            }
                        }).collect_view();
                        let page_slug = slug.clone();
                        view! {
                            <Title text=format!("{} — Olivine", category.name)/>
                            <Meta name="description" content=category.tagline.clone()/>
                            <Breadcrumbs
                                trail=vec![("/".into(), "Home".into()), ("/shop".into(), "Shop".into())]
                                current=category.name.clone()
                            />
                            <header class="page-head">
                                <h1>{category.name}</h1>
                                <p>{category.tagline}</p>
                            </header>
                            <div class="toolbar">
                                <p class="toolbar__count">{format!("{} products", products.total_items)}</p>
                                <nav aria-label="Sort products">
                                    <ul class="chips" role="list">{sort_links}</ul>
                                </nav>
                            </div>
                            <ProductGrid cards=products.items/>
                            <Pagination page total_pages href=move |n| category_href(&page_slug, sort, n)/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The product a page at `/products/{slug}` shows, keyed on the slug only: switching variants
/// changes the query string, not the data.
pub type ProductResource = Resource<Result<ProductDetail, AppError>>;

/// Loads the product of the page's route. The app creates it with the page, together with
/// whatever it adds to the page that loads data of its own (those resources await this one):
/// on the server, Suspense builds its children more than once while it waits, so a resource
/// created inside them would be created again each time and shift the ids hydration finds
/// the server's data by.
pub fn product_resource() -> ProductResource {
    let params = use_params_map();
    Resource::new(
        move || params.read().get("slug").unwrap_or_default(),
        load_product,
    )
}

/// The product page. `buy` adds to the buy box for the selected variant (the app passes the
/// cart's form); `after` follows the product's details (the reviews); so the catalog knows
/// nothing of either. Both only build views: what they load is created with the page.
#[component]
pub fn ProductPage<B, A>(product: ProductResource, buy: B, after: A) -> impl IntoView
where
    B: Fn(Memo<Option<VariantOffer>>) -> AnyView + Copy + Send + Sync + 'static,
    A: Fn() -> AnyView + Copy + Send + Sync + 'static,
{
    view! {
        <Suspense fallback=|| view! { <div class="product product--loading" aria-busy="true"></div> }>
            {move || Suspend::new(async move {
                match product.await {
                    Ok(product) => view! { <ProductView product buy after/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn best_before_label(offer: &VariantOffer) -> String {
    match offer.best_before {
        Some(date) => format!("Best before {}", date.format("%-d %B %Y")),
        None => "Best before date shown when back in stock".to_owned(),
    }
}

#[component]
fn ProductView<B, A>(product: ProductDetail, buy: B, after: A) -> impl IntoView
where
    B: Fn(Memo<Option<VariantOffer>>) -> AnyView + Copy + Send + Sync + 'static,
    A: Fn() -> AnyView + Copy + Send + Sync + 'static,
{
    let query = use_query_map();
    let detail = StoredValue::new(product.clone());
    let selected = Memo::new(move |_| {
        let sku = query.read().get("variant");
        detail.with_value(|p| p.pick_variant(sku.as_deref()).cloned())
    });
    view! {
        <Title text=format!("{} — Olivine", product.name)/>
        <Meta name="description" content=product.summary.clone()/>
        <Breadcrumbs
            trail=vec![
                ("/".into(), "Home".into()),
                ("/shop".into(), "Shop".into()),
                (format!("/shop/{}", product.category_slug), product.category_name.clone()),
            ]
            current=product.name.clone()
        />
        <article class="product">
            <div class="product__media">
                <ProductVisual
                    image=product.images.first().cloned()
                    form=product.form
                    accent=product.accent_colour.clone()
                    line=product.product_line.clone()
                    sizes="(min-width: 64rem) 34rem, 100vw"
                    large=true
                    eager=true
                />
                {(product.images.len() > 1).then(|| view! {
                    <ul class="product__gallery" role="list">
                        {product.images.iter().skip(1).cloned().map(|image| view! {
                            <li><Picture image sizes="(min-width: 64rem) 8rem, 30vw"/></li>
                        }).collect_view()}
                    </ul>
                })}
            </div>
            <BuyBox product=product.clone() selected buy/>
        </article>
        <ProductInfo product/>
        {after()}
    }
}

/// Name, the chosen variant's price, stock and best-before date, and the variant selector.
#[component]
fn BuyBox<B>(product: ProductDetail, selected: Memo<Option<VariantOffer>>, buy: B) -> impl IntoView
where
    B: Fn(Memo<Option<VariantOffer>>) -> AnyView + Copy + Send + Sync + 'static,
{
    let variant_links = product
        .variants
        .iter()
        .map(|v| {
            let sku = v.sku.clone();
            let is_selected = move || selected.with(|s| s.as_ref().is_some_and(|s| s.sku == sku));
            view! {
                <li>
                    <a
                        class="variant"
                        class:variant--selected=is_selected.clone()
                        class:variant--soldout=!v.stock.is_available()
                        href=format!("?variant={}", v.sku)
                        data-noscroll=""
                        aria-current=move || is_selected().then_some("true")
                    >
                        <span class="variant__label">{v.label.clone()}</span>
                        <span class="variant__price">{v.price.to_string()}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    let legend = if product.variants.len() > 1 {
        "Choose a size"
    } else {
        "Size"
    };
    view! {
        <div class="product__buy">
            <p class="eyebrow">{product.product_line}</p>
            <h1 class="product__name">{product.name}</h1>
            <p class="product__summary">{product.summary}</p>
            <div class="offer" aria-live="polite">
                <p class="offer__price" data-testid="price">
                    {move || selected.get().map(|v| v.price.to_string())}
                </p>
                <p class="offer__stock" data-testid="stock">
                    {move || selected.get().map(|v| view! { <StockBadge status=v.stock/> })}
                </p>
                <p class="offer__best-before" data-testid="best-before">
                    {move || selected.get().map(|v| best_before_label(&v))}
                </p>
            </div>
            <fieldset class="variants">
                <legend>{legend}</legend>
                <ul role="list">{variant_links}</ul>
            </fieldset>
            {buy(selected)}
            <p class="product__sku">
                "SKU " <span data-testid="sku">{move || selected.get().map(|v| v.sku)}</span>
            </p>
        </div>
    }
}

/// "Milk, Soy, Gluten" from a list of labelled enum values.
fn join_labels<T: Copy>(items: &[T], label: fn(T) -> &'static str) -> String {
    items
        .iter()
        .map(|&item| label(item))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Description, directions, ingredients, allergens and the regulatory text.
#[component]
fn ProductInfo(product: ProductDetail) -> impl IntoView {
    let allergens = if product.allergens.is_empty() {
        "None of the major allergens.".to_owned()
    } else {
        join_labels(&product.allergens, |a| a.label())
    };
    let skin_types =
        (!product.skin_types.is_empty()).then(|| join_labels(&product.skin_types, |s| s.label()));
    let benefits = (!product.benefits.is_empty()).then(|| {
        let chips = product
            .benefits
            .into_iter()
            .map(|b| view! { <li class="chip chip--static">{b}</li> })
            .collect_view();
        view! { <ul class="chips" role="list" aria-label="Benefits">{chips}</ul> }
    });
    view! {
        <div class="product-info">
            <section aria-labelledby="about-heading">
                <h2 id="about-heading">"About this product"</h2>
                <p>{product.description}</p>
                {benefits}
                {skin_types.map(|types| view! { <p><strong>"Suits skin types: "</strong>{types}</p> })}
            </section>
            <section aria-labelledby="directions-heading">
                <h2 id="directions-heading">"How to use"</h2>
                <p>{product.directions}</p>
            </section>
            <IngredientsTable ingredients=product.ingredients/>
            <section aria-labelledby="allergens-heading">
                <h2 id="allergens-heading">"Allergens"</h2>
                <p data-testid="allergens">{allergens}</p>
            </section>
            <section class="disclaimer" aria-labelledby="disclaimer-heading">
                <h2 id="disclaimer-heading">"Important"</h2>
                <p>{product.disclaimer}</p>
            </section>
        </div>
    }
}

#[component]
fn IngredientsTable(ingredients: Vec<Ingredient>) -> impl IntoView {
    let has_amounts = ingredients.iter().any(|i| i.amount.is_some());
    let rows = ingredients
        .into_iter()
        .map(|i| {
            let amounts = has_amounts.then(|| {
                let amount = i.amount_label().unwrap_or_else(|| "—".into());
                let nrv = i
                    .daily_value_percent
                    .map_or_else(|| "—".into(), |p| format!("{p}%"));
                view! { <td>{amount}</td><td>{nrv}</td> }
            });
            view! { <tr><th scope="row">{i.name}</th>{amounts}</tr> }
        })
        .collect_view();
    view! {
        <section aria-labelledby="ingredients-heading">
            <h2 id="ingredients-heading">"Ingredients"</h2>
            <table class="ingredients">
                <thead>
                    <tr>
                        <th scope="col">"Ingredient"</th>
                        {has_amounts.then(|| view! { <th scope="col">"Per serving"</th><th scope="col">"% NRV"</th> })}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}
