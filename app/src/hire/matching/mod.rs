//! The matching engine's database side: the hard filters and the candidate search in Postgres
//! (pgvector HNSW or an exact sort, chosen by estimated selectivity), scored and explained by
//! the `matching` engine, and the texts the embedding worker turns into vectors.
//!
//! A search takes the `pool` eligible freelancers nearest in meaning to the posting and re-sorts
//! them by the full explained score. It never returns a freelancer who fails a hard filter: the
//! filters are SQL conditions (eligible.sql) and the HNSW index only orders what passes them.
//! When the filters leave few, everyone who passes is sorted exactly; otherwise the index is
//! scanned with `hnsw.iterative_scan` until the pool fills, and if its budget runs out first the
//! search falls back to the exact sort — so k eligible freelancers always give k results.

pub mod api;
pub mod components;
#[cfg(feature = "ssr")]
mod measure;
pub mod model;
#[cfg(feature = "ssr")]
mod query;
#[cfg(feature = "ssr")]
mod search;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod text;

#[cfg(feature = "ssr")]
pub use measure::{Measurement, measure};
#[cfg(feature = "ssr")]
pub use query::{Query, Settings, Window, level_name, posting_query, reachable, skill_fit};
#[cfg(feature = "ssr")]
pub use search::{
    Found, Ranked, Strategy, applicant_fits, candidates, estimate, exact, openings, search,
};
#[cfg(feature = "ssr")]
pub use text::{EmbeddingItem, embed, embedding_due, posting_text, profile_text};
