//! The shopping cart: guest carts kept by session, customer carts by account, merged at sign-in.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod privacy;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
