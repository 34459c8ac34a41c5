//! The catalog: categories, products, variants and their typed attributes.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod search_model;
pub mod search_page;
#[cfg(feature = "ssr")]
pub mod search_service;
#[cfg(feature = "ssr")]
pub mod search_sync;
#[cfg(feature = "ssr")]
pub mod service;
