//! The back office's orders: the list, an order's page with fulfilment, cancellation and
//! refunds, and unreadable Stripe events. Support and finance admins only.

pub mod api;
pub mod pages;
