//! `tenancy-server serve | seed | openapi`.

use clap::{Parser, Subcommand};

// glibc's allocator spent a third of the change feed's CPU consolidating the small blocks that
// SQLite rows and JSON leave behind; mimalloc does not.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::net::SocketAddr;

#[derive(Parser)]
#[command(name = "tenancy-server", about = "Tenantry's reference tenancy API")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (migrations run at start).
    Serve {
        /// Database URL, e.g. sqlite://tenantry.db, or postgres://tenancy_app@host/tenantry
        #[arg(long, env = "TENANCY_DB", default_value = "sqlite://tenantry.db")]
        db: String,
        #[command(flatten)]
        pg: PgRoles,
        /// Address to listen on; port 0 picks a free one.
        #[arg(long, env = "TENANCY_BIND", default_value = "127.0.0.1:8480")]
        bind: SocketAddr,
        /// Write the bound address to this file once listening (for scripts using port 0).
        #[arg(long)]
        addr_file: Option<std::path::PathBuf>,
    },
    /// Fill a database with a deterministic data set.
    Seed {
        #[arg(long, value_enum, default_value = "demo")]
        profile: tenancy_server::seed::Profile,
        #[arg(long, env = "TENANCY_DB", default_value = "sqlite://tenantry.db")]
        db: String,
        #[command(flatten)]
        pg: PgRoles,
        /// Same number, same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Print the OpenAPI document.
    Openapi,
}

/// The other PostgreSQL roles' URLs (ignored for SQLite).
#[derive(clap::Args)]
struct PgRoles {
    /// URL of the tenancy_jobs role (purge, platform-admin work), e.g. postgres://tenancy_jobs@host/tenantry
    #[arg(long, env = "TENANCY_JOBS_DB")]
    jobs_db: Option<String>,
    /// URL of the tables' owner; when given, migrations run at start.
    #[arg(long, env = "TENANCY_OWNER_DB")]
    owner_db: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()))
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve { db, pg, bind, addr_file } => {
            let store = tenancy_server::open_store(&db, pg.jobs_db.as_deref(), pg.owner_db.as_deref()).await?;
            let running = tenancy_server::start(store, bind).await?;
            tracing::info!("tenancy API listening on {}", running.url());
            if let Some(f) = addr_file {
                std::fs::write(f, running.addr.to_string())?;
            }
            tokio::signal::ctrl_c().await?;
            running.stop().await;
        }
        Command::Seed { profile, db, pg, seed } => {
            let store = tenancy_server::open_store(&db, pg.jobs_db.as_deref(), pg.owner_db.as_deref()).await?;
            let report = tenancy_server::seed::run(&*store, profile, seed).await?;
            println!("{report}");
        }
        Command::Openapi => {
            let (_, doc) = tenancy_server::routes::router(tenancy_server::Service::new(std::sync::Arc::new(NoStore)));
            println!("{}", doc.to_pretty_json()?);
        }
    }
    Ok(())
}

/// A store that is never opened: printing the document needs the routes, not a database.
struct NoStore;
#[async_trait::async_trait]
impl tenancy_server::store::Store for NoStore {
    async fn begin(&self, _: bool, _: Option<tenancy::UserId>) -> tenancy_server::store::R<Box<dyn tenancy_server::store::Tx>> {
        Err(tenancy_server::store::StoreError::Corrupt("no database".into()))
    }
}
