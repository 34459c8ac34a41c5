//! The back office's catalog: the product list, stock alerts, and the editor (products,
//! variants, lots and their stock entries, photos). Admins with the catalog scope only.

pub mod api;
pub mod editor_api;
pub mod editor_model;
pub mod editor_pages;
#[cfg(feature = "ssr")]
mod editor_repo;
pub mod model;
pub mod pages;
mod photos;
#[cfg(feature = "ssr")]
mod repo;
