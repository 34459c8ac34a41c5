//! Applications, invitations and offers.

pub mod model;
#[cfg(feature = "ssr")]
pub mod repo;
