//! The catalog's search engine: one Tantivy document per product (variants folded in), English
//! stemming, typo tolerance, synonyms, facets whose counts follow the other active filters,
//! sorts, snippets and as-you-type suggestions.
//!
//! It knows no database and no HTTP: the catalog domain hands it [`ProductDoc`]s and asks it
//! [`SearchRequest`]s. The index can always be rebuilt from those documents.

mod fields;
mod query;
mod synonyms;

pub use fields::{MIN_RATINGS, PriceBucket};
pub use synonyms::{SynonymError, Synonyms};

use fields::Fields;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Mutex;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// What the engine knows of one product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDoc {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub brand_line: String,
    pub description: String,
    pub ingredients: Vec<String>,
    pub benefits: Vec<String>,
    pub category_slug: String,
    /// Searchable words for the category path, e.g. ["Supplements", "Vitamins"].
    pub category_names: Vec<String>,
    pub skin_types: Vec<String>,
    /// Allergens the product contains.
    pub allergens: Vec<String>,
    pub price_min_cents: u64,
    pub price_max_cents: u64,
    pub in_stock: bool,
    /// Average rating × 10 (0–50).
    pub rating_tenths: u64,
    /// Seconds since the Unix epoch.
    pub created_unix: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortOrder {
    #[default]
    Relevance,
    PriceLowHigh,
    PriceHighLow,
    Newest,
    Rating,
}

/// A search: free text plus filters. Values within one facet are alternatives (OR); facets
/// combine with AND; "free from" excludes every product containing any listed allergen.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRequest {
    pub text: String,
    pub categories: Vec<String>,
    pub benefits: Vec<String>,
    pub skin_types: Vec<String>,
    pub free_from: Vec<String>,
    pub prices: Vec<PriceBucket>,
    pub in_stock_only: bool,
    /// Only products whose average rating is at least this many stars (1–4).
    pub min_rating: Option<u8>,
    pub sort: SortOrder,
    /// 1-based.
    pub page: usize,
    pub per_page: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub brand_line: String,
    /// The description's best fragment, query words in `<b>`; HTML-escaped.
    pub snippet_html: String,
    pub price_min_cents: u64,
    pub price_max_cents: u64,
    pub in_stock: bool,
    pub rating_tenths: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// Counts per facet value, each computed with every other active filter applied.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    pub categories: Vec<FacetCount>,
    pub benefits: Vec<FacetCount>,
    pub skin_types: Vec<FacetCount>,
    /// Products that would remain if this allergen were also excluded.
    pub free_from: Vec<FacetCount>,
    pub prices: Vec<(PriceBucket, u64)>,
    pub in_stock: u64,
    /// Per threshold in [`MIN_RATINGS`]: products rated at least that many stars.
    pub ratings: Vec<(u8, u64)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// A corrected query when this one found nothing but a nearby spelling would.
    pub did_you_mean: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("search index directory: {0}")]
    Read(#[from] tantivy::directory::error::OpenReadError),
    #[error("search index directory: {0}")]
    Io(#[from] std::io::Error),
    #[error("the index writer lock was poisoned by a panic")]
    Poisoned,
}

pub type Result<T> = std::result::Result<T, SearchError>;

/// Bumped whenever the schema changes: an index on disk with another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 2;

const WRITER_MEMORY: usize = 64 * 1024 * 1024;

pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    synonyms: Synonyms,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("docs", &self.num_docs())
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    pub fn in_memory() -> Result<Self> {
        let (schema, fields) = Fields::schema();
        Self::from_index(Index::create_in_ram(schema), fields)
    }

    /// Open the index under `dir` (in a folder named after [`SCHEMA_VERSION`]), or create an
    /// empty one. Returns whether it had to be created: then the caller fills it.
    pub fn open_or_create(dir: &Path) -> Result<(Self, bool)> {
        let dir = dir.join(format!("v{SCHEMA_VERSION}"));
        std::fs::create_dir_all(&dir)?;
        let (schema, fields) = Fields::schema();
        let directory = tantivy::directory::MmapDirectory::open(&dir)?;
        let exists = Index::exists(&directory)?;
        let index = Index::open_or_create(directory, schema)?;
        Ok((Self::from_index(index, fields)?, !exists))
    }

    fn from_index(index: Index, fields: Fields) -> Result<Self> {
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer = index.writer(WRITER_MEMORY)?;
        Ok(SearchIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            synonyms: Synonyms::bundled(),
        })
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Add or replace products, then make them searchable.
    pub fn upsert(&self, docs: &[ProductDoc]) -> Result<()> {
        let mut writer = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        for doc in docs {
            writer.delete_term(Term::from_field_text(self.fields.id, &doc.id));
            writer.add_document(self.fields.document(doc))?;
        }
        writer.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Remove products (unpublished or deleted), then make that visible.
    pub fn remove(&self, ids: &[String]) -> Result<()> {
        let mut writer = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        for id in ids {
            writer.delete_term(Term::from_field_text(self.fields.id, id));
        }
        writer.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Replace the whole index with `docs` in one commit, reporting progress as it goes.
    pub fn rebuild(
        &self,
        docs: impl IntoIterator<Item = ProductDoc>,
        mut progress: impl FnMut(usize),
    ) -> Result<usize> {
        let mut writer = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        writer.delete_all_documents()?;
        let mut count = 0;
        for doc in docs {
            writer.add_document(self.fields.document(&doc))?;
            count += 1;
            if count % 1000 == 0 {
                progress(count);
            }
        }
        writer.commit()?;
        drop(writer);
        self.reader.reload()?;
        progress(count);
        Ok(count)
    }

    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        query::search(self, request)
    }

    /// Products whose names start like `prefix` (the last word may be unfinished).
    pub fn suggest(&self, prefix: &str, limit: usize) -> Result<Vec<Suggestion>> {
        query::suggest(self, prefix, limit)
    }

    fn stored(&self, doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
        use tantivy::schema::Value;
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    }

    fn stored_u64(&self, doc: &TantivyDocument, field: tantivy::schema::Field) -> u64 {
        use tantivy::schema::Value;
        doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0)
    }
}
