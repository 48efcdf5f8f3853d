//! Tenantry's reference tenancy API.
//!
//! `routes` speaks HTTP, `service` applies the tenancy rules of the `tenancy` crate, `store`
//! moves rows (SQLite embedded; PostgreSQL with row-level security). `credentials` makes and
//! checks passwords, tokens and TOTP codes; `seed` fills a store with demo data.

pub mod credentials;
pub mod error;
pub mod routes;
pub mod seed;
pub mod service;
pub mod store;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use service::Service;
pub use store::postgres::{PgStore, PgUrls};
pub use store::sqlite::SqliteStore;

/// Opens the store named by a database URL. PostgreSQL needs the jobs role's URL as well, and
/// runs migrations when given the tables' owner's.
pub async fn open_store(db: &str, jobs_db: Option<&str>, owner_db: Option<&str>) -> anyhow::Result<Arc<dyn store::Store>> {
    if db.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(db).await?))
    } else if db.starts_with("postgres:") || db.starts_with("postgresql:") {
        let Some(jobs) = jobs_db else {
            anyhow::bail!("PostgreSQL needs --jobs-db (TENANCY_JOBS_DB) too: the URL of the tenancy_jobs role that runs the purge and platform-admin work")
        };
        let urls = PgUrls { app: db.to_owned(), jobs: jobs.to_owned(), owner: owner_db.map(str::to_owned) };
        Ok(Arc::new(PgStore::open(&urls).await?))
    } else {
        // Only the scheme: the rest of a URL may hold a password.
        let scheme = db.split(':').next().unwrap_or_default();
        anyhow::bail!("unsupported database URL scheme {scheme:?}; use sqlite://path/to/file.db or postgres://…")
    }
}

/// A running server: its address and a handle that stops it when dropped.
pub struct Running {
    pub addr: SocketAddr,
    pub service: Service,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Serves the API on `bind` (port 0 picks a free port), with the hourly purge job.
pub async fn start(store: Arc<dyn store::Store>, bind: SocketAddr) -> anyhow::Result<Running> {
    let service = Service::new(store);
    let (router, _) = routes::router(service.clone());
    let listener = tokio::net::TcpListener::bind(bind).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let purger = service.clone();
    let task = tokio::spawn(async move {
        let purge = async move {
            let mut every = tokio::time::interval(Duration::from_secs(3600));
            loop {
                every.tick().await;
                if let Err(e) = purger.purge("purge-job", None, chrono::Utc::now()).await {
                    tracing::warn!(error = %e, "purge job failed");
                }
            }
        };
        let serve = axum::serve(listener, router).with_graceful_shutdown(async {
            let _ = rx.await;
        });
        tokio::select! {
            r = serve => if let Err(e) = r { tracing::error!(error = %e, "server stopped") },
            _ = purge => {}
        }
    });
    Ok(Running { addr, service, shutdown: Some(tx), task })
}
