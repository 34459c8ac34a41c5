//! Ratings after a completed contract.

pub mod api;
pub mod components;
pub mod model;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
