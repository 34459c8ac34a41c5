//! The Hire face: freelancers, the organisations that hire them, and what they agree on.
//! One folder per sub-domain (profiles, postings, applications, contracts, ratings,
//! certificates, messages, matching), each with its `model` and, on the server, its `repo`;
//! `reference` (cities, skills, certificate types, the two sides) and `time` (Hire's wall
//! clock) are shared by all of them, and `views` composes what pages show from several.

pub mod api;
pub mod applications;
pub mod certificates;
pub mod contracts;
pub mod matching;
pub mod messages;
pub mod pages;
pub mod postings;
pub mod profiles;
pub mod ratings;
pub mod reference;
#[cfg(feature = "ssr")]
pub mod service;
pub mod time;
pub mod views;

#[cfg(test)]
mod model_tests;
