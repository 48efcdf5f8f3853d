//! Replacing a member's roles in some communities is one change: one request, one audit entry,
//! all of it or nothing.

use crate::helpers::*;
use serde_json::json;
use std::collections::BTreeSet;

#[tokio::test]
async fn replacing_roles_is_one_change_with_one_audit_entry_all_or_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.user("olive").await;
    app.workspace(&owner, "replace-co", "pro").await;
    let a = app.first_community("replace-co", &owner).await["id"].as_str().unwrap().to_owned();
    let b = app.new_community("replace-co", &owner, "bravo").await["id"].as_str().unwrap().to_owned();
    let (guest, analyst, admin) = (app.role_id("replace-co", &owner, "Guest").await, app.role_id("replace-co", &owner, "Analyst").await, app.role_id("replace-co", &owner, "Admin").await);
    let dana = app.user("dana").await;
    app.add_member("replace-co", &owner, &dana, "member", json!([grant(&a, &guest), grant(&a, &analyst), grant(&b, &guest)])).await;
    let base = "/v1/workspaces/replace-co";
    let held = || async {
        let page = app.get(&format!("{base}/assignments?user_id={}&limit=100", dana.id), &owner).await.expect(200);
        page["items"].as_array().unwrap().iter().map(|x| (x["community_id"].as_str().unwrap().to_owned(), x["role_id"].as_str().unwrap().to_owned())).collect::<BTreeSet<_>>()
    };
    let audit_count = || async { app.get(&format!("{base}/audit?action=member.assign_roles&limit=1000"), &owner).await.expect(200)["items"].as_array().unwrap().len() };
    let before_count = audit_count().await;

    // A community Admin of B only may not take A's roles away: refused, and nothing changes.
    let carl = app.user("carl").await;
    app.add_member("replace-co", &owner, &carl, "member", json!([grant(&b, &admin)])).await;
    let refused = app.post(&format!("{base}/members/{}/assignments", dana.id), &carl, json!({"assignments": [grant(&b, &analyst), grant(&a, &guest)], "replace": true})).await;
    assert_ne!(refused.status.as_u16(), 200, "{}", refused.body);
    assert_eq!(held().await, BTreeSet::from([(a.clone(), guest.clone()), (a.clone(), analyst.clone()), (b.clone(), guest.clone())]), "all or nothing: B kept its Guest");

    // Admin becomes Dana's only role in A; B is untouched.
    let made = app.post(&format!("{base}/members/{}/assignments", dana.id), &owner, json!({"assignments": [grant(&a, &admin)], "replace": true})).await.expect(200);
    assert_eq!(made.as_array().unwrap().len(), 1);
    assert_eq!(held().await, BTreeSet::from([(a.clone(), admin.clone()), (b.clone(), guest.clone())]));
    assert_eq!(audit_count().await, before_count + 1, "one audit entry for the whole change");
    let entry = app.get(&format!("{base}/audit?action=member.assign_roles&limit=1"), &owner).await.expect(200)["items"][0].clone();
    let removed: BTreeSet<&str> = entry["before"].as_array().unwrap().iter().map(|x| x["role_id"].as_str().unwrap()).collect();
    assert_eq!(removed, BTreeSet::from([guest.as_str(), analyst.as_str()]), "the entry says what went: {entry}");
    assert_eq!(entry["after"][0]["role_id"], admin.as_str());

    // Replacing with what they hold already changes nothing else: still one role in A.
    app.post(&format!("{base}/members/{}/assignments", dana.id), &owner, json!({"assignments": [grant(&a, &admin)], "replace": true})).await.expect(200);
    assert_eq!(held().await, BTreeSet::from([(a.clone(), admin.clone()), (b.clone(), guest.clone())]));
}
