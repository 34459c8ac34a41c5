//! The Hire face: freelancers, the organisations that hire them, and what they agree on.
//! So far the reference data every Hire form picks from: cities, skills, certificate types.

pub mod model;
#[cfg(feature = "ssr")]
pub mod repo;
