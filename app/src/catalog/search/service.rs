//! The search page's use cases: translate the URL's state into an engine request, run it off
//! the async threads, and label what comes back for people.

use super::model::{
    BENEFIT, CATEGORY, FREE_FROM, FacetGroup, FacetValue, PRICE, ProductSuggestion, RATING,
    RESULTS_PER_PAGE, SKIN, SearchHit, SearchPage, SearchSort, SearchState,
};
use crate::catalog::model::Allergen;
use crate::catalog::model::SkinType;
use crate::catalog::repo;
use crate::ids::ProductId;
use crate::media::repo as media_repo;
use crate::money::Money;
use search::{FacetCount, PriceBucket, SearchIndex, SearchRequest, SearchResults, SortOrder};
use sqlx::PgPool;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum SearchPageError {
    #[error("search engine: {0}")]
    Engine(#[from] search::SearchError),
    #[error("search task: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

pub fn engine_request(state: &SearchState) -> SearchRequest {
    SearchRequest {
        text: state.q.clone(),
        categories: state.values(CATEGORY),
        benefits: state.values(BENEFIT),
        skin_types: state.values(SKIN),
        free_from: state.values(FREE_FROM),
        prices: state
            .values(PRICE)
            .iter()
            .filter_map(|slug| PriceBucket::from_slug(slug))
            .collect(),
        in_stock_only: state.in_stock,
        min_rating: state
            .values(RATING)
            .iter()
            .filter_map(|v| v.parse::<u8>().ok())
            .filter(|stars| search::MIN_RATINGS.contains(stars))
            .min(),
        sort: match state.sort {
            SearchSort::Relevance => SortOrder::Relevance,
            SearchSort::PriceLowToHigh => SortOrder::PriceLowHigh,
            SearchSort::PriceHighToLow => SortOrder::PriceHighLow,
            SearchSort::Newest => SortOrder::Newest,
            SearchSort::TopRated => SortOrder::Rating,
        },
        page: state.page,
        per_page: RESULTS_PER_PAGE,
    }
}

fn price(min: u64, max: u64) -> String {
    let euros = |cents: u64| {
        Money::from_parts(i64::try_from(cents).unwrap_or(i64::MAX), "EUR")
            .map(|m| m.to_string())
            .unwrap_or_default()
    };
    if min == max {
        euros(min)
    } else {
        format!("from {}", euros(min))
    }
}

/// A facet group, its values labelled; selected values stay listed even at zero.
fn group(
    state: &SearchState,
    key: &str,
    title: &str,
    counts: &[FacetCount],
    label: impl Fn(&str) -> String,
) -> FacetGroup {
    let mut values: Vec<FacetValue> = counts
        .iter()
        .map(|c| FacetValue {
            label: label(&c.value),
            active: state.has(key, &c.value),
            value: c.value.clone(),
            count: c.count,
        })
        .collect();
    for chosen in state.values(key) {
        if !values.iter().any(|v| v.value == chosen) {
            values.push(FacetValue {
                label: label(&chosen),
                value: chosen,
                count: 0,
                active: true,
            });
        }
    }
    FacetGroup {
        key: key.to_owned(),
        title: title.to_owned(),
        values,
    }
}

pub async fn search_page(
    db: &PgPool,
    index: &Arc<SearchIndex>,
    state: &SearchState,
) -> Result<SearchPage, SearchPageError> {
    let request = engine_request(state);
    let engine = index.clone();
    let results: SearchResults =
        tokio::task::spawn_blocking(move || engine.search(&request)).await??;
    let mut conn = db.acquire().await?;
    let categories = repo::category_names(&mut conn).await?;
    let category_name = |slug: &str| {
        categories
            .iter()
            .find(|(s, _)| s == slug)
            .map_or_else(|| slug.to_owned(), |(_, name)| name.clone())
    };
    let skin_label = |value: &str| {
        SkinType::ALL
            .iter()
            .find(|s| s.db_name() == value)
            .map_or_else(|| value.to_owned(), |s| s.label().to_owned())
    };
    let allergen_label = |value: &str| {
        Allergen::ALL
            .iter()
            .find(|a| a.db_name() == value)
            .map_or_else(|| value.to_owned(), |a| a.label().to_owned())
    };
    let f = &results.facets;
    let prices: Vec<FacetCount> = f
        .prices
        .iter()
        .filter(|(_, count)| *count > 0)
        .map(|(bucket, count)| FacetCount {
            value: bucket.slug().to_owned(),
            count: *count,
        })
        .collect();
    let price_label = |slug: &str| match PriceBucket::from_slug(slug) {
        Some(bucket) => bucket.label().to_owned(),
        None => slug.to_owned(),
    };
    let ratings: Vec<FacetCount> = f
        .ratings
        .iter()
        .filter(|(_, count)| *count > 0)
        .map(|(stars, count)| FacetCount {
            value: stars.to_string(),
            count: *count,
        })
        .collect();
    let rating_label = |value: &str| format!("{value} stars and up");
    let ids: Vec<Option<ProductId>> = results
        .hits
        .iter()
        .map(|h| h.id.parse().ok().map(ProductId))
        .collect();
    let known: Vec<ProductId> = ids.iter().flatten().copied().collect();
    let mut images = media_repo::first_images(&mut conn, &known).await?;
    let total = results.total as u64;
    Ok(SearchPage {
        total,
        total_pages: results.total.div_ceil(RESULTS_PER_PAGE).max(1),
        hits: results
            .hits
            .into_iter()
            .zip(ids)
            .map(|(h, id)| SearchHit {
                image: id.and_then(|id| images.remove(&id)),
                price: price(h.price_min_cents, h.price_max_cents),
                slug: h.slug,
                name: h.name,
                brand_line: h.brand_line,
                snippet_html: h.snippet_html,
                in_stock: h.in_stock,
                rating_tenths: h.rating_tenths,
            })
            .collect(),
        groups: vec![
            group(state, CATEGORY, "Category", &f.categories, category_name),
            group(state, BENEFIT, "Benefit", &f.benefits, str::to_owned),
            group(state, SKIN, "Skin type", &f.skin_types, skin_label),
            group(state, FREE_FROM, "Free from", &f.free_from, allergen_label),
            group(state, PRICE, "Price", &prices, price_label),
            group(state, RATING, "Rating", &ratings, rating_label),
        ],
        in_stock_count: f.in_stock,
        did_you_mean: results.did_you_mean,
    })
}

pub async fn suggestions(
    index: &Arc<SearchIndex>,
    prefix: String,
) -> Result<Vec<ProductSuggestion>, SearchPageError> {
    let engine = index.clone();
    let found = tokio::task::spawn_blocking(move || engine.suggest(&prefix, 6)).await??;
    Ok(found
        .into_iter()
        .map(|s| ProductSuggestion {
            slug: s.slug,
            name: s.name,
        })
        .collect())
}

impl From<SearchPageError> for crate::error::AppError {
    fn from(error: SearchPageError) -> Self {
        crate::error::AppError::internal(&error)
    }
}
