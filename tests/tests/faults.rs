//! Faults under the console's core and the server, with real processes (run by
//! `scripts/system.sh`, inside `scripts/with-postgres.sh`):
//!
//! - a server SIGKILLed fifty times during syncs, in the snapshot phase and in the feed phase:
//!   every sync cut off says the server is unreachable, the cache after each kill is intact and
//!   exactly what the same sync stopped cleanly at the same committed cursor leaves (no batch
//!   half-applied), each resumption follows the feed from that cursor, and in the end the cache
//!   equals what the server shows, entity by entity (nothing lost, nothing twice);
//! - PostgreSQL stopped and started under a live server: 503 problems with `Retry-After` while it
//!   is down, 200 again once it is back, the process never exits, no write half-applied;
//! - a full disk under the cache: a `disk_full` error naming the cache, the previous cache intact,
//!   and a good sync once there is room again.
//!
//! The kill test prints its seed; rerun one with `FAULTS_SEED=<seed>`.

use anyhow::{anyhow, bail, ensure, Context, Result};
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::Row;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tenancy::wire::*;
use tenancy::{CommunityId, IntakeId, RoleId, WorkspaceId};
use tenancy_client::cache::views::{MemberQuery, MemberRow, MemberStatus};
use tenancy_client::http::Method;
use tenancy_client::sync::{sync, sync_with_batch, Progress};
use tenancy_client::{ApiClient, Cache, ClientError, ErrorCode};
use tenantry_e2e::check::{canon, Rng};
use tenantry_e2e::{artifacts, Server, DEMO_EMAIL, PASSWORD};

fn seed() -> u64 {
    std::env::var("FAULTS_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1)
    })
}

// ---------- the cache compared with itself and with the server ----------

/// Every table of a cache row by row in primary-key order, without the times a sync ran, the
/// profile it read first, and without the alert volumes (daily series fetched beside the feed, not part of it).
async fn dump(cache: &Cache) -> Result<BTreeMap<String, Vec<String>>> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' AND name NOT LIKE 'alert_volume%' ORDER BY name",
    )
    .fetch_all(cache.pool())
    .await?;
    let mut out = BTreeMap::new();
    for t in tables {
        let info = sqlx::query(&format!("PRAGMA table_info({t})")).fetch_all(cache.pool()).await?;
        let mut cols = Vec::new();
        let mut pk: Vec<(i64, String)> = Vec::new();
        for r in &info {
            let name: String = r.get("name");
            // When it last ran, and the account's profile (`/v1/me`, read at the start of
            // every sync, before any of the feed): not the feed's state.
            if t == "sync_state" && (name == "last_sync_at" || name == "user_json") {
                continue;
            }
            let k: i64 = r.get("pk");
            if k > 0 {
                pk.push((k, name.clone()));
            }
            cols.push(name);
        }
        pk.sort();
        let order: Vec<String> = if pk.is_empty() { cols.clone() } else { pk.into_iter().map(|p| p.1).collect() };
        let select = cols.iter().map(|c| format!("quote({c})")).collect::<Vec<_>>().join(" || char(31) || ");
        let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT {select} FROM {t} ORDER BY {}", order.join(", "))).fetch_all(cache.pool()).await?;
        out.insert(t, rows);
    }
    Ok(out)
}

/// Where two dumps differ (`None`: nowhere).
fn differences(a: &BTreeMap<String, Vec<String>>, b: &BTreeMap<String, Vec<String>>) -> Option<String> {
    if a.keys().ne(b.keys()) {
        return Some(format!("tables {:?} vs {:?}", a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>()));
    }
    for (t, rows) in a {
        let other = &b[t];
        if rows != other {
            let only_a: Vec<_> = rows.iter().filter(|r| !other.contains(r)).take(3).collect();
            let only_b: Vec<_> = other.iter().filter(|r| !rows.contains(r)).take(3).collect();
            return Some(format!("table {t}: {} vs {} rows; only in the first: {only_a:?}; only in the second: {only_b:?}", rows.len(), other.len()));
        }
    }
    None
}

async fn integrity(cache: &Cache) -> Result<()> {
    let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check").fetch_all(cache.pool()).await?;
    ensure!(rows == ["ok"], "PRAGMA integrity_check: {rows:?}");
    Ok(())
}

/// The counts the cache keeps beside the assignments equal the assignments counted.
async fn counts_agree(cache: &Cache) -> Result<()> {
    for (table, kept, counted) in [
        ("role_counts", "SELECT community, role, ws, n FROM role_counts", "SELECT community, role, MIN(ws), COUNT(*) FROM assignments GROUP BY community, role"),
        ("role_holders", "SELECT ws, role, user, n FROM role_holders", "SELECT ws, role, user, COUNT(*) FROM assignments GROUP BY ws, role, user"),
        ("user_holdings", "SELECT ws, user, 0, n FROM user_holdings", "SELECT ws, user, 0, COUNT(*) FROM assignments GROUP BY ws, user"),
    ] {
        let rows = |sql: &'static str| async move {
            let mut v: Vec<[i64; 4]> = sqlx::query(sql).fetch_all(cache.pool()).await?.iter().map(|r| [r.get(0), r.get(1), r.get(2), r.get(3)]).collect();
            v.sort();
            anyhow::Ok(v)
        };
        ensure!(rows(kept).await? == rows(counted).await?, "{table} disagrees with the assignments it counts");
    }
    Ok(())
}


/// A multiset of entities as sorted canonical JSON: equal lists have no row lost, none extra,
/// none twice.
fn sorted<T: Serialize>(items: impl IntoIterator<Item = T>) -> Vec<String> {
    let mut v: Vec<String> = items.into_iter().map(|i| canon(serde_json::to_value(i).unwrap()).to_string()).collect();
    v.sort();
    v
}

/// Every item of a list endpoint, page after page.
async fn all<T: serde::de::DeserializeOwned>(api: &ApiClient, path: &str) -> Result<Vec<T>> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit=1000&cursor={c}"),
            None => format!("{path}{sep}limit=1000"),
        };
        let page: Page<T> = api.get(&url).await.with_context(|| format!("GET {url}"))?;
        items.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(items),
        }
    }
    bail!("{path}: more than 1000 pages")
}

/// A list the server may refuse this user (a role without the permission): empty then.
async fn readable<T: serde::de::DeserializeOwned>(api: &ApiClient, path: &str) -> Result<Vec<T>> {
    match all(api, path).await {
        Err(e) if e.downcast_ref::<ClientError>().is_some_and(|c| c.code == ErrorCode::Forbidden) => Ok(Vec::new()),
        r => r,
    }
}

/// Every active member row of a workspace in the cache's members table, page by page.
async fn member_rows(cache: &Cache, ws: WorkspaceId) -> Result<Vec<MemberRow>> {
    let now = chrono::Utc::now();
    let mut rows = Vec::new();
    loop {
        let q = MemberQuery { workspace_id: Some(ws), status: MemberStatus::Active, offset: rows.len() as u32, limit: 1000, ..Default::default() };
        let page = cache.members(&q, now).await?;
        let total = page.total as usize;
        if page.rows.is_empty() {
            ensure!(rows.len() == total, "the members table says {total} rows and gave {}", rows.len());
            return Ok(rows);
        }
        rows.extend(page.rows);
    }
}

/// Asserts every view of `cache` equals what the server shows its account, entity by entity
/// (a row lost, added or held twice shows); returns how many rows were compared.
async fn cache_equals_server(api: &ApiClient, cache: &Cache, what: &str) -> Result<usize> {
    let me = api.me().await?;
    let live: Vec<Workspace> = me.memberships.iter().map(|m| m.workspace.clone()).collect();
    ensure!(sorted(cache.workspaces(None).await?) == sorted(&live), "{what}: the workspace list");
    let mut rows = live.len();
    let same = |name: String, cached: Vec<String>, server: Vec<String>| -> Result<usize> {
        if cached != server {
            let lost: Vec<_> = server.iter().filter(|s| !cached.contains(s)).take(3).collect();
            let extra: Vec<_> = cached.iter().filter(|c| !server.contains(c)).take(3).collect();
            bail!("{what}: {name}: the cache has {} rows, the server {}; missing from the cache: {lost:?}; not on the server: {extra:?}", cached.len(), server.len());
        }
        Ok(server.len())
    };
    for w in &live {
        let base = format!("/v1/workspaces/{}", w.id);
        let communities: Vec<Community> = all(api, &format!("{base}/communities")).await?;
        rows += same(format!("{} communities", w.slug), sorted(cache.communities(w.id, None).await?), sorted(&communities))?;
        let roles: Vec<Role> = readable(api, &format!("{base}/roles")).await?;
        rows += same(format!("{} roles", w.slug), sorted(cache.roles(w.id).await?), sorted(&roles))?;
        let members: Vec<Member> = all(api, &format!("{base}/members")).await?;
        let page = member_rows(cache, w.id).await?;
        let row = |user, email: &str, role, tf| json!({"user": user, "email": email, "role": role, "2fa": tf});
        rows += same(
            format!("{} member rows", w.slug),
            sorted(page.iter().map(|r| row(r.user_id, &r.email, r.workspace_role, r.two_factor_enabled))),
            sorted(members.iter().map(|m| row(Some(m.user_id), m.email.as_str(), m.role, m.two_factor_enabled))),
        )?;
        let assignments: Vec<RoleAssignment> = readable(api, &format!("{base}/assignments")).await?;
        let held = |a: &RoleAssignment| json!({"id": a.id, "user": a.user_id, "community": a.community_id, "role": a.role_id, "type": a.assignment_type});
        let (mut cached_members, mut cached_assignments) = (Vec::new(), Vec::new());
        for m in &members {
            let d = cache.member(w.id, m.user_id).await?.ok_or_else(|| anyhow!("{what}: {}: member {} is missing from the cache", w.slug, m.email))?;
            cached_assignments.extend(d.assignments.iter().map(held));
            cached_members.push(d.member);
        }
        rows += same(format!("{} members", w.slug), sorted(&cached_members), sorted(&members))?;
        rows += same(format!("{} role assignments", w.slug), sorted(cached_assignments), sorted(assignments.iter().map(held)))?;
        let invitations: Vec<Invitation> = readable(api, &format!("{base}/invitations")).await?;
        rows += same(format!("{} invitations", w.slug), sorted(cache.invitations(w.id).await?), sorted(&invitations))?;
        for c in &communities {
            let intakes: Vec<Intake> = readable(api, &format!("{base}/communities/{}/intakes", c.id)).await?;
            rows += same(format!("{} intakes of {}", w.slug, c.slug), sorted(cache.intakes(c.id).await?), sorted(&intakes))?;
            let keys: Vec<ApiKey> = readable(api, &format!("{base}/communities/{}/api-keys", c.id)).await?;
            rows += same(format!("{} API keys of {}", w.slug, c.slug), sorted(cache.api_keys(c.id).await?), sorted(&keys))?;
        }
        // Alert volumes, beside the feed: the cached series of the workspace's communities.
        let volumes = api.workspace_alert_volumes(w.id).await?;
        let ids: Vec<String> = communities.iter().map(|c| c.id.to_string()).collect();
        let cached: Vec<Value> = sqlx::query("SELECT community_id, day, alerts FROM alert_volumes")
            .fetch_all(cache.pool())
            .await?
            .iter()
            .filter(|r| ids.contains(&r.get::<String, _>(0)))
            .map(|r| json!({"community_id": r.get::<String, _>(0), "day": r.get::<String, _>(1), "alerts": r.get::<i64, _>(2)}))
            .collect();
        rows += same(format!("{} alert volumes", w.slug), sorted(cached), sorted(&volumes))?;
    }
    counts_agree(cache).await?;
    Ok(rows)
}

// ---------- the server's side ----------

/// The server's SQLite file, opened beside the running server.
async fn server_db(server: &Server) -> Result<sqlx::SqlitePool> {
    Ok(sqlx::SqlitePool::connect(&format!("sqlite://{}", server.db_path().display())).await?)
}

async fn latest_seq(db: &sqlx::SqlitePool) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0)").fetch_one(db).await?)
}

/// The change feed as one account sees it, read page by page without faults.
struct FeedLog {
    changes: Vec<RawChange>,
    end: i64,
}

impl FeedLog {
    async fn catch_up(&mut self, api: &ApiClient) -> Result<()> {
        loop {
            let b = api.changes_raw(self.end, 20000).await?;
            self.changes.extend(b.changes);
            self.end = b.next_since;
            if !b.has_more {
                return Ok(());
            }
        }
    }
    /// The changes after `from` up to and including `to`.
    fn between(&self, from: i64, to: i64) -> Vec<RawChange> {
        self.changes.iter().filter(|c| c.seq > from && c.seq <= to).cloned().collect()
    }
}

/// Writes on the server that move the feed: renamed communities, intakes added and removed,
/// a role redefined, the workspace renamed.
struct Writer {
    api: ApiClient,
    ws: WorkspaceId,
    communities: Vec<CommunityId>,
    role: RoleId,
    intakes: Vec<(CommunityId, IntakeId)>,
    n: u64,
}

impl Writer {
    async fn new(api: ApiClient) -> Result<Writer> {
        let me = api.me().await?;
        let ws = me.memberships.iter().find(|m| m.workspace.slug.as_str() == "northwind-mssp").context("the demo's northwind-mssp workspace")?.workspace.id;
        let communities: Vec<Community> = all(&api, &format!("/v1/workspaces/{ws}/communities")).await?;
        let role: Role = api
            .call(Method::POST, &format!("/v1/workspaces/{ws}/roles"), Some(&json!({"name": "Fault Drill", "kind": "custom", "permissions": ["alerts.read"]})), None)
            .await
            .context("creating a custom role")?;
        Ok(Writer { api, ws, communities: communities.iter().map(|c| c.id).collect(), role: role.id, intakes: Vec::new(), n: 0 })
    }

    async fn write(&mut self, rng: &mut Rng) -> Result<()> {
        self.n += 1;
        let n = self.n;
        let ws = self.ws;
        let c = self.communities[rng.below(self.communities.len() as u64) as usize];
        let (method, path, body) = match rng.below(10) {
            0..=3 => (Method::PATCH, format!("/v1/workspaces/{ws}/communities/{c}"), Some(json!({"name": format!("Renamed community {n}")}))),
            4..=5 => (Method::POST, format!("/v1/workspaces/{ws}/communities/{c}/intakes"), Some(json!({"name": format!("Drill intake {n}"), "kind": "edr"}))),
            6 if !self.intakes.is_empty() => {
                let (c, i) = self.intakes.remove(rng.below(self.intakes.len() as u64) as usize);
                (Method::DELETE, format!("/v1/workspaces/{ws}/communities/{c}/intakes/{i}"), None)
            }
            7 => (Method::PATCH, format!("/v1/workspaces/{ws}"), Some(json!({"name": format!("Northwind MSSP {n}")}))),
            _ => (Method::PATCH, format!("/v1/workspaces/{ws}/roles/{}", self.role), Some(json!({"description": format!("Redefined {n}")}))),
        };
        let out: Value = self.api.call(method.clone(), &path, body.as_ref(), None).await.with_context(|| format!("{method} {path}"))?;
        if method == Method::POST {
            let id: IntakeId = serde_json::from_value(out["id"].clone())?;
            self.intakes.push((c, id));
        }
        Ok(())
    }
}

async fn signed_in(server: &Server) -> Result<ApiClient> {
    server.api(DEMO_EMAIL).await
}

/// Brings `mirror` (at cursor `from`) to exactly `to` with a sync that is stopped cleanly there,
/// in the same pages as a sync from `from` reads (the feed's pages are cut at every `batch`-th
/// change after where a sync starts): what a sync cut off at `to` must have left. `rebuild`:
/// `from` is below the feed's floor, so the sync starts from the snapshot.
async fn sync_to(api: &ApiClient, mirror: &Cache, from: i64, to: i64, rebuild: bool, batch: u32) -> Result<()> {
    if to == from {
        return Ok(());
    }
    let stop = std::sync::atomic::AtomicBool::new(false);
    // (A rebuilt sync counts its progress from 0, the others from where they started.)
    let out = sync_with_batch(api, mirror, Some(&stop), batch, |p| {
        let at = if rebuild { p.done as i64 } else { from + p.done as i64 };
        if at >= to {
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    })
    .await?;
    ensure!(out.cursor == to && out.full_resync == rebuild, "the fault-free sync from {from} stopped at {} (rebuilt: {}), not at {to}", out.cursor, out.full_resync);
    Ok(())
}

// ---------- 1. a server killed during syncs ----------

/// How one attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Cut off before the snapshot it had to rebuild from was committed.
    Snapshot,
    /// Cut off while following the feed.
    Feed,
    /// Cut off after the feed's last page was in (fetching the alert volumes, or about to end).
    AfterFeed,
    /// The sync was done before the kill.
    Finished,
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "system: real processes and faults; run by scripts/system.sh"]
async fn a_server_killed_fifty_times_during_a_full_sync_loses_and_duplicates_nothing() -> Result<()> {
    const KILLS: usize = 50;
    const BATCH: u32 = 10;
    /// After how many kills the feed's floor is raised past the cache's cursor.
    const FLOOR_RAISES: [usize; 6] = [4, 12, 20, 28, 36, 44];
    let seed = seed();
    eprintln!("kill test: seed {seed} (rerun with FAULTS_SEED={seed})");
    let mut rng = Rng::new(seed);
    let dir = artifacts("faults-kill");
    let started = Instant::now();
    let mut server = Server::start(&dir, "server")?;
    let db = server_db(&server).await?;
    let api = Arc::new(signed_in(&server).await?);
    let auditor = signed_in(&server).await?;
    let mut writer = Writer::new(signed_in(&server).await?).await?;

    // What a full sync of the demo takes, into a cache of its own, and a sync with nothing to do.
    let mut log = FeedLog { changes: Vec::new(), end: 0 };
    log.catch_up(&auditor).await?;
    let calibration = Cache::open(&dir.join("calibration.db")).await?;
    let t = Instant::now();
    let full = sync_with_batch(&api, &calibration, None, BATCH, |_| {}).await?;
    let full_time = t.elapsed();
    let t = Instant::now();
    sync_with_batch(&api, &calibration, None, BATCH, |_| {}).await?;
    let idle_time = t.elapsed();
    ensure!(full.applied as usize == log.changes.len(), "a full sync applies the feed: {} vs {}", full.applied, log.changes.len());
    ensure!(full.applied > 1000, "the demo is thousands of changes: {}", full.applied);
    eprintln!("a full sync: {} changes in {full_time:?} ({} batches of {BATCH}); one with nothing new: {idle_time:?}", full.applied, full.applied / BATCH as u64);
    let per_change = full_time.as_secs_f64() / full.applied as f64;
    let mut snapshot_time: Option<Duration> = None;
    let mut aim = 1.0f64;
    // Kills still to aim at the snapshot phase of the rebuild under way.
    let mut aims_left = 0u64;

    let cache = Arc::new(Cache::open(&dir.join("cache.db")).await?);
    let mirror = Cache::open(&dir.join("mirror.db")).await?;
    let mut floor = 0i64;
    let mut tally: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut kills, mut attempts, mut writes, mut rebuilds, mut committed_changes, mut resumed_checks) = (0usize, 0usize, 0usize, 0usize, 0usize, 0usize);
    let mut cursors = Vec::new();
    let mut last_finished = false;
    let mut raised = Vec::new();
    // Changes of the feed each attempt committed (from its cursor before to after), and those a
    // rebuild jumped over (the snapshot brought their result).
    let mut skipped_changes = 0usize;
    while kills < KILLS {
        attempts += 1;
        ensure!(attempts <= 3 * KILLS, "only {kills} of {attempts} attempts were cut off by the kill; the timing does not fit this machine");
        let before = cache.state().await?.cursor;
        // Between some kills the feed moves; now and then so far that the cache's cursor falls
        // below the feed's floor and the next sync must rebuild from a snapshot.
        let raise = before >= floor && FLOOR_RAISES.contains(&kills) && !raised.contains(&kills);
        // (A raise needs changes the cache has not seen: the floor goes up to the latest.)
        if last_finished || raise || before >= log.end || rng.chance(30) {
            for _ in 0..5 + rng.below(30) {
                writer.write(&mut rng).await?;
                writes += 1;
            }
        }
        log.catch_up(&auditor).await?;
        // (At set points: each raise is followed by attempts until one gets the snapshot in.)
        if raise {
            raised.push(kills);
            aims_left = 1 + rng.below(3);
            floor = latest_seq(&db).await?;
            sqlx::query("UPDATE feed_floor SET floor = ?").bind(floor).execute(&db).await?;
            eprintln!("attempt {attempts}: the feed's floor raised to {floor} (the cache is at {before})");
            if snapshot_time.is_none() {
                // A sync that has to rebuild, into the calibration cache (behind the floor too):
                // how long until the snapshot is in (its first progress, the first page after it).
                let t = Instant::now();
                let mut committed = None;
                let out = sync_with_batch(&api, &calibration, None, BATCH, |_| {
                    committed.get_or_insert(t.elapsed());
                })
                .await?;
                ensure!(out.full_resync, "a cursor below the floor rebuilds from the snapshot");
                let committed = committed.context("progress after the snapshot")?;
                snapshot_time = Some(committed);
                eprintln!("a sync rebuilding from the snapshot: the snapshot in after {committed:?}, all done after {:?}", t.elapsed());
            }
        }
        let rebuild = before < floor;
        let latest = latest_seq(&db).await?;
        let pending = log.between(before, log.end).len();
        // A rebuild is aimed at a few times before its snapshot is in, then let through: the
        // next kill comes soon after the snapshot's first page (its commit).
        let after_snapshot = rebuild && aims_left == 0;
        let window = match (rebuild, snapshot_time) {
            (true, Some(t)) if !after_snapshot => t.mul_f64(0.6),
            (true, _) => Duration::from_millis(30),
            _ => (idle_time + Duration::from_secs_f64(per_change * pending as f64)).mul_f64(aim),
        };
        let delay = rng.within(window);
        if rebuild {
            aims_left = aims_left.saturating_sub(1);
        }

        let progress: Arc<Mutex<Vec<(Duration, Progress)>>> = Default::default();
        let task = {
            let (api, cache, progress) = (api.clone(), cache.clone(), progress.clone());
            let t = Instant::now();
            tokio::spawn(async move { sync_with_batch(&api, &cache, None, BATCH, |p| progress.lock().unwrap().push((t.elapsed(), p))).await })
        };
        if after_snapshot {
            let t = Instant::now();
            while progress.lock().unwrap().is_empty() && !task.is_finished() {
                ensure!(t.elapsed() < Duration::from_secs(30), "attempt {attempts}: no snapshot within 30 s");
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
        tokio::time::sleep(delay).await;
        let done_before_kill = task.is_finished();
        server.stop(); // SIGKILL, then reaped
        let outcome = tokio::time::timeout(Duration::from_secs(30), task).await.context("the sync did not end within 30 s of the kill")??;
        let after = cache.state().await?.cursor;
        let phase = match &outcome {
            Ok(out) => {
                ensure!(out.cursor == after && !out.interrupted, "attempt {attempts}: a finished sync's outcome is the committed cursor: {out:?} vs {after}");
                Phase::Finished
            }
            Err(e) => {
                ensure!(!done_before_kill, "attempt {attempts}: the sync failed before the kill: {e:?}");
                ensure!(
                    e.code == ErrorCode::Offline && e.message.contains("Cannot reach") && e.message.contains(&server.url),
                    "attempt {attempts}: a sync cut off by the server's death says it cannot reach the server: {e:?}"
                );
                if after < floor {
                    Phase::Snapshot
                } else if after < log.end {
                    Phase::Feed
                } else {
                    Phase::AfterFeed
                }
            }
        };
        if std::env::var_os("FAULTS_VERBOSE").is_some() || rebuild {
            eprintln!("attempt {attempts}: {phase:?} after {delay:?} of {window:?}; cursor {before} → {after}");
        }
        last_finished = phase == Phase::Finished;
        // (The aim follows how fast syncs run now: shorter after one finished before the kill.)
        if !rebuild {
            aim = if last_finished { (aim * 0.8).max(0.2) } else { (aim * 1.05).min(1.0) };
        }
        if phase != Phase::Finished {
            kills += 1;
        }
        *tally.entry(match phase {
            Phase::Snapshot => "snapshot",
            Phase::Feed => "feed",
            Phase::AfterFeed => "after the feed",
            Phase::Finished => "finished before the kill",
        })
        .or_default() += 1;

        // The cursor only moves forward, and the cache is exactly the feed up to it.
        ensure!(after >= before, "attempt {attempts}: the cursor went back from {before} to {after}");
        ensure!(after <= log.end, "attempt {attempts}: the cursor {after} is past the feed's end {}", log.end);
        if rebuild && after >= floor {
            // Rebuilt from the snapshot, which the feed follows from the latest change (or the floor).
            ensure!(after == latest.max(floor), "attempt {attempts}: rebuilt at {after}; the floor is {floor}, the latest change {latest}");
            rebuilds += 1;
        }
        cursors.push(after);
        integrity(&cache).await.with_context(|| format!("attempt {attempts}"))?;
        counts_agree(&cache).await.with_context(|| format!("attempt {attempts}"))?;
        // The same sync without a fault, stopped cleanly where this one was cut off, left the same.
        server.restart()?;
        sync_to(&auditor, &mirror, before, after, rebuild && after >= floor, BATCH).await.with_context(|| format!("attempt {attempts}: the fault-free sync"))?;
        if rebuild && after >= floor {
            skipped_changes += log.between(before, after).len();
        } else {
            committed_changes += log.between(before, after).len();
        }
        if let Some(why) = differences(&dump(&cache).await?, &dump(&mirror).await?) {
            bail!("attempt {attempts} ({phase:?}, cursor {before} → {after}): the cache differs from a sync stopped cleanly at the same cursor: {why}");
        }
        // It resumed from its cursor: the feed's first page it applied was asked from there.
        let first = progress.lock().unwrap().first().copied();
        // (How long the snapshot took this time, for the next kill's aim: timings vary.)
        if let (Some((t, _)), true) = (first, rebuild) {
            snapshot_time = Some(t);
        }
        if let (Some((_, p)), false) = (first, rebuild) {
            ensure!(latest - p.total as i64 == before, "attempt {attempts}: the sync followed the feed from {} instead of the cursor {before}", latest - p.total as i64);
            resumed_checks += 1;
        }
    }

    // The last kills may have left a rebuild to finish: done, without a fault, on both.
    let before = cache.state().await?.cursor;
    if before < floor {
        let out = sync_with_batch(&api, &cache, None, BATCH, |_| {}).await?;
        ensure!(out.full_resync && out.cursor >= floor, "the rebuild left to do: {out:?}");
        sync_to(&auditor, &mirror, before, out.cursor, true, BATCH).await?;
        skipped_changes += log.between(before, out.cursor).len();
        rebuilds += 1;
    }
    // At the end: more writes, one sync to completion, and the cache equals the server.
    for _ in 0..20 {
        writer.write(&mut rng).await?;
        writes += 1;
    }
    log.catch_up(&auditor).await?;
    let before = cache.state().await?.cursor;
    let last = sync_with_batch(&api, &cache, None, BATCH, |_| {}).await?;
    let rest = log.between(before, log.end).len();
    ensure!(last.applied as usize == rest && !last.full_resync, "the last sync applied only what was left ({rest}), not {}", last.applied);
    committed_changes += rest;
    let rows = cache_equals_server(&auditor, &cache, "after the kills").await?;
    let whole = sync_with_batch(&auditor, &mirror, None, BATCH, |_| {}).await?;
    ensure!(whole.cursor == last.cursor, "the fault-free sync ends where the other did: {} vs {}", whole.cursor, last.cursor);
    if let Some(why) = differences(&dump(&cache).await?, &dump(&mirror).await?) {
        bail!("after the kills: the cache differs from the one built without faults: {why}");
    }
    integrity(&cache).await?;
    ensure!(committed_changes + skipped_changes == log.changes.len(), "every change of the feed was committed once or jumped over by a rebuild");
    let monotonic = cursors.windows(2).all(|w| w[0] <= w[1]);
    ensure!(monotonic, "the cursor never went back: {cursors:?}");
    let (snap, feed) = (tally.get("snapshot").copied().unwrap_or(0), tally.get("feed").copied().unwrap_or(0));
    ensure!(snap >= 3, "kills landed in the snapshot phase: {tally:?}");
    ensure!(feed >= 15, "kills landed in the feed phase: {tally:?}");
    eprintln!(
        "kill test: {kills} kills over {attempts} attempts in {:?}: {tally:?}; {rebuilds} rebuilds from the snapshot; {writes} writes; \
         {committed_changes} feed changes committed across attempts + {skipped_changes} jumped over by rebuilds = the feed's {} changes; \
         {resumed_checks} resumptions checked to start at the committed cursor; {rows} rows compared with the server; cursors {:?}",
        started.elapsed(),
        log.changes.len(),
        cursors
    );
    db.close().await;
    Ok(())
}

// ---------- 2. PostgreSQL restarted under live requests ----------

fn env(name: &str) -> Result<String> {
    std::env::var(name).map_err(|_| anyhow!("{name} is not set: run this test under scripts/with-postgres.sh (scripts/system.sh does)"))
}

fn server_bin() -> PathBuf {
    std::env::var_os("TENANCY_SERVER_BIN").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/debug/tenancy-server"))
}

/// `url` with its database name replaced.
fn with_database(url: &str, name: &str) -> Result<String> {
    let (base, _) = url.rsplit_once('/').ok_or_else(|| anyhow!("a database URL ends with /<name>"))?;
    Ok(format!("{base}/{name}"))
}

/// A database of the test's own in the with-postgres cluster (a cluster test may have seeded
/// the shared one), dropped at the end.
struct PgDatabase {
    admin: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let _ = Command::new("psql").args(["-q", "-d", &self.admin, "-c", &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)]).stdout(Stdio::null()).stderr(Stdio::null()).status();
    }
}

/// A server process on PostgreSQL.
struct PgServer {
    child: Child,
    url: String,
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One answer of the request loops.
#[derive(Debug, Clone)]
struct Answer {
    sent: Instant,
    answered: Instant,
    what: String,
    status: Option<u16>,
    content_type: Option<String>,
    retry_after: Option<String>,
    body: String,
}

async fn ask(req: reqwest::RequestBuilder, what: String) -> Answer {
    let sent = Instant::now();
    match req.send().await {
        Ok(res) => {
            let status = Some(res.status().as_u16());
            let header = |n: &str| res.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
            let (content_type, retry_after) = (header("content-type"), header("retry-after"));
            let body = res.text().await.unwrap_or_else(|e| format!("<body lost: {e}>"));
            Answer { sent, answered: Instant::now(), what, status, content_type, retry_after, body }
        }
        Err(e) => Answer { sent, answered: Instant::now(), what, status: None, content_type: None, retry_after: None, body: format!("<no answer: {e}>") },
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "system: real processes and faults; run by scripts/system.sh"]
async fn postgres_restarted_under_live_requests_answers_503_then_recovers() -> Result<()> {
    let (app, jobs, owner, pg, ctl) = (env("TENANCY_DB")?, env("TENANCY_JOBS_DB")?, env("TENANCY_OWNER_DB")?, env("TENANCY_TEST_PG")?, env("TENANCY_TEST_PG_CTL")?);
    let dir = artifacts("faults-postgres");
    let started = Instant::now();
    let name = format!("tenantry_faults_{}", std::process::id());
    let admin = format!("postgres://postgres@{pg}/postgres");
    let created = Command::new("psql").args(["-q", "-v", "ON_ERROR_STOP=1", "-d", &admin, "-c", &format!("CREATE DATABASE {name} OWNER tenancy_owner")]).status()?;
    ensure!(created.success(), "creating the test's database in the cluster at {pg}");
    let _db = PgDatabase { admin: admin.clone(), name: name.clone() };
    let (app, jobs, owner) = (with_database(&app, &name)?, with_database(&jobs, &name)?, with_database(&owner, &name)?);
    let out = Command::new(server_bin()).args(["seed", "--profile", "demo", "--db", &app, "--jobs-db", &jobs, "--owner-db", &owner]).output().context("tenancy-server seed")?;
    ensure!(out.status.success(), "seeding PostgreSQL failed: {}", String::from_utf8_lossy(&out.stderr));

    let addr_file = dir.join("server.addr");
    let log = std::fs::File::create(dir.join("server.log"))?;
    let child = Command::new(server_bin())
        .args(["serve", "--db", &app, "--jobs-db", &jobs, "--owner-db", &owner, "--bind", "127.0.0.1:0", "--addr-file"])
        .arg(&addr_file)
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .context("starting tenancy-server on PostgreSQL")?;
    let mut server = PgServer { child, url: String::new() };
    let t = Instant::now();
    while server.url.is_empty() {
        if let Ok(a) = std::fs::read_to_string(&addr_file) {
            if !a.trim().is_empty() {
                server.url = format!("http://{}", a.trim());
            }
        }
        ensure!(server.child.try_wait()?.is_none(), "the server exited at start; see {}", dir.join("server.log").display());
        ensure!(t.elapsed() < Duration::from_secs(30), "the server did not start; see {}", dir.join("server.log").display());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
    let session: Value = http.post(format!("{}/v1/auth/login", server.url)).json(&json!({"email": DEMO_EMAIL, "password": PASSWORD})).send().await?.json().await?;
    let token = session["access_token"].as_str().context("an access token")?.to_owned();
    let ws: Value = http.get(format!("{}/v1/workspaces", server.url)).bearer_auth(&token).send().await?.json().await?;
    let slug = ws["items"][0]["workspace"]["slug"].as_str().context("a workspace")?.to_owned();

    // Request loops: reads of several kinds, and one that creates workspaces (many rows each:
    // the workspace, its roles, first community, owner, audit entry and feed entries).
    let answers: Arc<Mutex<Vec<Answer>>> = Default::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reads = [
        "/v1/me".to_owned(),
        "/v1/workspaces".to_owned(),
        format!("/v1/workspaces/{slug}/members?limit=50"),
        "/v1/changes?since=0&limit=100".to_owned(),
    ];
    let mut loops = Vec::new();
    // (Two loops of each: while the database is down each request waits out the pool's acquire
    // timeout before its 503.)
    for path in reads.iter().chain(reads.iter()).cloned() {
        let (http, url, token, answers, stop) = (http.clone(), server.url.clone(), token.clone(), answers.clone(), stop.clone());
        loops.push(tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let a = ask(http.get(format!("{url}{path}")).bearer_auth(&token), format!("GET {path}")).await;
                answers.lock().unwrap().push(a);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }));
    }
    let created: Arc<Mutex<Vec<(String, Answer)>>> = Default::default();
    {
        let (http, url, token, created, stop) = (http.clone(), server.url.clone(), token.clone(), created.clone(), stop.clone());
        loops.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let slug = format!("fault-drill-{n}");
                let body = json!({"name": format!("Fault drill {n}"), "slug": slug, "plan": "starter"});
                let a = ask(http.post(format!("{url}/v1/workspaces")).bearer_auth(&token).json(&body), format!("POST /v1/workspaces {slug}")).await;
                created.lock().unwrap().push((slug, a));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }));
    }
    let all_answers = || {
        let mut v: Vec<Answer> = answers.lock().unwrap().clone();
        v.extend(created.lock().unwrap().iter().map(|(_, a)| a.clone()));
        v
    };

    tokio::time::sleep(Duration::from_secs(2)).await;
    let stopping = Instant::now();
    let st = Command::new(&ctl).arg("stop").status()?;
    ensure!(st.success(), "{ctl} stop");
    let down_from = Instant::now();
    eprintln!("PostgreSQL stopped in {:?}", stopping.elapsed());
    tokio::time::sleep(Duration::from_secs(14)).await;
    ensure!(server.child.try_wait()?.is_none(), "the server exited while PostgreSQL was down; see {}", dir.join("server.log").display());
    let down_until = Instant::now();
    let st = Command::new(&ctl).arg("start").status()?;
    ensure!(st.success(), "{ctl} start");
    let back_at = Instant::now();
    eprintln!("PostgreSQL started again in {:?}", back_at - down_until);

    // Recovered: every loop answers 200/201 again within a bounded time, without a restart.
    const RECOVERY: Duration = Duration::from_secs(20);
    let recovered_at = loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let v = all_answers();
        let ok_since = |what: &str| v.iter().any(|a| a.sent >= back_at && a.what.starts_with(what) && matches!(a.status, Some(200 | 201)));
        if ["GET /v1/me", "GET /v1/workspaces", "GET /v1/changes", "POST /v1/workspaces"].iter().all(|w| ok_since(w)) && ok_since(&format!("GET /v1/workspaces/{slug}/members")) {
            break Instant::now();
        }
        ensure!(back_at.elapsed() < RECOVERY, "the server did not answer 200 again within {RECOVERY:?} of PostgreSQL's restart");
    };
    // A while longer: everything sent from now on succeeds.
    let steady_from = Instant::now();
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for l in loops {
        l.await?;
    }
    ensure!(server.child.try_wait()?.is_none(), "the server process exited; see {}", dir.join("server.log").display());

    let v = all_answers();
    let secrets = [app.as_str(), jobs.as_str(), owner.as_str(), pg.as_str(), "tenancy_app", "tenancy_jobs", "tenancy_owner", "sqlx", "pool", "postgres", "password", "connection refused", "io error"];
    let mut during = 0;
    let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
    for a in &v {
        *by_status.entry(a.status.map(|s| s.to_string()).unwrap_or_else(|| "no answer".into())).or_default() += 1;
        // Every answer, whenever it came: a success or a 503; never a dropped connection or a 500.
        ensure!(matches!(a.status, Some(200 | 201 | 503)), "{} answered {:?}: {}", a.what, a.status, a.body);
        if a.answered < stopping {
            ensure!(a.status != Some(503), "{} answered 503 before PostgreSQL stopped: {}", a.what, a.body);
        }
        if a.sent >= steady_from {
            ensure!(matches!(a.status, Some(200 | 201)), "{} answered {:?} after recovery: {}", a.what, a.status, a.body);
        }
        if a.status == Some(503) {
            ensure!(a.content_type.as_deref() == Some("application/problem+json"), "{}: a 503 is a problem document: {:?}", a.what, a.content_type);
            let seconds: u64 = a.retry_after.as_deref().and_then(|r| r.parse().ok()).ok_or_else(|| anyhow!("{}: a 503 says when to retry: {:?}", a.what, a.retry_after))?;
            ensure!((1..=60).contains(&seconds), "Retry-After {seconds}");
            let p: Problem = serde_json::from_str(&a.body).with_context(|| format!("{}: {}", a.what, a.body))?;
            ensure!(p.status == 503 && p.problem_kind() == Some(tenancy::problem::ProblemKind::Unavailable), "{}: {}", a.what, a.body);
            let sentence = p.detail.ends_with('.') && p.detail.split_whitespace().count() >= 6;
            ensure!(sentence && p.detail.to_lowercase().contains("try again"), "a sentence that says what to do: {:?}", p.detail);
            let lower = a.body.to_lowercase();
            for s in secrets {
                ensure!(!lower.contains(&s.to_lowercase()), "{}: the 503 tells internals ({s}): {}", a.what, a.body);
            }
        }
        // Sent while it was down and answered before it was back: the database was not there.
        if a.sent >= down_from && a.answered <= down_until {
            ensure!(a.status == Some(503), "{} answered {:?} while PostgreSQL was down: {}", a.what, a.status, a.body);
            during += 1;
        }
    }
    ensure!(during >= 4, "only {during} answers came while PostgreSQL was down");

    // Writes: each workspace whose creation answered 201 exists whole; one that answered 503
    // "nothing was changed" does not exist at all; one whose commit was cut off is whole or absent.
    let mut feed: Vec<Value> = Vec::new();
    let mut since = 0;
    loop {
        let page: Value = http.get(format!("{}/v1/changes?since={since}&limit=20000", server.url)).bearer_auth(&token).send().await?.json().await?;
        feed.extend(page["changes"].as_array().cloned().unwrap_or_default());
        since = page["next_since"].as_i64().context("a feed page")?;
        if page["has_more"] != true {
            break;
        }
    }
    let in_feed = |id: &str| feed.iter().any(|x| x["kind"] == "workspace" && x["id"] == id);
    let (mut whole, mut absent, mut uncertain) = (0, 0, 0);
    let writes = created.lock().unwrap().clone();
    let mut first_roles: Option<usize> = None;
    for (s, a) in &writes {
        let got = http.get(format!("{}/v1/workspaces/{s}", server.url)).bearer_auth(&token).send().await?;
        let exists = match got.status().as_u16() {
            200 => true,
            404 => false,
            other => bail!("GET /v1/workspaces/{s}: {other}"),
        };
        let detail = serde_json::from_str::<Problem>(&a.body).map(|p| p.detail).unwrap_or_default();
        match (a.status, exists) {
            (Some(201), true) => {}
            (Some(503), false) => {}
            (Some(503), true) if detail.contains("may or may not") => uncertain += 1,
            (st, e) => bail!("{s}: the create answered {st:?} ({detail}) and the workspace {}", if e { "exists" } else { "does not exist" }),
        }
        if exists {
            // Entirely: its roles, its first community, its owner, its feed entry, its audit entry.
            let w: Value = got.json().await?;
            let id = w["id"].as_str().context("an id")?.to_owned();
            let count = |path: String| {
                let (http, token) = (http.clone(), token.clone());
                async move {
                    let v: Value = http.get(path).bearer_auth(&token).send().await?.json().await?;
                    anyhow::Ok(v["items"].as_array().map(|a| a.len()).unwrap_or(0))
                }
            };
            let roles = count(format!("{}/v1/workspaces/{s}/roles?limit=1000", server.url)).await?;
            ensure!(roles > 0 && first_roles.is_none_or(|r| r == roles), "{s}: {roles} roles");
            first_roles = Some(roles);
            ensure!(count(format!("{}/v1/workspaces/{s}/communities", server.url)).await? == 1, "{s}: one community");
            ensure!(count(format!("{}/v1/workspaces/{s}/members", server.url)).await? == 1, "{s}: its owner");
            ensure!(count(format!("{}/v1/workspaces/{s}/audit", server.url)).await? >= 1, "{s}: its audit entry");
            ensure!(in_feed(&id), "{s}: in the change feed");
            whole += 1;
        } else {
            absent += 1;
        }
    }
    let refused = writes.iter().filter(|(_, a)| a.status == Some(503)).count();
    ensure!(refused >= 1, "some creates were sent while PostgreSQL was down: {by_status:?}");
    eprintln!(
        "postgres test in {:?}: {} answers {by_status:?}, {during} of them while PostgreSQL was down; back to 200 {:?} after the restart; \
         {} creates: {whole} whole, {absent} absent, {uncertain} cut off during their commit",
        started.elapsed(),
        v.len(),
        recovered_at - back_at,
        writes.len()
    );
    Ok(())
}

// ---------- 3. a full disk under the cache ----------

/// A tmpfs mounted for the test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size_kib: u64) -> Result<Tmpfs> {
        std::fs::create_dir_all(dir)?;
        let out = Command::new("mount").args(["-t", "tmpfs", "-o", &format!("size={size_kib}k"), "tmpfs"]).arg(dir).output().context("running mount")?;
        if !out.status.success() {
            bail!(
                "mounting a {size_kib} KiB tmpfs at {} failed ({}): this test needs to mount a file system — run it as root, or in a user and mount namespace (unshare --user --map-root-user --mount)",
                dir.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(Tmpfs(dir.to_owned()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Fills the file system under `path` with a file, then gives back `leave` bytes of it.
fn fill(path: &Path, leave: u64) -> Result<u64> {
    use std::io::Write;
    let mut f = std::fs::File::create(path)?;
    let chunk = vec![0x5a_u8; 64 * 1024];
    let mut written = 0u64;
    loop {
        match f.write(&chunk) {
            Ok(0) => break,
            Ok(n) => written += n as u64,
            Err(e) if e.raw_os_error() == Some(28) => break, // ENOSPC
            Err(e) => return Err(e.into()),
        }
    }
    f.sync_all().ok();
    let keep = written.saturating_sub(leave);
    f.set_len(keep)?;
    Ok(keep)
}

/// What the console shows from a cache, view by view.
async fn views(cache: &Cache) -> Result<Value> {
    let mut out = serde_json::Map::new();
    out.insert("state".into(), json!(cache.state().await?.cursor));
    for w in cache.workspaces(None).await? {
        let members = member_rows(cache, w.id).await?;
        let communities = cache.communities(w.id, None).await?;
        let rows = cache.community_rows(w.id, None).await?;
        out.insert(
            w.slug.to_string(),
            json!({
                "workspace": w,
                "communities": communities,
                "community_rows": rows.iter().map(|r| json!([r.community.id, r.members, r.intakes, r.api_keys])).collect::<Vec<_>>(),
                "roles": cache.roles(w.id).await?,
                "members": members.iter().map(|r| json!([r.user_id, r.email, r.workspace_role, r.roles.len()])).collect::<Vec<_>>(),
                "invitations": cache.invitations(w.id).await?,
            }),
        );
    }
    Ok(Value::Object(out))
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "system: real processes and faults; run by scripts/system.sh"]
async fn a_full_disk_under_the_cache_gives_a_clear_error_and_keeps_the_previous_cache() -> Result<()> {
    // (A run killed before its guard unmounted leaves the tmpfs behind, under the artifacts.)
    let leftover = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e/faults-disk/disk");
    if leftover.exists() {
        let _ = Command::new("umount").arg("-l").arg(&leftover).stderr(Stdio::null()).status();
    }
    let dir = artifacts("faults-disk");
    let started = Instant::now();
    let server = Server::start(&dir, "server")?;
    let api = signed_in(&server).await?;
    let mut writer = Writer::new(signed_in(&server).await?).await?;
    let disk = Tmpfs::mount(&dir.join("disk"), 16 * 1024)?;
    let path = disk.0.join("cache.db");

    // A first sync on a disk with room.
    let cache = Cache::open(&path).await?;
    let first = sync(&api, &cache, None, |_| {}).await?;
    ensure!(first.applied > 1000, "the demo synced: {first:?}");
    cache_equals_server(&api, &cache, "the first sync").await?;
    // The app closed and opened again: the WAL is folded into the file.
    cache.pool().close().await;
    drop(cache);
    let cache = Cache::open(&path).await?;
    let sizes: Vec<String> = ["cache.db", "cache.db-wal", "cache.db-shm"].iter().map(|f| format!("{f} {} B", std::fs::metadata(disk.0.join(f)).map(|m| m.len()).unwrap_or(0))).collect();
    let before_views = views(&cache).await?;
    let before_dump = dump(&cache).await?;
    let before = cache.state().await?;

    // The disk fills up; the server changes a lot meanwhile.
    let filler = disk.0.join("filler");
    let filled = fill(&filler, 48 * 1024)?;
    let mut rng = Rng::new(7);
    for _ in 0..200 {
        writer.write(&mut rng).await?;
    }
    let e = sync(&api, &cache, None, |_| {}).await.err().ok_or_else(|| anyhow!("a sync onto a full disk succeeded"))?;
    ensure!(e.code == ErrorCode::DiskFull, "a full disk is said as such: {e:?}");
    ensure!(e.message.contains(&path.display().to_string()) && e.message.contains("free some space"), "the sentence names the cache and says to free space: {}", e.message);

    // The previous cache is intact: as it was, and it opens again (the disk still full).
    let after = cache.state().await?;
    ensure!(after.cursor == before.cursor, "the cursor stayed at {} (now {})", before.cursor, after.cursor);
    if let Some(why) = differences(&before_dump, &dump(&cache).await?) {
        bail!("the failed sync changed the cache: {why}");
    }
    cache.pool().close().await;
    drop(cache);
    let cache = Cache::open(&path).await.context("the cache opens again on the full disk")?;
    integrity(&cache).await?;
    counts_agree(&cache).await?;
    ensure!(views(&cache).await? == before_views, "the views answer as before the failed sync");
    if let Some(why) = differences(&before_dump, &dump(&cache).await?) {
        bail!("reopened, the cache differs from before the failed sync: {why}");
    }

    // Room again: the sync succeeds and the cache equals the server.
    std::fs::remove_file(&filler)?;
    let out = sync(&api, &cache, None, |_| {}).await?;
    ensure!(out.cursor > before.cursor && out.applied > 0 && !out.full_resync, "the sync after freeing space: {out:?}");
    let rows = cache_equals_server(&api, &cache, "after freeing space").await?;
    integrity(&cache).await?;
    eprintln!(
        "disk test in {:?}: after the first sync {sizes:?}; filler {filled} B leaving 48 KiB; the error: {:?}; afterwards {} changes applied, {rows} rows compared with the server",
        started.elapsed(),
        e.message,
        out.applied
    );
    cache.pool().close().await;
    Ok(())
}
