//! Hire's money: the client's payment held in escrow per contract, released to the freelancer
//! as work is approved, and paid out through Stripe Connect — all booked in one double-entry
//! ledger whose balance the database itself enforces (see the `ledger` migration).

pub mod api;
#[cfg(feature = "ssr")]
pub mod cards;
pub mod earnings;
#[cfg(feature = "ssr")]
pub mod funding;
#[cfg(feature = "ssr")]
pub mod ledger;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod payouts;
#[cfg(feature = "ssr")]
pub mod privacy;
pub mod reconciliation;
#[cfg(feature = "ssr")]
mod repo;
#[cfg(feature = "ssr")]
pub mod statement;
