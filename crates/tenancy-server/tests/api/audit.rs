//! The audit log: every mutation writes exactly one entry (actor, action, target, before/after,
//! request id), refusals write none, pages walk the log newest first.

use crate::helpers::*;
use crate::openapi::operations;
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::Row;
use std::collections::BTreeSet;

/// Where a step's entry must show up.
enum Log<'a> {
    /// `GET /v1/workspaces/{ws}/audit`, read by `reader`.
    Workspace(&'a str, &'a User),
    /// `GET /v1/admin/audit`, read by the platform admin.
    Instance,
    /// A deleted workspace's log, unreadable until it is restored; checked in the database now
    /// and through the API after the restore.
    Hidden(&'a str),
}

/// A value known before the call, taken from the answer (a JSON pointer), or any value.
#[derive(Clone, Copy)]
enum V<'a> {
    Is(&'a str),
    Body(&'a str),
    Any,
}

#[derive(Clone, Copy)]
enum After {
    /// `after` equals this part of the answer ("" for all of it).
    Body(&'static str),
    Null,
    Skip,
}

struct Expect<'a> {
    log: Log<'a>,
    action: &'a str,
    actor: V<'a>,
    target_kind: &'a str,
    target: V<'a>,
    after: After,
}

fn ex<'a>(log: Log<'a>, action: &'a str, actor: V<'a>, target_kind: &'a str, target: V<'a>, after: After) -> Expect<'a> {
    Expect { log, action, actor, target_kind, target, after }
}

fn fill(template: &str, params: &[(&str, &str)]) -> String {
    let mut path = template.to_owned();
    for (k, v) in params {
        path = path.replace(&format!("{{{k}}}"), v);
    }
    assert!(!path.contains('{'), "unfilled parameter in {path}");
    path
}

fn resolve(v: V<'_>, body: &Value) -> Option<String> {
    match v {
        V::Is(s) => Some(s.to_owned()),
        V::Body(ptr) => Some(body.pointer(ptr).and_then(Value::as_str).unwrap_or_else(|| panic!("{ptr} in {body}")).to_owned()),
        V::Any => None,
    }
}

/// Drives a scenario and checks each step's single audit entry.
struct Recorder<'a> {
    app: &'a TestApp,
    pool: sqlx::AnyPool,
    admin: User,
    exercised: BTreeSet<(String, String)>,
    steps: usize,
}

impl<'a> Recorder<'a> {
    async fn new(app: &'a TestApp, admin: User) -> Recorder<'a> {
        Recorder { app, pool: app.pool().await, admin, exercised: BTreeSet::new(), steps: 0 }
    }

    async fn high_water(&self) -> i64 {
        sqlx::query("SELECT COALESCE(MAX(id), 0) FROM audit_log").fetch_one(&self.pool).await.unwrap().get(0)
    }

    /// Calls one route, expects `status`, and checks that exactly one audit entry was written,
    /// as `e` describes. Returns the answer's body and the entry.
    #[allow(clippy::too_many_arguments)]
    async fn step(&mut self, method: Method, template: &str, params: &[(&str, &str)], query: &str, by: Option<&str>, body: Option<Value>, status: u16, e: Expect<'_>) -> (Value, Value) {
        self.steps += 1;
        let request_id = format!("audit-step-{}", self.steps);
        let before = self.high_water().await;
        self.exercised.insert((method.to_string(), template.to_owned()));
        let path = format!("{}{query}", fill(template, params));
        let answer = self.app.call(method.clone(), &path, by, body, &[("x-request-id", &request_id)]).await;
        let what = format!("{method} {template}");
        assert_eq!(answer.status.as_u16(), status, "{what}: {}", answer.body);
        let body = answer.body;

        // Exactly one new entry anywhere in the instance.
        let rows = sqlx::query("SELECT id, workspace_id, action FROM audit_log WHERE id > $1 ORDER BY id").bind(before).fetch_all(&self.pool).await.unwrap();
        let actions: Vec<String> = rows.iter().map(|r| r.get::<String, _>("action")).collect();
        assert_eq!(rows.len(), 1, "{what} wrote {} audit entries: {actions:?}", rows.len());
        let id: i64 = rows[0].get("id");
        let row_ws: Option<String> = rows[0].get("workspace_id");
        assert_eq!(actions[0], e.action, "{what}");

        let entry = match e.log {
            Log::Workspace(ws, reader) => {
                let page = self.app.get(&format!("/v1/workspaces/{ws}/audit?limit=5"), reader).await.expect(200);
                let ws_id = self.app.get(&format!("/v1/workspaces/{ws}"), reader).await.expect(200)["id"].clone();
                let entry = page["items"][0].clone();
                assert_eq!(entry["id"].as_i64(), Some(id), "{what}: the newest entry of {ws}'s log is this step's: {page}");
                assert_eq!(entry["workspace_id"], ws_id, "{what}");
                assert_eq!(row_ws.as_deref(), ws_id.as_str(), "{what}");
                entry
            }
            Log::Instance => {
                let page = self.app.get("/v1/admin/audit?limit=5", &self.admin).await.expect(200);
                let entry = page["items"][0].clone();
                assert_eq!(entry["id"].as_i64(), Some(id), "{what}: the newest instance entry is this step's: {page}");
                assert!(entry["workspace_id"].is_null(), "{what}: {entry}");
                assert!(row_ws.is_none(), "{what}");
                entry
            }
            Log::Hidden(ws_id) => {
                assert_eq!(row_ws.as_deref(), Some(ws_id), "{what}");
                return (body, json!({"id": id}));
            }
        };
        assert_eq!(entry["action"], e.action, "{what}: {entry}");
        assert_eq!(entry["request_id"], request_id.as_str(), "{what}: the entry carries the request id: {entry}");
        if let Some(actor) = resolve(e.actor, &body) {
            assert_eq!(entry["actor_id"], actor.as_str(), "{what}: actor: {entry}");
        }
        assert_eq!(entry["target_kind"], e.target_kind, "{what}: {entry}");
        match resolve(e.target, &body) {
            Some(t) => assert_eq!(entry["target_id"], t.as_str(), "{what}: target: {entry}"),
            None => assert!(!entry["target_id"].as_str().unwrap_or_default().is_empty(), "{what}: {entry}"),
        }
        match e.after {
            After::Body(ptr) => assert_eq!(&entry["after"], body.pointer(ptr).unwrap(), "{what}: after"),
            After::Null => assert!(entry["after"].is_null(), "{what}: {entry}"),
            After::Skip => {}
        }
        (body, entry)
    }
}

use After::{Body as AfterBody, Null as AfterNull, Skip};
use V::{Any, Body, Is};

#[tokio::test]
async fn every_mutating_endpoint_writes_exactly_one_audit_entry() {
    let app = TestApp::spawn().await;
    let pat = app.user("pat").await;
    app.make_platform_admin(&pat).await;
    let mut r = Recorder::new(&app, pat.clone()).await;
    const POST: Method = Method::POST;
    const PATCH: Method = Method::PATCH;
    const PUT: Method = Method::PUT;
    const DELETE: Method = Method::DELETE;

    // ----- accounts and sessions -----
    let email = "olive@audit.example";
    let (s, _) = r
        .step(POST, "/v1/auth/register", &[], "", None, Some(json!({"email": email, "display_name": "Olive", "password": PASSWORD})), 201,
            ex(Log::Instance, "user.register", Body("/user/id"), "user", Body("/user/id"), AfterBody("/user")))
        .await;
    let olive_id = s["user"]["id"].as_str().unwrap().to_owned();
    let (s, login) = r
        .step(POST, "/v1/auth/login", &[], "", None, Some(json!({"email": email, "password": PASSWORD})), 200,
            ex(Log::Instance, "session.create", Is(&olive_id), "session", Any, Skip))
        .await;
    let family = login["target_id"].as_str().unwrap().to_owned();
    let (s, _) = r
        .step(POST, "/v1/auth/refresh", &[], "", None, Some(json!({"refresh_token": s["refresh_token"]})), 200,
            ex(Log::Instance, "session.refresh", Is(&olive_id), "session", Is(&family), Skip))
        .await;
    let olive = session_user(email, &s);
    let ot = Some(olive.token.as_str());

    // ----- workspace -----
    let (ws, _) = r
        .step(POST, "/v1/workspaces", &[], "", ot, Some(json!({"name": "Audit Co", "slug": "audit-co", "plan": "pro"})), 201,
            ex(Log::Workspace("audit-co", &olive), "workspace.create", Is(&olive.id), "workspace", Body("/id"), AfterBody("")))
        .await;
    let ws_id = ws["id"].as_str().unwrap().to_owned();
    let w = [("ws", ws_id.as_str())];
    let (_, e) = r
        .step(PATCH, "/v1/workspaces/{ws}", &w, "", ot, Some(json!({"name": "Audit Company"})), 200,
            ex(Log::Workspace("audit-co", &olive), "workspace.update", Is(&olive.id), "workspace", Is(&ws_id), AfterBody("")))
        .await;
    assert_eq!(e["before"]["name"], "Audit Co");
    let (_, e) = r
        .step(PUT, "/v1/workspaces/{ws}/plan", &w, "", ot, Some(json!({"plan": "starter"})), 200,
            ex(Log::Workspace("audit-co", &olive), "workspace.plan_change", Is(&olive.id), "workspace", Is(&ws_id), AfterBody("")))
        .await;
    assert_eq!((e["before"]["plan"].as_str(), e["after"]["plan"].as_str()), (Some("pro"), Some("starter")));

    // ----- community, intake, role, API key -----
    let (c, _) = r
        .step(POST, "/v1/workspaces/{ws}/communities", &w, "", ot,
            Some(json!({"name": "Branch", "slug": "branch", "timezone": "Europe/Paris", "region": "eu-west"})), 201,
            ex(Log::Workspace("audit-co", &olive), "community.create", Is(&olive.id), "community", Body("/id"), AfterBody("")))
        .await;
    let cid = c["id"].as_str().unwrap().to_owned();
    let wc = [("ws", ws_id.as_str()), ("community", cid.as_str())];
    r.step(PATCH, "/v1/workspaces/{ws}/communities/{community}", &wc, "", ot, Some(json!({"name": "Branch Office"})), 200,
        ex(Log::Workspace("audit-co", &olive), "community.update", Is(&olive.id), "community", Is(&cid), AfterBody("")))
        .await;
    let (intake, _) = r
        .step(POST, "/v1/workspaces/{ws}/communities/{community}/intakes", &wc, "", ot, Some(json!({"name": "EDR feed", "kind": "edr"})), 201,
            ex(Log::Workspace("audit-co", &olive), "intake.create", Is(&olive.id), "intake", Body("/id"), AfterBody("")))
        .await;
    let (role, _) = r
        .step(POST, "/v1/workspaces/{ws}/roles", &w, "", ot, Some(json!({"name": "Triage", "kind": "custom", "permissions": ["alerts.read", "alerts.comment"]})), 201,
            ex(Log::Workspace("audit-co", &olive), "role.create", Is(&olive.id), "role", Body("/id"), AfterBody("")))
        .await;
    let role_id = role["id"].as_str().unwrap().to_owned();
    let wr = [("ws", ws_id.as_str()), ("id", role_id.as_str())];
    r.step(PATCH, "/v1/workspaces/{ws}/roles/{id}", &wr, "", ot, Some(json!({"description": "Alert triage only"})), 200,
        ex(Log::Workspace("audit-co", &olive), "role.update", Is(&olive.id), "role", Is(&role_id), AfterBody("")))
        .await;
    let analyst = app.role_id(&ws_id, &olive, "Analyst").await;
    let (key, _) = r
        .step(POST, "/v1/workspaces/{ws}/communities/{community}/api-keys", &wc, "", ot, Some(json!({"name": "SIEM", "role_ids": [analyst]})), 201,
            ex(Log::Workspace("audit-co", &olive), "api_key.create", Is(&olive.id), "api_key", Body("/key/id"), AfterBody("/key")))
        .await;
    let key_id = key["key"]["id"].as_str().unwrap().to_owned();
    let (_, e) = r
        .step(DELETE, "/v1/workspaces/{ws}/communities/{community}/api-keys/{id}", &[("ws", ws_id.as_str()), ("community", cid.as_str()), ("id", key_id.as_str())], "", ot, None, 200,
            ex(Log::Workspace("audit-co", &olive), "api_key.revoke", Is(&olive.id), "api_key", Is(&key_id), AfterBody("")))
        .await;
    assert!(e["after"]["revoked_at"].is_string() && e["before"]["revoked_at"].is_null(), "{e}");
    assert!(!e.to_string().contains(key["secret"].as_str().unwrap()), "the secret never reaches the audit log");
    let intake_id = intake["id"].as_str().unwrap().to_owned();
    let wi = [("ws", ws_id.as_str()), ("community", cid.as_str()), ("id", intake_id.as_str())];
    let (renamed, e) = r
        .step(PATCH, "/v1/workspaces/{ws}/communities/{community}/intakes/{id}", &wi, "", ot, Some(json!({"name": "EDR (primary)"})), 200,
            ex(Log::Workspace("audit-co", &olive), "intake.update", Is(&olive.id), "intake", Is(&intake_id), AfterBody("")))
        .await;
    assert_eq!((e["before"]["name"].as_str(), renamed["name"].as_str()), (Some("EDR feed"), Some("EDR (primary)")), "{e}");
    let intake = renamed;
    let (_, e) = r
        .step(DELETE, "/v1/workspaces/{ws}/communities/{community}/intakes/{id}", &[("ws", ws_id.as_str()), ("community", cid.as_str()), ("id", intake_id.as_str())], "", ot, None, 204,
            ex(Log::Workspace("audit-co", &olive), "intake.delete", Is(&olive.id), "intake", Is(&intake_id), AfterNull))
        .await;
    assert_eq!(e["before"], intake);
    let (_, e) = r
        .step(DELETE, "/v1/workspaces/{ws}/roles/{id}", &wr, "", ot, None, 204,
            ex(Log::Workspace("audit-co", &olive), "role.delete", Is(&olive.id), "role", Is(&role_id), AfterNull))
        .await;
    assert_eq!(e["before"]["name"], "Triage");

    // ----- invitations and members -----
    let milo = app.user("milo").await;
    let (inv, _) = r
        .step(POST, "/v1/workspaces/{ws}/invitations", &w, "", ot, Some(json!({"email": milo.email})), 201,
            ex(Log::Workspace("audit-co", &olive), "invitation.create", Is(&olive.id), "invitation", Body("/id"), AfterBody("")))
        .await;
    let inv_id = inv["id"].as_str().unwrap().to_owned();
    r.step(DELETE, "/v1/workspaces/{ws}/invitations/{id}", &[("ws", ws_id.as_str()), ("id", inv_id.as_str())], "", ot, None, 200,
        ex(Log::Workspace("audit-co", &olive), "invitation.revoke", Is(&olive.id), "invitation", Is(&inv_id), AfterBody("")))
        .await;
    // A client contact's invitation, from the community's portal.
    app.patch(&format!("/v1/workspaces/{ws_id}/communities/{cid}"), &olive, json!({"portal": {"enabled": true, "show_team": false}})).await.expect(200);
    let (contact, _) = r
        .step(POST, "/v1/workspaces/{ws}/communities/{community}/contacts", &[("ws", ws_id.as_str()), ("community", cid.as_str())], "", ot,
            Some(json!({"email": "client.contact@example.com"})), 201,
            ex(Log::Workspace("audit-co", &olive), "invitation.create", Is(&olive.id), "invitation", Body("/id"), AfterBody("")))
        .await;
    assert_eq!((contact["workspace_role"].as_str(), contact["contact_of"].as_str()), (Some("client"), Some(cid.as_str())), "{contact}");
    let declined = app.post(&format!("/v1/workspaces/{ws_id}/invitations"), &olive, json!({"email": milo.email})).await.expect(201);
    let declined_id = declined["id"].as_str().unwrap().to_owned();
    let (_, e) = r
        .step(POST, "/v1/invitations/{id}/decline", &[("id", declined_id.as_str())], "", Some(&milo.token), Some(json!({})), 200,
            ex(Log::Workspace("audit-co", &olive), "invitation.decline", Is(&milo.id), "invitation", Is(&declined_id), AfterBody("")))
        .await;
    assert_eq!(e["after"]["status"], "declined", "{e}");
    let inv2 = app.post(&format!("/v1/workspaces/{ws_id}/invitations"), &olive, json!({"email": milo.email})).await.expect(201);
    let inv2_id = inv2["id"].as_str().unwrap().to_owned();
    let (_, e) = r
        .step(POST, "/v1/invitations/{id}/accept", &[("id", inv2_id.as_str())], "", Some(&milo.token), Some(json!({})), 200,
            ex(Log::Workspace("audit-co", &olive), "invitation.accept", Is(&milo.id), "invitation", Is(&inv2_id), Skip))
        .await;
    assert_eq!(e["after"]["user_id"], milo.id.as_str());
    let wm = [("ws", ws_id.as_str()), ("user", milo.id.as_str())];
    let (made, _) = r
        .step(POST, "/v1/workspaces/{ws}/members/{user}/assignments", &wm, "", ot, Some(json!({"assignments": [{"community_id": cid, "role_id": analyst}]})), 200,
            ex(Log::Workspace("audit-co", &olive), "member.assign_roles", Is(&olive.id), "member", Is(&milo.id), AfterBody("")))
        .await;
    let aid = made[0]["id"].as_str().unwrap().to_owned();
    r.step(DELETE, "/v1/workspaces/{ws}/assignments/{id}", &[("ws", ws_id.as_str()), ("id", aid.as_str())], "", ot, None, 204,
        ex(Log::Workspace("audit-co", &olive), "member.unassign_role", Is(&olive.id), "assignment", Is(&aid), AfterNull))
        .await;
    let (_, e) = r
        .step(PATCH, "/v1/workspaces/{ws}/members/{user}", &wm, "", ot, Some(json!({"role": "admin"})), 200,
            ex(Log::Workspace("audit-co", &olive), "member.role_change", Is(&olive.id), "member", Is(&milo.id), AfterBody("")))
        .await;
    assert_eq!((e["before"]["role"].as_str(), e["after"]["role"].as_str()), (Some("member"), Some("admin")));
    let (enrol, _) = r
        .step(POST, "/v1/me/2fa/enrol", &[], "", Some(&milo.token), Some(json!({})), 200,
            ex(Log::Instance, "user.2fa_enrol", Is(&milo.id), "user", Is(&milo.id), Skip))
        .await;
    let secret = enrol["secret"].as_str().unwrap();
    let (_, e) = r
        .step(POST, "/v1/me/2fa/verify", &[], "", Some(&milo.token), Some(json!({"code": totp_code(secret)})), 200,
            ex(Log::Instance, "user.2fa_enable", Is(&milo.id), "user", Is(&milo.id), AfterBody("")))
        .await;
    assert!(!e.to_string().contains(secret), "the TOTP secret never reaches the audit log");
    r.step(POST, "/v1/workspaces/{ws}/members/{user}/2fa/reset", &wm, "", ot, Some(json!({})), 200,
        ex(Log::Workspace("audit-co", &olive), "member.reset_2fa", Is(&olive.id), "member", Is(&milo.id), AfterBody("")))
        .await;
    let (_, e) = r
        .step(DELETE, "/v1/workspaces/{ws}/members/{user}", &wm, "", ot, None, 204,
            ex(Log::Workspace("audit-co", &olive), "member.remove", Is(&olive.id), "member", Is(&milo.id), AfterNull))
        .await;
    assert_eq!(e["before"]["user_id"], milo.id.as_str());

    // ----- platform admin -----
    let pt = Some(pat.token.as_str());
    r.step(PATCH, "/v1/admin/users/{id}", &[("id", milo.id.as_str())], "", pt, Some(json!({"free_workspace_limit_lifted": true})), 200,
        ex(Log::Instance, "user.admin_update", Is(&pat.id), "user", Is(&milo.id), Skip))
        .await;
    r.step(PUT, "/v1/admin/workspaces/{ws}/plan", &w, "", pt, Some(json!({"plan": "enterprise"})), 200,
        ex(Log::Workspace("audit-co", &olive), "workspace.plan_change", Is(&pat.id), "workspace", Is(&ws_id), AfterBody("")))
        .await;
    let (deleted, d) = r
        .step(DELETE, "/v1/workspaces/{ws}", &w, "?confirm=audit-co", ot, None, 200, ex(Log::Hidden(&ws_id), "workspace.delete", Is(&olive.id), "workspace", Is(&ws_id), Skip))
        .await;
    r.step(POST, "/v1/admin/workspaces/{ws}/restore", &w, "", pt, Some(json!({})), 200,
        ex(Log::Workspace("audit-co", &olive), "workspace.restore", Is(&pat.id), "workspace", Is(&ws_id), AfterBody("")))
        .await;
    // The deletion's entry, readable again now.
    let page = app.get(&format!("/v1/workspaces/{ws_id}/audit?limit=2"), &olive).await.expect(200);
    let del = &page["items"][1];
    assert_eq!(del["id"], d["id"]);
    assert_eq!(del["action"], "workspace.delete");
    assert_eq!(del["actor_id"], olive.id.as_str());
    assert_eq!((del["target_kind"].as_str(), del["target_id"].as_str()), (Some("workspace"), Some(ws_id.as_str())));
    assert_eq!(del["after"], deleted);

    // A workspace deleted more than 30 days ago, for the purge.
    let doomed = app.workspace(&olive, "doomed-co", "free").await;
    app.delete("/v1/workspaces/doomed-co?confirm=doomed-co", &olive).await.expect(200);
    // 31 days in milliseconds, as one literal: PostgreSQL would multiply the factors as 32-bit.
    sqlx::query("UPDATE workspaces SET deleted_at = deleted_at - 2678400000 WHERE slug = 'doomed-co'").execute(&r.pool).await.unwrap();
    let (report, e) = r
        .step(POST, "/v1/admin/purge", &[], "", pt, Some(json!({})), 200, ex(Log::Instance, "workspace.purge", Is(&pat.id), "instance", Any, AfterBody("")))
        .await;
    assert_eq!(report["purged"], json!([doomed["id"]]));
    assert_eq!(e["after"]["purged"], json!([doomed["id"]]));

    // ----- sign-out -----
    r.step(POST, "/v1/auth/logout", &[], "", ot, None, 204, ex(Log::Instance, "session.revoke", Is(&olive.id), "session", Is(&family), Skip)).await;

    // ----- every mutating route of the document was exercised above -----
    let doc = app.call(Method::GET, "/openapi.json", None, None, &[]).await.expect(200);
    let documented = operations(&doc);
    let mutating: BTreeSet<_> = documented.iter().filter(|(m, _)| m != "GET").cloned().collect();
    let untested: Vec<_> = mutating.difference(&r.exercised).collect();
    assert!(untested.is_empty(), "mutating routes without an audit check in this scenario: {untested:?}");
    let unknown: Vec<_> = r.exercised.difference(&documented).collect();
    assert!(unknown.is_empty(), "the scenario calls routes the document does not list: {unknown:?}");
    assert!(mutating.len() >= 31, "{mutating:?}");
}

/// The newest entry id in the whole instance.
async fn high_water(pool: &sqlx::AnyPool) -> i64 {
    sqlx::query("SELECT COALESCE(MAX(id), 0) FROM audit_log").fetch_one(pool).await.unwrap().get(0)
}

#[tokio::test]
async fn a_refused_mutation_writes_no_audit_entry() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    let member = app.user("member").await;
    let outsider = app.user("outsider").await;
    app.workspace(&owner, "refusals", "starter").await;
    app.add_member("refusals", &owner, &member, "member", json!([])).await;
    let pool = app.pool().await;
    let before = high_water(&pool).await;
    let log_before = app.get("/v1/workspaces/refusals/audit", &owner).await.expect(200);

    // Not allowed, not found, invalid, conflicting, mismatched, stale.
    app.patch("/v1/workspaces/refusals", &member, json!({"name": "Mine now"})).await.problem(403, "forbidden");
    app.put("/v1/workspaces/refusals/plan", &member, json!({"plan": "pro"})).await.problem(403, "forbidden");
    app.patch("/v1/workspaces/refusals", &outsider, json!({"name": "Mine now"})).await.problem(404, "not-found");
    app.delete("/v1/workspaces/refusals?confirm=wrong-slug", &owner).await.problem(422, "confirmation-mismatch");
    app.delete(&format!("/v1/workspaces/refusals/members/{}", owner.id), &owner).await.problem(409, "last-owner");
    app.post("/v1/workspaces", &outsider, json!({"name": "Taken", "slug": "refusals"})).await.problem(409, "slug-taken");
    app.post("/v1/workspaces/refusals/communities", &owner, json!({"name": "X", "slug": "x", "timezone": "Mars/Olympus", "region": "eu-west"}))
        .await
        .problem(422, "validation");
    app.call(Method::PATCH, "/v1/workspaces/refusals", Some(&owner.token), Some(json!({"name": "Stale"})), &[("if-match", "\"99\"")])
        .await
        .problem(412, "precondition-failed");
    app.post("/v1/admin/purge", &owner, json!({})).await.problem(403, "forbidden");
    app.call(Method::POST, "/v1/auth/login", None, Some(json!({"email": owner.email, "password": "wrong password!"})), &[])
        .await
        .problem(401, "invalid-credentials");
    app.call(Method::POST, "/v1/auth/register", None, Some(json!({"email": owner.email, "display_name": "Again", "password": PASSWORD})), &[])
        .await
        .problem(409, "conflict");
    app.call(Method::POST, "/v1/auth/refresh", None, Some(json!({"refresh_token": "tnt_rt_unknown"})), &[]).await.problem(401, "unauthenticated");

    assert_eq!(high_water(&pool).await, before, "a refusal wrote an audit entry");
    let log_after = app.get("/v1/workspaces/refusals/audit", &owner).await.expect(200);
    assert_eq!(log_before, log_after);
    // And the next real change is recorded as usual.
    app.patch("/v1/workspaces/refusals", &owner, json!({"name": "Renamed"})).await.expect(200);
    assert_eq!(high_water(&pool).await, before + 1);
}

/// Walks a log with `limit` per page; returns the entries in order.
async fn walk(app: &TestApp, path: &str, u: &User, limit: u32) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let url = match &cursor {
            Some(c) => format!("{path}?limit={limit}&cursor={c}"),
            None => format!("{path}?limit={limit}"),
        };
        let page = app.get(&url, u).await.expect(200);
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= limit as usize, "a page holds at most `limit` entries");
        out.extend(items.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => {
                assert_eq!(items.len(), limit as usize, "only the last page is short");
                cursor = Some(c.to_owned());
            }
            None => return out,
        }
    }
    panic!("the cursor never ended");
}

#[tokio::test]
async fn audit_pages_walk_every_entry_once_newest_first() {
    let app = TestApp::spawn().await;
    let owner = app.user("pager").await;
    let ws = app.workspace(&owner, "pager-ws", "starter").await;
    for i in 0..4 {
        app.patch("/v1/workspaces/pager-ws", &owner, json!({"name": format!("Pager {i}")})).await.expect(200);
    }
    app.post("/v1/workspaces/pager-ws/communities", &owner, json!({"name": "Two", "slug": "two", "timezone": "UTC", "region": "uk"})).await.expect(201);
    // Another workspace's entries never show up in this log.
    let other = app.user("other").await;
    app.workspace(&other, "other-ws", "starter").await;
    app.patch("/v1/workspaces/other-ws", &other, json!({"name": "Other renamed"})).await.expect(200);

    let all = app.get("/v1/workspaces/pager-ws/audit?limit=1000", &owner).await.expect(200);
    let all = all["items"].as_array().unwrap().clone();
    assert_eq!(all.len(), 6, "create, four renames, one community: {all:?}");
    assert!(all.iter().all(|e| e["workspace_id"] == ws["id"]));
    assert_eq!(all.last().unwrap()["action"], "workspace.create");
    assert_eq!(all[0]["action"], "community.create");

    let walked = walk(&app, "/v1/workspaces/pager-ws/audit", &owner, 2).await;
    assert_eq!(walked, all, "pages of two give the same entries as one big read");
    let ids: Vec<i64> = walked.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first, no duplicates: {ids:?}");
    let unique: BTreeSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len());
    // Odd page sizes too.
    assert_eq!(walk(&app, "/v1/workspaces/pager-ws/audit", &owner, 4).await, all);
    assert_eq!(walk(&app, "/v1/workspaces/pager-ws/audit", &owner, 1).await, all);

    // The instance log pages the same way.
    let admin = app.user("admin").await;
    app.make_platform_admin(&admin).await;
    let all_instance = app.get("/v1/admin/audit?limit=1000", &admin).await.expect(200)["items"].as_array().unwrap().clone();
    assert!(all_instance.len() >= 3, "three sign-ups at least");
    assert!(all_instance.iter().all(|e| e["workspace_id"].is_null()));
    assert_eq!(walk(&app, "/v1/admin/audit", &admin, 2).await, all_instance);
}

#[tokio::test]
async fn only_workspace_admins_and_owners_read_the_audit_log() {
    let app = TestApp::spawn().await;
    let owner = app.user("own").await;
    let admin = app.user("adm").await;
    let member = app.user("mem").await;
    let outsider = app.user("out").await;
    app.workspace(&owner, "audit-rights", "starter").await;
    app.add_member("audit-rights", &owner, &admin, "admin", json!([])).await;
    app.add_member("audit-rights", &owner, &member, "member", json!([])).await;

    let by_owner = app.get("/v1/workspaces/audit-rights/audit", &owner).await.expect(200);
    let by_admin = app.get("/v1/workspaces/audit-rights/audit", &admin).await.expect(200);
    assert_eq!(by_owner, by_admin);
    assert!(!by_owner["items"].as_array().unwrap().is_empty());
    let detail = app.get("/v1/workspaces/audit-rights/audit", &member).await.problem(403, "forbidden");
    assert!(detail.contains("audit log"), "{detail}");
    // Outsiders do not learn the workspace exists.
    app.get("/v1/workspaces/audit-rights/audit", &outsider).await.problem(404, "not-found");
    // The instance log is for platform admins only, workspace owners included.
    app.get("/v1/admin/audit", &owner).await.problem(403, "forbidden");
}
