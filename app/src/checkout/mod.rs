//! Checkout: what an order costs (pricing from rate tables and discount codes) and starting its
//! payment.

pub mod api;
pub mod model;
pub mod pages;
pub mod pricing;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
