//! `make bench` (server part): the release server under a real load generator (`wrk`, from
//! Debian), pinned to one core while wrk runs on the other, on the demo seed and on mssp-large
//! (1,000 communities, 20,000 users, 200,000 role assignments). Prints a Markdown table: each
//! workspace-scoped endpoint's requests/s and p99 latency on both seeds, the cost ratio
//! between them (per-request cost must not grow with workspace size), and the floor — an
//! unrouted request, answered without touching the database — measured in the same run.
//!
//! Both stores: SQLite always; PostgreSQL when run inside `scripts/with-postgres.sh` (which
//! `make bench` does, with the cluster pinned to the server's core and kept between runs, so
//! each seed is made once). The server is stateless: the table's last rows load three server
//! processes behind haproxy on one PostgreSQL.
//!
//! Only loopback is loaded, for a bounded time (`DURATION` per endpoint and seed).
//!
//! For quick iterations, `TENANTRY_BENCH_ONLY=<text>` loads only the endpoints whose label
//! contains that text (`TENANTRY_BENCH_ONLY=members` for the members rows), and skips the
//! haproxy rows unless the members page is among them.

use std::io::Read;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long wrk loads each endpoint.
const DURATION: &str = "5s";
/// Open connections (as the measurement: 16).
const CONNECTIONS: &str = "16";

struct Served {
    child: Child,
    url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn server_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_tenancy-server"))
}

/// Where a seed lives: a SQLite file, or a PostgreSQL database (its app, jobs and owner URLs).
#[derive(Clone)]
enum Db {
    Sqlite(String),
    Postgres { app: String, jobs: String, owner: String },
}

impl Db {
    fn args(&self) -> Vec<String> {
        match self {
            Db::Sqlite(url) => vec!["--db".into(), url.clone()],
            Db::Postgres { app, jobs, owner } => vec!["--db".into(), app.clone(), "--jobs-db".into(), jobs.clone(), "--owner-db".into(), owner.clone()],
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Store {
    Sqlite,
    Postgres,
}

impl Store {
    fn name(self) -> &'static str {
        match self {
            Store::Sqlite => "SQLite",
            Store::Postgres => "PostgreSQL",
        }
    }
}

/// Seeds `profile` once (kept between runs: mssp-large takes minutes).
fn seeded(dir: &Path, store: Store, profile: &str) -> Db {
    match store {
        Store::Sqlite => {
            let db = dir.join(format!("{profile}.db"));
            let url = format!("sqlite://{}", db.display());
            let d = Db::Sqlite(url);
            if !db.exists() {
                seed(&d, profile);
            }
            d
        }
        Store::Postgres => {
            let pg = std::env::var("TENANCY_TEST_PG").expect("inside scripts/with-postgres.sh");
            let name = format!("bench_{}", profile.replace('-', "_"));
            let url = |role: &str| format!("postgres://{role}@{pg}/{name}");
            let d = Db::Postgres { app: url("tenancy_app"), jobs: url("tenancy_jobs"), owner: url("tenancy_owner") };
            let psql = |sql: &str| {
                let out = Command::new("psql").args(["-tA", "-v", "ON_ERROR_STOP=1", &format!("postgres://postgres@{pg}/postgres"), "-c", sql]).output().expect("psql (Debian's postgresql-client)");
                assert!(out.status.success(), "psql {sql}: {}", String::from_utf8_lossy(&out.stderr));
                String::from_utf8_lossy(&out.stdout).trim().to_owned()
            };
            // A database is seeded when its comment says so (a seed cut short is made again).
            let state = psql(&format!("SELECT COALESCE(shobj_description(oid, 'pg_database'), 'new') FROM pg_database WHERE datname = '{name}'"));
            if state != "seeded" {
                psql(&format!("DROP DATABASE IF EXISTS {name}"));
                psql(&format!("CREATE DATABASE {name} OWNER tenancy_owner"));
                seed(&d, profile);
                psql(&format!("COMMENT ON DATABASE {name} IS 'seeded'"));
            }
            d
        }
    }
}

fn seed(db: &Db, profile: &str) {
    eprintln!("seeding {profile} (once)…");
    let t = Instant::now();
    let ok = Command::new(server_bin()).args(["seed", "--profile", profile]).args(db.args()).status().expect("run the seeder");
    assert!(ok.success(), "seeding {profile} failed");
    eprintln!("seeded {profile} in {:.0} s", t.elapsed().as_secs_f64());
}

/// The release server on `db`, pinned to CPU 0, on a free loopback port.
fn serve(dir: &Path, db: &Db) -> Served {
    let addr_file = dir.join(format!("load-{}.addr", std::process::id()));
    let _ = std::fs::remove_file(&addr_file);
    let child = Command::new("taskset")
        .args(["-c", "0"])
        .arg(server_bin())
        .arg("serve")
        .args(db.args())
        .args(["--bind", "127.0.0.1:0", "--addr-file"])
        .arg(&addr_file)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server (taskset is in util-linux)");
    let t = Instant::now();
    loop {
        if let Ok(a) = std::fs::read_to_string(&addr_file) {
            let a = a.trim().to_owned();
            if !a.is_empty() && TcpStream::connect(&a).is_ok() {
                let _ = std::fs::remove_file(&addr_file);
                return Served { child, url: format!("http://{a}") };
            }
        }
        assert!(t.elapsed() < Duration::from_secs(120), "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One wrk run: requests/s, p99 in ms, and the non-2xx count.
fn wrk(url: &str, token: Option<&str>) -> (f64, f64, u64) {
    let mut cmd = Command::new("taskset");
    cmd.args(["-c", "1", "wrk", "-t1", "-c", CONNECTIONS, "-d", DURATION, "--latency"]);
    if let Some(t) = token {
        cmd.args(["-H", &format!("Authorization: Bearer {t}")]);
    }
    let out = cmd.arg(url).output().expect("run wrk (Debian package wrk, installed by scripts/deps.sh)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "wrk failed on {url}: {text}");
    let rps = text.lines().find_map(|l| l.trim().strip_prefix("Requests/sec:")).and_then(|v| v.trim().parse::<f64>().ok()).unwrap_or_else(|| panic!("no Requests/sec in {text}"));
    let p99 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .map(|v| latency_ms(v.trim()))
        .unwrap_or_else(|| panic!("no 99% latency in {text}"));
    let non2xx = text.lines().find_map(|l| l.trim().strip_prefix("Non-2xx or 3xx responses:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    (rps, p99, non2xx)
}

/// wrk's "1.23ms", "456.00us", "1.02s" in milliseconds.
fn latency_ms(v: &str) -> f64 {
    let (num, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(v.len()));
    let n: f64 = num.parse().unwrap_or(f64::NAN);
    match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => f64::NAN,
    }
}

/// A JSON request with std only (the bench needs no HTTP client for three calls).
fn http(url: &str, method: &str, token: Option<&str>, body: Option<&str>) -> serde_json::Value {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut s = TcpStream::connect(host).unwrap();
    let body = body.unwrap_or("");
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n{body}", body.len());
    std::io::Write::write_all(&mut s, req.as_bytes()).unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, payload) = raw.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 2"), "{method} {path}: {head}");
    // The server answers with Content-Length (no chunking) for these small JSON bodies.
    serde_json::from_str(payload).unwrap_or_else(|e| panic!("{method} {path}: {e}: {payload}"))
}

struct Seed {
    rows: Vec<Row>,
    floor: (f64, f64),
}

/// The `items` of a page at `url`, and one from their middle (not the caller themselves).
fn middle(url: &str, token: &str, field: &str) -> String {
    let page = http(url, "GET", Some(token), None);
    let items = page["items"].as_array().filter(|i| !i.is_empty()).unwrap_or_else(|| panic!("no items at {url}"));
    items[items.len() / 2][field].as_str().unwrap_or_else(|| panic!("no {field} at {url}")).to_owned()
}

fn sign_in(url: &str) -> String {
    let login = http(&format!("{url}/v1/auth/login"), "POST", None, Some(&serde_json::json!({"email": "demo@tenantry.example", "password": "tenantry-demo"}).to_string()));
    login["access_token"].as_str().expect("an access token").to_owned()
}

/// The workspace-scoped reads a console makes, with their URLs on this server. Page sizes are
/// ones both seeds fill (Northwind has 25 communities and a few pending invitations), so that
/// both answer the same number of rows and only the workspace's size differs.
fn endpoints(url: &str, token: &str, slug_of: &dyn Fn(&serde_json::Value) -> String) -> Vec<(&'static str, String)> {
    let me = http(&format!("{url}/v1/me"), "GET", Some(token), None);
    let base = format!("{url}/v1/workspaces/{}", slug_of(&me));
    let community = middle(&format!("{base}/communities?limit=100"), token, "id");
    // An audit page of 100 on both seeds (mssp-large is seeded without its history): a
    // community renamed until there are, then named as it was.
    let audited = http(&format!("{base}/audit?limit=100"), "GET", Some(token), None)["items"].as_array().map_or(0, |i| i.len());
    if audited < 100 {
        let url = format!("{base}/communities/{community}");
        let name = http(&url, "GET", Some(token), None)["name"].as_str().expect("a name").to_owned();
        for i in audited..99 {
            http(&url, "PATCH", Some(token), Some(&serde_json::json!({"name": format!("{name} (bench {i})")}).to_string()));
        }
        http(&url, "PATCH", Some(token), Some(&serde_json::json!({"name": name}).to_string()));
    }
    let member = middle(&format!("{base}/members?limit=100"), token, "user_id");
    let only = std::env::var("TENANTRY_BENCH_ONLY").unwrap_or_default();
    let all = vec![
        ("members page (100)", format!("{base}/members?limit=100")),
        ("members search page (50)", format!("{base}/members?limit=50&q=a")),
        ("member", format!("{base}/members/{member}")),
        ("member's permissions", format!("{base}/members/{member}/permissions")),
        ("member's assignments", format!("{base}/assignments?user_id={member}&limit=100")),
        ("workspace", base.clone()),
        ("roles", format!("{base}/roles?limit=100")),
        ("usage", format!("{base}/usage")),
        ("communities page (20)", format!("{base}/communities?limit=20")),
        ("community", format!("{base}/communities/{community}")),
        ("community's API keys", format!("{base}/communities/{community}/api-keys?limit=100")),
        ("community's intakes", format!("{base}/communities/{community}/intakes")),
        ("community's assignments (10)", format!("{base}/assignments?community_id={community}&limit=10")),
        ("assignments page (100)", format!("{base}/assignments?limit=100")),
        ("invitations page (5)", format!("{base}/invitations?limit=5")),
        ("audit page (100)", format!("{base}/audit?limit=100")),
    ];
    all.into_iter().filter(|(label, _)| label.contains(only.as_str())).collect()
}

/// (endpoint label, rps, p99, non-2xx, rows answered)
type Row = (&'static str, f64, f64, u64, usize);

fn load(profile: &str, endpoints: &[(&'static str, String)], token: &str) -> Vec<Row> {
    endpoints
        .iter()
        .map(|(label, u)| {
            // Each endpoint answers once before it is loaded (and so is warm, as on a server
            // that has been up a while); how many rows it answers goes in the table.
            let body = http(u, "GET", Some(token), None);
            let rows = body["items"].as_array().map_or(1, |i| i.len());
            let (rps, p99, bad) = wrk(u, Some(token));
            eprintln!("{profile} {label}: {rps:.0} req/s, p99 {p99:.1} ms, {rows} rows");
            (*label, rps, p99, bad, rows)
        })
        .collect()
}

fn measure(dir: &Path, store: Store, profile: &'static str, slug_of: impl Fn(&serde_json::Value) -> String) -> Seed {
    let db = seeded(dir, store, profile);
    let s = serve(dir, &db);
    let token = sign_in(&s.url);
    let eps = endpoints(&s.url, &token, &slug_of);
    let floor = wrk(&format!("{}/v1/no-such-route", s.url), None);
    Seed { rows: load(profile, &eps, &token), floor: (floor.0, floor.1) }
}

/// haproxy on loopback in front of `backends`, pinned to CPU 0 with them.
fn balancer(dir: &Path, backends: &[&Served]) -> Served {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let servers: String = backends.iter().enumerate().map(|(i, b)| format!("    server s{i} {} check\n", b.url.trim_start_matches("http://"))).collect();
    let cfg = dir.join(format!("haproxy-{}.cfg", std::process::id()));
    std::fs::write(
        &cfg,
        format!(
            "global\n    maxconn 1024\ndefaults\n    mode http\n    timeout connect 2s\n    timeout client 30s\n    timeout server 30s\n\
             frontend api\n    bind 127.0.0.1:{port}\n    default_backend servers\nbackend servers\n    balance roundrobin\n    option httpchk GET /v1/health\n{servers}"
        ),
    )
    .unwrap();
    let child = Command::new("taskset").args(["-c", "0", "haproxy", "-db", "-f"]).arg(&cfg).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("haproxy (Debian package, installed by scripts/deps.sh)");
    let url = format!("http://127.0.0.1:{port}");
    let t = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(t.elapsed() < Duration::from_secs(30), "haproxy did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Served { child, url }
}

fn table(store: Store, demo: &Seed, large: &Seed) {
    println!();
    println!("| {}: server on one core, wrk -c{CONNECTIONS} {DURATION} (release) | rows | demo: req/s · p99 | mssp-large: req/s · p99 | cost ratio large/demo | target |", store.name());
    println!("|---|---|---|---|---|---|");
    // The floor touches no data: its two figures differ by the machine's noise only.
    println!("| unrouted request (floor) | — | {:.0} · {:.1} ms | {:.0} · {:.1} ms | — | — |", demo.floor.0, demo.floor.1, large.floor.0, large.floor.1);
    let mut met_all = 0;
    for ((label, drps, dp99, dbad, drows), (_, lrps, lp99, lbad, lrows)) in demo.rows.iter().zip(&large.rows) {
        assert_eq!((*dbad, *lbad), (0, 0), "{label}: non-2xx answers under load");
        let ratio = drps / lrps;
        let target = if *label == "members page (100)" { "≥ 2,000 req/s, p99 ≤ 20 ms, ≤ 1.5×" } else { "≤ 1.5×" };
        let met = ratio <= 1.5 && (*label != "members page (100)" || (*lrps >= 2000.0 && *lp99 <= 20.0));
        met_all += usize::from(met);
        println!(
            "| {label} | {} | {drps:.0} · {dp99:.1} ms | {lrps:.0} · {lp99:.1} ms ({:.0}× the floor's cost) | {ratio:.2}× | {target} {} |",
            if drows == lrows { drows.to_string() } else { format!("{drows} / {lrows}") },
            large.floor.0 / lrps,
            if met { "(met)" } else { "(not met)" }
        );
    }
    println!("\n{}: {met_all} of {} targets met.", store.name(), demo.rows.len());
}

fn main() {
    let dir = std::env::var("TENANTRY_BENCH_DIR").map(PathBuf::from).unwrap_or_else(|_| std::env::temp_dir().join("tenantry-bench"));
    std::fs::create_dir_all(&dir).unwrap();
    let first = |me: &serde_json::Value| me["memberships"][0]["workspace"]["slug"].as_str().expect("a workspace").to_owned();
    let mut stores = vec![Store::Sqlite];
    if std::env::var("TENANCY_TEST_PG").is_ok() {
        stores.push(Store::Postgres);
    } else {
        eprintln!("PostgreSQL: not measured (run inside scripts/with-postgres.sh, as `make bench` does)");
    }
    for store in stores {
        let demo = measure(&dir, store, "demo", |_| "northwind-mssp".to_owned());
        let large = measure(&dir, store, "mssp-large", first);
        table(store, &demo, &large);
        if store == Store::Postgres {
            // Three stateless server processes on one database, behind a real load balancer.
            let db = seeded(&dir, store, "mssp-large");
            let servers: Vec<Served> = (0..3).map(|_| serve(&dir, &db)).collect();
            let lb = balancer(&dir, &servers.iter().collect::<Vec<_>>());
            let token = sign_in(&lb.url);
            let eps = endpoints(&lb.url, &token, &first);
            if eps.first().is_none_or(|(label, _)| *label != "members page (100)") {
                continue;
            }
            let members = &eps[..1];
            let rows = load("mssp-large via haproxy", members, &token);
            let (_, rps, p99, bad, _) = rows[0];
            assert_eq!(bad, 0, "non-2xx answers through haproxy");
            println!("\n| PostgreSQL, 3 servers behind haproxy, all on one core | mssp-large: req/s · p99 | one server, same core |\n|---|---|---|");
            println!("| members page (100) | {rps:.0} · {p99:.1} ms | {:.0} · {:.1} ms |", large.rows[0].1, large.rows[0].2);
        }
    }
}
