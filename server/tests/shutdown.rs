//! The real `olivine` binary stops cleanly on SIGTERM.

use common::process::{Olivine, healthz};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::process::Command;

mod common;

#[sqlx::test(migrations = "../migrations")]
async fn serve_exits_cleanly_on_sigterm(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let olivine = Olivine::start(&db).await;
    let port = olivine.port;
    let (status, stderr) = olivine.stop().await;
    assert!(status.success(), "exit status {status}; stderr: {stderr}");
    assert!(healthz(port).is_none(), "the port is closed after shutdown");
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
        .env("OLIVINE_MASTER_KEY", test_support::TEST_MASTER_KEY)
        // Nothing listens here: the refusal comes before any connection.
        .env("OLIVINE_DATABASE_URL", "postgres://nobody@127.0.0.1:9/none")
        .output()
        .expect("run olivine");
    assert!(!seeded.status.success());
    let said = String::from_utf8_lossy(&seeded.stderr);
    assert!(said.contains("refusing to seed demo data"), "{said}");
}
