//! The catalog: categories, products, variants and their typed attributes.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod search_sync;
#[cfg(feature = "ssr")]
pub mod service;
