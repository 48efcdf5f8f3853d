//! Calling a command the way the webview does, through the IPC layer of a mock app.

use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;

pub fn invoke(w: &tauri::WebviewWindow<MockRuntime>, cmd: &str, args: serde_json::Value) -> Result<serde_json::Value, serde_json::Value> {
    get_ipc_response(
        w,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            // The app's own origin on Linux; the capability grants commands to local URLs only.
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<serde_json::Value>().unwrap())
}

/// Points the app data directory (where tauri-plugin-store writes prefs.json) at a temporary
/// directory for this test process, so tests never touch the developer's own preferences.
pub fn isolated_data_home() -> &'static std::path::Path {
    static HOME: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    HOME.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        std::env::set_var("XDG_DATA_HOME", dir.path());
        // No user-dirs.dirs here: exports fall back to the app data directory, not ~/Downloads.
        std::env::set_var("XDG_CONFIG_HOME", dir.path().join("config"));
        dir
    })
    .path()
}
