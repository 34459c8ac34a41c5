//! The Hire face: freelancers, the organisations that hire them, and what they agree on —
//! profiles, shifts, applications and offers, contracts with their events, and timesheets.

pub mod api;
#[cfg(feature = "ssr")]
pub mod certificates;
#[cfg(feature = "ssr")]
pub mod matching;
#[cfg(feature = "ssr")]
pub mod messages;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
