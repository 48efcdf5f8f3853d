//! Audit entries keep the names of what they refer to as they were when written (a rename
//! later does not rewrite history), say what happened in a sentence, and never name anything a
//! reader confined to some communities could not see.

use crate::helpers::*;
use serde_json::{json, Value};

/// Every audit entry of the workspace `u` may read, newest first.
async fn entries(app: &TestApp, u: &User, ws: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("/v1/workspaces/{ws}/audit?limit=500&cursor={c}"),
            None => format!("/v1/workspaces/{ws}/audit?limit=500"),
        };
        let page = app.get(&url, u).await.expect(200);
        out.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
}

fn find<'a>(all: &'a [Value], action: &str, target: &str) -> &'a Value {
    all.iter().find(|e| e["action"] == action && e["target_id"] == target).unwrap_or_else(|| panic!("no {action} of {target} in {all:#?}"))
}

fn name<'a>(e: &'a Value, id: &str) -> &'a str {
    e["names"][id].as_str().unwrap_or_else(|| panic!("{id} is not named in {e:#}"))
}

#[tokio::test]
async fn an_entry_keeps_the_names_it_was_written_with_after_a_rename() {
    let app = TestApp::spawn().await;
    let owner = app.user("olive").await;
    app.workspace(&owner, "names-co", "pro").await;
    let c = app.new_community("names-co", &owner, "acme").await;
    let cid = c["id"].as_str().unwrap().to_owned();
    let tier1 = app.custom_role("names-co", &owner, "Tier 1", &["alerts.read"]).await;
    let analyst = app.role_id("names-co", &owner, "Analyst").await;
    let dana = app.user("dana").await;
    app.add_member("names-co", &owner, &dana, "member", json!([grant(&cid, &tier1)])).await;
    app.post(&format!("/v1/workspaces/names-co/members/{}/assignments", dana.id), &owner, json!({"assignments": [grant(&cid, &analyst)]})).await.expect(200);
    let created = app.post(&format!("/v1/workspaces/names-co/communities/{cid}/api-keys"), &owner, json!({"name": "SIEM export", "role_ids": [analyst]})).await.expect(201);
    let key = created["key"]["id"].as_str().unwrap().to_owned();
    let secret = created["secret"].as_str().unwrap().to_owned();
    app.delete(&format!("/v1/workspaces/names-co/communities/{cid}/api-keys/{key}"), &owner).await.expect(200);

    // Everything renamed afterwards.
    app.patch(&format!("/v1/workspaces/names-co/roles/{tier1}"), &owner, json!({"name": "Tier 1 analyst"})).await.expect(200);
    app.patch(&format!("/v1/workspaces/names-co/communities/{cid}"), &owner, json!({"name": "Acme Renamed"})).await.expect(200);

    let all = entries(&app, &owner, "names-co").await;
    let olive = format!("olive <{}>", owner.email);
    let dana_name = format!("dana <{}>", dana.email);

    // The invitation named the role and community as they were then, and its invitee.
    let inv = all.iter().find(|e| e["action"] == "invitation.create").unwrap();
    assert_eq!(name(inv, &tier1), "Tier 1");
    assert_eq!(name(inv, &cid), "Community acme");
    assert_eq!(name(inv, &owner.id), olive);
    assert_eq!(name(inv, inv["target_id"].as_str().unwrap()), dana.email);
    assert_eq!(inv["summary"], format!("olive invited {} as a workspace member, with Tier 1 in Community acme", dana.email));

    // The assignment: actor, member, role and community, as they were.
    let assigned = find(&all, "member.assign_roles", &dana.id);
    assert_eq!(name(assigned, &dana.id), dana_name);
    assert_eq!(name(assigned, &cid), "Community acme");
    assert_eq!(name(assigned, &analyst), "Analyst");
    assert_eq!(assigned["summary"], format!("olive gave {} Analyst in Community acme", dana.email));

    // The key by its name, never its secret.
    let revoked = find(&all, "api_key.revoke", &key);
    assert_eq!(name(revoked, &key), "SIEM export");
    assert_eq!(revoked["summary"], "olive revoked API key “SIEM export” of Community acme");
    for e in &all {
        assert!(!e["names"].to_string().contains(&secret), "a secret in {e:#}");
    }

    // The renames say both names; the entry about the rename names it as it became.
    let renamed = find(&all, "role.update", &tier1);
    assert_eq!(renamed["summary"], "olive renamed role “Tier 1” to “Tier 1 analyst”");
    assert_eq!(name(renamed, &tier1), "Tier 1 analyst");
    let community = find(&all, "community.update", &cid);
    assert_eq!(community["summary"], "olive renamed community “Community acme” to “Acme Renamed”");
    assert_eq!(name(community, &cid), "Acme Renamed");

    // Every entry has a sentence, and old entries without names (written before names were
    // kept) still read, with short ids.
    assert!(all.iter().all(|e| e["summary"].as_str().is_some_and(|s| !s.is_empty())));
    let pool = app.db().await;
    sqlx::query("UPDATE audit_log SET names = NULL WHERE action = 'api_key.revoke'").execute(&pool).await.unwrap();
    pool.close().await;
    let all = entries(&app, &owner, "names-co").await;
    let old = find(&all, "api_key.revoke", &key);
    assert_eq!(old["names"], json!({}));
    assert!(old["summary"].as_str().unwrap().contains("revoked API key “SIEM export” of community "), "{old:#}");
}

#[tokio::test]
async fn a_confined_readers_entries_name_nothing_outside_their_communities() {
    let app = TestApp::spawn().await;
    let owner = app.user("olive").await;
    app.workspace(&owner, "walls-co", "pro").await;
    let c2 = app.new_community("walls-co", &owner, "hidden").await["id"].as_str().unwrap().to_owned();
    let admin = app.role_id("walls-co", &owner, "Admin").await;
    let analyst = app.role_id("walls-co", &owner, "Analyst").await;
    let manager = app.user("manny").await;
    app.add_member("walls-co", &owner, &manager, "member", json!([grant(&c2, &admin)])).await;
    // A community made from the hidden one's roles: the manager manages it too...
    let c3 = app
        .post("/v1/workspaces/walls-co/communities", &owner, json!({"name": "Visible", "slug": "visible", "timezone": "UTC", "region": "eu-west", "copy_roles_from": c2}))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // ...and then loses their role in the hidden one.
    let held = app.get(&format!("/v1/workspaces/walls-co/assignments?user_id={}&community_id={c2}", manager.id), &owner).await.expect(200);
    let held = held["items"][0]["id"].as_str().unwrap().to_owned();
    app.delete(&format!("/v1/workspaces/walls-co/assignments/{held}"), &owner).await.expect(204);
    // The hidden community's own people and keys.
    let carol = app.user("carol").await;
    app.add_member("walls-co", &owner, &carol, "member", json!([grant(&c2, &analyst)])).await;
    app.post(&format!("/v1/workspaces/walls-co/communities/{c2}/api-keys"), &owner, json!({"name": "Hidden key", "role_ids": [analyst]})).await.expect(201);
    app.post(&format!("/v1/workspaces/walls-co/communities/{c2}/intakes"), &owner, json!({"name": "Hidden feed", "kind": "edr"})).await.expect(201);
    // And in the visible one.
    app.post(&format!("/v1/workspaces/walls-co/communities/{c3}/api-keys"), &owner, json!({"name": "Visible key", "role_ids": [analyst]})).await.expect(201);

    let theirs = entries(&app, &manager, "walls-co").await;
    assert!(!theirs.is_empty());
    let made = find(&theirs, "community.create", &c3);
    assert_eq!(made["after"]["copied_roles_from"], c2, "the raw entry is the entry");
    assert_eq!(name(made, &c3), "Visible");
    assert_eq!(made["summary"], format!("olive created community “Visible”, with the role assignments of community {}…", &c2[..8]));
    let key = theirs.iter().find(|e| e["action"] == "api_key.create").unwrap();
    assert_eq!(key["summary"].as_str().unwrap().split(" (").next().unwrap(), "olive created API key “Visible key”");
    for e in &theirs {
        let about = e["after"]["community_id"].as_str().or(e["before"]["community_id"].as_str()).unwrap_or(e["target_id"].as_str().unwrap());
        assert_eq!(about, c3, "only their community's entries: {e:#}");
        let names = e["names"].to_string();
        assert!(e["names"].get(&c2).is_none() && e["names"].get(&carol.id).is_none(), "names outside: {e:#}");
        for hidden in ["Community hidden", "Hidden key", "Hidden feed", carol.email.as_str()] {
            assert!(!names.contains(hidden) && !e["summary"].as_str().unwrap().contains(hidden), "{hidden} named in {e:#}");
        }
    }
    // The owner, who sees the whole workspace, reads the hidden community's name in the same
    // kind of entry when it is about the workspace.
    let all = entries(&app, &owner, "walls-co").await;
    assert_eq!(name(find(&all, "api_key.create", all.iter().find(|e| e["after"]["name"] == "Hidden key").unwrap()["target_id"].as_str().unwrap()), &c2), "Community hidden");
}
