//! Background jobs as the back office sees them: each job's last run, what waits, failures,
//! panics and items parked as dead, which a support admin can send back to the queue. The
//! runner itself is the server's (`server/src/jobs/`); this domain reads and retries its rows.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
mod repo;
#[cfg(feature = "ssr")]
mod service;
