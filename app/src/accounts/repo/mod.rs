//! Account queries. Each takes a connection (often a transaction); none commits.
//! Split by concept; callers use them through this module.
//! `citext` columns cross as text: `$n::text::citext` in, `col::text` out. A person's email
//! address is sealed ([`crate::vault`]): found by its lookup hash, read as `person_email(id)`.

pub type Result<T> = std::result::Result<T, sqlx::Error>;

pub const USERS_EMAIL_UNIQUE: &str = "users_email_lookup_unique";
pub const ORGANISATIONS_SLUG_UNIQUE: &str = "organisations_slug_key";
pub const INVITATIONS_OPEN_UNIQUE: &str = "organisation_invitations_open";

mod admin;
mod logins;
mod organisations;
mod second_factor;
mod users;

pub use admin::*;
pub use logins::*;
pub use organisations::*;
pub use second_factor::*;
pub use users::*;
