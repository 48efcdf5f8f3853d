//! The console core on `mssp-xl` (10,000 communities, 100,000 users, 1,000,000 role
//! assignments) against `mssp-large` (a tenth of that), both on a server over PostgreSQL: full
//! sync, delta sync, the aggregate and a members page, and for each the cost per row on
//! mssp-xl over that on mssp-large (issue 16: within 2×). Prints a Markdown table.
//!
//! Runs inside `scripts/with-postgres.sh` (without `TENANCY_TEST_PG` it says so and stops).
//! Each seed is a database of its own in the cluster, made once and kept when the cluster is
//! (`TENANTRY_PG_KEEP=<dir>`): `bench_mssp_large` and `bench_mssp_xl`, marked seeded by their
//! comment as the server's load bench marks its own. The consoles' caches go in
//! `TENANTRY_BENCH_DIR` (mssp-xl's takes a few GB) and are deleted after each run.
//!
//! `TENANTRY_PG_KEEP=target/bench/pg-xl TENANTRY_BENCH_DIR=target/bench/xl scripts/with-postgres.sh cargo bench -p tenancy-client --bench xl`
//! (what `make bench` runs).

use std::sync::Arc;
use std::time::{Duration, Instant};
use tenancy::wire::*;
use tenancy::*;
use tenancy_client::secret::MemorySecrets;
use tenancy_client::{sync::sync, ApiClient, Cache};
use tenancy_server::seed::{self, Profile, DEMO_EMAIL, DEMO_PASSWORD};

mod common;
use common::median;

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// One seed's measurements, each with the rows it covers.
struct Measured {
    /// Full sync into an empty cache, and the feed entities it applied.
    full: (Duration, usize),
    /// Delta sync, and the changes it applied.
    delta: (Duration, usize),
    /// The aggregate over all communities, and their number.
    aggregate: (Duration, usize),
    /// The first members page with a filter, and its rows.
    page: (Duration, usize),
}

/// The database of `profile` in the cluster, seeded once: its app, jobs and owner URLs.
async fn seeded(pg: &str, profile: Profile, name: &str) -> tenancy_server::PgUrls {
    let admin = sqlx::PgPool::connect(&format!("postgres://postgres@{pg}/postgres")).await.expect("the cluster of scripts/with-postgres.sh");
    let url = |role: &str| format!("postgres://{role}@{pg}/{name}");
    let urls = tenancy_server::PgUrls { app: url("tenancy_app"), jobs: url("tenancy_jobs"), owner: Some(url("tenancy_owner")) };
    // A database is seeded when its comment says so (a seed cut short is made again).
    let state: Option<String> = sqlx::query_scalar("SELECT COALESCE(shobj_description(oid, 'pg_database'), 'new') FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_optional(&admin)
        .await
        .unwrap();
    if state.as_deref() != Some("seeded") {
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name}")).execute(&admin).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name} OWNER tenancy_owner")).execute(&admin).await.unwrap();
        eprintln!("seeding {profile:?} into {name} (once)…");
        let t = Instant::now();
        let store = tenancy_server::PgStore::open(&urls).await.unwrap();
        let r = seed::run(&store, profile, 1).await.unwrap();
        eprintln!("{} in {:.0} s", r.to_string().lines().next().unwrap(), t.elapsed().as_secs_f64());
        // Fresh statistics for the planner, as autovacuum would gather them soon after.
        let owner = sqlx::PgPool::connect(urls.owner.as_deref().unwrap()).await.unwrap();
        sqlx::query("ANALYZE").execute(&owner).await.unwrap();
        owner.close().await;
        sqlx::query(&format!("COMMENT ON DATABASE {name} IS 'seeded'")).execute(&admin).await.unwrap();
    }
    admin.close().await;
    urls
}

async fn measure(data: &std::path::Path, urls: &tenancy_server::PgUrls, label: &str, runs: usize) -> Measured {
    let store = tenancy_server::PgStore::open(urls).await.unwrap();
    let server = tenancy_server::start(Arc::new(store), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let api = ApiClient::new(&tenancy_client::account_ref::AccountRef::new(&server.url(), DEMO_EMAIL).unwrap(), Arc::new(MemorySecrets::default())).unwrap();
    api.sign_in(DEMO_PASSWORD, None).await.unwrap();

    // Full sync into an empty cache (a new cache each time; the last one stays for what follows).
    let mut times = Vec::new();
    let mut entities = 0;
    let mut kept: Option<(Cache, std::path::PathBuf)> = None;
    for i in 0..runs {
        if let Some((old, path)) = kept.take() {
            drop(old);
            remove_cache(&path);
        }
        let cache_path = data.join(format!("cache-{label}-{}-{i}.db", std::process::id()));
        let cache = Cache::open(&cache_path).await.unwrap();
        let t = Instant::now();
        let out = sync(&api, &cache, None, |_| {}).await.unwrap();
        times.push(t.elapsed());
        entities = out.applied as usize;
        eprintln!("{label}: full sync {} of {entities} entities", ms(*times.last().unwrap()));
        // Wait for the sync's WAL checkpoint, so the next run does not share the machine with it.
        loop {
            let busy: i64 = sqlx::query_scalar("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(cache.pool()).await.unwrap();
            if busy == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        kept = Some((cache, cache_path));
    }
    let full = median(times);
    let (cache, cache_path) = kept.unwrap();

    // Delta of 100 changes (named back afterwards, so that the kept seed stays as seeded).
    let me = api.me().await.unwrap();
    let ws = me.memberships[0].workspace.id;
    let communities = cache.communities(ws, None).await.unwrap();
    let renamed: Vec<_> = communities.iter().take(100).collect();
    for (i, c) in renamed.iter().enumerate() {
        let name = Name::parse(&format!("{} (renamed {i})", c.name.as_str().chars().take(60).collect::<String>())).unwrap();
        api.update_community(ws, c.id, &UpdateCommunity { name: Some(name), ..Default::default() }, None).await.unwrap();
    }
    let t = Instant::now();
    let d = sync(&api, &cache, None, |_| {}).await.unwrap();
    let delta = t.elapsed();
    assert_eq!(d.applied, 100);
    for c in &renamed {
        api.update_community(ws, c.id, &UpdateCommunity { name: Some(c.name.clone()), ..Default::default() }, None).await.unwrap();
    }

    // The aggregate over all communities (alert volumes came with the full sync) and a filtered
    // members page.
    let ids: Vec<CommunityId> = communities.iter().map(|c| c.id).collect();
    let (aggregate, page, rows) = common::aggregate_and_page(&cache, ws, &ids, chrono::Utc::now()).await;

    drop(cache);
    remove_cache(&cache_path);
    server.stop().await;
    Measured { full: (full, entities), delta: (delta, d.applied as usize), aggregate: (aggregate, ids.len()), page: (page, rows) }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let Ok(pg) = std::env::var("TENANCY_TEST_PG") else {
        eprintln!("the mssp-xl bench runs on PostgreSQL: run it inside scripts/with-postgres.sh (TENANTRY_PG_KEEP=<dir> keeps its seeds)");
        return;
    };
    let data = std::env::var("TENANTRY_BENCH_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| std::env::temp_dir().join("tenantry-bench-xl"));
    std::fs::create_dir_all(&data).unwrap();
    let runs: usize = std::env::var("TENANTRY_BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(3);

    let large_urls = seeded(&pg, Profile::MsspLarge, "bench_mssp_large").await;
    let xl_urls = seeded(&pg, Profile::MsspXl, "bench_mssp_xl").await;
    let large = measure(&data, &large_urls, "mssp-large", runs).await;
    let xl = measure(&data, &xl_urls, "mssp-xl", runs).await;

    println!("| measurement (PostgreSQL; median of {runs} full syncs, 7 of the rest) | mssp-large | mssp-xl | xl / large per row |");
    println!("|---|---|---|---|");
    let mut verdicts = Vec::new();
    for (what, unit, l, x) in [
        ("full sync into an empty cache", "feed entities", large.full, xl.full),
        ("delta sync", "changes", large.delta, xl.delta),
        ("aggregate over all communities", "communities", large.aggregate, xl.aggregate),
        ("first members page, role+10 communities+2FA filter", "rows", large.page, xl.page),
    ] {
        let per = |(t, n): (Duration, usize)| t.as_secs_f64() / n.max(1) as f64;
        let ratio = per(x) / per(l);
        println!("| {what} | {} ({} {unit}) | {} ({} {unit}) | {ratio:.2}× |", ms(l.0), l.1, ms(x.0), x.1);
        verdicts.push(format!("{what}: xl / large = {ratio:.2}× (target ≤ 2×, {})", if ratio <= 2.0 { "met" } else { "not met" }));
    }
    println!();
    for v in verdicts {
        println!("- {v}");
    }
}

fn remove_cache(path: &std::path::Path) {
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", path.display()));
    }
}
