//! `cargo xtask bench <area>`: speed targets measured on loopback, printed as a table and written
//! as JSON under target/bench/. Never timed assertions in tests.

use crate::db::Cluster;
use crate::pins::Pins;
use crate::site::{
    ServerProcess, StripeEmulator, build_site, cargo_build_release, migrate, migrate_and_seed,
};
use crate::util::{free_port, on_path, output, root, run, say, target_dir, wait_for_port};
use anyhow::{Context, Result, bail};
use serde_json::json;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long each load run lasts, and how many connections it holds open.
const RUN_SECONDS: u32 = 10;
const CONNECTIONS: u32 = 8;

const PAGES: &[(&str, &str)] = &[
    ("home", "/"),
    ("category", "/shop/vitamins"),
    ("product", "/products/vitamin-d3-1000-iu"),
];

pub fn command(pins: &Pins, args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        Some("ssr") => ssr(pins),
        Some("search") => search(pins, &args[1..]),
        Some("media") => media(pins),
        Some("checkout") => checkout(pins),
        Some("ledger") => ledger(pins),
        Some("renewals") => renewals(pins, &args[1..]),
        Some("matching") => matching(pins, &args[1..]),
        Some("realtime") => realtime(pins, &args[1..]),
        _ => bail!(
            "usage: cargo xtask bench ssr | search [--products N] | media | checkout | ledger | renewals [--subscriptions N] | matching [--profiles N | --million] | realtime [--clients N] [--rate EVENTS_PER_S] [--seconds N]"
        ),
    }
}

fn ensure_oha(pins: &Pins) -> Result<()> {
    let want = &pins.oha.version;
    if on_path("oha")
        && output(Command::new("oha").arg("--version")).is_ok_and(|v| v.contains(want.as_str()))
    {
        return Ok(());
    }
    say(format!("bench: installing oha {want}"));
    run(Command::new("cargo").args(["install", "oha", "--version", want, "--locked"]))
}

struct Load {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    success: f64,
}

fn load(url: &str) -> Result<Load> {
    let out = output(Command::new("oha").args([
        "--no-tui",
        "--output-format",
        "json",
        "-z",
        &format!("{RUN_SECONDS}s"),
        "-c",
        &CONNECTIONS.to_string(),
        url,
    ]))?;
    let v: serde_json::Value = serde_json::from_str(&out).context("oha printed no JSON")?;
    let num = |x: &serde_json::Value| x.as_f64().unwrap_or(f64::NAN);
    Ok(Load {
        rps: num(&v["summary"]["requestsPerSec"]),
        p50_ms: num(&v["latencyPercentiles"]["p50"]) * 1000.0,
        p99_ms: num(&v["latencyPercentiles"]["p99"]) * 1000.0,
        success: num(&v["summary"]["successRate"]),
    })
}

struct Ceiling(Child);

impl Drop for Ceiling {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `body` with a fresh database `db` (its URL) on the private cluster, dropped afterwards.
fn with_database(pins: &Pins, db: &str, body: impl FnOnce(&str) -> Result<()>) -> Result<()> {
    crate::setup::setup(pins)?;
    let cluster = Cluster::new(pins);
    let we_started_db = cluster.start()?;
    cluster.drop_database(db)?;
    cluster.ensure_database(db)?;
    let result = body(&cluster.url(db));
    let _ = cluster.drop_database(db);
    if we_started_db {
        cluster.stop()?;
    }
    result
}

/// The release server and its Stripe emulator on free ports, over the seeded database `url`;
/// both stop when this is dropped.
struct Serving {
    port: u16,
    _server: ServerProcess,
    _stripe: StripeEmulator,
}

fn serve_release(url: &str) -> Result<Serving> {
    migrate_and_seed(url, true, &[])?;
    let port = free_port()?;
    let stripe = StripeEmulator::start(
        free_port()?,
        &format!("http://127.0.0.1:{port}/webhooks/stripe"),
        true,
    )?;
    let mut env = stripe.app_env();
    // The checkout bench plays many shoppers from one machine; each names its own address.
    env.push(("OLIVINE_TRUST_PROXY".to_owned(), "true".to_owned()));
    let server = ServerProcess::start(url, port, true, &env)?;
    Ok(Serving {
        port,
        _server: server,
        _stripe: stripe,
    })
}

fn ssr(pins: &Pins) -> Result<()> {
    ensure_oha(pins)?;
    with_database(pins, "olivine_bench", |url| {
        say("bench: building the release site");
        build_site(true)?;
        cargo_build_release("benches", "static_ceiling")?;
        let serving = serve_release(url)?;
        let port = serving.port;

        // The ceiling: the very same bytes, served as static files by axum.
        let static_dir = target_dir()?.join("bench").join("ssr-static");
        std::fs::create_dir_all(&static_dir)?;
        for (name, path) in PAGES {
            let html = output(
                Command::new("curl").args(["-sf", &format!("http://127.0.0.1:{port}{path}")]),
            )
            .with_context(|| format!("cannot fetch {path}"))?;
            std::fs::write(static_dir.join(format!("{name}.html")), html)?;
        }
        let ceiling_port = free_port()?;
        let _ceiling = Ceiling(
            Command::new(target_dir()?.join("release").join("static_ceiling"))
                .arg(&static_dir)
                .arg(format!("127.0.0.1:{ceiling_port}"))
                .stdout(Stdio::null())
                .spawn()
                .context("cannot start the static ceiling server")?,
        );
        wait_for_port(ceiling_port, Duration::from_secs(10), "static_ceiling")?;

        let mut rows = Vec::new();
        println!(
            "\n{:<10} {:>10} {:>9} {:>9} | {:>10} {:>9} {:>9} | {:>7}",
            "page", "req/s", "p50 ms", "p99 ms", "static r/s", "p50 ms", "p99 ms", "ratio"
        );
        for (name, path) in PAGES {
            let page = load(&format!("http://127.0.0.1:{port}{path}"))?;
            let ceiling = load(&format!("http://127.0.0.1:{ceiling_port}/{name}.html"))?;
            let ratio = page.rps / ceiling.rps;
            println!(
                "{name:<10} {:>10.0} {:>9.2} {:>9.2} | {:>10.0} {:>9.2} {:>9.2} | {:>6.1}%",
                page.rps,
                page.p50_ms,
                page.p99_ms,
                ceiling.rps,
                ceiling.p50_ms,
                ceiling.p99_ms,
                ratio * 100.0
            );
            rows.push(json!({
                "page": name, "path": path,
                "ssr": {"rps": page.rps, "p50_ms": page.p50_ms, "p99_ms": page.p99_ms, "success_rate": page.success},
                "static": {"rps": ceiling.rps, "p50_ms": ceiling.p50_ms, "p99_ms": ceiling.p99_ms, "success_rate": ceiling.success},
                "ratio_to_ceiling": ratio,
            }));
        }
        let report = json!({
            "bench": "ssr", "seconds_per_run": RUN_SECONDS, "connections": CONNECTIONS,
            "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            "pages": rows,
        });
        let out = root().join("target").join("bench");
        std::fs::create_dir_all(&out)?;
        std::fs::write(out.join("ssr.json"), serde_json::to_string_pretty(&report)?)?;
        say(format!("bench: wrote {}", out.join("ssr.json").display()));
        Ok(())
    })
}

/// Add-to-cart and checkout-start latency under concurrent shoppers, against the release server
/// with its Stripe emulator and a seeded database, on loopback.
fn checkout(pins: &Pins) -> Result<()> {
    with_database(pins, "olivine_bench_checkout", |url| {
        say("bench: building the release site and the checkout benchmark");
        build_site(true)?;
        let serving = serve_release(url)?;
        run_bench("checkout_bench", "checkout.json", |bench, out| {
            bench
                .arg(format!("http://127.0.0.1:{}", serving.port))
                .arg(url)
                .arg(out)
                .arg(RUN_SECONDS.to_string());
        })
    })
}

/// Builds the release benchmark `bin`, runs it with the arguments `args` gives it for its
/// report at `out` (under target/bench/), and says where the report is.
fn run_bench(bin: &str, report: &str, args: impl FnOnce(&mut Command, &Path)) -> Result<()> {
    cargo_build_release("benches", bin)?;
    let out = target_dir()?.join("bench").join(report);
    std::fs::create_dir_all(out.parent().context("no parent")?)?;
    let mut bench = Command::new(target_dir()?.join("release").join(bin));
    args(&mut bench, &out);
    run(&mut bench)?;
    say(format!("bench: wrote {}", out.display()));
    Ok(())
}

/// Hire's escrow ledger: releases booked through the ledger service at 1 and 8 workers.
fn ledger(pins: &Pins) -> Result<()> {
    with_database(pins, "olivine_bench_ledger", |url| {
        say("bench: building the ledger benchmark");
        run_bench("ledger_bench", "ledger.json", |bench, out| {
            bench.arg(url).arg(out).arg(RUN_SECONDS.to_string());
        })
    })
}

/// Subscribe-and-save renewals: 10,000 subscriptions due at once, worked through by two
/// runners of the renewal job against the Stripe emulator.
fn renewals(pins: &Pins, args: &[String]) -> Result<()> {
    let subscriptions: u32 = match args {
        [] => 10_000,
        [flag, n] if flag == "--subscriptions" => {
            n.parse().context("--subscriptions takes a number")?
        }
        _ => bail!("usage: cargo xtask bench renewals [--subscriptions N]"),
    };
    with_database(pins, "olivine_bench_renewals", |url| {
        say(format!(
            "bench: building the renewals benchmark ({subscriptions} subscriptions)"
        ));
        run_bench("renewals_bench", "renewals.json", |bench, out| {
            bench.arg(url).arg(out).arg(subscriptions.to_string());
        })
    })
}

/// The search engine against Postgres full-text search, same data and queries, same run.
fn search(pins: &Pins, args: &[String]) -> Result<()> {
    let products = match args {
        [] => 100_000,
        [flag, n] if flag == "--products" => n.parse().context("--products takes a number")?,
        _ => bail!("usage: cargo xtask bench search [--products N]"),
    };
    with_database(pins, "olivine_bench_search", |url| {
        say(format!(
            "bench: building the search benchmark ({products} products)"
        ));
        run_bench("search_bench", "search.json", |bench, out| {
            bench.arg(url).arg(products.to_string()).arg(out);
        })
    })
}

/// The matching engine: N synthetic freelancers, 200 searches at three selectivities, each
/// against the exact answer.
fn matching(pins: &Pins, args: &[String]) -> Result<()> {
    let profiles = match args {
        [] => 100_000,
        [flag] if flag == "--million" => 1_000_000,
        [flag, n] if flag == "--profiles" => n.parse().context("--profiles takes a number")?,
        _ => bail!("usage: cargo xtask bench matching [--profiles N | --million]"),
    };
    with_database(pins, "olivine_bench_matching", |url| {
        say(format!(
            "bench: building the matching benchmark ({profiles} freelancers)"
        ));
        run_bench("matching_bench", "matching.json", |bench, out| {
            bench
                .arg(url)
                .arg(profiles.to_string())
                .arg(out)
                .envs(pins.embedding_model.env());
        })
    })
}

/// Live notifications: N WebSocket clients on one release node, then the same on two nodes over
/// one database, with events committed at a steady rate to random recipients. Nothing else runs:
/// the database holds only the bench's people (no demo seed, so no background encodes).
fn realtime(pins: &Pins, args: &[String]) -> Result<()> {
    let (mut clients, mut rate, mut seconds) = (5_000_u32, 200_u32, 30_u32);
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value: u32 = rest
            .next()
            .with_context(|| format!("{flag} takes a number"))?
            .parse()
            .with_context(|| format!("{flag} takes a number"))?;
        match flag.as_str() {
            "--clients" => clients = value,
            "--rate" => rate = value,
            "--seconds" => seconds = value,
            _ => bail!(
                "usage: cargo xtask bench realtime [--clients N] [--rate EVENTS_PER_S] [--seconds N]"
            ),
        }
    }
    with_database(pins, "olivine_bench_realtime", |url| {
        say("bench: building the release server and the realtime benchmark");
        build_site(true)?;
        cargo_build_release("benches", "realtime_bench")?;
        migrate(url, true)?;
        let stripe = StripeEmulator::start(free_port()?, "http://127.0.0.1:9/", true)?;
        let env = stripe.app_env();
        let out_dir = target_dir()?.join("bench");
        std::fs::create_dir_all(&out_dir)?;
        println!(
            "\n{:>5} {:>7} {:>8} {:>9} {:>9} {:>9} {:>12} {:>6} {:>6} {:>6}",
            "nodes",
            "clients",
            "events",
            "p50 ms",
            "p99 ms",
            "max ms",
            "KiB/idle conn",
            "lost",
            "dup",
            "wrong"
        );
        let mut nodes: Vec<(u16, ServerProcess)> = Vec::new();
        for count in 1..=2 {
            let port = free_port()?;
            // Each node keeps its own search index (the index takes one writer per directory).
            let mut node_env = env.clone();
            if count > 1 {
                let data = out_dir.join(format!("realtime-node-{count}"));
                node_env.push(("OLIVINE_DATA_DIR".to_owned(), data.display().to_string()));
            }
            nodes.push((port, ServerProcess::start(url, port, true, &node_env)?));
            let list: Vec<String> = nodes
                .iter()
                .map(|(port, server)| format!("127.0.0.1:{port}@{}", server.pid()))
                .collect();
            run(
                Command::new(target_dir()?.join("release").join("realtime_bench"))
                    // It makes its people as the servers would: sealed with their key.
                    .env("OLIVINE_MASTER_KEY", crate::site::run_master_key()?)
                    .arg(url)
                    .arg(out_dir.join(format!("realtime-{count}-node.json")))
                    .arg(list.join(","))
                    .arg(clients.to_string())
                    .arg(rate.to_string())
                    .arg(seconds.to_string()),
            )?;
        }
        say(format!(
            "bench: wrote {}",
            out_dir.join("realtime-{1,2}-node.json").display()
        ));
        Ok(())
    })
}

/// Our image pipeline against Debian's vips on one 12-megapixel photo, same run.
fn media(pins: &Pins) -> Result<()> {
    crate::setup::bench_packages(pins)?;
    say("bench: building the media benchmark");
    run_bench("media_bench", "media.json", |bench, out| {
        bench.arg(out);
    })
}
