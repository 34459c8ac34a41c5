//! Macros shared by the domains.

/// Declares a closed enum mirrored by a Postgres enum, with its label and URL/DB name.
macro_rules! pg_enum {
    ($(#[$meta:meta])* $name:ident as $pg:literal { $($variant:ident = $db:literal : $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(type_name = $pg, rename_all = "snake_case"))]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn db_name(self) -> &'static str {
                match self { $($name::$variant => $db),+ }
            }

            /// The variant whose database (and form) name is `name`.
            pub fn from_db_name(name: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.db_name() == name)
            }
        }
    };
}
