//! What `make bench` needs to measure the console as a user runs it (`tests/tests/footprint.rs`,
//! run by `scripts/footprint.sh`): a server on a copy of an already seeded database, the app
//! opened on a data directory that outlives one window (to restart it with its cache), and the
//! memory of the app's whole process tree (the app and its WebKit web and network processes).

use super::*;
use std::collections::HashMap;

/// A tenancy-server process on a copy of `seeded` (a SQLite file with its `-wal`/`-shm`, left
/// untouched; the server migrates the copy at start), in `dir`.
pub fn server_on_copy(seeded: &Path, dir: &Path, label: &str) -> Result<Server> {
    ensure!(seeded.is_file(), "no seeded database at {}", seeded.display());
    let db = dir.join(format!("{label}.db"));
    std::fs::copy(seeded, &db).with_context(|| format!("copying {}", seeded.display()))?;
    for ext in ["-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{ext}", seeded.display()));
        let to = PathBuf::from(format!("{}{ext}", db.display()));
        let _ = std::fs::remove_file(&to);
        if from.exists() {
            std::fs::copy(&from, &to)?;
        }
    }
    let mut s = Server { child: None, url: String::new(), addr: "127.0.0.1:0".into(), db, log: dir.join(format!("{label}.log")) };
    s.spawn()?;
    Ok(s)
}

/// The app's own data and config directories, kept across windows (`App::open` makes fresh
/// ones for each): the account list, the preferences and the cache survive a restart.
pub struct Profile {
    pub data: PathBuf,
    pub config: PathBuf,
}

impl Profile {
    pub fn new(dir: &Path) -> Result<Profile> {
        let p = Profile { data: dir.join("xdg-data"), config: dir.join("xdg-config") };
        let _ = std::fs::remove_dir_all(&p.data);
        let _ = std::fs::remove_dir_all(&p.config);
        std::fs::create_dir_all(&p.data)?;
        std::fs::create_dir_all(&p.config)?;
        Ok(p)
    }

    /// The environment that points the app at these directories (it overrides `App::open`'s).
    pub fn env(&self) -> Vec<(String, String)> {
        vec![("XDG_DATA_HOME".into(), self.data.display().to_string()), ("XDG_CONFIG_HOME".into(), self.config.display().to_string())]
    }
}

/// One process of a tree and what it holds, in kB (`/proc/<pid>/smaps_rollup`).
#[derive(Clone, Debug)]
pub struct ProcMem {
    pub pid: u32,
    pub name: String,
    pub pss: u64,
    pub pss_anon: u64,
    pub pss_file: u64,
    pub rss: u64,
}

/// The memory of a process and all its descendants.
#[derive(Clone, Debug, Default)]
pub struct TreeMem {
    pub procs: Vec<ProcMem>,
}

impl TreeMem {
    /// The sum of `Pss:` over the tree, in kB.
    pub fn pss(&self) -> u64 {
        self.procs.iter().map(|p| p.pss).sum()
    }

    /// PSS in MB (10^6 bytes: the unit of the targets).
    pub fn mb(&self) -> f64 {
        self.pss() as f64 * 1024.0 / 1e6
    }

    /// PSS in MB of the processes whose name starts with `prefix` (several web processes add up).
    pub fn mb_of(&self, prefix: &str) -> f64 {
        self.procs.iter().filter(|p| p.name.starts_with(prefix)).map(|p| p.pss).sum::<u64>() as f64 * 1024.0 / 1e6
    }

    /// "tenantry 58.1 (anon 30.2) · WebKitWebProcess 180.3 (anon …) · …" in MB.
    pub fn breakdown(&self) -> String {
        let mut by: Vec<(String, [u64; 3])> = Vec::new();
        for p in &self.procs {
            match by.iter_mut().find(|(n, _)| *n == p.name) {
                Some((_, v)) => {
                    v[0] += p.pss;
                    v[1] += p.pss_anon;
                    v[2] += p.pss_file;
                }
                None => by.push((p.name.clone(), [p.pss, p.pss_anon, p.pss_file])),
            }
        }
        let mb = |kb: u64| kb as f64 * 1024.0 / 1e6;
        by.iter().map(|(n, v)| format!("{n} {:.0} (anon {:.0}, file {:.0})", mb(v[0]), mb(v[1]), mb(v[2]))).collect::<Vec<_>>().join(" · ")
    }
}

/// `(pid, parent pid, name, start time in clock ticks after boot)` of every process.
fn processes() -> Vec<(u32, u32, String, u64)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        // "pid (comm) state ppid … starttime(22nd) …"; the name may hold spaces and parentheses.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else { continue };
        let name = stat[open + 1..close].to_owned();
        let rest: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let (Some(ppid), Some(start)) = (rest.get(1).and_then(|s| s.parse().ok()), rest.get(19).and_then(|s| s.parse().ok())) else { continue };
        out.push((pid, ppid, name, start));
    }
    out
}

/// `root` and its descendants.
pub fn tree(root: u32) -> Vec<u32> {
    let procs = processes();
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let p = out[i];
        out.extend(procs.iter().filter(|(_, ppid, ..)| *ppid == p).map(|(pid, ..)| *pid));
        i += 1;
    }
    out
}

fn smaps_rollup(pid: u32) -> Option<HashMap<String, u64>> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    Some(
        text.lines()
            .filter_map(|l| {
                let (k, v) = l.split_once(':')?;
                Some((k.trim().to_owned(), v.trim().trim_end_matches("kB").trim().parse().ok()?))
            })
            .collect(),
    )
}

/// The memory of `root` and all its descendants now.
pub fn tree_mem(root: u32) -> TreeMem {
    let names: HashMap<u32, String> = processes().into_iter().map(|(pid, _, name, _)| (pid, name)).collect();
    let procs = tree(root)
        .into_iter()
        .filter_map(|pid| {
            let m = smaps_rollup(pid)?;
            let get = |k: &str| m.get(k).copied().unwrap_or(0);
            Some(ProcMem { pid, name: names.get(&pid).cloned().unwrap_or_default(), pss: get("Pss"), pss_anon: get("Pss_Anon"), pss_file: get("Pss_File"), rss: get("Rss") })
        })
        .collect();
    TreeMem { procs }
}

/// When `pid` started, in milliseconds since the Unix epoch (to 10 ms: the kernel counts in
/// clock ticks since boot).
pub fn started_at_ms(pid: u32) -> Result<f64> {
    let (.., start) = processes().into_iter().find(|(p, ..)| *p == pid).with_context(|| format!("no process {pid}"))?;
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")?.split_whitespace().next().context("uptime")?.parse()?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs_f64();
    // Clock ticks are 100 a second on Linux (USER_HZ, the unit of /proc/<pid>/stat).
    Ok((now - uptime + start as f64 / 100.0) * 1000.0)
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64() * 1000.0
}

impl App {
    /// The app's process (started by WebKitWebDriver below this window's tauri-driver), once
    /// it runs.
    pub fn app_pid(&self) -> Option<u32> {
        let procs = processes();
        let exe = bin("TENANTRY_APP_BIN", "target/debug/tenantry");
        let exe = std::fs::canonicalize(&exe).unwrap_or(exe);
        tree(self._driver.child.id())
            .into_iter()
            .find(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|e| e == exe) || procs.iter().any(|(p, _, n, _)| p == pid && n == "tenantry"))
    }

    /// The memory of the app and its WebKit processes now.
    pub fn memory(&self) -> Result<TreeMem> {
        let pid = self.app_pid().context("the app's process")?;
        Ok(tree_mem(pid))
    }

    /// Closes the window and waits for the app's processes to end (the next window must not
    /// share memory or the cache file with them); kills what is left after 15 s.
    pub async fn close_and_wait(self) {
        let pids = self.app_pid().map(tree).unwrap_or_default();
        self.close().await;
        let t = Instant::now();
        // A process that ended but was not yet reaped by its parent (state Z) holds no memory.
        let alive = |p: &u32| std::fs::read_to_string(format!("/proc/{p}/stat")).is_ok_and(|s| s.rsplit(')').next().and_then(|r| r.split_whitespace().next()) != Some("Z"));
        while pids.iter().any(alive) {
            if t.elapsed() > Duration::from_secs(15) {
                for p in &pids {
                    let _ = Command::new("kill").arg(p.to_string()).status();
                }
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
