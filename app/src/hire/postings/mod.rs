//! Shifts and jobs.

pub mod model;
