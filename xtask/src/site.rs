//! Building the site with cargo-leptos and running the `olivine` binary it produces.

use crate::test::offline;
use crate::util::{cargo, root, run, target_dir, wait_for_port};
use anyhow::{Context, Result};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub fn site_root() -> PathBuf {
    root().join("target").join("site")
}

pub fn build_site(release: bool) -> Result<()> {
    let mut cmd = offline(Command::new("cargo-leptos"));
    cmd.arg("build");
    if release {
        cmd.arg("--release");
    }
    run(&mut cmd)
}

pub fn server_binary(release: bool) -> Result<PathBuf> {
    let path = target_dir()?
        .join(if release { "release" } else { "debug" })
        .join("olivine");
    anyhow::ensure!(
        path.exists(),
        "{} is missing: the site build did not produce it",
        path.display()
    );
    Ok(path)
}

/// A master key for this xtask run's release servers (32 random bytes, base64), the same for
/// each server it starts, never written anywhere.
pub fn run_master_key() -> Result<String> {
    use base64::Engine;
    static KEY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(key) = KEY.get() {
        return Ok(key.clone());
    }
    let mut bytes = [0u8; 32];
    std::io::Read::read_exact(&mut std::fs::File::open("/dev/urandom")?, &mut bytes)
        .context("cannot read /dev/urandom")?;
    let key = base64::engine::general_purpose::STANDARD.encode(bytes);
    Ok(KEY.get_or_init(|| key).clone())
}

fn olivine(database_url: &str, release: bool) -> Result<Command> {
    let mut cmd = Command::new(server_binary(release)?);
    cmd.current_dir(root())
        .env("OLIVINE_DATABASE_URL", database_url)
        .env("OLIVINE_SITE_ROOT", site_root())
        // Migrating and seeding a local database; `ServerProcess` names the server's own.
        .env("OLIVINE_ENV", "dev")
        // A release run's servers share one master key made for the run (production needs
        // one); what migrating and seeding seal must open with it. Dev keeps its key file.
        .envs(if release {
            Some(("OLIVINE_MASTER_KEY", run_master_key()?))
        } else {
            None
        });
    Ok(cmd)
}

pub fn migrate(database_url: &str, release: bool) -> Result<()> {
    run(olivine(database_url, release)?.arg("migrate"))
}

/// Migrate and seed; `env` must name the same data directory the server will use, since the
/// seed's product pictures are written into it.
pub fn migrate_and_seed(database_url: &str, release: bool, env: &[(String, String)]) -> Result<()> {
    migrate(database_url, release)?;
    run(olivine(database_url, release)?
        .args(["seed", "--demo"])
        .envs(env.iter().map(|(k, v)| (k, v))))
}

/// A running `olivine serve`, stopped (SIGTERM, then kill) when dropped — also on failure paths.
pub struct ServerProcess {
    child: Child,
    /// Where the server's own output goes; named when its tests fail.
    pub log: PathBuf,
}

impl ServerProcess {
    pub fn start(
        database_url: &str,
        port: u16,
        release: bool,
        env: &[(String, String)],
    ) -> Result<Self> {
        let log_path = root().join("target").join(format!("olivine-{port}.log"));
        let log = std::fs::File::create(&log_path).context("cannot create the server log")?;
        let child = olivine(database_url, release)?
            .arg("serve")
            // The embedding model setup installed; callers may point elsewhere.
            .envs(crate::pins::load()?.embedding_model.env())
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("OLIVINE_ADDR", format!("127.0.0.1:{port}"))
            .env("OLIVINE_ENV", if release { "prod" } else { "dev" })
            // Production refuses to start without a mail server. Nothing here listens on this
            // loopback port: mail the benchmarks cause is retried later, never delivered.
            .envs(release.then_some(("OLIVINE_SMTP_URL", "smtp://127.0.0.1:2")))
            .env("OLIVINE_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("cannot start olivine")?;
        let server = ServerProcess {
            child,
            log: log_path,
        };
        wait_for_port(port, Duration::from_secs(30), "olivine")?;
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// The Stripe emulator (`tools/stripe-emulator`), stopped when dropped: what the app talks to
/// when no Stripe key is configured. It delivers signed webhooks to `webhook_url`.
pub struct StripeEmulator {
    child: Child,
    pub port: u16,
}

impl StripeEmulator {
    pub fn start(port: u16, webhook_url: &str, release: bool) -> Result<Self> {
        let mut build = offline(Command::new(cargo()));
        build.args(["build", "-p", "stripe-emulator", "--bin", "stripe-emulator"]);
        if release {
            build.arg("--release");
        }
        run(&mut build)?;
        let binary = target_dir()?
            .join(if release { "release" } else { "debug" })
            .join("stripe-emulator");
        let log = std::fs::File::create(
            root()
                .join("target")
                .join(format!("stripe-emulator-{port}.log")),
        )
        .context("cannot create the Stripe emulator's log")?;
        let child = Command::new(binary)
            .env("STRIPE_EMULATOR_ADDR", format!("127.0.0.1:{port}"))
            .env("STRIPE_EMULATOR_WEBHOOK_URL", webhook_url)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("cannot start the Stripe emulator")?;
        let emulator = StripeEmulator { child, port };
        wait_for_port(port, Duration::from_secs(20), "the Stripe emulator")?;
        Ok(emulator)
    }

    /// The app's configuration for this emulator (its own test keys; they mean nothing to
    /// Stripe).
    pub fn app_env(&self) -> Vec<(String, String)> {
        [
            ("STRIPE_SECRET_KEY", "sk_test_olivine_emulator".to_owned()),
            (
                "STRIPE_PUBLISHABLE_KEY",
                "pk_test_olivine_emulator".to_owned(),
            ),
            ("STRIPE_WEBHOOK_SECRET", "whsec_olivine_emulator".to_owned()),
            (
                "OLIVINE_STRIPE_API_BASE",
                format!("http://127.0.0.1:{}/", self.port),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }
}

impl Drop for StripeEmulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The browser tests' OpenID provider (npm `oidc-provider`, end2end/oidc-provider.mjs).
pub struct OidcProvider {
    child: std::process::Child,
    pub port: u16,
    pub client_secret: String,
}

impl OidcProvider {
    pub fn start(app_url: &str) -> Result<Self> {
        let port = crate::util::free_port()?;
        let client_secret = format!("e2e-{}-{port}", std::process::id());
        let log = std::fs::File::create(root().join("target").join("oidc-provider.log"))
            .context("cannot create the OpenID provider's log")?;
        let child = Command::new("node")
            .arg("oidc-provider.mjs")
            .current_dir(root().join("end2end"))
            .env("OIDC_PORT", port.to_string())
            .env("APP_URL", app_url)
            .env("OIDC_CLIENT_SECRET", &client_secret)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("cannot start the OpenID provider (node end2end/oidc-provider.mjs)")?;
        let provider = OidcProvider {
            child,
            port,
            client_secret,
        };
        wait_for_port(port, Duration::from_secs(20), "the OpenID provider")?;
        Ok(provider)
    }

    /// The app's configuration for this provider.
    pub fn app_env(&self) -> Vec<(String, String)> {
        [
            ("OLIVINE_OIDC_PROVIDERS", "testid".to_owned()),
            ("OLIVINE_OIDC_TESTID_NAME", "Test ID".to_owned()),
            (
                "OLIVINE_OIDC_TESTID_ISSUER",
                format!("http://127.0.0.1:{}", self.port),
            ),
            ("OLIVINE_OIDC_TESTID_CLIENT_ID", "olivine-e2e".to_owned()),
            (
                "OLIVINE_OIDC_TESTID_CLIENT_SECRET",
                self.client_secret.clone(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Build one more release binary of the workspace (the bench's static-file server).
pub fn cargo_build_release(package: &str, bin: &str) -> Result<()> {
    run(offline(Command::new(cargo())).args(["build", "--release", "-p", package, "--bin", bin]))
}
