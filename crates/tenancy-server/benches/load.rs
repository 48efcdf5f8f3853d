//! `make bench` (server part): the release server under a real load generator (`wrk`, from
//! Debian), pinned to one core while wrk runs on the other, on the demo seed and on mssp-large
//! (1,000 communities, 20,000 users, 200,000 role assignments). Prints a Markdown table: each
//! workspace-scoped endpoint's requests/s and p99 latency on both seeds, the cost ratio
//! between them (per-request cost must not grow with workspace size), and the floor — an
//! unrouted request, answered without touching the database — measured in the same run.
//!
//! Only loopback is loaded, for a bounded time (`DURATION` per endpoint and seed).

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

/// Seeds `profile` into `db` once (kept between runs: mssp-large takes minutes).
fn seeded(dir: &Path, profile: &str) -> String {
    let db = dir.join(format!("{profile}.db"));
    let url = format!("sqlite://{}", db.display());
    if !db.exists() {
        eprintln!("seeding {profile} into {} (once)…", db.display());
        let ok = Command::new(server_bin()).args(["seed", "--profile", profile, "--db", &url]).status().expect("run the seeder");
        assert!(ok.success(), "seeding {profile} failed");
    }
    url
}

/// The release server on `db`, pinned to CPU 0, on a free loopback port.
fn serve(dir: &Path, db: &str) -> Served {
    let addr_file = dir.join(format!("load-{}.addr", std::process::id()));
    let _ = std::fs::remove_file(&addr_file);
    let child = Command::new("taskset")
        .args(["-c", "0"])
        .arg(server_bin())
        .args(["serve", "--db", db, "--bind", "127.0.0.1:0", "--addr-file"])
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
    /// (endpoint label, rps, p99, non-2xx)
    rows: Vec<(&'static str, f64, f64, u64)>,
    floor: (f64, f64),
}

fn measure(dir: &Path, profile: &'static str, slug_of: impl Fn(&serde_json::Value) -> String) -> Seed {
    let db = seeded(dir, profile);
    let s = serve(dir, &db);
    let login = http(&format!("{}/v1/auth/login", s.url), "POST", None, Some(&serde_json::json!({"email": "demo@tenantry.example", "password": "tenantry-demo"}).to_string()));
    let token = login["access_token"].as_str().expect("an access token").to_owned();
    let me = http(&format!("{}/v1/me", s.url), "GET", Some(&token), None);
    let ws = slug_of(&me);
    let base = format!("{}/v1/workspaces/{ws}", s.url);
    let endpoints: [(&str, String); 6] = [
        ("members page (100)", format!("{base}/members?limit=100")),
        ("roles", format!("{base}/roles?limit=100")),
        ("usage", format!("{base}/usage")),
        ("communities page (100)", format!("{base}/communities?limit=100")),
        ("assignments page (100)", format!("{base}/assignments?limit=100")),
        ("audit page (100)", format!("{base}/audit?limit=100")),
    ];
    // Each endpoint answers once before it is loaded (and so is warm, as on a server that has
    // been up a while).
    for (_, u) in &endpoints {
        http(u, "GET", Some(&token), None);
    }
    let floor = wrk(&format!("{}/v1/no-such-route", s.url), None);
    let rows = endpoints
        .iter()
        .map(|(label, u)| {
            let (rps, p99, bad) = wrk(u, Some(&token));
            eprintln!("{profile} {label}: {rps:.0} req/s, p99 {p99:.1} ms");
            (*label, rps, p99, bad)
        })
        .collect();
    Seed { rows, floor: (floor.0, floor.1) }
}

fn main() {
    let dir = std::env::var("TENANTRY_BENCH_DIR").map(PathBuf::from).unwrap_or_else(|_| std::env::temp_dir().join("tenantry-bench"));
    std::fs::create_dir_all(&dir).unwrap();
    let demo = measure(&dir, "demo", |_| "northwind-mssp".to_owned());
    let large = measure(&dir, "mssp-large", |me| me["memberships"][0]["workspace"]["slug"].as_str().expect("a workspace").to_owned());

    println!();
    println!("| server, one core, wrk -c{CONNECTIONS} {DURATION} (release) | demo: req/s · p99 | mssp-large: req/s · p99 | cost ratio large/demo | target |");
    println!("|---|---|---|---|---|");
    // The floor touches no data: its two figures differ by the machine's noise only.
    println!("| unrouted request (floor) | {:.0} · {:.1} ms | {:.0} · {:.1} ms | — | — |", demo.floor.0, demo.floor.1, large.floor.0, large.floor.1);
    for ((label, drps, dp99, dbad), (_, lrps, lp99, lbad)) in demo.rows.iter().zip(&large.rows) {
        assert_eq!((*dbad, *lbad), (0, 0), "{label}: non-2xx answers under load");
        let ratio = drps / lrps;
        let target = if *label == "members page (100)" { "≥ 2,000 req/s, p99 ≤ 20 ms, ≤ 1.5×" } else { "≤ 1.5×" };
        let met = ratio <= 1.5 && (*label != "members page (100)" || (*lrps >= 2000.0 && *lp99 <= 20.0));
        println!(
            "| {label} | {drps:.0} · {dp99:.1} ms | {lrps:.0} · {lp99:.1} ms ({:.0}× the floor's cost) | {ratio:.2}× | {target} {} |",
            large.floor.0 / lrps,
            if met { "(met)" } else { "(not met)" }
        );
    }
}
