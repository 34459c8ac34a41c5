//! The Hire face: freelancers, the organisations that hire them, and what they agree on.
//! One folder per sub-domain (profiles, postings, applications, contracts, ratings,
//! certificates, messages, matching), each with its `model` and, on the server, its `repo` and
//! `service`; `reference` (cities, skills, certificate types, the two sides), `time` (Hire's
//! wall clock) and `error` (the result and refusals) are shared by all of them, and `views`
//! composes what pages show from several.
//!
//! Each change is one transaction that locks the row it moves, checks the state machine, and
//! updates with a guard on the expected status. "Now" is the app clock, so the rules can be
//! exercised at any time of day.

#[cfg(feature = "ssr")]
pub(crate) mod access;
pub mod applications;
pub mod certificates;
pub mod contracts;
pub mod disputes;
#[cfg(feature = "ssr")]
pub mod error;
pub mod matching;
pub mod messages;
#[cfg(feature = "ssr")]
pub mod notices;
pub mod postings;
pub mod profiles;
pub mod ratings;
pub mod reference;
#[cfg(feature = "ssr")]
pub mod refusal;
pub mod time;
pub mod views;

pub mod components;
#[cfg(test)]
mod model_tests;
#[cfg(feature = "ssr")]
pub mod privacy;
