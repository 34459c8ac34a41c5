//! The real `olivine` binary stops cleanly on SIGTERM.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn healthz(port: u16) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

#[sqlx::test(migrations = "../migrations")]
async fn serve_exits_cleanly_on_sigterm(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    // The same server #[sqlx::test] uses, pointed at this test's own database.
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL is set for database tests");
    let database = db
        .connect_options()
        .get_database()
        .expect("a database name")
        .to_owned();
    let url = format!(
        "{}/{database}",
        base.rsplit_once('/').expect("a URL with a path").0
    );

    let port = free_port();
    let data_dir = std::env::temp_dir().join(format!("olivine-shutdown-{port}"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_olivine"))
        .arg("serve")
        .env("OLIVINE_ENV", "dev")
        .env("OLIVINE_DATABASE_URL", &url)
        .env("OLIVINE_ADDR", format!("127.0.0.1:{port}"))
        .env("OLIVINE_LOG", "warn")
        // The search index goes to a throwaway folder, never into the source tree.
        .env("OLIVINE_DATA_DIR", &data_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start olivine");

    let started = Instant::now();
    let mut answered = None;
    while started.elapsed() < Duration::from_secs(20) && answered.is_none() {
        answered = healthz(port);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let answered = answered.expect("olivine answered /healthz");
    assert!(answered.starts_with("HTTP/1.1 200"), "{answered}");

    let killed = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "olivine did not stop within 10 s of SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut stderr = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut stderr);
    }
    assert!(status.success(), "exit status {status}; stderr: {stderr}");
    assert!(healthz(port).is_none(), "the port is closed after shutdown");
    let _ = std::fs::remove_dir_all(&data_dir);
}

/// Without OLIVINE_ENV nothing starts (a forgotten setting must not mean development, with its
/// open mailbox and clock), and the demo seed refuses production.
#[test]
fn the_environment_must_be_named_and_the_demo_seed_refuses_production() {
    let refused = Command::new(env!("CARGO_BIN_EXE_olivine"))
        .arg("serve")
        .env_remove("OLIVINE_ENV")
        .output()
        .expect("run olivine");
    assert_eq!(refused.status.code(), Some(2));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("OLIVINE_ENV") && said.contains("required"),
        "{said}"
    );

    let seeded = Command::new(env!("CARGO_BIN_EXE_olivine"))
        .args(["seed", "--demo"])
        .env("OLIVINE_ENV", "prod")
        .env("OLIVINE_SMTP_URL", "smtps://mail.example:465")
        .env("STRIPE_SECRET_KEY", "sk_live_placeholder")
        .env("STRIPE_PUBLISHABLE_KEY", "pk_live_placeholder")
        .env("STRIPE_WEBHOOK_SECRET", "whsec_placeholder")
        // Nothing listens here: the refusal comes before any connection.
        .env("OLIVINE_DATABASE_URL", "postgres://nobody@127.0.0.1:9/none")
        .output()
        .expect("run olivine");
    assert!(!seeded.status.success());
    let said = String::from_utf8_lossy(&seeded.stderr);
    assert!(said.contains("refusing to seed demo data"), "{said}");
}
