//! The index schema: which product facts are searchable text, facets, sort keys or stored.

use super::ProductDoc;
use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};

/// Price ranges shoppers filter by; a product belongs to every range its variants reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PriceBucket {
    Under10,
    From10To20,
    From20To40,
    Over40,
}

impl PriceBucket {
    pub const ALL: [PriceBucket; 4] = [
        PriceBucket::Under10,
        PriceBucket::From10To20,
        PriceBucket::From20To40,
        PriceBucket::Over40,
    ];

    /// Cents, lower bound inclusive, upper bound exclusive.
    pub fn range(self) -> (u64, u64) {
        match self {
            PriceBucket::Under10 => (0, 1_000),
            PriceBucket::From10To20 => (1_000, 2_000),
            PriceBucket::From20To40 => (2_000, 4_000),
            PriceBucket::Over40 => (4_000, u64::MAX),
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            PriceBucket::Under10 => "under-10",
            PriceBucket::From10To20 => "10-20",
            PriceBucket::From20To40 => "20-40",
            PriceBucket::Over40 => "over-40",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.slug() == slug)
    }

    pub fn label(self) -> &'static str {
        match self {
            PriceBucket::Under10 => "Under €10",
            PriceBucket::From10To20 => "€10 – €20",
            PriceBucket::From20To40 => "€20 – €40",
            PriceBucket::Over40 => "€40 and over",
        }
    }

    /// The buckets a price range [min, max] reaches.
    pub fn covering(min: u64, max: u64) -> impl Iterator<Item = PriceBucket> {
        Self::ALL.into_iter().filter(move |b| {
            let (low, high) = b.range();
            min < high && max >= low
        })
    }
}

/// Facet roots.
pub const CATEGORY: &str = "category";
pub const BENEFIT: &str = "benefit";
pub const SKIN: &str = "skin";
pub const ALLERGEN: &str = "allergen";
pub const PRICE: &str = "price";
pub const STOCK: &str = "stock";
pub const RATING: &str = "rating";

/// The "n stars and up" thresholds shoppers filter by, highest first.
pub const MIN_RATINGS: [u8; 4] = [4, 3, 2, 1];

/// The thresholds an average rating (× 10) reaches: 4.3 reaches 4, 3, 2 and 1; unrated none.
pub fn ratings_reached(rating_tenths: u64) -> impl Iterator<Item = u8> {
    MIN_RATINGS
        .into_iter()
        .filter(move |stars| rating_tenths >= u64::from(*stars) * 10)
}

pub fn facet(root: &str, value: &str) -> Facet {
    Facet::from_path([root, value])
}

#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub id: Field,
    pub slug: Field,
    pub name: Field,
    pub brand: Field,
    pub description: Field,
    pub ingredients: Field,
    pub benefits: Field,
    pub category_text: Field,
    /// Name words, lowercased but not stemmed: as-you-type suggestions.
    pub name_plain: Field,
    /// Every searchable word, unstemmed: the vocabulary for "did you mean".
    pub spell: Field,
    pub facets: Field,
    pub price_min: Field,
    pub price_max: Field,
    pub rating: Field,
    pub created: Field,
    pub in_stock: Field,
}

fn text(tokenizer: &str, stored: bool) -> TextOptions {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

impl Fields {
    pub fn schema() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let fields = Fields {
            id: b.add_text_field("id", STRING | STORED),
            slug: b.add_text_field("slug", STORED),
            name: b.add_text_field("name", text("en_stem", true)),
            brand: b.add_text_field("brand", text("en_stem", true)),
            description: b.add_text_field("description", text("en_stem", true)),
            ingredients: b.add_text_field("ingredients", text("en_stem", false)),
            benefits: b.add_text_field("benefits", text("en_stem", false)),
            category_text: b.add_text_field("category_text", text("en_stem", false)),
            name_plain: b.add_text_field("name_plain", text("default", false)),
            spell: b.add_text_field("spell", text("default", false)),
            facets: b.add_facet_field("facets", FacetOptions::default()),
            price_min: b.add_u64_field("price_min", INDEXED | FAST | STORED),
            price_max: b.add_u64_field("price_max", FAST | STORED),
            rating: b.add_u64_field("rating", FAST | STORED),
            created: b.add_u64_field("created", FAST),
            in_stock: b.add_u64_field("in_stock", FAST | STORED),
        };
        (b.build(), fields)
    }

    pub fn document(&self, p: &ProductDoc) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_text(self.id, &p.id);
        doc.add_text(self.slug, &p.slug);
        doc.add_text(self.name, &p.name);
        doc.add_text(self.brand, &p.brand_line);
        doc.add_text(self.description, &p.description);
        doc.add_text(self.name_plain, &p.name);
        for (field, values) in [
            (self.ingredients, &p.ingredients),
            (self.benefits, &p.benefits),
            (self.category_text, &p.category_names),
        ] {
            for value in values {
                doc.add_text(field, value);
            }
        }
        let words = [&p.name, &p.brand_line]
            .into_iter()
            .chain(&p.ingredients)
            .chain(&p.benefits)
            .chain(&p.category_names);
        for value in words {
            doc.add_text(self.spell, value);
        }
        doc.add_facet(self.facets, facet(CATEGORY, &p.category_slug));
        for (root, values) in [
            (BENEFIT, &p.benefits),
            (SKIN, &p.skin_types),
            (ALLERGEN, &p.allergens),
        ] {
            for value in values {
                doc.add_facet(self.facets, facet(root, value));
            }
        }
        for bucket in PriceBucket::covering(p.price_min_cents, p.price_max_cents) {
            doc.add_facet(self.facets, facet(PRICE, bucket.slug()));
        }
        doc.add_facet(
            self.facets,
            facet(STOCK, if p.in_stock { "in" } else { "out" }),
        );
        for stars in ratings_reached(p.rating_tenths) {
            doc.add_facet(self.facets, facet(RATING, &stars.to_string()));
        }
        doc.add_u64(self.price_min, p.price_min_cents);
        doc.add_u64(self.price_max, p.price_max_cents);
        doc.add_u64(self.rating, p.rating_tenths);
        doc.add_u64(self.created, p.created_unix);
        doc.add_u64(self.in_stock, u64::from(p.in_stock));
        doc
    }
}

#[cfg(test)]
mod tests {
    use super::PriceBucket;

    #[test]
    fn products_sit_in_every_bucket_their_prices_reach() {
        let buckets: Vec<_> = PriceBucket::covering(1_490, 2_990).collect();
        assert_eq!(buckets, [PriceBucket::From10To20, PriceBucket::From20To40]);
        let buckets: Vec<_> = PriceBucket::covering(999, 999).collect();
        assert_eq!(buckets, [PriceBucket::Under10]);
        let buckets: Vec<_> = PriceBucket::covering(1_000, 1_000).collect();
        assert_eq!(buckets, [PriceBucket::From10To20]);
        for bucket in PriceBucket::ALL {
            assert_eq!(PriceBucket::from_slug(bucket.slug()), Some(bucket));
        }
    }

    #[test]
    fn an_average_reaches_every_threshold_at_or_below_it() {
        let reached = |tenths| super::ratings_reached(tenths).collect::<Vec<_>>();
        assert_eq!(reached(43), [4, 3, 2, 1]);
        assert_eq!(reached(40), [4, 3, 2, 1]);
        assert_eq!(reached(39), [3, 2, 1]);
        assert_eq!(reached(10), [1]);
        assert!(reached(0).is_empty());
    }
}
