//! Certificates: the documents freelancers upload and admins verify.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
