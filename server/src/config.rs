//! Configuration from `OLIVINE_…` environment variables. Every value has a default that runs
//! locally; a bad value stops start-up with a message naming the variable and what it expects.

use app::accounts::oidc::OidcProviderConfig;
use app::blobs::StoreLocation;
use app::state::AppConfig;
use std::net::SocketAddr;
use std::time::Duration;

pub use app::secret::Secret;
use payments::PaymentsConfig;

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
    /// Where people reach the site (links in emails, OpenID redirects).
    pub public_url: String,
    /// Take the client address from X-Forwarded-For (only behind a proxy that sets it).
    pub trust_proxy: bool,
    /// `smtp://` or `smtps://` URL with credentials; without it mail goes to the dev mailbox.
    pub smtp_url: Option<Secret>,
    pub mail_from: String,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// Submitted timesheets nobody answers are approved after this long
    /// (`OLIVINE_TIMESHEET_AUTO_APPROVE_HOURS`, default 72).
    pub timesheet_auto_approve: Duration,
    pub offer_expiry: Duration,
    pub hire_fee_basis_points: u32,
    pub funding_deadline: Duration,
    /// `OLIVINE_DISPUTE_ESCALATION_DAYS` (3): how long a dispute waits for the two sides
    /// before either may ask Olivine to decide.
    pub dispute_escalation: Duration,
    /// The sentence-embedding model's folder (`OLIVINE_MATCHING_MODEL`, default
    /// `.data/models/all-MiniLM-L6-v2`, where `cargo xtask setup` puts it) and its vectors'
    /// width (`OLIVINE_MATCHING_DIMENSION`, 384), which must equal the database columns'.
    pub matching_model: std::path::PathBuf,
    pub matching_dimension: usize,
    /// `OLIVINE_MATCH_WEIGHTS` (e.g. `semantic=0.4,skills=0.25,rating=0.1,reliability=0.1,
    /// distance=0.1,rate=0.05`) and `OLIVINE_MATCH_RESULTS` (10).
    pub matching: app::hire::matching::Settings,
    pub oidc_providers: Vec<OidcProviderConfig>,
    /// Where this node keeps its own files (the search index; images unless stored elsewhere).
    pub data_dir: std::path::PathBuf,
    /// Where product images live (`OLIVINE_MEDIA_STORE`).
    pub media_store: StoreLocation,
    /// Where the audit log's chain head is written now and then, under keys never overwritten
    /// (`OLIVINE_AUDIT_CHECKPOINTS`): outside the database, so a rewritten log shows.
    pub audit_checkpoints: StoreLocation,
    /// Where certificate documents live, sealed (`OLIVINE_RESTRICTED_STORE`): apart from
    /// product media, never served as files of their own.
    pub restricted_store: StoreLocation,
    /// Months a certificate's document is kept after it expired
    /// (`OLIVINE_CERTIFICATE_RETENTION_MONTHS`, 6).
    pub certificate_retention_months: u32,
    /// The key that wraps every person's data key (`OLIVINE_MASTER_KEY`, base64 of 32 bytes).
    /// Required in production; in dev a key kept in the data directory stands in.
    pub master_key: Option<Secret>,
    /// During a rotation, the master key before (`OLIVINE_MASTER_KEY_PREVIOUS`): the keys it
    /// wrapped are wrapped again with the current one as they are used, or all at once by
    /// `olivine vault rewrap`.
    pub previous_master_key: Option<Secret>,
    /// Whether this node runs the background AVIF encoder (`OLIVINE_MEDIA_AVIF`).
    pub avif_worker: bool,
    /// Stripe: `STRIPE_SECRET_KEY`, `STRIPE_PUBLISHABLE_KEY`, `STRIPE_WEBHOOK_SECRET`, and for a
    /// Stripe-compatible server `OLIVINE_STRIPE_API_BASE`. In dev without keys: the Stripe
    /// emulator that `cargo xtask dev` starts.
    pub payments: PaymentsConfig,
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
        // No default: a forgotten setting must not open the dev-only endpoints to the world.
        let environment = match get("OLIVINE_ENV", None).as_deref() {
            Some("dev") => Environment::Dev,
            Some("prod") => Environment::Prod,
            None => {
                return Err(bad(
                    "OLIVINE_ENV",
                    "required: `prod` for a deployment, `dev` on a developer's machine \
                     (cargo xtask sets it)"
                        .to_owned(),
                ));
            }
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
        let public_url = get("OLIVINE_PUBLIC_URL", None)
            .unwrap_or_else(|| format!("http://{addr}"))
            .trim_end_matches('/')
            .to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(bad(
                "OLIVINE_PUBLIC_URL",
                format!("expected an http(s):// URL, got `{public_url}`"),
            ));
        }
        let trust_proxy = parse_bool(
            get("OLIVINE_TRUST_PROXY", None),
            "OLIVINE_TRUST_PROXY",
            false,
        )?;
        let smtp_url = get("OLIVINE_SMTP_URL", None);
        if let Some(url) = &smtp_url
            && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
        {
            return Err(bad(
                "OLIVINE_SMTP_URL",
                "expected an smtp:// or smtps:// URL".to_owned(),
            ));
        }
        if smtp_url.is_none() && environment == Environment::Prod {
            // Without it mail would only reach the dev mailbox: nobody could confirm an address.
            return Err(bad(
                "OLIVINE_SMTP_URL",
                "required in production: without it no email would leave the server".to_owned(),
            ));
        }
        let session_idle = parse_number(
            get("OLIVINE_SESSION_IDLE_MINUTES", None),
            "OLIVINE_SESSION_IDLE_MINUTES",
            30,
            1..=60 * 24 * 30,
        )?;
        let session_absolute = parse_number(
            get("OLIVINE_SESSION_ABSOLUTE_HOURS", None),
            "OLIVINE_SESSION_ABSOLUTE_HOURS",
            12,
            1..=24 * 90,
        )?;
        let auto_approve_hours = parse_number(
            get("OLIVINE_TIMESHEET_AUTO_APPROVE_HOURS", None),
            "OLIVINE_TIMESHEET_AUTO_APPROVE_HOURS",
            72,
            1..=24 * 30,
        )?;
        let offer_expiry_hours = parse_number(
            get("OLIVINE_OFFER_EXPIRY_HOURS", None),
            "OLIVINE_OFFER_EXPIRY_HOURS",
            48,
            1..=24 * 30,
        )?;
        let hire_fee_basis_points = parse_number(
            get("OLIVINE_HIRE_FEE_BASIS_POINTS", None),
            "OLIVINE_HIRE_FEE_BASIS_POINTS",
            1000,
            0..=5000,
        )?;
        let funding_deadline_hours = parse_number(
            get("OLIVINE_FUNDING_DEADLINE_HOURS", None),
            "OLIVINE_FUNDING_DEADLINE_HOURS",
            12,
            0..=24 * 7,
        )?;
        let dispute_escalation_days = parse_number(
            get("OLIVINE_DISPUTE_ESCALATION_DAYS", None),
            "OLIVINE_DISPUTE_ESCALATION_DAYS",
            3,
            0..=60,
        )?;
        let oidc_providers = oidc_providers(&get)?;
        let mut matching = app::hire::matching::Settings::default();
        if let Some(weights) = get("OLIVINE_MATCH_WEIGHTS", None) {
            matching.weights = matching::Weights::parse(&weights)
                .map_err(|problem| bad("OLIVINE_MATCH_WEIGHTS", problem))?;
        }
        matching.k = parse_number(
            get("OLIVINE_MATCH_RESULTS", None),
            "OLIVINE_MATCH_RESULTS",
            10,
            1..=100,
        )? as usize;
        let matching_dimension = parse_number(
            get("OLIVINE_MATCHING_DIMENSION", None),
            "OLIVINE_MATCHING_DIMENSION",
            384,
            1..=4096,
        )? as usize;
        let matching_model = get("OLIVINE_MATCHING_MODEL", None)
            .unwrap_or_else(|| ".data/models/all-MiniLM-L6-v2".to_owned())
            .into();
        let data_dir: std::path::PathBuf = get("OLIVINE_DATA_DIR", None)
            .unwrap_or_else(|| ".data/app".to_owned())
            .into();
        let store = |var: &'static str, default: &str| {
            StoreLocation::parse(get(var, None).as_deref(), data_dir.join(default))
                .map_err(|why| bad(var, why))
        };
        let media_store = store("OLIVINE_MEDIA_STORE", "media")?;
        let audit_checkpoints = store("OLIVINE_AUDIT_CHECKPOINTS", "audit-checkpoints")?;
        let restricted_store = store("OLIVINE_RESTRICTED_STORE", "restricted")?;
        let certificate_retention_months = parse_number(
            get("OLIVINE_CERTIFICATE_RETENTION_MONTHS", None),
            "OLIVINE_CERTIFICATE_RETENTION_MONTHS",
            6,
            1..=120,
        )?;
        let avif_worker = parse_bool(get("OLIVINE_MEDIA_AVIF", None), "OLIVINE_MEDIA_AVIF", true)?;
        let payments = payments_config(&get, environment)?;
        let master_key = match get("OLIVINE_MASTER_KEY", None) {
            Some(key) => {
                // Checked now, so a bad key stops the start; never echoed.
                app::vault::Vault::from_base64(&key)
                    .map_err(|why| bad("OLIVINE_MASTER_KEY", why))?;
                Some(Secret::new(key))
            }
            None if environment == Environment::Prod => {
                return Err(bad(
                    "OLIVINE_MASTER_KEY",
                    "required in production: 32 random bytes in base64 (`openssl rand -base64 32`), \
                     the same on every node"
                        .to_owned(),
                ));
            }
            None => None,
        };
        let previous_master_key = match get("OLIVINE_MASTER_KEY_PREVIOUS", None) {
            Some(key) => {
                app::vault::key_from_base64(&key)
                    .map_err(|why| bad("OLIVINE_MASTER_KEY_PREVIOUS", why))?;
                Some(Secret::new(key))
            }
            None => None,
        };
        Ok(Config {
            payments,
            data_dir,
            media_store,
            audit_checkpoints,
            restricted_store,
            certificate_retention_months,
            master_key,
            previous_master_key,
            avif_worker,
            public_url,
            trust_proxy,
            smtp_url: smtp_url.map(Secret::new),
            mail_from: get("OLIVINE_MAIL_FROM", None)
                .unwrap_or_else(|| "Olivine <hello@olivine.test>".to_owned()),
            session_idle: Duration::from_secs(u64::from(session_idle) * 60),
            timesheet_auto_approve: Duration::from_secs(u64::from(auto_approve_hours) * 3600),
            offer_expiry: Duration::from_secs(u64::from(offer_expiry_hours) * 3600),
            hire_fee_basis_points,
            funding_deadline: Duration::from_secs(u64::from(funding_deadline_hours) * 3600),
            dispute_escalation: Duration::from_secs(u64::from(dispute_escalation_days) * 86_400),
            matching_model,
            matching_dimension,
            matching,
            session_absolute: Duration::from_secs(u64::from(session_absolute) * 3600),
            oidc_providers,
            environment,
            addr,
            database_url: Secret::new(database_url),
            db_max_connections,
            site_root: get("OLIVINE_SITE_ROOT", Some("LEPTOS_SITE_ROOT"))
                .unwrap_or_else(|| "target/site".to_owned()),
            reload_port,
            log_filter: get("OLIVINE_LOG", None).unwrap_or_else(|| "info,sqlx=warn".to_owned()),
        })
    }
}

impl Config {
    /// What the app's domains need.
    pub fn app_config(&self) -> AppConfig {
        AppConfig {
            dev_mode: self.environment == Environment::Dev,
            login_idle: self.session_idle,
            login_absolute: self.session_absolute,
            timesheet_auto_approve: self.timesheet_auto_approve,
            offer_expiry: self.offer_expiry,
            hire_fee_basis_points: self.hire_fee_basis_points,
            funding_deadline: self.funding_deadline,
            dispute_escalation: self.dispute_escalation,
            certificate_retention_months: self.certificate_retention_months,
            oidc_providers: self.oidc_providers.clone(),
            matching: self.matching.clone(),
            ..AppConfig::local(self.public_url.clone())
        }
    }
}

/// `OLIVINE_OIDC_PROVIDERS=corp,google` and, per id, `OLIVINE_OIDC_<ID>_ISSUER`, `_CLIENT_ID`,
/// `_CLIENT_SECRET` and optionally `_NAME` (the button's text).
fn oidc_providers(
    get: &impl Fn(&'static str, Option<&'static str>) -> Option<String>,
) -> Result<Vec<OidcProviderConfig>, ConfigError> {
    let Some(list) = get("OLIVINE_OIDC_PROVIDERS", None) else {
        return Ok(Vec::new());
    };
    let mut providers = Vec::new();
    for id in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(bad(
                "OLIVINE_OIDC_PROVIDERS",
                format!("provider ids use letters, digits and hyphens; got `{id}`"),
            ));
        }
        let prefix = format!(
            "OLIVINE_OIDC_{}_",
            id.to_ascii_uppercase().replace('-', "_")
        );
        // The names are built at run time; leak them once so errors can name them.
        let var = |suffix: &str| -> &'static str {
            Box::leak(format!("{prefix}{suffix}").into_boxed_str())
        };
        let need = |suffix: &str| {
            let name = var(suffix);
            get(name, None).ok_or_else(|| bad(name, format!("required for provider `{id}`")))
        };
        let issuer = need("ISSUER")?;
        if !(issuer.starts_with("https://")
            || issuer.starts_with("http://127.0.0.1")
            || issuer.starts_with("http://localhost"))
        {
            return Err(bad(
                var("ISSUER"),
                "expected an https:// URL (http only on loopback)".to_owned(),
            ));
        }
        providers.push(OidcProviderConfig {
            id: id.to_owned(),
            name: get(var("NAME"), None).unwrap_or_else(|| id.to_owned()),
            issuer,
            client_id: need("CLIENT_ID")?,
            client_secret: Secret::new(need("CLIENT_SECRET")?),
        });
    }
    Ok(providers)
}

/// Stripe's keys, all three or none; none means the local emulator, which only dev allows.
fn payments_config(
    get: &impl Fn(&'static str, Option<&'static str>) -> Option<String>,
    environment: Environment,
) -> Result<PaymentsConfig, ConfigError> {
    let api_base = get("OLIVINE_STRIPE_API_BASE", None);
    if let Some(base) = &api_base
        && !(base.starts_with("http://") || base.starts_with("https://"))
    {
        return Err(bad(
            "OLIVINE_STRIPE_API_BASE",
            format!("expected an http(s):// URL, got `{base}`"),
        ));
    }
    let Some(secret_key) = get("STRIPE_SECRET_KEY", None) else {
        if environment == Environment::Prod {
            return Err(bad(
                "STRIPE_SECRET_KEY",
                "required in production (with STRIPE_PUBLISHABLE_KEY and STRIPE_WEBHOOK_SECRET)"
                    .to_owned(),
            ));
        }
        let local = PaymentsConfig::local_emulator();
        return Ok(match api_base {
            Some(base) => PaymentsConfig {
                stripe_js: payments::stripe_js_of(&base),
                api_base: Some(base),
                ..local
            },
            None => local,
        });
    };
    let need = |var: &'static str| {
        get(var, None).ok_or_else(|| bad(var, "required with STRIPE_SECRET_KEY".to_owned()))
    };
    Ok(PaymentsConfig {
        secret_key,
        publishable_key: need("STRIPE_PUBLISHABLE_KEY")?,
        webhook_secret: need("STRIPE_WEBHOOK_SECRET")?,
        stripe_js: match &api_base {
            Some(base) => payments::stripe_js_of(base),
            None => payments::STRIPE_JS.to_owned(),
        },
        api_base,
    })
}

fn bad(var: &'static str, problem: String) -> ConfigError {
    ConfigError { var, problem }
}

fn parse_bool(
    value: Option<String>,
    var: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match value.as_deref() {
        None => Ok(default),
        Some("true" | "1") => Ok(true),
        Some("false" | "0") => Ok(false),
        Some(other) => Err(bad(var, format!("expected true or false, got `{other}`"))),
    }
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

    /// `vars` over `OLIVINE_ENV=dev`, as cargo xtask runs it.
    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut map: HashMap<String, String> =
            HashMap::from([("OLIVINE_ENV".into(), "dev".into())]);
        map.extend(vars.iter().map(|(k, v)| ((*k).into(), (*v).into())));
        Config::from_lookup(|k| map.get(k).cloned())
    }

    /// A key for tests only (32 bytes of 0x01), never a deployment's.
    const TEST_MASTER_KEY: &str = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";

    #[test]
    fn the_environment_must_be_named() {
        let err = Config::from_lookup(|_| None).unwrap_err();
        assert_eq!(err.var, "OLIVINE_ENV");
        assert!(err.to_string().contains("required"), "{err}");
    }

    #[test]
    fn production_needs_smtp() {
        let stripe = [
            ("OLIVINE_ENV", "prod"),
            ("STRIPE_SECRET_KEY", "sk_live_x"),
            ("STRIPE_PUBLISHABLE_KEY", "pk_live_x"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_x"),
        ];
        assert_eq!(config(&stripe).unwrap_err().var, "OLIVINE_SMTP_URL");
        let mut with_smtp = stripe.to_vec();
        with_smtp.push(("OLIVINE_SMTP_URL", "smtps://mail.example:465"));
        assert_eq!(config(&with_smtp).unwrap_err().var, "OLIVINE_MASTER_KEY");
        with_smtp.push(("OLIVINE_MASTER_KEY", "not a key"));
        let err = config(&with_smtp).unwrap_err();
        assert_eq!(err.var, "OLIVINE_MASTER_KEY");
        assert!(
            !err.to_string().contains("not a key"),
            "never echoed: {err}"
        );
        with_smtp.pop();
        with_smtp.push(("OLIVINE_MASTER_KEY", TEST_MASTER_KEY));
        let c = config(&with_smtp).unwrap();
        assert_eq!(c.environment, Environment::Prod);
        assert!(!format!("{c:?}").contains(TEST_MASTER_KEY), "never printed");
        // Dev without a key is fine: the server keeps one in its data directory.
        assert!(config(&[]).unwrap().master_key.is_none());
        // Dev without SMTP is fine: mail goes to the dev mailbox.
        assert!(config(&[]).unwrap().smtp_url.is_none());
    }

    #[test]
    fn defaults_run_locally() {
        let c = config(&[]).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.database_url.expose(), DEFAULT_DATABASE_URL);
        assert_eq!(c.environment, Environment::Dev);
        assert_eq!(c.db_max_connections, 10);
        // Locally, payments go to the Stripe emulator.
        assert_eq!(
            c.payments.api_base.as_deref(),
            Some("http://127.0.0.1:12111/")
        );
        assert_eq!(c.payments.stripe_js, "http://127.0.0.1:12111/v3/");
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
        assert_eq!(
            config(&[
                ("OLIVINE_ENV", "prod"),
                ("OLIVINE_SMTP_URL", "smtp://mail:25")
            ])
            .unwrap_err()
            .var,
            "STRIPE_SECRET_KEY"
        );
        assert_eq!(
            config(&[("STRIPE_SECRET_KEY", "sk_test_x")])
                .unwrap_err()
                .var,
            "STRIPE_PUBLISHABLE_KEY"
        );
    }

    #[test]
    fn oidc_providers_come_from_the_environment() {
        let c = config(&[
            ("OLIVINE_OIDC_PROVIDERS", "corp-id"),
            ("OLIVINE_OIDC_CORP_ID_ISSUER", "https://id.example.com"),
            ("OLIVINE_OIDC_CORP_ID_CLIENT_ID", "olivine"),
            ("OLIVINE_OIDC_CORP_ID_CLIENT_SECRET", "s3cret-value"),
            ("OLIVINE_OIDC_CORP_ID_NAME", "Corp ID"),
        ])
        .unwrap();
        assert_eq!(c.oidc_providers.len(), 1);
        assert_eq!(c.oidc_providers[0].name, "Corp ID");
        assert!(!format!("{c:?}").contains("s3cret-value"));
        let err = config(&[("OLIVINE_OIDC_PROVIDERS", "corp")]).unwrap_err();
        assert_eq!(err.var, "OLIVINE_OIDC_CORP_ISSUER");
        let err = config(&[
            ("OLIVINE_OIDC_PROVIDERS", "corp"),
            ("OLIVINE_OIDC_CORP_ISSUER", "http://id.example.com"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("https"), "{err}");
    }

    #[test]
    fn images_live_in_the_data_dir_unless_a_bucket_is_named() {
        let c = config(&[("OLIVINE_DATA_DIR", "/srv/olivine")]).unwrap();
        assert_eq!(
            c.media_store,
            StoreLocation::Local("/srv/olivine/media".into())
        );
        assert_eq!(
            c.audit_checkpoints,
            StoreLocation::Local("/srv/olivine/audit-checkpoints".into())
        );
        assert!(c.avif_worker);
        let c = config(&[
            ("OLIVINE_MEDIA_STORE", "s3://olivine-images"),
            ("OLIVINE_MEDIA_AVIF", "false"),
        ])
        .unwrap();
        assert_eq!(
            c.media_store,
            StoreLocation::S3 {
                bucket: "olivine-images".into()
            }
        );
        assert!(!c.avif_worker);
        for bad in ["s3://", "s3://a/b", "/var/images"] {
            let err = config(&[("OLIVINE_MEDIA_STORE", bad)]).unwrap_err();
            assert_eq!(err.var, "OLIVINE_MEDIA_STORE");
        }
        let c = config(&[("OLIVINE_AUDIT_CHECKPOINTS", "s3://olivine-audit")]).unwrap();
        assert_eq!(
            c.audit_checkpoints,
            StoreLocation::S3 {
                bucket: "olivine-audit".into()
            }
        );
        let err = config(&[("OLIVINE_AUDIT_CHECKPOINTS", "/var/audit")]).unwrap_err();
        assert_eq!(err.var, "OLIVINE_AUDIT_CHECKPOINTS");
        let err = config(&[("OLIVINE_MEDIA_AVIF", "sometimes")]).unwrap_err();
        assert_eq!(err.var, "OLIVINE_MEDIA_AVIF");
    }

    #[test]
    fn public_url_defaults_to_the_listen_address() {
        let c = config(&[("OLIVINE_ADDR", "127.0.0.1:4010")]).unwrap();
        assert_eq!(c.public_url, "http://127.0.0.1:4010");
        let c = config(&[("OLIVINE_PUBLIC_URL", "https://shop.example/")]).unwrap();
        assert_eq!(c.public_url, "https://shop.example");
        assert!(
            c.app_config()
                .link("/x")
                .starts_with("https://shop.example/x")
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
