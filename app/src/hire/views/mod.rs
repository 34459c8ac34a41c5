//! What the Hire pages show, composed from several sub-domains: the find-work board, a shift
//! with the viewer's application, and an organisation's home and shift pages.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
