//! The IPC boundary without a display: argument validation and the `{code, message}` error shape.

mod common;

use common::{invoke, isolated_data_home};
use std::sync::Arc;
use tauri::test::mock_builder;
use tauri::Manager;
use tenancy_client::secret::MemorySecrets;
use tenancy_client::account_ref::AccountRef;
use tenantry_lib::state::Console;

fn app(dir: &std::path::Path) -> (tauri::App<tauri::test::MockRuntime>, tauri::WebviewWindow<tauri::test::MockRuntime>) {
    let home = isolated_data_home();
    let app = mock_builder()
        .plugin(tauri_plugin_store::Builder::default().build())
        .invoke_handler(tenantry_lib::commands::handler())
        .build(tauri::generate_context!("../tauri.conf.json"))
        .expect("app");
    assert!(app.path().app_data_dir().unwrap().starts_with(home), "prefs stay in the test's directory");
    app.manage(Console::new(dir.to_path_buf(), Arc::new(MemorySecrets::default())));
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    (app, webview)
}


#[track_caller]
fn assert_error(r: Result<serde_json::Value, serde_json::Value>, code: &str, says: &str) {
    let e = r.expect_err("the command must refuse");
    assert_eq!(e["code"], code, "{e}");
    let m = e["message"].as_str().unwrap();
    assert!(m.contains(says), "message {m:?} should say {says:?}");
}

#[test]
fn commands_refuse_bad_arguments_with_a_code_and_a_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = app(dir.path());
    assert_error(
        invoke(&w, "add_account", serde_json::json!({"server": "http://127.0.0.1:9", "email": "not-an-email", "password": "x", "totp": null})),
        "validation",
        "name@domain.example",
    );
    assert_error(
        invoke(&w, "add_account", serde_json::json!({"server": "http://127.0.0.1:9", "email": "a@b.io", "password": "", "totp": null})),
        "validation",
        "password",
    );
    assert_error(
        invoke(&w, "add_account", serde_json::json!({"server": "http://127.0.0.1:9", "email": "a@b.io", "password": "pw", "totp": "12ab"})),
        "validation",
        "6 digits",
    );
    assert_error(
        invoke(&w, "add_account", serde_json::json!({"server": "tenancy.example", "email": "a@b.io", "password": "pw", "totp": null})),
        "validation",
        "server address",
    );
    let ws = "00000000-0000-0000-0000-000000000001";
    // An account opened for offline review (its cache, no server): the reads check their questions.
    let r = AccountRef::new("http://127.0.0.1:9", "a@b.io").unwrap();
    let console = _app.state::<Console>();
    tauri::async_runtime::block_on(console.accounts.resume(&r)).unwrap();
    let account = r.key().to_string();
    assert_error(
        invoke(&w, "members", serde_json::json!({"account": account, "query": {"workspace_id": ws, "limit": 0}})),
        "validation",
        "1 to 1000",
    );
    assert_error(invoke(&w, "members", serde_json::json!({"account": account, "query": {"limit": 10}})), "validation", "Pick a workspace");
    assert_error(invoke(&w, "aggregate", serde_json::json!({"account": account, "workspaceId": ws, "communities": []})), "validation", "at least one community");
    assert_error(invoke(&w, "workspaces", serde_json::json!({"account": "nobody@x.io @ http://127.0.0.1:1", "search": null})), "not_found", "not open");
}

#[test]
fn arguments_are_checked_against_the_declared_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = app(dir.path());
    // A misspelt argument, a missing one, an id that is not one, an account that is not one.
    assert_error(invoke(&w, "workspaces", serde_json::json!({"acount": "a@b.io @ http://x", "search": null})), "validation", "unknown field `acount`");
    assert_error(invoke(&w, "roles", serde_json::json!({"account": "a@b.io @ http://x"})), "validation", "missing field `workspaceId`");
    assert_error(invoke(&w, "roles", serde_json::json!({"account": "a@b.io @ http://x", "workspaceId": "ws-1"})), "validation", "UUID");
    assert_error(invoke(&w, "sync_now", serde_json::json!({"account": "nobody"})), "validation", "email @ server");
}

#[test]
fn every_declared_command_is_registered_and_granted_to_the_webview() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = app(dir.path());
    let unknown = format!("{:?}", invoke(&w, "no_such_command", serde_json::json!({})));
    assert!(unknown.contains("not found") || unknown.contains("not allowed"), "an undeclared command is refused: {unknown}");
    for name in tenantry_lib::commands::NAMES {
        // Called with no arguments, a command answers for itself (its arguments refused, or its
        // answer); a command the handler or the capability lacked would be refused by Tauri.
        let answer = invoke(&w, name, serde_json::json!({}));
        let text = format!("{answer:?}");
        assert!(!text.contains("not allowed") && !text.contains("not found"), "{name}: {text}");
    }
}

#[test]
fn an_unreachable_server_is_an_offline_error() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = app(dir.path());
    // Port 9 (discard) is closed on loopback: the connection is refused at once.
    assert_error(
        invoke(&w, "add_account", serde_json::json!({"server": "http://127.0.0.1:9", "email": "a@b.io", "password": "pw", "totp": null})),
        "offline",
        "Cannot reach http://127.0.0.1:9",
    );
    let accounts = invoke(&w, "list_accounts", serde_json::json!({})).unwrap();
    assert_eq!(accounts.as_array().unwrap().len(), 1, "the account is open for offline review: {accounts}");
    assert_eq!(accounts[0]["signed_in"], false);
}

#[test]
fn the_webview_gets_no_plugin_it_does_not_need() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = app(dir.path());
    // The store plugin is used by Rust only; the webview may not read or write its files.
    let e = invoke(&w, "plugin:store|load", serde_json::json!({"path": "prefs.json"})).unwrap_err();
    assert!(e.as_str().unwrap_or_default().contains("not allowed"), "{e}");
}

#[test]
fn ui_preferences_round_trip_and_refuse_bad_colours() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = app(dir.path());
    let ws = "00000000-0000-0000-0000-000000000001";
    assert_error(invoke(&w, "save_ui_prefs", serde_json::json!({"prefs": {"colours": {ws: "red; background: url(x)"}}})), "validation", "not a colour");
    let recents: Vec<String> = (0..25).map(|i| format!("workspace:{i}")).collect();
    let saved = invoke(&w, "save_ui_prefs", serde_json::json!({"prefs": {"favourites": ["workspace:1"], "recents": recents, "colours": {ws: "#1f6feb"}, "production": [ws]}})).unwrap();
    assert_eq!(saved["recents"].as_array().unwrap().len(), 20, "recents are capped");
    let read = invoke(&w, "ui_prefs", serde_json::json!({})).unwrap();
    assert_eq!(read, saved);
}

#[test]
fn panes_are_remembered_and_capped() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = app(dir.path());
    let ws = "00000000-0000-0000-0000-000000000001";
    let pane = serde_json::json!({"account": "a@b.io @ http://127.0.0.1:1", "workspace_id": ws});
    let five: Vec<_> = (0..5).map(|_| pane.clone()).collect();
    assert_error(invoke(&w, "save_ui_prefs", serde_json::json!({"prefs": {"panes": five}})), "validation", "At most 4 panes");
    let saved = invoke(&w, "save_ui_prefs", serde_json::json!({"prefs": {"panes": [pane.clone(), pane], "last_workspace": {"a@b.io @ http://127.0.0.1:1": ws}}})).unwrap();
    assert_eq!(saved["panes"].as_array().unwrap().len(), 2);
    assert_eq!(invoke(&w, "ui_prefs", serde_json::json!({})).unwrap(), saved);
}
