//! What the Hire forms pick from: cities, skills and certificate types, and the currency,
//! zone and sides every sub-domain shares.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
