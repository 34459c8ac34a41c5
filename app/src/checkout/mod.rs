//! Checkout: what an order costs (pricing from rate tables and discount codes).

pub mod pricing;
