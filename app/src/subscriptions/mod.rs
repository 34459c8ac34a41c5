//! Subscribe and save: subscriptions started at checkout, the customer's account page, the
//! rules that change them, renewals and reminders, and the back office's view of them.

pub mod admin;
pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod privacy;
#[cfg(feature = "ssr")]
pub mod reminders;
#[cfg(feature = "ssr")]
pub mod renewals;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
