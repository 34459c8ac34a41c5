//! Verified reviews: customers who received a product rate and review it once; the product
//! page shows the average, the distribution and the reviews, sorted by date or by "helpful"
//! votes; reviews with links wait for support's moderation; published ratings feed search.

pub mod admin;
pub mod api;
#[cfg(feature = "ssr")]
pub mod hooks;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod privacy;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
