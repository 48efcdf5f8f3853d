//! No data crosses a workspace boundary: outsiders get 404, never 403, on every route under
//! /v1/workspaces/{ws}/..., and ids from another workspace are unknown inside one's own.

use crate::helpers::*;
use reqwest::Method;
use serde_json::{json, Value};

/// Two workspaces. `alpha` belongs to alice; `bravo` belongs to bob, with bert as an Analyst
/// member, a custom role, a pending invitation, an API key and an intake.
struct Fx {
    app: TestApp,
    alice: User,
    bob: User,
    bert: User,
    alpha: Ids,
    bravo: Ids,
}

#[derive(Clone)]
struct Ids {
    id: String,
    community: String,
    role: String,
    assignment: String,
    invitation: String,
    api_key: String,
    intake: String,
}

const RANDOM: &str = "0190b5a2-0000-7000-8000-000000000042";

async fn populate(app: &TestApp, slug: &str, owner: &User, member: &User) -> Ids {
    let w = app.workspace(owner, slug, "starter").await;
    let c = app.first_community(slug, owner).await["id"].as_str().unwrap().to_owned();
    let analyst = app.role_id(slug, owner, "Analyst").await;
    let role = app.custom_role(slug, owner, "Readers", &["alerts.read"]).await;
    app.add_member(slug, owner, member, "member", json!([grant(&c, &analyst)])).await;
    let assignment = app.get(&format!("/v1/workspaces/{slug}/assignments?user_id={}", member.id), owner).await.expect(200)["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let invitation = app.post(&format!("/v1/workspaces/{slug}/invitations"), owner, json!({"email": format!("pending@{slug}.example")})).await.expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let api_key = app.post(&format!("/v1/workspaces/{slug}/communities/{c}/api-keys"), owner, json!({"name": "Feed", "role_ids": [analyst]})).await.expect(201)["key"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let intake = app.post(&format!("/v1/workspaces/{slug}/communities/{c}/intakes"), owner, json!({"name": "EDR", "kind": "edr"})).await.expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    Ids { id: w["id"].as_str().unwrap().to_owned(), community: c, role, assignment, invitation, api_key, intake }
}

async fn fx() -> Fx {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let bert = app.user("bert").await;
    let amy = app.user("amy").await;
    let alpha = populate(&app, "alpha", &alice, &amy).await;
    let bravo = populate(&app, "bravo", &bob, &bert).await;
    Fx { app, alice, bob, bert, alpha, bravo }
}

fn community_body(slug: &str) -> Value {
    json!({"name": "Sneaky", "slug": slug, "timezone": "UTC", "region": "eu-west"})
}

/// Every route under /v1/workspaces/{ws}, addressed at workspace `ws` with `b`'s ids.
fn every_route(ws: &str, b: &Ids, member: &str, owner: &str) -> Vec<(Method, String, Option<Value>)> {
    let w = format!("/v1/workspaces/{ws}");
    let c = format!("{w}/communities/{}", b.community);
    let g = |p: String| (Method::GET, p, None);
    vec![
        g(w.clone()),
        g(format!("{w}/usage")),
        g(format!("{w}/communities")),
        g(c.clone()),
        g(format!("{w}/members")),
        g(format!("{w}/members?role=owner")),
        g(format!("{w}/members/{member}")),
        g(format!("{w}/members/{owner}")),
        g(format!("{w}/members/{member}/permissions")),
        g(format!("{w}/assignments")),
        g(format!("{w}/roles")),
        g(format!("{w}/roles/{}", b.role)),
        g(format!("{w}/invitations")),
        g(format!("{c}/api-keys")),
        g(format!("{c}/intakes")),
        g(format!("{c}/alert-volumes")),
        g(format!("{w}/alert-volumes")),
        g(format!("{w}/audit")),
        (Method::PATCH, w.clone(), Some(json!({"name": "Hijacked"}))),
        (Method::PATCH, w.clone(), Some(json!({"security": {"require_2fa": true, "session_lifetime_minutes": 60, "inactive_account_days": 30}}))),
        (Method::DELETE, format!("{w}?confirm=bravo"), None),
        (Method::PUT, format!("{w}/plan"), Some(json!({"plan": "pro"}))),
        (Method::POST, format!("{w}/communities"), Some(community_body("sneaky"))),
        (Method::PATCH, c.clone(), Some(json!({"name": "Hijacked"}))),
        (Method::PATCH, format!("{w}/members/{member}"), Some(json!({"role": "admin"}))),
        (Method::PATCH, format!("{w}/members/{owner}"), Some(json!({"role": "member"}))),
        (Method::DELETE, format!("{w}/members/{member}"), None),
        (Method::DELETE, format!("{w}/members/{owner}"), None),
        (Method::POST, format!("{w}/members/{member}/2fa/reset"), Some(json!({}))),
        (Method::POST, format!("{w}/members/{member}/assignments"), Some(json!({"assignments": [grant(&b.community, &b.role)]}))),
        (Method::DELETE, format!("{w}/assignments/{}", b.assignment), None),
        (Method::POST, format!("{w}/roles"), Some(json!({"name": "Sneaky", "kind": "custom", "permissions": ["alerts.read"]}))),
        (Method::PATCH, format!("{w}/roles/{}", b.role), Some(json!({"name": "Hijacked"}))),
        (Method::DELETE, format!("{w}/roles/{}", b.role), None),
        (Method::POST, format!("{w}/invitations"), Some(json!({"email": "sneaky@test.example", "workspace_role": "owner"}))),
        (Method::DELETE, format!("{w}/invitations/{}", b.invitation), None),
        (Method::POST, format!("{c}/api-keys"), Some(json!({"name": "Sneaky", "role_ids": [b.role]}))),
        (Method::DELETE, format!("{c}/api-keys/{}", b.api_key), None),
        (Method::POST, format!("{c}/intakes"), Some(json!({"name": "Sneaky", "kind": "edr"}))),
        (Method::DELETE, format!("{c}/intakes/{}", b.intake), None),
    ]
}

/// A fingerprint of everything in bravo, read by its owner.
async fn bravo_state(f: &Fx) -> Vec<Value> {
    let c = &f.bravo.community;
    let mut out = Vec::new();
    for p in [
        "".to_owned(),
        "/communities".to_owned(),
        "/members".to_owned(),
        "/assignments".to_owned(),
        "/roles".to_owned(),
        "/invitations".to_owned(),
        format!("/communities/{c}/api-keys"),
        format!("/communities/{c}/intakes"),
        format!("/members/{}", f.bert.id),
    ] {
        out.push(f.app.get(&format!("/v1/workspaces/bravo{p}"), &f.bob).await.expect(200));
    }
    out
}

async fn all_not_found(app: &TestApp, who: &User, routes: &[(Method, String, Option<Value>)]) {
    let mut wrong = Vec::new();
    for (m, path, body) in routes {
        let a = app.call(m.clone(), path, Some(&who.token), body.clone(), &[]).await;
        let t = a.body["type"].as_str().unwrap_or_default();
        if a.status != 404 || !t.ends_with("/problems/not-found") {
            wrong.push(format!("{m} {path} -> {} {}", a.status, a.body));
        } else {
            a.problem(404, "not-found");
        }
    }
    assert!(wrong.is_empty(), "expected 404 not-found:\n{}", wrong.join("\n"));
}

#[tokio::test]
async fn member_of_another_workspace_gets_404_on_every_route_by_slug() {
    let f = fx().await;
    let before = bravo_state(&f).await;
    all_not_found(&f.app, &f.alice, &every_route("bravo", &f.bravo, &f.bert.id, &f.bob.id)).await;
    assert_eq!(bravo_state(&f).await, before, "bravo did not change");
}

#[tokio::test]
async fn member_of_another_workspace_gets_404_on_every_route_by_id() {
    let f = fx().await;
    let before = bravo_state(&f).await;
    all_not_found(&f.app, &f.alice, &every_route(&f.bravo.id, &f.bravo, &f.bert.id, &f.bob.id)).await;
    assert_eq!(bravo_state(&f).await, before, "bravo did not change");
}

#[tokio::test]
async fn non_member_gets_404_by_slug_and_by_id() {
    let f = fx().await;
    let nobody = f.app.user("nobody").await;
    let before = bravo_state(&f).await;
    all_not_found(&f.app, &nobody, &every_route("bravo", &f.bravo, &f.bert.id, &f.bob.id)).await;
    all_not_found(&f.app, &nobody, &every_route(&f.bravo.id, &f.bravo, &f.bert.id, &f.bob.id)).await;
    assert_eq!(bravo_state(&f).await, before);
}

#[tokio::test]
async fn existing_and_unknown_workspaces_answer_alike() {
    let f = fx().await;
    let existing = f.app.get("/v1/workspaces/bravo", &f.alice).await;
    let unknown = f.app.get("/v1/workspaces/no-such-ws", &f.alice).await;
    let unknown_id = f.app.get(&format!("/v1/workspaces/{RANDOM}"), &f.alice).await;
    existing.problem(404, "not-found");
    assert_eq!(existing.body["detail"], unknown.body["detail"]);
    assert_eq!(existing.body["detail"], unknown_id.body["detail"]);
    assert_eq!(existing.body["title"], unknown.body["title"]);
}

#[tokio::test]
async fn ids_from_another_workspace_are_unknown_in_ones_own() {
    let f = fx().await;
    let before = bravo_state(&f).await;
    // alice owns alpha: every permission there, so only existence can refuse her.
    let mut routes: Vec<_> = every_route("alpha", &f.bravo, &f.bert.id, &f.bob.id)
        .into_iter()
        // Routes that name no bravo id are alpha's own and answer normally.
        .filter(|(_, p, body)| {
            let all = format!("{p} {}", body.clone().unwrap_or(Value::Null));
            [&f.bravo.community, &f.bravo.role, &f.bravo.assignment, &f.bravo.invitation, &f.bravo.api_key, &f.bravo.intake, &f.bert.id, &f.bob.id]
                .iter()
                .any(|id| all.contains(id.as_str()))
        })
        .collect();
    let a = &f.alpha;
    let w = "/v1/workspaces/alpha";
    let ca = format!("{w}/communities/{}", a.community);
    routes.extend([
        // alpha's own resources mixed with one bravo id.
        (Method::POST, format!("{w}/members/{}/assignments", f.alice.id), Some(json!({"assignments": [grant(&f.bravo.community, &a.role)]}))),
        (Method::POST, format!("{w}/members/{}/assignments", f.alice.id), Some(json!({"assignments": [grant(&a.community, &f.bravo.role)]}))),
        (Method::POST, format!("{w}/invitations"), Some(json!({"email": "x@test.example", "assignments": [grant(&f.bravo.community, &a.role)]}))),
        (Method::POST, format!("{w}/invitations"), Some(json!({"email": "y@test.example", "assignments": [grant(&a.community, &f.bravo.role)]}))),
        (Method::POST, format!("{ca}/api-keys"), Some(json!({"name": "Cross", "role_ids": [f.bravo.role]}))),
        (Method::DELETE, format!("{ca}/api-keys/{}", f.bravo.api_key), None),
        (Method::DELETE, format!("{ca}/intakes/{}", f.bravo.intake), None),
        (Method::GET, format!("{w}/members/{}", f.bert.id), None),
    ]);
    all_not_found(&f.app, &f.alice, &routes).await;
    assert_eq!(bravo_state(&f).await, before, "bravo did not change");
    // Nothing leaked into alpha either.
    let inv = f.app.get(&format!("{w}/invitations"), &f.alice).await.expect(200);
    let emails: Vec<_> = inv["items"].as_array().unwrap().iter().map(|i| i["email"].as_str().unwrap().to_owned()).collect();
    assert_eq!(emails.len(), 2, "amy's accepted invitation and the pending one: {inv}");
    assert!(emails.contains(&"pending@alpha.example".to_owned()), "{emails:?}");
    let keys = f.app.get(&format!("{ca}/api-keys"), &f.alice).await.expect(200);
    assert_eq!(keys["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn filters_with_another_workspaces_ids_find_nothing() {
    let f = fx().await;
    let w = "/v1/workspaces/alpha";
    for q in [format!("community_id={}", f.bravo.community), format!("user_id={}", f.bert.id)] {
        let b = f.app.get(&format!("{w}/assignments?{q}"), &f.alice).await.expect(200);
        assert!(b["items"].as_array().unwrap().is_empty(), "{q}: {b}");
    }
    let b = f.app.get(&format!("{w}/members?q=bert"), &f.alice).await.expect(200);
    assert!(b["items"].as_array().unwrap().is_empty(), "{b}");
    // Sanity: the same filters do find alpha's own data.
    let b = f.app.get(&format!("{w}/assignments?community_id={}", f.alpha.community), &f.alice).await.expect(200);
    assert_eq!(b["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_role_scoped_to_another_workspaces_intake_is_answered_as_for_an_unknown_intake() {
    let f = fx().await;
    let body = |intake: &str| json!({"name": "Scoped", "kind": "restricted", "permissions": ["alerts.read"], "intake_scope": [intake]});
    let cross = f.app.post("/v1/workspaces/alpha/roles", &f.alice, body(&f.bravo.intake)).await;
    let unknown = f.app.post("/v1/workspaces/alpha/roles", &f.alice, body(RANDOM)).await;
    assert_eq!(cross.status, unknown.status, "{} vs {}", cross.body, unknown.body);
    assert_eq!(cross.body["type"], unknown.body["type"]);
    assert!(cross.status.is_client_error());
    // With alpha's own intake it works.
    f.app.post("/v1/workspaces/alpha/roles", &f.alice, body(&f.alpha.intake)).await.expect(201);
}

#[tokio::test]
async fn invitation_of_another_workspace_cannot_be_accepted_by_someone_else() {
    let f = fx().await;
    f.app.post(&format!("/v1/invitations/{}/accept", f.bravo.invitation), &f.alice, json!({})).await.problem(404, "not-found");
    all_not_found(&f.app, &f.alice, &[(Method::GET, "/v1/workspaces/bravo".into(), None)]).await;
    let inv = f.app.get("/v1/workspaces/bravo/invitations", &f.bob).await.expect(200);
    let pending = inv["items"].as_array().unwrap().iter().find(|i| i["id"] == f.bravo.invitation.as_str()).unwrap();
    assert_eq!(pending["status"], "pending", "still open for its addressee: {pending}");
}

#[tokio::test]
async fn own_views_show_nothing_of_other_workspaces() {
    let f = fx().await;
    let me = f.app.get("/v1/me", &f.alice).await.expect(200);
    let slugs: Vec<_> = me["memberships"].as_array().unwrap().iter().map(|m| m["workspace"]["slug"].clone()).collect();
    assert_eq!(slugs, vec![json!("alpha")]);
    let list = f.app.get("/v1/workspaces", &f.alice).await.expect(200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    // The change feed carries alpha's changes and none of bravo's.
    let feed = f.app.get("/v1/changes?since=0&limit=5000", &f.alice).await.expect(200);
    let changes = feed["changes"].as_array().unwrap();
    assert!(changes.iter().any(|c| c["workspace_id"] == f.alpha.id.as_str()));
    let leaked: Vec<_> = changes.iter().filter(|c| c["workspace_id"] == f.bravo.id.as_str() || c.to_string().contains(&f.bravo.id)).collect();
    assert!(leaked.is_empty(), "bravo changes visible to alice: {leaked:?}");
}

#[tokio::test]
async fn removed_member_gets_404_afterwards() {
    let f = fx().await;
    f.app.get("/v1/workspaces/bravo/members", &f.bert).await.expect(200);
    assert_eq!(f.app.delete(&format!("/v1/workspaces/bravo/members/{}", f.bert.id), &f.bob).await.status, 204);
    all_not_found(&f.app, &f.bert, &every_route("bravo", &f.bravo, &f.bert.id, &f.bob.id)).await;
}
