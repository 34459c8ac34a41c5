//! Catalog search: the query state a URL holds, the page, the Tantivy-backed service, and
//! the outbox that keeps every node's index in step with the catalog.

pub mod model;
pub mod page;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod sync;
