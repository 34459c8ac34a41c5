//! `olivine [serve | migrate | seed --demo | reindex | audit verify | ledger reconcile |
//! vault rewrap | admin create --email …]`

use anyhow::Context;
use server::config::Config;
use tracing_subscriber::EnvFilter;

const USAGE: &str = "usage: olivine [serve | migrate | seed --demo | reindex | audit verify |
               ledger reconcile | vault rewrap | admin create --email ADDRESS]

  serve         serve the site (default)
  migrate       apply pending database migrations
  seed --demo   load the demo catalog and accounts (skips what is already there)
  reindex       rebuild this node's search index from the database
  audit verify  recompute the audit log's hash chain; report the first broken link
                (exit status 1) or the row count and the chain's head hash
  ledger reconcile
                compare the escrow ledger with Stripe (the last 100 days) and check its
                balance; print each difference (exit status 1) or that they agree
  vault rewrap  wrap every person's data key with OLIVINE_MASTER_KEY, opening those the
                old key wrapped with OLIVINE_MASTER_KEY_PREVIOUS (no data is rewritten)
  admin create --email ADDRESS
                make ADDRESS an admin with every scope (creating the account if
                needed; an account without a password gets a set-password link)

Configuration comes from OLIVINE_* environment variables; see README.md.";

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("olivine: configuration error: {error}");
            return std::process::ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_new(&config.log_filter).unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();

    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        [] | ["serve"] => server::serve(config).await,
        ["migrate"] => migrate(&config).await,
        ["seed", "--demo"] => seed(&config).await,
        ["admin", "create", "--email", email] => create_admin(&config, email).await,
        ["reindex"] => reindex(&config).await,
        ["audit", "verify"] => verify_audit(&config).await,
        ["ledger", "reconcile"] => reconcile(&config).await,
        ["vault", "rewrap"] => rewrap(&config).await,
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            return std::process::ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("olivine: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn migrate(config: &Config) -> anyhow::Result<()> {
    let db = server::connect(config).await?;
    server::MIGRATOR
        .run(&db)
        .await
        .context("migration failed")?;
    println!("database schema is up to date");
    let sealed = server::seal_clear_personal_data(&db, &server::vault(config)?).await?;
    if sealed > 0 {
        println!("sealed the address and name of {sealed} people kept in the clear before");
    }
    Ok(())
}

async fn seed(config: &Config) -> anyhow::Result<()> {
    server::seed::refuse_in_production(config.environment)?;
    let db = server::connect(config).await?;
    let report = server::seed::seed_demo(&db, chrono::Utc::now().date_naive()).await?;
    println!("{report}");
    let media = server::media_service(config)?;
    let pictures = server::seed::seed_images(&db, &media).await?;
    println!("demo pictures: {pictures} drawn and processed");
    let vault = server::vault(config)?;
    let people = server::seed::seed_accounts(&db, &vault).await?;
    println!(
        "demo accounts: {people} added (password for all: {})",
        server::seed::DEMO_PASSWORD
    );
    if server::seed::seed_demo_authenticator(&db, &vault).await? {
        println!("demo admin: two-step sign-in on (authenticator key in the README)");
    }
    let hire = server::seed::seed_hire(&db, &vault, chrono::Utc::now().date_naive()).await?;
    println!(
        "demo Hire: {} freelancers, {} certificates and {} shifts added",
        hire.freelancers, hire.certificates, hire.shifts
    );
    Ok(())
}

async fn create_admin(config: &Config, email: &str) -> anyhow::Result<()> {
    let db = server::connect(config).await?;
    let state = server::app_state(config, db)?;
    let done = app::accounts::admin::bootstrap_admin(&state, email)
        .await
        .map_err(|e| anyhow::anyhow!("{}", app::error::AppError::from(e)))?;
    println!(
        "{email} is an admin (catalog, support, finance){}",
        if done.created {
            "; the account was created"
        } else {
            ""
        }
    );
    if let Some(link) = done.password_link {
        println!("choose a password within the hour: {link}");
    }
    Ok(())
}

async fn rewrap(config: &Config) -> anyhow::Result<()> {
    let vault = server::vault(config)?;
    let db = server::connect(config).await?;
    let mut conn = db.acquire().await.context("no database connection")?;
    let rewrapped = vault
        .rewrap_all(&mut conn)
        .await
        .context("cannot rewrap the data keys")?;
    println!(
        "{rewrapped} data keys now wrapped by master key {}",
        vault.master_id()
    );
    Ok(())
}

async fn verify_audit(config: &Config) -> anyhow::Result<()> {
    let db = server::connect(config).await?;
    let mut conn = db.acquire().await.context("no database connection")?;
    match app::audit::verify(&mut conn)
        .await
        .context("cannot read the audit log")?
    {
        app::audit::ChainCheck::Intact { rows, seq, head } => {
            let head = app::audit::trail::hex(&head);
            println!("audit log intact: {rows} rows; head {head} at {seq}");
            Ok(())
        }
        app::audit::ChainCheck::Broken {
            audit_id,
            chain_seq,
        } => anyhow::bail!(
            "audit log broken at row {audit_id} (position {chain_seq} in the chain): it was \
             edited, or a row before it was changed or removed"
        ),
    }
}

async fn reconcile(config: &Config) -> anyhow::Result<()> {
    use app::escrow::reconciliation::{self, Run, model::Trigger};
    let db = server::connect(config).await?;
    let state = server::app_state(config, db)?;
    let done = reconciliation::reconcile(&state, Run::usual(Trigger::Command, None))
        .await
        .map_err(|e| anyhow::anyhow!("{}", app::error::AppError::from(e)))?;
    println!(
        "compared since {}: {} payments into escrow, {} refunds, {} transfers; {} ledger \
         transactions checked in {} ms",
        done.since.format("%Y-%m-%d %H:%M UTC"),
        done.charges,
        done.refunds,
        done.transfers,
        done.transactions,
        (done.finished_at - done.started_at).num_milliseconds()
    );
    if done.differences.is_empty() {
        println!("the ledger and Stripe agree");
        return Ok(());
    }
    for d in &done.differences {
        let amount =
            |m: Option<app::money::Money>| m.map_or_else(|| "-".to_owned(), |m| m.to_string());
        println!(
            "{}: {} {}: ledger {}, Stripe {}: {}",
            d.kind.label(),
            d.object.label(),
            d.reference,
            amount(d.booked),
            amount(d.at_stripe),
            d.detail
        );
    }
    anyhow::bail!(
        "{} differences between the ledger and Stripe",
        done.differences.len()
    )
}

async fn reindex(config: &Config) -> anyhow::Result<()> {
    let db = server::connect(config).await?;
    let products = server::jobs::search_sync::reindex(config, &db).await?;
    println!(
        "search index rebuilt: {products} products in {}",
        config.data_dir.join("search").display()
    );
    Ok(())
}
