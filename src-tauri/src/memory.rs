//! What the console keeps in memory, measured by `make bench` (scripts/footprint.sh: the PSS of
//! the app and its WebKit processes on mssp-large, after every view and the members table
//! scrolled end to end). Three levers, each kept because it measurably helped there (figures of
//! 2026-12-01 and -02 on the 2-core bench machine, Xvfb, no GPU):
//!
//! - On a machine without a GPU render node (a VM, a remote desktop, Xvfb) WebKitGTK composites
//!   with Mesa's software OpenGL (llvmpipe): there, the webview draws without accelerated
//!   compositing. The sign-in window went from 322 to 247 MB, the measured console from 845 to
//!   ~630 MB (the web process 573 → ~360 MB), a screenful of the members table from 0.4–1.2 s
//!   to paint to 30–90 ms, and a cold start from 2.1 to 1.1 s. With a GPU, WebKit's default
//!   stays.
//! - SQLite's heap, shared by the open caches' connections, is held to [`READ_HEAP_LIMIT`]
//!   except while a first (full) sync runs: each connection may otherwise keep up to 128 MB of
//!   pages (`cache_size`, set for the full sync's speed by tenancy-client), and the four of one
//!   cache reading the members pages and the aggregates kept ~80 MB more in the app's process
//!   (~260 → ~178 MB). Pages are read again from the OS's file cache when needed.
//! - WebKit's memory pressure handler, given a limit of [`WEB_MEMORY_LIMIT_MB`] for the web and
//!   network processes ([`webkit_memory_pressure`]). By default it acts only above a third of
//!   the machine's memory (of 3 GB at most), which the console never reaches: the web process
//!   kept what it had freed (its JavaScript heap stays at 12–18 MB; the rest is WebKit's own).
//!   Above the limit's fractions it releases its caches, collects garbage and hands free
//!   memory back to the system, at each poll. In one build, one run with the limit and one
//!   without (`TENANTRY_WEB_MEMORY_LIMIT_MB=0`): the web process after the views and the scroll
//!   237 vs 343 MB (the whole tree 439 vs 552 MB; 586 MB before any of this day's changes,
//!   with the web process at 380 MB). Switching the views round and round for 2 minutes, the
//!   web process grew by +19.5 MB/min without the limit and +0.5 MB/min with it; in a run on a
//!   quiet machine (118 rounds) it went up and down between ~250 and ~410 MB, its average over
//!   each 20 rounds flat at 290–320 MB. The app's own process still creeps there (155 → 170 MB
//!   over the 2 minutes): not looked into yet.
//!
//! Tried and not kept (no difference beyond the run-to-run noise of ±40 MB in the web process):
//! the DOCUMENT_VIEWER cache model, `MALLOC_ARENA_MAX=2`, glibc's mmap/trim thresholds at
//! 128 KB, and freeing SQLite's pages plus `malloc_trim` every 20 s instead of the limit.

use std::sync::atomic::{AtomicUsize, Ordering};

/// SQLite's heap for the whole app outside a first sync (a soft limit: above it, SQLite reuses
/// its cached pages instead of allocating more).
pub const READ_HEAP_LIMIT: i64 = 32 << 20;

/// First syncs running now (several accounts may sync at once).
static FULL_SYNCS: AtomicUsize = AtomicUsize::new(0);

fn soft_heap_limit(bytes: i64) {
    // SAFETY: sqlite3_soft_heap_limit64 is thread-safe and may be called at any time (0: none).
    unsafe { libsqlite3_sys::sqlite3_soft_heap_limit64(bytes) };
    if bytes > 0 {
        // What SQLite just let go of (lowering the limit releases pages above it) goes back
        // to the system, not to glibc's free lists.
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: malloc_trim only returns free memory to the system.
        unsafe {
            libc::malloc_trim(0);
        }
    }
}

/// At start: SQLite's heap held to [`READ_HEAP_LIMIT`].
pub fn init() {
    soft_heap_limit(READ_HEAP_LIMIT);
}

/// While it lives, a first sync runs: SQLite's heap is not held (the full sync's speed needs
/// its large page cache); when the last one ends, the limit is back and the excess released.
pub struct FullSync(());

impl FullSync {
    pub fn start() -> FullSync {
        if FULL_SYNCS.fetch_add(1, Ordering::SeqCst) == 0 {
            soft_heap_limit(0);
        }
        FullSync(())
    }
}

impl Drop for FullSync {
    fn drop(&mut self) {
        if FULL_SYNCS.fetch_sub(1, Ordering::SeqCst) == 1 {
            soft_heap_limit(READ_HEAP_LIMIT);
        }
    }
}

/// Is there a GPU WebKit could composite with (a DRM render node)?
#[cfg(target_os = "linux")]
fn has_render_node() -> bool {
    std::fs::read_dir("/dev/dri").map(|d| d.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD"))).unwrap_or(false)
}

/// The webview's settings: without a GPU, no accelerated compositing (see the module's notes).
#[cfg(target_os = "linux")]
pub fn tune_webview<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>) {
    if has_render_node() {
        return;
    }
    tracing::info!("no GPU render node: the webview draws without accelerated compositing");
    let _ = window.with_webview(|webview| {
        use webkit2gtk::{SettingsExt, WebViewExt};
        if let Some(settings) = WebViewExt::settings(&webview.inner()) {
            settings.set_hardware_acceleration_policy(webkit2gtk::HardwareAccelerationPolicy::Never);
        }
    });
}

#[cfg(not(target_os = "linux"))]
pub fn tune_webview<R: tauri::Runtime>(_: &tauri::WebviewWindow<R>) {}

/// The memory limit WebKit's processes keep to, in MB, unless `TENANTRY_WEB_MEMORY_LIMIT_MB`
/// says otherwise (0: WebKit's own, the machine's memory up to 3 GB).
#[cfg(target_os = "linux")]
const WEB_MEMORY_LIMIT_MB: u32 = 300;
/// Above these fractions of the limit, a web process releases what it can spare (caches, a
/// garbage collection), then more (the JIT's code too), at each poll.
#[cfg(target_os = "linux")]
const WEB_MEMORY_CONSERVATIVE: f64 = 0.33;
#[cfg(target_os = "linux")]
const WEB_MEMORY_STRICT: f64 = 0.5;
/// How often a web process measures itself, in seconds.
#[cfg(target_os = "linux")]
const WEB_MEMORY_POLL_SECS: f64 = 5.0;

// WebKitGTK ≥ 2.34 (the webkit2gtk crate binds them only with its `v2_34` feature, which would
// rebuild wry and Tauri with it).
#[cfg(target_os = "linux")]
extern "C" {
    fn webkit_memory_pressure_settings_new() -> *mut std::ffi::c_void;
    fn webkit_memory_pressure_settings_free(settings: *mut std::ffi::c_void);
    fn webkit_memory_pressure_settings_set_memory_limit(settings: *mut std::ffi::c_void, mb: std::ffi::c_uint);
    fn webkit_memory_pressure_settings_set_conservative_threshold(settings: *mut std::ffi::c_void, fraction: f64);
    fn webkit_memory_pressure_settings_set_strict_threshold(settings: *mut std::ffi::c_void, fraction: f64);
    fn webkit_memory_pressure_settings_set_poll_interval(settings: *mut std::ffi::c_void, seconds: f64);
    fn webkit_website_data_manager_set_memory_pressure_settings(settings: *mut std::ffi::c_void);
}

/// WebKit's memory pressure handler for the web and network processes, with a limit of our
/// own: by default it only acts above a third of the machine's memory (1 GB), so the web
/// process kept what it freed. Called before the first webview is created: the settings are
/// read when a web context is built, and wry builds it without them. They are the default of
/// the context's construct-only `memory-pressure-settings` property, so every context built
/// after this has them.
#[cfg(target_os = "linux")]
pub fn webkit_memory_pressure() {
    use webkit2gtk::glib::gobject_ffi;
    let limit = std::env::var("TENANTRY_WEB_MEMORY_LIMIT_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(WEB_MEMORY_LIMIT_MB);
    if limit == 0 {
        return;
    }
    // SAFETY: plain calls into WebKitGTK and GObject with values they own or copy. The default
    // value of a property is the GValue the property's spec keeps for the process's life;
    // setting it (a boxed copy of the settings) before any context exists is what makes
    // `g_object_new` give it to the contexts built afterwards.
    unsafe {
        let settings = webkit_memory_pressure_settings_new();
        webkit_memory_pressure_settings_set_memory_limit(settings, limit);
        webkit_memory_pressure_settings_set_conservative_threshold(settings, WEB_MEMORY_CONSERVATIVE);
        webkit_memory_pressure_settings_set_strict_threshold(settings, WEB_MEMORY_STRICT);
        webkit_memory_pressure_settings_set_poll_interval(settings, WEB_MEMORY_POLL_SECS);
        webkit_website_data_manager_set_memory_pressure_settings(settings);
        let class = gobject_ffi::g_type_class_ref(webkit2gtk::ffi::webkit_web_context_get_type());
        let pspec = gobject_ffi::g_object_class_find_property(class as *mut gobject_ffi::GObjectClass, c"memory-pressure-settings".as_ptr());
        if pspec.is_null() {
            tracing::warn!("this WebKitGTK has no memory pressure settings");
        } else {
            let default = gobject_ffi::g_param_spec_get_default_value(pspec) as *mut gobject_ffi::GValue;
            gobject_ffi::g_value_set_boxed(default, settings as *const std::ffi::c_void);
            tracing::info!(limit_mb = limit, "WebKit's memory pressure settings");
        }
        webkit_memory_pressure_settings_free(settings);
    }
}

#[cfg(not(target_os = "linux"))]
pub fn webkit_memory_pressure() {}
