//! Keeps the shared build directory from filling the disk. Every change to a workspace crate
//! links each server test binary again under a new hash (about 400 MB each, twenty of them),
//! and cargo never removes the old ones; CI reuses one build directory across runs, so they
//! pile up until a link fails with "No space left on device".
//!
//! Only what the workspace itself builds is pruned: test binaries and the workspace crates'
//! libraries. A dependency can have several current builds at once (one per feature set the
//! different cargo invocations ask for), so removing an "older" one would only rebuild it.

use crate::util::{say, target_dir, workspace_metadata};
use anyhow::Result;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::SystemTime;

/// Files smaller than this are left alone: the large ones are test binaries and the server's
/// and app's libraries.
const LARGE: u64 = 50 * 1024 * 1024;

/// One built file: when it was written, its size, where it is.
struct Built {
    modified: SystemTime,
    size: u64,
    path: PathBuf,
}

/// In `debug/deps`, remove every large artifact of the workspace that a newer one of the same
/// name (crate or test, and extension) has replaced. The newest of each stays, so the next
/// build reuses it.
pub fn stale_artifacts() -> Result<()> {
    let ours = workspace_libraries()?;
    let deps = target_dir()?.join("debug").join("deps");
    let Ok(entries) = std::fs::read_dir(&deps) else {
        return Ok(());
    };
    let mut by_name: HashMap<(String, String), Vec<Built>> = HashMap::new();
    for entry in entries.filter_map(Result::ok) {
        let Ok(meta) = entry.metadata() else { continue };
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(key) = artifact_name(&file) else {
            continue;
        };
        let executable = key.1.is_empty() && is_executable(&meta);
        let our_library = ours.contains(&key.0);
        if meta.is_file() && meta.len() >= LARGE && (executable || our_library) {
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            by_name.entry(key).or_default().push(Built {
                modified,
                size: meta.len(),
                path: entry.path(),
            });
        }
    }
    let mut freed = 0;
    for mut versions in by_name.into_values() {
        versions.sort_by_key(|b| std::cmp::Reverse(b.modified));
        for stale in versions.into_iter().skip(1) {
            if std::fs::remove_file(&stale.path).is_ok() {
                freed += stale.size;
            }
        }
    }
    if freed > 0 {
        say(format!(
            "removed {:.1} GB of replaced build artifacts",
            freed as f64 / 1e9
        ));
    }
    Ok(())
}

/// `libapp`, `libtest_support`, …: the file names of the workspace's own libraries.
fn workspace_libraries() -> Result<Vec<String>> {
    let meta = workspace_metadata()?;
    let packages = meta["packages"].as_array().cloned().unwrap_or_default();
    Ok(packages
        .iter()
        .flat_map(|p| p["targets"].as_array().cloned().unwrap_or_default())
        .filter(|t| {
            t["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "lib"))
        })
        .filter_map(|t| {
            t["name"]
                .as_str()
                .map(|n| format!("lib{}", n.replace('-', "_")))
        })
        .collect())
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_: &std::fs::Metadata) -> bool {
    false
}

/// `hire_postings-0123456789abcdef` → (`hire_postings`, ``); `libapp-….rlib` → (`libapp`,
/// `.rlib`). `None` for names without cargo's 16-digit hash.
fn artifact_name(file: &str) -> Option<(String, String)> {
    let (stem, extension) = match file.find('.') {
        Some(dot) => file.split_at(dot),
        None => (file, ""),
    };
    let (name, hash) = stem.rsplit_once('-')?;
    let is_hash = hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit());
    is_hash.then(|| (name.to_owned(), extension.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::artifact_name;

    #[test]
    fn names_group_the_versions_of_one_artifact() {
        assert_eq!(
            artifact_name("hire_postings-0123456789abcdef"),
            Some(("hire_postings".into(), String::new()))
        );
        assert_eq!(
            artifact_name("libapp-89abcdef01234567.rlib"),
            Some(("libapp".into(), ".rlib".into()))
        );
        assert_eq!(artifact_name("libapp.rlib"), None);
        assert_eq!(artifact_name("build-script-build"), None);
    }
}
