//! The committed `.sqlx` query data: proven current by `test`, rewritten by `sqlx-prepare`.
//!
//! Instead of installing sqlx-cli, this does what `cargo sqlx prepare` does: expand every query
//! macro against a freshly migrated database with SQLX_OFFLINE_DIR set, and compare (or copy).

use crate::db::Cluster;
use crate::test::SERVER_SIDE;
use crate::util::{cargo, root, run, target_dir};
use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const SCHEMA_DB: &str = "olivine_sqlx";

/// Run clippy over the server-side crates with the macros online; then require `.sqlx` to equal
/// what they wrote (or, with `update`, replace it).
pub fn clippy_and_check(cluster: &Cluster, update: bool) -> Result<()> {
    cluster.drop_database(SCHEMA_DB)?;
    cluster.ensure_database(SCHEMA_DB)?;
    let mut migrations: Vec<_> = std::fs::read_dir(root().join("migrations"))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    migrations.sort();
    for file in &migrations {
        run(cluster.psql(SCHEMA_DB).arg("-1").arg("-f").arg(file))
            .with_context(|| format!("migration {} failed", file.display()))?;
    }

    let out_dir = target_dir()?.join("sqlx-check");
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir)?;
    // The macros only run when their crate recompiles.
    for crate_root in ["app/src/lib.rs", "server/src/lib.rs"] {
        std::fs::File::options()
            .append(true)
            .open(root().join(crate_root))?
            .set_modified(std::time::SystemTime::now())?;
    }
    let status = Command::new(cargo())
        .current_dir(root())
        .arg("clippy")
        .args(SERVER_SIDE)
        .args(["--all-targets", "--", "-D", "warnings"])
        .env("SQLX_OFFLINE", "false")
        .env("DATABASE_URL", cluster.url(SCHEMA_DB))
        .env("SQLX_OFFLINE_DIR", &out_dir)
        .status()
        .context("cannot run cargo clippy")?;
    let _ = cluster.drop_database(SCHEMA_DB);
    if !status.success() {
        bail!("clippy found problems (see above)");
    }

    let committed_dir = root().join(".sqlx");
    let fresh = read_dir_files(&out_dir)?;
    if update {
        let _ = std::fs::remove_dir_all(&committed_dir);
        std::fs::create_dir_all(&committed_dir)?;
        for (name, content) in &fresh {
            std::fs::write(committed_dir.join(name), content)?;
        }
        println!("xtask: wrote {} query files to .sqlx", fresh.len());
        return Ok(());
    }
    let committed = read_dir_files(&committed_dir).unwrap_or_default();
    let stale: Vec<&String> = committed
        .keys()
        .filter(|k| fresh.get(*k) != committed.get(*k))
        .collect();
    let missing: Vec<&String> = fresh
        .keys()
        .filter(|k| !committed.contains_key(*k))
        .collect();
    if stale.is_empty() && missing.is_empty() {
        return Ok(());
    }
    bail!(
        ".sqlx is out of date ({} stale, {} missing): run `cargo xtask sqlx-prepare` and commit .sqlx",
        stale.len(),
        missing.len()
    )
}

fn read_dir_files(dir: &Path) -> Result<BTreeMap<String, String>> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|x| x == "json") {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            files.insert(name, std::fs::read_to_string(&path)?);
        }
    }
    Ok(files)
}
