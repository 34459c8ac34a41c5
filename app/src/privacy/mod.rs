//! What Olivine holds about a person, handed to them or erased.
//!
//! - Download: on `/account/privacy` they ask, the `data-exports` job builds a ZIP (one JSON
//!   file per domain and their files) sealed with their data key in the restricted store, and
//!   a mailed link gives it to them once within 7 days.
//! - Erasure: they (or support for them) ask, can change their mind for 14 days, and then the
//!   `erasures` job deletes their data key and every row that identifies them, keeping what
//!   the law needs under their account id, which nothing identifies any more ([`erasure`]).
//!
//! Privacy imports no domain. Each domain that keeps a person column lists its tables in a
//! [`Holding`] (its `privacy.rs`) with how each is exported and erased; the app lists the
//! holdings (`app::HOLDINGS`) and the server hands them to the app state. A test reads every
//! person column from the schema and fails when no holding covers it.

pub mod model;

#[cfg(feature = "ssr")]
mod archive;
#[cfg(feature = "ssr")]
pub mod erasure;
#[cfg(feature = "ssr")]
mod repo;
#[cfg(feature = "ssr")]
pub mod service;

#[cfg(feature = "ssr")]
pub use holdings::{
    BoxFuture, Covered, ERASED, Erased, Erasing, Holding, Part, Person, keep_all, with_opened,
};

#[cfg(feature = "ssr")]
mod holdings {
    use crate::error::ServiceError;
    use crate::ids::UserId;
    use crate::state::AppState;
    use chrono::{DateTime, Utc};
    use serde_json::Value;
    use sqlx::PgConnection;
    use uuid::Uuid;

    pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

    /// Whose data an export gathers.
    #[derive(Clone, Debug)]
    pub struct Person {
        pub id: UserId,
        /// Their address now: mail sent to it and invitations made out to it are theirs too.
        pub email: String,
    }

    /// A table whose rows a holding gathers, the columns that tie a row to the person, and
    /// what erasure does to it. A table reached only through another (an order's lines)
    /// names no columns.
    #[derive(Clone, Copy, Debug)]
    pub struct Covered {
        pub table: &'static str,
        pub columns: &'static [&'static str],
        pub erased: Erased,
    }

    /// What erasing a person does to a table's rows about them.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Erased {
        /// Deleted. Rows where they only acted for others (an admin's decisions) stay, naming
        /// the account id.
        Deleted,
        /// Kept for what the law or the other side needs (the reason), naming only the
        /// account id; any text of theirs in them is cleared or sealed for retention.
        Kept(&'static str),
    }

    /// Whom an erasure is for, as they were just before it.
    #[derive(Clone, Debug)]
    pub struct Erasing {
        pub id: UserId,
        pub email: String,
        pub name: String,
        pub now: DateTime<Utc>,
        /// What bookkeeping keeps is sealed with this retention key, deleted then.
        pub retention_key: Uuid,
        pub retain_until: DateTime<Utc>,
    }

    /// The text left where a column can't be empty.
    pub const ERASED: &str = "erased";

    /// The erasure of a domain whose rows about a person all stay, naming the account id.
    pub fn keep_all<'a>(
        _: &'a AppState,
        _: &'a mut PgConnection,
        _: &'a Erasing,
    ) -> BoxFuture<'a, Result<(), ServiceError>> {
        Box::pin(async { Ok(()) })
    }

    /// What one domain holds about a person: its tables' rows (`<file>.json`) and files.
    #[derive(Debug, Default)]
    pub struct Part {
        pub tables: Vec<(&'static str, Vec<Value>)>,
        pub files: Vec<(String, Vec<u8>)>,
    }

    /// Columns no export shows: what proves or protects rather than describes (password and
    /// token hashes, authenticator secrets, sealed documents and fields, the keyed hashes
    /// people are found by, the audit chain's hashes) and the vectors matching computes from a
    /// profile's text. A sealed field is shown opened instead ([`with_opened`]).
    const WITHHELD: &[&str] = &[
        "password_hash",
        "secret",
        "document",
        "wrapped",
        "request",
        "embedding",
    ];

    fn withheld(column: &str) -> bool {
        WITHHELD.contains(&column)
            || ["_hash", "_sealed", "_lookup", "_words"]
                .iter()
                .any(|end| column.ends_with(end))
    }

    /// `row` (a JSON object of a table's columns) with `value`, a sealed field opened, as its
    /// column `name`.
    pub fn with_opened(
        mut row: Value,
        name: &str,
        value: impl serde::Serialize,
    ) -> Result<Value, ServiceError> {
        if let Value::Object(columns) = &mut row {
            let value = serde_json::to_value(value)
                .map_err(ServiceError::failed("writing an opened field"))?;
            columns.insert(name.to_owned(), value);
        }
        Ok(row)
    }

    impl Part {
        /// The rows of `table` (each a JSON object of its columns), what proves or protects
        /// taken out.
        #[must_use]
        pub fn table(mut self, table: &'static str, mut rows: Vec<Value>) -> Self {
            for row in &mut rows {
                if let Value::Object(columns) = row {
                    columns.retain(|column, _| !withheld(column));
                }
            }
            self.tables.push((table, rows));
            self
        }

        /// A file of the person's, at `path` inside the ZIP.
        pub fn file(&mut self, path: String, bytes: Vec<u8>) {
            self.files.push((path, bytes));
        }
    }

    /// Lets go of what lives outside the database, for a [`Holding`].
    pub type LetGo =
        for<'a> fn(&'a AppState, &'a Erasing) -> BoxFuture<'a, Result<(), ServiceError>>;

    /// What must finish before a person is erased, for a [`Holding`].
    pub type Hold = for<'a> fn(
        &'a mut PgConnection,
        UserId,
    ) -> BoxFuture<'a, Result<Option<&'static str>, sqlx::Error>>;

    /// What one domain holds about a person: its share of a download (`<name>.json` in the
    /// ZIP) and its part of an erasure.
    #[derive(Clone, Copy)]
    pub struct Holding {
        pub name: &'static str,
        pub covers: &'static [Covered],
        pub export:
            for<'a> fn(&'a AppState, &'a Person) -> BoxFuture<'a, Result<Part, ServiceError>>,
        /// What lives outside the database (a Stripe customer, stored files), let go before
        /// the rows naming it are erased; done again when the erasure is retried.
        pub let_go: Option<LetGo>,
        /// Why the person can't be erased yet (a contract still running, money on its way),
        /// when something does; the job tries again later.
        pub hold: Option<Hold>,
        /// The rows, in the erasure's transaction.
        pub erase: for<'a> fn(
            &'a AppState,
            &'a mut PgConnection,
            &'a Erasing,
        ) -> BoxFuture<'a, Result<(), ServiceError>>,
    }

    impl std::fmt::Debug for Holding {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.name)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn what_proves_or_protects_is_taken_out() {
            let part = Part::default().table(
                "users",
                vec![serde_json::json!({
                    "email": "a@b.test", "password_hash": "$argon2id$…", "token_hash": "x",
                    "secret": "y", "display_name": "Ann"
                })],
            );
            assert_eq!(
                part.tables[0].1[0],
                serde_json::json!({ "email": "a@b.test", "display_name": "Ann" })
            );
        }
    }
}

/// Person columns no download shows, with why.
pub const WITHHELD_TABLES: &[(&str, &str)] = &[(
    "person_keys",
    "the key that seals the person's data: handing it out would hand out what protects it",
)];
