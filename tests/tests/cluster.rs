//! Several servers, one database: three `tenancy-server` processes on one PostgreSQL database,
//! spoken to directly and through haproxy (round robin). What one process does, the others must
//! see at once and hold to: the last-owner rule under a storm of concurrent demotions spread over
//! the three, If-Match versions across processes, one change feed whatever server reads it, a
//! console cache synced through the balancer that ends equal to the server — and the races two
//! servers make easy: one refresh token spent on several servers at once, an invitation accepted
//! on one while revoked on another, a user-level change (a 2FA reset) crossing a role change.
//!
//! Run by `scripts/system.sh` (which builds the server and starts a throwaway PostgreSQL), or
//! alone, after `cargo build -p tenancy-server`:
//!
//!   TENANCY_SERVER_BIN=$PWD/target/debug/tenancy-server \
//!     scripts/with-postgres.sh cargo test -p tenantry-e2e --test cluster -- --ignored --test-threads=1
//!
//! Each test's server and haproxy logs are kept under `target/system/<test>/`. Every test also
//! fails when a server logged an error (a 5xx answer, an internal error) or died.

use futures::future::join_all;
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tenancy::wire::{Community, Invitation, Member, Role, RoleAssignment};
use tenancy::{UserId, WorkspaceId, WorkspaceRole};
use tenantry_e2e::check::canon;
use tenancy_client::cache::views::{MemberQuery, MemberStatus};
use tenancy_client::secret::MemorySecrets;
use tenancy_client::{ApiClient, Cache};
use tenantry_e2e::cluster::{Cluster, BACKEND_HEADER};
use tenantry_e2e::{DEMO_EMAIL, PASSWORD};

/// The demo's enterprise MSSP workspace: the demo account and one of its staff own it, five
/// staff are admins, the rest members.
const WS: &str = "northwind-mssp";

/// How long one test may run before it fails (a bound against a hang, not a speed goal).
const LIMIT: Duration = Duration::from_secs(100);

fn start(name: &str) -> Cluster {
    Cluster::start(name, 3).unwrap_or_else(|e| panic!("starting the cluster for {name}: {e:#}"))
}

/// Runs `body` within [`LIMIT`], then fails when a server logged an error or died.
async fn run<F: std::future::Future<Output = ()>>(c: &mut Cluster, body: F) {
    let t = Instant::now();
    if tokio::time::timeout(LIMIT, body).await.is_err() {
        panic!("{} did not finish within {} s; logs in {}", c.name, LIMIT.as_secs(), c.dir.display());
    }
    let errors = c.errors();
    assert!(errors.is_empty(), "the servers logged errors (logs in {}):\n{}", c.dir.display(), errors.join("\n"));
    eprintln!("{}: passed in {:.1} s", c.name, t.elapsed().as_secs_f64());
}

// ---------- HTTP ----------

/// One answer: status, headers, the JSON body (Null when empty), and what was asked (for messages).
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Value,
    asked: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }
    #[track_caller]
    fn expect(self, status: u16) -> Value {
        assert_eq!(self.status, status, "{}: unexpected status; body: {}", self.asked, self.body);
        self.body
    }
    /// The version in the answer's ETag (`"7"`).
    #[track_caller]
    fn version(&self) -> i64 {
        let tag = self.header("etag").unwrap_or_else(|| panic!("{}: an ETag", self.asked));
        tag.trim_matches('"').parse().unwrap_or_else(|_| panic!("{}: a version ETag, not {tag}", self.asked))
    }
    /// Is this an RFC 9457 problem of type `slug` with `status`? (What a documented refusal is.)
    fn is_problem(&self, status: u16, slug: &str) -> bool {
        self.status == status
            && self.header("content-type").as_deref() == Some("application/problem+json")
            && self.body["type"].as_str().is_some_and(|t| t.ends_with(&format!("/problems/{slug}")))
            && self.body["status"].as_u64() == Some(status as u64)
            && self.body["detail"].as_str().is_some_and(|d| d.len() > 20)
    }
    #[track_caller]
    fn problem(&self, status: u16, slug: &str) {
        assert!(self.is_problem(status, slug), "{}: expected a {status} {slug} problem+json, got {} {:?}: {}", self.asked, self.status, self.header("content-type"), self.body);
    }
}

#[derive(Clone)]
struct Http(reqwest::Client);

/// A signed-in person.
#[derive(Clone, Debug)]
struct User {
    id: String,
    token: String,
}

impl Http {
    fn new() -> Http {
        Http(reqwest::Client::builder().timeout(Duration::from_secs(30)).pool_max_idle_per_host(200).build().unwrap())
    }

    async fn call(&self, base: &str, method: Method, path: &str, token: Option<&str>, body: Option<Value>, headers: &[(&str, String)]) -> Answer {
        let asked = format!("{method} {base}{path}");
        let mut req = self.0.request(method, format!("{base}{path}"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let res = req.send().await.unwrap_or_else(|e| panic!("{asked}: no answer: {e}"));
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_else(|e| panic!("{asked}: the body did not arrive: {e}"));
        let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        Answer { status, headers, body, asked }
    }

    async fn get(&self, base: &str, path: &str, u: &User) -> Answer {
        self.call(base, Method::GET, path, Some(&u.token), None, &[]).await
    }

    async fn login(&self, base: &str, email: &str) -> User {
        let s = self.call(base, Method::POST, "/v1/auth/login", None, Some(json!({"email": email, "password": PASSWORD})), &[]).await.expect(200);
        User { id: s["user"]["id"].as_str().unwrap().to_owned(), token: s["access_token"].as_str().unwrap().to_owned() }
    }

    /// Every item of a paged list (`path` without a query or with one), following `next_cursor`.
    async fn all(&self, base: &str, path: &str, u: &User) -> Vec<Value> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..1000 {
            let q = match &cursor {
                Some(c) => format!("{path}{sep}limit=1000&cursor={c}"),
                None => format!("{path}{sep}limit=1000"),
            };
            let page = self.get(base, &q, u).await.expect(200);
            out.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return out,
            }
        }
        panic!("{path}: the pages never ended");
    }

    /// The workspace's members (with `role`, those only), by user id.
    async fn members(&self, base: &str, u: &User, role: Option<&str>) -> BTreeMap<String, Value> {
        let path = match role {
            Some(r) => format!("/v1/workspaces/{WS}/members?role={r}"),
            None => format!("/v1/workspaces/{WS}/members"),
        };
        self.all(base, &path, u).await.into_iter().map(|m| (m["user_id"].as_str().unwrap().to_owned(), m)).collect()
    }
}

/// The newest sequence number of the feed (what a follower starting now starts after).
async fn latest(http: &Http, base: &str, u: &User) -> i64 {
    http.get(base, "/v1/changes?since=0&limit=1", u).await.expect(200)["latest"].as_i64().unwrap()
}

/// One page of the feed as read, for checking how pages join.
#[derive(Debug)]
struct FeedPage {
    since: i64,
    next_since: i64,
    has_more: bool,
    seqs: Vec<i64>,
}

/// Reads `u`'s change feed after `since` through `base`, `limit` changes a page, to its end.
/// Checks each page on the way: the headers say what the body says; its changes are after
/// `since`, in strictly increasing order, up to `next_since`; a page with more after it is full
/// and ends exactly at `next_since`, so the next one (asked from there) continues where it ended;
/// the last one brings the reader up to `latest`.
async fn read_feed(http: &Http, base: &str, u: &User, since: i64, limit: u32) -> (Vec<Value>, Vec<FeedPage>) {
    let mut out = Vec::new();
    let mut pages = Vec::new();
    let mut since = since;
    for _ in 0..100_000 {
        let a = http.get(base, &format!("/v1/changes?since={since}&limit={limit}"), u).await;
        let (more_h, next_h) = (a.header("tenantry-has-more"), a.header("tenantry-next-since"));
        let b = a.expect(200);
        let (next, more, newest) = (b["next_since"].as_i64().unwrap(), b["has_more"].as_bool().unwrap(), b["latest"].as_i64().unwrap());
        assert_eq!(more_h, Some(more.to_string()), "{base}: Tenantry-Has-More says what the body says");
        assert_eq!(next_h, Some(next.to_string()), "{base}: Tenantry-Next-Since says what the body says");
        let changes = b["changes"].as_array().unwrap();
        let seqs: Vec<i64> = changes.iter().map(|c| c["seq"].as_i64().unwrap()).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{base}: a page's changes in strictly increasing order: {seqs:?}");
        assert!(seqs.iter().all(|&s| s > since && s <= next), "{base}: a page after {since} up to {next}: {seqs:?}");
        assert!(next >= since, "{base}: next_since never goes back ({since} → {next})");
        if more {
            assert_eq!(changes.len(), limit as usize, "{base}: a page with more after it is full");
            assert_eq!(seqs.last().copied(), Some(next), "{base}: a page with more after it ends at next_since");
        } else {
            assert!(next >= newest, "{base}: the last page brings the reader up to latest ({next} < {newest})");
        }
        pages.push(FeedPage { since, next_since: next, has_more: more, seqs });
        out.extend(changes.iter().cloned());
        since = next;
        if !more {
            return (out, pages);
        }
    }
    panic!("{base}: the feed never ended");
}


/// A multiset of entities as sorted canonical JSON strings.
macro_rules! sorted {
    ($items:expr) => {{
        let mut v: Vec<String> = $items.into_iter().map(|i| canon(serde_json::to_value(i).unwrap()).to_string()).collect();
        v.sort();
        v
    }};
}

/// Asserts two multisets of canonical JSON are equal, showing only what differs.
#[track_caller]
fn same(what: &str, cached: Vec<String>, server: Vec<String>) {
    if cached == server {
        return;
    }
    let (mut only_cache, mut only_server) = (cached.clone(), server.clone());
    for x in &server {
        if let Some(i) = only_cache.iter().position(|y| y == x) {
            only_cache.remove(i);
        }
    }
    for x in &cached {
        if let Some(i) = only_server.iter().position(|y| y == x) {
            only_server.remove(i);
        }
    }
    panic!("{what}: the cache holds {} and the server {}; only in the cache: {only_cache:#?}\nonly on the server: {only_server:#?}", cached.len(), server.len());
}

/// A list's items as the API's types.
macro_rules! typed {
    ($items:expr) => {
        serde_json::from_value(Value::Array($items)).unwrap()
    };
}

// ---------- the tests ----------

/// Six owners (the demo account, and people promoted: all of them able to sign in with the
/// password alone) send 100 demotions at once, each straight to one of the three servers in turn:
/// themselves or another owner, to member or admin, half of them with the If-Match version read
/// before. Every answer is a success or a documented refusal — 409 last-owner, 412 stale version,
/// or 403/404 for an actor an earlier success demoted (checked: such an actor is no owner at the
/// end) — never a 5xx; the workspace keeps an owner, the same through every server; the audit log
/// has exactly one entry per success (by request id) and the feed one member change per success,
/// the last of each being the member as it is; and the last owner still cannot go, through any
/// server.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "system: needs PostgreSQL and haproxy; run by scripts/system.sh"]
async fn hundred_concurrent_last_owner_demotions_over_three_servers_leave_an_owner() {
    let mut c = start("hundred_concurrent_last_owner_demotions_over_three_servers_leave_an_owner");
    let (lb, s) = (c.balancer.clone(), [c.server(0).to_owned(), c.server(1).to_owned(), c.server(2).to_owned()]);
    let dir = c.dir.clone();
    run(&mut c, async {
        let http = Http::new();
        let demo = http.login(&lb, DEMO_EMAIL).await;
        // Who can sign in with the password alone (the demo gives some staff two-factor sign-in).
        let no_2fa = |m: &Value| m["two_factor_enabled"] == false;
        let email = |m: &Value| m["email"].as_str().unwrap().to_owned();
        let owners0: Vec<Value> = http.members(&lb, &demo, Some("owner")).await.into_values().collect();
        let mut staff: Vec<Value> = http.members(&lb, &demo, None).await.into_values().filter(|m| m["role"] != "owner" && no_2fa(m)).collect();
        staff.sort_by_key(email);
        assert!(owners0.iter().any(|m| m["email"] == DEMO_EMAIL), "the demo account owns {WS}");
        // Six owners, all of whom can sign in: an owner who cannot steps down to admin, and
        // others become owners (each change through another server).
        let member_path = |m: &Value| format!("/v1/workspaces/{WS}/members/{}", m["user_id"].as_str().unwrap());
        let mut chosen: Vec<Value> = owners0.iter().filter(|m| no_2fa(m)).cloned().collect();
        for (i, o) in owners0.iter().filter(|m| !no_2fa(m)).enumerate() {
            http.call(&s[i % 3], Method::PATCH, &member_path(o), Some(&demo.token), Some(json!({"role": "admin"})), &[]).await.expect(200);
        }
        let promote = 6 - chosen.len();
        assert!(staff.len() > promote, "enough people without two-factor sign-in: {staff:?}");
        for (i, a) in staff[..promote].iter().enumerate() {
            let m = http.call(&s[i % 3], Method::PATCH, &member_path(a), Some(&demo.token), Some(json!({"role": "owner"})), &[]).await.expect(200);
            assert_eq!(m["role"], "owner");
            chosen.push(a.clone());
        }
        chosen.sort_by_key(email);
        // The owners sign in (each through another server: a session works on every server).
        let mut owners = Vec::new();
        for (i, m) in chosen.iter().enumerate() {
            owners.push(http.login(&s[i % 3], &email(m)).await);
        }
        let n = owners.len();
        assert_eq!(n, 6);
        let ids: BTreeSet<String> = owners.iter().map(|o| o.id.clone()).collect();
        assert_eq!(http.members(&s[2], &demo, Some("owner")).await.keys().cloned().collect::<BTreeSet<_>>(), ids, "six owners, as server 2 sees them");
        // An admin who stays out of it watches: the owners, the audit log, the feed.
        http.call(&s[0], Method::PATCH, &member_path(&staff[promote]), Some(&demo.token), Some(json!({"role": "admin"})), &[]).await.expect(200);
        let watcher = http.login(&lb, &email(&staff[promote])).await;
        let ws_id = http.get(&lb, &format!("/v1/workspaces/{WS}"), &watcher).await.expect(200)["id"].as_str().unwrap().to_owned();
        let audit_before = http.get(&lb, &format!("/v1/workspaces/{WS}/audit?limit=1"), &watcher).await.expect(200)["items"][0]["id"].as_i64().unwrap_or(0);
        let cursor = latest(&http, &lb, &watcher).await;
        let mut versions = Vec::new();
        for (i, o) in owners.iter().enumerate() {
            versions.push(http.get(&s[i % 3], &format!("/v1/workspaces/{WS}/members/{}", o.id), &watcher).await.version());
        }

        // The storm.
        struct Demotion {
            rid: String,
            actor: usize,
            target: usize,
            role: &'static str,
            if_match: Option<i64>,
            server: usize,
        }
        let plan: Vec<Demotion> = (0..100)
            .map(|i| {
                let actor = i % n;
                let target = match i % 4 {
                    0 | 1 => actor, // stepping down
                    2 => (actor + 1) % n, // the next owner
                    _ => (actor + 1 + i / 4 % (n - 1)) % n, // any other owner
                };
                Demotion {
                    rid: format!("storm-{i:03}"),
                    actor,
                    target,
                    role: if i % 5 == 4 { "admin" } else { "member" },
                    if_match: (i % 2 == 0).then_some(versions[target]),
                    server: (i + i / n) % 3,
                }
            })
            .collect();
        assert_eq!(plan.iter().map(|d| d.server).collect::<BTreeSet<_>>().len(), 3, "all three servers take part");
        let answers = join_all(plan.iter().map(|d| {
            let mut headers = vec![("x-request-id", d.rid.clone())];
            if let Some(v) = d.if_match {
                headers.push(("if-match", format!("\"{v}\"")));
            }
            let path = format!("/v1/workspaces/{WS}/members/{}", owners[d.target].id);
            let (http, base, token, body) = (http.clone(), s[d.server].clone(), owners[d.actor].token.clone(), json!({"role": d.role}));
            async move { http.call(&base, Method::PATCH, &path, Some(&token), Some(body), &headers).await }
        }))
        .await;

        let mut ok = BTreeSet::new();
        let mut refused: BTreeMap<&str, usize> = BTreeMap::new();
        let mut demoted = BTreeSet::new();
        let mut refused_as_demoted = BTreeSet::new();
        for (d, a) in plan.iter().zip(&answers) {
            assert_eq!(a.header("x-request-id").as_deref(), Some(d.rid.as_str()), "{}: the request id comes back", a.asked);
            match a.status {
                200 => {
                    assert_eq!(a.body["role"], d.role, "{}: {}", d.rid, a.body);
                    ok.insert(d.rid.clone());
                    demoted.insert(d.target);
                }
                409 if a.is_problem(409, "last-owner") => *refused.entry("409 last-owner").or_default() += 1,
                412 if a.is_problem(412, "precondition-failed") => *refused.entry("412 precondition-failed").or_default() += 1,
                // The actor was demoted by an earlier request: no longer an owner, they may not
                // change an owner (403), and as a member confined to their communities they may
                // not even see one (404). Checked below: such an actor is no owner at the end.
                403 if a.is_problem(403, "forbidden") => {
                    *refused.entry("403 forbidden").or_default() += 1;
                    refused_as_demoted.insert(d.actor);
                }
                404 if a.is_problem(404, "not-found") => {
                    *refused.entry("404 not-found").or_default() += 1;
                    refused_as_demoted.insert(d.actor);
                }
                _ => panic!(
                    "{} (server s{}, owner {} demoting owner {} to {}, If-Match {:?}) answered {} {}; server log: {}",
                    d.rid, d.server, d.actor, d.target, d.role, d.if_match, a.status, a.body, dir.join(format!("s{}.log", d.server)).display()
                ),
            }
        }
        eprintln!("the storm: {} succeeded, refused {refused:?}", ok.len());
        assert!(!ok.is_empty(), "some demotion succeeded");

        // The same owners through every server, and at least one.
        let mut seen = Vec::new();
        for base in s.iter().chain([&lb]) {
            seen.push(http.members(base, &watcher, Some("owner")).await.keys().cloned().collect::<BTreeSet<_>>());
        }
        assert!(seen.windows(2).all(|w| w[0] == w[1]), "every server sees the same owners: {seen:?}");
        let left = seen[0].clone();
        assert!(!left.is_empty(), "the workspace lost all its owners: {answers:?}");
        assert!(left.is_subset(&ids), "the owners left are some of the six: {left:?}");
        // Each owner who lost ownership did so by exactly one of the successes.
        let members = http.members(&s[0], &watcher, None).await;
        for (i, o) in owners.iter().enumerate() {
            let role = members[&o.id]["role"].as_str().unwrap();
            if demoted.contains(&i) {
                assert_ne!(role, "owner", "owner {i} was demoted");
            } else {
                assert_eq!(role, "owner", "owner {i} was demoted by nobody");
            }
            if refused_as_demoted.contains(&i) {
                assert_ne!(role, "owner", "owner {i} was refused as no longer an owner, so was demoted");
            }
        }

        // The audit log: one role-change entry per success, by its request id, none for a refusal.
        let mut entries = Vec::new();
        let mut path = format!("/v1/workspaces/{WS}/audit?action=member.role_change&limit=100");
        'pages: loop {
            let page = http.get(&s[1], &path, &watcher).await.expect(200);
            for e in page["items"].as_array().unwrap() {
                if e["id"].as_i64().unwrap() <= audit_before {
                    break 'pages;
                }
                entries.push(e.clone());
            }
            match page["next_cursor"].as_str() {
                Some(cur) => path = format!("/v1/workspaces/{WS}/audit?action=member.role_change&limit=100&cursor={cur}"),
                None => break,
            }
        }
        let rids: Vec<String> = entries.iter().map(|e| e["request_id"].as_str().unwrap().to_owned()).collect();
        assert_eq!(rids.len(), ok.len(), "one audit entry per successful demotion: {rids:?}");
        assert_eq!(rids.iter().cloned().collect::<BTreeSet<_>>(), ok, "the audit entries are the successes' (by request id)");
        let lost = entries.iter().filter(|e| e["before"]["role"] == "owner" && e["after"]["role"] != "owner").count();
        assert_eq!(lost, n - left.len(), "each owner lost is one audit entry from owner to not owner");

        // The feed: one member change per success, and the last of each is the member now.
        let (changes, _) = read_feed(&http, &s[2], &watcher, cursor, 1000).await;
        let mine: Vec<&Value> = changes.iter().filter(|c| c["workspace_id"] == ws_id.as_str() && c["kind"] == "member").collect();
        assert_eq!(mine.len(), ok.len(), "one member change in the feed per successful demotion");
        let mut last: BTreeMap<&str, &Value> = BTreeMap::new();
        for ch in &mine {
            last.insert(ch["data"]["user_id"].as_str().unwrap(), &ch["data"]);
        }
        for (user, data) in last {
            assert_eq!(*data, members[user], "the feed's last change of {user} is the member as it is");
        }

        // Down to one owner (one by one, through each server), who then cannot go anywhere.
        let mut rest: Vec<&User> = owners.iter().filter(|o| left.contains(&o.id)).collect();
        while rest.len() > 1 {
            let o = rest.remove(0);
            http.call(&s[rest.len() % 3], Method::PATCH, &format!("/v1/workspaces/{WS}/members/{}", o.id), Some(&o.token), Some(json!({"role": "member"})), &[]).await.expect(200);
        }
        let last_owner = rest[0];
        for base in &s {
            let path = format!("/v1/workspaces/{WS}/members/{}", last_owner.id);
            http.call(base, Method::PATCH, &path, Some(&last_owner.token), Some(json!({"role": "member"})), &[]).await.problem(409, "last-owner");
            http.call(base, Method::DELETE, &path, Some(&last_owner.token), None, &[]).await.problem(409, "last-owner");
            let owners_now = http.members(base, &watcher, Some("owner")).await;
            assert_eq!(owners_now.keys().collect::<Vec<_>>(), vec![&last_owner.id], "{base}: one owner");
        }
    })
    .await;
}

/// A version read through one server is stale once another server has written: a write with it
/// through a third is refused with 412 (as problem+json) and changes nothing; the fresh version
/// read through that third server is accepted. For a member, a community and a role.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "system: needs PostgreSQL and haproxy; run by scripts/system.sh"]
async fn a_stale_if_match_through_another_server_gets_412() {
    let mut c = start("a_stale_if_match_through_another_server_gets_412");
    let (lb, s) = (c.balancer.clone(), [c.server(0).to_owned(), c.server(1).to_owned(), c.server(2).to_owned()]);
    run(&mut c, async {
        let http = Http::new();
        let demo = http.login(&lb, DEMO_EMAIL).await;
        let (a, b, cc) = (&s[0], &s[1], &s[2]);
        let if_match = |v: i64| vec![("if-match", format!("\"{v}\""))];

        // A member.
        let mut plain: Vec<Value> = http.members(&lb, &demo, Some("member")).await.into_values().collect();
        plain.sort_by_key(|m| m["email"].as_str().unwrap().to_owned());
        let path = format!("/v1/workspaces/{WS}/members/{}", plain[0]["user_id"].as_str().unwrap());
        let read = http.get(a, &path, &demo).await;
        let v0 = read.version();
        assert_eq!(read.body["version"].as_i64(), Some(v0), "the ETag is the member's version");
        let w = http.call(b, Method::PATCH, &path, Some(&demo.token), Some(json!({"role": "admin"})), &if_match(v0)).await;
        assert_eq!(w.version(), v0 + 1, "the write through B answers the new version");
        assert_eq!(w.expect(200)["role"], "admin");
        http.call(cc, Method::PATCH, &path, Some(&demo.token), Some(json!({"role": "member"})), &if_match(v0)).await.problem(412, "precondition-failed");
        http.call(cc, Method::DELETE, &path, Some(&demo.token), None, &if_match(v0)).await.problem(412, "precondition-failed");
        let now = http.get(a, &path, &demo).await;
        assert_eq!((now.version(), now.body["role"].clone()), (v0 + 1, json!("admin")), "the stale writes through C changed nothing (read through A)");
        let fresh = http.get(cc, &path, &demo).await.version();
        assert_eq!(fresh, v0 + 1, "C reads what B wrote");
        let w = http.call(cc, Method::PATCH, &path, Some(&demo.token), Some(json!({"role": "member"})), &if_match(fresh)).await;
        assert_eq!((w.version(), w.expect(200)["role"].clone()), (v0 + 2, json!("member")), "the fresh version is accepted through C");

        // A community.
        let community = http.all(&lb, &format!("/v1/workspaces/{WS}/communities"), &demo).await[0].clone();
        let path = format!("/v1/workspaces/{WS}/communities/{}", community["id"].as_str().unwrap());
        let v0 = http.get(a, &path, &demo).await.version();
        let w = http.call(b, Method::PATCH, &path, Some(&demo.token), Some(json!({"name": "Renamed through B"})), &if_match(v0)).await;
        assert_eq!(w.version(), v0 + 1);
        w.expect(200);
        http.call(cc, Method::PATCH, &path, Some(&demo.token), Some(json!({"name": "Renamed through C"})), &if_match(v0)).await.problem(412, "precondition-failed");
        let now = http.get(a, &path, &demo).await;
        assert_eq!((now.version(), now.body["name"].clone()), (v0 + 1, json!("Renamed through B")), "the stale rename through C changed nothing");

        // A role (the workspace's restricted role: built-in ones cannot change).
        let roles = http.all(&lb, &format!("/v1/workspaces/{WS}/roles"), &demo).await;
        let role = roles.iter().find(|r| r["builtin"].is_null()).unwrap_or_else(|| panic!("a role that is not built in: {roles:?}"));
        let path = format!("/v1/workspaces/{WS}/roles/{}", role["id"].as_str().unwrap());
        let v0 = http.get(a, &path, &demo).await.version();
        http.call(b, Method::PATCH, &path, Some(&demo.token), Some(json!({"description": "Changed through B"})), &if_match(v0)).await.expect(200);
        http.call(cc, Method::PATCH, &path, Some(&demo.token), Some(json!({"description": "Changed through C"})), &if_match(v0)).await.problem(412, "precondition-failed");
        let now = http.get(a, &path, &demo).await;
        assert_eq!((now.version(), now.body["description"].clone()), (v0 + 1, json!("Changed through B")), "the stale change through C changed nothing");
    })
    .await;
}

/// Writers on all three servers at once while a follower pages through the balancer; then the
/// whole feed read through each server and through the balancer: the same changes in the same
/// order everywhere, strictly increasing, each page continuing exactly where the previous one
/// ended (the same as read in pages of another size), and the follower missed nothing.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "system: needs PostgreSQL and haproxy; run by scripts/system.sh"]
async fn the_change_feed_reads_the_same_through_every_server() {
    let mut c = start("the_change_feed_reads_the_same_through_every_server");
    let (lb, s) = (c.balancer.clone(), [c.server(0).to_owned(), c.server(1).to_owned(), c.server(2).to_owned()]);
    run(&mut c, async {
        let http = Http::new();
        let demo = http.login(&lb, DEMO_EMAIL).await;
        let cursor = latest(&http, &lb, &demo).await;
        let done = Arc::new(AtomicBool::new(false));

        // The follower: small pages through the balancer, until the writers are done and it has
        // caught up after that.
        let follower = {
            let (http, lb, demo, done) = (http.clone(), lb.clone(), demo.clone(), done.clone());
            tokio::spawn(async move {
                let mut got = Vec::new();
                let mut since = cursor;
                let mut backends = BTreeSet::new();
                loop {
                    let finished = done.load(Ordering::SeqCst);
                    let a = http.get(&lb, &format!("/v1/changes?since={since}&limit=7"), &demo).await;
                    backends.extend(a.header(BACKEND_HEADER));
                    let b = a.expect(200);
                    let changes = b["changes"].as_array().unwrap();
                    assert!(changes.iter().all(|c| c["seq"].as_i64().unwrap() > since), "the follower gets only changes after its cursor");
                    got.extend(changes.iter().cloned());
                    since = b["next_since"].as_i64().unwrap();
                    if !b["has_more"].as_bool().unwrap() {
                        if finished {
                            return (got, backends);
                        }
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            })
        };

        // Three writers, one per server, twelve writes each: communities and invitations.
        let writers = (0..3).map(|k| {
            let (http, base, demo) = (http.clone(), s[k].clone(), demo.clone());
            async move {
                let mut made = Vec::new();
                for j in 0..12 {
                    let (path, body, kind) = if j % 2 == 0 {
                        let slug = format!("feed-s{k}-{j}");
                        (format!("/v1/workspaces/{WS}/communities"), json!({"name": format!("Feed {k} {j}"), "slug": slug, "timezone": "UTC", "region": "eu-west"}), "community")
                    } else {
                        ("/v1/workspaces/sentinel-shield/invitations".to_owned(), json!({"email": format!("feed-s{k}-{j}@cluster.example"), "workspace_role": "member"}), "invitation")
                    };
                    let made_now = http.call(&base, Method::POST, &path, Some(&demo.token), Some(body), &[]).await.expect(201);
                    made.push((kind, made_now["id"].as_str().unwrap().to_owned()));
                }
                made
            }
        });
        let made: Vec<(&str, String)> = join_all(writers).await.into_iter().flatten().collect();
        done.store(true, Ordering::SeqCst);
        let (followed, backends) = follower.await.unwrap();
        assert_eq!(backends.len(), 3, "the follower's pages came from every server: {backends:?}");

        // The whole feed through each server and through the balancer.
        let mut reads = Vec::new();
        for base in s.iter().chain([&lb]) {
            let (changes, pages) = read_feed(&http, base, &demo, 0, 250).await;
            assert!(pages.len() > 3, "{base}: the feed takes several pages ({})", pages.len());
            for w in pages.windows(2) {
                assert_eq!(w[1].since, w[0].next_since, "{base}: each page is asked from where the previous one ended");
                assert!(w[0].has_more);
                if let (Some(end), Some(first)) = (w[0].seqs.last(), w[1].seqs.first()) {
                    assert!(first > end, "{base}: a page starts after the previous one's last change");
                }
            }
            reads.push((base.clone(), changes));
        }
        let (first_base, first) = &reads[0];
        for (base, changes) in &reads[1..] {
            assert_eq!(changes.len(), first.len(), "{base} and {first_base}: as many changes");
            assert!(changes == first, "{base} reads the same feed as {first_base}");
        }
        let seqs: Vec<i64> = first.iter().map(|c| c["seq"].as_i64().unwrap()).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "strictly increasing sequence numbers across pages");
        // No gap at a page boundary: pages of another size join into the same feed.
        let (whole, _) = read_feed(&http, &lb, &demo, 0, 20000).await;
        assert!(whole == *first, "the feed read in pages of 20000 is the feed read in pages of 250");
        // The follower, during the writes, saw exactly what the feed holds after its cursor.
        let after: Vec<&Value> = first.iter().filter(|c| c["seq"].as_i64().unwrap() > cursor).collect();
        assert_eq!(followed.iter().collect::<Vec<_>>(), after, "the follower (pages of 7 through the balancer, during the writes) missed nothing and saw nothing twice");
        for (kind, id) in &made {
            assert!(after.iter().any(|c| c["kind"] == *kind && c["id"] == id.as_str()), "the {kind} {id} is in the feed");
        }
        eprintln!("feed: {} changes, {} of them during the writes ({} writes over 3 servers)", first.len(), after.len(), made.len());
    })
    .await;
}

/// A console cache synced again and again through the balancer while three writers (one per
/// server) make 60 writes the account sees; after one more sync the cache equals the server
/// (communities, roles, members, role assignments, invitations) and holds every write.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "system: needs PostgreSQL and haproxy; run by scripts/system.sh"]
async fn a_console_syncing_through_the_balancer_while_writes_hit_all_three_ends_equal_to_the_server() {
    let mut c = start("a_console_syncing_through_the_balancer_while_writes_hit_all_three_ends_equal_to_the_server");
    let (lb, s) = (c.balancer.clone(), [c.server(0).to_owned(), c.server(1).to_owned(), c.server(2).to_owned()]);
    run(&mut c, async {
        let http = Http::new();
        let demo = http.login(&lb, DEMO_EMAIL).await;
        let api = ApiClient::new(&tenancy_client::account_ref::AccountRef::new(&lb, DEMO_EMAIL).unwrap(), Arc::new(MemorySecrets::default())).unwrap();
        api.sign_in(PASSWORD, None).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("cache.db")).await.unwrap();
        tenancy_client::sync::sync(&api, &cache, None, |_| {}).await.unwrap();
        let ws_id: WorkspaceId = http.get(&lb, &format!("/v1/workspaces/{WS}"), &demo).await.expect(200)["id"].as_str().unwrap().parse().unwrap();

        // Each writer has its own people to promote and demote and its own community to rename.
        let mut plain: Vec<Value> = http.members(&lb, &demo, Some("member")).await.into_values().collect();
        plain.sort_by_key(|m| m["email"].as_str().unwrap().to_owned());
        let communities = http.all(&lb, &format!("/v1/workspaces/{WS}/communities"), &demo).await;
        const WRITES: usize = 20;
        let done = Arc::new(AtomicBool::new(false));

        let syncer = {
            let done = done.clone();
            async move {
                let mut syncs = 0;
                let mut cursor = cache.state().await.unwrap().cursor;
                while !done.load(Ordering::SeqCst) {
                    let out = tenancy_client::sync::sync(&api, &cache, None, |_| {}).await.unwrap_or_else(|e| panic!("sync {syncs} through the balancer: {e:?}"));
                    assert!(out.cursor >= cursor, "the cache's cursor never goes back ({cursor} → {})", out.cursor);
                    assert!(!out.full_resync, "no full resync was needed");
                    cursor = out.cursor;
                    syncs += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                (api, cache, syncs)
            }
        };
        let writers = (0..3).map(|k| {
            let (http, base, demo) = (http.clone(), s[k].clone(), demo.clone());
            let people: Vec<String> = plain[k * 3..k * 3 + 3].iter().map(|m| m["user_id"].as_str().unwrap().to_owned()).collect();
            let renamed = communities[k]["id"].as_str().unwrap().to_owned();
            async move {
                let mut made: Vec<(&str, String)> = Vec::new();
                let mut roles: BTreeMap<String, &str> = people.iter().map(|p| (p.clone(), "member")).collect();
                let mut name = String::new();
                let mut failed = Vec::new();
                let mut ok = 0;
                for j in 0..WRITES {
                    let (method, path, body) = match j % 4 {
                        0 => (Method::POST, format!("/v1/workspaces/{WS}/communities"), json!({"name": format!("Synced {k} {j}"), "slug": format!("synced-{k}-{j}"), "timezone": "UTC", "region": "eu-west"})),
                        1 => (Method::POST, format!("/v1/workspaces/{WS}/invitations"), json!({"email": format!("synced-{k}-{j}@cluster.example"), "workspace_role": "member"})),
                        2 => {
                            let p = &people[j / 4 % people.len()];
                            let to = if roles[p] == "member" { "admin" } else { "member" };
                            (Method::PATCH, format!("/v1/workspaces/{WS}/members/{p}"), json!({"role": to}))
                        }
                        _ => (Method::PATCH, format!("/v1/workspaces/{WS}/communities/{renamed}"), json!({"name": format!("Renamed {k} {j}")})),
                    };
                    let a = http.call(&base, method, &path, Some(&demo.token), Some(body.clone()), &[]).await;
                    if !(200..300).contains(&a.status) {
                        failed.push(format!("{} {}: {}", a.asked, a.status, a.body));
                        continue;
                    }
                    ok += 1;
                    match j % 4 {
                        0 => made.push(("community", a.body["id"].as_str().unwrap().to_owned())),
                        1 => made.push(("invitation", a.body["id"].as_str().unwrap().to_owned())),
                        2 => {
                            let p = a.body["user_id"].as_str().unwrap().to_owned();
                            roles.insert(p, if body["role"] == "admin" { "admin" } else { "member" });
                        }
                        _ => name = body["name"].as_str().unwrap().to_owned(),
                    }
                }
                (made, roles, (renamed, name), failed, ok)
            }
        });
        let writing = async {
            let out = join_all(writers).await;
            done.store(true, Ordering::SeqCst);
            out
        };
        let (written, (api, cache, syncs)) = tokio::join!(writing, syncer);
        let failed: Vec<&String> = written.iter().flat_map(|w| &w.3).collect();
        assert!(failed.is_empty(), "every write succeeds: {failed:?}");
        let succeeded: usize = written.iter().map(|w| w.4).sum();
        assert_eq!(succeeded, 3 * WRITES, "every write succeeded");
        assert!(syncs >= 2, "the cache synced during the writes ({syncs} times)");
        tenancy_client::sync::sync(&api, &cache, None, |_| {}).await.unwrap();

        // The cache equals the server (read through the balancer).
        let me: Value = http.get(&lb, "/v1/me", &demo).await.expect(200);
        let live: Vec<Value> = me["memberships"].as_array().unwrap().iter().map(|m| m["workspace"].clone()).collect();
        same("workspaces", sorted!(cache.workspaces(None).await.unwrap()), sorted!(live));
        let base = format!("/v1/workspaces/{WS}");
        let server_communities: Vec<Community> = typed!(http.all(&lb, &format!("{base}/communities"), &demo).await);
        same("communities", sorted!(cache.communities(ws_id, None).await.unwrap()), sorted!(&server_communities));
        let server_roles: Vec<Role> = typed!(http.all(&lb, &format!("{base}/roles"), &demo).await);
        same("roles", sorted!(cache.roles(ws_id).await.unwrap()), sorted!(&server_roles));
        let server_members: Vec<Member> = typed!(http.all(&lb, &format!("{base}/members"), &demo).await);
        let page = cache.members(&MemberQuery { workspace_id: Some(ws_id), status: MemberStatus::Active, limit: 1000, ..Default::default() }, chrono::Utc::now()).await.unwrap();
        assert_eq!(page.total as usize, server_members.len(), "as many members");
        let rows: BTreeMap<UserId, WorkspaceRole> = page.rows.iter().map(|r| (r.user_id.unwrap(), r.workspace_role)).collect();
        assert_eq!(rows, server_members.iter().map(|m| (m.user_id, m.role)).collect::<BTreeMap<_, _>>(), "the members table: who, with which role");
        let mut cached_members = Vec::new();
        let mut cached_assignments = Vec::new();
        for m in &server_members {
            let d = cache.member(ws_id, m.user_id).await.unwrap().unwrap_or_else(|| panic!("{} is missing from the cache", m.email));
            cached_members.push(d.member);
            cached_assignments.extend(d.assignments);
        }
        same("members", sorted!(&cached_members), sorted!(&server_members));
        let server_assignments: Vec<RoleAssignment> = typed!(http.all(&lb, &format!("{base}/assignments"), &demo).await);
        // (The cache does not keep when an assignment was made: that is left out.)
        let held = |a: &RoleAssignment| json!({"id": a.id, "user": a.user_id, "community": a.community_id, "role": a.role_id, "type": a.assignment_type});
        same("role assignments", sorted!(cached_assignments.iter().map(held)), sorted!(server_assignments.iter().map(held)));
        let server_invitations: Vec<Invitation> = typed!(http.all(&lb, &format!("{base}/invitations"), &demo).await);
        let cached_invitations = cache.invitations(ws_id).await.unwrap();
        same("invitations", sorted!(&cached_invitations), sorted!(&server_invitations));

        // Not one write lost.
        let (community_ids, invitation_ids): (BTreeSet<String>, BTreeSet<String>) =
            (cache.communities(ws_id, None).await.unwrap().iter().map(|c| c.id.to_string()).collect(), cached_invitations.iter().map(|i| i.id.to_string()).collect());
        let mut lost = Vec::new();
        for (made, roles, (renamed, name), _, _) in &written {
            for (kind, id) in made {
                let there = if *kind == "community" { community_ids.contains(id) } else { invitation_ids.contains(id) };
                if !there {
                    lost.push(format!("{kind} {id}"));
                }
            }
            for (p, role) in roles {
                let cached = cache.member_role(ws_id, p.parse().unwrap()).await.unwrap();
                if cached.map(|r| serde_json::to_value(r).unwrap()) != Some(json!(role)) {
                    lost.push(format!("{p} as {role} (cached {cached:?})"));
                }
            }
            let cached = cache.communities(ws_id, None).await.unwrap().into_iter().find(|c| c.id.to_string() == *renamed).map(|c| c.name.to_string());
            if cached.as_deref() != Some(name.as_str()) {
                lost.push(format!("community {renamed} renamed {name} (cached {cached:?})"));
            }
        }
        assert!(lost.is_empty(), "writes missing from the cache: {lost:?}");
        eprintln!("sync: {succeeded} writes over 3 servers, {syncs} syncs through the balancer during them, 0 lost");
    })
    .await;
}

/// A refresh token is good once: sent three times at once, to each server, it gives at most one
/// new session; the others are refused (a reuse ends the whole session, the one just given too).
#[tokio::test(flavor = "multi_thread")]
#[ignore = "system: needs PostgreSQL and haproxy; run by scripts/system.sh"]
async fn a_refresh_token_sent_to_three_servers_at_once_gives_at_most_one_session() {
    let mut c = start("a_refresh_token_sent_to_three_servers_at_once_gives_at_most_one_session");
    let (lb, s) = (c.balancer.clone(), [c.server(0).to_owned(), c.server(1).to_owned(), c.server(2).to_owned()]);
    run(&mut c, async {
        let http = Http::new();
        let mut doubled = Vec::new();
        for round in 0..10 {
            let session = http.call(&lb, Method::POST, "/v1/auth/login", None, Some(json!({"email": DEMO_EMAIL, "password": PASSWORD})), &[]).await.expect(200);
            let refresh = session["refresh_token"].as_str().unwrap().to_owned();
            let answers = join_all(s.iter().map(|base| http.call(base, Method::POST, "/v1/auth/refresh", None, Some(json!({"refresh_token": refresh})), &[]))).await;
            let mut fresh = Vec::new();
            for a in &answers {
                match a.status {
                    200 => fresh.push(a.body["access_token"].as_str().unwrap().to_owned()),
                    _ => assert!(a.is_problem(401, "refresh-token-reused") || a.is_problem(401, "unauthenticated"), "{}: {} {}", a.asked, a.status, a.body),
                }
            }
            // Still usable afterwards: the sessions the refreshes gave that were not ended.
            let mut live = 0;
            for t in &fresh {
                let me = http.call(&lb, Method::GET, "/v1/me", Some(t), None, &[]).await;
                live += usize::from(me.status == 200);
            }
            if fresh.len() > 1 {
                doubled.push(format!("round {round}: {} refreshes of one token succeeded, {live} of the sessions still live", fresh.len()));
            }
        }
        assert!(doubled.is_empty(), "a refresh token was spent more than once:\n{}", doubled.join("\n"));
    })
    .await;
}

/// An invitation revoked through one server while its invitee accepts it through another: one of
/// the two wins, never both; the invitation and the membership agree afterwards.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "system: needs PostgreSQL and haproxy; run by scripts/system.sh"]
async fn an_invitation_accepted_and_revoked_at_once_on_two_servers_is_one_or_the_other() {
    let mut c = start("an_invitation_accepted_and_revoked_at_once_on_two_servers_is_one_or_the_other");
    let (lb, s) = (c.balancer.clone(), [c.server(0).to_owned(), c.server(1).to_owned(), c.server(2).to_owned()]);
    run(&mut c, async {
        let http = Http::new();
        let demo = http.login(&lb, DEMO_EMAIL).await;
        let mut both = Vec::new();
        let mut wins = BTreeMap::new();
        for round in 0..20 {
            let email = format!("race-{round}@cluster.example");
            let reg = http.call(&lb, Method::POST, "/v1/auth/register", None, Some(json!({"email": email, "display_name": format!("Race {round}"), "password": "a long enough password 1"})), &[]).await.expect(201);
            let invitee = User { id: reg["user"]["id"].as_str().unwrap().to_owned(), token: reg["access_token"].as_str().unwrap().to_owned() };
            let inv = http.call(&lb, Method::POST, &format!("/v1/workspaces/{WS}/invitations"), Some(&demo.token), Some(json!({"email": email, "workspace_role": "member"})), &[]).await.expect(201);
            let id = inv["id"].as_str().unwrap();
            let (accept_path, revoke_path) = (format!("/v1/invitations/{id}/accept"), format!("/v1/workspaces/{WS}/invitations/{id}"));
            let (accept, revoke) = tokio::join!(
                http.call(&s[round % 3], Method::POST, &accept_path, Some(&invitee.token), None, &[]),
                http.call(&s[(round + 1) % 3], Method::DELETE, &revoke_path, Some(&demo.token), None, &[]),
            );
            for a in [&accept, &revoke] {
                assert!(a.status == 200 || a.is_problem(409, "invitation-closed"), "{}: {} {}", a.asked, a.status, a.body);
            }
            let member = http.get(&s[2], &format!("/v1/workspaces/{WS}/members/{}", invitee.id), &demo).await.status == 200;
            let invs = http.all(&s[0], &format!("/v1/workspaces/{WS}/invitations"), &demo).await;
            let now = invs.iter().find(|i| i["id"] == id).unwrap().clone();
            *wins.entry(format!("accept {} revoke {}", accept.status, revoke.status)).or_insert(0) += 1;
            if accept.status == 200 && revoke.status == 200 {
                both.push(format!("round {round}: both succeeded; member now: {member}; the invitation now: status {}, accepted_at {}, revoked_at {}", now["status"], now["accepted_at"], now["revoked_at"]));
            } else {
                assert_eq!(member, accept.status == 200, "round {round}: a member exactly when the accept won");
                assert_eq!(now["status"], if accept.status == 200 { "accepted" } else { "revoked" }, "round {round}: {now}");
            }
        }
        eprintln!("accept/revoke races: {wins:?}");
        assert!(both.is_empty(), "an invitation was both accepted and revoked:\n{}", both.join("\n"));
    })
    .await;
}

/// A person's two-factor sign-in reset through one workspace (on one server) while their role
/// changes in another workspace (on another server): the feed's last word on each membership is
/// the membership as it is (or a console following the feed ends with the wrong role or 2FA).
#[tokio::test(flavor = "multi_thread")]
#[ignore = "system: needs PostgreSQL and haproxy; run by scripts/system.sh"]
async fn a_2fa_reset_and_a_role_change_at_once_leave_the_feed_equal_to_the_members() {
    let mut c = start("a_2fa_reset_and_a_role_change_at_once_leave_the_feed_equal_to_the_members");
    let (lb, s) = (c.balancer.clone(), [c.server(0).to_owned(), c.server(1).to_owned(), c.server(2).to_owned()]);
    run(&mut c, async {
        const OTHER: &str = "sentinel-shield";
        let http = Http::new();
        let demo = http.login(&lb, DEMO_EMAIL).await;
        let cursor = latest(&http, &lb, &demo).await;
        let here = http.members(&lb, &demo, None).await;
        let there: Vec<Value> = http.all(&lb, &format!("/v1/workspaces/{OTHER}/members"), &demo).await;
        // People in both workspaces, with two-factor sign-in on, not owners of the other one.
        let people: Vec<&Value> = there.iter().filter(|m| m["two_factor_enabled"] == true && m["role"] != "owner" && here.contains_key(m["user_id"].as_str().unwrap())).take(12).collect();
        assert!(people.len() >= 6, "people in both workspaces with 2FA: {}", people.len());
        for (round, m) in people.iter().enumerate() {
            let u = m["user_id"].as_str().unwrap();
            let to = if m["role"] == "member" { "admin" } else { "member" };
            let (reset_path, role_path) = (format!("/v1/workspaces/{WS}/members/{u}/2fa/reset"), format!("/v1/workspaces/{OTHER}/members/{u}"));
            let (reset, role) = tokio::join!(
                http.call(&s[round % 3], Method::POST, &reset_path, Some(&demo.token), None, &[]),
                http.call(&s[(round + 1) % 3], Method::PATCH, &role_path, Some(&demo.token), Some(json!({"role": to})), &[]),
            );
            reset.expect(200);
            role.expect(200);
        }
        let mut ws_ids = BTreeMap::new();
        for slug in [WS, OTHER] {
            ws_ids.insert(http.get(&lb, &format!("/v1/workspaces/{slug}"), &demo).await.expect(200)["id"].as_str().unwrap().to_owned(), slug);
        }
        let (changes, _) = read_feed(&http, &lb, &demo, cursor, 1000).await;
        let mut last: BTreeMap<(String, String), Value> = BTreeMap::new();
        for ch in changes.iter().filter(|c| c["kind"] == "member") {
            last.insert((ch["workspace_id"].as_str().unwrap().to_owned(), ch["data"]["user_id"].as_str().unwrap().to_owned()), ch["data"].clone());
        }
        let mut stale = Vec::new();
        for ((w, u), data) in &last {
            let slug = ws_ids[w];
            let now = http.get(&s[0], &format!("/v1/workspaces/{slug}/members/{u}"), &demo).await.expect(200);
            if *data != now {
                stale.push(format!("{slug} member {u}: the feed's last change says role {} 2FA {}, the member is role {} 2FA {}", data["role"], data["two_factor_enabled"], now["role"], now["two_factor_enabled"]));
            }
        }
        assert!(stale.is_empty(), "the feed's last change of a membership is not the membership ({} of {}):\n{}", stale.len(), last.len(), stale.join("\n"));
    })
    .await;
}
