//! The back office's catalog and inventory views: the product list and the stock alerts
//! (low stock, lots near expiry). Admins with the catalog scope only.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
mod repo;
