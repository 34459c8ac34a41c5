//! Ratings after a completed contract.

pub mod model;
