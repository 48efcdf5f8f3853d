//! PRODUCT.md "Who may do what": every row, allowed and refused, over HTTP. After each refusal
//! the resource is read again to show nothing changed.

use crate::helpers::*;
use reqwest::Method;
use serde_json::{json, Value};

const WS: &str = "gating-co";

/// A starter workspace (room for several communities) with an owner, a workspace admin and a
/// plain member (no community roles), and two communities.
struct Fx {
    app: TestApp,
    owner: User,
    admin: User,
    member: User,
    c1: String,
    c2: String,
}

async fn fx() -> Fx {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    app.workspace(&owner, WS, "starter").await;
    let c1 = app.first_community(WS, &owner).await["id"].as_str().unwrap().to_owned();
    let c2 = app.new_community(WS, &owner, "second").await["id"].as_str().unwrap().to_owned();
    let admin = app.user("admin").await;
    app.add_member(WS, &owner, &admin, "admin", json!([])).await;
    let member = app.user("member").await;
    app.add_member(WS, &owner, &member, "member", json!([])).await;
    Fx { app, owner, admin, member, c1, c2 }
}

impl Fx {
    fn p(&self, rest: &str) -> String {
        format!("/v1/workspaces/{WS}{rest}")
    }
    async fn workspace(&self) -> Value {
        self.app.get(&self.p(""), &self.owner).await.expect(200)
    }
    async fn member_role(&self, u: &User) -> Option<String> {
        let a = self.app.get(&self.p(&format!("/members/{}", u.id)), &self.owner).await;
        if a.status == 404 {
            return None;
        }
        Some(a.expect(200)["role"].as_str().unwrap().to_owned())
    }
    async fn community_slugs(&self) -> Vec<String> {
        let b = self.app.get(&self.p("/communities"), &self.owner).await.expect(200);
        b["items"].as_array().unwrap().iter().map(|c| c["slug"].as_str().unwrap().to_owned()).collect()
    }
    async fn invitation_emails(&self) -> Vec<String> {
        let b = self.app.get(&self.p("/invitations"), &self.owner).await.expect(200);
        b["items"].as_array().unwrap().iter().map(|i| i["email"].as_str().unwrap().to_owned()).collect()
    }
    /// (community, role) pairs the user holds.
    async fn assignments_of(&self, u: &User) -> Vec<(String, String)> {
        let b = self.app.get(&self.p(&format!("/assignments?user_id={}", u.id)), &self.owner).await.expect(200);
        let mut v: Vec<_> = b["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| (a["community_id"].as_str().unwrap().to_owned(), a["role_id"].as_str().unwrap().to_owned()))
            .collect();
        v.sort();
        v
    }
    async fn role_names(&self) -> Vec<String> {
        let b = self.app.get(&self.p("/roles"), &self.owner).await.expect(200);
        let mut v: Vec<_> = b["items"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_owned()).collect();
        v.sort();
        v
    }
    async fn api_keys(&self, community: &str) -> Vec<Value> {
        self.app.get(&self.p(&format!("/communities/{community}/api-keys")), &self.owner).await.expect(200)["items"].as_array().unwrap().clone()
    }
    async fn role(&self, name: &str) -> String {
        self.app.role_id(WS, &self.owner, name).await
    }
    /// A new plain member holding `role` in `community`.
    async fn member_with(&self, name: &str, community: &str, role: &str) -> User {
        let u = self.app.user(name).await;
        self.app.add_member(WS, &self.owner, &u, "member", json!([grant(community, role)])).await;
        u
    }
    async fn assign(&self, by: &User, to: &User, community: &str, role: &str) -> Answer {
        self.app.post(&self.p(&format!("/members/{}/assignments", to.id)), by, json!({"assignments": [grant(community, role)]})).await
    }
    async fn two_factor(&self, u: &User) -> bool {
        self.app.get(&self.p(&format!("/members/{}", u.id)), &self.owner).await.expect(200)["two_factor_enabled"].as_bool().unwrap()
    }
}

fn create_community_body(slug: &str) -> Value {
    json!({"name": format!("C {slug}"), "slug": slug, "timezone": "Europe/Paris", "region": "eu-central"})
}

// ---------- create workspace: any signed-in user ----------

#[tokio::test]
async fn any_signed_in_user_may_create_a_workspace() {
    let app = TestApp::spawn().await;
    let someone = app.user("someone").await;
    let ws = app.post("/v1/workspaces", &someone, json!({"name": "Someone", "slug": "someone-co"})).await.expect(201);
    assert_eq!(ws["plan"], "free", "plan defaults to free");
    let mine = app.get("/v1/workspaces", &someone).await.expect(200);
    let items = mine["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["workspace"]["slug"], "someone-co");
    assert_eq!(items[0]["role"], "owner", "the creator is the owner");
}

#[tokio::test]
async fn signed_out_caller_cannot_create_a_workspace() {
    let app = TestApp::spawn().await;
    let a = app.call(Method::POST, "/v1/workspaces", None, Some(json!({"name": "Anon", "slug": "anon-co"})), &[]).await;
    a.problem(401, "unauthenticated");
    let a = app.call(Method::POST, "/v1/workspaces", Some("not-a-token"), Some(json!({"name": "Anon", "slug": "anon-co"})), &[]).await;
    a.problem(401, "unauthenticated");
    // The slug is still free: nothing was created.
    let u = app.user("later").await;
    app.workspace(&u, "anon-co", "free").await;
}

// ---------- rename workspace: admin, owner ----------

#[tokio::test]
async fn admin_and_owner_may_rename_workspace() {
    let f = fx().await;
    let w = f.app.patch(&f.p(""), &f.admin, json!({"name": "Renamed by admin"})).await.expect(200);
    assert_eq!(w["name"], "Renamed by admin");
    let w = f.app.patch(&f.p(""), &f.owner, json!({"name": "Renamed by owner"})).await.expect(200);
    assert_eq!(w["name"], "Renamed by owner");
    assert_eq!(f.workspace().await["name"], "Renamed by owner");
}

#[tokio::test]
async fn member_cannot_rename_workspace() {
    let f = fx().await;
    let before = f.workspace().await;
    let d = f.app.patch(&f.p(""), &f.member, json!({"name": "Hijacked"})).await.problem(403, "forbidden");
    assert!(d.contains("admins and owners"), "{d}");
    // A community Admin is still only a workspace member.
    let cadmin = f.member_with("cadmin", &f.c1, &f.role("Admin").await).await;
    f.app.patch(&f.p(""), &cadmin, json!({"name": "Hijacked"})).await.problem(403, "forbidden");
    let after = f.workspace().await;
    assert_eq!(after["name"], before["name"]);
    assert_eq!(after["version"], before["version"]);
}

// ---------- create community: admin, owner ----------

#[tokio::test]
async fn admin_and_owner_may_create_communities() {
    let f = fx().await;
    f.app.post(&f.p("/communities"), &f.admin, create_community_body("by-admin")).await.expect(201);
    f.app.post(&f.p("/communities"), &f.owner, create_community_body("by-owner")).await.expect(201);
    let slugs = f.community_slugs().await;
    assert!(slugs.contains(&"by-admin".to_owned()) && slugs.contains(&"by-owner".to_owned()), "{slugs:?}");
}

#[tokio::test]
async fn member_cannot_create_community() {
    let f = fx().await;
    let before = f.community_slugs().await;
    f.app.post(&f.p("/communities"), &f.member, create_community_body("by-member")).await.problem(403, "forbidden");
    let cadmin = f.member_with("cadmin", &f.c1, &f.role("Admin").await).await;
    f.app.post(&f.p("/communities"), &cadmin, create_community_body("by-cadmin")).await.problem(403, "forbidden");
    assert_eq!(f.community_slugs().await, before);
}

// ---------- invite / remove workspace member: admin, owner ----------

#[tokio::test]
async fn admin_and_owner_may_invite_members() {
    let f = fx().await;
    f.app.post(&f.p("/invitations"), &f.admin, json!({"email": "by-admin@test.example", "workspace_role": "member"})).await.expect(201);
    f.app.post(&f.p("/invitations"), &f.admin, json!({"email": "admin-by-admin@test.example", "workspace_role": "admin"})).await.expect(201);
    f.app.post(&f.p("/invitations"), &f.owner, json!({"email": "by-owner@test.example", "workspace_role": "member"})).await.expect(201);
    let emails = f.invitation_emails().await;
    for e in ["by-admin@test.example", "admin-by-admin@test.example", "by-owner@test.example"] {
        assert!(emails.contains(&e.to_owned()), "{e} in {emails:?}");
    }
}

#[tokio::test]
async fn member_cannot_invite_members() {
    let f = fx().await;
    let guest = f.role("Guest").await;
    let analyst = f.member_with("analyst", &f.c1, &f.role("Analyst").await).await;
    let before = f.invitation_emails().await;
    f.app.post(&f.p("/invitations"), &f.member, json!({"email": "x1@test.example", "workspace_role": "member"})).await.problem(403, "forbidden");
    f.app.post(&f.p("/invitations"), &f.member, json!({"email": "x2@test.example", "workspace_role": "admin"})).await.problem(403, "forbidden");
    f.app
        .post(&f.p("/invitations"), &f.member, json!({"email": "x3@test.example", "workspace_role": "member", "assignments": [grant(&f.c1, &guest)]}))
        .await
        // Holding no role in c1, they do not see it.
        .problem(404, "not-found");
    // An Analyst does not hold members.invite either.
    f.app
        .post(&f.p("/invitations"), &analyst, json!({"email": "x4@test.example", "workspace_role": "member", "assignments": [grant(&f.c1, &guest)]}))
        .await
        .problem(403, "forbidden");
    assert_eq!(f.invitation_emails().await, before);
}

#[tokio::test]
async fn admin_and_owner_may_remove_members() {
    let f = fx().await;
    let a = f.app.user("a").await;
    let b = f.app.user("b").await;
    let other_admin = f.app.user("other-admin").await;
    f.app.add_member(WS, &f.owner, &a, "member", json!([grant(&f.c1, &f.role("Analyst").await)])).await;
    f.app.add_member(WS, &f.owner, &b, "member", json!([])).await;
    f.app.add_member(WS, &f.owner, &other_admin, "admin", json!([])).await;
    assert_eq!(f.app.delete(&f.p(&format!("/members/{}", a.id)), &f.admin).await.status, 204);
    assert_eq!(f.app.delete(&f.p(&format!("/members/{}", other_admin.id)), &f.admin).await.status, 204);
    assert_eq!(f.app.delete(&f.p(&format!("/members/{}", b.id)), &f.owner).await.status, 204);
    for u in [&a, &b, &other_admin] {
        assert_eq!(f.member_role(u).await, None);
    }
    assert!(f.assignments_of(&a).await.is_empty(), "a removed member's community roles go with them");
    f.app.get(&f.p(""), &a).await.problem(404, "not-found");
}

#[tokio::test]
async fn member_cannot_remove_members() {
    let f = fx().await;
    let victim = f.app.user("victim").await;
    f.app.add_member(WS, &f.owner, &victim, "member", json!([grant(&f.c1, &f.role("Guest").await)])).await;
    // Without a community in common, the others do not exist for a member.
    for u in [&victim, &f.admin, &f.owner] {
        f.app.delete(&f.p(&format!("/members/{}", u.id)), &f.member).await.problem(404, "not-found");
    }
    // Sharing one, they see the victim but may not remove them.
    let analyst = f.member_with("analyst", &f.c1, &f.role("Analyst").await).await;
    f.app.delete(&f.p(&format!("/members/{}", victim.id)), &analyst).await.problem(403, "forbidden");
    // Holding members.remove through a community Admin role does not make one a workspace admin.
    let cadmin = f.member_with("cadmin", &f.c1, &f.role("Admin").await).await;
    f.app.delete(&f.p(&format!("/members/{}", victim.id)), &cadmin).await.problem(403, "forbidden");
    assert_eq!(f.member_role(&victim).await.as_deref(), Some("member"));
    assert_eq!(f.member_role(&f.admin).await.as_deref(), Some("admin"));
    assert_eq!(f.member_role(&f.owner).await.as_deref(), Some("owner"));
}

#[tokio::test]
async fn member_may_leave() {
    let f = fx().await;
    assert_eq!(f.app.delete(&f.p(&format!("/members/{}", f.member.id)), &f.member).await.status, 204);
    assert_eq!(f.member_role(&f.member).await, None);
}

// ---------- change plan: owner ----------

#[tokio::test]
async fn owner_may_change_plan() {
    let f = fx().await;
    let w = f.app.put(&f.p("/plan"), &f.owner, json!({"plan": "pro"})).await.expect(200);
    assert_eq!(w["plan"], "pro");
    assert_eq!(w["limits"]["max_communities"], 100);
    assert_eq!(f.workspace().await["plan"], "pro");
}

#[tokio::test]
async fn admin_cannot_change_plan() {
    let f = fx().await;
    let before = f.workspace().await;
    let d = f.app.put(&f.p("/plan"), &f.admin, json!({"plan": "pro"})).await.problem(403, "forbidden");
    assert!(d.contains("owner"), "{d}");
    f.app.put(&f.p("/plan"), &f.member, json!({"plan": "pro"})).await.problem(403, "forbidden");
    let after = f.workspace().await;
    assert_eq!(after["plan"], "starter");
    assert_eq!(after["version"], before["version"]);
}

// ---------- grant / transfer ownership: owner ----------

#[tokio::test]
async fn owner_may_grant_and_transfer_ownership() {
    let f = fx().await;
    // Grant: the admin becomes a second owner.
    let m = f.app.patch(&f.p(&format!("/members/{}", f.admin.id)), &f.owner, json!({"role": "owner"})).await.expect(200);
    assert_eq!(m["role"], "owner");
    // Transfer: the original owner steps down; the new owner holds the workspace alone.
    f.app.patch(&f.p(&format!("/members/{}", f.owner.id)), &f.owner, json!({"role": "admin"})).await.expect(200);
    assert_eq!(f.member_role(&f.owner).await.as_deref(), Some("admin"));
    assert_eq!(f.member_role(&f.admin).await.as_deref(), Some("owner"));
    // The former owner has lost owner powers.
    f.app.put(&f.p("/plan"), &f.owner, json!({"plan": "pro"})).await.problem(403, "forbidden");
    f.app.put(&f.p("/plan"), &f.admin, json!({"plan": "pro"})).await.expect(200);
    // Owners may also invite owners.
    f.app.post(&f.p("/invitations"), &f.admin, json!({"email": "co-owner@test.example", "workspace_role": "owner"})).await.expect(201);
}

#[tokio::test]
async fn admin_cannot_grant_or_take_ownership() {
    let f = fx().await;
    let other_admin = f.app.user("other-admin").await;
    f.app.add_member(WS, &f.owner, &other_admin, "admin", json!([])).await;
    // Promote themselves, another admin, a member.
    for target in [&f.admin, &other_admin, &f.member] {
        f.app.patch(&f.p(&format!("/members/{}", target.id)), &f.admin, json!({"role": "owner"})).await.problem(403, "forbidden");
    }
    // Demote or remove the owner.
    f.app.patch(&f.p(&format!("/members/{}", f.owner.id)), &f.admin, json!({"role": "member"})).await.problem(403, "forbidden");
    f.app.delete(&f.p(&format!("/members/{}", f.owner.id)), &f.admin).await.problem(403, "forbidden");
    // Invite a new owner.
    f.app.post(&f.p("/invitations"), &f.admin, json!({"email": "sneaky@test.example", "workspace_role": "owner"})).await.problem(403, "forbidden");
    // A member cannot either.
    f.app.patch(&f.p(&format!("/members/{}", f.member.id)), &f.member, json!({"role": "owner"})).await.problem(403, "forbidden");
    f.app.patch(&f.p(&format!("/members/{}", f.member.id)), &f.member, json!({"role": "admin"})).await.problem(403, "forbidden");

    assert_eq!(f.member_role(&f.owner).await.as_deref(), Some("owner"));
    assert_eq!(f.member_role(&f.admin).await.as_deref(), Some("admin"));
    assert_eq!(f.member_role(&other_admin).await.as_deref(), Some("admin"));
    assert_eq!(f.member_role(&f.member).await.as_deref(), Some("member"));
    assert!(!f.invitation_emails().await.contains(&"sneaky@test.example".to_owned()));
    let owners = f.app.get(&f.p("/members?role=owner"), &f.owner).await.expect(200);
    assert_eq!(owners["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn admin_may_change_non_owner_workspace_roles() {
    let f = fx().await;
    f.app.patch(&f.p(&format!("/members/{}", f.member.id)), &f.admin, json!({"role": "admin"})).await.expect(200);
    assert_eq!(f.member_role(&f.member).await.as_deref(), Some("admin"));
    f.app.patch(&f.p(&format!("/members/{}", f.member.id)), &f.admin, json!({"role": "member"})).await.expect(200);
    assert_eq!(f.member_role(&f.member).await.as_deref(), Some("member"));
}

// ---------- delete workspace: owner ----------

#[tokio::test]
async fn owner_may_delete_workspace() {
    let f = fx().await;
    let w = f.app.delete(&f.p(&format!("?confirm={WS}")), &f.owner).await.expect(200);
    assert!(w["deleted_at"].is_string(), "{w}");
    f.app.get(&f.p(""), &f.owner).await.problem(404, "not-found");
}

#[tokio::test]
async fn admin_cannot_delete_workspace() {
    let f = fx().await;
    let d = f.app.delete(&f.p(&format!("?confirm={WS}")), &f.admin).await.problem(403, "forbidden");
    assert!(d.contains("owner"), "{d}");
    f.app.delete(&f.p(&format!("?confirm={WS}")), &f.member).await.problem(403, "forbidden");
    let w = f.workspace().await;
    assert!(w["deleted_at"].is_null());
    f.app.get(&f.p(""), &f.admin).await.expect(200);
}

// ---------- restore deleted workspace: platform admin ----------

#[tokio::test]
async fn only_platform_admin_may_restore_workspace() {
    let f = fx().await;
    let id = f.workspace().await["id"].as_str().unwrap().to_owned();
    f.app.delete(&f.p(&format!("?confirm={WS}")), &f.owner).await.expect(200);
    for who in [&f.owner, &f.admin, &f.member] {
        f.app.post(&format!("/v1/admin/workspaces/{id}/restore"), who, json!({})).await.problem(403, "forbidden");
    }
    f.app.get(&f.p(""), &f.owner).await.problem(404, "not-found");
    let pa = f.app.user("platform").await;
    f.app.make_platform_admin(&pa).await;
    let w = f.app.post(&format!("/v1/admin/workspaces/{id}/restore"), &pa, json!({})).await.expect(200);
    assert!(w["deleted_at"].is_null());
    assert!(f.workspace().await["deleted_at"].is_null());
}

// ---------- assign community roles: roles.manage in that community ----------

#[tokio::test]
async fn community_admin_may_assign_roles_in_that_community_only() {
    let f = fx().await;
    let admin_role = f.role("Admin").await;
    let analyst = f.role("Analyst").await;
    let cadmin = f.member_with("cadmin", &f.c1, &admin_role).await;
    let guest = f.role("Guest").await;
    let target = f.app.user("target").await;
    f.app.add_member(WS, &f.owner, &target, "member", json!([])).await;
    // Someone without a role in their community does not exist for a community admin.
    f.assign(&cadmin, &target, &f.c1, &analyst).await.problem(404, "not-found");
    f.assign(&f.owner, &target, &f.c1, &guest).await.expect(200);

    let made = f.assign(&cadmin, &target, &f.c1, &analyst).await.expect(200);
    assert_eq!(made.as_array().unwrap().len(), 1);
    let mut both = vec![(f.c1.clone(), analyst.clone()), (f.c1.clone(), guest.clone())];
    both.sort();
    assert_eq!(f.assignments_of(&target).await, both);

    // A community they see but do not administer: refused for want of roles.manage there.
    f.assign(&f.owner, &cadmin, &f.c2, &guest).await.expect(200);
    let d = f.assign(&cadmin, &target, &f.c2, &analyst).await.problem(403, "forbidden");
    assert!(d.contains("roles.manage"), "{d}");
    // All or none: a batch with one community out of reach gives nothing.
    f.app
        .post(&f.p(&format!("/members/{}/assignments", target.id)), &cadmin, json!({"assignments": [grant(&f.c1, &guest), grant(&f.c2, &guest)]}))
        .await
        .problem(403, "forbidden");
    assert_eq!(f.assignments_of(&target).await, both);

    // Taking a role away follows the same rule.
    let c2_grant = f.assign(&f.owner, &target, &f.c2, &analyst).await.expect(200)[0]["id"].as_str().unwrap().to_owned();
    f.app.delete(&f.p(&format!("/assignments/{c2_grant}")), &cadmin).await.problem(403, "forbidden");
    assert_eq!(f.assignments_of(&target).await.len(), 3);
    let c1_grant = made[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(f.app.delete(&f.p(&format!("/assignments/{c1_grant}")), &cadmin).await.status, 204);
    let mut left = vec![(f.c1.clone(), guest.clone()), (f.c2.clone(), analyst.clone())];
    left.sort();
    assert_eq!(f.assignments_of(&target).await, left);
}

#[tokio::test]
async fn workspace_admin_and_owner_may_assign_roles_everywhere() {
    let f = fx().await;
    let analyst = f.role("Analyst").await;
    let admin_role = f.role("Admin").await;
    f.assign(&f.admin, &f.member, &f.c1, &analyst).await.expect(200);
    f.assign(&f.admin, &f.member, &f.c2, &admin_role).await.expect(200);
    f.assign(&f.owner, &f.member, &f.c2, &analyst).await.expect(200);
    let mut want = vec![(f.c1.clone(), analyst.clone()), (f.c2.clone(), admin_role.clone()), (f.c2.clone(), analyst.clone())];
    want.sort();
    assert_eq!(f.assignments_of(&f.member).await, want);
}

#[tokio::test]
async fn member_without_roles_manage_cannot_assign_roles() {
    let f = fx().await;
    let analyst = f.role("Analyst").await;
    let guest = f.role("Guest").await;
    let a = f.member_with("analyst", &f.c1, &analyst).await;
    let target = f.app.user("target").await;
    f.app.add_member(WS, &f.owner, &target, "member", json!([grant(&f.c1, &guest)])).await;
    let before = f.assignments_of(&target).await;
    f.assign(&a, &target, &f.c1, &guest).await.problem(403, "forbidden");
    f.assign(&a, &target, &f.c1, &analyst).await.problem(403, "forbidden");
    // A member without a role in c1 sees neither c1 nor its people.
    f.assign(&f.member, &target, &f.c1, &analyst).await.problem(404, "not-found");
    // Nor raise themselves.
    f.assign(&a, &a, &f.c1, &f.role("Admin").await).await.problem(403, "forbidden");
    let gid = f.app.get(&f.p(&format!("/assignments?user_id={}", target.id)), &f.owner).await.expect(200)["items"][0]["id"].as_str().unwrap().to_owned();
    f.app.delete(&f.p(&format!("/assignments/{gid}")), &a).await.problem(403, "forbidden");
    assert_eq!(f.assignments_of(&target).await, before);
    assert_eq!(f.assignments_of(&a).await, vec![(f.c1.clone(), analyst)]);
}

// ---------- manage custom roles: roles.manage ----------

#[tokio::test]
async fn roles_manage_holder_may_manage_custom_roles() {
    let f = fx().await;
    let cadmin = f.member_with("cadmin", &f.c1, &f.role("Admin").await).await;
    let id = f.app.custom_role(WS, &cadmin, "Triage", &["alerts.read", "alerts.comment"]).await;
    let r = f.app.patch(&f.p(&format!("/roles/{id}")), &cadmin, json!({"permissions": ["alerts.read", "alerts.comment", "alerts.manage"]})).await.expect(200);
    assert_eq!(r["permissions"].as_array().unwrap().len(), 3);
    assert_eq!(f.app.delete(&f.p(&format!("/roles/{id}")), &cadmin).await.status, 204);
    // Workspace admins too.
    let id = f.app.custom_role(WS, &f.admin, "Hunters", &["intelligence.read", "intelligence.manage"]).await;
    f.app.get(&f.p(&format!("/roles/{id}")), &f.owner).await.expect(200);
}

#[tokio::test]
async fn member_without_roles_manage_cannot_manage_custom_roles() {
    let f = fx().await;
    let existing = f.app.custom_role(WS, &f.owner, "Readers", &["alerts.read"]).await;
    let analyst = f.member_with("analyst", &f.c1, &f.role("Analyst").await).await;
    let before_names = f.role_names().await;
    let before = f.app.get(&f.p(&format!("/roles/{existing}")), &f.owner).await.expect(200);
    for who in [&f.member, &analyst] {
        f.app
            .post(&f.p("/roles"), who, json!({"name": "Mine", "kind": "custom", "permissions": ["alerts.read"]}))
            .await
            .problem(403, "forbidden");
        f.app.patch(&f.p(&format!("/roles/{existing}")), who, json!({"name": "Renamed"})).await.problem(403, "forbidden");
        f.app.delete(&f.p(&format!("/roles/{existing}")), who).await.problem(403, "forbidden");
    }
    assert_eq!(f.role_names().await, before_names);
    assert_eq!(f.app.get(&f.p(&format!("/roles/{existing}")), &f.owner).await.expect(200), before);
}

// ---------- API keys: api_keys.manage in that community ----------

#[tokio::test]
async fn api_keys_manage_holder_may_create_and_revoke_keys_in_that_community_only() {
    let f = fx().await;
    let guest = f.role("Guest").await;
    let cadmin = f.member_with("cadmin", &f.c1, &f.role("Admin").await).await;
    let k = f.app.post(&f.p(&format!("/communities/{}/api-keys", f.c1)), &cadmin, json!({"name": "SIEM export", "role_ids": [guest]})).await.expect(201);
    assert!(k["secret"].as_str().unwrap().starts_with(k["key"]["prefix"].as_str().unwrap()));
    let kid = k["key"]["id"].as_str().unwrap().to_owned();

    // c2, where they hold no role, does not exist for them.
    f.app.post(&f.p(&format!("/communities/{}/api-keys", f.c2)), &cadmin, json!({"name": "Elsewhere", "role_ids": [guest]})).await.problem(404, "not-found");
    assert!(f.api_keys(&f.c2).await.is_empty());

    let owner_key = f.app.post(&f.p(&format!("/communities/{}/api-keys", f.c2)), &f.owner, json!({"name": "Owner key", "role_ids": [guest]})).await.expect(201);
    let okid = owner_key["key"]["id"].as_str().unwrap().to_owned();
    f.app.delete(&f.p(&format!("/communities/{}/api-keys/{okid}", f.c2)), &cadmin).await.problem(404, "not-found");
    // Seeing c2's keys as an Analyst, they are refused for want of api_keys.manage there.
    f.assign(&f.owner, &cadmin, &f.c2, &f.role("Analyst").await).await.expect(200);
    f.app.post(&f.p(&format!("/communities/{}/api-keys", f.c2)), &cadmin, json!({"name": "Elsewhere", "role_ids": [guest]})).await.problem(403, "forbidden");
    f.app.delete(&f.p(&format!("/communities/{}/api-keys/{okid}", f.c2)), &cadmin).await.problem(403, "forbidden");
    // Nor through their own community's path: c2's key is not one of c1's keys.
    f.app.delete(&f.p(&format!("/communities/{}/api-keys/{okid}", f.c1)), &cadmin).await.problem(404, "not-found");
    assert!(f.api_keys(&f.c2).await[0]["revoked_at"].is_null());

    let r = f.app.delete(&f.p(&format!("/communities/{}/api-keys/{kid}", f.c1)), &cadmin).await.expect(200);
    assert!(r["revoked_at"].is_string());
    assert!(f.api_keys(&f.c1).await[0]["revoked_at"].is_string());
    // Workspace admins hold api_keys.manage everywhere.
    f.app.delete(&f.p(&format!("/communities/{}/api-keys/{okid}", f.c2)), &f.admin).await.expect(200);
}

#[tokio::test]
async fn analyst_cannot_create_or_revoke_api_keys() {
    let f = fx().await;
    let guest = f.role("Guest").await;
    let analyst = f.member_with("analyst", &f.c1, &f.role("Analyst").await).await;
    let k = f.app.post(&f.p(&format!("/communities/{}/api-keys", f.c1)), &f.owner, json!({"name": "Existing", "role_ids": [guest]})).await.expect(201);
    let kid = k["key"]["id"].as_str().unwrap().to_owned();
    // Analysts may list (api_keys.read) but not manage.
    assert_eq!(f.app.get(&f.p(&format!("/communities/{}/api-keys", f.c1)), &analyst).await.expect(200)["items"].as_array().unwrap().len(), 1);
    let d = f.app.post(&f.p(&format!("/communities/{}/api-keys", f.c1)), &analyst, json!({"name": "Mine", "role_ids": [guest]})).await.problem(403, "forbidden");
    assert!(d.contains("api_keys.manage"), "{d}");
    f.app.delete(&f.p(&format!("/communities/{}/api-keys/{kid}", f.c1)), &analyst).await.problem(403, "forbidden");
    f.app.post(&f.p(&format!("/communities/{}/api-keys", f.c1)), &f.member, json!({"name": "Mine", "role_ids": [guest]})).await.problem(404, "not-found");
    let keys = f.api_keys(&f.c1).await;
    assert_eq!(keys.len(), 1);
    assert!(keys[0]["revoked_at"].is_null());
}

#[tokio::test]
async fn api_key_cannot_carry_more_than_its_creator_holds() {
    let f = fx().await;
    let keeper_role = f.app.custom_role(WS, &f.owner, "Key keeper", &["api_keys.read", "api_keys.manage", "alerts.read"]).await;
    let keeper = f.member_with("keeper", &f.c1, &keeper_role).await;
    let reader = f.app.custom_role(WS, &f.owner, "Alert reader", &["alerts.read"]).await;
    let admin_role = f.role("Admin").await;
    f.app.post(&f.p(&format!("/communities/{}/api-keys", f.c1)), &keeper, json!({"name": "Too strong", "role_ids": [admin_role]})).await.problem(403, "forbidden");
    assert!(f.api_keys(&f.c1).await.is_empty());
    f.app.post(&f.p(&format!("/communities/{}/api-keys", f.c1)), &keeper, json!({"name": "Reader", "role_ids": [reader]})).await.expect(201);
    assert_eq!(f.api_keys(&f.c1).await.len(), 1);
}

// ---------- reset 2FA: community Admin, workspace admin/owner ----------

async fn two_factor_target(f: &Fx) -> User {
    let t = f.member_with("target", &f.c1, &f.role("Guest").await).await;
    f.app.enrol_2fa(&t).await;
    assert!(f.two_factor(&t).await);
    t
}

#[tokio::test]
async fn community_admin_may_reset_2fa_of_a_member_of_their_community() {
    let f = fx().await;
    let t = two_factor_target(&f).await;
    let cadmin = f.member_with("cadmin", &f.c1, &f.role("Admin").await).await;
    let m = f.app.post(&f.p(&format!("/members/{}/2fa/reset", t.id)), &cadmin, json!({})).await.expect(200);
    assert_eq!(m["two_factor_enabled"], false);
    assert!(!f.two_factor(&t).await);
    // The member can enrol again afterwards.
    f.app.enrol_2fa(&t).await;
    assert!(f.two_factor(&t).await);
}

#[tokio::test]
async fn community_admin_cannot_reset_2fa_outside_their_community() {
    let f = fx().await;
    let t = two_factor_target(&f).await;
    let c2admin = f.member_with("c2admin", &f.c2, &f.role("Admin").await).await;
    // Not sharing a community, the target does not exist for them.
    f.app.post(&f.p(&format!("/members/{}/2fa/reset", t.id)), &c2admin, json!({})).await.problem(404, "not-found");
    // Seeing them through a Guest role in c1, they hold the reset permission only in c2.
    f.assign(&f.owner, &c2admin, &f.c1, &f.role("Guest").await).await.expect(200);
    let d = f.app.post(&f.p(&format!("/members/{}/2fa/reset", t.id)), &c2admin, json!({})).await.problem(403, "forbidden");
    assert!(d.contains("two-factor"), "{d}");
    assert!(f.two_factor(&t).await);
}

#[tokio::test]
async fn workspace_admin_and_owner_may_reset_2fa() {
    let f = fx().await;
    let t = two_factor_target(&f).await;
    f.app.post(&f.p(&format!("/members/{}/2fa/reset", t.id)), &f.admin, json!({})).await.expect(200);
    assert!(!f.two_factor(&t).await);
    f.app.enrol_2fa(&t).await;
    f.app.post(&f.p(&format!("/members/{}/2fa/reset", t.id)), &f.owner, json!({})).await.expect(200);
    assert!(!f.two_factor(&t).await);
}

#[tokio::test]
async fn plain_member_cannot_reset_2fa() {
    let f = fx().await;
    let t = two_factor_target(&f).await;
    // Not even one sharing the community as an Analyst.
    let analyst = f.member_with("analyst", &f.c1, &f.role("Analyst").await).await;
    f.app.post(&f.p(&format!("/members/{}/2fa/reset", t.id)), &f.member, json!({})).await.problem(404, "not-found");
    f.app.post(&f.p(&format!("/members/{}/2fa/reset", t.id)), &analyst, json!({})).await.problem(403, "forbidden");
    assert!(f.two_factor(&t).await);
}

// ---------- nobody grants a permission they do not hold (owners excepted) ----------

/// A plain member holding a custom role with only roles.manage and alerts.read in c1.
async fn role_manager(f: &Fx) -> User {
    let rm = f.app.custom_role(WS, &f.owner, "Role manager", &["roles.manage", "alerts.read"]).await;
    f.member_with("role-manager", &f.c1, &rm).await
}

#[tokio::test]
async fn nobody_may_assign_a_role_granting_permissions_they_do_not_hold() {
    let f = fx().await;
    let rm = role_manager(&f).await;
    let reader = f.app.custom_role(WS, &f.owner, "Alert reader", &["alerts.read"]).await;
    let analyst = f.role("Analyst").await;
    let guest = f.role("Guest").await;
    let target = f.app.user("target").await;
    f.app.add_member(WS, &f.owner, &target, "member", json!([grant(&f.c1, &guest)])).await;

    f.assign(&rm, &target, &f.c1, &reader).await.expect(200);
    let d = f.assign(&rm, &target, &f.c1, &analyst).await.problem(403, "forbidden");
    assert!(d.contains("do not hold") && d.contains("alerts.manage"), "{d}");
    f.assign(&rm, &target, &f.c1, &f.role("Admin").await).await.problem(403, "forbidden");
    // Not in another community (which, holding no role there, they do not see), even for a
    // role they could grant in c1.
    f.assign(&rm, &target, &f.c2, &reader).await.problem(404, "not-found");
    // Nor to themselves.
    f.assign(&rm, &rm, &f.c1, &analyst).await.problem(403, "forbidden");
    let mut held = vec![(f.c1.clone(), guest.clone()), (f.c1.clone(), reader.clone())];
    held.sort();
    assert_eq!(f.assignments_of(&target).await, held);
    assert_eq!(f.assignments_of(&rm).await.len(), 1);
}

#[tokio::test]
async fn nobody_may_define_a_role_granting_permissions_they_do_not_hold() {
    let f = fx().await;
    let rm = role_manager(&f).await;
    let before = f.role_names().await;
    let d = f
        .app
        .post(&f.p("/roles"), &rm, json!({"name": "Escalator", "kind": "custom", "permissions": ["alerts.read", "alerts.manage"]}))
        .await
        .problem(403, "forbidden");
    assert!(d.contains("alerts.manage"), "{d}");
    f.app.post(&f.p("/roles"), &rm, json!({"name": "Key maker", "kind": "custom", "permissions": ["api_keys.manage"]})).await.problem(403, "forbidden");
    assert_eq!(f.role_names().await, before);

    // Within what they hold it works...
    let mine = f.app.custom_role(WS, &rm, "Alert viewers", &["alerts.read"]).await;
    // ...but a later edit cannot widen it beyond that.
    let snapshot = f.app.get(&f.p(&format!("/roles/{mine}")), &f.owner).await.expect(200);
    f.app.patch(&f.p(&format!("/roles/{mine}")), &rm, json!({"permissions": ["alerts.read", "alerts.manage"]})).await.problem(403, "forbidden");
    assert_eq!(f.app.get(&f.p(&format!("/roles/{mine}")), &f.owner).await.expect(200), snapshot);
    // Nor may they edit or delete a role that grants more than they hold.
    let strong = f.app.custom_role(WS, &f.owner, "Strong", &["alerts.read", "rules.manage"]).await;
    f.app.patch(&f.p(&format!("/roles/{strong}")), &rm, json!({"permissions": ["alerts.read"]})).await.problem(403, "forbidden");
    f.app.delete(&f.p(&format!("/roles/{strong}")), &rm).await.problem(403, "forbidden");
    let s = f.app.get(&f.p(&format!("/roles/{strong}")), &f.owner).await.expect(200);
    assert_eq!(s["permissions"], json!(["alerts.read", "rules.manage"]));
}

#[tokio::test]
async fn owner_may_grant_any_permission() {
    let f = fx().await;
    let every: Vec<String> = f.app.call(Method::GET, "/v1/permissions", None, None, &[]).await.expect(200).as_array().unwrap().iter()
        .filter(|p| p["scope"] == "community")
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(every.len() > 10, "{every:?}");
    let refs: Vec<&str> = every.iter().map(String::as_str).collect();
    let all = f.app.custom_role(WS, &f.owner, "Everything", &refs).await;
    f.assign(&f.owner, &f.member, &f.c1, &all).await.expect(200);
    f.assign(&f.owner, &f.member, &f.c2, &f.role("Admin").await).await.expect(200);
    assert_eq!(f.assignments_of(&f.member).await.len(), 2);
}

#[tokio::test]
async fn role_manager_cannot_widen_a_role_held_in_a_community_they_do_not_manage() {
    let f = fx().await;
    // Manages roles and handles alerts in c1 only.
    let mgr_role = f.app.custom_role(WS, &f.owner, "c1 manager", &["roles.manage", "alerts.read", "alerts.manage"]).await;
    let mgr = f.member_with("c1-manager", &f.c1, &mgr_role).await;
    // A reader role the owner handed out in c2.
    let reader = f.app.custom_role(WS, &f.owner, "Alert reader", &["alerts.read"]).await;
    let z = f.member_with("c2-reader", &f.c2, &reader).await;
    let before = f.app.get(&f.p(&format!("/roles/{reader}")), &f.owner).await.expect(200);

    // Widening it would give z alerts.manage in c2, where mgr may neither assign roles nor
    // holds alerts.manage: that is granting what they do not hold.
    f.app.patch(&f.p(&format!("/roles/{reader}")), &mgr, json!({"permissions": ["alerts.read", "alerts.manage"]})).await.problem(403, "forbidden");
    assert_eq!(f.app.get(&f.p(&format!("/roles/{reader}")), &f.owner).await.expect(200), before);
    let perms = f.app.get(&f.p(&format!("/members/{}/permissions", z.id)), &f.owner).await.expect(200);
    assert!(perms["communities"][f.c2.as_str()]["alerts.manage"].is_null(), "{perms}");
    // A harmless edit (narrowing nothing, adding nothing) is still theirs to make.
    f.app.patch(&f.p(&format!("/roles/{reader}")), &mgr, json!({"description": "Reads alerts"})).await.expect(200);

    // A role in use only in c1 they may widen within what they hold there.
    let c1_reader = f.app.custom_role(WS, &f.owner, "c1 reader", &["alerts.read"]).await;
    f.member_with("c1-reader", &f.c1, &c1_reader).await;
    f.app.patch(&f.p(&format!("/roles/{c1_reader}")), &mgr, json!({"permissions": ["alerts.read", "alerts.manage"]})).await.expect(200);
    // Workspace admins hold everything everywhere and may widen the c2 role.
    f.app.patch(&f.p(&format!("/roles/{reader}")), &f.admin, json!({"permissions": ["alerts.read", "alerts.manage"]})).await.expect(200);
}

#[tokio::test]
async fn role_manager_cannot_widen_a_role_carried_by_an_api_key_elsewhere() {
    let f = fx().await;
    let mgr_role = f.app.custom_role(WS, &f.owner, "c1 manager", &["roles.manage", "alerts.read", "alerts.manage"]).await;
    let mgr = f.member_with("c1-manager", &f.c1, &mgr_role).await;
    let reader = f.app.custom_role(WS, &f.owner, "Alert reader", &["alerts.read"]).await;
    let key = f.app.post(&f.p(&format!("/communities/{}/api-keys", f.c2)), &f.owner, json!({"name": "c2 feed", "role_ids": [reader]})).await.expect(201);
    f.app.patch(&f.p(&format!("/roles/{reader}")), &mgr, json!({"permissions": ["alerts.read", "alerts.manage"]})).await.problem(403, "forbidden");
    let seen = f.app.call(Method::GET, "/v1/api-keys/introspect", Some(key["secret"].as_str().unwrap()), None, &[]).await.expect(200);
    assert_eq!(seen["permissions"], json!(["alerts.read"]));
}
