//! Export and compare through the commands, against a real seeded server and the account's
//! cache; and the slug rules as the UI asks for them.

mod common;

use common::{invoke, isolated_data_home};
use std::sync::Arc;
use tauri::test::mock_builder;
use tauri::Manager;
use tenancy_client::secret::MemorySecrets;
use tenantry_lib::state::Console;

fn call(w: &tauri::WebviewWindow<tauri::test::MockRuntime>, cmd: &str, args: serde_json::Value) -> serde_json::Value {
    invoke(w, cmd, args).unwrap_or_else(|e| panic!("{cmd}: {e}"))
}

#[test]
fn exports_and_compare_answer_from_the_cache() {
    let home = isolated_data_home();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(async {
        let url = format!("sqlite://{}", home.join("server.db").display());
        let store = tenancy_server::SqliteStore::open(&url).await.unwrap();
        tenancy_server::seed::run(&store, tenancy_server::seed::Profile::Demo, 11).await.unwrap();
        tenancy_server::start(Arc::new(store), "127.0.0.1:0".parse().unwrap()).await.unwrap()
    });
    let app = mock_builder()
        .plugin(tauri_plugin_store::Builder::default().build())
        .invoke_handler(tenantry_lib::commands::handler())
        .build(tauri::generate_context!("../tauri.conf.json"))
        .unwrap();
    let data_dir = app.path().app_data_dir().unwrap();
    app.manage(Console::new(data_dir.clone(), Arc::new(MemorySecrets::default())));
    let w = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();

    let account = call(&w, "add_account", serde_json::json!({"server": server.url(), "email": tenancy_server::seed::DEMO_EMAIL, "password": tenancy_server::seed::DEMO_PASSWORD, "totp": null}));
    let key = account["key"].as_str().unwrap().to_owned();
    call(&w, "sync_now", serde_json::json!({"account": key}));
    let wss = call(&w, "workspaces", serde_json::json!({"account": key, "search": null}));
    let by_slug = |s: &str| wss.as_array().unwrap().iter().find(|w| w["slug"] == s).unwrap_or_else(|| panic!("{s} in {wss}"))["id"].as_str().unwrap().to_owned();
    let (northwind, sentinel) = (by_slug("northwind-mssp"), by_slug("sentinel-shield"));
    let people = |ws: &str| {
        call(&w, "members", serde_json::json!({"account": key, "query": {"workspace_id": ws, "limit": 1}}))["total"].as_u64().unwrap()
    };
    let total = people(&northwind);
    assert!(total > 10, "the demo workspace has people: {total}");

    // Members as JSON: every person, each with names (not ids) for their community roles.
    let out = call(&w, "export", serde_json::json!({"account": key, "workspaceId": northwind, "what": "members", "format": "json", "communities": []}));
    assert_eq!(out["count"].as_u64(), Some(total));
    let path = std::path::PathBuf::from(out["path"].as_str().unwrap());
    assert!(path.starts_with(&data_dir), "without a Downloads folder the export lands in the app data folder: {}", path.display());
    assert!(path.file_name().unwrap().to_str().unwrap().starts_with("tenantry-northwind-mssp-members-"));
    let json: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(json.len() as u64, total);
    let with_roles = json.iter().find(|p| !p["roles"].as_array().unwrap().is_empty()).expect("someone holds a community role");
    let cs = call(&w, "communities", serde_json::json!({"account": key, "workspaceId": northwind, "search": null}));
    let names: Vec<&serde_json::Value> = cs.as_array().unwrap().iter().map(|c| &c["name"]).collect();
    let role = &with_roles["roles"][0];
    assert!(names.contains(&&role["community"]), "community by name, not id: {role}");

    // Members as CSV: a header, and at least one line per person.
    let out = call(&w, "export", serde_json::json!({"account": key, "workspaceId": northwind, "what": "members", "format": "csv", "communities": []}));
    let csv = std::fs::read_to_string(out["path"].as_str().unwrap()).unwrap();
    assert!(csv.starts_with("email,display_name,workspace_role,status,two_factor,since,community,role,assignment_type"));
    assert!(csv.lines().count() as u64 > total, "{} lines for {total} people", csv.lines().count());

    // Roles as CSV: one line per role of the workspace.
    let roles = call(&w, "roles", serde_json::json!({"account": key, "workspaceId": northwind}));
    let out = call(&w, "export", serde_json::json!({"account": key, "workspaceId": northwind, "what": "roles", "format": "csv", "communities": []}));
    assert_eq!(out["count"].as_u64(), Some(roles.as_array().unwrap().len() as u64));
    let csv = std::fs::read_to_string(out["path"].as_str().unwrap()).unwrap();
    assert!(csv.contains("alerts.read"), "permissions by id");

    // Only one community: fewer people, and only that community's roles.
    let c0 = &cs[0];
    let out = call(&w, "export", serde_json::json!({"account": key, "workspaceId": northwind, "what": "members", "format": "json", "communities": [c0["id"]]}));
    let some: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(out["path"].as_str().unwrap()).unwrap()).unwrap();
    assert!(!some.is_empty() && (some.len() as u64) < total);
    assert!(some.iter().flat_map(|p| p["roles"].as_array().unwrap()).all(|r| r["community"] == c0["name"]));

    // Compare Northwind with Sentinel: every left person is accounted for exactly once.
    let side = |ws: &str, communities: serde_json::Value| serde_json::json!({"account": key, "workspace_id": ws, "communities": communities});
    let c = call(&w, "compare", serde_json::json!({"left": side(&northwind, serde_json::json!([])), "right": side(&sentinel, serde_json::json!([]))}));
    let n = |c: &serde_json::Value, k: &str| c[k].as_u64().unwrap();
    assert_eq!(n(&c, "only_left") + n(&c, "differing") + n(&c, "same"), total, "{c}");
    assert_eq!(n(&c, "only_right") + n(&c, "differing") + n(&c, "same"), people(&sentinel));
    assert_eq!(c["rows"].as_array().unwrap().len() as u64, n(&c, "only_left") + n(&c, "only_right") + n(&c, "differing") + n(&c, "same"));
    // A workspace compared with itself has no differences.
    let same = call(&w, "compare", serde_json::json!({"left": side(&northwind, serde_json::json!([])), "right": side(&northwind, serde_json::json!([]))}));
    assert_eq!(same["same"].as_u64(), Some(total));
    assert_eq!((n(&same, "only_left"), n(&same, "only_right"), n(&same, "differing")), (0, 0, 0));
    // Narrowed to one community on the left: only its people there, named; the rest of the
    // workspace is on the right only.
    let narrowed = call(&w, "compare", serde_json::json!({"left": side(&northwind, serde_json::json!([c0["id"]])), "right": side(&northwind, serde_json::json!([]))}));
    assert_eq!(narrowed["left_communities"], serde_json::json!([c0["name"]]));
    assert_eq!(n(&narrowed, "only_left"), 0);
    assert_eq!(n(&narrowed, "differing") + n(&narrowed, "same"), some.len() as u64, "the community's people, as the narrowed export counts them");
    // Its export: every row, whatever the dialog shows.
    let out = call(&w, "compare_export", serde_json::json!({"left": side(&northwind, serde_json::json!([c0["id"]])), "right": side(&northwind, serde_json::json!([])), "format": "csv"}));
    assert_eq!(out["count"].as_u64(), Some(total));
    let path = std::path::PathBuf::from(out["path"].as_str().unwrap());
    assert!(path.file_name().unwrap().to_str().unwrap().starts_with("tenantry-compare-northwind-mssp-vs-northwind-mssp-"), "{}", path.display());
    let csv = std::fs::read_to_string(&path).unwrap();
    assert!(csv.starts_with("email,display_name,status,"));
    assert_eq!(csv.lines().count() as u64, total + 1, "a header and a line per person");

    // An unknown workspace is a clear not_found, not an empty file.
    let e = invoke(&w, "export", serde_json::json!({"account": key, "workspaceId": "00000000-0000-0000-0000-000000000009", "what": "roles", "format": "csv", "communities": []})).unwrap_err();
    assert_eq!(e["code"], "not_found", "{e}");
}

#[test]
fn the_rules_the_ui_asks_about_come_from_the_domain() {
    let home = isolated_data_home();
    let app = mock_builder().invoke_handler(tenantry_lib::commands::handler()).build(tauri::generate_context!("../tauri.conf.json")).unwrap();
    app.manage(Console::new(home.join("rules"), Arc::new(MemorySecrets::default())));
    let w = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    // Email addresses, as the server parses them.
    assert!(call(&w, "email_problem", serde_json::json!({"email": " Ana@Acme.example "})).is_null());
    assert!(call(&w, "email_problem", serde_json::json!({"email": "ana@acme"})).as_str().unwrap().contains("name@domain.example"));
    // A role being drafted: every problem, in the role check's words.
    let p = call(&w, "role_draft_problems", serde_json::json!({"name": "", "kind": "intake_restricted", "permissions": ["alerts.manage"], "intakeScope": ["00000000-0000-0000-0000-000000000001"]}));
    let p: Vec<&str> = p.as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(p[0].contains("name is empty") && p[1].contains("read-only"), "{p:?}");
    // The catalogue says which kinds refuse a permission, and why.
    let catalogue = call(&w, "permission_catalogue", serde_json::json!({}));
    let manage = catalogue.as_array().unwrap().iter().find(|e| e["id"] == "alerts.manage").unwrap();
    assert!(manage["refused_by"]["intake_restricted"].as_str().unwrap().contains("read-only"), "{manage}");
    assert!(manage["refused_by"].get("custom").is_none());
    // The words the console explains: every assignment type and kind of role, one sentence each.
    let glossary = call(&w, "glossary", serde_json::json!({}));
    let terms: Vec<(&str, &str)> = glossary.as_array().unwrap().iter().map(|e| (e["topic"].as_str().unwrap(), e["term"].as_str().unwrap())).collect();
    for t in [("assignment_type", "dedicated"), ("assignment_type", "pool"), ("assignment_type", "escalation"), ("role_kind", "builtin"), ("role_kind", "intake_restricted")] {
        assert!(terms.contains(&t), "{t:?} in {glossary}");
    }
    assert!(glossary.as_array().unwrap().iter().all(|e| e["explain"].as_str().is_some_and(|s| s.ends_with('.'))), "{glossary}");
    // Slugs.
    let h = call(&w, "slug_hint", serde_json::json!({"name": "Acme Corp — Prod", "slug": "Acme"}));
    assert_eq!(h["suggestion"], "acme-corp-prod");
    assert!(h["problem"].as_str().unwrap().contains("lower-case"), "{h}");
    let h = call(&w, "slug_hint", serde_json::json!({"name": "", "slug": "a--b"}));
    assert!(h["problem"].as_str().unwrap().contains("two hyphens"), "{h}");
    let h = call(&w, "slug_hint", serde_json::json!({"name": "", "slug": "acme-prod"}));
    assert!(h["problem"].is_null());
}
