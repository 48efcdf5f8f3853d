//! The last-owner rule: a workspace always keeps at least one owner, also under concurrent
//! requests.

use crate::helpers::*;
use futures::future::join_all;
use reqwest::Method;
use serde_json::json;

async fn owners(app: &TestApp, ws: &str, by: &User) -> Vec<String> {
    let b = app.get(&format!("/v1/workspaces/{ws}/members?role=owner"), by).await.expect(200);
    b["items"].as_array().unwrap().iter().map(|m| m["user_id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn last_owner_cannot_demote_themselves() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    app.workspace(&owner, "solo", "free").await;
    for to in ["admin", "member"] {
        let d = app.patch(&format!("/v1/workspaces/solo/members/{}", owner.id), &owner, json!({"role": to})).await.problem(409, "last-owner");
        assert!(d.contains("at least one"), "{d}");
    }
    assert_eq!(owners(&app, "solo", &owner).await, vec![owner.id.clone()]);
    // Still an owner in deed: may change the plan.
    app.put("/v1/workspaces/solo/plan", &owner, json!({"plan": "starter"})).await.expect(200);
}

#[tokio::test]
async fn last_owner_cannot_leave() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    app.workspace(&owner, "solo", "free").await;
    let admin = app.user("admin").await;
    app.add_member("solo", &owner, &admin, "admin", json!([])).await;
    app.delete(&format!("/v1/workspaces/solo/members/{}", owner.id), &owner).await.problem(409, "last-owner");
    assert_eq!(owners(&app, "solo", &owner).await, vec![owner.id.clone()]);
    app.get("/v1/workspaces/solo", &owner).await.expect(200);
}

#[tokio::test]
async fn last_owner_cannot_be_removed() {
    let app = TestApp::spawn().await;
    let a = app.user("a").await;
    let b = app.user("b").await;
    app.workspace(&a, "pair", "free").await;
    app.add_member("pair", &a, &b, "owner", json!([])).await;
    // b steps down to admin; a is now the only owner.
    app.patch(&format!("/v1/workspaces/pair/members/{}", b.id), &b, json!({"role": "admin"})).await.expect(200);
    // An admin may not remove an owner at all (403), and the last owner cannot be removed even
    // by an owner: here a removing a is leaving, refused with 409.
    app.delete(&format!("/v1/workspaces/pair/members/{}", a.id), &b).await.problem(403, "forbidden");
    app.delete(&format!("/v1/workspaces/pair/members/{}", a.id), &a).await.problem(409, "last-owner");
    assert_eq!(owners(&app, "pair", &a).await, vec![a.id.clone()]);
}

#[tokio::test]
async fn with_two_owners_one_may_step_down() {
    let app = TestApp::spawn().await;
    let a = app.user("a").await;
    let b = app.user("b").await;
    app.workspace(&a, "pair", "free").await;
    app.add_member("pair", &a, &b, "owner", json!([])).await;
    let mut both = owners(&app, "pair", &a).await;
    both.sort();
    let mut want = vec![a.id.clone(), b.id.clone()];
    want.sort();
    assert_eq!(both, want);
    let m = app.patch(&format!("/v1/workspaces/pair/members/{}", a.id), &a, json!({"role": "admin"})).await.expect(200);
    assert_eq!(m["role"], "admin");
    assert_eq!(owners(&app, "pair", &b).await, vec![b.id.clone()]);
    // Now b is the last owner and cannot step down in turn.
    app.patch(&format!("/v1/workspaces/pair/members/{}", b.id), &b, json!({"role": "member"})).await.problem(409, "last-owner");
    assert_eq!(owners(&app, "pair", &b).await, vec![b.id.clone()]);
}

#[tokio::test]
async fn with_two_owners_one_may_leave_or_be_removed() {
    let app = TestApp::spawn().await;
    let a = app.user("a").await;
    let b = app.user("b").await;
    let c = app.user("c").await;
    app.workspace(&a, "trio", "free").await;
    app.add_member("trio", &a, &b, "owner", json!([])).await;
    app.add_member("trio", &a, &c, "owner", json!([])).await;
    assert_eq!(app.delete(&format!("/v1/workspaces/trio/members/{}", b.id), &b).await.status, 204, "b leaves");
    assert_eq!(app.delete(&format!("/v1/workspaces/trio/members/{}", c.id), &a).await.status, 204, "a removes c");
    assert_eq!(owners(&app, "trio", &a).await, vec![a.id.clone()]);
    app.delete(&format!("/v1/workspaces/trio/members/{}", a.id), &a).await.problem(409, "last-owner");
}

/// Two owners race to get rid of each other: 100 demotions, removals and leaves at once, per round.
#[tokio::test]
async fn concurrent_owner_changes_never_leave_zero_owners() {
    let app = TestApp::spawn().await;
    let a = app.user("a").await;
    let b = app.user("b").await;
    let mut saw_last_owner = false;
    for round in 0..6 {
        let ws = format!("race-{round}");
        app.workspace(&a, &ws, "starter").await;
        app.add_member(&ws, &a, &b, "owner", json!([])).await;
        assert_eq!(owners(&app, &ws, &a).await.len(), 2);

        let member = |u: &User| format!("/v1/workspaces/{ws}/members/{}", u.id);
        let mut plan: Vec<(Method, String, Option<serde_json::Value>, &User)> = Vec::new();
        for i in 0..100 {
            let (actor, other) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
            // Rotate by round so each kind of request gets to go first somewhere.
            plan.push(match (i / 2 + round) % 4 {
                0 => (Method::PATCH, member(other), Some(json!({"role": "admin"})), actor),
                1 => (Method::DELETE, member(other), None, actor),
                2 => (Method::DELETE, member(actor), None, actor), // leaving
                _ => (Method::PATCH, member(actor), Some(json!({"role": "member"})), actor), // stepping down
            });
        }
        let calls = plan.iter().map(|(m, path, body, who)| app.call(m.clone(), path, Some(&who.token), body.clone(), &[]));
        let answers = join_all(calls).await;

        let mut ok = 0;
        for ans in &answers {
            match ans.status.as_u16() {
                200 | 204 => ok += 1,
                409 => {
                    ans.problem(409, "last-owner");
                    saw_last_owner = true;
                }
                403 => {
                    ans.problem(403, "forbidden");
                }
                404 => {
                    ans.problem(404, "not-found");
                }
                s => panic!("round {round}: unexpected {s}: {}", ans.body),
            }
        }
        assert!(ok >= 1, "round {round}: something must have succeeded");

        // Whoever is still a member can see the owners; there is at least one, and they are one
        // of a and b.
        let viewer = if app.get(&format!("/v1/workspaces/{ws}"), &a).await.status == 200 { &a } else { &b };
        let left = owners(&app, &ws, viewer).await;
        assert!(!left.is_empty(), "round {round}: the workspace lost all its owners: {answers:?}");
        assert!(left.iter().all(|o| *o == a.id || *o == b.id));
        // The database agrees with the API.
        let pool = app.db().await;
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM members m JOIN workspaces w ON w.id = m.workspace_id WHERE w.slug = $1 AND m.role = 'owner'")
            .bind(&ws)
            .fetch_one(&pool)
            .await
            .unwrap();
        pool.close().await;
        assert_eq!(n as usize, left.len());
        // And the remaining owner still holds the rule afterwards.
        if left.len() == 1 {
            let owner = if left[0] == a.id { &a } else { &b };
            app.delete(&member(owner), owner).await.problem(409, "last-owner");
        }
    }
    assert!(saw_last_owner, "the races should have hit the last-owner guard at least once");
}
