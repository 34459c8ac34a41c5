//! Discounts: codes (a percentage or a fixed amount off, a minimum order, validity dates,
//! overall and per-customer limits) and the orders that redeem them. Checkout prices with
//! them; an order that is never paid gives its code back.

pub mod model;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
