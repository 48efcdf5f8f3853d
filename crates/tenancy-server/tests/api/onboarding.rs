//! Onboarding a client: communities with every identity field (slug fixed once made, region by
//! plan), a community that starts with another's roles, intakes from a fixed list, invitations
//! accepted or declined once, and accounts created with the server's one password rule.

use crate::helpers::*;
use serde_json::{json, Value};

fn communities(ws: &str) -> String {
    format!("/v1/workspaces/{ws}/communities")
}

async fn count_communities(app: &TestApp, ws: &str, u: &User) -> usize {
    app.get(&communities(ws), u).await.expect(200)["items"].as_array().unwrap().len()
}

// ---------- communities ----------

#[tokio::test]
async fn a_community_keeps_every_identity_field_and_refuses_bad_ones_with_a_sentence() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    app.workspace(&owner, "acme-mssp", "pro").await;
    let c = app
        .post(&communities("acme-mssp"), &owner, json!({"name": "Contoso", "slug": "contoso", "timezone": "Europe/Paris", "contact_email": "SOC@Contoso.example", "region": "eu-central"}))
        .await
        .expect(201);
    let read = app.get(&format!("{}/{}", communities("acme-mssp"), c["id"].as_str().unwrap()), &owner).await.expect(200);
    assert_eq!(
        (&read["name"], &read["slug"], &read["settings"]["timezone"], &read["settings"]["contact_email"], &read["settings"]["region"]),
        (&json!("Contoso"), &json!("contoso"), &json!("Europe/Paris"), &json!("soc@contoso.example"), &json!("eu-central"))
    );
    let bad: &[(Value, &str)] = &[
        (json!({"name": "X", "slug": "x", "timezone": "UTC", "region": "eu-west"}), "between 3 and 30"),
        (json!({"name": "X", "slug": "xyz", "timezone": "Mars/Olympus", "region": "eu-west"}), "IANA time zone"),
        (json!({"name": "X", "slug": "xyz", "timezone": "UTC", "contact_email": "soc@contoso", "region": "eu-west"}), "name@domain.example"),
        (json!({"name": "X", "slug": "xyz", "timezone": "UTC", "region": "moon"}), "eu-west"),
        (json!({"name": "", "slug": "xyz", "timezone": "UTC", "region": "eu-west"}), "name is empty"),
    ];
    for (body, says) in bad {
        let d = app.post(&communities("acme-mssp"), &owner, body.clone()).await.problem(422, "validation");
        assert!(d.contains(says), "{body}: {d}");
    }
    let d = app.post(&communities("acme-mssp"), &owner, json!({"name": "Again", "slug": "contoso", "timezone": "UTC", "region": "eu-west"})).await.problem(409, "slug-taken");
    assert!(d.contains("contoso"), "{d}");
    assert_eq!(count_communities(&app, "acme-mssp", &owner).await, 2, "the first community and Contoso, nothing from the refusals");
}

#[tokio::test]
async fn a_community_slug_never_changes_and_edits_need_the_version_seen() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    app.workspace(&owner, "slugs-co", "pro").await;
    let c = app.new_community("slugs-co", &owner, "globex").await;
    let path = format!("{}/{}", communities("slugs-co"), c["id"].as_str().unwrap());
    let d = app.patch(&path, &owner, json!({"slug": "globex-2", "name": "Globex Two"})).await.problem(422, "validation");
    assert!(d.contains("slug is fixed") && d.contains("globex"), "{d}");
    let unchanged = app.get(&path, &owner).await.expect(200);
    assert_eq!((&unchanged["slug"], &unchanged["name"], &unchanged["version"]), (&json!("globex"), &c["name"], &c["version"]), "nothing of the refused change was written");
    let v = c["version"].as_i64().unwrap().to_string();
    let changed = app
        .call(reqwest::Method::PATCH, &path, Some(&owner.token), Some(json!({"name": "Globex Corp", "timezone": "America/New_York", "contact_email": null, "region": "us-east"})), &[("if-match", &format!("\"{v}\""))])
        .await
        .expect(200);
    assert_eq!((&changed["name"], &changed["settings"]["timezone"], &changed["settings"]["contact_email"], &changed["settings"]["region"]), (&json!("Globex Corp"), &json!("America/New_York"), &Value::Null, &json!("us-east")));
    app.call(reqwest::Method::PATCH, &path, Some(&owner.token), Some(json!({"name": "Stale"})), &[("if-match", &format!("\"{v}\""))]).await.problem(412, "precondition-failed");
}

#[tokio::test]
async fn the_free_plan_keeps_data_in_one_region_and_says_which_plan_allows_the_others() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    // A first community outside the free plan's region: no workspace is made.
    let d = app
        .post("/v1/workspaces", &owner, json!({"name": "Tiny", "slug": "tiny-co", "plan": "free", "first_community": {"name": "Tiny", "slug": "tiny-co", "timezone": "UTC", "region": "us-east"}}))
        .await
        .problem(409, "plan-limit");
    assert!(d.contains("eu-west only") && d.contains("starter"), "{d}");
    assert!(app.get("/v1/workspaces", &owner).await.expect(200)["items"].as_array().unwrap().is_empty());
    // In the region, then moved out of it: refused, and the community stays where it was.
    app.post("/v1/workspaces", &owner, json!({"name": "Tiny", "slug": "tiny-co", "plan": "free", "first_community": {"name": "Tiny", "slug": "tiny-co", "timezone": "UTC", "region": "eu-west"}}))
        .await
        .expect(201);
    let first = app.first_community("tiny-co", &owner).await;
    let path = format!("{}/{}", communities("tiny-co"), first["id"].as_str().unwrap());
    app.patch(&path, &owner, json!({"region": "ap-southeast"})).await.problem(409, "plan-limit");
    assert_eq!(app.get(&path, &owner).await.expect(200)["settings"]["region"], "eu-west");
    // A paid plan allows every region; going back to free with data elsewhere is refused.
    app.put("/v1/workspaces/tiny-co/plan", &owner, json!({"plan": "starter"})).await.expect(200);
    app.patch(&path, &owner, json!({"region": "ap-southeast"})).await.expect(200);
    let d = app.put("/v1/workspaces/tiny-co/plan", &owner, json!({"plan": "free"})).await.problem(409, "plan-limit");
    assert!(d.contains("ap-southeast") && d.contains("eu-west only"), "{d}");
    assert_eq!(app.get("/v1/workspaces/tiny-co", &owner).await.expect(200)["plan"], "starter");
}

#[tokio::test]
async fn a_new_community_can_start_with_another_communitys_roles_all_or_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    app.workspace(&owner, "template-co", "pro").await;
    let template = app.new_community("template-co", &owner, "tier-one").await;
    let tid = template["id"].as_str().unwrap().to_owned();
    let analyst = app.role_id("template-co", &owner, "Analyst").await;
    let guest = app.role_id("template-co", &owner, "Guest").await;
    let (ann, bob) = (app.user("ann").await, app.user("bob").await);
    app.add_member("template-co", &owner, &ann, "member", json!([grant(&tid, &analyst), grant(&tid, &guest)])).await;
    app.add_member("template-co", &owner, &bob, "member", json!([grant(&tid, &guest)])).await;
    let held = |a: &Value, c: &str| -> Vec<(String, String)> {
        let mut v: Vec<_> = a["items"].as_array().unwrap().iter().filter(|x| x["community_id"] == c).map(|x| (x["user_id"].as_str().unwrap().to_owned(), x["role_id"].as_str().unwrap().to_owned())).collect();
        v.sort();
        v
    };
    let audit_before = app.get("/v1/workspaces/template-co/audit?limit=1000", &owner).await.expect(200)["items"].as_array().unwrap().len();

    let copy = app
        .post(&communities("template-co"), &owner, json!({"name": "Tier one B", "slug": "tier-one-b", "timezone": "UTC", "region": "eu-west", "copy_roles_from": tid}))
        .await
        .expect(201);
    let all = app.get("/v1/workspaces/template-co/assignments?limit=1000", &owner).await.expect(200);
    assert_eq!(held(&all, copy["id"].as_str().unwrap()), held(&all, &tid), "the same people with the same roles");
    assert_eq!(held(&all, &tid).len(), 3);
    let audit = app.get("/v1/workspaces/template-co/audit?limit=1000", &owner).await.expect(200);
    assert_eq!(audit["items"].as_array().unwrap().len(), audit_before + 1, "one audit entry for the community and its copied roles");
    assert_eq!(audit["items"][0]["after"]["copied_assignments"], 3);

    // A template that is not this workspace's: refused, and no community is made.
    app.workspace(&owner, "other-co", "pro").await;
    let foreign = app.first_community("other-co", &owner).await["id"].as_str().unwrap().to_owned();
    app.post(&communities("template-co"), &owner, json!({"name": "Nope", "slug": "nope", "timezone": "UTC", "region": "eu-west", "copy_roles_from": foreign})).await.problem(404, "not-found");
    assert_eq!(count_communities(&app, "template-co", &owner).await, 3, "first, tier-one, tier-one-b");
}

// ---------- intakes ----------

#[tokio::test]
async fn intakes_come_from_a_fixed_list_of_kinds_and_can_be_renamed() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    app.workspace(&owner, "intake-co", "pro").await;
    let c = app.first_community("intake-co", &owner).await["id"].as_str().unwrap().to_owned();
    let intakes = format!("/v1/workspaces/intake-co/communities/{c}/intakes");
    let d = app.post(&intakes, &owner, json!({"name": "Splunk", "kind": "siem"})).await.problem(422, "validation");
    assert!(d.contains("`edr`, `firewall`, `cloud`, `identity`, `email`, `other`"), "{d}");
    let edr = app.post(&intakes, &owner, json!({"name": "CrowdStrike", "kind": "edr"})).await.expect(201);
    let renamed = app.patch(&format!("{intakes}/{}", edr["id"].as_str().unwrap()), &owner, json!({"name": "CrowdStrike Falcon"})).await.expect(200);
    assert_eq!((&renamed["name"], &renamed["kind"]), (&json!("CrowdStrike Falcon"), &json!("edr")));
    let list = app.get(&intakes, &owner).await.expect(200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["name"], "CrowdStrike Falcon");
}

// ---------- invitations, the invitee's side ----------

async fn invite(app: &TestApp, ws: &str, by: &User, email: &str, assignments: Value) -> String {
    app.post(&format!("/v1/workspaces/{ws}/invitations"), by, json!({"email": email, "assignments": assignments})).await.expect(201)["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_invitee_sees_what_is_offered_and_accepts_or_declines_once() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    app.workspace(&owner, "invite-co", "pro").await;
    let c = app.first_community("invite-co", &owner).await;
    let analyst = app.role_id("invite-co", &owner, "Analyst").await;
    let dana = app.user("dana").await;
    let first = invite(&app, "invite-co", &owner, &dana.email, json!([grant(c["id"].as_str().unwrap(), &analyst)])).await;

    let me = app.get("/v1/me", &dana).await.expect(200);
    let offer = &me["invitations"][0];
    assert_eq!((&offer["invitation"]["id"], &offer["workspace_name"], &offer["workspace_slug"]), (&json!(first), &json!("WS invite-co"), &json!("invite-co")));
    assert_eq!((&offer["invited_by_email"], &offer["invited_by_name"]), (&json!(owner.email), &json!("owner")));
    assert_eq!(offer["roles"], json!([{"community": c["name"], "role": "Analyst", "assignment_type": "dedicated"}]));

    // Someone else cannot answer it; the invitee declines it, once.
    let eve = app.user("eve").await;
    app.post(&format!("/v1/invitations/{first}/decline"), &eve, json!({})).await.problem(404, "not-found");
    let declined = app.post(&format!("/v1/invitations/{first}/decline"), &dana, json!({})).await.expect(200);
    assert_eq!(declined["status"], "declined");
    assert!(app.get("/v1/me", &dana).await.expect(200)["invitations"].as_array().unwrap().is_empty());
    assert!(app.post(&format!("/v1/invitations/{first}/accept"), &dana, json!({})).await.problem(409, "invitation-closed").contains("declined"));
    assert!(app.post(&format!("/v1/invitations/{first}/decline"), &dana, json!({})).await.problem(409, "invitation-closed").contains("declined"));
    assert_eq!(app.get("/v1/workspaces/invite-co/usage", &owner).await.expect(200)["pending_invitations"], 0, "a declined invitation takes no seat");

    // A revoked one and an expired one say so; a new one is accepted and lets them in.
    let revoked = invite(&app, "invite-co", &owner, &dana.email, json!([])).await;
    app.delete(&format!("/v1/workspaces/invite-co/invitations/{revoked}"), &owner).await.expect(200);
    assert!(app.post(&format!("/v1/invitations/{revoked}/decline"), &dana, json!({})).await.problem(409, "invitation-closed").contains("revoked"));
    let expired = invite(&app, "invite-co", &owner, &dana.email, json!([])).await;
    let pool = app.db().await;
    sqlx::query("UPDATE invitations SET expires_at = 1 WHERE id = $1").bind(&expired).execute(&pool).await.unwrap();
    pool.close().await;
    assert!(app.post(&format!("/v1/invitations/{expired}/accept"), &dana, json!({})).await.problem(409, "invitation-closed").contains("expired"));
    let good = invite(&app, "invite-co", &owner, &dana.email, json!([])).await;
    app.post(&format!("/v1/invitations/{good}/accept"), &dana, json!({})).await.expect(200);
    let mine = app.get("/v1/workspaces", &dana).await.expect(200);
    assert_eq!(mine["items"][0]["workspace"]["slug"], "invite-co");
}

// ---------- accounts ----------

#[tokio::test]
async fn an_account_is_created_with_the_one_password_rule_explained() {
    let app = TestApp::spawn().await;
    let register = |email: &str, password: &str| json!({"email": email, "display_name": "Dana Scully", "password": password});
    let d = app.call(reqwest::Method::POST, "/v1/auth/register", None, Some(register("dana@new.example", "too short")), &[]).await.problem(422, "validation");
    assert!(d.contains("at least 12 characters"), "{d}");
    let s = app.call(reqwest::Method::POST, "/v1/auth/register", None, Some(register("Dana@New.example", "twelve chars")), &[]).await.expect(201);
    assert_eq!(s["user"]["email"], "dana@new.example");
    let me = app.call(reqwest::Method::GET, "/v1/me", Some(s["access_token"].as_str().unwrap()), None, &[]).await.expect(200);
    assert_eq!(me["user"]["display_name"], "Dana Scully");
    app.call(reqwest::Method::POST, "/v1/auth/register", None, Some(register("dana@new.example", "another good one")), &[]).await.problem(409, "conflict");
}

#[tokio::test]
async fn the_client_portal_switches_are_a_community_setting_for_its_managers() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    app.workspace(&owner, "portal-co", "pro").await;
    let c = app.new_community("portal-co", &owner, "initech").await;
    let path = format!("{}/{}", communities("portal-co"), c["id"].as_str().unwrap());
    assert_eq!(c["settings"]["portal"], json!({"enabled": false, "show_team": false}), "off for a new community");
    let changed = app.patch(&path, &owner, json!({"portal": {"enabled": true, "show_team": true}})).await.expect(200);
    assert_eq!(changed["settings"]["portal"], json!({"enabled": true, "show_team": true}));
    assert_eq!(app.get(&path, &owner).await.expect(200)["settings"]["portal"], json!({"enabled": true, "show_team": true}), "kept");
    // A Guest there reads it (community.read) but may not change it (community.manage).
    let guest_role = app.role_id("portal-co", &owner, "Guest").await;
    let guest = app.user("guest").await;
    app.add_member("portal-co", &owner, &guest, "member", json!([{"community_id": c["id"], "role_id": guest_role}])).await;
    assert_eq!(app.get(&path, &guest).await.expect(200)["settings"]["portal"]["enabled"], true);
    app.patch(&path, &guest, json!({"portal": {"enabled": false, "show_team": false}})).await.problem(403, "forbidden");
    assert_eq!(app.get(&path, &owner).await.expect(200)["settings"]["portal"]["enabled"], true, "nothing of the refusal was written");
}
