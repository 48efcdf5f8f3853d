//! What both console benches (`console.rs`, `xl.rs`) measure the same way on a synced cache.

use std::time::{Duration, Instant};
use tenancy::*;
use tenancy_client::cache::views::{MemberQuery, MemberStatus};
use tenancy_client::Cache;

pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The median of 7 runs of `f`.
pub async fn median_of_7<F: std::future::Future<Output = ()>>(mut f: impl FnMut() -> F) -> Duration {
    let mut runs = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        f().await;
        runs.push(t.elapsed());
    }
    median(runs)
}

/// The aggregate over `communities` (all of the workspace's), and the first members page with a
/// filter (the Analyst role in the first 10 communities, 2FA on) with its rows: medians of 7.
pub async fn aggregate_and_page(cache: &Cache, ws: WorkspaceId, communities: &[CommunityId], now: chrono::DateTime<chrono::Utc>) -> (Duration, Duration, usize) {
    let aggregate = median_of_7(|| async {
        let a = cache.aggregate(ws, communities, now).await.unwrap();
        assert!(a.members > 10_000);
    })
    .await;
    let roles = cache.roles(ws).await.unwrap();
    let analyst = roles.iter().find(|r| r.name.as_str() == "Analyst").unwrap().id;
    let q = MemberQuery {
        workspace_id: Some(ws),
        communities: communities[..10].to_vec(),
        role_id: Some(analyst),
        two_factor: Some(true),
        status: MemberStatus::All,
        limit: 100,
        ..Default::default()
    };
    let rows = std::cell::Cell::new(0);
    let page = median_of_7(|| async {
        let p = cache.members(&q, now).await.unwrap();
        assert!(p.total > 0);
        rows.set(p.rows.len());
    })
    .await;
    (aggregate, page, rows.get())
}
