fn main() {
    // The app config lives at the repository root (tauri.conf.json), beside the workspace.
    // Declaring the app's commands puts them under the ACL: the webview may call only those a
    // capability grants (capabilities/default.json).
    let manifest = tauri_build::AppManifest::new().commands(&[
        "demo_hint",
        "list_accounts",
        "add_account",
        "sign_out",
        "sync_now",
        "sync_status",
        "workspaces",
        "communities",
        "roles",
        "members",
        "member",
        "aggregate",
        "invitations",
        "api_keys",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json").app_manifest(manifest)).expect("tauri build");
}
