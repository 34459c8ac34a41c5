//! Stock: lots with batch numbers and expiry dates, sold first-expiry-first-out.

pub mod model;
#[cfg(feature = "ssr")]
pub mod privacy;
#[cfg(feature = "ssr")]
pub mod repo;
