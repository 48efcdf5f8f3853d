//! `make bench`: the console core on the `mssp-large` seed (1,000 communities, 20,000 users,
//! 200,000 role assignments), against a real server on loopback. Prints a Markdown table.
//!
//! The floor for a full sync is measured in the same run: downloading and reading the same
//! change-feed JSON, page after page, exactly as the sync reads it (`follow_feed`: each
//! entity's JSON checked and kept as text), without applying it.

use std::sync::Arc;
use std::time::{Duration, Instant};
use tenancy::wire::*;
use tenancy::*;
use tenancy_client::cache::views::MemberQuery;
use tenancy_client::secret::MemorySecrets;
use tenancy_client::{sync::sync, ApiClient, Cache};
use tenancy_server::seed::{self, DEMO_EMAIL, DEMO_PASSWORD};

mod common;
use common::median;

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let data = std::env::var("TENANTRY_BENCH_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| std::env::temp_dir().join("tenantry-bench"));
    std::fs::create_dir_all(&data).unwrap();
    let db = data.join("mssp-large.db");
    let url = format!("sqlite://{}", db.display());
    if !db.exists() {
        eprintln!("seeding mssp-large into {} (once)…", db.display());
        let t = Instant::now();
        let store = tenancy_server::SqliteStore::open(&url).await.unwrap();
        let r = seed::run(&store, seed::Profile::MsspLarge, 1).await.unwrap();
        eprintln!("{} in {:.0} s", r.to_string().lines().next().unwrap(), t.elapsed().as_secs_f64());
    }
    let store = tenancy_server::SqliteStore::open(&url).await.unwrap();
    let server = tenancy_server::start(Arc::new(store), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let api = ApiClient::new(&tenancy_client::account_ref::AccountRef::new(&server.url(), DEMO_EMAIL).unwrap(), Arc::new(MemorySecrets::default())).unwrap();
    api.sign_in(DEMO_PASSWORD, None).await.unwrap();

    // Floor: the same feed, downloaded and read as the sync reads it (each page asked for
    // while the previous one is read), nothing applied. Median of 3, as the full sync.
    let mut runs = Vec::new();
    let mut entities = 0usize;
    for _ in 0..3 {
        let t = Instant::now();
        let (pages, mut read) = tokio::sync::mpsc::channel::<Result<RawChangeBatch, tenancy_client::ClientError>>(1);
        let count = async {
            let mut entities = 0usize;
            while let Some(page) = read.recv().await {
                let b = page.unwrap();
                entities += b.changes.len();
                if !b.has_more {
                    break;
                }
            }
            entities
        };
        let ((), n) = tokio::join!(tenancy_client::sync::follow_feed(&api, 0, tenancy_client::sync::BATCH, pages), count);
        runs.push(t.elapsed());
        entities = n;
    }
    let floor = median(runs);

    // Full sync into an empty cache, three times (a new cache each time; the last one stays
    // for what follows).
    let mut runs = Vec::new();
    let mut checkpoints = Vec::new();
    let mut kept = None;
    for i in 0..3 {
        let cache_path = data.join(format!("cache-{}-{i}.db", std::process::id()));
        let cache = Cache::open(&cache_path).await.unwrap();
        let t = Instant::now();
        let out = sync(&api, &cache, None, |_| {}).await.unwrap();
        runs.push(t.elapsed());
        assert_eq!(out.applied as usize, entities);
        // The sync leaves its WAL to a checkpoint in the background; wait for it here, so the
        // next run does not share the machine with it, and say how long it took.
        let t = Instant::now();
        loop {
            let busy: i64 = sqlx::query_scalar("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(cache.pool()).await.unwrap();
            if busy == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        checkpoints.push(t.elapsed());
        if let Some((old, path)) = kept.replace((cache, cache_path)) {
            drop(old);
            remove_cache(&path);
        }
    }
    let (min, max) = (*runs.iter().min().unwrap(), *runs.iter().max().unwrap());
    let full = median(runs);
    let (cache, cache_path) = kept.unwrap();

    // Delta of 100 changes.
    let me = api.me().await.unwrap();
    let ws = me.memberships[0].workspace.id;
    let communities = cache.communities(ws, None).await.unwrap();
    for (i, c) in communities.iter().take(100).enumerate() {
        let name = Name::parse(&format!("{} (renamed {i})", c.name.as_str().chars().take(60).collect::<String>())).unwrap();
        api.update_community(ws, c.id, &UpdateCommunity { name: Some(name), ..Default::default() }, None).await.unwrap();
    }
    let t = Instant::now();
    let d = sync(&api, &cache, None, |_| {}).await.unwrap();
    let delta = t.elapsed();
    assert_eq!(d.applied, 100);

    // The aggregate over all communities (alert volumes came with the full sync) and a filtered
    // members page.
    let ids: Vec<CommunityId> = communities.iter().map(|c| c.id).collect();
    let now = chrono::Utc::now();
    let (aggregate, page, _) = common::aggregate_and_page(&cache, ws, &ids, now).await;
    let roles = cache.roles(ws).await.unwrap();
    let analyst = roles.iter().find(|r| r.name.as_str() == "Analyst").unwrap().id;
    let q2 = MemberQuery { workspace_id: Some(ws), search: Some("garcia".into()), limit: 100, ..Default::default() };
    let mut runs = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        cache.members(&q2, now).await.unwrap();
        runs.push(t.elapsed());
    }
    let search = median(runs);

    // A member with an Analyst role in 10 of the 1,000 communities: their first sync holds only
    // what they see (confinement), and so is far smaller and faster than the owner's.
    let email = format!("bench-member-{}@bench.example", std::process::id());
    let registered = reqwest::Client::new()
        .post(format!("{}/v1/auth/register", server.url()))
        .json(&serde_json::json!({"email": email, "display_name": "Bench member", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status().as_u16(), 201);
    let offers: Vec<serde_json::Value> = ids[..10].iter().map(|c| serde_json::json!({"community_id": c, "role_id": analyst})).collect();
    let inv: serde_json::Value = api
        .call(reqwest::Method::POST, &format!("/v1/workspaces/{ws}/invitations"), Some(&serde_json::json!({"email": email, "assignments": offers})), None)
        .await
        .unwrap();
    let member = ApiClient::new(&tenancy_client::account_ref::AccountRef::new(&server.url(), &email).unwrap(), Arc::new(MemorySecrets::default())).unwrap();
    member.sign_in(DEMO_PASSWORD, None).await.unwrap();
    let _: serde_json::Value = member.call(reqwest::Method::POST, &format!("/v1/invitations/{}/accept", inv["id"].as_str().unwrap()), Some(&serde_json::json!({})), None).await.unwrap();
    let mut runs = Vec::new();
    let mut member_entities = 0;
    for i in 0..3 {
        let path = data.join(format!("cache-member-{}-{i}.db", std::process::id()));
        let c = Cache::open(&path).await.unwrap();
        let t = Instant::now();
        member_entities = sync(&member, &c, None, |_| {}).await.unwrap().applied;
        runs.push(t.elapsed());
        assert_eq!(c.communities(ws, None).await.unwrap().len(), 10, "the member sees their 10 communities");
        drop(c);
        remove_cache(&path);
    }
    let member_full = median(runs);

    let ratio = full.as_secs_f64() / floor.as_secs_f64();
    let met = |ok: bool| if ok { "met" } else { "not met" };
    let within = |d: Duration, limit_ms: f64| met(d.as_secs_f64() * 1000.0 <= limit_ms);
    println!("| measurement (mssp-large: {entities} feed entities) | result | target | |");
    println!("|---|---|---|---|");
    println!("| download + parse the feed alone (floor, median of 3) | {} | — | |", ms(floor));
    println!("| full sync into an empty cache (median of 3; {}–{}) | {} ({ratio:.2}× floor) | ≤ 1.5× floor | {} |", ms(min), ms(max), ms(full), met(ratio <= 1.5));
    println!("| … then its WAL checkpoint, in the background (median of 3) | {} | — | |", ms(median(checkpoints)));
    let member_ratio = member_full.as_secs_f64() / full.as_secs_f64();
    println!(
        "| first sync as a member of 10 communities ({member_entities} entities; median of 3) | {} ({member_ratio:.2}× the owner's) | far below the owner's (≤ 0.25×) | {} |",
        ms(member_full),
        met(member_ratio <= 0.25)
    );
    println!("| delta sync of 100 changes | {} | ≤ 50 ms | {} |", ms(delta), within(delta, 50.0));
    println!("| aggregate over all 1,000 communities (median of 7) | {} | ≤ 20 ms | {} |", ms(aggregate), within(aggregate, 20.0));
    println!("| first members page, role+10 communities+2FA filter (median of 7) | {} | ≤ 10 ms | {} |", ms(page), within(page, 10.0));
    println!("| first members page, text search (median of 7) | {} | ≤ 10 ms | {} |", ms(search), within(search, 10.0));
    drop(cache);
    if std::env::var_os("TENANTRY_BENCH_KEEP_CACHE").is_some() {
        eprintln!("cache kept at {}", cache_path.display());
        server.stop().await;
        return;
    }
    remove_cache(&cache_path);
    server.stop().await;
}

fn remove_cache(path: &std::path::Path) {
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", path.display()));
    }
}
