//! Several servers, one database: three `tenancy-server` processes on one PostgreSQL database
//! behind haproxy (round robin, health-checked), for the system tests in `tests/cluster.rs`.
//!
//! `scripts/system.sh` runs them inside `scripts/with-postgres.sh`, which exports where the
//! throwaway cluster is (`TENANCY_TEST_PG=host:port`; roles postgres, tenancy_owner,
//! tenancy_app, tenancy_jobs). Each [`Cluster`] gets a database of its own, a copy of one seeded
//! with the demo data once per test process (`CREATE DATABASE … TEMPLATE`: milliseconds instead
//! of a seed), so every test starts from the same fresh data and no test sees another's writes.
//! The processes' logs stay under `target/system/<test>/`; everything is stopped (and the
//! database dropped) when the cluster is dropped. Loopback only.

use anyhow::{bail, Context, Result};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a process may take to start, or haproxy to see every server up.
pub const START: Duration = Duration::from_secs(30);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn server_bin() -> PathBuf {
    std::env::var_os("TENANCY_SERVER_BIN").map(PathBuf::from).unwrap_or_else(|| root().join("target/debug/tenancy-server"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The test PostgreSQL cluster's `host:port`, from scripts/with-postgres.sh.
pub fn pg_host() -> Result<String> {
    std::env::var("TENANCY_TEST_PG").context("TENANCY_TEST_PG is not set: run the system tests through scripts/system.sh (or inside scripts/with-postgres.sh)")
}

/// Runs one SQL statement as the cluster's superuser (`psql`, in the `postgres` database).
fn psql(host: &str, sql: &str) -> Result<()> {
    let (h, p) = host.rsplit_once(':').context("TENANCY_TEST_PG is host:port")?;
    let out = Command::new("psql")
        .args(["-q", "-X", "-v", "ON_ERROR_STOP=1", "-h", h, "-p", p, "-U", "postgres", "-d", "postgres", "-c", sql])
        .stdin(Stdio::null())
        .output()
        .context("running psql (Debian package postgresql-client)")?;
    if !out.status.success() {
        bail!("psql {sql:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

/// The URL of `db` for `role` (authentication is `trust` on the test cluster).
fn url(host: &str, role: &str, db: &str) -> String {
    format!("postgres://{role}@{host}/{db}")
}

/// The three URLs `tenancy-server` takes for a database.
#[derive(Clone, Debug)]
pub struct PgDb {
    pub name: String,
    pub app: String,
    pub jobs: String,
    pub owner: String,
}

impl PgDb {
    fn new(host: &str, name: &str) -> PgDb {
        PgDb { name: name.to_owned(), app: url(host, "tenancy_app", name), jobs: url(host, "tenancy_jobs", name), owner: url(host, "tenancy_owner", name) }
    }
    fn args(&self) -> [String; 6] {
        ["--db".into(), self.app.clone(), "--jobs-db".into(), self.jobs.clone(), "--owner-db".into(), self.owner.clone()]
    }
}

/// The demo data seeded once per test process into a template database; returns its name.
fn template(host: &str, dir: &Path) -> Result<String> {
    static DONE: Mutex<Option<String>> = Mutex::new(None);
    let mut done = DONE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(name) = done.as_ref() {
        return Ok(name.clone());
    }
    let name = format!("tenantry_cluster_tpl_{}", std::process::id());
    psql(host, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
    psql(host, &format!("CREATE DATABASE {name} OWNER tenancy_owner"))?;
    let db = PgDb::new(host, &name);
    let t = Instant::now();
    let out = Command::new(server_bin()).args(["seed", "--profile", "demo"]).args(db.args()).stdin(Stdio::null()).output().context("running tenancy-server seed")?;
    std::fs::write(dir.join("seed.log"), [&out.stdout[..], &out.stderr[..]].concat())?;
    if !out.status.success() {
        bail!("seeding the demo data into PostgreSQL failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    eprintln!("cluster: seeded the demo data into {name} in {:.1} s", t.elapsed().as_secs_f64());
    *done = Some(name.clone());
    Ok(name)
}

/// A fresh database of this test, a copy of the seeded template; dropped with the cluster.
struct Database {
    host: String,
    db: PgDb,
}

static DATABASES: AtomicUsize = AtomicUsize::new(0);

impl Database {
    fn fresh(host: &str, dir: &Path) -> Result<Database> {
        let tpl = template(host, dir)?;
        let name = format!("tenantry_cluster_{}_{}", std::process::id(), DATABASES.fetch_add(1, Ordering::Relaxed));
        psql(host, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
        psql(host, &format!("CREATE DATABASE {name} TEMPLATE {tpl} OWNER tenancy_owner"))?;
        Ok(Database { host: host.to_owned(), db: PgDb::new(host, &name) })
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = psql(&self.host, &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.db.name));
    }
}

/// One `tenancy-server serve` process.
pub struct Proc {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    pub log: PathBuf,
}

impl Proc {
    /// Starts the process; [`Proc::wait`] waits until it listens.
    fn spawn(dir: &Path, label: &str, db: &PgDb) -> Result<(Proc, PathBuf)> {
        let addr_file = dir.join(format!("{label}.addr"));
        let _ = std::fs::remove_file(&addr_file);
        let log = dir.join(format!("{label}.log"));
        let out = std::fs::File::create(&log)?;
        let child = Command::new(server_bin())
            .arg("serve")
            .args(db.args())
            .args(["--bind", "127.0.0.1:0", "--addr-file"])
            .arg(&addr_file)
            // Each request's span around what it logs (a failure names its method and path).
            .env("RUST_LOG", "info,sqlx=warn,tower_http=debug")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .context("starting tenancy-server (set TENANCY_SERVER_BIN)")?;
        Ok((Proc { child, url: String::new(), log }, addr_file))
    }

    fn wait(&mut self, label: &str, addr_file: &Path) -> Result<()> {
        let t = Instant::now();
        loop {
            if let Ok(a) = std::fs::read_to_string(addr_file) {
                if !a.trim().is_empty() {
                    self.url = format!("http://{}", a.trim());
                    return Ok(());
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                bail!("{label} exited ({status}) before listening; see {}", self.log.display());
            }
            if t.elapsed() > START {
                bail!("{label} did not listen within {} s; see {}", START.as_secs(), self.log.display());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Is the process still running?
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// haproxy in front of the servers: round robin, each server health-checked; every answer says
/// which server gave it (`X-Backend: s0|s1|s2`).
struct Haproxy {
    child: Child,
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The header through which haproxy names the server that answered.
pub const BACKEND_HEADER: &str = "x-backend";

fn haproxy_config(port: u16, servers: &[String]) -> String {
    let mut cfg = format!(
        "global\n\
         \tmaxconn 2000\n\
         \tlog stderr format raw local0 info\n\
         defaults\n\
         \tmode http\n\
         \tlog global\n\
         \toption httplog\n\
         \ttimeout connect 2s\n\
         \ttimeout client 30s\n\
         \ttimeout server 30s\n\
         \ttimeout check 2s\n\
         frontend api\n\
         \tbind 127.0.0.1:{port}\n\
         \tdefault_backend servers\n\
         backend servers\n\
         \tbalance roundrobin\n\
         \t# 200 while the process reaches its database: one that cannot is taken out of rotation.\n\
         \toption httpchk GET /v1/health\n\
         \thttp-check expect status 200\n\
         \thttp-response set-header X-Backend %s\n"
    );
    for (i, s) in servers.iter().enumerate() {
        let addr = s.trim_start_matches("http://");
        cfg += &format!("\tserver s{i} {addr} check inter 500ms fall 2 rise 1\n");
    }
    cfg
}

/// One GET on loopback with HTTP/1.0 (no client library needed): the status and the value of
/// `header`, if any.
fn probe(port: u16, path: &str, header: &str) -> Option<(u16, Option<String>)> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    s.write_all(format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").as_bytes()).ok()?;
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf);
    let head = text.split("\r\n\r\n").next()?;
    let mut lines = head.lines();
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let value = lines.filter_map(|l| l.split_once(':')).find(|(k, _)| k.trim().eq_ignore_ascii_case(header)).map(|(_, v)| v.trim().to_owned());
    Some((status, value))
}

/// Three servers on one fresh database behind haproxy.
pub struct Cluster {
    pub name: String,
    /// `target/system/<test>/`: the servers' and haproxy's logs, the haproxy config.
    pub dir: PathBuf,
    /// The servers, to be spoken to directly.
    pub servers: Vec<Proc>,
    /// haproxy's frontend, `http://127.0.0.1:PORT`.
    pub balancer: String,
    pub haproxy_log: PathBuf,
    // Dropped in this order: haproxy, then the servers (above), then the database.
    _haproxy: Haproxy,
    _db: Database,
}

impl Cluster {
    /// Starts `n` servers on a fresh copy of the demo data, and haproxy in front of them; returns
    /// once haproxy has passed requests to every one of them.
    pub fn start(name: &str, n: usize) -> Result<Cluster> {
        let host = pg_host()?;
        let dir = root().join("target/system").join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let db = Database::fresh(&host, &dir)?;
        // Started together: each runs the migrations at start (none left to run) at once.
        let mut started = Vec::new();
        for i in 0..n {
            started.push(Proc::spawn(&dir, &format!("s{i}"), &db.db)?);
        }
        let mut servers = Vec::new();
        for (i, (mut p, addr_file)) in started.into_iter().enumerate() {
            p.wait(&format!("s{i}"), &addr_file)?;
            servers.push(p);
        }
        let port = free_port();
        let cfg = dir.join("haproxy.cfg");
        std::fs::write(&cfg, haproxy_config(port, &servers.iter().map(|s| s.url.clone()).collect::<Vec<_>>()))?;
        let haproxy_log = dir.join("haproxy.log");
        let out = std::fs::File::create(&haproxy_log)?;
        let child = Command::new("haproxy")
            .arg("-f")
            .arg(&cfg)
            .arg("-db")
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .context("starting haproxy (Debian package haproxy)")?;
        let mut haproxy = Haproxy { child };
        // Ready once answers through the frontend have come from every server.
        let t = Instant::now();
        let mut seen = std::collections::BTreeSet::new();
        while seen.len() < n {
            if let Ok(Some(status)) = haproxy.child.try_wait() {
                bail!("haproxy exited ({status}); see {}", haproxy_log.display());
            }
            if t.elapsed() > START {
                bail!("haproxy did not reach every server within {} s (answered from {seen:?}); see {}", START.as_secs(), haproxy_log.display());
            }
            match probe(port, "/v1/health", BACKEND_HEADER) {
                Some((200, Some(b))) => {
                    seen.insert(b);
                }
                _ => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        eprintln!("cluster {name}: {} servers ({}) behind http://127.0.0.1:{port}; logs in {}", n, servers.iter().map(|s| s.url.as_str()).collect::<Vec<_>>().join(", "), dir.display());
        Ok(Cluster { name: name.to_owned(), dir, servers, balancer: format!("http://127.0.0.1:{port}"), haproxy_log, _haproxy: haproxy, _db: db })
    }

    /// The direct URL of server `i` (modulo their number).
    pub fn server(&self, i: usize) -> &str {
        &self.servers[i % self.servers.len()].url
    }

    /// The lines the servers logged at ERROR level (a 5xx answer, an internal error, a failed
    /// job), each prefixed with its server; and any server that is no longer running.
    pub fn errors(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, s) in self.servers.iter_mut().enumerate() {
            if !s.alive() {
                out.push(format!("s{i}: the process is gone; see {}", s.log.display()));
            }
            let text = std::fs::read_to_string(&s.log).unwrap_or_default();
            out.extend(text.lines().map(strip_ansi).filter(|l| l.contains(" ERROR ")).map(|l| format!("s{i}: {l}")));
        }
        out
    }
}

/// `line` without terminal colour codes (`ESC [ … m`).
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
