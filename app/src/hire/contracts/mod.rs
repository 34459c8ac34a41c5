//! Contracts, their events, timesheets and handed-over work.

#[cfg(feature = "ssr")]
pub mod hours;
pub mod model;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod timesheets;
