//! What the client's integration tests share: a real tenancy server on port 0, seeded with the
//! demo data in a fresh directory (which the test keeps for its caches).

use std::sync::Arc;
use tenancy_server::seed;

pub struct DemoServer {
    pub server: tenancy_server::Running,
    pub dir: tempfile::TempDir,
}

pub async fn demo_server() -> DemoServer {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("server.db").display());
    let store = tenancy_server::SqliteStore::open(&url).await.unwrap();
    seed::run(&store, seed::Profile::Demo, 7).await.unwrap();
    let server = tenancy_server::start(Arc::new(store), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    DemoServer { server, dir }
}
