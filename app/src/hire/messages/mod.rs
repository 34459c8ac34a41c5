//! Message threads between a freelancer and an organisation.

pub mod model;
#[cfg(feature = "ssr")]
pub mod service;
