//! Configuration from `OLIVINE_…` environment variables. Every value has a default that runs
//! locally; a bad value stops start-up with a message naming the variable and what it expects.

use std::fmt;
use std::net::SocketAddr;

/// A value that must never be printed: Debug and Display show a placeholder.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Dev,
    Prod,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub environment: Environment,
    pub addr: SocketAddr,
    pub database_url: Secret,
    pub db_max_connections: u32,
    pub site_root: String,
    pub reload_port: u32,
    pub log_filter: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{var}: {problem}")]
pub struct ConfigError {
    pub var: &'static str,
    pub problem: String,
}

pub const DEFAULT_DATABASE_URL: &str = "postgres://olivine@127.0.0.1:54329/olivine";

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads through `lookup` so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        // cargo-leptos passes LEPTOS_* to the server it runs; OLIVINE_* wins where both exist.
        let get = |ours: &'static str, leptos: Option<&'static str>| {
            lookup(ours)
                .or_else(|| leptos.and_then(&lookup))
                .filter(|v| !v.trim().is_empty())
        };
        let environment = match get("OLIVINE_ENV", None).as_deref() {
            None | Some("dev") => Environment::Dev,
            Some("prod") => Environment::Prod,
            Some(other) => {
                return Err(bad(
                    "OLIVINE_ENV",
                    format!("expected `dev` or `prod`, got `{other}`"),
                ));
            }
        };
        let addr = match get("OLIVINE_ADDR", Some("LEPTOS_SITE_ADDR")) {
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
            Some(v) => v.parse().map_err(|_| {
                bad(
                    "OLIVINE_ADDR",
                    format!("expected host:port such as 127.0.0.1:3000, got `{v}`"),
                )
            })?,
        };
        let database_url = get("OLIVINE_DATABASE_URL", Some("DATABASE_URL"))
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            // Never echo the value: it may hold a password.
            return Err(bad(
                "OLIVINE_DATABASE_URL",
                "expected a postgres:// URL".to_owned(),
            ));
        }
        let db_max_connections = parse_number(
            get("OLIVINE_DB_MAX_CONNECTIONS", None),
            "OLIVINE_DB_MAX_CONNECTIONS",
            10,
            1..=500,
        )?;
        let reload_port = parse_number(
            get("OLIVINE_RELOAD_PORT", Some("LEPTOS_RELOAD_PORT")),
            "OLIVINE_RELOAD_PORT",
            3001,
            1..=65535,
        )?;
        Ok(Config {
            environment,
            addr,
            database_url: Secret(database_url),
            db_max_connections,
            site_root: get("OLIVINE_SITE_ROOT", Some("LEPTOS_SITE_ROOT"))
                .unwrap_or_else(|| "target/site".to_owned()),
            reload_port,
            log_filter: get("OLIVINE_LOG", None).unwrap_or_else(|| "info,sqlx=warn".to_owned()),
        })
    }
}

fn bad(var: &'static str, problem: String) -> ConfigError {
    ConfigError { var, problem }
}

fn parse_number(
    value: Option<String>,
    var: &'static str,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, ConfigError> {
    let Some(raw) = value else { return Ok(default) };
    match raw.trim().parse::<u32>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(bad(
            var,
            format!(
                "expected a whole number from {} to {}, got `{raw}`",
                range.start(),
                range.end()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_run_locally() {
        let c = config(&[]).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.database_url.expose(), DEFAULT_DATABASE_URL);
        assert_eq!(c.environment, Environment::Dev);
        assert_eq!(c.db_max_connections, 10);
    }

    #[test]
    fn ours_win_over_leptos_variables() {
        let c = config(&[
            ("LEPTOS_SITE_ADDR", "127.0.0.1:4000"),
            ("OLIVINE_ADDR", "127.0.0.1:5000"),
        ])
        .unwrap();
        assert_eq!(c.addr.port(), 5000);
        let c = config(&[("LEPTOS_SITE_ADDR", "127.0.0.1:4000")]).unwrap();
        assert_eq!(c.addr.port(), 4000);
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = config(&[("OLIVINE_ADDR", "localhost")]).unwrap_err();
        assert_eq!(err.var, "OLIVINE_ADDR");
        assert!(err.to_string().contains("host:port"), "{err}");
        let err = config(&[("OLIVINE_DB_MAX_CONNECTIONS", "0")]).unwrap_err();
        assert!(err.to_string().contains("from 1 to 500"), "{err}");
        assert_eq!(
            config(&[("OLIVINE_ENV", "staging")]).unwrap_err().var,
            "OLIVINE_ENV"
        );
    }

    #[test]
    fn database_url_is_never_printed() {
        let secret_url = "postgres://olivine:hunter2@db.internal/olivine";
        let c = config(&[("OLIVINE_DATABASE_URL", secret_url)]).unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
        let err = config(&[("OLIVINE_DATABASE_URL", "mysql://u:hunter2@x")]).unwrap_err();
        assert!(!err.to_string().contains("hunter2"));
    }
}
