//! Contracts, their events, timesheets and handed-over work.

pub mod model;
