//! After a whole session through the commands (sign in, sync, read, sign out), no token is in
//! the preferences file, the cache or the logs. One test per binary: it sets XDG_DATA_HOME and
//! installs the log capture for the whole process.

mod common;

use common::invoke;
use std::io::Write;
use std::sync::{Arc, Mutex};
use tauri::test::mock_builder;
use tauri::Manager;
use tenancy_client::secret::{MemorySecrets, SecretStore};
use tenantry_lib::state::Console;

#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);
impl Write for Logs {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn call(w: &tauri::WebviewWindow<tauri::test::MockRuntime>, cmd: &str, args: serde_json::Value) -> serde_json::Value {
    invoke(w, cmd, args).unwrap_or_else(|e| panic!("{cmd}: {e}"))
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() { out.extend(files_under(&p)) } else { out.push(p) }
    }
    out
}

#[test]
fn a_whole_session_leaves_no_token_in_prefs_cache_or_logs() {
    let home = common::isolated_data_home();
    let logs = Logs::default();
    let sink = logs.clone();
    tracing_subscriber::fmt().with_env_filter("debug").with_writer(move || sink.clone()).init();

    // A real seeded server.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(async {
        let url = format!("sqlite://{}", home.join("server.db").display());
        let store = tenancy_server::SqliteStore::open(&url).await.unwrap();
        tenancy_server::seed::run(&store, tenancy_server::seed::Profile::Demo, 5).await.unwrap();
        tenancy_server::start(Arc::new(store), "127.0.0.1:0".parse().unwrap()).await.unwrap()
    });

    let app = mock_builder()
        .plugin(tauri_plugin_store::Builder::default().build())
        .invoke_handler(tenantry_lib::commands::handler())
        .build(tauri::generate_context!("../tauri.conf.json"))
        .unwrap();
    let data_dir = app.path().app_data_dir().unwrap();
    assert!(data_dir.starts_with(home), "{}", data_dir.display());
    let secrets = Arc::new(MemorySecrets::default());
    app.manage(Console::new(data_dir.clone(), secrets.clone()));
    let w = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();

    let account = call(&w, "add_account", serde_json::json!({"server": server.url(), "email": tenancy_server::seed::DEMO_EMAIL, "password": tenancy_server::seed::DEMO_PASSWORD, "totp": null}));
    let key = account["key"].as_str().unwrap().to_owned();
    call(&w, "sync_now", serde_json::json!({"account": key}));
    let wss = call(&w, "workspaces", serde_json::json!({"account": key, "search": null}));
    assert_eq!(wss.as_array().unwrap().len(), 3);
    let refresh = secrets.get(&key).unwrap().expect("the refresh token is in the secret store");

    let mut checked = 0;
    let scan = |checked: &mut usize| {
        for f in files_under(&data_dir) {
            let bytes = std::fs::read(&f).unwrap();
            let has = |n: &[u8]| bytes.windows(n.len()).any(|x| x == n);
            assert!(!has(refresh.expose().as_bytes()) && !has(b"tnt_rt_") && !has(b"tnt_at_"), "token bytes in {}", f.display());
            *checked += 1;
        }
    };
    scan(&mut checked);
    let prefs = std::fs::read_to_string(data_dir.join("prefs.json")).expect("the account list is remembered");
    assert!(prefs.contains(tenancy_server::seed::DEMO_EMAIL), "{prefs}");
    assert!(checked >= 2, "prefs and cache were scanned ({checked} files)");

    call(&w, "sign_out", serde_json::json!({"account": key}));
    assert!(secrets.get(&key).unwrap().is_none(), "sign-out deletes the secret");
    scan(&mut checked);
    let log = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(!log.is_empty(), "the session logged something to check");
    assert!(!log.contains("tnt_rt_") && !log.contains("tnt_at_") && !log.contains(refresh.expose()), "token in the logs");
    rt.block_on(server.stop());
}
