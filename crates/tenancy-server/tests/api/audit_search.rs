//! Searching the audit log over its whole history: filters apply on the server to every entry
//! (not to a loaded page), the cursor pages through what matches, and a community's manager
//! searching another community finds nothing, as for one that does not exist.

use crate::helpers::*;
use serde_json::{json, Value};

const ENTRIES: i64 = 10_000;
/// One entry a minute from this instant (milliseconds), so ids and times run together.
const BASE_MS: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap().to_rfc3339()
}

/// Every page of `path` (newest first), following the cursor; the target ids in order.
async fn all_pages(app: &TestApp, u: &User, path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit=500&cursor={c}"),
            None => format!("{path}{sep}limit=500"),
        };
        let page = app.get(&url, u).await.expect(200);
        out.extend(page["items"].as_array().unwrap().iter().map(|e| e["target_id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
}

#[tokio::test]
async fn filters_search_the_whole_history_and_the_cursor_pages_through_the_matches() {
    let app = TestApp::spawn().await;
    let owner = app.user("olive").await;
    let ws = app.workspace(&owner, "audit-search", "pro").await;
    let ws_id = ws["id"].as_str().unwrap().to_owned();
    let c1 = app.first_community("audit-search", &owner).await["id"].as_str().unwrap().to_owned();
    let c2 = app.new_community("audit-search", &owner, "second").await["id"].as_str().unwrap().to_owned();
    let actors = [uuid::Uuid::now_v7().to_string(), uuid::Uuid::now_v7().to_string(), uuid::Uuid::now_v7().to_string()];
    // Entry i: actor i % 3, action i % 4, community c1 (i % 5 in 0..2), c2 (2..4) or none (4).
    let pool = app.db().await;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
         INSERT INTO audit_log (workspace_id, actor_id, action, target_kind, target_id, before, after, at, request_id, community_id) \
         SELECT $2, CASE i % 3 WHEN 0 THEN $3 WHEN 1 THEN $4 ELSE $5 END, \
           CASE i % 4 WHEN 0 THEN 'member.role_change' WHEN 1 THEN 'api_key.create' WHEN 2 THEN 'community.update' ELSE 'intake.create' END, \
           CASE i % 4 WHEN 0 THEN 'member' WHEN 1 THEN 'api_key' WHEN 2 THEN 'community' ELSE 'intake' END, \
           't' || i, NULL, NULL, $6 + i * 60000, 'seeded', \
           CASE WHEN i % 5 < 2 THEN $7 WHEN i % 5 < 4 THEN $8 ELSE NULL END \
         FROM n",
    )
    .bind(ENTRIES)
    .bind(&ws_id)
    .bind(&actors[0])
    .bind(&actors[1])
    .bind(&actors[2])
    .bind(BASE_MS)
    .bind(&c1)
    .bind(&c2)
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let community = |i: i64| match i % 5 {
        0 | 1 => Some(c1.as_str()),
        2 | 3 => Some(c2.as_str()),
        _ => None,
    };
    // What matches, newest first (ids follow i).
    let expect = |keep: &dyn Fn(i64) -> bool| (1..=ENTRIES).rev().filter(|i| keep(*i)).map(|i| format!("t{i}")).collect::<Vec<_>>();
    let base = "/v1/workspaces/audit-search/audit".to_owned();

    // By actor and community: 1 in 3 of 2 in 5, from all of history.
    let found = all_pages(&app, &owner, &format!("{base}?actor_id={}&community_id={c2}", actors[1])).await;
    let want = expect(&|i| i % 3 == 1 && community(i) == Some(c2.as_str()));
    assert_eq!(found.len(), want.len());
    assert_eq!(found, want, "actor and community");
    assert!(found.contains(&"t2".to_owned()) || found.contains(&"t7".to_owned()), "the oldest matches are found, not only the first page's");
    assert!(want.len() > 1_000, "{} matches: several pages", want.len());

    // By action within a time range (from inclusive, to exclusive).
    let (from, to) = (BASE_MS + 2_000 * 60_000, BASE_MS + 3_000 * 60_000);
    let found = all_pages(&app, &owner, &format!("{base}?action=api_key.create&from={}&to={}", urlencode(&iso(from)), urlencode(&iso(to)))).await;
    assert_eq!(found, expect(&|i| i % 4 == 1 && (2_000..3_000).contains(&i)), "action and time range");

    // By target kind and id.
    let found = all_pages(&app, &owner, &format!("{base}?target_kind=intake&target_id=t11")).await;
    assert_eq!(found, vec!["t11".to_owned()]);

    // Refusals that say what to do.
    let bad = app.get(&format!("{base}?action=member.deleted"), &owner).await;
    assert!(bad.problem(422, "validation").contains("member.role_change"), "{}", bad.body);
    let swapped = app.get(&format!("{base}?from={}&to={}", urlencode(&iso(to)), urlencode(&iso(from))), &owner).await;
    assert!(swapped.problem(422, "validation").contains("before"));

    // A manager of c1 only: c1's entries; searching c2 finds what a random community finds.
    let manager = app.user("manager").await;
    let admin_role = app.role_id("audit-search", &owner, "Admin").await;
    app.add_member("audit-search", &owner, &manager, "member", json!([grant(&c1, &admin_role)])).await;
    let theirs = all_pages(&app, &manager, &format!("{base}?actor_id={}", actors[0])).await;
    let seeded: Vec<String> = theirs.iter().filter(|t| t.starts_with('t')).cloned().collect();
    assert_eq!(seeded, expect(&|i| i % 3 == 0 && community(i) == Some(c1.as_str())), "the manager searches their community's entries");
    let (other, random): (Value, Value) = (
        app.get(&format!("{base}?community_id={c2}"), &manager).await.expect(200),
        app.get(&format!("{base}?community_id={}", uuid::Uuid::now_v7()), &manager).await.expect(200),
    );
    assert_eq!(other, random, "another community's entries are as a random community's");
    assert!(other["items"].as_array().unwrap().is_empty());
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}
