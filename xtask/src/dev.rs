//! `cargo xtask dev`: install what is missing, start the database, migrate, seed, build, serve.

use crate::db::{Cluster, DATABASE};
use crate::pins::Pins;
use crate::site::{StripeEmulator, build_site, migrate_and_seed, site_root};
use crate::test::offline;
use crate::util::{run, say};
use anyhow::Result;
use std::process::Command;

pub fn dev(pins: &Pins) -> Result<()> {
    crate::setup::setup(pins)?;
    let cluster = Cluster::new(pins);
    cluster.start()?;
    let url = cluster.url(DATABASE);
    say("dev: building the site (the first build takes a few minutes)");
    build_site(false)?;
    migrate_and_seed(&url, false, &[])?;
    // Payments go to the Stripe emulator unless real keys are configured.
    let stripe = if std::env::var_os("STRIPE_SECRET_KEY").is_none() {
        let emulator =
            StripeEmulator::start(12111, "http://127.0.0.1:3000/webhooks/stripe", false)?;
        say("dev: Stripe emulator at http://127.0.0.1:12111 (pay with 4242 4242 4242 4242)");
        Some(emulator)
    } else {
        None
    };
    say(
        "dev: serving at http://127.0.0.1:3000 — edits rebuild and reload; Ctrl-C stops (the database keeps running: `cargo xtask db stop`)",
    );
    let mut watch = offline(Command::new("cargo-leptos"));
    watch
        .arg("watch")
        .env("OLIVINE_ENV", "dev")
        .env("OLIVINE_DATABASE_URL", &url)
        .env("OLIVINE_SITE_ROOT", site_root())
        .envs(pins.embedding_model.env())
        .envs(stripe.iter().flat_map(StripeEmulator::app_env));
    let served = run(&mut watch);
    drop(stripe);
    served
}
