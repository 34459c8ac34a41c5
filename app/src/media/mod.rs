//! Product images: what pages need to show them (shared with the browser), and on the server
//! the store they live in, the upload path through `engines/media` and the AVIF job.

pub mod model;
pub mod picture;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
