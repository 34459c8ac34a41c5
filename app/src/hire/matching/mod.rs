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
pub mod model;
#[cfg(feature = "ssr")]
mod search;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod text;

#[cfg(feature = "ssr")]
pub use search::{
    Found, Measurement, Query, Ranked, Settings, Strategy, Window, applicant_fits, candidates,
    estimate, exact, level_name, measure, openings, posting_query, reachable, search, skill_fit,
};
#[cfg(feature = "ssr")]
pub use text::{EmbeddingItem, embed, embedding_due, posting_text, profile_text};
