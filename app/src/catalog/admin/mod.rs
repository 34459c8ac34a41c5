//! The catalog back office: the product list, stock alerts, and the editor (products,
//! variants, lots and their stock entries, photos). Admins with the catalog scope only.

pub mod api;
pub mod forms;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
mod repo;
#[cfg(feature = "ssr")]
pub mod service;
