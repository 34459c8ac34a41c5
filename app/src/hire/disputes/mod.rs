//! Disputes over hours or handed-over work: the organisation disputes, the escrow holds the
//! claim, and either the freelancer submits again (settled between the two sides) or, after a
//! few days, either side asks Olivine to decide and a finance admin releases, refunds or
//! splits it on `/admin/disputes`.

pub mod admin;
pub mod api;
pub mod components;
pub mod model;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
