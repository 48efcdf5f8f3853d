//! The end-to-end harness: a real `tenancy-server` process per test (from a seeded template
//! database), a `tauri-driver` per test with a fresh app data directory, and the built Tenantry
//! binary in a real WebKitGTK window, driven over WebDriver with fantoccini.
//!
//! `scripts/e2e.sh` provides what a desktop session would: Xvfb, a D-Bus session with an unlocked
//! gnome-keyring, tauri-driver and WebKitWebDriver, and the built binaries (paths in
//! `TENANTRY_APP_BIN` and `TENANCY_SERVER_BIN`). On failure a test saves a screenshot and keeps
//! the app's and the server's logs under `target/e2e/<test>/`, and prints their paths.

pub mod check;
pub mod cluster;
pub mod footprint;

use anyhow::{anyhow, bail, ensure, Context, Result};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use fantoccini::key::Key;

pub const DEMO_EMAIL: &str = "demo@tenantry.example";
pub const PLATFORM_EMAIL: &str = "platform@tenantry.example";
pub const PASSWORD: &str = "tenantry-demo";

/// How long a step may wait for the UI before the test fails (a generous bound, not a speed goal).
pub const WAIT: Duration = Duration::from_secs(20);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn bin(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| root().join(default))
}

pub fn artifacts(name: &str) -> PathBuf {
    let d = root().join("target/e2e").join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The demo seed, made once per run and copied for each server (seeding takes seconds; a copy
/// takes milliseconds, and every test still starts from the same fresh data).
fn template(seed_profile: &str) -> Result<PathBuf> {
    let dir = root().join("target/e2e/_templates");
    std::fs::create_dir_all(&dir)?;
    let db = dir.join(format!("{seed_profile}.db"));
    let lock = dir.join(format!("{seed_profile}.done"));
    if !lock.exists() {
        let _ = std::fs::remove_file(&db);
        let out = Command::new(bin("TENANCY_SERVER_BIN", "target/debug/tenancy-server"))
            .args(["seed", "--profile", seed_profile, "--db"])
            .arg(format!("sqlite://{}", db.display()))
            .output()
            .context("running tenancy-server seed")?;
        if !out.status.success() {
            bail!("seeding failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        std::fs::write(&lock, b"")?;
    }
    Ok(db)
}

/// A real tenancy-server process on its own copy of the demo data.
pub struct Server {
    child: Option<Child>,
    pub url: String,
    addr: String,
    db: PathBuf,
    pub log: PathBuf,
}

impl Server {
    pub fn start(dir: &Path, label: &str) -> Result<Server> {
        let db = dir.join(format!("{label}.db"));
        let t = template("demo")?;
        std::fs::copy(&t, &db)?;
        // SQLite in WAL mode may keep recent writes in the -wal file until a checkpoint.
        for ext in ["db-wal", "db-shm"] {
            if t.with_extension(ext).exists() {
                std::fs::copy(t.with_extension(ext), db.with_extension(ext))?;
            }
        }
        let mut s = Server { child: None, url: String::new(), addr: "127.0.0.1:0".into(), db, log: dir.join(format!("{label}.log")) };
        s.spawn()?;
        Ok(s)
    }

    fn spawn(&mut self) -> Result<()> {
        let addr_file = self.db.with_extension("addr");
        let _ = std::fs::remove_file(&addr_file);
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log)?;
        let child = Command::new(bin("TENANCY_SERVER_BIN", "target/debug/tenancy-server"))
            .args(["serve", "--db"])
            .arg(format!("sqlite://{}", self.db.display()))
            .args(["--bind", &self.addr, "--addr-file"])
            .arg(&addr_file)
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("starting tenancy-server")?;
        self.child = Some(child);
        let t = Instant::now();
        loop {
            if let Ok(a) = std::fs::read_to_string(&addr_file) {
                if !a.trim().is_empty() {
                    self.addr = a.trim().to_owned();
                    self.url = format!("http://{}", self.addr);
                    return Ok(());
                }
            }
            if t.elapsed() > WAIT {
                bail!("the server did not start; see {}", self.log.display());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the process (the console then finds the server unreachable).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same address and data.
    pub fn restart(&mut self) -> Result<()> {
        self.stop();
        self.spawn()
    }

    /// The server's SQLite file, for what no API offers (the change feed's floor, its latest
    /// sequence).
    pub fn db_path(&self) -> &Path {
        &self.db
    }

    /// A typed API client signed in as `email`, to check what the server holds.
    pub async fn api(&self, email: &str) -> Result<tenancy_client::ApiClient> {
        let api = tenancy_client::ApiClient::new(&tenancy_client::account_ref::AccountRef::new(&self.url, email)?, Arc::new(tenancy_client::secret::MemorySecrets::default()))?;
        api.sign_in(PASSWORD, None).await?;
        Ok(api)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// tauri-driver for one test, with the app's data and config directories fresh.
struct Driver {
    child: Child,
    port: u16,
    native: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // tauri-driver leaves the WebKitWebDriver it started running; it is found by its port.
        let _ = Command::new("pkill").args(["-f", &format!("WebKitWebDriver --port={} ", self.native)]).status();
    }
}

/// One test's world: its artifacts directory, servers, and the app window.
pub struct App {
    pub name: String,
    pub dir: PathBuf,
    pub c: Client,
    /// The app's XDG data directory (prefs.json and the caches live below it).
    pub data: PathBuf,
    pub app_log: PathBuf,
    _driver: Driver,
    _home: tempfile::TempDir,
}

impl App {
    /// Starts tauri-driver and opens the app. `extra_env` goes to the app (e.g. the demo hint).
    pub async fn open(name: &str, dir: &Path, extra_env: &[(&str, &str)]) -> Result<App> {
        let home = tempfile::tempdir()?;
        let data = home.path().join("data");
        let config = home.path().join("config");
        std::fs::create_dir_all(&data)?;
        std::fs::create_dir_all(&config)?;
        let app_log = dir.join("app.log");
        let log = std::fs::File::create(dir.join("driver.log"))?;
        let port = free_port();
        let native = free_port();
        let webkit = which("WebKitWebDriver").ok_or_else(|| anyhow!("WebKitWebDriver is missing (apt package webkit2gtk-driver)"))?;
        let mut cmd = Command::new(std::env::var_os("TAURI_DRIVER_BIN").map(PathBuf::from).unwrap_or_else(|| "tauri-driver".into()));
        cmd.args(["--port", &port.to_string(), "--native-port", &native.to_string(), "--native-driver"])
            .arg(webkit)
            .env("XDG_DATA_HOME", &data)
            .env("XDG_CONFIG_HOME", &config)
            .env("RUST_LOG", "info,tenantry_lib=debug,tenancy_client=debug,sqlx=warn")
            .env("TENANTRY_LOG_FILE", &app_log)

            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let driver = Driver { child: cmd.spawn().context("starting tauri-driver (cargo install tauri-driver --locked)")?, port, native };
        // tauri-driver proxies to the WebKitWebDriver it starts: a new session is asked for once
        // both listen (asked earlier, tauri-driver drops it).
        wait_port(driver.port).await?;
        wait_port(driver.native).await?;

        let mut caps = serde_json::Map::new();
        let binary = bin("TENANTRY_APP_BIN", "target/debug/tenantry");
        caps.insert("tauri:options".into(), serde_json::json!({ "application": binary }));
        let mut builder = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
        builder.capabilities(caps);
        let url = format!("http://127.0.0.1:{}", driver.port);
        let c = match tokio::time::timeout(Duration::from_secs(60), builder.connect(&url)).await {
            Err(_) => bail!("no WebDriver session within 60 s (is there a display?); see {}", dir.join("driver.log").display()),
            Ok(r) => r.with_context(|| format!("no WebDriver session; see {}", dir.join("driver.log").display()))?,
        };
        Ok(App { name: name.into(), dir: dir.to_path_buf(), c, data, app_log, _driver: driver, _home: home })
    }

    pub async fn close(self) {
        let _ = self.c.close().await;
    }

    /// Saves a screenshot of the window to `<artifacts>/<label>.png` and returns its path.
    pub async fn shot(&self, label: &str) -> PathBuf {
        let p = self.dir.join(format!("{label}.png"));
        match self.c.screenshot().await {
            Ok(png) => {
                let _ = std::fs::write(&p, png);
            }
            Err(e) => eprintln!("screenshot failed: {e}"),
        }
        p
    }

    // ---------- finding and waiting ----------

    /// Waits until `css` matches a displayed element.
    pub async fn el(&self, css: &str) -> Result<Element> {
        self.first_visible(&format!("an element {css}"), Locator::Css(css)).await
    }

    /// Waits until `locator` matches a displayed element; `what` names it in the failure.
    async fn first_visible(&self, what: &str, locator: Locator<'_>) -> Result<Element> {
        self.wait_for(what, || async move {
            for e in self.c.find_all(locator).await? {
                if self.visible(&e).await? {
                    return Ok(Some(e));
                }
            }
            Ok(None)
        })
        .await
    }

    /// What the element shows (`innerText`, as the user reads it).
    pub async fn inner_text(&self, e: &Element) -> Result<String> {
        let v = self.c.execute("return arguments[0].innerText;", vec![serde_json::to_value(e)?]).await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Is the element rendered (has a box and is not hidden)?
    pub async fn visible(&self, e: &Element) -> Result<bool> {
        let v = self
            .c
            .execute(
                "const e = arguments[0]; return e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';",
                vec![serde_json::to_value(e)?],
            )
            .await?;
        Ok(v.as_bool().unwrap_or(false))
    }

    /// Waits for a displayed button (or role=tab/option) whose text or aria-label is `label`.
    /// The button (or tab, or option) labelled `label`, among what a user can reach.
    pub async fn button(&self, label: &str) -> Result<Element> {
        let q = xpath_literal(label);
        self.reachable(&format!("a button “{label}”"), &[format!("//*[(self::button or @role='tab' or @role='option') and (normalize-space(.)={q} or @aria-label={q})]")]).await
    }

    /// The first displayed element matching one of `paths` (absolute XPaths, `//…`) that a user
    /// can reach: while a modal dialog is open, only within the topmost one (the page behind
    /// may have a button or field of the same name).
    async fn reachable(&self, what: &str, paths: &[String]) -> Result<Element> {
        const MODAL: &str = "//*[@role='dialog' and @aria-modal='true']";
        let page = paths.join(" | ");
        let modal = paths.iter().map(|p| format!("({MODAL})[last()]{p}")).collect::<Vec<_>>().join(" | ");
        self.wait_for(what, || {
            let (page, modal) = (page.clone(), modal.clone());
            async move {
                let open = !self.c.find_all(Locator::XPath(MODAL)).await?.is_empty();
                for e in self.c.find_all(Locator::XPath(if open { &modal } else { &page })).await? {
                    if self.visible(&e).await? {
                        return Ok(Some(e));
                    }
                }
                Ok(None)
            }
        })
        .await
    }

    /// Clicks the button labelled `label` as a user would: once it is enabled and nothing
    /// covers it (a dialog's backdrop still closing, a toast), so a click never lands on
    /// something else. A click WebDriver refuses fails the step.
    pub async fn click(&self, label: &str) -> Result<()> {
        let b = self.button(label).await?;
        self.wait_for(&format!("“{label}” to be enabled"), || {
            let b = b.clone();
            async move { Ok(b.is_enabled().await?.then_some(())) }
        })
        .await?;
        self.click_element(&b, &format!("“{label}”")).await
    }

    /// Clicks the button labelled `label` inside `scope` (a table row, a pane).
    pub async fn click_in(&self, scope: &Element, label: &str) -> Result<()> {
        let x = format!(".//button[normalize-space(.)={q} or @aria-label={q}]", q = xpath_literal(label));
        let b = scope.find(Locator::XPath(&x)).await.with_context(|| format!("a button “{label}” there"))?;
        self.click_element(&b, &format!("“{label}”")).await
    }

    /// Clicks `e` once nothing covers it; `what` names it in a failure.
    pub async fn click_element(&self, e: &Element, what: &str) -> Result<()> {
        self.wait_until_topmost(e, what).await?;
        e.click().await.with_context(|| format!("clicking {what}"))?;
        Ok(())
    }

    /// Moves keyboard focus to the page itself (no element), as clicking an empty spot would,
    /// without clicking whatever happens to be there.
    pub async fn focus_page(&self) -> Result<()> {
        self.c.execute("document.activeElement && document.activeElement.blur(); document.body.focus(); return true;", vec![]).await?;
        Ok(())
    }

    /// Waits until `e` is the topmost element at its centre (scrolled into view first), the
    /// point WebDriver clicks; says what covers it when it never is.
    pub async fn wait_until_topmost(&self, e: &Element, what: &str) -> Result<()> {
        const PROBE: &str = "const e = arguments[0]; e.scrollIntoView({block: 'nearest', inline: 'nearest'}); \
            const r = e.getBoundingClientRect(); \
            const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2); \
            if (top && (top === e || e.contains(top))) return null; \
            return top ? (top.tagName.toLowerCase() + (top.className ? '.' + String(top.className).split(' ').join('.') : '')) : 'nothing';";
        let cover = std::sync::Mutex::new(String::new());
        let found = self
            .wait_for(&format!("{what} to be uncovered"), || {
                let cover = &cover;
                async move {
                    let v = self.c.execute(PROBE, vec![serde_json::to_value(e)?]).await?;
                    match v.as_str() {
                        None => Ok(Some(())),
                        Some(c) => {
                            *cover.lock().unwrap() = c.to_owned();
                            Ok(None)
                        }
                    }
                }
            })
            .await;
        found.with_context(|| format!("{what} stayed covered by {}", cover.lock().unwrap()))
    }

    /// The input labelled `label` (by <label> text or aria-label).
    pub async fn field(&self, label: &str) -> Result<Element> {
        let q = xpath_literal(label);
        let paths = [
            format!("//*[(self::input or self::textarea or self::select) and (@aria-label={q} or @name={q} or @placeholder={q} or @id=//label[starts-with(normalize-space(.), {q})]/@for)]"),
            format!("//label[starts-with(normalize-space(.), {q})]//*[self::input or self::textarea or self::select]"),
        ];
        self.reachable(&format!("a field “{label}”"), &paths).await
    }

    /// Replaces the field's content with `text`, the way a user types it.
    pub async fn fill(&self, label: &str, text: &str) -> Result<()> {
        let f = self.field(label).await?;
        f.clear().await?;
        if !text.is_empty() {
            // WebKitWebDriver types "\n" as nothing; a line break is the Enter key.
            f.send_keys(&text.replace('\n', &Key::Enter.to_string())).await?;
        }
        Ok(())
    }

    pub async fn select(&self, label: &str, option_text: &str) -> Result<()> {
        let f = self.field(label).await?;
        let o = f.find(Locator::XPath(&format!(".//option[normalize-space(.)={}]", xpath_literal(option_text)))).await.with_context(|| format!("option “{option_text}” of {label}"))?;
        o.click().await?;
        // Until the page has it: the select shows the option and its change has been handled.
        let shown = format!("{label} to show “{option_text}”");
        self.wait_for(&shown, || {
            let f = f.clone();
            async move {
                let v = self.c.execute("const s = arguments[0]; return s.selectedOptions.length ? s.selectedOptions[0].textContent.replace(/\\s+/g, ' ').trim() : '';", vec![serde_json::to_value(&f)?]).await?;
                Ok((v.as_str() == Some(option_text.split_whitespace().collect::<Vec<_>>().join(" ").as_str())).then_some(()))
            }
        })
        .await
    }

    /// Waits for a displayed element matching `xpath`.
    pub async fn xpath(&self, xpath: &str) -> Result<Element> {
        self.first_visible(&format!("an element {xpath}"), Locator::XPath(xpath)).await
    }

    /// Waits for an element matching `xpath` to exist, shown or not (an <option> of a closed select).
    pub async fn present(&self, xpath: &str) -> Result<Element> {
        self.wait_for(&format!("an element {xpath}"), || async move { Ok(self.c.find_all(Locator::XPath(xpath)).await?.into_iter().next()) }).await
    }

    /// Clicks the table row showing `text` (a member's email, a key's name…).
    pub async fn click_row(&self, text: &str) -> Result<()> {
        let row = self.xpath(&format!("//tr[contains(normalize-space(.), {})]", xpath_literal(text))).await?;
        self.click_element(&row, &format!("the row “{text}”")).await
    }

    /// Ticks (or unticks) the checkbox whose label contains `text`; `within` narrows to a CSS scope.
    pub async fn check(&self, within: &str, text: &str) -> Result<()> {
        let scope = self.el(within).await?;
        let x = format!(".//label[contains(normalize-space(.), {})]//input[@type='checkbox']", xpath_literal(text));
        let b = scope.find(Locator::XPath(&x)).await.with_context(|| format!("checkbox “{text}” in {within}"))?;
        self.click_element(&b, &format!("the checkbox “{text}”")).await
    }

    /// The visible text of the whole window.
    pub async fn text(&self) -> Result<String> {
        let v = self.c.execute("return document.body.innerText;", vec![]).await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Waits until the window shows `needle`.
    pub async fn sees(&self, needle: &str) -> Result<()> {
        self.wait_for(&format!("the text “{needle}”"), || async move { Ok(self.text().await?.contains(needle).then_some(())) }).await
    }

    /// Waits until `css`'s text contains `needle`; returns the text.
    pub async fn sees_in(&self, css: &str, needle: &str) -> Result<String> {
        self.wait_for(&format!("“{needle}” in {css}"), || async move {
            for e in self.c.find_all(Locator::Css(css)).await? {
                let t = self.inner_text(&e).await?;
                if t.contains(needle) {
                    return Ok(Some(t));
                }
            }
            Ok(None)
        })
        .await
    }

    /// Waits until the window no longer shows `needle`.
    pub async fn no_longer_sees(&self, needle: &str) -> Result<()> {
        self.wait_for(&format!("“{needle}” to go away"), || async move { Ok((!self.text().await?.contains(needle)).then_some(())) }).await
    }

    /// Presses keys on the focused element (modifiers stay down until `Key::Null`).
    /// Types `keys` into whatever has the focus, as a keyboard does: key-by-key input actions,
    /// which (unlike sending keys to an element) need no focusable target, so Escape reaches a
    /// dialog whose focused button has just become disabled.
    pub async fn keys(&self, keys: &str) -> Result<()> {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        use fantoccini::key::Key;
        let modifiers: Vec<char> = [Key::Control, Key::Shift, Key::Alt, Key::Meta].into_iter().map(char::from).collect();
        let mut typing = KeyActions::new("keyboard".to_owned());
        // A modifier is held until `Key::Null` (or the end), as `send_keys` does.
        let mut held = Vec::new();
        for value in keys.chars() {
            if modifiers.contains(&value) {
                typing = typing.then(KeyAction::Down { value });
                held.push(value);
            } else if value == char::from(Key::Null) {
                for value in held.drain(..) {
                    typing = typing.then(KeyAction::Up { value });
                }
            } else {
                typing = typing.then(KeyAction::Down { value }).then(KeyAction::Up { value });
            }
        }
        for value in held {
            typing = typing.then(KeyAction::Up { value });
        }
        self.c.perform_actions(typing).await.context("typing keys")?;
        self.c.release_actions().await.context("releasing keys")?;
        Ok(())
    }

    pub async fn title(&self) -> Result<String> {
        Ok(self.c.title().await?)
    }

    /// Polls `probe` until it yields a value, failing after [`WAIT`] with what was awaited.
    pub async fn wait_for<T, F, Fut>(&self, what: &str, mut probe: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Option<T>>>,
    {
        let t = Instant::now();
        let mut last_err = None;
        loop {
            match probe().await {
                Ok(Some(v)) => return Ok(v),
                Ok(None) => {}
                Err(e) => last_err = Some(e),
            }
            if t.elapsed() > WAIT {
                let why = last_err.map(|e| format!(" (last error: {e})")).unwrap_or_default();
                bail!("waited {}s for {what}{why}", WAIT.as_secs());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// How long one scenario may run before it fails (a bound against a hung WebDriver call).
pub const SCENARIO_LIMIT: Duration = Duration::from_secs(180);

/// Runs one scenario once. On failure saves a screenshot and the page, and returns a report
/// that says why and where the logs are (and, when the window itself was gone, what the kernel
/// logged about the crash, where it may be read).
pub async fn attempt<F, Fut>(app: App, body: F) -> std::result::Result<(), String>
where
    F: FnOnce(Arc<App>) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    use futures::FutureExt;
    let app = Arc::new(app);
    let run = std::panic::AssertUnwindSafe(body(app.clone())).catch_unwind();
    let failure = match tokio::time::timeout(SCENARIO_LIMIT, run).await {
        Err(_) => Some(format!("did not finish within {} s", SCENARIO_LIMIT.as_secs())),
        Ok(Ok(Ok(()))) => None,
        Ok(Ok(Err(e))) => Some(format!("{e:#}")),
        Ok(Err(p)) => Some(p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_else(|| "panic".into())),
    };
    let Some(why) = failure else {
        if let Ok(app) = Arc::try_unwrap(app) {
            let _ = tokio::time::timeout(Duration::from_secs(10), app.close()).await;
        }
        return Ok(());
    };
    let short = Duration::from_secs(5);
    let crashed = !matches!(tokio::time::timeout(short, app.c.title()).await, Ok(Ok(_)));
    let shot = tokio::time::timeout(short, app.shot("failure")).await.unwrap_or_else(|_| app.dir.join("failure.png"));
    if let Ok(Ok(page)) = tokio::time::timeout(short, app.c.source()).await {
        let _ = std::fs::write(app.dir.join("failure.html"), page);
    }
    let crash = if crashed { format!(" (the app window was gone{})", kernel_crash_lines()) } else { String::new() };
    Err(format!(
        "scenario {} failed: {why}{crash}\n  screenshot: {}\n  app log:    {}\n  page:       {}\n  (the server and tauri-driver logs are in the same folder)",
        app.name,
        shot.display(),
        app.app_log.display(),
        app.dir.join("failure.html").display()
    ))
}

/// The kernel's last lines about a segfault, when `dmesg` may be read here.
fn kernel_crash_lines() -> String {
    let Ok(out) = Command::new("dmesg").output() else { return String::new() };
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("segfault") || l.contains("traps:")).collect();
    match lines.len() {
        0 => String::new(),
        n => format!("; the kernel logged: {}", lines[n.saturating_sub(3)..].join(" | ")),
    }
}

async fn wait_port(port: u16) -> Result<()> {
    let t = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        if t.elapsed() > WAIT {
            bail!("tauri-driver did not listen on {port}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).map(|d| d.join(name)).find(|f| f.is_file()))
}

/// `'text'` or `concat(...)` for text containing quotes.
pub fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        format!("concat('{}')", s.replace('\'', "', \"'\", '"))
    }
}

/// Every file below `dir`.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// The box `(x, y, width, height)` of an element in the window's screenshot (CSS pixels times
/// the device pixel ratio), once nothing covers it. (WebKitWebDriver's element screenshots of
/// elements inside scrolled panels come back black, so the window's is cropped instead.)
impl App {
    /// With it, the element's background colour as computed, and a screenshot of the window
    /// taken after the scroll that uncovered it was painted (two animation frames later).
    pub async fn box_of(&self, e: &Element, what: &str) -> Result<([u32; 4], [u8; 3], Vec<u8>)> {
        // The element is measured once it is in view, uncovered, and where it was a frame
        // before: a panel whose content is still arriving (a query answering, a group folding
        // open) moves what is below it, and a crop taken then shows something else.
        const PROBE: &str = "const e = arguments[0], done = arguments[arguments.length - 1]; \
             e.scrollIntoView({block: 'nearest', inline: 'nearest'}); \
             const box = () => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; }; \
             requestAnimationFrame(() => requestAnimationFrame(() => { const a = box(); \
               requestAnimationFrame(() => { const b = box(), d = window.devicePixelRatio || 1; \
                 const still = a.every((x, i) => x === b[i]); \
                 const inside = b[0] >= 0 && b[1] >= 0 && b[0] + b[2] <= innerWidth && b[1] + b[3] <= innerHeight && b[2] > 0; \
                 const top = document.elementFromPoint(b[0] + b[2] / 2, b[1] + b[3] / 2); \
                 if (!still || !inside || !(top === e || e.contains(top))) return done(null); \
                 const bg = getComputedStyle(e).backgroundColor.match(/\\d+/g).slice(0, 3).map(Number); \
                 done([b.map((x) => Math.round(x * d)), bg]); }); }));";
        let v = self
            .wait_for(&format!("{what} to stand still in view"), || async move {
                let v = self.c.execute_async(PROBE, vec![serde_json::to_value(e)?]).await?;
                Ok((!v.is_null()).then_some(v))
            })
            .await?;
        let (area, bg): ([u32; 4], [u8; 3]) = serde_json::from_value(v)?;
        let png = self.c.screenshot().await?;
        Ok((area, bg, png))
    }
}

/// The WCAG contrast ratio of a button's text against its background, measured on the part
/// `area` (x, y, width, height) of a PNG screenshot (`None`: all of it) less a margin of
/// [`INSET`] pixels (a rounded button's corners show the page behind it): the background is
/// the commonest colour; the text is the colour (seen on at least 1 pixel in 200, so
/// anti-aliasing fringes do not count) that stands out most from it.
pub fn text_contrast(png_bytes: &[u8], area: Option<[u32; 4]>) -> Result<f64> {
    Ok(measure(png_bytes, area)?.0)
}

/// The contrast as [`text_contrast`], and the background colour it was measured against.
pub fn measure(png_bytes: &[u8], area: Option<[u32; 4]>) -> Result<(f64, [u8; 3])> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info()?;
    let mut buf = vec![0; reader.output_buffer_size().context("an image size")?];
    let info = reader.next_frame(&mut buf)?;
    let channels = info.color_type.samples();
    ensure!(channels >= 3, "a colour screenshot ({:?})", info.color_type);
    let [x0, y0, w, h] = match area {
        Some([x, y, w, h]) if w > 2 * INSET && h > 2 * INSET => [x + INSET, y + INSET, w - 2 * INSET, h - 2 * INSET],
        Some(a) => bail!("the area {a:?} is too small to measure"),
        None => [0, 0, info.width, info.height],
    };
    ensure!(x0 + w <= info.width && y0 + h <= info.height && w > 0 && h > 0, "the area {:?} lies within the {}×{} screenshot", [x0, y0, w, h], info.width, info.height);
    let mut counts: std::collections::HashMap<[u8; 3], usize> = std::collections::HashMap::new();
    for y in y0..y0 + h {
        for x in x0..x0 + w {
            let i = (y as usize * info.width as usize + x as usize) * channels;
            let px = &buf[i..i + 3];
            *counts.entry([px[0], px[1], px[2]]).or_default() += 1;
        }
    }
    let (bg, _) = counts.iter().max_by_key(|(_, n)| **n).context("an empty screenshot")?;
    let ratio = |a: &[u8; 3], b: &[u8; 3]| {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    };
    let seen = ((w * h) as usize / 200).max(4);
    Ok((counts.iter().filter(|(_, n)| **n >= seen).map(|(c, _)| ratio(c, bg)).fold(1.0, f64::max), *bg))
}

/// Pixels left out at each edge of a measured area.
pub const INSET: u32 = 4;

/// Relative luminance of an sRGB colour (WCAG 2).
fn luminance(c: &[u8; 3]) -> f64 {
    let lin = |v: u8| {
        let s = v as f64 / 255.0;
        if s <= 0.04045 { s / 12.92 } else { ((s + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
}

#[cfg(test)]
mod tests {
    #[test]
    fn contrast_is_measured_between_the_text_and_its_background() {
        // A 20×10 red box with a white 4×4 mark: 6.5:1 (#b91c1c against white); without the mark, 1:1.
        let image = |mark: bool| {
            let mut raw = Vec::new();
            for y in 0..10 {
                for x in 0..20 {
                    raw.extend_from_slice(if mark && (8..12).contains(&x) && (3..7).contains(&y) { &[255, 255, 255] } else { &[0xb9, 0x1c, 0x1c] });
                }
            }
            let mut out = Vec::new();
            let mut enc = png::Encoder::new(&mut out, 20, 10);
            enc.set_color(png::ColorType::Rgb);
            enc.write_header().unwrap().write_image_data(&raw).unwrap();
            out
        };
        let with = super::text_contrast(&image(true), None).unwrap();
        assert!((6.0..7.0).contains(&with), "{with}");
        assert_eq!(super::text_contrast(&image(false), None).unwrap(), 1.0);
        // Only the area asked for counts (less its margin): the left half has no mark; the
        // margin of the whole image is all background.
        assert_eq!(super::text_contrast(&image(true), Some([0, 0, 10, 10])).unwrap(), 1.0);
        assert!(super::text_contrast(&image(true), Some([0, 0, 20, 10])).unwrap() > 6.0);
    }
}
