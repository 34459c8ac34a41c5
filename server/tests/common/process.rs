//! The real `olivine` binary as a child process over a test's own database: started, asked
//! for `/healthz`, stopped with SIGTERM.

use sqlx::PgPool;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// The raw answer to `GET /healthz` on `port`, if anything answers.
pub fn healthz(port: u16) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

/// The URL of `db`'s database on the server `#[sqlx::test]` uses.
pub fn database_url(db: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL is set for database tests");
    let database = db
        .connect_options()
        .get_database()
        .expect("a database name")
        .to_owned();
    format!(
        "{}/{database}",
        base.rsplit_once('/').expect("a URL with a path").0
    )
}

/// The environment that points `olivine serve` at the Stripe emulator served at `base`.
pub fn emulator_env(base: &str) -> [(&'static str, &str); 4] {
    [
        ("OLIVINE_STRIPE_API_BASE", base),
        ("STRIPE_SECRET_KEY", "sk_test_olivine_emulator"),
        ("STRIPE_PUBLISHABLE_KEY", "pk_test_olivine_emulator"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_olivine_emulator"),
    ]
}

/// A running `olivine serve`.
pub struct Olivine {
    pub child: Child,
    pub port: u16,
    data_dir: PathBuf,
    /// What it wrote to stderr so far, read as it comes: a pipe nobody reads fills up and
    /// blocks the server's next log line.
    stderr: Arc<Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Olivine {
    /// `olivine serve` on a free port over `db`, once it answers `/healthz` (within 20 s).
    pub async fn start(db: &PgPool) -> Olivine {
        Self::start_with(db, &[]).await
    }

    /// As [`Olivine::start`], with more of its environment (`(variable, value)`).
    pub async fn start_with(db: &PgPool, env: &[(&str, &str)]) -> Olivine {
        let port = free_port();
        let data_dir = std::env::temp_dir().join(format!("olivine-process-{port}"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_olivine"))
            .arg("serve")
            .env("OLIVINE_ENV", "dev")
            .env("OLIVINE_DATABASE_URL", database_url(db))
            .env("OLIVINE_ADDR", format!("127.0.0.1:{port}"))
            .env("OLIVINE_LOG", "warn")
            // The search index goes to a throwaway folder, never into the source tree.
            .env("OLIVINE_DATA_DIR", &data_dir)
            // Every process over one database seals personal data with the same key.
            .env("OLIVINE_MASTER_KEY", test_support::TEST_MASTER_KEY)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start olivine");
        let stderr = Arc::new(Mutex::new(String::new()));
        let reader = child.stderr.take().map(|pipe| {
            let stderr = stderr.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    let mut text = stderr.lock().unwrap_or_else(PoisonError::into_inner);
                    text.push_str(&line);
                    text.push('\n');
                }
            })
        });
        // Owned at once: dropped (on a failed start too), it is killed and waited for.
        let mut olivine = Olivine {
            child,
            port,
            data_dir,
            stderr,
            reader,
        };
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if let Some(answer) = healthz(port) {
                assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
                return olivine;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = olivine.child.kill();
        let _ = olivine.child.wait();
        panic!(
            "olivine did not answer /healthz within 20 s: {}",
            olivine.stderr()
        );
    }

    /// SIGTERM, then its exit status (within 10 s) and what it wrote to stderr.
    pub async fn stop(mut self) -> (ExitStatus, String) {
        let killed = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .expect("kill");
        assert!(killed.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "olivine did not stop within 10 s of SIGTERM"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        (status, self.stderr())
    }

    /// SIGKILL, as a crash: nothing of it runs on.
    pub fn kill(self) {
        drop(self);
    }

    /// What it wrote to stderr so far (all of it once it has stopped).
    pub fn stderr(&mut self) -> String {
        if self.child.try_wait().ok().flatten().is_some()
            && let Some(reader) = self.reader.take()
        {
            let _ = reader.join();
        }
        self.stderr
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for Olivine {
    fn drop(&mut self) {
        // A failed test must not leave a server behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}
