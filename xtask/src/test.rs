//! `cargo xtask test`: every check, ending with one line `N passed, N failed`.
//!
//! Checks that are one thing (fmt, clippy, .sqlx freshness, the WASM tree, the site build) count
//! as one test each; cargo and Playwright tests count one each, read from their own reports.

use crate::db::Cluster;
use crate::pins::Pins;
use crate::site::{OidcProvider, ServerProcess, StripeEmulator, build_site, migrate_and_seed};
use crate::sqlx_data;
use crate::util::{cargo, free_port, in_root, root, say, show};
use anyhow::{Context, Result};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The server-side crates, selected the same way by clippy and the tests so they share artifacts.
pub const SERVER_SIDE: &[&str] = &[
    "-p",
    "app",
    "-p",
    "server",
    "-p",
    "xtask",
    "-p",
    "search",
    "-p",
    "media",
    "-p",
    "payments",
    "-p",
    "stripe-emulator",
    "-p",
    "matching",
    "-p",
    "benches",
    "-p",
    "test-support",
    "--features",
    "app/ssr,matching/embed",
];

/// Crates that must never reach the browser bundle.
const SERVER_ONLY: &[&str] = &[
    "sqlx",
    "sqlx-core",
    "sqlx-postgres",
    "axum",
    "leptos_axum",
    "mio",
    "tantivy",
    "candle-core",
    "image",
    "webp",
    "libwebp-sys",
    "fast_image_resize",
    "ravif",
    "rav1e",
    "media",
    "object_store",
    "async-stripe",
    "async-stripe-core",
    "async-stripe-shared",
    "async-stripe-webhook",
    "payments",
    "stripe-emulator",
    "argon2",
    "aes-gcm",
    "totp-rs",
    "qrcodegen",
    "zip",
    "tower-sessions",
    "oauth2",
    "pgvector",
    "candle-core",
    "candle-transformers",
    "tokenizers",
    "lettre",
    "hyper",
];

#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
    failures: Vec<String>,
}

impl Tally {
    fn check(&mut self, name: &str, result: Result<()>) {
        match result {
            Ok(()) => {
                self.passed += 1;
                say(format!("✔ {name}"));
            }
            Err(error) => {
                self.failed += 1;
                say(format!("✘ {name}: {error:#}"));
                self.failures.push(name.to_owned());
            }
        }
    }

    fn counted(&mut self, name: &str, result: Result<(u64, u64)>) {
        match result {
            Ok((passed, failed)) => {
                self.passed += passed;
                self.failed += failed;
                say(format!(
                    "{} {name}: {passed} passed, {failed} failed",
                    if failed == 0 { "✔" } else { "✘" }
                ));
                if failed > 0 {
                    self.failures.push(name.to_owned());
                }
            }
            Err(error) => self.check(name, Err(error)),
        }
    }
}

pub fn test(pins: &Pins) -> Result<bool> {
    let started = Instant::now();
    let mut tally = Tally::default();
    // Even when nothing can run, the run ends with its summary line.
    let prepared = crate::setup::setup(pins).and_then(|()| {
        let cluster = Cluster::new(pins);
        let we_started_db = cluster.start()?;
        Ok((cluster, we_started_db))
    });
    match prepared {
        Ok((cluster, we_started_db)) => {
            if let Err(error) = crate::prune::stale_artifacts() {
                say(format!("could not prune the build directory: {error:#}"));
            }
            let result = run_all(pins, &cluster, &mut tally);
            if we_started_db && let Err(error) = cluster.stop() {
                say(format!("could not stop the database: {error:#}"));
            }
            if let Err(error) = result {
                tally.check("test harness", Err(error));
            }
        }
        Err(error) => tally.check("setup and database start", Err(error)),
    }
    say(format!("finished in {:.0?}", started.elapsed()));
    if !tally.failures.is_empty() {
        say(format!("failed: {}", tally.failures.join(", ")));
    }
    println!("{} passed, {} failed", tally.passed, tally.failed);
    Ok(tally.failed == 0)
}

/// `cargo xtask test browser [ARGS…]`: the site build and the browser tests alone, with
/// Playwright's own options (`--repeat-each=3`, `-g 'checkout'`), ending with the same line.
pub fn browser(pins: &Pins, playwright_args: &[String]) -> Result<bool> {
    crate::setup::setup(pins)?;
    let cluster = Cluster::new(pins);
    let we_started_db = cluster.start()?;
    let mut tally = Tally::default();
    let built = build_site(false);
    let built_ok = built.is_ok();
    tally.check("site build (cargo leptos build)", built);
    if built_ok {
        tally.counted(
            "browser tests (Playwright, Chromium)",
            browser_tests(pins, &cluster, playwright_args),
        );
    }
    if we_started_db {
        cluster.stop()?;
    }
    println!("{} passed, {} failed", tally.passed, tally.failed);
    Ok(tally.failed == 0)
}

fn run_all(pins: &Pins, cluster: &Cluster, tally: &mut Tally) -> Result<()> {
    tally.check(
        "rustfmt",
        run_quiet(Command::new(cargo()).args(["fmt", "--all", "--", "--check"])),
    );

    // Clippy on the server side also expands every sqlx macro against a live database, which
    // is how the committed .sqlx query data is proven current.
    tally.check(
        "clippy (ssr) + .sqlx freshness",
        sqlx_data::clippy_and_check(cluster, false),
    );
    tally.check(
        "clippy (hydrate, wasm32)",
        run_quiet(offline(Command::new(cargo())).args([
            "clippy",
            "-p",
            "frontend",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ])),
    );
    tally.check("WASM bundle holds no server-only crate", wasm_tree());

    let test_db = format!("olivine_unit_{}", std::process::id());
    cluster.ensure_database(&test_db)?;
    tally.counted(
        "unit and database tests",
        cargo_tests(&cluster.url(&test_db), pins),
    );
    let _ = cluster.drop_database(&test_db);

    let built = build_site(false);
    let built_ok = built.is_ok();
    tally.check("site build (cargo leptos build)", built);
    if built_ok {
        tally.counted(
            "browser tests (Playwright, Chromium)",
            browser_tests(pins, cluster, &[]),
        );
    } else {
        tally.check(
            "browser tests (Playwright, Chromium)",
            Err(anyhow::anyhow!("skipped: the site did not build")),
        );
    }
    Ok(())
}

/// Builds use the committed .sqlx data, never a live database.
pub fn offline(mut cmd: Command) -> Command {
    cmd.current_dir(root())
        .env("SQLX_OFFLINE", "true")
        .env_remove("DATABASE_URL");
    cmd
}

fn run_quiet(cmd: &mut Command) -> Result<()> {
    let shown = show(cmd);
    let out = cmd
        .current_dir(root())
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot start `{shown}`"))?;
    if out.status.success() {
        return Ok(());
    }
    eprintln!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    anyhow::bail!("`{shown}` failed")
}

fn wasm_tree() -> Result<()> {
    let tree = crate::util::output(offline(Command::new(cargo())).args([
        "tree",
        "-p",
        "frontend",
        "--target",
        "wasm32-unknown-unknown",
        "-e",
        "normal",
        "--prefix",
        "none",
        "--format",
        "{p}",
    ]))?;
    let mut found: Vec<&str> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| SERVER_ONLY.contains(name))
        .collect();
    found.sort_unstable();
    found.dedup();
    if found.is_empty() {
        Ok(())
    } else {
        anyhow::bail!(
            "the WASM dependency tree contains server-only crates: {}",
            found.join(", ")
        )
    }
}

/// Sum cargo's `test result:` lines. A build failure counts as one failed test.
fn cargo_tests(database_url: &str, pins: &Pins) -> Result<(u64, u64)> {
    let out = offline(Command::new(cargo()))
        // --no-fail-fast: one failing test binary must not hide the others' results.
        .args(["test", "--no-fail-fast"])
        .args(SERVER_SIDE)
        .env("DATABASE_URL", database_url)
        .envs(pins.embedding_model.env())
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run cargo test")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    let (mut passed, mut failed) = (0, 0);
    for line in stdout.lines().filter(|l| l.starts_with("test result:")) {
        passed += number_before(line, " passed");
        failed += number_before(line, " failed");
    }
    if !out.status.success() && failed == 0 {
        failed = 1;
    }
    Ok((passed, failed))
}

fn number_before(line: &str, label: &str) -> u64 {
    line.find(label)
        .and_then(|end| line[..end].rsplit([' ', '.']).next()?.parse().ok())
        .unwrap_or(0)
}

/// The seeded demo is ready once the server's embedding job has read every profile and
/// posting: until then the recommendations a test reads first would reorder under it as
/// vectors arrive.
fn wait_for_embeddings(cluster: &Cluster, database: &str, server: &ServerProcess) -> Result<()> {
    const WAIT: Duration = Duration::from_secs(600);
    let started = Instant::now();
    loop {
        let due = crate::util::output(cluster.psql(database).args([
            "-tAc",
            "SELECT (SELECT count(*) FROM freelancer_profiles WHERE embedded_version <> text_version)
                  + (SELECT count(*) FROM postings WHERE embedded_version <> text_version)",
        ]))?;
        let due: u64 = due
            .trim()
            .parse()
            .context("counting texts awaiting embedding")?;
        if due == 0 {
            say(format!("demo texts embedded in {:.0?}", started.elapsed()));
            return Ok(());
        }
        if started.elapsed() > WAIT {
            anyhow::bail!(
                "{due} demo texts still await embedding after {WAIT:?}; the server's log is {}",
                server.log.display()
            );
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// Serve the built site against a fresh, seeded database and run Playwright at it.
fn browser_tests(pins: &Pins, cluster: &Cluster, extra: &[String]) -> Result<(u64, u64)> {
    let db_name = format!("olivine_e2e_{}", std::process::id());
    cluster.drop_database(&db_name)?;
    cluster.ensure_database(&db_name)?;
    let url = cluster.url(&db_name);
    let result = (|| {
        let port = free_port()?;
        let data_dir = root().join("target").join(format!("e2e-data-{port}"));
        let _ = std::fs::remove_dir_all(&data_dir);
        let node_env = vec![
            (
                "OLIVINE_DATA_DIR".to_owned(),
                data_dir.display().to_string(),
            ),
            // The AVIF encoder would compete with the browser tests for two cores; the
            // server tests cover it.
            ("OLIVINE_MEDIA_AVIF".to_owned(), "false".to_owned()),
        ];
        migrate_and_seed(&url, false, &node_env)?;
        let oidc = OidcProvider::start(&format!("http://127.0.0.1:{port}"))?;
        let stripe = StripeEmulator::start(
            free_port()?,
            &format!("http://127.0.0.1:{port}/webhooks/stripe"),
            false,
        )?;
        let mut env = oidc.app_env();
        env.extend(stripe.app_env());
        env.extend(node_env);
        // Each Playwright test is a visitor of its own, with its own X-Forwarded-For address
        // (end2end/tests/fixtures.ts): per-address limits then count one test as they count one
        // person, and repeated runs (`--repeat-each`) never meet an address used up before.
        env.push(("OLIVINE_TRUST_PROXY".to_owned(), "true".to_owned()));
        let server = ServerProcess::start(&url, port, false, &env)?;
        wait_for_embeddings(cluster, &db_name, &server)?;
        let report = root().join("target").join("playwright-report.json");
        let _ = std::fs::remove_file(&report);
        let status = in_root("npx")
            .args(["playwright", "test"])
            .args(extra)
            .current_dir(root().join("end2end"))
            .env("BASE_URL", format!("http://127.0.0.1:{port}"))
            .env("CHROMIUM_PATH", &pins.chromium.path)
            .env("CHROMIUM_FLAGS", pins.chromium.flags.join(" "))
            .env("PLAYWRIGHT_JSON_OUTPUT_NAME", &report)
            .stdin(Stdio::null())
            .status()
            .context("cannot run Playwright (npx)")?;
        let server_log = server.log.clone();
        drop(server);
        drop(oidc);
        let _ = std::fs::remove_dir_all(&data_dir);
        let stats = std::fs::read_to_string(&report)
            .ok()
            .and_then(|json| serde_json::from_str::<serde_json::Value>(&json).ok())
            .map(|v| v["stats"].clone());
        let Some(stats) = stats else {
            anyhow::bail!("Playwright wrote no report ({status})");
        };
        let count = |key: &str| stats[key].as_u64().unwrap_or(0);
        // A panic in the server fails the run even when every page a test looked at came back.
        let panics = std::fs::read_to_string(&server_log)
            .map(|log| log.matches("panicked at").count() as u64)
            .unwrap_or(0);
        if panics > 0 {
            say(format!(
                "the server panicked {panics} times during the browser tests"
            ));
        }
        let failed = count("unexpected") + count("flaky") + panics.min(1);
        if failed > 0 || !status.success() {
            say(format!(
                "browser tests failed: the server's log is {}",
                server_log.display()
            ));
        }
        let failed = if !status.success() && failed == 0 {
            1
        } else {
            failed
        };
        Ok((count("expected"), failed))
    })();
    let _ = cluster.drop_database(&db_name);
    result
}

#[cfg(test)]
mod tests {
    use super::number_before;

    #[test]
    fn reads_cargo_test_summaries() {
        let line = "test result: ok. 17 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s";
        assert_eq!(number_before(line, " passed"), 17);
        assert_eq!(number_before(line, " failed"), 2);
        assert_eq!(
            number_before("test result: FAILED. 0 passed; 1 failed;", " failed"),
            1
        );
    }
}
