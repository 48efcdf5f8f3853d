//! Tenantry's reference tenancy API.
//!
//! `api` speaks HTTP, `service` applies the tenancy rules of the `tenancy` crate, `store` moves
//! rows (SQLite embedded; PostgreSQL beside it later). `seed` fills a store with demo data.

pub mod api;
pub mod auth;
pub mod error;
pub mod seed;
pub mod service;
pub mod store;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use service::Service;
pub use store::sqlite::SqliteStore;

/// Opens the store named by a database URL.
pub async fn open_store(db: &str) -> anyhow::Result<Arc<dyn store::Store>> {
    if db.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(db).await?))
    } else {
        anyhow::bail!("unsupported database URL {db:?}; use sqlite://path/to/file.db")
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
    let (router, _) = api::router(service.clone());
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
