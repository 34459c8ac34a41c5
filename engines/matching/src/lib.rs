//! The Hire matching engine's pure parts: sentence embeddings and the explained score. The
//! candidate search itself (hard filters, HNSW or exact) is SQL in the app's hire matching module;
//! it hands this crate what it measured and gets back ranked, explained scores.
//!
//! `score` is plain Rust and also compiles for the browser (explanations travel to the page);
//! `embed` (candle, tokenizers) is behind the `embed` feature, for the server only.

#[cfg(feature = "embed")]
pub mod embed;
pub mod score;

pub use score::{Contribution, Factor, Features, Score, Weights, rank, score};
