//! Certificates: the documents freelancers upload and admins verify.

pub mod model;
#[cfg(feature = "ssr")]
pub mod service;
