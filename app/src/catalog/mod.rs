//! The catalog: categories, products, variants and their typed attributes.

pub mod admin;
pub mod api;
pub mod components;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod search;
#[cfg(feature = "ssr")]
pub mod service;
