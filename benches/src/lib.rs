//! What the benchmark programs share.

use std::time::Duration;

/// The `q` quantile of `samples` in milliseconds (nearest rank); NaN when there are none.
pub fn percentile(samples: &[Duration], q: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1000.0
}

/// The app over `db` as `olivine serve` would build it (in-memory media), with its Stripe: the
/// emulator, in this process. Keep the emulator as long as the state is used.
pub async fn app_with_emulator(
    db: &sqlx::PgPool,
) -> anyhow::Result<(app::state::AppState, stripe_emulator::Emulator)> {
    use anyhow::Context;
    let keys = stripe_emulator::EmulatorConfig::local(None);
    let stripe = stripe_emulator::start("127.0.0.1:0".parse()?, keys.clone())
        .await
        .context("starting the Stripe emulator")?;
    let config = server::config::Config::from_lookup(|k| match k {
        "OLIVINE_ENV" => Some("dev".to_owned()),
        "OLIVINE_MEDIA_STORE" => Some("memory".to_owned()),
        "OLIVINE_AUDIT_CHECKPOINTS" => Some("memory".to_owned()),
        "OLIVINE_RESTRICTED_STORE" => Some("memory".to_owned()),
        "OLIVINE_MASTER_KEY" => Some(test_support::TEST_MASTER_KEY.to_owned()),
        "OLIVINE_STRIPE_API_BASE" => Some(stripe.base_url()),
        "STRIPE_SECRET_KEY" => Some(keys.secret_key.clone()),
        "STRIPE_PUBLISHABLE_KEY" => Some(keys.publishable_key.clone()),
        "STRIPE_WEBHOOK_SECRET" => Some(keys.webhook_secret.clone()),
        _ => None,
    })
    .context("configuration")?;
    let state = server::app_state(&config, db.clone()).context("app state")?;
    Ok((state, stripe))
}
