//! What the console keeps in memory, measured by `make bench` (scripts/footprint.sh: the PSS of
//! the app and its WebKit processes on mssp-large, after every view and the members table
//! scrolled end to end). Two levers, each kept because it measurably helped there (figures of
//! 2026-12-01 on the 2-core bench machine, Xvfb, no GPU):
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
