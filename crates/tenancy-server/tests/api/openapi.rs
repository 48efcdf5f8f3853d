//! The OpenAPI document is the contract: it lists exactly the API's routes, and every route it
//! lists is really served.

use crate::helpers::*;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// The API, route by route. A route added to or removed from the server without updating this
/// list fails `the_document_lists_exactly_the_contracted_operations`.
pub const CONTRACT: &[(&str, &str)] = &[
    ("POST", "/v1/auth/register"),
    ("POST", "/v1/auth/login"),
    ("POST", "/v1/auth/refresh"),
    ("POST", "/v1/auth/logout"),
    ("GET", "/v1/me"),
    ("POST", "/v1/me/2fa/enrol"),
    ("POST", "/v1/me/2fa/verify"),
    ("GET", "/v1/permissions"),
    ("POST", "/v1/invitations/{id}/accept"),
    ("POST", "/v1/invitations/{id}/decline"),
    ("GET", "/v1/workspaces"),
    ("POST", "/v1/workspaces"),
    ("GET", "/v1/workspaces/{ws}"),
    ("PATCH", "/v1/workspaces/{ws}"),
    ("DELETE", "/v1/workspaces/{ws}"),
    ("PUT", "/v1/workspaces/{ws}/plan"),
    ("GET", "/v1/workspaces/{ws}/usage"),
    ("GET", "/v1/workspaces/{ws}/communities"),
    ("POST", "/v1/workspaces/{ws}/communities"),
    ("GET", "/v1/workspaces/{ws}/communities/{community}"),
    ("PATCH", "/v1/workspaces/{ws}/communities/{community}"),
    ("GET", "/v1/workspaces/{ws}/communities/{community}/alert-volumes"),
    ("POST", "/v1/workspaces/{ws}/communities/{community}/contacts"),
    ("GET", "/v1/workspaces/{ws}/alert-volumes"),
    ("GET", "/v1/workspaces/{ws}/communities/{community}/api-keys"),
    ("POST", "/v1/workspaces/{ws}/communities/{community}/api-keys"),
    ("DELETE", "/v1/workspaces/{ws}/communities/{community}/api-keys/{id}"),
    ("GET", "/v1/workspaces/{ws}/communities/{community}/intakes"),
    ("POST", "/v1/workspaces/{ws}/communities/{community}/intakes"),
    ("PATCH", "/v1/workspaces/{ws}/communities/{community}/intakes/{id}"),
    ("DELETE", "/v1/workspaces/{ws}/communities/{community}/intakes/{id}"),
    ("GET", "/v1/api-keys/introspect"),
    ("GET", "/v1/workspaces/{ws}/members"),
    ("GET", "/v1/workspaces/{ws}/members/{user}"),
    ("PATCH", "/v1/workspaces/{ws}/members/{user}"),
    ("DELETE", "/v1/workspaces/{ws}/members/{user}"),
    ("GET", "/v1/workspaces/{ws}/members/{user}/permissions"),
    ("POST", "/v1/workspaces/{ws}/members/{user}/2fa/reset"),
    ("POST", "/v1/workspaces/{ws}/members/{user}/assignments"),
    ("GET", "/v1/workspaces/{ws}/assignments"),
    ("DELETE", "/v1/workspaces/{ws}/assignments/{id}"),
    ("GET", "/v1/workspaces/{ws}/roles"),
    ("POST", "/v1/workspaces/{ws}/roles"),
    ("GET", "/v1/workspaces/{ws}/roles/{id}"),
    ("PATCH", "/v1/workspaces/{ws}/roles/{id}"),
    ("DELETE", "/v1/workspaces/{ws}/roles/{id}"),
    ("GET", "/v1/workspaces/{ws}/invitations"),
    ("POST", "/v1/workspaces/{ws}/invitations"),
    ("DELETE", "/v1/workspaces/{ws}/invitations/{id}"),
    ("GET", "/v1/workspaces/{ws}/audit"),
    ("GET", "/v1/changes"),
    ("GET", "/v1/snapshot"),
    ("GET", "/v1/admin/workspaces/deleted"),
    ("POST", "/v1/admin/workspaces/{ws}/restore"),
    ("PUT", "/v1/admin/workspaces/{ws}/plan"),
    ("PATCH", "/v1/admin/users/{id}"),
    ("POST", "/v1/admin/purge"),
    ("GET", "/v1/admin/audit"),
];

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Every (METHOD, path) operation of an OpenAPI document.
pub fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, _) in item.as_object().expect("path item") {
            if METHODS.contains(&method.as_str()) {
                ops.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    ops
}

/// Fills `{param}` placeholders with values that parse: a slug for `ws`, UUIDs for ids.
fn placeholder_path(path: &str) -> String {
    path.replace("{ws}", "no-such-workspace")
        .replace("{community}", "0190a5c4-0000-7000-8000-000000000001")
        .replace("{user}", "0190a5c4-0000-7000-8000-000000000002")
        .replace("{id}", "0190a5c4-0000-7000-8000-000000000003")
}

fn is_fallback(a: &Answer) -> bool {
    let detail = a.body["detail"].as_str().unwrap_or_default();
    a.status.as_u16() == 405 || (a.status.as_u16() == 404 && detail.contains("There is no such endpoint"))
}

#[tokio::test]
async fn the_document_is_openapi_3_1_with_bearer_auth() {
    let app = TestApp::spawn().await;
    let a = app.call(Method::GET, "/openapi.json", None, None, &[]).await;
    assert!(a.headers["content-type"].to_str().unwrap().starts_with("application/json"));
    let doc = a.expect(200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    assert!(!doc["info"]["title"].as_str().unwrap_or_default().is_empty());
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    // Every operation documents its answers, and its errors as problem documents.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap_or_else(|| panic!("{method} {path} has responses"));
            assert!(responses.keys().any(|k| k.starts_with('2')), "{method} {path} documents its success");
            if path != "/v1/permissions" {
                let err = &responses.get("4XX").unwrap_or_else(|| panic!("{method} {path} documents its errors"))["content"];
                assert!(err.get("application/problem+json").is_some(), "{method} {path}: errors are problem+json: {err}");
            }
            // Any of them may find the database not answering: a 503 problem with Retry-After.
            let unavailable = responses.get("503").unwrap_or_else(|| panic!("{method} {path} documents 503"));
            assert!(unavailable["content"].get("application/problem+json").is_some(), "{method} {path}: 503 is problem+json: {unavailable}");
            assert!(unavailable["headers"].get("Retry-After").is_some(), "{method} {path}: 503 says when to retry: {unavailable}");
        }
    }
}

#[tokio::test]
async fn the_document_lists_exactly_the_contracted_operations() {
    let app = TestApp::spawn().await;
    let doc = app.call(Method::GET, "/openapi.json", None, None, &[]).await.expect(200);
    let documented = operations(&doc);
    let contract: BTreeSet<(String, String)> = CONTRACT.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    assert_eq!(contract.len(), CONTRACT.len(), "the contract lists an operation twice");
    let missing: Vec<_> = contract.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&contract).collect();
    assert!(missing.is_empty() && extra.is_empty(), "not documented: {missing:?}; documented but not in the contract: {extra:?}");
    // Operation ids are unique, so generated clients do not collide.
    let mut ids = BTreeSet::new();
    for (_, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} has an operationId")).to_owned();
            assert!(ids.insert(id.clone()), "duplicate operationId {id}");
        }
    }
}

#[tokio::test]
async fn every_documented_operation_is_served_by_the_router() {
    let app = TestApp::spawn().await;
    let u = app.user("router").await;
    let doc = app.call(Method::GET, "/openapi.json", None, None, &[]).await.expect(200);
    let mut ops: Vec<_> = operations(&doc).into_iter().collect();
    // Sign-out last, so the token stays valid for the others.
    ops.sort_by_key(|(_, p)| p == "/v1/auth/logout");
    assert!(ops.len() >= CONTRACT.len());

    // The check can fail: an undocumented route gets the fallback.
    assert!(is_fallback(&app.get("/v1/workspaces/x/not-a-route", &u).await));
    assert!(is_fallback(&app.call(Method::PUT, "/v1/me", Some(&u.token), None, &[]).await));

    for (method, path) in ops {
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        let body = if m == Method::GET { None } else { Some(json!({})) };
        let a = app.call(m, &placeholder_path(&path), Some(&u.token), body, &[]).await;
        assert!(!is_fallback(&a), "{method} {path} is documented but answered by the fallback: {} {}", a.status, a.body);
        let detail = a.body["detail"].as_str().unwrap_or_default();
        assert!(!detail.contains("Check the URL"), "{method} {path}: the placeholders did not parse: {detail}");
        assert!(a.status.as_u16() < 500, "{method} {path}: {} {}", a.status, a.body);
    }
}

#[tokio::test]
async fn the_command_line_prints_the_same_operations_as_the_served_document() {
    // `tenancy-server openapi` builds the document from the same router; check they agree.
    let dir = tempfile::tempdir().unwrap();
    let store = tenancy_server::SqliteStore::open(&format!("sqlite://{}", dir.path().join("doc.db").display())).await.unwrap();
    let (_, doc) = tenancy_server::routes::router(tenancy_server::Service::new(std::sync::Arc::new(store)));
    let printed: Value = serde_json::from_str(&doc.to_json().unwrap()).unwrap();
    let app = TestApp::spawn().await;
    let served = app.call(Method::GET, "/openapi.json", None, None, &[]).await.expect(200);
    assert_eq!(operations(&printed), operations(&served));
    assert_eq!(printed, served);
}
