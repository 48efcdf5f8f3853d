//! The cache is a faithful mirror of what its account may see.
//!
//! - After a seeded random run of mutations by several users (most of them refused), with syncs
//!   at random points, every user's cache answers every view exactly as the server answers that
//!   user — and keeps nothing of workspaces the user has left.
//! - A sync interrupted at random points resumes to the very cache one uninterrupted sync builds.
//! - A cursor older than the feed keeps rebuilds the cache from the server's current state.
//!
//! The random run prints its seed; rerun one with `CACHE_SEED=<seed>`.

use chrono::Utc;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tenancy::wire::*;
use tenancy::*;
use tenancy_client::cache::views::{MemberQuery, MemberStatus};
use tenancy_client::secret::MemorySecrets;
use tenancy_client::sync::{sync, sync_with_batch, SyncOutcome};
use tenancy_client::{ApiClient, Cache, ClientError, ErrorCode};
use tenancy_server::seed;
use uuid::Uuid;

const PASSWORD: &str = "cache-correctness-password";

// ---------- a small deterministic PRNG (xorshift64*) ----------

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        // splitmix64 once, so that small seeds do not start in a weak state
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<T: Clone>(&mut self, v: &[T]) -> Option<T> {
        (!v.is_empty()).then(|| v[self.below(v.len())].clone())
    }
}

fn seed_from_env(default: u64) -> u64 {
    std::env::var("CACHE_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

// ---------- a server on port 0, and its database for picking targets ----------

struct Server {
    running: tenancy_server::Running,
    url: String,
    db: sqlx::SqlitePool,
    dir: tempfile::TempDir,
}

async fn server(demo: bool) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("server.db").display());
    let store = tenancy_server::SqliteStore::open(&db_url).await.unwrap();
    if demo {
        seed::run(&store, seed::Profile::Demo, 7).await.unwrap();
    }
    let running = tenancy_server::start(Arc::new(store), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let db = sqlx::SqlitePool::connect(&db_url).await.unwrap();
    Server { url: running.url(), running, db, dir }
}

impl Server {
    /// One text column of a query, in the order the query gives.
    async fn column(&self, sql: &str, binds: &[&str]) -> Vec<String> {
        let mut q = sqlx::query_scalar::<_, String>(sql);
        for b in binds {
            q = q.bind(*b);
        }
        q.fetch_all(&self.db).await.unwrap()
    }
    /// Two text columns.
    async fn pairs(&self, sql: &str, binds: &[&str]) -> Vec<(String, String)> {
        let mut q = sqlx::query_as::<_, (String, String)>(sql);
        for b in binds {
            q = q.bind(*b);
        }
        q.fetch_all(&self.db).await.unwrap()
    }
    /// Every workspace of the instance: (id, slug, deleted).
    async fn workspaces(&self) -> Vec<(String, String, bool)> {
        sqlx::query_as::<_, (String, String, bool)>("SELECT id, slug, deleted_at IS NOT NULL FROM workspaces ORDER BY rowid").fetch_all(&self.db).await.unwrap()
    }
    async fn is_member(&self, ws: &str, user: &str) -> bool {
        !self.column("SELECT user_id FROM members WHERE workspace_id = ? AND user_id = ?", &[ws, user]).await.is_empty()
    }
    async fn latest_seq(&self) -> i64 {
        sqlx::query_scalar("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0)").fetch_one(&self.db).await.unwrap()
    }
}

// ---------- people: an account, its API client and its cache ----------

struct Person {
    name: String,
    email: String,
    id: UserId,
    api: ApiClient,
    cache: Cache,
    totp: bool,
}

async fn register(s: &Server, name: &str) -> Person {
    let email = format!("{name}@cache-test.example");
    let res = reqwest::Client::new()
        .post(format!("{}/v1/auth/register", s.url))
        .json(&json!({"email": email, "display_name": name, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201, "register {name}: {}", res.text().await.unwrap_or_default());
    let api = ApiClient::new(&tenancy_client::account_ref::AccountRef::new(&s.url, &email).unwrap(), Arc::new(MemorySecrets::default())).unwrap();
    let user = api.sign_in(PASSWORD, None).await.unwrap();
    let cache = Cache::open(&s.dir.path().join(format!("cache-{name}.db"))).await.unwrap();
    Person { name: name.to_owned(), email, id: user.id, api, cache, totp: false }
}

/// An authenticated call with a JSON body; refusals come back as errors, server faults panic.
async fn call(p: &Person, method: Method, path: &str, body: Option<Value>) -> Result<Value, ClientError> {
    let r = p.api.call::<Value, Value>(method.clone(), path, body.as_ref(), None).await;
    if let Err(e) = &r {
        assert!(
            !matches!(e.code, ErrorCode::Internal | ErrorCode::Offline | ErrorCode::Unauthorized),
            "{} {method} {path}: the server failed instead of answering: {e:?}",
            p.name
        );
    }
    r
}

/// Every item of a list endpoint (asked with `limit=1000`: one page).
async fn list<T: DeserializeOwned>(p: &Person, path: &str) -> Result<Vec<T>, ClientError> {
    let page: Page<T> = p.api.get(path).await?;
    assert!(page.next_cursor.is_none(), "{path}: the test expects one page");
    Ok(page.items)
}

async fn do_sync(p: &Person, batch: Option<u32>) -> SyncOutcome {
    let out = match batch {
        Some(b) => sync_with_batch(&p.api, &p.cache, None, b, |_| {}).await,
        None => sync(&p.api, &p.cache, None, |_| {}).await,
    };
    let out = out.unwrap_or_else(|e| panic!("sync of {}: {e:?}", p.name));
    assert!(!out.interrupted);
    out
}

// ---------- comparing the cache with the server, as sorted sets ----------

/// The value with every array sorted (by its elements' JSON), so that order never matters.
fn canon(v: Value) -> Value {
    match v {
        Value::Array(a) => {
            let mut items: Vec<Value> = a.into_iter().map(canon).collect();
            items.sort_by_cached_key(|i| i.to_string());
            Value::Array(items)
        }
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, canon(v))).collect()),
        v => v,
    }
}

/// A multiset of entities as sorted canonical JSON strings.
fn sorted<T: Serialize>(items: impl IntoIterator<Item = T>) -> Vec<String> {
    let mut v: Vec<String> = items.into_iter().map(|i| canon(serde_json::to_value(i).unwrap()).to_string()).collect();
    v.sort();
    v
}

/// Rows the cache holds for a workspace, in every table.
async fn rows_of_workspace(cache: &Cache, ws: &str) -> i64 {
    let mut n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM workspaces WHERE id = ?").bind(ws).fetch_one(cache.pool()).await.unwrap();
    for t in ["communities", "members", "roles", "assignments", "invitations", "api_keys", "intakes"] {
        let k: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {t} WHERE workspace_id = ?")).bind(ws).fetch_one(cache.pool()).await.unwrap();
        n += k;
    }
    // Nor its number in the interned ids.
    let k: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM keys WHERE id = ?").bind(ws).fetch_one(cache.pool()).await.unwrap();
    n + k
}

/// Every query of `p`'s cache equals what the server shows `p`. Returns how many views were
/// compared.
async fn check_user(s: &Server, p: &Person, label: &str) -> usize {
    let ctx = format!("[{label}] {}:", p.name);
    let me = p.api.me().await.unwrap();
    let live: Vec<Workspace> = me.memberships.iter().map(|m| m.workspace.clone()).collect();
    let cached = p.cache.workspaces(None).await.unwrap();
    assert_eq!(sorted(&cached), sorted(&live), "{ctx} the workspace list");
    let mut views = 1;

    // Workspaces the user is not in leave nothing behind; deleted ones they are in stay known,
    // as deleted.
    for (ws, slug, deleted) in s.workspaces().await {
        if !s.is_member(&ws, &p.id.to_string()).await {
            let n = rows_of_workspace(&p.cache, &ws).await;
            assert_eq!(n, 0, "{ctx} the cache keeps {n} rows of {slug}, a workspace this user does not belong to");
        } else if deleted {
            let w = p.cache.workspace(ws.parse().unwrap()).await.unwrap().unwrap_or_else(|| panic!("{ctx} {slug} is deleted, but the cache forgot it"));
            assert!(w.deleted_at.is_some(), "{ctx} {slug} is deleted on the server, not in the cache");
            let version: i64 = sqlx::query_scalar("SELECT version FROM workspaces WHERE id = ?").bind(&ws).fetch_one(&s.db).await.unwrap();
            assert_eq!(w.version, version, "{ctx} {slug}: the deleted workspace's version");
        }
        views += 1;
    }
    for w in &live {
        views += check_workspace(p, w, &ctx).await;
    }
    views + assert_counts(&p.cache, &ctx).await
}

/// The counts kept beside the assignments equal the assignments counted. Returns how many
/// tables were compared.
async fn assert_counts(cache: &Cache, ctx: &str) -> usize {
    let mut views = 0;
    for (table, kept, counted) in [
        ("role_counts", "SELECT community, role, ws, n FROM role_counts", "SELECT community, role, MIN(ws), COUNT(*) FROM assignments GROUP BY community, role"),
        ("role_holders", "SELECT ws, role, user, n FROM role_holders", "SELECT ws, role, user, COUNT(*) FROM assignments GROUP BY ws, role, user"),
        ("user_holdings", "SELECT ws, user, 0, n FROM user_holdings", "SELECT ws, user, 0, COUNT(*) FROM assignments GROUP BY ws, user"),
    ] {
        let rows = |sql: &'static str| async move {
            let mut v: Vec<[i64; 4]> = sqlx::query(sql).fetch_all(cache.pool()).await.unwrap().iter().map(|r| [r.get(0), r.get(1), r.get(2), r.get(3)]).collect();
            v.sort();
            v
        };
        assert_eq!(rows(kept).await, rows(counted).await, "{ctx} {table}");
        views += 1;
    }
    views
}

/// A community's intakes as the server lists them to `p`: none when it refuses them.
async fn readable_intakes(p: &Person, base: &str, c: CommunityId) -> Vec<Intake> {
    match list::<Intake>(p, &format!("{base}/communities/{c}/intakes?limit=1000")).await {
        Ok(intakes) => intakes,
        Err(e) if e.code == ErrorCode::Forbidden => Vec::new(),
        Err(e) => panic!("intakes of {c}: {e:?}"),
    }
}

async fn check_workspace(p: &Person, w: &Workspace, ctx: &str) -> usize {
    let now = Utc::now();
    let ctx = format!("{ctx} {}:", w.slug);
    let base = format!("/v1/workspaces/{}", w.id);
    let cache = &p.cache;
    let mut views = 0;

    let communities: Vec<Community> = list(p, &format!("{base}/communities?limit=1000")).await.unwrap();
    assert_eq!(sorted(cache.communities(w.id, None).await.unwrap()), sorted(&communities), "{ctx} communities");
    let roles: Vec<Role> = list(p, &format!("{base}/roles?limit=1000")).await.unwrap();
    assert_eq!(sorted(cache.roles(w.id).await.unwrap()), sorted(&roles), "{ctx} roles");

    // Members: the members table (active rows) and each member's detail.
    let members: Vec<Member> = list(p, &format!("{base}/members?limit=1000")).await.unwrap();
    let q = MemberQuery { workspace_id: Some(w.id), status: MemberStatus::Active, limit: 1000, ..Default::default() };
    let page = cache.members(&q, now).await.unwrap();
    assert_eq!(page.total as usize, members.len(), "{ctx} member count");
    let row = |user: Option<UserId>, email: &str, name: &str, role: WorkspaceRole, tf: bool| json!({"user": user, "email": email, "name": name, "role": role, "2fa": tf});
    assert_eq!(
        sorted(page.rows.iter().map(|r| row(r.user_id, &r.email, &r.display_name, r.workspace_role, r.two_factor_enabled))),
        sorted(members.iter().map(|m| row(Some(m.user_id), m.email.as_str(), &m.display_name, m.role, m.two_factor_enabled))),
        "{ctx} member rows (emails, roles, 2FA)"
    );
    assert!(page.rows.iter().all(|r| !r.pending && r.invitation_id.is_none()), "{ctx} active rows are members");

    // Role assignments: the server's list vs the rows' roles and the members' details. (The
    // cache does not keep an assignment's creation time, so that is left out.)
    let assignments: Vec<RoleAssignment> = list(p, &format!("{base}/assignments?limit=1000")).await.unwrap();
    let held = |a: &RoleAssignment, with_id: bool| {
        json!({"id": if with_id { Some(a.id) } else { None }, "user": a.user_id, "community": a.community_id, "role": a.role_id, "type": a.assignment_type})
    };
    let row_roles: Vec<Value> = page
        .rows
        .iter()
        .flat_map(|r| r.roles.iter().map(move |x| json!({"id": null, "user": r.user_id, "community": x.community_id, "role": x.role_id, "type": x.assignment_type})))
        .collect();
    assert_eq!(sorted(row_roles), sorted(assignments.iter().map(|a| held(a, false))), "{ctx} role assignments in the members table");
    let mut detail_assignments = Vec::new();
    let mut cached_members = Vec::new();
    for m in &members {
        let d = cache.member(w.id, m.user_id).await.unwrap().unwrap_or_else(|| panic!("{ctx} member {} missing from the cache", m.email));
        detail_assignments.extend(d.assignments.iter().map(|a| held(a, true)));
        cached_members.push(d.member.clone());
        // Effective permissions, with their provenance.
        let server: Value = p.api.get(&format!("{base}/members/{}/permissions", m.user_id)).await.unwrap();
        assert_eq!(canon(serde_json::to_value(&d.permissions).unwrap()), canon(server), "{ctx} effective permissions of {}", m.email);
        views += 1;
    }
    assert_eq!(sorted(&cached_members), sorted(&members), "{ctx} member entities");
    assert_eq!(sorted(detail_assignments), sorted(assignments.iter().map(|a| held(a, true))), "{ctx} role assignments in member details");

    // Invitations: all of them, and the pending ones as rows of the members table.
    let invitations: Vec<Invitation> = list(p, &format!("{base}/invitations?limit=1000")).await.unwrap();
    assert_eq!(sorted(cache.invitations(w.id).await.unwrap()), sorted(&invitations), "{ctx} invitations");
    let q = MemberQuery { workspace_id: Some(w.id), status: MemberStatus::Invited, limit: 1000, ..Default::default() };
    let invited = cache.members(&q, now).await.unwrap();
    let pending: Vec<&Invitation> = invitations.iter().filter(|i| i.status == InvitationStatus::Pending && i.expires_at > now).collect();
    let inv_row = |id: Option<InvitationId>, email: &str, role: WorkspaceRole, roles: Vec<Value>| json!({"id": id, "email": email, "role": role, "roles": roles});
    assert_eq!(
        sorted(invited.rows.iter().map(|r| inv_row(
            r.invitation_id,
            &r.email,
            r.workspace_role,
            r.roles.iter().map(|x| json!([x.community_id, x.role_id, x.assignment_type])).collect()
        ))),
        sorted(pending.iter().map(|i| inv_row(
            Some(i.id),
            i.email.as_str(),
            i.workspace_role,
            i.assignments.iter().map(|x| json!([x.community_id, x.role_id, x.assignment_type])).collect()
        ))),
        "{ctx} pending invitations in the members table"
    );
    assert!(invited.rows.iter().all(|r| r.pending), "{ctx} invited rows are pending");

    // Per community: intakes, and API keys where this user may list them.
    let mut live_keys: BTreeMap<CommunityId, u64> = BTreeMap::new();
    let mut listable_keys: Vec<ApiKey> = Vec::new();
    for c in &communities {
        // Intakes this user may not read are not in their mirror either.
        let intakes = readable_intakes(p, &base, c.id).await;
        assert_eq!(sorted(cache.intakes(c.id).await.unwrap()), sorted(&intakes), "{ctx} intakes of {}", c.slug);
        match list::<ApiKey>(p, &format!("{base}/communities/{}/api-keys?limit=1000", c.id)).await {
            Ok(keys) => {
                assert_eq!(sorted(cache.api_keys(c.id).await.unwrap()), sorted(&keys), "{ctx} API keys of {}", c.slug);
                live_keys.insert(c.id, keys.iter().filter(|k| k.revoked_at.is_none()).count() as u64);
                listable_keys.extend(keys);
                views += 1;
            }
            Err(e) if e.code == ErrorCode::Forbidden => {
                // Keys this user may not list are not in their mirror either.
                assert!(cache.api_keys(c.id).await.unwrap().is_empty(), "{ctx} the cache holds API keys of {} the user may not list", c.slug);
            }
            Err(e) => panic!("{ctx} API keys of {}: {e:?}", c.slug),
        }
        views += 1;
    }

    // The Communities view: each community with the people holding a role there, its intakes
    // and its live keys (those the user may list), recomputed from the server's lists.
    let rows = cache.community_rows(w.id, None).await.unwrap();
    let mut expected = Vec::new();
    for c in &communities {
        let people: BTreeSet<UserId> = assignments.iter().filter(|a| a.community_id == c.id).map(|a| a.user_id).collect();
        let intakes = readable_intakes(p, &base, c.id).await;
        expected.push(json!({"id": c.id, "people": people.len(), "intakes": intakes.len(), "keys": live_keys.get(&c.id).copied().unwrap_or(0)}));
    }
    let got = rows.iter().map(|r| json!({"id": r.community.id, "people": r.members, "intakes": r.intakes, "keys": r.api_keys}));
    assert_eq!(sorted(got), sorted(expected), "{ctx} the Communities view's counts");
    // A new community's slug: each one the server has is taken, and the suggestion is free.
    for c in communities.iter().take(5) {
        let hint = cache.community_slug_hint(w.id, c.slug.as_str(), c.slug.as_str()).await.unwrap();
        assert!(hint.problem.as_deref().is_some_and(|p| p.contains("already has a community")), "{ctx} slug {} is taken: {hint:?}", c.slug);
        assert!(!communities.iter().any(|o| o.slug.as_str() == hint.suggestion), "{ctx} the suggestion {} is free", hint.suggestion);
    }
    let mode = cache.workspace_modes().await.unwrap().into_iter().find(|m| m.workspace_id == w.id).unwrap_or_else(|| panic!("{ctx} a mode for the workspace"));
    assert_eq!((mode.communities as usize, mode.mode), (communities.len(), tenancy::TenancyMode::of(communities.len() as u32)), "{ctx} tenancy mode");
    let my_role = members.iter().find(|m| m.user_id == p.id).map(|m| m.role);
    assert_eq!(mode.confined, my_role.is_some_and(|r| !r.is_admin_or_owner()), "{ctx} confined to their communities");

    // The aggregate over every community, recomputed from the server's lists; and over one
    // community and over all but one (the cache counts a few communities directly, and most of
    // a workspace as its totals less the rest).
    let ids: Vec<CommunityId> = communities.iter().map(|c| c.id).collect();
    // (A member without a role sees no community: there is nothing to aggregate.)
    let mut subsets = if ids.is_empty() { vec![] } else { vec![ids.clone()] };
    if ids.len() > 1 {
        subsets.push(ids[..1].to_vec());
        subsets.push(ids[1..].to_vec());
    }
    // The API keys view's one list: every community (none named) and each subset, as the
    // server lists them community by community.
    assert_eq!(sorted(cache.api_keys_of(w.id, &[]).await.unwrap()), sorted(&listable_keys), "{ctx} API keys of every community");
    for chosen in &subsets {
        let want: Vec<&ApiKey> = listable_keys.iter().filter(|k| chosen.contains(&k.community_id)).collect();
        assert_eq!(sorted(cache.api_keys_of(w.id, chosen).await.unwrap()), sorted(want), "{ctx} API keys of {} communities", chosen.len());
    }
    for chosen in &subsets {
        let ctx = format!("{ctx} aggregate over {} of {} communities:", chosen.len(), ids.len());
        let agg = cache.aggregate(w.id, chosen, now).await.unwrap();
        let mut matrix: BTreeMap<CommunityId, BTreeMap<RoleId, BTreeSet<UserId>>> = BTreeMap::new();
        let mut distribution: BTreeMap<RoleId, BTreeSet<UserId>> = BTreeMap::new();
        let within: Vec<&RoleAssignment> = assignments.iter().filter(|a| chosen.contains(&a.community_id)).collect();
        for a in &within {
            matrix.entry(a.community_id).or_default().entry(a.role_id).or_default().insert(a.user_id);
            distribution.entry(a.role_id).or_default().insert(a.user_id);
        }
        let counted = |m: &BTreeMap<RoleId, BTreeSet<UserId>>| m.iter().map(|(r, u)| (*r, u.len() as u64)).collect::<BTreeMap<_, _>>();
        assert_eq!(agg.matrix, matrix.iter().map(|(c, m)| (*c, counted(m))).collect::<BTreeMap<_, _>>(), "{ctx} role matrix");
        assert_eq!(agg.role_distribution, counted(&distribution), "{ctx} role distribution");
        let with_roles: BTreeSet<UserId> = within.iter().map(|a| a.user_id).collect();
        assert_eq!(agg.members, with_roles.len() as u64, "{ctx} members with a role");
        let tf = members.iter().filter(|m| with_roles.contains(&m.user_id) && m.two_factor_enabled).count() as u64;
        assert_eq!(agg.members_with_2fa, tf, "{ctx} members with 2FA");
        assert_eq!(agg.pending_invitations, pending.iter().filter(|i| i.assignments.iter().any(|a| chosen.contains(&a.community_id))).count() as u64, "{ctx} pending invitations");
        // Keys the user may not list are neither in the cache nor in the count.
        assert_eq!(agg.api_keys, chosen.iter().map(|c| live_keys.get(c).copied().unwrap_or(0)).sum::<u64>(), "{ctx} live API keys");
        // Alert volumes (fetched now and then, not with every sync): the cached rows summed.
        let mut by_day: BTreeMap<chrono::NaiveDate, u64> = BTreeMap::new();
        for r in sqlx::query("SELECT community_id, day, alerts FROM alert_volumes").fetch_all(cache.pool()).await.unwrap() {
            if chosen.iter().any(|c| c.to_string() == r.get::<String, _>(0)) {
                *by_day.entry(r.get::<String, _>(1).parse().unwrap()).or_default() += r.get::<i64, _>(2) as u64;
            }
        }
        assert_eq!(agg.alert_volume, by_day.into_iter().collect::<Vec<_>>(), "{ctx} alert volume");
    }
    views + 8
}

/// Assignments rewritten (the same id, another community or role), repeated in one batch, and
/// deleted keep the counts right; the feed rarely does this, so it is driven directly.
#[tokio::test]
async fn assignment_counts_follow_rewrites_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(&dir.path().join("c.db")).await.unwrap();
    let (ws, roles, communities, users) = (Uuid::now_v7(), [Uuid::now_v7(), Uuid::now_v7()], [Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7()], [Uuid::now_v7(), Uuid::now_v7()]);
    let ids: Vec<Uuid> = (0..6).map(|_| Uuid::now_v7()).collect();
    let upsert = |id: Uuid, c: usize, r: usize, u: usize| Change {
        seq: 1,
        workspace_id: Some(ws.into()),
        kind: EntityKind::Assignment,
        id: id.to_string(),
        op: ChangeOp::Upsert,
        data: Some(json!({"id": id, "workspace_id": ws, "community_id": communities[c], "user_id": users[u], "role_id": roles[r], "assignment_type": "dedicated", "created_at": "2026-01-01T00:00:00Z"})),
        at: Utc::now(),
    };
    let delete = |id: Uuid| Change { seq: 1, workspace_id: Some(ws.into()), kind: EntityKind::Assignment, id: id.to_string(), op: ChangeOp::Delete, data: None, at: Utc::now() };
    let now = Utc::now();
    let batch: Vec<Change> = (0..6).map(|i| upsert(ids[i], i % 3, i % 2, i % 2)).collect();
    cache.apply(&batch, 1, now).await.unwrap();
    assert_counts(&cache, "first batch").await;
    // Rewritten in place, one of them twice in the same batch; one deleted.
    cache.apply(&[upsert(ids[0], 1, 1, 1), upsert(ids[1], 2, 0, 0), upsert(ids[1], 0, 0, 1), delete(ids[2])], 2, now).await.unwrap();
    assert_counts(&cache, "rewrites").await;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM assignments").fetch_one(cache.pool()).await.unwrap();
    assert_eq!(n, 5);
    // Deleted and written again in one batch; the same content written again.
    cache.apply(&[delete(ids[3]), upsert(ids[3], 0, 0, 0), upsert(ids[4], 1, 0, 0)], 3, now).await.unwrap();
    assert_counts(&cache, "delete then write").await;
    let held: i64 = sqlx::query_scalar("SELECT COALESCE(SUM(n), 0) FROM role_counts").fetch_one(cache.pool()).await.unwrap();
    assert_eq!(held, 5);
}

/// The keys of several communities in one list: only of the workspace asked for, newest first
/// (times compared as times, not as text), every community when none is named, and a selection
/// larger than one statement's bound values still finds every key.
#[tokio::test]
async fn api_keys_of_several_communities_in_one_list() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(&dir.path().join("c.db")).await.unwrap();
    let (ws, other) = (Uuid::now_v7(), Uuid::now_v7());
    let (c1, c2, c3, d1) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let community = |id: Uuid, ws: Uuid, name: &str| Change {
        seq: 1,
        workspace_id: Some(ws.into()),
        kind: EntityKind::Community,
        id: id.to_string(),
        op: ChangeOp::Upsert,
        data: Some(json!({"id": id, "workspace_id": ws, "slug": name.to_lowercase().replace(' ', "-"), "name": name, "settings": {"timezone": "UTC", "contact_email": null, "region": "eu-west", "portal": {"enabled": false, "show_team": false}}, "created_at": "2026-01-01T00:00:00Z", "version": 1})),
        at: Utc::now(),
    };
    let key = |id: Uuid, ws: Uuid, c: Uuid, created: &str| Change {
        seq: 1,
        workspace_id: Some(ws.into()),
        kind: EntityKind::ApiKey,
        id: id.to_string(),
        op: ChangeOp::Upsert,
        data: Some(json!({"id": id, "workspace_id": ws, "community_id": c, "name": "Key", "prefix": "tk_abc", "role_ids": [], "created_by": Uuid::now_v7(), "created_at": created, "expires_at": null, "last_used_at": null, "revoked_at": null})),
        at: Utc::now(),
    };
    let k: Vec<Uuid> = (0..5).map(|_| Uuid::now_v7()).collect();
    let batch = vec![
        community(c1, ws, "Client 1"),
        community(c2, ws, "Client 2"),
        community(c3, ws, "Client 3"),
        community(d1, other, "Elsewhere"),
        // As text "…:00Z" sorts after "…:00.500Z", though it is the earlier moment.
        key(k[0], ws, c1, "2026-03-01T10:00:00Z"),
        key(k[1], ws, c2, "2026-03-01T10:00:00.500Z"),
        key(k[2], ws, c3, "2026-02-01T00:00:00Z"),
        key(k[3], other, d1, "2026-04-01T00:00:00Z"),
        key(k[4], ws, c2, "2026-01-01T00:00:00Z"),
    ];
    cache.apply(&batch, 1, Utc::now()).await.unwrap();
    let ids = |keys: Vec<ApiKey>| keys.into_iter().map(|k| k.id.as_uuid()).collect::<Vec<_>>();

    let two = ids(cache.api_keys_of(ws.into(), &[c1.into(), c2.into()]).await.unwrap());
    assert_eq!(two, vec![k[1], k[0], k[4]], "keys of Client 1 and 2, newest first");
    let all = ids(cache.api_keys_of(ws.into(), &[]).await.unwrap());
    assert_eq!(all, vec![k[1], k[0], k[2], k[4]], "no selection: every community of the workspace, none of another");
    assert!(cache.api_keys_of(ws.into(), &[d1.into()]).await.unwrap().is_empty(), "a community of another workspace gives nothing");
    // More ids than one statement binds (CHUNK is 500), the real ones at both ends.
    let mut many: Vec<CommunityId> = vec![c3.into()];
    many.extend((0..1200).map(|_| CommunityId::from(Uuid::now_v7())));
    many.push(c1.into());
    many.push(c1.into());
    assert_eq!(ids(cache.api_keys_of(ws.into(), &many).await.unwrap()), vec![k[0], k[2]], "chunked selection, duplicates once");
}

// ---------- the random run ----------

const COMMUNITY_PERMISSIONS: &[&str] = &[
    "alerts.read", "alerts.comment", "alerts.manage", "rules.read", "rules.manage", "playbooks.read", "playbooks.run", "intakes.read",
    "intakes.manage", "members.read", "members.invite", "roles.read", "roles.manage", "api_keys.read", "api_keys.manage", "community.read",
    "community.manage",
];
const READ_ONLY: &[&str] = &["alerts.read", "rules.read", "playbooks.read", "intakes.read", "members.read", "roles.read", "api_keys.read", "community.read"];

fn some_permissions(rng: &mut Rng, from: &[&str]) -> Vec<String> {
    let n = 1 + rng.below(4);
    let mut v: Vec<String> = (0..n).map(|_| rng.pick(from).unwrap().to_owned()).collect();
    v.sort();
    v.dedup();
    v
}

struct World {
    s: Server,
    people: Vec<Person>,
    /// The platform admin (restores deleted workspaces); belongs to no workspace.
    root: Person,
    rng: Rng,
    n: usize,
    ok: BTreeMap<&'static str, usize>,
    refused: usize,
}

impl World {
    fn by_id(&self, id: &str) -> Option<usize> {
        self.people.iter().position(|p| p.id.to_string() == id)
    }

    /// A user to act: mostly an owner or admin of `ws`, sometimes anyone.
    async fn actor(&mut self, ws: &str) -> usize {
        let privileged = self.s.column("SELECT user_id FROM members WHERE workspace_id = ? AND role IN ('owner', 'admin') ORDER BY rowid", &[ws]).await;
        let members = self.s.column("SELECT user_id FROM members WHERE workspace_id = ? ORDER BY rowid", &[ws]).await;
        let pick = match self.rng.below(10) {
            0..=5 => self.rng.pick(&privileged),
            6..=7 => self.rng.pick(&members),
            _ => None,
        };
        pick.and_then(|id| self.by_id(&id)).unwrap_or_else(|| self.rng.below(self.people.len()))
    }

    fn note(&mut self, what: &'static str, who: &str, detail: String, r: &Result<Value, ClientError>) {
        match r {
            Ok(_) => *self.ok.entry(what).or_default() += 1,
            Err(_) => self.refused += 1,
        }
        let outcome = match r {
            Ok(_) => "ok".to_owned(),
            Err(e) => format!("refused ({:?}: {})", e.code, e.problem.map(|p| p.slug()).unwrap_or("-")),
        };
        eprintln!("step {:>3}: {who} {what} {detail} -> {outcome}", self.n);
    }

    /// One random mutation by a random user.
    async fn mutate(&mut self) {
        self.n += 1;
        let all = self.s.workspaces().await;
        let live: Vec<_> = all.iter().filter(|w| !w.2).cloned().collect();
        // Mostly a live workspace: in a deleted one everything is refused.
        let (ws, slug, _) = if self.rng.chance(85) { self.rng.pick(&live) } else { None }.or_else(|| self.rng.pick(&all)).unwrap();
        let base = format!("/v1/workspaces/{ws}");
        let a = self.actor(&ws).await;
        let n = self.n;
        if live.len() < 2 && live.len() < all.len() && self.rng.chance(50) {
            // Keep the run going: a platform admin brings a deleted workspace back.
            let deleted: Vec<String> = all.iter().filter(|w| w.2).map(|w| w.0.clone()).collect();
            let d = self.rng.pick(&deleted).unwrap();
            let r = call(&self.root, Method::POST, &format!("/v1/admin/workspaces/{d}/restore"), None).await;
            self.note("restore workspace", "root", d, &r);
            return;
        }
        let communities = self.s.column("SELECT id FROM communities WHERE workspace_id = ? ORDER BY rowid", &[&ws]).await;
        let community = self.rng.pick(&communities).unwrap_or_default();
        let roles = self.s.pairs("SELECT id, kind FROM roles WHERE workspace_id = ? ORDER BY rowid", &[&ws]).await;
        let members = self.s.column("SELECT user_id FROM members WHERE workspace_id = ? ORDER BY rowid", &[&ws]).await;
        let emails: Vec<String> = self.people.iter().map(|p| p.email.clone()).collect();
        let who = format!("{} in {slug}", self.people[a].name);
        let kind = self.rng.below(100);
        let (what, detail, r): (&'static str, String, Result<Value, ClientError>) = match kind {
            0..=3 => {
                let body = json!({"name": format!("Workspace {n}")});
                ("rename workspace", String::new(), call(&self.people[a], Method::PATCH, &base, Some(body)).await)
            }
            4..=7 => {
                let body = json!({"name": format!("Client {n}")});
                ("rename community", community.clone(), call(&self.people[a], Method::PATCH, &format!("{base}/communities/{community}"), Some(body)).await)
            }
            8..=10 => {
                let body = json!({"name": format!("Client {n}"), "slug": format!("client-{n}"), "timezone": "Europe/Paris", "region": "eu-west"});
                ("create community", String::new(), call(&self.people[a], Method::POST, &format!("{base}/communities"), Some(body)).await)
            }
            11..=15 => {
                let intakes = self.s.column("SELECT id FROM intakes WHERE workspace_id = ? ORDER BY rowid", &[&ws]).await;
                let body = match self.rng.below(10) {
                    0..=5 => json!({"name": format!("Role {n}"), "kind": "custom", "permissions": some_permissions(&mut self.rng, COMMUNITY_PERMISSIONS)}),
                    6..=7 => json!({"name": format!("Role {n}"), "kind": "restricted", "permissions": some_permissions(&mut self.rng, COMMUNITY_PERMISSIONS),
                                    "intake_scope": self.rng.pick(&intakes).into_iter().collect::<Vec<_>>()}),
                    _ => json!({"name": format!("Role {n}"), "kind": "intake_restricted", "permissions": some_permissions(&mut self.rng, READ_ONLY),
                                "intake_scope": self.rng.pick(&intakes).into_iter().collect::<Vec<_>>()}),
                };
                ("create role", body["kind"].to_string(), call(&self.people[a], Method::POST, &format!("{base}/roles"), Some(body)).await)
            }
            16..=19 => {
                let (role, _) = self.rng.pick(&roles).unwrap_or_default();
                let body = if self.rng.chance(70) {
                    json!({"permissions": some_permissions(&mut self.rng, READ_ONLY)})
                } else {
                    json!({"name": format!("Renamed role {n}")})
                };
                ("update role", role.clone(), call(&self.people[a], Method::PATCH, &format!("{base}/roles/{role}"), Some(body)).await)
            }
            20..=21 => {
                let (role, _) = self.rng.pick(&roles).unwrap_or_default();
                ("delete role", role.clone(), call(&self.people[a], Method::DELETE, &format!("{base}/roles/{role}"), None).await)
            }
            22..=31 => {
                let target = self.rng.pick(&members).unwrap_or_default();
                let (role, _) = self.rng.pick(&roles).unwrap_or_default();
                let t = ["dedicated", "pool", "escalation"][self.rng.below(3)];
                let body = json!({"assignments": [{"community_id": community, "role_id": role, "assignment_type": t}]});
                ("assign role", target.clone(), call(&self.people[a], Method::POST, &format!("{base}/members/{target}/assignments"), Some(body)).await)
            }
            32..=36 => {
                let ids = self.s.column("SELECT id FROM assignments WHERE workspace_id = ? ORDER BY rowid", &[&ws]).await;
                let id = self.rng.pick(&ids).unwrap_or_default();
                ("unassign role", id.clone(), call(&self.people[a], Method::DELETE, &format!("{base}/assignments/{id}"), None).await)
            }
            37..=41 => {
                let target = self.rng.pick(&members).unwrap_or_default();
                let role = ["owner", "admin", "member", "member"][self.rng.below(4)];
                ("change workspace role", format!("{target} to {role}"), call(&self.people[a], Method::PATCH, &format!("{base}/members/{target}"), Some(json!({"role": role}))).await)
            }
            42..=49 => {
                // Sometimes the actor leaves, otherwise removes someone.
                let target = if self.rng.chance(30) { self.people[a].id.to_string() } else { self.rng.pick(&members).unwrap_or_default() };
                ("remove member", target.clone(), call(&self.people[a], Method::DELETE, &format!("{base}/members/{target}"), None).await)
            }
            50..=61 => {
                // Mostly someone of the test who is not in the workspace yet.
                let outside: Vec<String> = self.people.iter().filter(|p| !members.contains(&p.id.to_string())).map(|p| p.email.clone()).collect();
                let email = match self.rng.below(10) {
                    0..=6 => self.rng.pick(&outside).unwrap_or_else(|| emails[0].clone()),
                    7..=8 => self.rng.pick(&emails).unwrap(),
                    _ => format!("outsider{n}@cache-test.example"),
                };
                let role = ["member", "member", "admin", "owner"][self.rng.below(4)];
                let mut grants = Vec::new();
                for _ in 0..self.rng.below(3) {
                    let (r, _) = self.rng.pick(&roles).unwrap_or_default();
                    grants.push(json!({"community_id": self.rng.pick(&communities).unwrap_or_default(), "role_id": r}));
                }
                let body = json!({"email": email, "workspace_role": role, "assignments": grants});
                ("invite", format!("{email} as {role}"), call(&self.people[a], Method::POST, &format!("{base}/invitations"), Some(body)).await)
            }
            62..=64 => {
                let ids = self.s.column("SELECT id FROM invitations WHERE workspace_id = ? AND accepted_at IS NULL AND revoked_at IS NULL ORDER BY rowid", &[&ws]).await;
                let id = self.rng.pick(&ids).unwrap_or_default();
                ("revoke invitation", id.clone(), call(&self.people[a], Method::DELETE, &format!("{base}/invitations/{id}"), None).await)
            }
            65..=76 => {
                // The invitee accepts (or, now and then, somebody else tries to).
                let open = self.s.pairs("SELECT id, email FROM invitations WHERE accepted_at IS NULL AND revoked_at IS NULL ORDER BY rowid", &[]).await;
                let open: Vec<_> = open.into_iter().filter(|(_, e)| emails.contains(e)).collect();
                match self.rng.pick(&open) {
                    Some((id, email)) => {
                        let who_accepts = if self.rng.chance(90) { self.people.iter().position(|p| p.email == email).unwrap() } else { a };
                        let r = call(&self.people[who_accepts], Method::POST, &format!("/v1/invitations/{id}/accept"), None).await;
                        let who = self.people[who_accepts].name.clone();
                        self.note("accept invitation", &who, id, &r);
                        return;
                    }
                    None => ("accept invitation", "none open".into(), Err(ClientError::new(ErrorCode::NotFound, "nothing to accept"))),
                }
            }
            77..=80 => {
                let (role, _) = self.rng.pick(&roles).unwrap_or_default();
                let role_ids: Vec<String> = if self.rng.chance(50) { vec![role] } else { vec![] };
                let body = json!({"name": format!("Key {n}"), "role_ids": role_ids});
                ("create API key", community.clone(), call(&self.people[a], Method::POST, &format!("{base}/communities/{community}/api-keys"), Some(body)).await)
            }
            81..=83 => {
                let keys = self.s.pairs("SELECT id, community_id FROM api_keys WHERE workspace_id = ? AND revoked_at IS NULL ORDER BY rowid", &[&ws]).await;
                let (id, c) = self.rng.pick(&keys).unwrap_or_default();
                ("revoke API key", id.clone(), call(&self.people[a], Method::DELETE, &format!("{base}/communities/{c}/api-keys/{id}"), None).await)
            }
            84..=86 => {
                let kind = ["edr", "firewall", "cloud", "identity"][self.rng.below(4)];
                let body = json!({"name": format!("Intake {n}"), "kind": kind});
                ("create intake", community.clone(), call(&self.people[a], Method::POST, &format!("{base}/communities/{community}/intakes"), Some(body)).await)
            }
            87..=89 => {
                let intakes = self.s.pairs("SELECT id, community_id FROM intakes WHERE workspace_id = ? ORDER BY rowid", &[&ws]).await;
                let (id, c) = self.rng.pick(&intakes).unwrap_or_default();
                ("delete intake", id.clone(), call(&self.people[a], Method::DELETE, &format!("{base}/communities/{c}/intakes/{id}"), None).await)
            }
            90 => ("delete workspace", String::new(), call(&self.people[a], Method::DELETE, &format!("{base}?confirm={slug}"), None).await),
            91..=93 => {
                // A platform admin restores a deleted workspace.
                let deleted: Vec<String> = all.iter().filter(|w| w.2).map(|w| w.0.clone()).collect();
                match self.rng.pick(&deleted) {
                    Some(d) => {
                        let r = call(&self.root, Method::POST, &format!("/v1/admin/workspaces/{d}/restore"), None).await;
                        self.note("restore workspace", "root", d, &r);
                        return;
                    }
                    None => ("restore workspace", "none deleted".into(), Err(ClientError::new(ErrorCode::NotFound, "nothing to restore"))),
                }
            }
            94 => {
                let body = json!({"name": format!("Extra {n}"), "slug": format!("extra-{n}"), "plan": "pro"});
                ("create workspace", String::new(), call(&self.people[a], Method::POST, "/v1/workspaces", Some(body)).await)
            }
            95..=96 => {
                // The actor turns on 2FA (every membership row of theirs changes).
                if self.people[a].totp {
                    ("enrol 2FA", "already on".into(), Err(ClientError::new(ErrorCode::Conflict, "already on")))
                } else {
                    let e = call(&self.people[a], Method::POST, "/v1/me/2fa/enrol", None).await.unwrap();
                    let code = tenancy_server::credentials::totp_now(e["secret"].as_str().unwrap());
                    let r = call(&self.people[a], Method::POST, "/v1/me/2fa/verify", Some(json!({"code": code}))).await;
                    if r.is_ok() {
                        self.people[a].totp = true;
                    }
                    ("enrol 2FA", String::new(), r)
                }
            }
            _ => {
                let target = self.rng.pick(&members).unwrap_or_default();
                let r = call(&self.people[a], Method::POST, &format!("{base}/members/{target}/2fa/reset"), None).await;
                if r.is_ok() {
                    if let Some(t) = self.by_id(&target) {
                        self.people[t].totp = false;
                    }
                }
                ("reset 2FA", target, r)
            }
        };
        self.note(what, &who, detail, &r);
    }

    async fn sync_all(&self) {
        for p in self.people.iter().chain(std::iter::once(&self.root)) {
            do_sync(p, None).await;
        }
    }

    async fn check_all(&self, label: &str) -> usize {
        let mut views = 0;
        for p in self.people.iter().chain(std::iter::once(&self.root)) {
            views += check_user(&self.s, p, label).await;
        }
        views
    }

    /// Someone who may invite to `ws` and remove from it: one of its owners.
    async fn owner_of(&self, ws: &str) -> usize {
        let owners = self.s.column("SELECT user_id FROM members WHERE workspace_id = ? AND role = 'owner' ORDER BY rowid", &[ws]).await;
        self.by_id(&owners[0]).expect("an owner among the test users")
    }

    /// `who` joins `ws` through an invitation with a community role.
    async fn join(&self, ws: &str, who: usize) {
        let owner = &self.people[self.owner_of(ws).await];
        let c = self.s.column("SELECT id FROM communities WHERE workspace_id = ? ORDER BY rowid", &[ws]).await;
        let r = self.s.column("SELECT id FROM roles WHERE workspace_id = ? AND kind = 'builtin' ORDER BY rowid", &[ws]).await;
        let body = json!({"email": self.people[who].email, "workspace_role": "member", "assignments": [{"community_id": c[0], "role_id": r[0]}]});
        let inv = call(owner, Method::POST, &format!("/v1/workspaces/{ws}/invitations"), Some(body)).await.unwrap();
        call(&self.people[who], Method::POST, &format!("/v1/invitations/{}/accept", inv["id"].as_str().unwrap()), None).await.unwrap();
    }

    async fn remove(&self, ws: &str, who: usize) {
        let owner = &self.people[self.owner_of(ws).await];
        call(owner, Method::DELETE, &format!("/v1/workspaces/{ws}/members/{}", self.people[who].id), None).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_equals_server_after_random_mutations_by_several_users() {
    let seed = seed_from_env(0x7E4A_2026);
    eprintln!("cache_equals_server_after_random_mutations_by_several_users: seed {seed} (rerun with CACHE_SEED={seed})");
    let s = server(false).await;
    let mut people = Vec::new();
    for name in ["ada", "ben", "cleo", "dev", "eve"] {
        people.push(register(&s, name).await);
    }
    let root = register(&s, "root").await;
    sqlx::query("UPDATE users SET platform_admin = 1 WHERE id = ?").bind(root.id.to_string()).execute(&s.db).await.unwrap();
    let mut w = World { s, people, root, rng: Rng::new(seed), n: 0, ok: BTreeMap::new(), refused: 0 };

    // Two workspaces with a few communities each.
    for (owner, slug) in [(0usize, "alpha-soc"), (1, "bravo-mssp")] {
        let p = &w.people[owner];
        call(p, Method::POST, "/v1/workspaces", Some(json!({"name": format!("WS {slug}"), "slug": slug, "plan": "pro"}))).await.unwrap();
        for c in ["north", "south"] {
            let body = json!({"name": format!("{slug} {c}"), "slug": format!("{slug}-{c}"), "timezone": "UTC", "region": "eu-west"});
            call(p, Method::POST, &format!("/v1/workspaces/{slug}/communities"), Some(body)).await.unwrap();
        }
    }
    // Everyone syncs before the others join: joining then means a workspace with history.
    w.sync_all().await;
    let ids: Vec<String> = w.s.workspaces().await.into_iter().map(|x| x.0).collect();
    for (ws, who) in [(0usize, 1usize), (0, 2), (0, 3), (1, 0), (1, 2), (1, 4)] {
        w.join(&ids[ws], who).await;
    }
    w.sync_all().await;
    let views = w.check_all("after the joins").await;
    assert!(views > 20, "the check compared {views} views");

    // The random run, with syncs at random points and full checks now and then.
    for step in 1..=200 {
        w.mutate().await;
        if w.rng.chance(25) {
            let i = w.rng.below(w.people.len());
            let batch = if w.rng.chance(30) { Some(1 + w.rng.below(6) as u32) } else { None };
            do_sync(&w.people[i], batch).await;
        }
        if step % 50 == 0 {
            w.sync_all().await;
            w.check_all(&format!("seed {seed}, step {step}")).await;
        }
    }
    eprintln!("successful mutations: {:?}; refused: {}", w.ok, w.refused);
    let succeeded: usize = w.ok.values().sum();
    assert!(succeeded >= 50, "only {succeeded} of 200 mutations succeeded: the run tests too little");
    assert!(w.ok.len() >= 10, "only {} kinds of mutation succeeded: {:?}", w.ok.len(), w.ok);

    // Scripted at the end, so that every seed covers them: a user who synced joins a workspace
    // with history, leaves it, and leaves and rejoins between two syncs.
    let live: Vec<String> = w.s.workspaces().await.into_iter().filter(|x| !x.2).map(|x| x.0).collect();
    let ws = match live.first() {
        Some(ws) => ws.clone(),
        None => {
            let first = w.s.workspaces().await[0].0.clone();
            call(&w.root, Method::POST, &format!("/v1/admin/workspaces/{first}/restore"), None).await.unwrap();
            first
        }
    };
    let late = register(&w.s, "late").await;
    w.people.push(late);
    let l = w.people.len() - 1;
    let label = format!("seed {seed}, scripted");
    do_sync(&w.people[l], None).await;
    assert!(w.people[l].cache.state().await.unwrap().cursor > 0, "the late user's cursor is past the workspace's history");
    w.join(&ws, l).await;
    let out = do_sync(&w.people[l], Some(3)).await;
    assert!(out.applied > 0);
    assert!(!w.people[l].cache.communities(ws.parse().unwrap(), None).await.unwrap().is_empty(), "a joined workspace's communities are in the cache");
    check_user(&w.s, &w.people[l], &format!("{label}: joined after syncing")).await;
    w.remove(&ws, l).await;
    do_sync(&w.people[l], None).await;
    assert_eq!(rows_of_workspace(&w.people[l].cache, &ws).await, 0, "a removed member's cache forgets the workspace");
    check_user(&w.s, &w.people[l], &format!("{label}: removed")).await;
    w.join(&ws, l).await;
    do_sync(&w.people[l], None).await;
    w.remove(&ws, l).await;
    w.join(&ws, l).await;
    do_sync(&w.people[l], Some(2)).await;
    check_user(&w.s, &w.people[l], &format!("{label}: left and rejoined between syncs")).await;
    w.remove(&ws, l).await;
    w.join(&ws, l).await;
    w.remove(&ws, l).await;
    do_sync(&w.people[l], None).await;
    check_user(&w.s, &w.people[l], &format!("{label}: joined and left between syncs")).await;

    // A user-level change (2FA) while a workspace of theirs is deleted shows once it is back.
    w.join(&ws, l).await;
    w.sync_all().await;
    let slug = w.s.column("SELECT slug FROM workspaces WHERE id = ?", &[&ws]).await.remove(0);
    let owner = w.owner_of(&ws).await;
    call(&w.people[owner], Method::DELETE, &format!("/v1/workspaces/{ws}?confirm={slug}"), None).await.unwrap();
    let e = call(&w.people[l], Method::POST, "/v1/me/2fa/enrol", None).await.unwrap();
    let code = tenancy_server::credentials::totp_now(e["secret"].as_str().unwrap());
    call(&w.people[l], Method::POST, "/v1/me/2fa/verify", Some(json!({"code": code}))).await.unwrap();
    w.sync_all().await;
    check_user(&w.s, &w.people[owner], &format!("{label}: deleted")).await;
    call(&w.root, Method::POST, &format!("/v1/admin/workspaces/{ws}/restore"), None).await.unwrap();
    w.sync_all().await;
    let me = w.people[owner].cache.member(ws.parse().unwrap(), w.people[l].id).await.unwrap().expect("the late member, in the owner's cache");
    assert!(me.member.two_factor_enabled, "2FA turned on while the workspace was deleted shows after the restore");

    // Finally: everyone syncs, and every cache equals the server's view of its user.
    w.sync_all().await;
    let views = w.check_all(&format!("seed {seed}, final")).await;
    eprintln!("compared {views} views");
    w.s.running.stop().await;
}

// ---------- interrupted syncs ----------

/// Every table of a cache, row by row in primary-key order, without the times a sync was run.
async fn dump(cache: &Cache) -> BTreeMap<String, Vec<String>> {
    let tables: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' ORDER BY name")
        .fetch_all(cache.pool())
        .await
        .unwrap();
    let mut out = BTreeMap::new();
    for t in tables {
        let info = sqlx::query(&format!("PRAGMA table_info({t})")).fetch_all(cache.pool()).await.unwrap();
        let mut cols = Vec::new();
        let mut pk: Vec<(i64, String)> = Vec::new();
        for r in &info {
            let name: String = r.get("name");
            let k: i64 = r.get("pk");
            if (t == "sync_state" && name == "last_sync_at") || (t == "alert_volume_state" && name == "fetched_at") {
                continue;
            }
            if k > 0 {
                pk.push((k, name.clone()));
            }
            cols.push(name);
        }
        pk.sort();
        let order: Vec<String> = if pk.is_empty() { cols.clone() } else { pk.into_iter().map(|p| p.1).collect() };
        let select = cols.iter().map(|c| format!("quote({c})")).collect::<Vec<_>>().join(" || char(31) || ");
        let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT {select} FROM {t} ORDER BY {}", order.join(", "))).fetch_all(cache.pool()).await.unwrap();
        out.insert(t, rows);
    }
    out
}

fn assert_same_tables(a: &BTreeMap<String, Vec<String>>, b: &BTreeMap<String, Vec<String>>, what: &str) {
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "{what}: tables");
    for (t, rows) in a {
        let other = &b[t];
        if rows != other {
            let only_a: Vec<_> = rows.iter().filter(|r| !other.contains(r)).take(5).collect();
            let only_b: Vec<_> = other.iter().filter(|r| !rows.contains(r)).take(5).collect();
            panic!("{what}: table {t} differs ({} vs {} rows); only in the first: {only_a:?}; only in the second: {only_b:?}", rows.len(), other.len());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_sync_resumes_to_the_same_cache() {
    let seed = seed_from_env(0x1D_2026);
    eprintln!("an_interrupted_sync_resumes_to_the_same_cache: seed {seed}");
    let mut rng = Rng::new(seed);
    let s = server(true).await;
    let api = ApiClient::new(&tenancy_client::account_ref::AccountRef::new(&s.url, seed::DEMO_EMAIL).unwrap(), Arc::new(MemorySecrets::default())).unwrap();
    api.sign_in(seed::DEMO_PASSWORD, None).await.unwrap();

    let whole = Cache::open(&s.dir.path().join("whole.db")).await.unwrap();
    let once = sync(&api, &whole, None, |_| {}).await.unwrap();
    assert!(!once.interrupted && !once.full_resync);
    assert!(once.applied > 1000, "the demo data is thousands of changes, applied {}", once.applied);

    let pieces = Cache::open(&s.dir.path().join("pieces.db")).await.unwrap();
    let (mut interruptions, mut runs, mut batches_seen) = (0, 0, 0usize);
    let mut cursors = Vec::new();
    loop {
        runs += 1;
        assert!(runs < 1000, "the interrupted sync never finished");
        let stop = AtomicBool::new(rng.chance(10)); // now and then, stopped before it starts
        let after = 1 + rng.below(3);
        let batch = 10 + rng.below(90) as u32;
        let mut seen = 0;
        let out = sync_with_batch(&api, &pieces, Some(&stop), batch, |_| {
            seen += 1;
            if seen >= after {
                stop.store(true, Ordering::Relaxed);
            }
        })
        .await
        .unwrap();
        batches_seen += seen;
        assert_eq!(out.cursor, pieces.state().await.unwrap().cursor, "the outcome's cursor is the committed one");
        // However a first sync ends, it leaves the assignments indexed.
        let indexes: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'assignments' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .fetch_all(pieces.pool())
            .await
            .unwrap();
        assert_eq!(indexes, ["assignments_community", "assignments_user"], "after run {runs}");
        if !out.interrupted {
            break;
        }
        assert!(out.cursor <= once.cursor);
        assert!(cursors.last().is_none_or(|c| *c <= out.cursor), "a resumed sync never goes back");
        cursors.push(out.cursor);
        interruptions += 1;
    }
    eprintln!("{interruptions} interruptions over {runs} runs, {batches_seen} batches; cursors {cursors:?}");
    assert!(interruptions >= 3, "only {interruptions} interruptions");
    assert!(cursors.iter().any(|c| *c > 0 && *c < once.cursor), "some interruption fell in the middle of the feed: {cursors:?}");

    let (a, b) = (dump(&whole).await, dump(&pieces).await);
    assert!(a["members"].len() > 100 && a["assignments"].len() > 500, "the demo data is in the cache");
    assert_same_tables(&a, &b, "one sync vs an interrupted one");

    // A further delta on both ends in the same place too.
    let owned = whole.workspaces(Some("northwind")).await.unwrap()[0].id;
    let c = whole.communities(owned, None).await.unwrap()[0].clone();
    api.update_community(c.workspace_id, c.id, &UpdateCommunity { name: Some(Name::parse("Renamed after resume").unwrap()), ..Default::default() }, None).await.unwrap();
    for cache in [&whole, &pieces] {
        let d = sync(&api, cache, None, |_| {}).await.unwrap();
        assert_eq!(d.applied, 1);
    }
    assert_same_tables(&dump(&whole).await, &dump(&pieces).await, "after one more delta");
    s.running.stop().await;
}

// ---------- a server that does not say where a page ends ahead of its body ----------

/// `upstream` seen through a proxy that drops the `Tenantry-*` headers, as a tenancy server
/// without them would answer.
async fn headerless_proxy(upstream: String) -> String {
    let client = reqwest::Client::new();
    let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let (client, upstream) = (client.clone(), upstream.clone());
        async move {
            let url = format!("{upstream}{}", req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/"));
            let (method, headers) = (req.method().clone(), req.headers().clone());
            let body = axum::body::to_bytes(req.into_body(), usize::MAX).await.unwrap();
            let res = client.request(method, url).headers(headers).body(body).send().await.unwrap();
            let mut out = axum::http::Response::builder().status(res.status());
            for (k, v) in res.headers() {
                if !k.as_str().starts_with("tenantry-") && k != "content-length" && k != "transfer-encoding" {
                    out = out.header(k, v);
                }
            }
            out.body(axum::body::Body::from(res.bytes().await.unwrap())).unwrap()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_the_feed_headers_syncs_the_same_cache() {
    let s = server(true).await;
    let direct = ApiClient::new(&tenancy_client::account_ref::AccountRef::new(&s.url, seed::DEMO_EMAIL).unwrap(), Arc::new(MemorySecrets::default())).unwrap();
    direct.sign_in(seed::DEMO_PASSWORD, None).await.unwrap();
    // The headers are there, and the proxy takes them away.
    let proxy = headerless_proxy(s.url.clone()).await;
    let token = |url: &str| {
        let url = url.to_owned();
        async move {
            let res = reqwest::Client::new()
                .post(format!("{url}/v1/auth/login"))
                .json(&json!({"email": seed::DEMO_EMAIL, "password": seed::DEMO_PASSWORD}))
                .send()
                .await
                .unwrap();
            res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned()
        }
    };
    for (url, present) in [(&s.url, true), (&proxy, false)] {
        let res = reqwest::Client::new().get(format!("{url}/v1/changes?since=0&limit=10")).bearer_auth(token(url).await).send().await.unwrap();
        assert_eq!(res.headers().contains_key("tenantry-next-since"), present, "{url}");
    }
    let proxied = ApiClient::new(&tenancy_client::account_ref::AccountRef::new(&proxy, seed::DEMO_EMAIL).unwrap(), Arc::new(MemorySecrets::default())).unwrap();
    proxied.sign_in(seed::DEMO_PASSWORD, None).await.unwrap();

    let a = Cache::open(&s.dir.path().join("direct.db")).await.unwrap();
    let b = Cache::open(&s.dir.path().join("proxied.db")).await.unwrap();
    let whole = sync_with_batch(&direct, &a, None, 100, |_| {}).await.unwrap();
    let mut pages = 0;
    let through = sync_with_batch(&proxied, &b, None, 100, |_| pages += 1).await.unwrap();
    assert!(pages > 10, "page after page: {pages}");
    assert_eq!((through.applied, through.cursor, through.interrupted), (whole.applied, whole.cursor, false));
    assert_same_tables(&dump(&a).await, &dump(&b).await, "synced directly vs through a server without the headers");
    s.running.stop().await;
}

// ---------- a cursor the feed no longer keeps ----------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_too_old_cursor_triggers_a_full_resync() {
    let s = server(false).await;
    let owner = register(&s, "olga").await;
    let member = register(&s, "mats").await;
    call(&owner, Method::POST, "/v1/workspaces", Some(json!({"name": "Resync Co", "slug": "resync-co", "plan": "pro"}))).await.unwrap();
    let c = call(&owner, Method::POST, "/v1/workspaces/resync-co/communities", Some(json!({"name": "Depot", "slug": "depot", "timezone": "UTC", "region": "eu-west"})))
        .await
        .unwrap();
    let roles: Vec<Role> = list(&owner, "/v1/workspaces/resync-co/roles?limit=1000").await.unwrap();
    let analyst = roles.iter().find(|r| r.name.as_str() == "Analyst").unwrap().id;
    let inv = call(&owner, Method::POST, "/v1/workspaces/resync-co/invitations", Some(json!({"email": member.email, "assignments": [{"community_id": c["id"], "role_id": analyst}]})))
        .await
        .unwrap();
    call(&member, Method::POST, &format!("/v1/invitations/{}/accept", inv["id"].as_str().unwrap()), None).await.unwrap();
    // A second workspace the member leaves before the floor is raised: it must not come back.
    call(&owner, Method::POST, "/v1/workspaces", Some(json!({"name": "Gone Co", "slug": "gone-co", "plan": "pro"}))).await.unwrap();
    let inv = call(&owner, Method::POST, "/v1/workspaces/gone-co/invitations", Some(json!({"email": member.email}))).await.unwrap();
    call(&member, Method::POST, &format!("/v1/invitations/{}/accept", inv["id"].as_str().unwrap()), None).await.unwrap();
    for p in [&owner, &member] {
        let out = do_sync(p, None).await;
        assert!(!out.full_resync);
        check_user(&s, p, "before the floor").await;
    }
    call(&owner, Method::DELETE, &format!("/v1/workspaces/gone-co/members/{}", member.id), None).await.unwrap();

    // The server forgets every change so far.
    let latest = s.latest_seq().await;
    sqlx::query("UPDATE feed_floor SET floor = ?").bind(latest + 1).execute(&s.db).await.unwrap();
    let old_cursor = member.cache.state().await.unwrap().cursor;
    assert!(old_cursor < latest + 1);
    // A change the caches have not seen.
    call(&owner, Method::PATCH, "/v1/workspaces/resync-co", Some(json!({"name": "Resync Company"}))).await.unwrap();
    call(&owner, Method::POST, "/v1/workspaces/resync-co/communities", Some(json!({"name": "Harbour", "slug": "harbour", "timezone": "UTC", "region": "us-east"})))
        .await
        .unwrap();
    call(&owner, Method::PATCH, &format!("/v1/workspaces/resync-co/members/{}", member.id), Some(json!({"role": "admin"}))).await.unwrap();

    for p in [&owner, &member] {
        let out = do_sync(p, None).await;
        assert!(out.full_resync, "{}: the cursor is below the floor, so the cache is rebuilt", p.name);
        assert!(out.cursor > latest, "{}: the cursor moves past the floor", p.name);
        check_user(&s, p, "after the full resync").await;
    }
    assert_eq!(member.cache.workspaces(None).await.unwrap()[0].name.as_str(), "Resync Company");
    assert_eq!(member.cache.communities(member.cache.workspaces(None).await.unwrap()[0].id, None).await.unwrap().len(), 3);

    // A cache that never synced on this server is rebuilt the same way, to the same rows.
    let fresh = Cache::open(&s.dir.path().join("fresh.db")).await.unwrap();
    let out = sync(&member.api, &fresh, None, |_| {}).await.unwrap();
    assert!(out.full_resync);
    assert_same_tables(&dump(&member.cache).await, &dump(&fresh).await, "a rebuilt cache vs a fresh one");

    // Afterwards the feed is followed again in small deltas.
    call(&owner, Method::PATCH, "/v1/workspaces/resync-co", Some(json!({"name": "Resync Again"}))).await.unwrap();
    let out = do_sync(&member, None).await;
    assert!(!out.full_resync);
    assert_eq!(out.applied, 1);
    check_user(&s, &member, "a delta after the resync").await;
    s.running.stop().await;
}

/// Every row of the cache file, as one text: what offline review could show. (Role definitions
/// are every member's to read, and a restricted role names its intakes by id: left out.)
/// The demo owner, signed in, with a cache of their own (not synced yet).
async fn demo_owner(s: &Server) -> Person {
    let api = ApiClient::new(&tenancy_client::account_ref::AccountRef::new(&s.url, seed::DEMO_EMAIL).unwrap(), Arc::new(MemorySecrets::default())).unwrap();
    let me = api.sign_in(seed::DEMO_PASSWORD, None).await.unwrap();
    Person { name: "demo".into(), email: seed::DEMO_EMAIL.into(), id: me.id, api, cache: Cache::open(&s.dir.path().join("cache-demo.db")).await.unwrap(), totp: false }
}

/// The first of `communities` (of the workspace at `base`) with API keys and intakes, with them.
async fn with_keys_and_intakes(owner: &Person, base: &str, communities: &[Community]) -> (Community, Vec<ApiKey>, Vec<Intake>) {
    for c in communities {
        let keys: Vec<ApiKey> = list(owner, &format!("{base}/communities/{}/api-keys?limit=1000", c.id)).await.unwrap();
        let intakes: Vec<Intake> = list(owner, &format!("{base}/communities/{}/intakes?limit=1000", c.id)).await.unwrap();
        if !keys.is_empty() && !intakes.is_empty() {
            return (c.clone(), keys, intakes);
        }
    }
    panic!("a demo community with keys and intakes");
}

async fn file_text(cache: &Cache) -> String {
    dump(cache).await.into_iter().filter(|(t, _)| t != "roles").map(|(t, rows)| format!("{t}:\n{}\n", rows.join("\n"))).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visibility_gained_and_lost_through_the_feed_reaches_the_file() {
    let s = server(true).await;
    let owner = demo_owner(&s).await;
    let base = "/v1/workspaces/northwind-mssp";
    let communities: Vec<Community> = list(&owner, &format!("{base}/communities?limit=1000")).await.unwrap();
    let role = |name: &'static str| {
        let owner = &owner;
        async move { list::<Role>(owner, &format!("{base}/roles?limit=100")).await.unwrap().into_iter().find(|r| r.name.as_str() == name).unwrap().id }
    };
    let (guest, analyst) = (role("Guest").await, role("Analyst").await);
    // B: a community with people of its own, keys and intakes; A: another.
    let (b, b_keys, b_intakes) = with_keys_and_intakes(&owner, base, &communities).await;
    let a = communities.iter().find(|c| c.id != b.id).unwrap().clone();
    // B's own people: roles in B and in no community of A's.
    let in_b: Vec<RoleAssignment> = list(&owner, &format!("{base}/assignments?community_id={}&limit=1000", b.id)).await.unwrap();
    let in_a: BTreeSet<UserId> = list::<RoleAssignment>(&owner, &format!("{base}/assignments?community_id={}&limit=1000", a.id)).await.unwrap().iter().map(|x| x.user_id).collect();
    let b_people: BTreeSet<UserId> = in_b.iter().map(|x| x.user_id).filter(|u| !in_a.contains(u)).collect();
    assert!(!b_people.is_empty(), "B has people of its own");

    // Gina: a Guest of A.
    let gina = register(&s, "gina").await;
    let inv = call(&owner, Method::POST, &format!("{base}/invitations"), Some(json!({"email": gina.email, "assignments": [{"community_id": a.id, "role_id": guest}]}))).await.unwrap();
    call(&gina, Method::POST, &format!("/v1/invitations/{}/accept", inv["id"].as_str().unwrap()), Some(json!({}))).await.unwrap();
    do_sync(&gina, None).await;
    check_user(&s, &gina, "a Guest of A").await;
    let b_marks: Vec<String> = [b.id.to_string()]
        .into_iter()
        .chain(b_people.iter().map(|u| u.to_string()))
        .chain(b_keys.iter().map(|k| k.id.to_string()))
        .chain(b_intakes.iter().map(|i| i.id.to_string()))
        .collect();
    let absent = |text: &str| b_marks.iter().filter(|m| text.contains(m.as_str())).cloned().collect::<Vec<_>>();
    assert_eq!(absent(&file_text(&gina.cache).await), Vec::<String>::new(), "before B: the file holds nothing of B");
    // The plan's usage counts the whole workspace: not hers to read, and an invitation preview
    // then leaves the seats to the server.
    let ws = a.workspace_id;
    assert_eq!(gina.cache.usage(ws, Utc::now()).await.unwrap_err().code, ErrorCode::Forbidden);
    let preview = tenancy_client::invites::preview_in(&gina.cache, ws, "new.person@client.example", AssignmentType::Dedicated, Utc::now()).await.unwrap();
    assert_eq!((preview.seats_left, preview.valid), (None, 1), "a member's preview: {preview:?}");

    // Gains an Analyst role in B: the next sync (a delta) brings B's current state.
    let granted = call(&owner, Method::POST, &format!("{base}/members/{}/assignments", gina.id), Some(json!({"assignments": [{"community_id": b.id, "role_id": analyst}]}))).await.unwrap();
    let out = do_sync(&gina, None).await;
    assert!(!out.full_resync, "visibility gained without a full resync");
    check_user(&s, &gina, "an Analyst of B too").await;
    let text = file_text(&gina.cache).await;
    assert_eq!(absent(&text).len(), b_marks.len(), "with B: the file holds B, its people, keys and intakes");
    let vols: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alert_volumes WHERE community_id = ?").bind(b.id.to_string()).fetch_one(gina.cache.pool()).await.unwrap();
    assert!(vols > 0, "B's alert volumes are cached");

    // Loses it: the next sync (a delta) takes B out of the file.
    call(&owner, Method::DELETE, &format!("{base}/assignments/{}", granted[0]["id"].as_str().unwrap()), None).await.unwrap();
    let out = do_sync(&gina, None).await;
    assert!(!out.full_resync, "visibility lost without a full resync");
    check_user(&s, &gina, "a Guest of A again").await;
    let text = file_text(&gina.cache).await;
    assert_eq!(absent(&text), Vec::<String>::new(), "after B: the file holds nothing of B");
    // Nor in its bytes: deleted content is overwritten (secure_delete), and once the WAL is
    // checkpointed into the file (as the console does after a sync) no old page is left.
    // (Intake ids are left out: a restricted role's definition names its intakes.)
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(gina.cache.pool()).await.unwrap();
    let bytes = std::fs::read(s.dir.path().join("cache-gina.db")).unwrap();
    let raw = String::from_utf8_lossy(&bytes);
    let in_bytes: Vec<&String> = b_marks.iter().filter(|m| !b_intakes.iter().any(|i| i.id.to_string() == **m)).filter(|m| raw.contains(m.as_str())).collect();
    assert!(in_bytes.is_empty(), "the cache file's bytes still hold {in_bytes:?} of B");
}

/// A client contact's mirror: their community's settings, intakes and volumes (and its team once
/// the MSSP shows it), nothing of the MSSP's roles, keys or other clients; when the portal closes,
/// the community leaves the file at the next sync (a delta, not a full resync).
#[tokio::test]
async fn a_client_contacts_cache_holds_their_portal_and_nothing_once_it_closes() {
    let s = server(true).await;
    let owner = demo_owner(&s).await;
    let base = "/v1/workspaces/northwind-mssp";
    let communities: Vec<Community> = list(&owner, &format!("{base}/communities?limit=1000")).await.unwrap();
    let (a, a_keys, a_intakes) = with_keys_and_intakes(&owner, base, &communities).await;
    let ws = a.workspace_id;
    let portal = |enabled: bool, show_team: bool| json!({"portal": {"enabled": enabled, "show_team": show_team}});
    call(&owner, Method::PATCH, &format!("{base}/communities/{}", a.id), Some(portal(true, false))).await.unwrap();
    let carl = register(&s, "carl").await;
    let inv = call(&owner, Method::POST, &format!("{base}/communities/{}/contacts", a.id), Some(json!({"email": carl.email}))).await.unwrap();
    call(&carl, Method::POST, &format!("/v1/invitations/{}/accept", inv["id"].as_str().unwrap()), Some(json!({}))).await.unwrap();
    do_sync(&carl, None).await;
    // The MSSP's mirror lists the contact apart, with their community; its seats count them not.
    do_sync(&owner, None).await;
    let q = |role| tenancy_client::cache::views::MemberQuery { workspace_id: Some(ws), workspace_role: role, limit: 1000, ..Default::default() };
    let contacts = owner.cache.members(&q(Some(WorkspaceRole::Client)), Utc::now()).await.unwrap();
    assert_eq!(contacts.rows.iter().map(|r| (r.user_id, r.contact_of)).collect::<Vec<_>>(), vec![(Some(carl.id), Some(a.id))]);
    let people = owner.cache.members(&q(None), Utc::now()).await.unwrap();
    assert!(people.rows.iter().all(|r| r.user_id != Some(carl.id)), "the members table lists the MSSP's people");
    assert_eq!(owner.cache.usage(ws, Utc::now()).await.unwrap().client_contacts, 1);

    let count = |sql: &'static str| {
        let pool = carl.cache.pool().clone();
        async move { sqlx::query_scalar::<_, i64>(sql).bind(ws.to_string()).fetch_one(&pool).await.unwrap() }
    };
    let people = || {
        let pool = carl.cache.pool().clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT user_id FROM members WHERE workspace_id = ?").bind(ws.to_string()).fetch_all(&pool).await.unwrap().into_iter().collect::<BTreeSet<_>>()
        }
    };
    let ids = |v: Vec<Community>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(ids(carl.cache.communities(ws, None).await.unwrap()), vec![a.id], "their community only");
    assert_eq!(sorted(carl.cache.intakes(a.id).await.unwrap()), sorted(&a_intakes), "its intakes");
    let volumes = || {
        let pool = carl.cache.pool().clone();
        async move { sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM alert_volumes WHERE community_id = ?").bind(a.id.to_string()).fetch_one(&pool).await.unwrap() }
    };
    assert!(volumes().await > 0, "its alert volumes");
    for (what, sql) in [
        ("roles", "SELECT COUNT(*) FROM roles WHERE workspace_id = ?"),
        ("keys", "SELECT COUNT(*) FROM api_keys WHERE workspace_id = ?"),
        ("invitations", "SELECT COUNT(*) FROM invitations WHERE workspace_id = ?"),
        ("assignments", "SELECT COUNT(*) FROM assignments WHERE ws = (SELECT k FROM keys WHERE id = ?)"),
    ] {
        assert_eq!(count(sql).await, 0, "a contact's cache holds no {what}");
    }
    assert_eq!(people().await, BTreeSet::from([carl.id.to_string()]), "no team yet: themself only");
    let mode = carl.cache.workspace_modes().await.unwrap().into_iter().find(|m| m.workspace_id == ws).unwrap();
    assert_eq!(mode.contact_of, Some(a.id), "the console knows to show the portal");
    let text = file_text(&carl.cache).await;
    let others: Vec<String> = communities.iter().filter(|c| c.id != a.id).map(|c| c.id.to_string()).filter(|id| text.contains(id.as_str())).collect();
    assert!(others.is_empty() && !a_keys.iter().any(|k| text.contains(&k.id.to_string())), "the file names other clients {others:?} or A's keys");

    // The team shown: A's people come, by a delta.
    call(&owner, Method::PATCH, &format!("{base}/communities/{}", a.id), Some(portal(true, true))).await.unwrap();
    let out = do_sync(&carl, None).await;
    assert!(!out.full_resync, "the team came without a full resync");
    let mut team: BTreeSet<String> = list::<RoleAssignment>(&owner, &format!("{base}/assignments?community_id={}&limit=1000", a.id)).await.unwrap().iter().map(|x| x.user_id.to_string()).collect();
    team.insert(carl.id.to_string());
    assert!(team.len() > 1);
    assert_eq!(people().await, team, "A's people and themself");

    // The portal closed: A leaves the file, by a delta.
    call(&owner, Method::PATCH, &format!("{base}/communities/{}", a.id), Some(portal(false, true))).await.unwrap();
    let out = do_sync(&carl, None).await;
    assert!(!out.full_resync, "the portal closed without a full resync");
    assert!(carl.cache.communities(ws, None).await.unwrap().is_empty(), "no community left");
    assert_eq!(count("SELECT COUNT(*) FROM intakes WHERE workspace_id = ?").await, 0);
    assert_eq!(volumes().await, 0, "its alert volumes are gone");
    assert_eq!(people().await, BTreeSet::from([carl.id.to_string()]), "A's people are gone");
    // A stays named only as their own membership's community.
    let a_id = a.id.to_string();
    for (table, rows) in dump(&carl.cache).await {
        for r in rows.iter().filter(|r| r.contains(&a_id)) {
            assert!(table == "members" && r.contains(&carl.id.to_string()), "{table} still names A: {r}");
        }
    }
}

/// The palette's people search: by part of an email or a name, any case, in every workspace of
/// the cache; a member confined to one community finds only people the server lists for them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_are_found_by_name_or_email_and_only_where_the_searcher_sees_them() {
    let s = server(true).await;
    let owner = demo_owner(&s).await;
    do_sync(&owner, None).await;
    let base = "/v1/workspaces/northwind-mssp";
    let members: Vec<Member> = list(&owner, &format!("{base}/members?limit=1000")).await.unwrap();
    let someone = members.iter().find(|m| m.user_id != owner.id && m.display_name.as_str().contains(' ')).expect("a demo member with a full name");
    let local = someone.email.as_str().split('@').next().unwrap();
    let by_email = owner.cache.find_people(&local[1..].to_uppercase(), 50).await.unwrap();
    assert!(by_email.iter().any(|h| h.user_id == someone.user_id && h.email == someone.email.as_str()), "{local}: {by_email:?}");
    let surname = someone.display_name.as_str().rsplit(' ').next().unwrap().to_lowercase();
    let by_name = owner.cache.find_people(&surname, 50).await.unwrap();
    assert!(by_name.iter().any(|h| h.user_id == someone.user_id), "{surname}: {by_name:?}");
    assert!(by_name.iter().all(|h| h.email.contains(&surname) || h.display_name.to_lowercase().contains(&surname)), "only matches");
    assert!(owner.cache.find_people("   ", 50).await.unwrap().is_empty(), "an empty query finds nobody");
    assert!(owner.cache.find_people("zz-nobody-has-this", 50).await.unwrap().is_empty());
    assert_eq!(owner.cache.find_people("a", 7).await.unwrap().len(), 7, "at most the limit");
    // LIKE's own wildcards are taken literally.
    assert!(owner.cache.find_people("%", 50).await.unwrap().is_empty());

    // Gina, a Guest of one community: every person she finds is one the server lists for her.
    let communities: Vec<Community> = list(&owner, &format!("{base}/communities?limit=1000")).await.unwrap();
    let guest = list::<Role>(&owner, &format!("{base}/roles?limit=100")).await.unwrap().into_iter().find(|r| r.name.as_str() == "Guest").unwrap().id;
    let gina = register(&s, "gina").await;
    let inv = call(&owner, Method::POST, &format!("{base}/invitations"), Some(json!({"email": gina.email, "assignments": [{"community_id": communities[0].id, "role_id": guest}]}))).await.unwrap();
    call(&gina, Method::POST, &format!("/v1/invitations/{}/accept", inv["id"].as_str().unwrap()), Some(json!({}))).await.unwrap();
    do_sync(&gina, None).await;
    let hers: BTreeSet<UserId> = list::<Member>(&gina, &format!("{base}/members?limit=1000")).await.unwrap().iter().map(|m| m.user_id).collect();
    assert!(hers.len() < members.len(), "she is confined: {} of {}", hers.len(), members.len());
    let mut found = BTreeSet::new();
    for letter in ["a", "e", "i", "o", "u"] {
        found.extend(gina.cache.find_people(letter, 50).await.unwrap().into_iter().map(|h| h.user_id));
    }
    assert!(found.contains(&gina.id) && found.is_subset(&hers), "found beyond her sight: {:?}", found.difference(&hers).collect::<Vec<_>>());
}
