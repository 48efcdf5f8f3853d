//! Workspace lifecycle: slug rules and uniqueness, plan limits, the free-workspace allowance,
//! enterprise provisioning, soft delete with typed slug, restore and purge.

use crate::helpers::*;
use serde_json::{json, Value};
use std::time::{SystemTime, UNIX_EPOCH};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

async fn platform_admin(app: &TestApp) -> User {
    let pa = app.user("platform").await;
    app.make_platform_admin(&pa).await;
    pa
}

async fn my_slugs(app: &TestApp, u: &User) -> Vec<String> {
    let b = app.get("/v1/workspaces", u).await.expect(200);
    b["items"].as_array().unwrap().iter().map(|m| m["workspace"]["slug"].as_str().unwrap().to_owned()).collect()
}

async fn usage(app: &TestApp, ws: &str, u: &User) -> Value {
    app.get(&format!("/v1/workspaces/{ws}/usage"), u).await.expect(200)
}

// ---------- slugs ----------

#[tokio::test]
async fn workspace_slug_rules_are_enforced_and_explained() {
    let app = TestApp::spawn().await;
    let u = app.user("u").await;
    let cases: &[(&str, &[&str])] = &[
        ("ab", &["2 characters", "between 3 and 30"]),
        ("a-very-long-slug-that-goes-past-30", &["34 characters", "between 3 and 30"]),
        ("Acme-Corp", &["lower-case", "acme-corp"]),
        ("acme_corp", &["\"_\"", "lower-case letters", "hyphens"]),
        ("acme corp", &["\" \"", "hyphens"]),
        ("acmé-corp", &["\"é\""]),
        ("acme--corp", &["two hyphens", "single hyphen"]),
        ("-acme", &["hyphen", "start and end"]),
        ("acme-", &["hyphen", "start and end"]),
    ];
    for (slug, explains) in cases {
        let d = app.post("/v1/workspaces", &u, json!({"name": "Acme", "slug": slug})).await.problem(422, "validation");
        for e in *explains {
            assert!(d.contains(e), "slug {slug:?}: detail {d:?} should mention {e:?}");
        }
    }
    assert!(my_slugs(&app, &u).await.is_empty(), "no invalid slug created anything");
    // Boundaries and a typical valid slug.
    for slug in ["abc", "acme-corp-2", "a23456789012345678901234567890"] {
        let w = app.post("/v1/workspaces", &u, json!({"name": "Acme", "slug": slug, "plan": "starter"})).await.expect(201);
        assert_eq!(w["slug"], *slug);
    }
    assert_eq!(my_slugs(&app, &u).await.len(), 3);
}

#[tokio::test]
async fn community_slug_rules_are_enforced() {
    let app = TestApp::spawn().await;
    let u = app.user("u").await;
    app.workspace(&u, "acme-corp", "starter").await;
    let d = app
        .post("/v1/workspaces/acme-corp/communities", &u, json!({"name": "Bad", "slug": "Bad--Slug", "timezone": "UTC", "region": "eu-west"}))
        .await
        .problem(422, "validation");
    assert!(d.contains("lower-case"), "{d}");
    assert_eq!(usage(&app, "acme-corp", &u).await["communities"], 1);
}

#[tokio::test]
async fn workspace_slug_is_immutable() {
    let app = TestApp::spawn().await;
    let u = app.user("u").await;
    app.workspace(&u, "acme-corp", "free").await;
    let w = app.patch("/v1/workspaces/acme-corp", &u, json!({"name": "Acme Renamed", "slug": "acme-new"})).await.expect(200);
    assert_eq!(w["slug"], "acme-corp");
    app.get("/v1/workspaces/acme-corp", &u).await.expect(200);
    app.get("/v1/workspaces/acme-new", &u).await.problem(404, "not-found");
}

#[tokio::test]
async fn workspace_slug_is_unique_across_the_instance() {
    let app = TestApp::spawn().await;
    let first = app.user("first").await;
    let second = app.user("second").await;
    let original = app.workspace(&first, "staging", "free").await;
    let d = app.post("/v1/workspaces", &second, json!({"name": "Our staging", "slug": "staging"})).await.problem(409, "slug-taken");
    assert!(d.to_lowercase().contains("prefix"), "{d}");
    assert!(d.contains("organisation") && d.contains("-staging"), "{d}");
    // Also for the same user, and whatever the plan.
    app.post("/v1/workspaces", &first, json!({"name": "Again", "slug": "staging", "plan": "starter"})).await.problem(409, "slug-taken");
    assert!(my_slugs(&app, &second).await.is_empty());
    let still = app.get("/v1/workspaces/staging", &first).await.expect(200);
    assert_eq!(still["id"], original["id"]);
    // The advice works.
    app.workspace(&second, "acme-staging", "free").await;
}

#[tokio::test]
async fn deleted_workspace_keeps_its_slug_until_purged() {
    let app = TestApp::spawn().await;
    let first = app.user("first").await;
    let second = app.user("second").await;
    app.workspace(&first, "staging", "free").await;
    app.delete("/v1/workspaces/staging?confirm=staging", &first).await.expect(200);
    // Restorable for 30 days, so its slug (and every deep link carrying it) stays reserved.
    app.post("/v1/workspaces", &second, json!({"name": "Grab", "slug": "staging"})).await.problem(409, "slug-taken");
}

#[tokio::test]
async fn community_slug_is_unique_per_workspace_only() {
    let app = TestApp::spawn().await;
    let u = app.user("u").await;
    let v = app.user("v").await;
    app.workspace(&u, "ws-one", "starter").await;
    app.workspace(&v, "ws-two", "starter").await;
    let body = json!({"name": "Paris SOC", "slug": "paris", "timezone": "Europe/Paris", "region": "eu-west"});
    let c1 = app.post("/v1/workspaces/ws-one/communities", &u, body.clone()).await.expect(201);
    app.post("/v1/workspaces/ws-one/communities", &u, json!({"name": "Other name", "slug": "paris", "timezone": "UTC", "region": "uk"}))
        .await
        .problem(409, "slug-taken");
    assert_eq!(usage(&app, "ws-one", &u).await["communities"], 2);
    let c2 = app.post("/v1/workspaces/ws-two/communities", &v, body).await.expect(201);
    assert_ne!(c1["id"], c2["id"]);
    assert_eq!(c2["slug"], "paris");
    // The default first community carries the workspace slug; another workspace may use it too.
    app.post("/v1/workspaces/ws-two/communities", &v, json!({"name": "One", "slug": "ws-one", "timezone": "UTC", "region": "uk"})).await.expect(201);
}

// ---------- plan limits ----------

#[tokio::test]
async fn free_plan_allows_one_community() {
    let app = TestApp::spawn().await;
    let u = app.user("u").await;
    app.workspace(&u, "tiny", "free").await;
    let d = app
        .post("/v1/workspaces/tiny/communities", &u, json!({"name": "Second", "slug": "second", "timezone": "UTC", "region": "eu-west"}))
        .await
        .problem(409, "plan-limit");
    assert!(d.contains("free plan allows 1 communit"), "{d}");
    assert!(d.contains("Upgrade"), "{d}");
    assert_eq!(usage(&app, "tiny", &u).await["communities"], 1);
    // After an upgrade it fits.
    app.put("/v1/workspaces/tiny/plan", &u, json!({"plan": "starter"})).await.expect(200);
    app.post("/v1/workspaces/tiny/communities", &u, json!({"name": "Second", "slug": "second", "timezone": "UTC", "region": "eu-west"})).await.expect(201);
}

#[tokio::test]
async fn free_plan_allows_five_members_including_pending_invitations() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    app.workspace(&owner, "tiny", "free").await;
    for name in ["m1", "m2"] {
        let u = app.user(name).await;
        app.add_member("tiny", &owner, &u, "member", json!([])).await;
    }
    let mut pending = Vec::new();
    for e in ["p1@test.example", "p2@test.example"] {
        pending.push(app.post("/v1/workspaces/tiny/invitations", &owner, json!({"email": e})).await.expect(201)["id"].as_str().unwrap().to_owned());
    }
    let u = usage(&app, "tiny", &owner).await;
    assert_eq!((u["members"].as_u64(), u["pending_invitations"].as_u64()), (Some(3), Some(2)));
    // 3 members + 2 pending = 5: a sixth seat is refused.
    let d = app.post("/v1/workspaces/tiny/invitations", &owner, json!({"email": "p3@test.example"})).await.problem(409, "plan-limit");
    assert!(d.contains("5 members") && d.contains("pending invitations") && d.contains("would have 6"), "{d}");
    assert_eq!(usage(&app, "tiny", &owner).await["pending_invitations"], 2);
    // Revoking a pending invitation frees its seat.
    app.delete(&format!("/v1/workspaces/tiny/invitations/{}", pending[0]), &owner).await.expect(200);
    app.post("/v1/workspaces/tiny/invitations", &owner, json!({"email": "p3@test.example"})).await.expect(201);
    app.post("/v1/workspaces/tiny/invitations", &owner, json!({"email": "p4@test.example"})).await.problem(409, "plan-limit");
}

/// How many of simultaneous answers made something (201), with every status for the message;
/// each refusal must be the plan-limit problem.
fn made_within_limit(answers: &[Answer]) -> (usize, Vec<u16>) {
    let statuses: Vec<u16> = answers.iter().map(|a| a.status.as_u16()).collect();
    for a in answers.iter().filter(|a| a.status.as_u16() != 201) {
        a.problem(409, "plan-limit");
    }
    (statuses.iter().filter(|s| **s == 201).count(), statuses)
}

/// Seats and communities asked for at once on a starter workspace (25 seats, 5 communities): the
/// limits hold, whatever the store (on PostgreSQL each request holds the workspace until it commits).
#[tokio::test]
async fn simultaneous_invitations_and_communities_stay_within_the_plan() {
    let app = TestApp::spawn().await;
    for round in 0..3 {
        let owner = app.user(&format!("owner{round}")).await;
        let slug = format!("small-{round}");
        app.workspace(&owner, &slug, "starter").await;
        let path = format!("/v1/workspaces/{slug}/invitations");
        let invites = (0..30).map(|i| app.post(&path, &owner, json!({"email": format!("p{i}@race.example")})));
        let path = format!("/v1/workspaces/{slug}/communities");
        let communities = (0..10).map(|i| app.post(&path, &owner, json!({"name": format!("C {i}"), "slug": format!("c-{round}-{i}"), "timezone": "UTC", "region": "eu-west"})));
        let (invites, communities) = futures::future::join(futures::future::join_all(invites), futures::future::join_all(communities)).await;
        // The owner holds one of the seats, the default community one of the communities.
        let (seats, statuses) = made_within_limit(&invites);
        assert_eq!(seats, 24, "round {round}: {statuses:?}");
        let (extra, statuses) = made_within_limit(&communities);
        assert_eq!(extra, 4, "round {round}: {statuses:?}");
        let u = usage(&app, &slug, &owner).await;
        assert_eq!((u["members"].as_u64(), u["pending_invitations"].as_u64(), u["communities"].as_u64()), (Some(1), Some(24), Some(5)), "round {round}");
    }
}

#[tokio::test]
async fn downgrade_below_current_communities_is_refused() {
    let app = TestApp::spawn().await;
    let u = app.user("u").await;
    app.workspace(&u, "grown", "starter").await;
    app.new_community("grown", &u, "second").await;
    let d = app.put("/v1/workspaces/grown/plan", &u, json!({"plan": "free"})).await.problem(409, "plan-limit");
    assert!(d.contains("communities") && d.contains("would have 2"), "{d}");
    let w = app.get("/v1/workspaces/grown", &u).await.expect(200);
    assert_eq!(w["plan"], "starter");
    assert_eq!(w["limits"]["max_communities"], 5);
}

#[tokio::test]
async fn downgrade_below_current_members_is_refused() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    app.workspace(&owner, "grown", "starter").await;
    let mut invitations = Vec::new();
    for i in 0..5 {
        invitations.push(app.post("/v1/workspaces/grown/invitations", &owner, json!({"email": format!("seat{i}@test.example")})).await.expect(201)["id"].as_str().unwrap().to_owned());
    }
    // 1 owner + 5 pending = 6 > 5.
    app.put("/v1/workspaces/grown/plan", &owner, json!({"plan": "free"})).await.problem(409, "plan-limit");
    assert_eq!(app.get("/v1/workspaces/grown", &owner).await.expect(200)["plan"], "starter");
    app.delete(&format!("/v1/workspaces/grown/invitations/{}", invitations[0]), &owner).await.expect(200);
    let w = app.put("/v1/workspaces/grown/plan", &owner, json!({"plan": "free"})).await.expect(200);
    assert_eq!(w["plan"], "free");
}

// ---------- two free workspaces per owner ----------

#[tokio::test]
async fn a_user_may_own_at_most_two_free_workspaces() {
    let app = TestApp::spawn().await;
    let u = app.user("u").await;
    app.workspace(&u, "free-one", "free").await;
    app.workspace(&u, "free-two", "free").await;
    let d = app.post("/v1/workspaces", &u, json!({"name": "Three", "slug": "free-three"})).await.problem(409, "plan-limit");
    assert!(d.contains("2 free workspaces") && d.contains("platform admin"), "{d}");
    assert_eq!(my_slugs(&app, &u).await.len(), 2);
    // Paid plans are not limited...
    app.workspace(&u, "paid-one", "starter").await;
    // ...but cannot be downgraded into a third free one.
    app.put("/v1/workspaces/paid-one/plan", &u, json!({"plan": "free"})).await.problem(409, "plan-limit");
    assert_eq!(app.get("/v1/workspaces/paid-one", &u).await.expect(200)["plan"], "starter");
    // Another user is not affected.
    let v = app.user("v").await;
    app.workspace(&v, "v-free", "free").await;
}

/// Ten free workspaces asked for at once by one user: two are made, whatever the store.
#[tokio::test]
async fn simultaneous_free_workspaces_stay_within_the_allowance() {
    let app = TestApp::spawn().await;
    for round in 0..3 {
        let u = app.user(&format!("racer{round}")).await;
        let calls = (0..10).map(|i| app.post("/v1/workspaces", &u, json!({"name": format!("Race {i}"), "slug": format!("race-{round}-{i}")})));
        let answers = futures::future::join_all(calls).await;
        let (made, statuses) = made_within_limit(&answers);
        assert_eq!(made, 2, "round {round}: {statuses:?}");
        assert_eq!(my_slugs(&app, &u).await.len(), 2, "round {round}");
    }
}

#[tokio::test]
async fn platform_admin_may_lift_the_free_workspace_limit() {
    let app = TestApp::spawn().await;
    let u = app.user("u").await;
    app.workspace(&u, "free-one", "free").await;
    app.workspace(&u, "free-two", "free").await;
    // Users cannot lift it themselves.
    app.patch(&format!("/v1/admin/users/{}", u.id), &u, json!({"free_workspace_limit_lifted": true})).await.problem(403, "forbidden");
    app.post("/v1/workspaces", &u, json!({"name": "Three", "slug": "free-three"})).await.problem(409, "plan-limit");
    let pa = platform_admin(&app).await;
    let user = app.patch(&format!("/v1/admin/users/{}", u.id), &pa, json!({"free_workspace_limit_lifted": true})).await.expect(200);
    assert_eq!(user["id"], u.id.as_str());
    let w = app.post("/v1/workspaces", &u, json!({"name": "Three", "slug": "free-three"})).await.expect(201);
    assert_eq!(w["plan"], "free");
    app.workspace(&u, "free-four", "free").await;
    // Putting the limit back stops further free workspaces again.
    app.patch(&format!("/v1/admin/users/{}", u.id), &pa, json!({"free_workspace_limit_lifted": false})).await.expect(200);
    app.post("/v1/workspaces", &u, json!({"name": "Five", "slug": "free-five"})).await.problem(409, "plan-limit");
}

// ---------- enterprise is provisioned by platform admins ----------

#[tokio::test]
async fn owner_cannot_self_serve_enterprise() {
    let app = TestApp::spawn().await;
    let u = app.user("u").await;
    let d = app.post("/v1/workspaces", &u, json!({"name": "Big", "slug": "big-corp", "plan": "enterprise"})).await.problem(403, "forbidden");
    assert!(d.contains("platform admin"), "{d}");
    assert!(my_slugs(&app, &u).await.is_empty());
    app.workspace(&u, "big-corp", "pro").await;
    let before = app.get("/v1/workspaces/big-corp", &u).await.expect(200);
    app.put("/v1/workspaces/big-corp/plan", &u, json!({"plan": "enterprise"})).await.problem(403, "forbidden");
    app.put("/v1/admin/workspaces/big-corp/plan", &u, json!({"plan": "enterprise"})).await.problem(403, "forbidden");
    let after = app.get("/v1/workspaces/big-corp", &u).await.expect(200);
    assert_eq!(after["plan"], "pro");
    assert_eq!(after["version"], before["version"]);
}

#[tokio::test]
async fn platform_admin_may_provision_enterprise() {
    let app = TestApp::spawn().await;
    let u = app.user("u").await;
    app.workspace(&u, "big-corp", "pro").await;
    let pa = platform_admin(&app).await;
    let w = app.put("/v1/admin/workspaces/big-corp/plan", &pa, json!({"plan": "enterprise"})).await.expect(200);
    assert_eq!(w["plan"], "enterprise");
    assert!(w["limits"]["max_members"].is_null() && w["limits"]["max_communities"].is_null(), "{w}");
    let seen = app.get("/v1/workspaces/big-corp", &u).await.expect(200);
    assert_eq!(seen["plan"], "enterprise");
    // The owner may move off enterprise again on their own.
    app.put("/v1/workspaces/big-corp/plan", &u, json!({"plan": "pro"})).await.expect(200);
}

// ---------- soft delete, restore ----------

#[tokio::test]
async fn delete_needs_the_typed_slug() {
    let app = TestApp::spawn().await;
    let u = app.user("u").await;
    app.workspace(&u, "acme-corp", "free").await;
    let before = app.get("/v1/workspaces/acme-corp", &u).await.expect(200);
    for wrong in ["acme", "Acme-Corp", "acme-corp-x", ""] {
        let d = app.delete(&format!("/v1/workspaces/acme-corp?confirm={wrong}"), &u).await.problem(422, "confirmation-mismatch");
        assert!(d.contains("type \"acme-corp\""), "{d}");
    }
    // No confirmation at all is not a deletion either.
    app.delete("/v1/workspaces/acme-corp", &u).await.problem(422, "validation");
    let after = app.get("/v1/workspaces/acme-corp", &u).await.expect(200);
    assert!(after["deleted_at"].is_null());
    assert_eq!(after["version"], before["version"]);
    assert_eq!(my_slugs(&app, &u).await, vec!["acme-corp".to_owned()]);
}

#[tokio::test]
async fn deleted_workspace_is_gone_for_members_and_restorable_by_platform_admin() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    let admin = app.user("admin").await;
    let member = app.user("member").await;
    let w = app.workspace(&owner, "acme-corp", "starter").await;
    let id = w["id"].as_str().unwrap().to_owned();
    let c1 = app.first_community("acme-corp", &owner).await["id"].as_str().unwrap().to_owned();
    let analyst = app.role_id("acme-corp", &owner, "Analyst").await;
    app.add_member("acme-corp", &owner, &admin, "admin", json!([])).await;
    app.add_member("acme-corp", &owner, &member, "member", json!([grant(&c1, &analyst)])).await;

    let d = app.delete("/v1/workspaces/acme-corp?confirm=acme-corp", &owner).await.expect(200);
    assert!(d["deleted_at"].is_string());
    for u in [&owner, &admin, &member] {
        app.get("/v1/workspaces/acme-corp", u).await.problem(404, "not-found");
        app.get(&format!("/v1/workspaces/{id}"), u).await.problem(404, "not-found");
        app.get("/v1/workspaces/acme-corp/communities", u).await.problem(404, "not-found");
        assert!(my_slugs(&app, u).await.is_empty());
    }
    app.patch("/v1/workspaces/acme-corp", &owner, json!({"name": "Zombie"})).await.problem(404, "not-found");
    app.delete("/v1/workspaces/acme-corp?confirm=acme-corp", &owner).await.problem(404, "not-found");

    // Platform admins see it among the deleted; others may not look.
    app.get("/v1/admin/workspaces/deleted", &owner).await.problem(403, "forbidden");
    let pa = platform_admin(&app).await;
    let deleted = app.get("/v1/admin/workspaces/deleted", &pa).await.expect(200);
    assert!(deleted.as_array().unwrap().iter().any(|w| w["id"] == id.as_str()), "{deleted}");

    let r = app.post(&format!("/v1/admin/workspaces/{id}/restore"), &pa, json!({})).await.expect(200);
    assert!(r["deleted_at"].is_null());
    assert_eq!(r["name"], w["name"]);
    let deleted = app.get("/v1/admin/workspaces/deleted", &pa).await.expect(200);
    assert!(!deleted.as_array().unwrap().iter().any(|w| w["id"] == id.as_str()));

    // Everyone is back with their roles.
    for (u, role) in [(&owner, "owner"), (&admin, "admin"), (&member, "member")] {
        let mine = app.get("/v1/workspaces", u).await.expect(200);
        let items = mine["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["workspace"]["id"], id.as_str());
        assert_eq!(items[0]["role"], role);
        app.get("/v1/workspaces/acme-corp", u).await.expect(200);
    }
    let perms = app.get(&format!("/v1/workspaces/acme-corp/members/{}/permissions", member.id), &owner).await.expect(200);
    assert!(perms["communities"][c1.as_str()]["alerts.manage"].is_object(), "{perms}");
    // Restoring a live workspace is a conflict, not a silent success.
    app.post(&format!("/v1/admin/workspaces/{id}/restore"), &pa, json!({})).await.problem(409, "conflict");
}

// ---------- purge after 30 days ----------

async fn backdate(app: &TestApp, ws_id: &str, days: i64) {
    let pool = app.db().await;
    let r = sqlx::query("UPDATE workspaces SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NOT NULL")
        .bind(now_ms() - days * DAY_MS)
        .bind(ws_id)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(r.rows_affected(), 1);
    pool.close().await;
}

async fn rows(app: &TestApp, table: &str, ws_id: &str) -> i64 {
    let pool = app.db().await;
    let col = if table == "workspaces" { "id" } else { "workspace_id" };
    let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table} WHERE {col} = $1")).bind(ws_id).fetch_one(&pool).await.unwrap();
    pool.close().await;
    n
}

fn purged(report: &Value) -> Vec<String> {
    report["purged"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn purge_removes_only_workspaces_deleted_more_than_thirty_days_ago() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    let member = app.user("member").await;
    let pa = platform_admin(&app).await;
    let doomed = app.workspace(&owner, "doomed", "starter").await["id"].as_str().unwrap().to_owned();
    let c = app.first_community("doomed", &owner).await["id"].as_str().unwrap().to_owned();
    let analyst = app.role_id("doomed", &owner, "Analyst").await;
    app.add_member("doomed", &owner, &member, "member", json!([grant(&c, &analyst)])).await;
    app.post(&format!("/v1/workspaces/doomed/communities/{c}/api-keys"), &owner, json!({"name": "Feed", "role_ids": [analyst]})).await.expect(201);
    app.post(&format!("/v1/workspaces/doomed/communities/{c}/intakes"), &owner, json!({"name": "EDR", "kind": "edr"})).await.expect(201);
    // A bystander workspace deleted recently, and a live one.
    let recent = app.workspace(&owner, "recent", "starter").await["id"].as_str().unwrap().to_owned();
    app.delete("/v1/workspaces/recent?confirm=recent", &owner).await.expect(200);
    app.workspace(&owner, "alive", "starter").await;

    // Only platform admins purge.
    app.post("/v1/admin/purge", &owner, json!({})).await.problem(403, "forbidden");

    app.delete("/v1/workspaces/doomed?confirm=doomed", &owner).await.expect(200);
    backdate(&app, &doomed, 29).await;
    let report = app.post("/v1/admin/purge", &pa, json!({})).await.expect(200);
    assert!(purged(&report).is_empty(), "29 days is inside the restore window: {report}");
    assert_eq!(rows(&app, "workspaces", &doomed).await, 1);
    // Still restorable, with everything it held.
    app.post(&format!("/v1/admin/workspaces/{doomed}/restore"), &pa, json!({})).await.expect(200);
    app.get("/v1/workspaces/doomed", &member).await.expect(200);
    assert_eq!(app.get(&format!("/v1/workspaces/doomed/communities/{c}/api-keys"), &owner).await.expect(200)["items"].as_array().unwrap().len(), 1);

    app.delete("/v1/workspaces/doomed?confirm=doomed", &owner).await.expect(200);
    backdate(&app, &doomed, 31).await;
    for table in ["communities", "members", "roles", "assignments", "api_keys", "intakes"] {
        assert!(rows(&app, table, &doomed).await > 0, "{table} rows exist before the purge");
    }
    let report = app.post("/v1/admin/purge", &pa, json!({})).await.expect(200);
    assert_eq!(purged(&report), vec![doomed.clone()], "only the workspace past 30 days: {report}");

    app.post(&format!("/v1/admin/workspaces/{doomed}/restore"), &pa, json!({})).await.problem(404, "not-found");
    let deleted = app.get("/v1/admin/workspaces/deleted", &pa).await.expect(200);
    assert!(!deleted.as_array().unwrap().iter().any(|w| w["id"] == doomed.as_str()));
    assert!(deleted.as_array().unwrap().iter().any(|w| w["id"] == recent.as_str()), "the recent deletion waits");
    for table in ["workspaces", "communities", "members", "roles", "assignments", "invitations", "api_keys", "intakes"] {
        assert_eq!(rows(&app, table, &doomed).await, 0, "{table} rows of the purged workspace");
    }
    // Each former member's feed says their membership is gone, so mirrors drop the workspace;
    // nothing else of it is left in the feed.
    for (u, uid) in [(&owner, &owner.id), (&member, &member.id)] {
        let feed = app.get("/v1/changes?since=0&limit=5000", u).await.expect(200);
        let of_doomed: Vec<_> = feed["changes"].as_array().unwrap().iter().filter(|c| c["workspace_id"] == doomed.as_str()).collect();
        assert_eq!(of_doomed.len(), 1, "{of_doomed:?}");
        assert_eq!((of_doomed[0]["kind"].as_str(), of_doomed[0]["op"].as_str()), (Some("member"), Some("delete")));
        assert_eq!(of_doomed[0]["id"], format!("{doomed}/{uid}"));
    }
    app.get("/v1/workspaces/alive", &owner).await.expect(200);
    assert_eq!(rows(&app, "workspaces", &recent).await, 1);
    // A second purge finds nothing; the slug is free again.
    assert!(purged(&app.post("/v1/admin/purge", &pa, json!({})).await.expect(200)).is_empty());
    app.workspace(&member, "doomed", "free").await;
}

#[tokio::test]
async fn ownership_grant_respects_the_free_workspace_limit() {
    let app = TestApp::spawn().await;
    let x = app.user("x").await;
    app.workspace(&x, "x-one", "free").await;
    app.workspace(&x, "x-two", "free").await;
    let a = app.user("a").await;
    app.workspace(&a, "a-free", "free").await;
    app.workspace(&a, "a-paid", "starter").await;
    app.add_member("a-free", &a, &x, "admin", json!([])).await;
    app.add_member("a-paid", &a, &x, "admin", json!([])).await;
    // Making x the owner of a third free workspace would bypass the limit.
    let d = app.patch(&format!("/v1/workspaces/a-free/members/{}", x.id), &a, json!({"role": "owner"})).await.problem(409, "plan-limit");
    assert!(d.contains("free workspaces"), "{d}");
    let m = app.get(&format!("/v1/workspaces/a-free/members/{}", x.id), &a).await.expect(200);
    assert_eq!(m["role"], "admin");
    // Owning a paid workspace is not limited.
    app.patch(&format!("/v1/workspaces/a-paid/members/{}", x.id), &a, json!({"role": "owner"})).await.expect(200);
    // Nor is accepting ownership by invitation a way round it.
    let b = app.user("b").await;
    app.workspace(&b, "b-free", "free").await;
    let inv = app.post("/v1/workspaces/b-free/invitations", &b, json!({"email": x.email, "workspace_role": "owner"})).await.expect(201);
    app.post(&format!("/v1/invitations/{}/accept", inv["id"].as_str().unwrap()), &x, json!({})).await.problem(409, "plan-limit");
    app.get("/v1/workspaces/b-free", &x).await.problem(404, "not-found");
    // Once a platform admin lifts x's limit, the grant goes through.
    let pa = platform_admin(&app).await;
    app.patch(&format!("/v1/admin/users/{}", x.id), &pa, json!({"free_workspace_limit_lifted": true})).await.expect(200);
    app.patch(&format!("/v1/workspaces/a-free/members/{}", x.id), &a, json!({"role": "owner"})).await.expect(200);
}
