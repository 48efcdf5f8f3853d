//! The client portal, on the demo data: a community's admins switch it on and invite a client
//! contact, who then reads that community's settings, intakes and alert volumes (and its team
//! when the MSSP shows it) and nothing else of the workspace; contacts are not counted against
//! the seats, are the workspace admins' to invite and remove, and keep their kind.

use crate::helpers::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const WS: &str = "northwind-mssp";

fn p(path: &str) -> String {
    format!("/v1/workspaces/{WS}{path}")
}

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().cloned().unwrap_or_default()
}

fn ids(v: &[Value], key: &str) -> BTreeSet<String> {
    v.iter().map(|x| x[key].as_str().unwrap().to_owned()).collect()
}

/// Status and problem type of an answer.
fn shape(r: &Answer) -> (u16, Value) {
    (r.status.as_u16(), r.body["type"].clone())
}

#[tokio::test]
async fn a_client_contact_reads_their_community_through_its_portal_and_nothing_else() {
    let (app, owner) = TestApp::demo_with_owner().await;
    let ws_id = app.get(&p(""), &owner).await.expect(200)["id"].as_str().unwrap().to_owned();
    // A: a community with intakes, keys and people; B: another one.
    let communities = items(&app.get(&p("/communities?limit=1000"), &owner).await.expect(200));
    let mut a = None;
    for c in &communities {
        let id = c["id"].as_str().unwrap();
        let keys = items(&app.get(&p(&format!("/communities/{id}/api-keys")), &owner).await.expect(200));
        let intakes = items(&app.get(&p(&format!("/communities/{id}/intakes")), &owner).await.expect(200));
        if !keys.is_empty() && !intakes.is_empty() {
            a = Some(id.to_owned());
            break;
        }
    }
    let a = a.expect("a demo community with keys and intakes");
    let b = communities.iter().map(|c| c["id"].as_str().unwrap().to_owned()).find(|c| *c != a).unwrap();

    // The portal is off: no contact can be invited yet.
    let contact = app.user("contact").await;
    let invite = json!({"email": contact.email});
    let off = app.post(&p(&format!("/communities/{a}/contacts")), &owner, invite.clone()).await;
    assert!(off.problem(409, "conflict").contains("Enable it"), "{}", off.body);
    // Nor by the workspace's invitation endpoint.
    app.post(&p("/invitations"), &owner, json!({"email": contact.email, "workspace_role": "client"})).await.problem(422, "validation");
    app.patch(&p(&format!("/communities/{a}")), &owner, json!({"portal": {"enabled": true, "show_team": false}})).await.expect(200);

    // A community Admin of A who is no workspace admin may not invite contacts (they are the
    // workspace admins', who alone see them).
    let admin_role = app.role_id(WS, &owner, "Admin").await;
    let community_admin = app.user("community-admin").await;
    app.add_member(WS, &owner, &community_admin, "member", json!([grant(&a, &admin_role)])).await;
    app.post(&p(&format!("/communities/{a}/contacts")), &community_admin, invite.clone()).await.problem(403, "forbidden");
    // A community that does not exist, or that B is for a member of A only: the same answer.
    let (unseen, random) = (
        app.post(&p(&format!("/communities/{b}/contacts")), &community_admin, invite.clone()).await,
        app.post(&p(&format!("/communities/{}/contacts", uuid::Uuid::now_v7())), &community_admin, invite.clone()).await,
    );
    assert_eq!(shape(&unseen), shape(&random));
    assert_eq!(unseen.status.as_u16(), 404);

    // Invited: not counted against the seats.
    let before = app.get(&p("/usage"), &owner).await.expect(200);
    let inv = app.post(&p(&format!("/communities/{a}/contacts")), &owner, invite.clone()).await.expect(201);
    assert_eq!((inv["workspace_role"].as_str(), inv["contact_of"].as_str()), (Some("client"), Some(a.as_str())));
    let after = app.get(&p("/usage"), &owner).await.expect(200);
    assert_eq!((after["members"].clone(), after["pending_invitations"].clone()), (before["members"].clone(), before["pending_invitations"].clone()), "seats unchanged");
    assert_eq!(after["client_contacts"].as_u64(), before["client_contacts"].as_u64().map(|n| n + 1));
    // The community's other people do not see it; the owner does.
    let listed = |u: &User| {
        let u = u.clone();
        let app = &app;
        async move { ids(&items(&app.get(&p("/invitations?limit=1000"), &u).await.expect(200)), "id") }
    };
    let inv_id = inv["id"].as_str().unwrap().to_owned();
    assert!(listed(&owner).await.contains(&inv_id) && !listed(&community_admin).await.contains(&inv_id));
    // The invitee is told which community they would see.
    let me = app.get("/v1/me", &contact).await.expect(200);
    let offer = me["invitations"].as_array().unwrap().iter().find(|o| o["invitation"]["id"] == inv_id.as_str()).expect("the offer").clone();
    let a_name = communities.iter().find(|c| c["id"] == a.as_str()).unwrap()["name"].clone();
    assert_eq!(offer["contact_of_name"], a_name);
    app.post(&format!("/v1/invitations/{inv_id}/accept"), &contact, json!({})).await.expect(200);
    let members_after = app.get(&p("/usage"), &owner).await.expect(200);
    assert_eq!(members_after["members"], before["members"], "a contact takes no seat");

    // ----- what the contact reads -----
    let seen = items(&app.get(&p("/communities?limit=1000"), &contact).await.expect(200));
    assert_eq!(ids(&seen, "id"), BTreeSet::from([a.clone()]), "their community only");
    assert!(seen[0]["settings"]["timezone"].is_string(), "with its settings");
    let (b_answer, random_answer) = (app.get(&p(&format!("/communities/{b}")), &contact).await, app.get(&p(&format!("/communities/{}", uuid::Uuid::now_v7())), &contact).await);
    assert_eq!((shape(&b_answer), b_answer.status.as_u16()), (shape(&random_answer), 404), "another community is as one that does not exist");
    let as_owner = |path: String| {
        let (app, owner) = (&app, &owner);
        async move { app.get(&p(&path), owner).await.expect(200) }
    };
    let intakes = format!("/communities/{a}/intakes");
    assert_eq!(app.get(&p(&intakes), &contact).await.expect(200), as_owner(intakes).await, "its intakes, all of them");
    let volumes = format!("/communities/{a}/alert-volumes");
    let theirs = app.get(&p(&volumes), &contact).await.expect(200);
    assert!(!theirs.as_array().unwrap().is_empty());
    assert_eq!(theirs, as_owner(volumes).await, "its alert volumes");
    let aggregated = app.get(&p("/alert-volumes"), &contact).await.expect(200);
    assert_eq!(ids(aggregated.as_array().unwrap(), "community_id"), BTreeSet::from([a.clone()]), "the aggregate sums their community only");
    // Nothing else of the MSSP's.
    for path in [format!("/communities/{a}/api-keys"), "/roles".into(), "/audit".into(), "/usage".into()] {
        app.get(&p(&path), &contact).await.problem(403, "forbidden");
    }
    assert!(items(&app.get(&p("/invitations"), &contact).await.expect(200)).is_empty());
    let people = items(&app.get(&p("/members?limit=1000"), &contact).await.expect(200));
    assert_eq!(ids(&people, "user_id"), BTreeSet::from([contact.id.clone()]), "no team unless the MSSP shows it");
    assert_eq!(people[0]["role"], "client");
    assert!(items(&app.get(&p("/assignments?limit=1000"), &contact).await.expect(200)).is_empty());
    // Nor the permissions of anyone, themself included: their provenance names the MSSP's roles.
    app.get(&p(&format!("/members/{}/permissions", contact.id)), &contact).await.problem(403, "forbidden");
    // Nor can they change anything.
    app.post(&p(&format!("/communities/{a}/intakes")), &contact, json!({"name": "Mine", "kind": "firewall"})).await.problem(403, "forbidden");
    app.patch(&p(&format!("/communities/{a}")), &contact, json!({"portal": {"enabled": true, "show_team": true}})).await.problem(403, "forbidden");
    app.post(&p("/invitations"), &contact, json!({"email": "friend@example.com"})).await.problem(403, "forbidden");
    // The feed and the snapshot: their community, themself, no role definitions.
    let feed = app.get("/v1/changes?since=0&limit=20000", &contact).await.expect(200);
    let cursor = feed["next_since"].as_i64().unwrap();
    let in_ws: Vec<&Value> = feed["changes"].as_array().unwrap().iter().filter(|c| c["workspace_id"] == ws_id.as_str()).collect();
    assert!(in_ws.iter().any(|c| c["kind"] == "community" && c["id"] == a.as_str()));
    for c in &in_ws {
        assert!(!matches!(c["kind"].as_str(), Some("role" | "api_key" | "invitation" | "assignment")), "the feed sent a contact {c}");
        assert!(!c.to_string().contains(b.as_str()), "the feed named B: {c}");
        if c["kind"] == "member" {
            assert_eq!(c["data"]["user_id"], contact.id.as_str(), "another person in the feed: {c}");
        }
    }
    let snap = app.get(&format!("/v1/snapshot?workspace={ws_id}"), &contact).await.expect(200);
    let kinds: BTreeSet<&str> = snap["changes"].as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, BTreeSet::from(["workspace", "community", "intake", "member"]), "the snapshot holds {kinds:?}");
    assert!(!snap.to_string().contains(b.as_str()));

    // ----- the team, when the MSSP shows it -----
    app.patch(&p(&format!("/communities/{a}")), &owner, json!({"portal": {"enabled": true, "show_team": true}})).await.expect(200);
    let team = ids(&items(&app.get(&p("/members?limit=1000"), &contact).await.expect(200)), "user_id");
    let mut of_a = ids(&items(&as_owner(format!("/assignments?community_id={a}&limit=1000")).await), "user_id");
    of_a.insert(contact.id.clone());
    assert_eq!(team, of_a, "the people holding roles in A, and themself");
    assert!(items(&app.get(&p("/invitations"), &contact).await.expect(200)).is_empty(), "the team, not whom the MSSP invites");
    // Their feed says their sight changed: their own membership, re-versioned.
    let next = app.get(&format!("/v1/changes?since={cursor}"), &contact).await.expect(200);
    assert!(next["changes"].as_array().unwrap().iter().any(|c| c["kind"] == "member" && c["data"]["user_id"] == contact.id.as_str()), "{next}");

    // ----- the MSSP's side: shown apart, keeps its kind, revocable -----
    let contacts = items(&app.get(&p("/members?role=client&limit=1000"), &owner).await.expect(200));
    assert_eq!(ids(&contacts, "user_id"), BTreeSet::from([contact.id.clone()]));
    assert_eq!(contacts[0]["contact_of"], a.as_str());
    let member_path = p(&format!("/members/{}", contact.id));
    app.patch(&member_path, &owner, json!({"role": "member"})).await.problem(422, "validation");
    let analyst = app.role_id(WS, &owner, "Analyst").await;
    app.post(&p(&format!("/members/{}/assignments", contact.id)), &owner, json!({"assignments": [grant(&a, &analyst)]})).await.problem(409, "conflict");
    // A member with the members permission in A does not see contacts (they are the admins').
    app.get(&member_path, &community_admin).await.problem(404, "not-found");

    // The portal switched off: the community is gone for them.
    app.patch(&p(&format!("/communities/{a}")), &owner, json!({"portal": {"enabled": false, "show_team": true}})).await.expect(200);
    assert!(items(&app.get(&p("/communities"), &contact).await.expect(200)).is_empty());
    app.get(&p(&format!("/communities/{a}/intakes")), &contact).await.problem(404, "not-found");
    // Removed: the workspace is gone for them too.
    app.delete(&member_path, &owner).await.expect(204);
    app.get(&p(""), &contact).await.problem(404, "not-found");
    assert_eq!(app.get(&p("/usage"), &owner).await.expect(200)["client_contacts"], before["client_contacts"]);
}
