//! Loyalty points: an append-only ledger per customer. Payments, published reviews and
//! subscription milestones earn by rules kept as data; an order's points wait until its return
//! window closes; refunds take back their share; points are spent at checkout (100 for €1, up
//! to half an order) and expire after a year without activity. Customers read
//! `/account/loyalty`; support adjusts on `/admin/loyalty`.

pub mod admin;
pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod privacy;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
