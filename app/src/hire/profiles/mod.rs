//! Freelancer profiles.

pub mod model;
