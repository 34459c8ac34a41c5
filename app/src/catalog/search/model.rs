//! The search page's state, which lives entirely in the URL's query string, and what the
//! server answers. Shared by browser and server: the same parser reads both.

use crate::media::model::ImageView;
use serde::{Deserialize, Serialize};

pub const RESULTS_PER_PAGE: usize = 12;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SearchSort {
    #[default]
    Relevance,
    PriceLowToHigh,
    PriceHighToLow,
    Newest,
    TopRated,
}

impl SearchSort {
    pub const ALL: [SearchSort; 5] = [
        SearchSort::Relevance,
        SearchSort::PriceLowToHigh,
        SearchSort::PriceHighToLow,
        SearchSort::Newest,
        SearchSort::TopRated,
    ];

    pub fn param(self) -> &'static str {
        match self {
            SearchSort::Relevance => "relevance",
            SearchSort::PriceLowToHigh => "price-asc",
            SearchSort::PriceHighToLow => "price-desc",
            SearchSort::Newest => "newest",
            SearchSort::TopRated => "rating",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SearchSort::Relevance => "Best match",
            SearchSort::PriceLowToHigh => "Price, low to high",
            SearchSort::PriceHighToLow => "Price, high to low",
            SearchSort::Newest => "Newest",
            SearchSort::TopRated => "Top rated",
        }
    }

    fn from_param(value: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.param() == value)
            .unwrap_or_default()
    }
}

/// The facet groups, by their query-string key.
pub const CATEGORY: &str = "category";
pub const BENEFIT: &str = "benefit";
pub const SKIN: &str = "skin";
pub const FREE_FROM: &str = "free";
pub const PRICE: &str = "price";
/// "At least n stars"; more than one chosen means the lowest.
pub const RATING: &str = "rating";

/// Everything the search page shows, as the URL says it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchState {
    pub q: String,
    /// (facet key, value), in the order chosen.
    pub filters: Vec<(String, String)>,
    pub in_stock: bool,
    pub sort: SearchSort,
    pub page: usize,
}

const FACET_KEYS: [&str; 6] = [CATEGORY, BENEFIT, SKIN, FREE_FROM, PRICE, RATING];

impl SearchState {
    /// From decoded (key, value) pairs; unknown keys are ignored, duplicates dropped.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut state = SearchState {
            page: 1,
            ..SearchState::default()
        };
        for (key, value) in pairs {
            let value = value.trim();
            match key {
                "q" => state.q = value.chars().take(200).collect(),
                "stock" => state.in_stock = value == "in",
                "sort" => state.sort = SearchSort::from_param(value),
                "page" => state.page = value.parse().unwrap_or(1).clamp(1, 1000),
                key if FACET_KEYS.contains(&key) && !value.is_empty() => {
                    let pair = (key.to_owned(), value.to_owned());
                    if !state.filters.contains(&pair) {
                        state.filters.push(pair);
                    }
                }
                _ => {}
            }
        }
        state
    }

    /// From a raw query string (`a=b&c=d`, percent-encoded).
    pub fn from_query(query: &str) -> Self {
        let decoded: Vec<(String, String)> = query
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (crate::ui::percent_decode(k), crate::ui::percent_decode(v))
            })
            .collect();
        Self::from_pairs(decoded.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    pub fn values(&self, key: &str) -> Vec<String> {
        self.filters
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn has(&self, key: &str, value: &str) -> bool {
        self.filters.iter().any(|(k, v)| k == key && v == value)
    }

    /// The canonical query string (no leading `?`); page 1 and defaults are left out.
    pub fn to_query(&self) -> String {
        let mut parts = Vec::new();
        if !self.q.is_empty() {
            parts.push(format!("q={}", crate::ui::urlencode(&self.q)));
        }
        for (k, v) in &self.filters {
            parts.push(format!("{k}={}", crate::ui::urlencode(v)));
        }
        if self.in_stock {
            parts.push("stock=in".to_owned());
        }
        if self.sort != SearchSort::Relevance {
            parts.push(format!("sort={}", self.sort.param()));
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        parts.join("&")
    }

    pub fn href(&self) -> String {
        format!("/search?{}", self.to_query())
    }

    /// The same search with this facet value switched on or off (back to page 1).
    pub fn toggled(&self, key: &str, value: &str) -> Self {
        let mut next = self.clone();
        next.page = 1;
        if self.has(key, value) {
            next.filters.retain(|(k, v)| !(k == key && v == value));
        } else {
            next.filters.push((key.to_owned(), value.to_owned()));
        }
        next
    }

    pub fn with_in_stock(&self, in_stock: bool) -> Self {
        SearchState {
            in_stock,
            page: 1,
            ..self.clone()
        }
    }

    pub fn with_sort(&self, sort: SearchSort) -> Self {
        SearchState {
            sort,
            page: 1,
            ..self.clone()
        }
    }

    pub fn with_page(&self, page: usize) -> Self {
        SearchState {
            page,
            ..self.clone()
        }
    }

    pub fn without_filters(&self) -> Self {
        SearchState {
            q: self.q.clone(),
            sort: self.sort,
            page: 1,
            ..SearchState::default()
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub slug: String,
    pub name: String,
    pub brand_line: String,
    pub snippet_html: String,
    /// "€12.90" or "from €12.90".
    pub price: String,
    pub in_stock: bool,
    /// The published reviews' average × 10; 0 when unrated.
    pub rating_tenths: u64,
    pub image: Option<ImageView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetValue {
    pub value: String,
    pub label: String,
    pub count: u64,
    pub active: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetGroup {
    pub key: String,
    pub title: String,
    pub values: Vec<FacetValue>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchPage {
    pub total: u64,
    pub total_pages: usize,
    pub hits: Vec<SearchHit>,
    pub groups: Vec<FacetGroup>,
    pub in_stock_count: u64,
    pub did_you_mean: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductSuggestion {
    pub slug: String,
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_string_round_trips() {
        let state = SearchState::from_query(
            "q=vit%20c+gummies&category=vitamins&free=milk&free=milk&price=10-20&stock=in&sort=price-asc&page=3&junk=1",
        );
        assert_eq!(state.q, "vit c gummies");
        assert_eq!(state.values(FREE_FROM), ["milk"]);
        assert!(state.in_stock);
        assert_eq!(state.sort, SearchSort::PriceLowToHigh);
        assert_eq!(state.page, 3);
        assert_eq!(SearchState::from_query(&state.to_query()), state);
    }

    #[test]
    fn toggling_a_facet_adds_or_removes_it_and_resets_the_page() {
        let state = SearchState::from_query("q=zinc&page=2");
        let on = state.toggled(BENEFIT, "Immunity");
        assert_eq!(on.to_query(), "q=zinc&benefit=Immunity");
        assert_eq!(on.toggled(BENEFIT, "Immunity").to_query(), "q=zinc");
    }

    #[test]
    fn broken_percent_signs_survive() {
        assert_eq!(crate::ui::percent_decode("100%"), "100%");
        assert_eq!(crate::ui::percent_decode("a%2"), "a%2");
        assert_eq!(crate::ui::percent_decode("%C3%A9"), "é");
    }
}
