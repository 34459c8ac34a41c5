//! `cargo xtask db start|stop|status|reset|url|psql`: the private development Postgres cluster.
//!
//! The cluster lives in `.data/pg` (gitignored) with its socket in `.data/run`, listens on
//! 127.0.0.1 only, and trusts local connections: it is a development database, never a server.
//! Postgres refuses to run as root, so as root it runs through the `postgres` user.

use crate::pins::Pins;
use crate::util::{free_port, is_root, output, port_open, root, run, say};
use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use std::process::Command;

pub const USER: &str = "olivine";
pub const DATABASE: &str = "olivine";

pub struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    socket: PathBuf,
    log: PathBuf,
    pub port: u16,
    as_postgres: bool,
}

impl Cluster {
    pub fn new(pins: &Pins) -> Self {
        let as_postgres = is_root();
        let dot_data = data_dir(as_postgres);
        let data = dot_data.join("pg");
        let pinned_port = std::env::var("OLIVINE_DB_PORT")
            .ok()
            .and_then(|p| p.parse().ok());
        // A running cluster keeps the port it was started on (line 4 of postmaster.pid).
        let running_port = std::fs::read_to_string(data.join("postmaster.pid"))
            .ok()
            .and_then(|pid| pid.lines().nth(3)?.trim().parse().ok());
        // A running cluster's port wins; a pin or the default applies when starting one.
        let port = match (running_port, pinned_port) {
            (Some(port), _) | (None, Some(port)) => port,
            (None, None) => {
                let default = pins.postgres.port;
                if port_open(default) {
                    let free = free_port().unwrap_or(default);
                    say(format!(
                        "db: port {default} is taken by another program; using {free} (set OLIVINE_DB_PORT to choose)"
                    ));
                    free
                } else {
                    default
                }
            }
        };
        Cluster {
            bin: pins.postgres.bin_dir(),
            data,
            socket: dot_data.join("run"),
            log: dot_data.join("pg.log"),
            port,
            as_postgres,
        }
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/{database}", self.port)
    }

    fn pg(&self, tool: &str) -> Command {
        let program = self.bin.join(tool);
        if self.as_postgres {
            let mut cmd = Command::new("runuser");
            // From `/`: the postgres user may not be allowed into the current directory.
            cmd.args(["-u", "postgres", "--"])
                .arg(program)
                .current_dir("/");
            cmd
        } else {
            Command::new(program)
        }
    }

    pub fn psql(&self, database: &str) -> Command {
        let mut cmd = Command::new(self.bin.join("psql"));
        cmd.arg(self.url(database))
            .args(["-v", "ON_ERROR_STOP=1", "-q"]);
        cmd
    }

    pub fn is_running(&self) -> bool {
        self.data.join("postmaster.pid").exists()
            && output(self.pg("pg_ctl").arg("status").arg("-D").arg(&self.data)).is_ok()
    }

    fn init(&self) -> Result<()> {
        if self.data.join("PG_VERSION").exists() {
            return Ok(());
        }
        say(format!("db: creating a cluster in {}", self.data.display()));
        for dir in [&self.data, &self.socket] {
            std::fs::create_dir_all(dir)?;
            if self.as_postgres {
                run(Command::new("chown").arg("postgres:postgres").arg(dir))?;
                // Postgres must be able to reach its directories from the filesystem root.
                if !crate::util::succeeds(
                    Command::new("runuser")
                        .args(["-u", "postgres", "--", "test", "-w"])
                        .arg(dir),
                ) {
                    bail!(
                        "the postgres user cannot reach {}: make the folders above it traversable (chmod o+x) or move the checkout",
                        dir.display()
                    );
                }
            }
        }
        run(self
            .pg("initdb")
            .arg("-D")
            .arg(&self.data)
            .args([
                "-U",
                USER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "-N",
            ])
            .stdout(std::process::Stdio::null()))
    }

    pub fn start(&self) -> Result<bool> {
        if self.is_running() {
            return Ok(false);
        }
        if port_open(self.port) {
            bail!(
                "port {} is already taken by another program; set OLIVINE_DB_PORT to a free port",
                self.port
            );
        }
        self.init()?;
        // The log file is written by the server process, so it must be the postgres user's.
        std::fs::write(&self.log, "")?;
        if self.as_postgres {
            run(Command::new("chown")
                .arg("postgres:postgres")
                .arg(&self.log))?;
        }
        // fsync off: a throwaway development cluster trades durability for fast tests. 1 GB of
        // shared buffers holds the matching benchmark's HNSW index and profiles (~400 MB at 100k).
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=1GB -c maintenance_work_mem=512MB",
            self.port,
            self.socket.display()
        );
        run(self
            .pg("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(&self.log)
            .args(["-o", &opts, "-w", "-t", "60", "start"])
            .stdout(std::process::Stdio::null()))
        .with_context(|| format!("Postgres did not start; see {}", self.log.display()))?;
        self.ensure_database(DATABASE)?;
        say(format!("db: running at {}", self.url(DATABASE)));
        Ok(true)
    }

    pub fn stop(&self) -> Result<()> {
        if !self.is_running() {
            return Ok(());
        }
        run(self
            .pg("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "fast", "-w", "stop"])
            .stdout(std::process::Stdio::null()))?;
        say("db: stopped");
        Ok(())
    }

    /// Create `name` if missing, with the extensions the platform needs.
    pub fn ensure_database(&self, name: &str) -> Result<()> {
        let exists = output(self.psql("postgres").args([
            "-tAc",
            &format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"),
        ]))?;
        if exists.trim() != "1" {
            run(self
                .psql("postgres")
                .args(["-c", &format!("CREATE DATABASE \"{name}\"")]))?;
        }
        run(self.psql(name).args([
            "-c",
            "CREATE EXTENSION IF NOT EXISTS vector; CREATE EXTENSION IF NOT EXISTS cube; CREATE EXTENSION IF NOT EXISTS earthdistance;",
        ]))
    }

    pub fn drop_database(&self, name: &str) -> Result<()> {
        run(self.psql("postgres").args([
            "-c",
            &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
        ]))
    }

    pub fn reset(&self) -> Result<()> {
        self.stop()?;
        if self.data.exists() {
            std::fs::remove_dir_all(&self.data)
                .with_context(|| format!("cannot remove {}", self.data.display()))?;
        }
        self.start().map(|_| ())
    }
}

/// `.data` in the checkout, unless Postgres (run as the `postgres` user) could not reach it
/// there: then a folder under /var/tmp named after the checkout, so every checkout keeps its own.
fn data_dir(as_postgres: bool) -> PathBuf {
    let dot_data = root().join(".data");
    if !as_postgres
        || crate::util::succeeds(
            Command::new("runuser")
                .args(["-u", "postgres", "--", "test", "-x"])
                .arg(root()),
        )
    {
        return dot_data;
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in root().to_string_lossy().bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    PathBuf::from("/var/tmp").join(format!("olivine-data-{hash:016x}"))
}

pub fn command(pins: &Pins, args: &[String]) -> Result<()> {
    let cluster = Cluster::new(pins);
    match args.first().map(String::as_str) {
        Some("start") => {
            if !cluster.start()? {
                say(format!("db: already running at {}", cluster.url(DATABASE)));
            }
            Ok(())
        }
        Some("stop") => cluster.stop(),
        Some("status") => {
            if cluster.is_running() {
                println!(
                    "running at {} (data in {})",
                    cluster.url(DATABASE),
                    cluster.data.display()
                );
            } else {
                println!("stopped (data in {})", cluster.data.display());
            }
            Ok(())
        }
        Some("reset") => cluster.reset(),
        Some("url") => {
            println!("{}", cluster.url(DATABASE));
            Ok(())
        }
        Some("psql") => {
            let status = cluster
                .psql(DATABASE)
                .status()
                .context("cannot start psql")?;
            if status.success() {
                Ok(())
            } else {
                bail!("psql exited with {status}")
            }
        }
        _ => bail!("usage: cargo xtask db start|stop|status|reset|url|psql"),
    }
}
