//! Certificates: the documents freelancers upload and admins verify.

pub mod api;
#[cfg(feature = "ssr")]
pub mod documents;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
