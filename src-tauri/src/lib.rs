//! The Tauri shell: state, commands and preferences wired to `tenancy-client`. Logic lives in
//! the crates; this crate only connects them to the window.

pub mod commands;
pub mod memory;
pub mod state;

use tauri::Manager;

pub fn run() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into());
    // TENANTRY_LOG_FILE: log to a file instead of stderr (the end-to-end tests keep each run's log).
    let file = std::env::var_os("TENANTRY_LOG_FILE").and_then(|p| std::fs::OpenOptions::new().create(true).append(true).open(p).ok());
    match file {
        Some(f) => tracing_subscriber::fmt().with_env_filter(filter).with_ansi(false).with_writer(std::sync::Mutex::new(f)).init(),
        None => tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init(),
    }
    memory::init();
    memory::webkit_memory_pressure();
    let started = std::time::Instant::now();
    tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::default().build())
        .setup(move |app| {
            let setup = started.elapsed();
            if let Some(window) = app.get_webview_window("main") {
                memory::tune_webview(&window);
            }
            let data_dir = app.path().app_data_dir()?;
            let (console, reopened) = state::Console::start(data_dir)?;
            app.manage(console);
            state::reopen_remembered(app.handle(), reopened);
            tracing::info!(setup_ms = setup.as_millis() as u64, console_ms = (started.elapsed() - setup).as_millis() as u64, "started");
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!("../tauri.conf.json"))
        .expect("error while running Tenantry");
}
