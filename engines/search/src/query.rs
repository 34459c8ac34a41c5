//! Building and running queries: text (stemmed, fuzzy, synonyms), filters, facet counts that
//! follow the other filters, sorts, snippets, suggestions and "did you mean".

use super::fields::{ALLERGEN, BENEFIT, CATEGORY, MIN_RATINGS, PRICE, RATING, SKIN, STOCK, facet};
use super::{
    FacetCount, Facets, Hit, PriceBucket, Result, SearchIndex, SearchRequest, SearchResults,
    SortOrder, Suggestion,
};
use tantivy::collector::{Collector, Count, FacetCollector, FacetCounts, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};

type Boxed = Box<dyn Query>;

const MAX_PER_PAGE: usize = 100;
const SNIPPET_CHARS: usize = 160;

/// Field weights: a word in the name counts most.
fn weighted_fields(index: &SearchIndex) -> [(Field, f32); 6] {
    let f = &index.fields;
    [
        (f.name, 5.0),
        (f.brand, 2.0),
        (f.category_text, 2.0),
        (f.benefits, 2.0),
        (f.ingredients, 1.5),
        (f.description, 1.0),
    ]
}

/// Typo budget by word length: none under 4 letters, one edit, two from 8 letters.
fn typo_distance(word: &str) -> u8 {
    match word.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// The most of a query the engine reads: every word becomes fuzzy automata, so unbounded input
/// would be unbounded work. Longer input is cut, not refused.
pub const MAX_QUERY_CHARS: usize = 100;
pub const MAX_QUERY_WORDS: usize = 8;

/// `text` cut to its first [`MAX_QUERY_CHARS`] characters, then to its first
/// [`MAX_QUERY_WORDS`] words (runs of letters and digits, as [`words`] reads them).
pub fn bounded_query(text: &str) -> &str {
    let mut end = text.len();
    let mut words = 0;
    let mut in_word = false;
    for (count, (at, c)) in text.char_indices().enumerate() {
        if count == MAX_QUERY_CHARS {
            end = at;
            break;
        }
        let starts_word = c.is_alphanumeric() && !in_word;
        in_word = c.is_alphanumeric();
        if starts_word {
            words += 1;
            if words > MAX_QUERY_WORDS {
                end = at;
                break;
            }
        }
    }
    &text[..end]
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The stemmed index terms of one word, through the field's own analyzer.
fn stems(index: &SearchIndex, field: Field, word: &str) -> Vec<String> {
    let Ok(mut analyzer) = index.index.tokenizer_for_field(field) else {
        return vec![word.to_owned()];
    };
    let mut stream = analyzer.token_stream(word);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

fn boosted(query: impl Query + 'static, boost: f32) -> Boxed {
    Box::new(BoostQuery::new(Box::new(query), boost))
}

/// One alternative wording of the query: every word must match somewhere; exact words score
/// above typo matches; the words in order in the name score highest.
fn wording_query(index: &SearchIndex, text: &str) -> Option<Boxed> {
    let words = words(text);
    if words.is_empty() {
        return None;
    }
    let mut must = Vec::new();
    for word in &words {
        let distance = typo_distance(word);
        let mut either: Vec<(Occur, Boxed)> = Vec::new();
        for (field, weight) in weighted_fields(index) {
            for stem in stems(index, field, word) {
                let term = Term::from_field_text(field, &stem);
                either.push((
                    Occur::Should,
                    boosted(
                        TermQuery::new(term.clone(), IndexRecordOption::WithFreqs),
                        weight,
                    ),
                ));
                if distance > 0 {
                    either.push((
                        Occur::Should,
                        boosted(FuzzyTermQuery::new(term, distance, true), weight * 0.2),
                    ));
                }
            }
        }
        must.push((Occur::Must, Box::new(BooleanQuery::new(either)) as Boxed));
    }
    let name = index.fields.name;
    let name_terms: Vec<Term> = words
        .iter()
        .flat_map(|w| stems(index, name, w))
        .map(|s| Term::from_field_text(name, &s))
        .collect();
    if name_terms.len() > 1 {
        must.push((Occur::Should, boosted(PhraseQuery::new(name_terms), 10.0)));
    }
    Some(Box::new(BooleanQuery::new(must)))
}

/// The free-text part: the words as typed, or any synonym rewrite of them.
fn text_query(index: &SearchIndex, text: &str) -> Option<Boxed> {
    let alternatives: Vec<(Occur, Boxed)> = index
        .synonyms
        .expand(text)
        .iter()
        .filter_map(|wording| wording_query(index, wording))
        .map(|q| (Occur::Should, q))
        .collect();
    match alternatives.len() {
        0 => None,
        1 => alternatives.into_iter().next().map(|(_, q)| q),
        _ => Some(Box::new(BooleanQuery::new(alternatives))),
    }
}

fn facet_term(index: &SearchIndex, root: &str, value: &str) -> Boxed {
    Box::new(TermQuery::new(
        Term::from_facet(index.fields.facets, &facet(root, value)),
        IndexRecordOption::Basic,
    ))
}

/// Any of `values` under `root`.
fn any_of(index: &SearchIndex, root: &str, values: &[String]) -> Option<Boxed> {
    (!values.is_empty()).then(|| {
        Box::new(BooleanQuery::new(
            values
                .iter()
                .map(|v| (Occur::Should, facet_term(index, root, v)))
                .collect(),
        )) as Boxed
    })
}

/// The filter dimensions whose counts must ignore their own selection.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dimension {
    Category,
    Benefit,
    Skin,
    Price,
    Stock,
    Rating,
}

/// The whole query, optionally leaving one dimension's filter out (for its facet counts).
fn build(index: &SearchIndex, request: &SearchRequest, without: Option<Dimension>) -> Boxed {
    let mut clauses: Vec<(Occur, Boxed)> = vec![(
        Occur::Must,
        text_query(index, &request.text).unwrap_or_else(|| Box::new(AllQuery)),
    )];
    let prices: Vec<String> = request.prices.iter().map(|b| b.slug().to_owned()).collect();
    let stock = if request.in_stock_only {
        vec!["in".to_owned()]
    } else {
        Vec::new()
    };
    let rating: Vec<String> = request.min_rating.iter().map(u8::to_string).collect();
    for (dimension, root, values) in [
        (Dimension::Category, CATEGORY, &request.categories),
        (Dimension::Benefit, BENEFIT, &request.benefits),
        (Dimension::Skin, SKIN, &request.skin_types),
        (Dimension::Price, PRICE, &prices),
        (Dimension::Stock, STOCK, &stock),
        (Dimension::Rating, RATING, &rating),
    ] {
        if without == Some(dimension) {
            continue;
        }
        if let Some(filter) = any_of(index, root, values) {
            clauses.push((Occur::Must, filter));
        }
    }
    for allergen in &request.free_from {
        clauses.push((Occur::MustNot, facet_term(index, ALLERGEN, allergen)));
    }
    Box::new(BooleanQuery::new(clauses))
}

fn facet_collector(roots: &[&str]) -> FacetCollector {
    let mut collector = FacetCollector::for_field("facets");
    for root in roots {
        collector.add_facet(format!("/{root}").as_str());
    }
    collector
}

fn counts(facets: &FacetCounts, root: &str) -> Vec<FacetCount> {
    let mut out: Vec<FacetCount> = facets
        .get(format!("/{root}").as_str())
        .map(|(facet, count)| FacetCount {
            value: facet
                .to_path()
                .last()
                .map(|s| (*s).to_owned())
                .unwrap_or_default(),
            count,
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    out
}

/// A dimension's own recount, or the main pass's counts when it had no selection.
fn or_all<'a>(counts: &'a Option<FacetCounts>, all: &'a FacetCounts) -> &'a FacetCounts {
    counts.as_ref().unwrap_or(all)
}

fn count_of(facets: &FacetCounts, root: &str, value: &str) -> u64 {
    counts(facets, root)
        .into_iter()
        .find(|c| c.value == value)
        .map_or(0, |c| c.count)
}

/// Top documents, total and facet counts in one pass over the matches.
fn collect<C, K>(
    searcher: &Searcher,
    query: &dyn Query,
    top: C,
    facets: FacetCollector,
) -> Result<(Vec<DocAddress>, usize, FacetCounts)>
where
    C: Collector<Fruit = Vec<(K, DocAddress)>>,
{
    let (top, total, facets) = searcher.search(query, &(top, Count, facets))?;
    Ok((top.into_iter().map(|(_, a)| a).collect(), total, facets))
}

pub fn search(index: &SearchIndex, request: &SearchRequest) -> Result<SearchResults> {
    let request = &SearchRequest {
        text: bounded_query(&request.text).to_owned(),
        ..request.clone()
    };
    let searcher = index.reader.searcher();
    let per_page = request.per_page.clamp(1, MAX_PER_PAGE);
    let offset = request
        .page
        .max(1)
        .saturating_sub(1)
        .saturating_mul(per_page);
    let query = build(index, request, None);
    let roots = [CATEGORY, BENEFIT, SKIN, ALLERGEN, PRICE, STOCK, RATING];
    let top = TopDocs::with_limit(per_page).and_offset(offset);
    let has_text = !words(&request.text).is_empty();
    // Without words there is no relevance: browse by rating.
    let sort = if request.sort == SortOrder::Relevance && !has_text {
        SortOrder::Rating
    } else {
        request.sort
    };
    let (addresses, total, all) = match sort {
        SortOrder::Relevance => collect(
            &searcher,
            &*query,
            top.order_by_score(),
            facet_collector(&roots),
        )?,
        SortOrder::PriceLowHigh => collect(
            &searcher,
            &*query,
            top.order_by_u64_field("price_min", Order::Asc),
            facet_collector(&roots),
        )?,
        SortOrder::PriceHighLow => collect(
            &searcher,
            &*query,
            top.order_by_u64_field("price_min", Order::Desc),
            facet_collector(&roots),
        )?,
        SortOrder::Newest => collect(
            &searcher,
            &*query,
            top.order_by_u64_field("created", Order::Desc),
            facet_collector(&roots),
        )?,
        SortOrder::Rating => collect(
            &searcher,
            &*query,
            top.order_by_u64_field("rating", Order::Desc),
            facet_collector(&roots),
        )?,
    };

    // A dimension with a selection counts its values as if it had none (the others still
    // apply): one more pass for each such dimension; the rest read the main pass.
    let recount = |dimension: Dimension, active: bool, root: &str| -> Result<Option<FacetCounts>> {
        if !active {
            return Ok(None);
        }
        let query = build(index, request, Some(dimension));
        Ok(Some(searcher.search(&*query, &facet_collector(&[root]))?))
    };
    let category_counts = recount(
        Dimension::Category,
        !request.categories.is_empty(),
        CATEGORY,
    )?;
    let benefit_counts = recount(Dimension::Benefit, !request.benefits.is_empty(), BENEFIT)?;
    let skin_counts = recount(Dimension::Skin, !request.skin_types.is_empty(), SKIN)?;
    let price_counts = recount(Dimension::Price, !request.prices.is_empty(), PRICE)?;
    let stock_counts = recount(Dimension::Stock, request.in_stock_only, STOCK)?;
    let rating_counts = recount(Dimension::Rating, request.min_rating.is_some(), RATING)?;

    let facets = Facets {
        categories: counts(or_all(&category_counts, &all), CATEGORY),
        benefits: counts(or_all(&benefit_counts, &all), BENEFIT),
        skin_types: counts(or_all(&skin_counts, &all), SKIN),
        // Excluding one more allergen keeps what does not contain it.
        free_from: free_from_counts(&all, request, total as u64),
        prices: PriceBucket::ALL
            .into_iter()
            .map(|b| (b, count_of(or_all(&price_counts, &all), PRICE, b.slug())))
            .collect(),
        in_stock: count_of(or_all(&stock_counts, &all), STOCK, "in"),
        ratings: MIN_RATINGS
            .into_iter()
            .map(|stars| {
                let count = count_of(or_all(&rating_counts, &all), RATING, &stars.to_string());
                (stars, count)
            })
            .collect(),
    };

    let snippets = if has_text {
        let mut generator = SnippetGenerator::create(&searcher, &*query, index.fields.description)?;
        generator.set_max_num_chars(SNIPPET_CHARS);
        Some(generator)
    } else {
        None
    };
    let mut hits = Vec::with_capacity(addresses.len());
    for address in addresses {
        let doc: TantivyDocument = searcher.doc(address)?;
        let f = &index.fields;
        let snippet_html = match &snippets {
            Some(generator) => {
                let html = generator.snippet_from_doc(&doc).to_html();
                if html.is_empty() {
                    leading_text(&index.stored(&doc, f.description))
                } else {
                    html
                }
            }
            None => leading_text(&index.stored(&doc, f.description)),
        };
        hits.push(Hit {
            id: index.stored(&doc, f.id),
            slug: index.stored(&doc, f.slug),
            name: index.stored(&doc, f.name),
            brand_line: index.stored(&doc, f.brand),
            snippet_html,
            price_min_cents: index.stored_u64(&doc, f.price_min),
            price_max_cents: index.stored_u64(&doc, f.price_max),
            in_stock: index.stored_u64(&doc, f.in_stock) == 1,
            rating_tenths: index.stored_u64(&doc, f.rating),
        });
    }
    let did_you_mean = if total == 0 && has_text {
        did_you_mean(index, &searcher, &request.text)?
    } else {
        None
    };
    Ok(SearchResults {
        total,
        hits,
        facets,
        did_you_mean,
    })
}

/// Excluding one more allergen keeps what does not contain it; an allergen already excluded
/// keeps everything shown.
fn free_from_counts(facets: &FacetCounts, request: &SearchRequest, total: u64) -> Vec<FacetCount> {
    let mut out: Vec<FacetCount> = counts(facets, ALLERGEN)
        .into_iter()
        .map(|c| FacetCount {
            count: total.saturating_sub(c.count),
            value: c.value,
        })
        .collect();
    for excluded in &request.free_from {
        if !out.iter().any(|c| &c.value == excluded) {
            out.push(FacetCount {
                value: excluded.clone(),
                count: total,
            });
        }
    }
    out
}

/// The start of a description, escaped, cut at a word.
fn leading_text(text: &str) -> String {
    let mut cut: String = text.chars().take(SNIPPET_CHARS).collect();
    if cut.len() < text.len()
        && let Some(space) = cut.rfind(' ')
    {
        cut.truncate(space);
        cut.push('…');
    }
    cut.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Each unknown word replaced by the closest indexed word (at most two edits, the more
/// frequent on ties); `None` when nothing changes or the correction finds nothing either.
fn did_you_mean(index: &SearchIndex, searcher: &Searcher, text: &str) -> Result<Option<String>> {
    let field = index.fields.spell;
    let mut vocabulary: Vec<(String, u32)> = Vec::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            if let Ok(word) = std::str::from_utf8(stream.key()) {
                vocabulary.push((word.to_owned(), stream.value().doc_freq));
            }
        }
    }
    let mut changed = false;
    let corrected: Vec<String> = words(text)
        .into_iter()
        .map(|word| {
            if vocabulary.iter().any(|(w, _)| *w == word) || typo_distance(&word) == 0 {
                return word;
            }
            let best = vocabulary
                .iter()
                .map(|(candidate, freq)| (edit_distance(&word, candidate), *freq, candidate))
                .filter(|(d, ..)| *d <= 2)
                .min_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            match best {
                Some((_, _, candidate)) => {
                    changed = true;
                    candidate.clone()
                }
                None => word,
            }
        })
        .collect();
    if !changed {
        return Ok(None);
    }
    let suggestion = corrected.join(" ");
    let check = SearchRequest {
        text: suggestion.clone(),
        per_page: 1,
        ..SearchRequest::default()
    };
    let found = searcher.search(&*build(index, &check, None), &Count)?;
    Ok((found > 0).then_some(suggestion))
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(row[j]).min(current)
            };
            previous = current;
        }
    }
    row[b.len()]
}

pub fn suggest(index: &SearchIndex, prefix: &str, limit: usize) -> Result<Vec<Suggestion>> {
    let words = words(bounded_query(prefix));
    let Some((last, complete)) = words.split_last() else {
        return Ok(Vec::new());
    };
    let field = index.fields.name_plain;
    let mut must: Vec<(Occur, Boxed)> = Vec::new();
    for word in complete {
        let term = Term::from_field_text(field, word);
        let distance = typo_distance(word);
        must.push((
            Occur::Must,
            if distance > 0 {
                Box::new(FuzzyTermQuery::new(term, distance, true))
            } else {
                Box::new(TermQuery::new(term, IndexRecordOption::Basic))
            },
        ));
    }
    // The word being typed: any name word starting with it (one typo allowed from 4 letters).
    let term = Term::from_field_text(field, last);
    let mut typed: Vec<(Occur, Boxed)> = vec![(
        Occur::Should,
        boosted(FuzzyTermQuery::new_prefix(term.clone(), 0, true), 3.0),
    )];
    if typo_distance(last) > 0 {
        typed.push((
            Occur::Should,
            Box::new(FuzzyTermQuery::new_prefix(term, 1, true)),
        ));
    }
    must.push((Occur::Must, Box::new(BooleanQuery::new(typed))));
    let searcher = index.reader.searcher();
    let top = searcher.search(
        &BooleanQuery::new(must),
        &TopDocs::with_limit(limit.clamp(1, 20)).order_by_score(),
    )?;
    top.into_iter()
        .map(|(_, address)| {
            let doc: TantivyDocument = searcher.doc(address)?;
            Ok(Suggestion {
                slug: index.stored(&doc, index.fields.slug),
                name: index.stored(&doc, index.fields.name),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("magnesium", "magnesium"), 0);
        assert_eq!(edit_distance("magnesum", "magnesium"), 1);
        assert_eq!(edit_distance("vitamni", "vitamin"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn queries_are_cut_to_their_first_characters_and_words() {
        assert_eq!(bounded_query("vitamin d3"), "vitamin d3");
        let nine = "a1 b2 c3 d4 e5 f6 g7 h8 i9";
        assert_eq!(bounded_query(nine), "a1 b2 c3 d4 e5 f6 g7 h8 ");
        assert_eq!(words(bounded_query(nine)).len(), MAX_QUERY_WORDS);
        let long = "magnesium".repeat(50);
        assert_eq!(bounded_query(&long).chars().count(), MAX_QUERY_CHARS);
        // Multi-byte letters are cut on a character boundary.
        assert_eq!(
            bounded_query(&"é".repeat(300)).chars().count(),
            MAX_QUERY_CHARS
        );
        assert_eq!(bounded_query(&" -- ".repeat(1000)).len(), MAX_QUERY_CHARS);
    }

    #[test]
    fn typo_budget_grows_with_length() {
        assert_eq!(typo_distance("zinc"), 1);
        assert_eq!(typo_distance("spf"), 0);
        assert_eq!(typo_distance("ashwagandha"), 2);
    }
}
