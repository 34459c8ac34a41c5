//! Contracts, their events, timesheets and handed-over work.

pub mod model;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod timesheets;
