//! Orders: their life after checkout (payment, fulfilment, cancellation, refunds), their
//! history, and the pages where customers and admins see them.

pub mod admin;
pub mod api;
pub mod components;
#[cfg(feature = "ssr")]
pub mod emails;
#[cfg(feature = "ssr")]
pub mod hooks;
pub mod model;
#[cfg(feature = "ssr")]
pub mod notices;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod privacy;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
