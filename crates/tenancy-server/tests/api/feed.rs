//! The change feed: every entity change once, in sequence order, visible only to those who may
//! see it, with the entity as the API returns it.

use crate::helpers::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Reads every change visible to `u` after `since`, following `has_more`; returns the changes
/// and the next `since`.
async fn read_all(app: &TestApp, u: &User, since: i64, limit: Option<u32>) -> (Vec<Value>, i64) {
    let mut out = Vec::new();
    let mut since = since;
    for _ in 0..10_000 {
        let q = match limit {
            Some(l) => format!("/v1/changes?since={since}&limit={l}"),
            None => format!("/v1/changes?since={since}"),
        };
        let answer = app.get(&q, u).await;
        // Where the feed goes on, in the headers too (ahead of the body).
        let header = |name: &str| answer.headers.get(name).map(|v| v.to_str().unwrap().to_owned());
        let (has_more, next_since) = (header("tenantry-has-more"), header("tenantry-next-since"));
        let batch = answer.expect(200);
        assert_eq!(has_more, Some(batch["has_more"].to_string()), "{batch}");
        assert_eq!(next_since, Some(batch["next_since"].to_string()), "{batch}");
        let changes = batch["changes"].as_array().unwrap();
        if let Some(l) = limit {
            assert!(changes.len() <= l as usize, "a batch holds at most `limit` changes");
        }
        for c in changes {
            // The time of the change, in RFC 3339 (UTC), as it happened: within this test.
            let at = chrono::DateTime::parse_from_rfc3339(c["at"].as_str().unwrap()).unwrap_or_else(|e| panic!("{e}: {c}"));
            let age = chrono::Utc::now() - at.with_timezone(&chrono::Utc);
            assert!(age >= chrono::Duration::zero() && age < chrono::Duration::minutes(10), "the change happened just now: {c}");
        }
        out.extend(changes.iter().cloned());
        let next = batch["next_since"].as_i64().unwrap();
        assert!(next >= since, "next_since never goes back");
        since = next;
        if !batch["has_more"].as_bool().unwrap() {
            assert!(next >= batch["latest"].as_i64().unwrap(), "without more, the caller is up to date");
            return (out, since);
        }
        assert!(!changes.is_empty(), "has_more with an empty batch");
    }
    panic!("the feed never ended");
}

fn seqs(changes: &[Value]) -> Vec<i64> {
    changes.iter().map(|c| c["seq"].as_i64().unwrap()).collect()
}

fn assert_strictly_increasing(changes: &[Value]) {
    let s = seqs(changes);
    assert!(s.windows(2).all(|w| w[0] < w[1]), "sequence numbers strictly increase: {s:?}");
}

/// One expected change: kind, id, and the entity (None for a delete).
struct Exp(&'static str, String, Option<Value>);

fn up(kind: &'static str, id: impl Into<String>, data: &Value) -> Exp {
    Exp(kind, id.into(), Some(data.clone()))
}
fn del(kind: &'static str, id: impl Into<String>) -> Exp {
    Exp(kind, id.into(), None)
}
fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("an id in {v}")).to_owned()
}

/// Follows one user's feed step by step.
struct Follower<'a> {
    app: &'a TestApp,
    user: User,
    since: i64,
    seen: Vec<Value>,
}

impl<'a> Follower<'a> {
    fn new(app: &'a TestApp, user: &User) -> Self {
        Follower { app, user: user.clone(), since: 0, seen: Vec::new() }
    }

    /// The changes since the last call must be exactly `expected`, each once, in increasing
    /// sequence order, with `data` equal to the given entity (absent for deletes).
    async fn expect(&mut self, what: &str, ws_id: &str, expected: Vec<Exp>) {
        let (changes, next) = read_all(self.app, &self.user, self.since, None).await;
        assert_strictly_increasing(&changes);
        assert!(changes.iter().all(|c| c["seq"].as_i64().unwrap() > self.since), "{what}: only changes after `since`");
        let got: Vec<(String, String, String)> =
            changes.iter().map(|c| (c["kind"].as_str().unwrap().to_owned(), c["id"].as_str().unwrap().to_owned(), c["op"].as_str().unwrap().to_owned())).collect();
        let want: Vec<(String, String, String)> =
            expected.iter().map(|e| (e.0.to_owned(), e.1.clone(), if e.2.is_some() { "upsert" } else { "delete" }.to_owned())).collect();
        let mut g = got.clone();
        let mut w = want.clone();
        g.sort();
        w.sort();
        assert_eq!(g, w, "{what}: the changes, each exactly once; got in order {got:?}");
        for e in &expected {
            let c = changes.iter().find(|c| c["kind"] == e.0 && c["id"] == e.1.as_str()).unwrap();
            assert_eq!(c["workspace_id"], ws_id, "{what}: {c}");
            match &e.2 {
                Some(data) => assert_eq!(&c["data"], data, "{what}: the {} in the feed is the entity the API returns", e.0),
                None => assert!(c["data"].is_null(), "{what}: a delete carries no data: {c}"),
            }
        }
        self.since = next;
        self.seen.extend(changes);
    }
}

#[tokio::test]
async fn every_mutation_appears_in_the_change_feed_exactly_once() {
    let app = TestApp::spawn().await;
    let owner = app.user("fern").await;
    let member = app.user("moss").await;
    let mut f = Follower::new(&app, &owner);

    // Workspace creation: the workspace, its built-in roles, its first community, its owner.
    let ws = app.workspace(&owner, "feed-co", "pro").await;
    let w = id_of(&ws);
    let roles = app.get("/v1/workspaces/feed-co/roles", &owner).await.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(roles.len(), 3);
    let first = app.first_community("feed-co", &owner).await;
    let me_member = app.get(&format!("/v1/workspaces/feed-co/members/{}", owner.id), &owner).await.expect(200);
    let mut exp = vec![up("workspace", &w, &ws), up("community", id_of(&first), &first), up("member", format!("{w}/{}", owner.id), &me_member)];
    exp.extend(roles.iter().map(|r| up("role", id_of(r), r)));
    f.expect("create workspace", &w, exp).await;
    // A change's time is its entity's, to the millisecond.
    let created = f.seen.iter().find(|c| c["kind"] == "workspace").unwrap();
    let at = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap().timestamp_millis();
    assert_eq!(at(&created["at"]), at(&ws["created_at"]), "{created}");
    // The entity read back is the entity the feed carried.
    assert_eq!(app.get("/v1/workspaces/feed-co", &owner).await.expect(200), ws);

    let renamed = app.patch("/v1/workspaces/feed-co", &owner, json!({"name": "Feed Company"})).await.expect(200);
    f.expect("rename workspace", &w, vec![up("workspace", &w, &renamed)]).await;
    let planned = app.put("/v1/workspaces/feed-co/plan", &owner, json!({"plan": "starter"})).await.expect(200);
    f.expect("change plan", &w, vec![up("workspace", &w, &planned)]).await;

    let c = app.post("/v1/workspaces/feed-co/communities", &owner, json!({"name": "Depot", "slug": "depot", "timezone": "Asia/Singapore", "region": "ap-southeast"})).await.expect(201);
    let cid = id_of(&c);
    f.expect("create community", &w, vec![up("community", &cid, &c)]).await;
    assert_eq!(app.get(&format!("/v1/workspaces/feed-co/communities/{cid}"), &owner).await.expect(200), c);
    let c2 = app.patch(&format!("/v1/workspaces/feed-co/communities/{cid}"), &owner, json!({"contact_email": "soc@depot.example"})).await.expect(200);
    f.expect("update community", &w, vec![up("community", &cid, &c2)]).await;

    let base = format!("/v1/workspaces/feed-co/communities/{cid}");
    let intake = app.post(&format!("{base}/intakes"), &owner, json!({"name": "Firewall", "kind": "firewall"})).await.expect(201);
    f.expect("create intake", &w, vec![up("intake", id_of(&intake), &intake)]).await;
    let role = app.post("/v1/workspaces/feed-co/roles", &owner, json!({"name": "Watcher", "kind": "custom", "permissions": ["alerts.read"]})).await.expect(201);
    f.expect("create role", &w, vec![up("role", id_of(&role), &role)]).await;
    let role2 = app.patch(&format!("/v1/workspaces/feed-co/roles/{}", id_of(&role)), &owner, json!({"permissions": ["alerts.read", "rules.read"]})).await.expect(200);
    f.expect("update role", &w, vec![up("role", id_of(&role), &role2)]).await;
    let analyst = app.role_id("feed-co", &owner, "Analyst").await;
    let guest = app.role_id("feed-co", &owner, "Guest").await;
    let key = app.post(&format!("{base}/api-keys"), &owner, json!({"name": "Forwarder", "role_ids": [guest]})).await.expect(201);
    let kid = id_of(&key["key"]);
    f.expect("create API key", &w, vec![up("api_key", &kid, &key["key"])]).await;
    assert!(!f.seen.last().unwrap().to_string().contains(key["secret"].as_str().unwrap()), "the secret is not in the feed");
    let revoked = app.delete(&format!("{base}/api-keys/{kid}"), &owner).await.expect(200);
    f.expect("revoke API key", &w, vec![up("api_key", &kid, &revoked)]).await;
    app.delete(&format!("{base}/intakes/{}", id_of(&intake)), &owner).await.expect(204);
    f.expect("delete intake", &w, vec![del("intake", id_of(&intake))]).await;
    app.delete(&format!("/v1/workspaces/feed-co/roles/{}", id_of(&role)), &owner).await.expect(204);
    f.expect("delete role", &w, vec![del("role", id_of(&role))]).await;

    // Invitations and membership.
    let inv = app.post("/v1/workspaces/feed-co/invitations", &owner, json!({"email": member.email})).await.expect(201);
    f.expect("invite", &w, vec![up("invitation", id_of(&inv), &inv)]).await;
    let inv_r = app.delete(&format!("/v1/workspaces/feed-co/invitations/{}", id_of(&inv)), &owner).await.expect(200);
    f.expect("revoke invitation", &w, vec![up("invitation", id_of(&inv), &inv_r)]).await;
    let inv2 = app
        .post("/v1/workspaces/feed-co/invitations", &owner, json!({"email": member.email, "assignments": [{"community_id": cid, "role_id": analyst}]}))
        .await
        .expect(201);
    f.expect("invite again", &w, vec![up("invitation", id_of(&inv2), &inv2)]).await;
    app.post(&format!("/v1/invitations/{}/accept", id_of(&inv2)), &member, json!({})).await.expect(200);
    let accepted = app.get("/v1/workspaces/feed-co/invitations", &owner).await.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == inv2["id"])
        .cloned()
        .unwrap();
    assert_eq!(accepted["status"], "accepted");
    let m = app.get(&format!("/v1/workspaces/feed-co/members/{}", member.id), &owner).await.expect(200);
    let a = app.get(&format!("/v1/workspaces/feed-co/assignments?user_id={}", member.id), &owner).await.expect(200)["items"][0].clone();
    let member_key = format!("{w}/{}", member.id);
    f.expect("accept", &w, vec![up("invitation", id_of(&inv2), &accepted), up("member", &member_key, &m), up("assignment", id_of(&a), &a)]).await;

    let made = app
        .post(&format!("/v1/workspaces/feed-co/members/{}/assignments", member.id), &owner, json!({"assignments": [{"community_id": cid, "role_id": guest, "assignment_type": "pool"}]}))
        .await
        .expect(200);
    // A role in a community comes with its holder's membership, for whoever reads only that
    // community's people (and so never received it).
    f.expect("assign roles", &w, vec![up("member", &member_key, &m), up("assignment", id_of(&made[0]), &made[0])]).await;
    app.delete(&format!("/v1/workspaces/feed-co/assignments/{}", id_of(&made[0])), &owner).await.expect(204);
    f.expect("unassign", &w, vec![del("assignment", id_of(&made[0]))]).await;
    let promoted = app.patch(&format!("/v1/workspaces/feed-co/members/{}", member.id), &owner, json!({"role": "admin"})).await.expect(200);
    f.expect("change member role", &w, vec![up("member", &member_key, &promoted)]).await;

    let e = app.post("/v1/me/2fa/enrol", &member, json!({})).await.expect(200);
    f.expect("2FA enrolment changes nothing visible yet", &w, vec![]).await;
    app.post("/v1/me/2fa/verify", &member, json!({"code": totp_code(e["secret"].as_str().unwrap())})).await.expect(200);
    let m2 = app.get(&format!("/v1/workspaces/feed-co/members/{}", member.id), &owner).await.expect(200);
    assert_eq!(m2["two_factor_enabled"], true);
    f.expect("2FA verified", &w, vec![up("member", &member_key, &m2)]).await;
    let reset = app.post(&format!("/v1/workspaces/feed-co/members/{}/2fa/reset", member.id), &owner, json!({})).await.expect(200);
    f.expect("2FA reset", &w, vec![up("member", &member_key, &reset)]).await;

    app.delete(&format!("/v1/workspaces/feed-co/members/{}", member.id), &owner).await.expect(204);
    f.expect("remove member", &w, vec![del("assignment", id_of(&a)), del("member", &member_key)]).await;

    let deleted = app.delete("/v1/workspaces/feed-co?confirm=feed-co", &owner).await.expect(200);
    assert!(deleted["deleted_at"].is_string());
    f.expect("delete workspace", &w, vec![up("workspace", &w, &deleted)]).await;

    // Refusals and reads change nothing.
    app.patch("/v1/workspaces/feed-co", &owner, json!({"name": "Gone"})).await.problem(404, "not-found");
    app.get("/v1/workspaces", &owner).await.expect(200);
    f.expect("nothing after", &w, vec![]).await;

    // Step by step, the follower saw exactly what one read from the start gives.
    let (all, _) = read_all(&app, &owner, 0, None).await;
    assert_eq!(f.seen, all);
    assert_strictly_increasing(&all);
}

#[tokio::test]
async fn paging_the_feed_walks_every_change_once() {
    let app = TestApp::spawn().await;
    let u = app.user("pia").await;
    for slug in ["page-one", "page-two", "page-three"] {
        app.workspace(&u, slug, "starter").await;
        app.patch(&format!("/v1/workspaces/{slug}"), &u, json!({"name": format!("{slug} renamed")})).await.expect(200);
    }
    let big = app.get("/v1/changes?since=0&limit=5000", &u).await.expect(200);
    assert_eq!(big["has_more"], false);
    let all = big["changes"].as_array().unwrap().clone();
    assert_eq!(all.len(), 3 * (1 + 3 + 1 + 1) + 3, "per workspace: itself, three roles, a community, the owner; plus three renames");
    assert_strictly_increasing(&all);
    assert_eq!(big["next_since"], big["latest"]);

    for limit in [1u32, 3, 7] {
        let (walked, next) = read_all(&app, &u, 0, Some(limit)).await;
        assert_eq!(walked, all, "limit={limit}: no gaps, no duplicates");
        assert_eq!(next, big["latest"].as_i64().unwrap());
    }
    // Starting in the middle gives the tail.
    let mid = all[5]["seq"].as_i64().unwrap();
    let (tail, _) = read_all(&app, &u, mid, Some(4)).await;
    assert_eq!(tail, all[6..].to_vec());
    // Up to date: an empty batch that keeps the position.
    let last = big["next_since"].as_i64().unwrap();
    let empty = app.get(&format!("/v1/changes?since={last}"), &u).await.expect(200);
    assert_eq!(empty["changes"], json!([]));
    assert_eq!(empty["next_since"].as_i64(), Some(last));
    assert_eq!(empty["has_more"], false);
}

#[tokio::test]
async fn a_user_sees_changes_of_their_workspaces_only() {
    let app = TestApp::spawn().await;
    let a = app.user("amy").await;
    let b = app.user("bob").await;
    let wa = app.workspace(&a, "amy-ws", "starter").await;
    let wb = app.workspace(&b, "bob-ws", "starter").await;
    app.patch("/v1/workspaces/bob-ws", &b, json!({"name": "Bob renamed"})).await.expect(200);
    app.post("/v1/workspaces/bob-ws/communities", &b, json!({"name": "Bob Two", "slug": "bob-two", "timezone": "UTC", "region": "us-east"})).await.expect(201);
    app.patch("/v1/workspaces/amy-ws", &a, json!({"name": "Amy renamed"})).await.expect(200);
    // Amy invites Bob's address: an invitation is Amy's workspace's business, not Bob's feed.
    app.post("/v1/workspaces/amy-ws/invitations", &a, json!({"email": b.email})).await.expect(201);

    let (fa, _) = read_all(&app, &a, 0, None).await;
    let (fb, _) = read_all(&app, &b, 0, None).await;
    assert!(!fa.is_empty() && !fb.is_empty());
    assert!(fa.iter().all(|c| c["workspace_id"] == wa["id"]), "Amy's feed holds only Amy's workspace: {fa:?}");
    assert!(fb.iter().all(|c| c["workspace_id"] == wb["id"]), "Bob's feed holds only Bob's workspace: {fb:?}");
    let sa: BTreeSet<i64> = seqs(&fa).into_iter().collect();
    let sb: BTreeSet<i64> = seqs(&fb).into_iter().collect();
    assert!(sa.is_disjoint(&sb));
    assert!(!fa.iter().any(|c| c.to_string().contains("Bob renamed") || c.to_string().contains("bob-two")));
    // A third user with no workspace sees nothing at all.
    let c = app.user("cy").await;
    let (fc, next) = read_all(&app, &c, 0, None).await;
    assert_eq!(fc, Vec::<Value>::new());
    assert!(next >= sa.iter().chain(sb.iter()).copied().max().unwrap(), "an empty feed still moves the position to the latest");
}

#[tokio::test]
async fn a_removed_member_sees_their_own_removal_and_nothing_after() {
    let app = TestApp::spawn().await;
    let owner = app.user("olga").await;
    let gone = app.user("gus").await;
    let ws = app.workspace(&owner, "leavers", "starter").await;
    let c = app.first_community("leavers", &owner).await;
    let analyst = app.role_id("leavers", &owner, "Analyst").await;
    app.add_member("leavers", &owner, &gone, "member", json!([{"community_id": c["id"], "role_id": analyst}])).await;

    let (before, mut since) = read_all(&app, &gone, 0, None).await;
    assert!(before.iter().any(|ch| ch["kind"] == "workspace"), "while a member, Gus sees the workspace");

    app.patch("/v1/workspaces/leavers", &owner, json!({"name": "Leavers renamed"})).await.expect(200);
    let (ch, next) = read_all(&app, &gone, since, None).await;
    assert_eq!(ch.len(), 1, "a member follows the workspace: {ch:?}");
    since = next;

    app.delete(&format!("/v1/workspaces/leavers/members/{}", gone.id), &owner).await.expect(204);
    // After the removal: more changes Gus must not see.
    app.patch("/v1/workspaces/leavers", &owner, json!({"name": "Leavers again"})).await.expect(200);
    app.post("/v1/workspaces/leavers/invitations", &owner, json!({"email": "new@leavers.example"})).await.expect(201);
    app.post("/v1/workspaces/leavers/roles", &owner, json!({"name": "Reader", "kind": "custom", "permissions": ["alerts.read"]})).await.expect(201);

    let (after, next) = read_all(&app, &gone, since, None).await;
    let got: Vec<(String, String, String)> =
        after.iter().map(|c| (c["kind"].as_str().unwrap().into(), c["id"].as_str().unwrap().into(), c["op"].as_str().unwrap().into())).collect();
    let member_key = format!("{}/{}", ws["id"].as_str().unwrap(), gone.id);
    assert_eq!(
        got,
        vec![("member".to_owned(), member_key, "delete".to_owned())],
        "only their own removal (their roles there go with the workspace)"
    );
    assert!(after.iter().all(|c| c["data"].is_null()));
    // The owner's feed has the later changes, with higher sequence numbers.
    let (owner_feed, _) = read_all(&app, &owner, since, None).await;
    let removal_seq = after.last().unwrap()["seq"].as_i64().unwrap();
    assert!(owner_feed.iter().filter(|c| c["seq"].as_i64().unwrap() > removal_seq).count() >= 3);
    // Nothing more, ever, and no workspace data from the start either.
    let (later, _) = read_all(&app, &gone, next, None).await;
    assert!(later.is_empty(), "{later:?}");
    let (from_zero, _) = read_all(&app, &gone, 0, None).await;
    assert!(from_zero.iter().all(|c| c["kind"] == "member" || c["kind"] == "assignment"), "only changes about Gus himself: {from_zero:?}");
    assert!(!from_zero.iter().any(|c| c.to_string().contains("Leavers again")));
}

#[tokio::test]
async fn a_since_below_the_feed_floor_is_gone_and_a_negative_since_is_invalid() {
    let app = TestApp::spawn().await;
    let u = app.user("flo").await;
    app.workspace(&u, "floor-ws", "starter").await;
    app.patch("/v1/workspaces/floor-ws", &u, json!({"name": "Floor renamed"})).await.expect(200);
    app.get("/v1/changes?since=0", &u).await.expect(200);

    let pool = app.pool().await;
    sqlx::query("UPDATE feed_floor SET floor = 5").execute(&pool).await.unwrap();
    for since in [0, 4] {
        let detail = app.get(&format!("/v1/changes?since={since}"), &u).await.problem(410, "cursor-too-old");
        assert!(detail.contains("resync"), "{detail}");
    }
    let ok = app.get("/v1/changes?since=5", &u).await.expect(200);
    assert!(ok["changes"].as_array().unwrap().iter().all(|c| c["seq"].as_i64().unwrap() > 5));
    assert!(!ok["changes"].as_array().unwrap().is_empty());
    // Absent `since` means 0, which is below the floor now.
    app.get("/v1/changes", &u).await.problem(410, "cursor-too-old");

    let detail = app.get("/v1/changes?since=-1", &u).await.problem(422, "validation");
    assert!(detail.contains("since"), "{detail}");
}

#[tokio::test]
async fn the_snapshot_is_the_state_the_feed_builds_for_the_caller() {
    let app = TestApp::spawn().await;
    let owner = app.user("sasha").await;
    let joiner = app.user("jo").await;
    let ws = app.workspace(&owner, "snap-co", "starter").await;
    let other = app.workspace(&joiner, "not-sashas", "starter").await;
    let c = app.new_community("snap-co", &owner, "depot").await;
    let base = format!("/v1/workspaces/snap-co/communities/{}", id_of(&c));
    let intake = app.post(&format!("{base}/intakes"), &owner, json!({"name": "EDR", "kind": "edr"})).await.expect(201);
    app.post(&format!("{base}/intakes"), &owner, json!({"name": "Firewall", "kind": "firewall"})).await.expect(201);
    app.delete(&format!("{base}/intakes/{}", id_of(&intake)), &owner).await.expect(204);
    let guest = app.role_id("snap-co", &owner, "Guest").await;
    app.post(&format!("{base}/api-keys"), &owner, json!({"name": "Forwarder", "role_ids": [guest]})).await.expect(201);
    app.add_member("snap-co", &owner, &joiner, "member", json!([grant(&id_of(&c), &guest)])).await;
    let inv = app.post("/v1/workspaces/snap-co/invitations", &owner, json!({"email": "later@snap.example"})).await.expect(201);
    app.delete(&format!("/v1/workspaces/snap-co/invitations/{}", id_of(&inv)), &owner).await.expect(200);
    app.patch("/v1/workspaces/snap-co", &owner, json!({"name": "Snap renamed"})).await.expect(200);

    // Replaying a user's feed from 0 leaves, per entity, its last upsert unless deleted after.
    for u in [&owner, &joiner] {
        let (feed, next) = read_all(&app, u, 0, None).await;
        let mut state = BTreeMap::new();
        for ch in &feed {
            let key = (ch["kind"].as_str().unwrap().to_owned(), ch["id"].as_str().unwrap().to_owned());
            match ch["op"].as_str().unwrap() {
                "upsert" => state.insert(key, ch["data"].clone()),
                _ => state.remove(&key),
            };
        }
        let snap = app.get("/v1/snapshot", u).await.expect(200);
        assert_eq!(snap["next_since"].as_i64(), Some(next), "follow the feed from where the snapshot stands");
        assert_eq!(snap["has_more"], false);
        let changes = snap["changes"].as_array().unwrap();
        assert!(changes.iter().all(|ch| ch["op"] == "upsert"));
        let got: BTreeMap<_, _> =
            changes.iter().map(|ch| ((ch["kind"].as_str().unwrap().to_owned(), ch["id"].as_str().unwrap().to_owned()), ch["data"].clone())).collect();
        assert_eq!(got.len(), changes.len(), "each entity once");
        assert_eq!(got, state, "the snapshot is what the feed builds");
    }

    // One workspace of the caller's; another's is not found; a removed member gets nothing.
    let one = app.get(&format!("/v1/snapshot?workspace={}", id_of(&ws)), &joiner).await.expect(200);
    assert!(one["changes"].as_array().unwrap().iter().all(|ch| ch["workspace_id"] == ws["id"]));
    // API keys only for those who may list them: the joiner is a Guest, the owner may.
    assert!(!one["changes"].as_array().unwrap().iter().any(|ch| ch["kind"] == "api_key"), "a Guest's snapshot has no API keys");
    app.get(&format!("{base}/api-keys"), &joiner).await.problem(403, "forbidden");
    let (joiner_feed, _) = read_all(&app, &joiner, 0, None).await;
    assert!(!joiner_feed.iter().any(|ch| ch["kind"] == "api_key"), "nor has a Guest's feed");
    let owners = app.get(&format!("/v1/snapshot?workspace={}", id_of(&ws)), &owner).await.expect(200);
    assert!(owners["changes"].as_array().unwrap().iter().any(|ch| ch["kind"] == "api_key"));
    // Narrowed to one kind: exactly that kind's entities of the full snapshot.
    let keys_only = app.get(&format!("/v1/snapshot?workspace={}&kind=api_key", id_of(&ws)), &owner).await.expect(200);
    let full_keys: Vec<_> = owners["changes"].as_array().unwrap().iter().filter(|ch| ch["kind"] == "api_key").map(|ch| ch["data"].clone()).collect();
    let narrowed: Vec<_> = keys_only["changes"].as_array().unwrap().iter().map(|ch| ch["data"].clone()).collect();
    assert!(!narrowed.is_empty());
    assert_eq!(narrowed, full_keys);
    app.get(&format!("/v1/snapshot?workspace={}&kind=widget", id_of(&ws)), &owner).await.problem(422, "validation");
    app.get(&format!("/v1/snapshot?workspace={}", id_of(&other)), &owner).await.problem(404, "not-found");
    app.get("/v1/snapshot?workspace=snap-co", &owner).await.problem(422, "validation");
    app.delete(&format!("/v1/workspaces/snap-co/members/{}", joiner.id), &owner).await.expect(204);
    app.get(&format!("/v1/snapshot?workspace={}", id_of(&ws)), &joiner).await.problem(404, "not-found");
    let all = app.get("/v1/snapshot", &joiner).await.expect(200);
    assert!(all["changes"].as_array().unwrap().iter().all(|ch| ch["workspace_id"] == other["id"]), "nothing of a workspace left");

    // A deleted workspace stays in its members' snapshot, as deleted (a restore brings it back).
    app.delete("/v1/workspaces/snap-co?confirm=snap-co", &owner).await.expect(200);
    let snap = app.get("/v1/snapshot", &owner).await.expect(200);
    let w = snap["changes"].as_array().unwrap().iter().find(|ch| ch["kind"] == "workspace").unwrap().clone();
    assert!(w["data"]["deleted_at"].is_string());
}
