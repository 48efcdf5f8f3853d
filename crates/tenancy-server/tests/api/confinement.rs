//! Confinement between the communities of one workspace, on the demo data: a member with a
//! role in community A only is answered about community B's things exactly as about things that
//! do not exist (existence does not leak inside a workspace either), lists and aggregates hold
//! only A, and a restricted role narrows intakes and alert volumes to its intakes.

use crate::helpers::*;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const WS: &str = "northwind-mssp";

struct Demo {
    app: TestApp,
    owner: User,
    /// Community A, where the prober is a community Admin (reading every kind of data there).
    a: String,
    /// Community B, with people, keys, intakes, invitations and audit entries of its own.
    b: String,
    prober: User,
}

fn p(path: &str) -> String {
    format!("/v1/workspaces/{WS}{path}")
}

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().cloned().unwrap_or_default()
}

async fn demo() -> Demo {
    let (app, owner) = TestApp::demo_with_owner().await;
    let communities = items(&app.get(&p("/communities?limit=1000"), &owner).await.expect(200));
    // B: the first community with keys, intakes and a pending invitation.
    let invitations = items(&app.get(&p("/invitations?limit=1000"), &owner).await.expect(200));
    let mut b = None;
    for c in &communities {
        let id = c["id"].as_str().unwrap();
        let keys = items(&app.get(&p(&format!("/communities/{id}/api-keys")), &owner).await.expect(200));
        let intakes = items(&app.get(&p(&format!("/communities/{id}/intakes")), &owner).await.expect(200));
        let invited = invitations.iter().any(|i| i["status"] == "pending" && i["assignments"].as_array().unwrap().iter().any(|a| a["community_id"] == id));
        if !keys.is_empty() && !intakes.is_empty() && invited {
            b = Some(id.to_owned());
            break;
        }
    }
    let b = b.expect("a demo community with keys, intakes and a pending invitation");
    let a = communities.iter().map(|c| c["id"].as_str().unwrap().to_owned()).find(|c| *c != b).unwrap();
    let prober = app.user("prober").await;
    let admin_role = app.role_id(WS, &owner, "Admin").await;
    app.add_member(WS, &owner, &prober, "member", json!([{"community_id": a, "role_id": admin_role}])).await;
    Demo { app, owner, a, b, prober }
}

/// Status, problem type and sentence of an answer.
fn shape(r: &Answer) -> (u16, Value, Value) {
    (r.status.as_u16(), r.body["type"].clone(), r.body["detail"].clone())
}

#[tokio::test]
async fn a_member_of_one_community_is_answered_about_anothers_things_as_about_nothing() {
    let d = demo().await;
    let (app, owner, b) = (&d.app, &d.owner, &d.b);
    let random = || uuid::Uuid::now_v7().to_string();
    // B's real things, read as the owner.
    let in_b = |path: String| async move { items(&app.get(&p(&path), owner).await.expect(200)) };
    let assignments = in_b(format!("/assignments?community_id={b}&limit=1000")).await;
    // Someone holding roles in B only.
    let mut only_b = None;
    for u in assignments.iter().map(|a| a["user_id"].as_str().unwrap().to_owned()) {
        let all = in_b(format!("/assignments?user_id={u}&limit=1000")).await;
        if all.iter().all(|x| x["community_id"] == b.as_str()) {
            only_b = Some(u);
            break;
        }
    }
    let person = only_b.expect("someone holding roles in B only");
    let assignment = assignments[0]["id"].as_str().unwrap().to_owned();
    let key = in_b(format!("/communities/{b}/api-keys")).await[0]["id"].as_str().unwrap().to_owned();
    let intake = in_b(format!("/communities/{b}/intakes")).await[0]["id"].as_str().unwrap().to_owned();
    let invitation = in_b("/invitations?limit=1000".into())
        .await
        .into_iter()
        .find(|i| i["status"] == "pending" && i["assignments"].as_array().unwrap().iter().all(|a| a["community_id"] == b.as_str()))
        .map(|i| i["id"].as_str().unwrap().to_owned());
    let a = &d.a;
    let guest = app.role_id(WS, owner, "Guest").await;

    // (method, path with {} for the id, body with "@ID" for it, B's real id): each asked with B's id and a random one.
    let probes: Vec<(Method, String, Option<Value>, String)> = vec![
        (Method::GET, p("/members/{}"), None, person.clone()),
        (Method::GET, p("/members/{}/permissions"), None, person.clone()),
        (Method::PATCH, p("/members/{}"), Some(json!({"role": "admin"})), person.clone()),
        (Method::DELETE, p("/members/{}"), None, person.clone()),
        (Method::POST, p("/members/{}/2fa/reset"), Some(json!({})), person.clone()),
        (Method::POST, p("/members/{}/assignments"), Some(json!({"assignments": [{"community_id": a, "role_id": guest}]})), person.clone()),
        (Method::DELETE, p("/assignments/{}"), None, assignment.clone()),
        (Method::GET, p("/communities/{}"), None, b.clone()),
        (Method::PATCH, p("/communities/{}"), Some(json!({"name": "Renamed"})), b.clone()),
        (Method::GET, p("/communities/{}/api-keys"), None, b.clone()),
        (Method::POST, p("/communities/{}/api-keys"), Some(json!({"name": "Probe", "role_ids": [guest]})), b.clone()),
        (Method::DELETE, p(&format!("/communities/{b}/api-keys/{{}}")), None, key.clone()),
        (Method::DELETE, p(&format!("/communities/{a}/api-keys/{{}}")), None, key.clone()),
        (Method::GET, p("/communities/{}/intakes"), None, b.clone()),
        (Method::POST, p("/communities/{}/intakes"), Some(json!({"name": "Probe", "kind": "edr"})), b.clone()),
        (Method::PATCH, p(&format!("/communities/{b}/intakes/{{}}")), Some(json!({"name": "Probe"})), intake.clone()),
        (Method::PATCH, p(&format!("/communities/{a}/intakes/{{}}")), Some(json!({"name": "Probe"})), intake.clone()),
        (Method::DELETE, p(&format!("/communities/{b}/intakes/{{}}")), None, intake.clone()),
        (Method::GET, p("/communities/{}/alert-volumes"), None, b.clone()),
        (Method::POST, p("/invitations"), Some(json!({"email": "probe-invitee@example.com", "assignments": [{"community_id": "@ID", "role_id": guest}]})), b.clone()),
        (Method::GET, format!("/v1/snapshot?workspace={}&community={{}}", app.get(&p(""), owner).await.expect(200)["id"].as_str().unwrap()), None, b.clone()),
    ]
    .into_iter()
    .chain(invitation.iter().map(|i| (Method::DELETE, p("/invitations/{}"), None, i.clone())))
    .collect();
    let token = d.prober.token.as_str();
    for (method, path, body, real) in &probes {
        let ask = |id: String| {
            let path = path.replace("{}", &id);
            let body = body.as_ref().map(|b| serde_json::from_str::<Value>(&b.to_string().replace("@ID", &id)).unwrap());
            let method = method.clone();
            async move { app.call(method, &path, Some(token), body, &[]).await }
        };
        let (for_real, for_random) = (ask(real.clone()).await, ask(random()).await);
        assert_eq!(for_real.status.as_u16(), 404, "{method} {path} with B's id: {}", for_real.body);
        assert_eq!(shape(&for_real), shape(&for_random), "{method} {path}: B's real id and a random one answer alike");
    }
    // Nothing was changed through them.
    assert_eq!(in_b(format!("/communities/{b}/intakes")).await.iter().filter(|i| i["name"] == "Probe").count(), 0);
    assert!(in_b(format!("/communities/{b}/api-keys")).await.iter().all(|k| k["name"] != "Probe"));

    // Lists and filters: B's things are absent, and filtering by B is filtering by nothing.
    let prober = &d.prober;
    let listed = |path: String| async move { app.get(&p(&path), prober).await.expect(200) };
    let people: BTreeSet<String> = items(&listed("/members?limit=1000".into()).await).iter().map(|m| m["user_id"].as_str().unwrap().to_owned()).collect();
    assert!(!people.contains(&person), "the members list holds someone of B only");
    let people_of_a: BTreeSet<String> = in_b(format!("/assignments?community_id={a}&limit=1000")).await.iter().map(|x| x["user_id"].as_str().unwrap().to_owned()).collect();
    let mut want = people_of_a.clone();
    want.insert(prober.id.clone());
    assert_eq!(people, want, "the members list is A's people and the prober");
    for filter in [format!("community_id={b}"), format!("user_id={person}")] {
        let by_b = listed(format!("/assignments?{filter}")).await;
        assert!(items(&by_b).is_empty(), "assignments?{filter}: {by_b}");
    }
    assert!(items(&listed("/assignments?limit=1000".into()).await).iter().all(|x| x["community_id"] == a.as_str()), "assignments of A only");
    let communities: Vec<String> = items(&listed("/communities?limit=1000".into()).await).iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(communities, vec![a.clone()], "only A exists for them");
    for i in items(&listed("/invitations?limit=1000".into()).await) {
        assert!(i["assignments"].as_array().unwrap().iter().all(|x| x["community_id"] == a.as_str()), "an invitation narrowed to A: {i}");
    }
    // The audit log (they manage A): entries about A only, none about B's things.
    let audit = items(&listed("/audit?limit=1000".into()).await);
    assert!(!audit.is_empty(), "a community Admin reads the audit entries about their community");
    let b_things = [b.clone(), assignment.clone(), key.clone(), intake.clone(), person.clone()];
    for e in &audit {
        assert!(!b_things.contains(&e["target_id"].as_str().unwrap().to_owned()), "an audit entry about B: {e}");
        assert!(!e.to_string().contains(b.as_str()), "an audit entry naming B: {e}");
    }
    // Aggregates sum only what they see: the workspace's volumes are A's.
    let mine = listed("/alert-volumes".into()).await;
    let all = app.get(&p("/alert-volumes"), owner).await.expect(200);
    let communities_of = |v: &Value| v.as_array().unwrap().iter().map(|x| x["community_id"].as_str().unwrap().to_owned()).collect::<BTreeSet<_>>();
    assert_eq!(communities_of(&mine), BTreeSet::from([a.clone()]), "the prober's workspace volumes");
    assert!(communities_of(&all).len() > 1, "the owner's cover more: {}", communities_of(&all).len());
    // The usage counts the whole workspace: not theirs to read.
    app.get(&p("/usage"), prober).await.problem(403, "forbidden");
    // The feed and the snapshot name no other community.
    let feed = app.get("/v1/changes?since=0&limit=20000", prober).await.expect(200);
    let ws_id = app.get(&p(""), owner).await.expect(200)["id"].as_str().unwrap().to_owned();
    for c in feed["changes"].as_array().unwrap().iter().filter(|c| c["workspace_id"] == ws_id.as_str()) {
        assert!(!c.to_string().contains(b.as_str()), "the feed named B: {c}");
    }
    let snap = app.get(&format!("/v1/snapshot?workspace={ws_id}"), prober).await.expect(200);
    assert!(!snap.to_string().contains(b.as_str()), "the snapshot named B");
}

#[tokio::test]
async fn a_restricted_role_sees_the_intakes_and_volumes_of_its_intakes_only() {
    let d = demo().await;
    let (app, owner, a) = (&d.app, &d.owner, &d.a);
    let mut intakes = items(&app.get(&p(&format!("/communities/{a}/intakes")), owner).await.expect(200));
    if intakes.len() < 2 {
        app.post(&p(&format!("/communities/{a}/intakes")), owner, json!({"name": "Second feed", "kind": "firewall"})).await.expect(201);
        intakes = items(&app.get(&p(&format!("/communities/{a}/intakes")), owner).await.expect(200));
    }
    let scoped = intakes[0]["id"].as_str().unwrap().to_owned();
    let role = app
        .post(&p("/roles"), owner, json!({"name": "One feed", "kind": "restricted", "permissions": ["alerts.read", "intakes.read"], "intake_scope": [scoped]}))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let narrow = app.user("narrow").await;
    app.add_member(WS, owner, &narrow, "member", json!([{"community_id": a, "role_id": role}])).await;
    let seen: Vec<String> = items(&app.get(&p(&format!("/communities/{a}/intakes")), &narrow).await.expect(200)).iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(seen, vec![scoped.clone()], "the restricted holder lists the scoped intake only");
    let other = intakes[1]["id"].as_str().unwrap();
    let (for_other, for_random) = (
        app.patch(&p(&format!("/communities/{a}/intakes/{other}")), &narrow, json!({"name": "x"})).await,
        app.patch(&p(&format!("/communities/{a}/intakes/{}", uuid::Uuid::now_v7())), &narrow, json!({"name": "x"})).await,
    );
    assert_eq!(shape(&for_other), shape(&for_random), "an intake outside the scope is as one that does not exist");
    // Volumes: the scoped intake's share of A's, not all of A's.
    let sum = |v: &Value| v.as_array().unwrap().iter().map(|x| x["alerts"].as_u64().unwrap()).sum::<u64>();
    let theirs = sum(&app.get(&p(&format!("/communities/{a}/alert-volumes")), &narrow).await.expect(200));
    let whole = sum(&app.get(&p(&format!("/communities/{a}/alert-volumes")), owner).await.expect(200));
    assert!(theirs > 0 && theirs < whole, "the restricted holder sees {theirs} of A's {whole} alerts");
    let in_workspace = sum(&app.get(&p("/alert-volumes"), &narrow).await.expect(200));
    assert_eq!(in_workspace, theirs, "the workspace aggregate sums only what they see");
}
