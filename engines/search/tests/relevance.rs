//! Relevance, filters, facets, sorts and suggestions over a small hand-made catalog.

use search::{PriceBucket, ProductDoc, SearchIndex, SearchRequest, SortOrder};

#[allow(clippy::too_many_arguments)]
fn product(
    slug: &str,
    name: &str,
    category: &str,
    benefits: &[&str],
    allergens: &[&str],
    skin: &[&str],
    prices: (u64, u64),
    in_stock: bool,
    rating_tenths: u64,
    created_unix: u64,
) -> ProductDoc {
    let strings = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    ProductDoc {
        id: format!("id-{slug}"),
        slug: slug.to_owned(),
        name: name.to_owned(),
        brand_line: "Tidewater Labs".to_owned(),
        description: format!("{name}: a carefully made product for everyday wellbeing."),
        ingredients: vec![name.to_owned()],
        benefits: strings(benefits),
        category_slug: category.to_owned(),
        category_names: vec![category.replace('-', " ")],
        skin_types: strings(skin),
        allergens: strings(allergens),
        price_min_cents: prices.0,
        price_max_cents: prices.1,
        in_stock,
        rating_tenths,
        created_unix,
    }
}

fn catalog() -> Vec<ProductDoc> {
    vec![
        product(
            "vitamin-c",
            "Vitamin C",
            "vitamins",
            &["Immunity"],
            &[],
            &[],
            (990, 990),
            true,
            46,
            100,
        ),
        product(
            "vitamin-c-1000",
            "Vitamin C 1000 Time Release",
            "vitamins",
            &["Immunity", "Energy"],
            &["soy"],
            &[],
            (1490, 2690),
            true,
            35,
            200,
        ),
        product(
            "vitamin-c-serum",
            "Brightening Vitamin C Serum",
            "face-serums",
            &["Radiance"],
            &[],
            &["dry", "normal"],
            (2900, 2900),
            true,
            48,
            300,
        ),
        product(
            "magnesium-glycinate",
            "Magnesium Glycinate",
            "minerals",
            &["Sleep", "Relaxation"],
            &[],
            &[],
            (1890, 3290),
            true,
            47,
            400,
        ),
        product(
            "ashwagandha",
            "Ashwagandha KSM-66",
            "herbal",
            &["Stress"],
            &[],
            &[],
            (1990, 1990),
            false,
            45,
            500,
        ),
        product(
            "whey-vanilla",
            "Grass-Fed Whey Vanilla",
            "protein",
            &["Recovery"],
            &["milk"],
            &[],
            (3490, 5990),
            true,
            43,
            600,
        ),
        product(
            "fish-oil",
            "Omega-3 Fish Oil",
            "omega",
            &["Heart"],
            &["fish"],
            &[],
            (1590, 1590),
            true,
            42,
            700,
        ),
        product(
            "mineral-sunscreen",
            "Mineral Sunscreen",
            "face-serums",
            &["Protection"],
            &[],
            &["sensitive", "normal"],
            (2290, 2290),
            true,
            28,
            800,
        ),
        product(
            "collagen",
            "Collagen Peptides",
            "protein",
            &["Skin", "Joints"],
            &["fish"],
            &[],
            (2790, 4490),
            true,
            49,
            900,
        ),
        product(
            "zinc",
            "Zinc Picolinate",
            "minerals",
            &["Immunity"],
            &["soy", "milk"],
            &[],
            (790, 790),
            true,
            40,
            1000,
        ),
    ]
}

fn index() -> SearchIndex {
    let index = SearchIndex::in_memory().expect("index");
    index.rebuild(catalog(), |_| {}).expect("rebuild");
    index
}

fn request(text: &str) -> SearchRequest {
    SearchRequest {
        text: text.to_owned(),
        page: 1,
        per_page: 20,
        ..SearchRequest::default()
    }
}

fn slugs(index: &SearchIndex, request: &SearchRequest) -> Vec<String> {
    index
        .search(request)
        .expect("search")
        .hits
        .into_iter()
        .map(|h| h.slug)
        .collect()
}

#[test]
fn a_typo_still_finds_the_product() {
    let index = index();
    assert_eq!(
        slugs(&index, &request("magnesum glycinate")),
        ["magnesium-glycinate"]
    );
    assert_eq!(slugs(&index, &request("ashwaganda")), ["ashwagandha"]);
    assert_eq!(slugs(&index, &request("colagen")), ["collagen"]);
}

#[test]
fn stemming_matches_word_forms() {
    let index = index();
    assert!(slugs(&index, &request("peptide")).contains(&"collagen".to_owned()));
    assert!(slugs(&index, &request("brighten")).contains(&"vitamin-c-serum".to_owned()));
}

#[test]
fn synonyms_are_searched_too() {
    let index = index();
    let found = slugs(&index, &request("vit c"));
    assert!(found.contains(&"vitamin-c".to_owned()), "{found:?}");
    assert_eq!(slugs(&index, &request("spf")), ["mineral-sunscreen"]);
    assert!(slugs(&index, &request("fish oil")).contains(&"fish-oil".to_owned()));
}

#[test]
fn an_exact_name_match_ranks_first() {
    let index = index();
    assert_eq!(slugs(&index, &request("vitamin c"))[0], "vitamin-c");
    assert_eq!(
        slugs(&index, &request("Vitamin C Serum"))[0],
        "vitamin-c-serum"
    );
    assert_eq!(slugs(&index, &request("zinc picolinate"))[0], "zinc");
}

#[test]
fn free_from_excludes_every_product_containing_the_allergen() {
    let index = index();
    let mut r = request("");
    r.free_from = vec!["milk".into(), "fish".into()];
    let found = slugs(&index, &r);
    for doc in catalog() {
        let contains = doc.allergens.iter().any(|a| a == "milk" || a == "fish");
        assert_eq!(!found.contains(&doc.slug), contains, "{}", doc.slug);
    }
}

#[test]
fn facet_counts_equal_a_direct_count_and_follow_the_other_filters() {
    let index = index();
    let docs = catalog();
    let mut r = request("");
    r.categories = vec!["minerals".into()];
    r.in_stock_only = true;
    let results = index.search(&r).expect("search");
    let direct = |f: &dyn Fn(&ProductDoc) -> bool| docs.iter().filter(|d| f(d)).count() as u64;
    assert_eq!(
        results.total as u64,
        direct(&|d| d.category_slug == "minerals" && d.in_stock)
    );

    assert!(
        results.facets.categories.len() > 1,
        "other categories are offered too"
    );
    assert!(!results.facets.benefits.is_empty() && !results.facets.free_from.is_empty());
    // Category counts ignore the category selection but keep "in stock".
    for c in &results.facets.categories {
        assert_eq!(
            c.count,
            direct(&|d| d.category_slug == c.value && d.in_stock),
            "{}",
            c.value
        );
    }
    // Benefit counts keep both filters.
    for b in &results.facets.benefits {
        let want = direct(&|d| {
            d.category_slug == "minerals" && d.in_stock && d.benefits.contains(&b.value)
        });
        assert_eq!(b.count, want, "{}", b.value);
    }
    // Free-from counts: what would remain with that allergen also excluded.
    for f in &results.facets.free_from {
        let want = direct(&|d| {
            d.category_slug == "minerals" && d.in_stock && !d.allergens.contains(&f.value)
        });
        assert_eq!(f.count, want, "{}", f.value);
    }
    // The in-stock count ignores the in-stock filter.
    assert_eq!(
        results.facets.in_stock,
        direct(&|d| d.category_slug == "minerals" && d.in_stock)
    );
    let prices: u64 = results.facets.prices.iter().map(|(_, n)| n).sum();
    assert!(prices >= results.total as u64);
}

#[test]
fn an_excluded_allergen_stays_listed_with_what_remains() {
    let index = index();
    let mut r = request("");
    r.free_from = vec!["fish".into()];
    let results = index.search(&r).unwrap();
    let fish = results.facets.free_from.iter().find(|f| f.value == "fish");
    assert_eq!(fish.map(|f| f.count), Some(results.total as u64));
}

#[test]
fn price_buckets_filter_by_range() {
    let index = index();
    let mut r = request("");
    r.prices = vec![PriceBucket::Under10];
    let mut found = slugs(&index, &r);
    found.sort();
    assert_eq!(found, ["vitamin-c", "zinc"]);
}

#[test]
fn a_minimum_rating_keeps_what_is_rated_that_high_and_counts_each_threshold() {
    let index = index();
    let docs = catalog();
    let rated = |stars: u64, d: &ProductDoc| d.rating_tenths >= stars * 10;
    let mut r = request("");
    r.in_stock_only = true;
    let results = index.search(&r).expect("search");
    for (stars, count) in &results.facets.ratings {
        let want = docs
            .iter()
            .filter(|d| d.in_stock && rated(u64::from(*stars), d))
            .count() as u64;
        assert_eq!(*count, want, "{stars} stars and up");
    }
    assert_eq!(
        results
            .facets
            .ratings
            .iter()
            .map(|(s, _)| *s)
            .collect::<Vec<_>>(),
        [4, 3, 2, 1]
    );

    r.min_rating = Some(4);
    let found = index.search(&r).expect("search");
    let mut want: Vec<&str> = docs
        .iter()
        .filter(|d| d.in_stock && rated(4, d))
        .map(|d| d.slug.as_str())
        .collect();
    want.sort_unstable();
    let mut got: Vec<String> = found.hits.iter().map(|h| h.slug.clone()).collect();
    got.sort_unstable();
    assert_eq!(got, want);
    assert!(found.total < results.total, "some products rate under 4");
    // Its own counts ignore the selection; the others follow it.
    assert_eq!(found.facets.ratings, results.facets.ratings);
    assert_eq!(found.facets.in_stock, found.total as u64);
}

#[test]
fn sorts_and_pages() {
    let index = index();
    let mut r = request("");
    r.sort = SortOrder::PriceLowHigh;
    let prices: Vec<u64> = index
        .search(&r)
        .unwrap()
        .hits
        .iter()
        .map(|h| h.price_min_cents)
        .collect();
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "{prices:?}");
    r.sort = SortOrder::Newest;
    assert_eq!(slugs(&index, &r)[0], "zinc");
    r.sort = SortOrder::Rating;
    assert_eq!(slugs(&index, &r)[0], "collagen");

    r.per_page = 4;
    let first = slugs(&index, &r);
    r.page = 2;
    let second = slugs(&index, &r);
    assert_eq!((first.len(), second.len()), (4, 4));
    assert!(first.iter().all(|s| !second.contains(s)));
}

#[test]
fn snippets_highlight_the_words() {
    let index = index();
    let results = index.search(&request("magnesium")).unwrap();
    assert!(
        results.hits[0].snippet_html.contains("<b>Magnesium</b>"),
        "{}",
        results.hits[0].snippet_html
    );
}

#[test]
fn no_results_suggest_a_spelling() {
    let index = index();
    let results = index.search(&request("vitmn")).unwrap();
    assert_eq!(results.total, 0);
    assert_eq!(results.did_you_mean.as_deref(), Some("vitamin"));
    assert_eq!(index.search(&request("qqqqqq")).unwrap().did_you_mean, None);
}

#[test]
fn suggestions_complete_the_word_being_typed() {
    let index = index();
    let names: Vec<String> = index
        .suggest("ashwa", 5)
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["Ashwagandha KSM-66"]);
    let names: Vec<String> = index
        .suggest("vitamin c se", 5)
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["Brightening Vitamin C Serum"]);
    assert!(index.suggest("", 5).unwrap().is_empty());
    // A pasted wall of words is cut to its first eight before any fuzzy query is built.
    let flood = format!("ashwa {}", "zzzzzzzz ".repeat(200_000));
    assert!(index.suggest(&flood, 5).unwrap().is_empty());
    let eight = format!("vitamin c {}", "serum ".repeat(6));
    let flood = format!("{eight}{}", "qqqqqqqqqq ".repeat(10_000));
    assert_eq!(
        index.suggest(&flood, 5).unwrap(),
        index.suggest(&eight, 5).unwrap()
    );
    assert_eq!(
        slugs(&index, &request(&flood)),
        slugs(&index, &request(&eight))
    );
}

#[test]
fn upserts_and_removals_are_searchable_at_once() {
    let index = index();
    let mut zinc = catalog().into_iter().find(|d| d.slug == "zinc").unwrap();
    zinc.price_min_cents = 99_900;
    zinc.price_max_cents = 99_900;
    index.upsert(&[zinc]).unwrap();
    let mut r = request("");
    r.sort = SortOrder::PriceHighLow;
    assert_eq!(slugs(&index, &r)[0], "zinc");
    assert_eq!(index.num_docs(), 10);
    index.remove(&["id-zinc".to_owned()]).unwrap();
    assert!(!slugs(&index, &r).contains(&"zinc".to_owned()));
}

#[test]
fn an_index_on_disk_reopens_with_its_documents() {
    let dir = std::env::temp_dir().join(format!("olivine-search-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    {
        let (index, created) = SearchIndex::open_or_create(&dir).unwrap();
        assert!(created);
        index.rebuild(catalog(), |_| {}).unwrap();
    }
    let (index, created) = SearchIndex::open_or_create(&dir).unwrap();
    assert!(!created);
    assert_eq!(index.num_docs(), 10);
    let _ = std::fs::remove_dir_all(&dir);
}
