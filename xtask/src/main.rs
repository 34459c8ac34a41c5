//! `cargo xtask …`: the project's own automation. See README.md.

mod bench;
mod db;
mod dev;
mod fuzz;
mod pins;
mod prune;
mod setup;
mod site;
mod sqlx_data;
mod test;
mod util;

use anyhow::Result;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

  setup                 install what is missing (Debian packages, pgvector, wasm target,
                        cargo-leptos, wasm-bindgen-cli, npm packages)
  dev                   setup, start the database, migrate, seed, serve at http://127.0.0.1:3000
  test                  every check; ends with `N passed, N failed`
  test browser [ARGS…]  only the site build and the browser tests, ARGS passed to Playwright
                        (e.g. `--repeat-each=3` to hunt intermittent failures)
  ci                    the same as test (what .ci/run calls)
  db start|stop|status|reset|url|psql
                        the private development Postgres in .data/pg
  sqlx-prepare          rewrite .sqlx from the current queries and migrations
  bench ssr             page-rendering throughput against a static-file ceiling
  bench search [--products N]
                        the search engine vs Postgres full-text search (default 100k products)
  bench media           the image pipeline vs vips on one 12-megapixel photo
  bench checkout        add-to-cart and checkout-start p50/p99 at 1 and 8 concurrent shoppers
  bench ledger          escrow releases through the ledger service: postings/s and release p99 at 1 and 8 workers
  bench renewals [--subscriptions N]
                        subscription renewals due at once through the renewal job (default 10,000):
                        renewals/s, double charges and double orders
  fuzz [--seconds N]    libFuzzer on the image upload entry point (nightly; default 120 s)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("xtask: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<bool> {
    let Some(command) = args.first() else {
        eprintln!("{USAGE}");
        return Ok(false);
    };
    let pins = pins::load()?;
    let rest = &args[1..];
    match command.as_str() {
        "setup" => setup::setup(&pins).map(|()| true),
        "dev" => dev::dev(&pins).map(|()| true),
        "test" if rest.first().is_some_and(|a| a == "browser") => test::browser(&pins, &rest[1..]),
        "test" | "ci" => test::test(&pins),
        "db" => db::command(&pins, rest).map(|()| true),
        "sqlx-prepare" => {
            let cluster = db::Cluster::new(&pins);
            let started = cluster.start()?;
            let result = sqlx_data::clippy_and_check(&cluster, true);
            if started {
                cluster.stop()?;
            }
            result.map(|()| true)
        }
        "bench" => bench::command(&pins, rest).map(|()| true),
        "fuzz" => fuzz::command(&pins, rest).map(|()| true),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(true)
        }
        other => {
            eprintln!("xtask: unknown command `{other}`\n\n{USAGE}");
            Ok(false)
        }
    }
}
