//! Shifts and jobs.

pub mod model;
#[cfg(feature = "ssr")]
pub mod repo;
