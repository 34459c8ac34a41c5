//! `stripe-emulator`: serve the Stripe emulator until stopped.
//!
//! Environment: `STRIPE_EMULATOR_ADDR` (default 127.0.0.1:12111), `STRIPE_EMULATOR_WEBHOOK_URL`
//! (where events go; unset keeps them), and optionally `STRIPE_SECRET_KEY`,
//! `STRIPE_PUBLISHABLE_KEY`, `STRIPE_WEBHOOK_SECRET` (defaults: the emulator's own test keys).

use std::net::SocketAddr;
use stripe_emulator::{EmulatorConfig, start};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let addr: SocketAddr = std::env::var("STRIPE_EMULATOR_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:12111".to_owned())
        .parse()?;
    let mut config = EmulatorConfig::local(std::env::var("STRIPE_EMULATOR_WEBHOOK_URL").ok());
    if let Ok(key) = std::env::var("STRIPE_SECRET_KEY") {
        config.secret_key = key;
    }
    if let Ok(key) = std::env::var("STRIPE_PUBLISHABLE_KEY") {
        config.publishable_key = key;
    }
    if let Ok(secret) = std::env::var("STRIPE_WEBHOOK_SECRET") {
        config.webhook_secret = secret;
    }
    let emulator = start(addr, config).await?;
    tracing::info!("Stripe emulator listening on {}", emulator.base_url());
    tokio::signal::ctrl_c().await?;
    Ok(())
}
