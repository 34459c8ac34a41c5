//! Contracts, their events, timesheets and handed-over work.

pub mod api;
pub mod components;
#[cfg(feature = "ssr")]
pub mod hours;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod timesheets;
