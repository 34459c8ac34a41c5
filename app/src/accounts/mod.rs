//! Accounts: people, sign-in (password and OpenID Connect), sessions, roles and the client
//! organisations hiring managers belong to.
//!
//! Errors by layer: repos return `sqlx::Error`; services return [`crate::error::ServiceError`],
//! whose `Refused` variant carries the message a person sees; server functions return
//! `AppError`.

pub mod api;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod admin;
#[cfg(feature = "ssr")]
pub mod authz;
#[cfg(feature = "ssr")]
mod emails;
#[cfg(feature = "ssr")]
pub mod hooks;
#[cfg(feature = "ssr")]
pub mod oidc;
#[cfg(feature = "ssr")]
pub mod oidc_flow;
#[cfg(feature = "ssr")]
pub mod orgs;
#[cfg(feature = "ssr")]
pub mod passkeys;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod passwords;
#[cfg(feature = "ssr")]
pub mod privacy;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod second_factor;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod signin_link;
#[cfg(feature = "ssr")]
pub mod totp;

pg_enum!(
    /// What an emailed single-use link is for.
    TokenPurpose as "email_token_purpose" {
    VerifyEmail = "verify_email": "Confirm email address",
    ResetPassword = "reset_password": "Reset password",
    SignIn = "sign_in": "Sign in",
});
