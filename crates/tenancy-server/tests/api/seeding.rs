//! The demo seed: the same seed number gives the same database, row for row; the demo data set
//! has what the console's demo needs; its credentials work over HTTP.
//!
//! The `mssp-large` profile (20,000 users, 200,000 assignments) is too slow for the test suite
//! and is not seeded here; `mssp-small`, the same shape at a fiftieth of the size, is. Bulk
//! writes (the seeder's) and row-by-row writes (the service's inserts) give the same database,
//! on either store, and the usage counters that triggers keep match the rows.

use crate::helpers::*;
use reqwest::Method;
use serde_json::json;
use sqlx::{Row, SqlitePool};
use std::collections::{BTreeMap, BTreeSet};
use tenancy_server::seed::{self, Profile, SeedReport, Writes, DEMO_EMAIL, DEMO_PASSWORD, PLATFORM_ADMIN_EMAIL};
use tenancy_server::SqliteStore;

/// Table name → rows (each column `quote()`d), ordered by primary key.
type Dump = BTreeMap<String, Vec<Vec<String>>>;

struct Seeded {
    _dir: tempfile::TempDir,
    store: SqliteStore,
    report: SeedReport,
}

impl Seeded {
    fn pool(&self) -> &SqlitePool {
        self.store.writer()
    }
}

async fn seeded(seed_number: u64) -> Seeded {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&format!("sqlite://{}", dir.path().join("seed.db").display())).await.unwrap();
    let report = seed::run(&store, Profile::Demo, seed_number).await.expect("seed the demo profile");
    Seeded { _dir: dir, store, report }
}

/// The tables the migrations create.
fn migration_tables() -> BTreeSet<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    let mut tables = BTreeSet::new();
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|f| f.unwrap().path()).collect();
    files.sort();
    for f in files {
        let sql = std::fs::read_to_string(f).unwrap();
        for line in sql.lines() {
            if let Some(rest) = line.trim().strip_prefix("CREATE TABLE ") {
                tables.insert(rest.split([' ', '(']).next().unwrap().to_owned());
            }
            // A table rebuilt under a new name takes the old one's.
            if let Some((from, to)) = line.trim().strip_prefix("ALTER TABLE ").and_then(|r| r.trim_end_matches(';').split_once(" RENAME TO ")) {
                tables.remove(from.trim());
                tables.insert(to.trim().to_owned());
            }
        }
    }
    assert!(tables.len() >= 10, "{tables:?}");
    tables
}

/// Every table's rows, ordered by primary key.
async fn dump(pool: &SqlitePool) -> Dump {
    let names: Vec<String> = sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != '_sqlx_migrations' ORDER BY name")
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut out = Dump::new();
    for t in names {
        let cols = sqlx::query(&format!("SELECT name, pk FROM pragma_table_info('{t}')")).fetch_all(pool).await.unwrap();
        let all: Vec<String> = cols.iter().map(|c| c.get::<String, _>("name")).collect();
        let mut pk: Vec<(i64, String)> = cols.iter().filter(|c| c.get::<i64, _>("pk") > 0).map(|c| (c.get("pk"), c.get("name"))).collect();
        pk.sort();
        assert!(!pk.is_empty(), "table {t} has a primary key");
        let select = all.iter().map(|c| format!("quote(\"{c}\")")).collect::<Vec<_>>().join(", ");
        let order = pk.iter().map(|(_, c)| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
        let rows = sqlx::query(&format!("SELECT {select} FROM \"{t}\" ORDER BY {order}")).fetch_all(pool).await.unwrap();
        out.insert(t, rows.iter().map(|r| (0..all.len()).map(|i| r.get::<String, _>(i)).collect()).collect());
    }
    out
}

async fn count(pool: &SqlitePool, sql: &str) -> i64 {
    sqlx::query(sql).fetch_one(pool).await.unwrap().get(0)
}

#[tokio::test]
async fn the_same_seed_number_gives_the_same_database_row_for_row() {
    // Seeded times are anchored to today (UTC); retry if the day turned during the test.
    for _ in 0..2 {
        let day = chrono::Utc::now().date_naive();
        let a = seeded(7).await;
        let b = seeded(7).await;
        let c = seeded(8).await;
        if chrono::Utc::now().date_naive() != day {
            continue;
        }
        let (da, db, dc) = (dump(a.pool()).await, dump(b.pool()).await, dump(c.pool()).await);

        let tables: BTreeSet<String> = da.keys().cloned().collect();
        let expected = migration_tables();
        assert!(expected.is_subset(&tables), "every migrated table is compared: {expected:?} vs {tables:?}");
        for t in ["users", "workspaces", "members", "communities", "roles", "assignments", "invitations", "intakes", "api_keys", "alert_volumes", "audit_log", "changes"] {
            assert!(!da[t].is_empty(), "the seed fills {t}");
        }
        for t in &tables {
            assert_eq!(da[t].len(), db[t].len(), "{t}: same row count");
            for (i, (ra, rb)) in da[t].iter().zip(&db[t]).enumerate() {
                assert_eq!(ra, rb, "{t}: row {i} differs between two runs of seed 7");
            }
        }
        assert_eq!(da, db);

        // Another seed number, other data (ids, names, volumes), same shape.
        for t in ["users", "workspaces", "communities", "assignments", "alert_volumes", "api_keys"] {
            assert_ne!(da[t], dc[t], "{t} is the same for seeds 7 and 8");
        }
        assert_eq!(da["workspaces"].len(), dc["workspaces"].len());
        return;
    }
    panic!("the day turned twice during the test");
}

#[tokio::test]
async fn the_demo_profile_has_three_workspaces_forty_communities_three_hundred_users() {
    let s = seeded(1).await;
    let p = s.pool();
    let r = &s.report;

    assert_eq!(r.workspaces, 3);
    assert_eq!(count(p, "SELECT COUNT(*) FROM workspaces WHERE deleted_at IS NULL").await, 3);
    let communities = count(p, "SELECT COUNT(*) FROM communities").await;
    assert_eq!(communities, r.communities as i64);
    assert!((35..=45).contains(&communities), "about 40 communities: {communities}");
    let users = count(p, "SELECT COUNT(*) FROM users").await;
    assert_eq!(users, r.users as i64);
    assert!((270..=330).contains(&users), "about 300 users: {users}");
    // One single-tenant customer, two multi-tenant MSSPs.
    let per_ws: Vec<i64> = sqlx::query("SELECT COUNT(c.id) FROM workspaces w LEFT JOIN communities c ON c.workspace_id = w.id GROUP BY w.id ORDER BY 1")
        .fetch_all(p)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(per_ws[0], 1, "a single-tenant workspace: {per_ws:?}");
    assert!(per_ws[1] > 1 && per_ws[2] > 1, "two multi-tenant workspaces: {per_ws:?}");

    let now_ms = chrono::Utc::now().timestamp_millis();
    let pending = count(p, &format!("SELECT COUNT(*) FROM invitations WHERE accepted_at IS NULL AND revoked_at IS NULL AND expires_at > {now_ms}")).await;
    assert!(pending > 0, "pending invitations");
    assert_eq!(pending, r.invitations as i64);
    assert_eq!(count(p, "SELECT COUNT(*) FROM invitations").await, pending, "every seeded invitation is still pending");

    let keys = count(p, "SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL").await;
    assert_eq!(keys, r.api_keys as i64);
    assert_eq!(count(p, "SELECT COUNT(*) FROM communities c WHERE NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.community_id = c.id)").await, 0, "every community has an API key");
    assert_eq!(count(p, "SELECT COUNT(*) FROM communities c WHERE NOT EXISTS (SELECT 1 FROM intakes i WHERE i.community_id = c.id)").await, 0, "every community has intakes");
    assert!(r.assignments > 0);
    assert_eq!(count(p, "SELECT COUNT(*) FROM assignments").await, r.assignments as i64);

    // 90 consecutive days of alert volumes per community, ending today (UTC).
    let today = chrono::Utc::now().date_naive();
    let first = today - chrono::Duration::days(89);
    let vols = sqlx::query("SELECT community_id, COUNT(*) AS n, COUNT(DISTINCT day) AS d, MIN(day) AS lo, MAX(day) AS hi, SUM(alerts) AS total FROM alert_volumes GROUP BY community_id")
        .fetch_all(p)
        .await
        .unwrap();
    assert_eq!(vols.len() as i64, communities, "every community has alert volumes");
    for v in &vols {
        let c: String = v.get("community_id");
        assert_eq!((v.get::<i64, _>("n"), v.get::<i64, _>("d")), (90, 90), "{c}: 90 distinct days");
        assert_eq!(v.get::<String, _>("lo"), first.to_string(), "{c}");
        assert_eq!(v.get::<String, _>("hi"), today.to_string(), "{c}");
        assert!(v.get::<i64, _>("total") > 0, "{c}: some alerts");
    }

    // Every seeded entity has its change-feed entry, so a client following from 0 sees it all.
    for (table, kind) in [("workspaces", "workspace"), ("communities", "community"), ("members", "member"), ("roles", "role"), ("assignments", "assignment"), ("invitations", "invitation"), ("api_keys", "api_key"), ("intakes", "intake")] {
        let rows = count(p, &format!("SELECT COUNT(*) FROM {table}")).await;
        let changes = count(p, &format!("SELECT COUNT(*) FROM changes WHERE kind = '{kind}'")).await;
        assert_eq!(rows, changes, "{table}: one feed entry per row");
    }
    // Built-in, custom and restricted roles in every workspace.
    assert_eq!(count(p, "SELECT COUNT(DISTINCT workspace_id) FROM roles WHERE kind = 'restricted'").await, 3);
    assert_eq!(count(p, "SELECT COUNT(*) FROM roles WHERE kind = 'builtin'").await, 9);
    // The seed leaves one instance-level audit entry.
    assert_eq!(count(p, "SELECT COUNT(*) FROM audit_log WHERE action = 'instance.seed' AND workspace_id IS NULL").await, 1);
}

#[tokio::test]
async fn seeding_refuses_an_already_seeded_database() {
    let s = seeded(3).await;
    let before = dump(s.pool()).await;
    assert!(seed::run(&s.store, Profile::Demo, 3).await.is_err());
    assert_eq!(dump(s.pool()).await, before, "the refusal wrote nothing");
}

#[tokio::test]
async fn the_demo_credentials_sign_in_over_http_and_see_three_workspaces() {
    let app = TestApp::spawn_seeded(1).await;
    let s = app.call(Method::POST, "/v1/auth/login", None, Some(json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD})), &[]).await.expect(200);
    let demo = session_user(DEMO_EMAIL, &s);
    let ws = app.get("/v1/workspaces", &demo).await.expect(200);
    let mut slugs: Vec<(String, String)> =
        ws["items"].as_array().unwrap().iter().map(|m| (m["workspace"]["slug"].as_str().unwrap().to_owned(), m["role"].as_str().unwrap().to_owned())).collect();
    slugs.sort();
    assert_eq!(slugs.len(), 3, "{ws}");
    assert_eq!(slugs.iter().filter(|(_, r)| r == "owner").count(), 2, "owner of the two MSSPs: {slugs:?}");
    assert_eq!(slugs.iter().filter(|(_, r)| r == "admin").count(), 1, "admin of the customer: {slugs:?}");

    // The data behind them is reachable: communities, members, alert volumes, the feed.
    let mut total = 0;
    for (slug, _) in &slugs {
        let cs = app.get(&format!("/v1/workspaces/{slug}/communities?limit=1000"), &demo).await.expect(200);
        let cs = cs["items"].as_array().unwrap();
        total += cs.len();
        let vols = app.get(&format!("/v1/workspaces/{slug}/communities/{}/alert-volumes", cs[0]["id"].as_str().unwrap()), &demo).await.expect(200);
        assert_eq!(vols.as_array().unwrap().len(), 90, "{slug}: the last 90 days");
        // The whole workspace in one answer: 90 days for each of its communities, this one's included.
        let all = app.get(&format!("/v1/workspaces/{slug}/alert-volumes"), &demo).await.expect(200);
        let all = all.as_array().unwrap();
        assert_eq!(all.len(), 90 * cs.len(), "{slug}");
        assert_eq!(all.iter().filter(|v| v["community_id"] == cs[0]["id"]).cloned().collect::<Vec<_>>(), *vols.as_array().unwrap());
        let members = app.get(&format!("/v1/workspaces/{slug}/members?limit=1000"), &demo).await.expect(200);
        assert!(members["items"].as_array().unwrap().len() > 10, "{slug}");
    }
    assert!((35..=45).contains(&total), "{total}");
    let batch = app.get("/v1/changes?since=0&limit=5000", &demo).await.expect(200);
    let kinds: BTreeSet<&str> = batch["changes"].as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert!(kinds.is_superset(&BTreeSet::from(["workspace", "community", "member", "role", "assignment", "invitation", "api_key", "intake"])), "{kinds:?}");

    // The platform admin account works too, and wrong passwords are still refused.
    let pa = app.call(Method::POST, "/v1/auth/login", None, Some(json!({"email": PLATFORM_ADMIN_EMAIL, "password": DEMO_PASSWORD})), &[]).await.expect(200);
    assert_eq!(pa["user"]["platform_admin"], true);
    app.call(Method::POST, "/v1/auth/login", None, Some(json!({"email": DEMO_EMAIL, "password": "not-the-demo-password"})), &[])
        .await
        .problem(401, "invalid-credentials");
}

/// The demo's audit log tells how the data set came to be: who made each workspace, community,
/// key, custom role and invitation, who promoted the admins and assigned the roles, in time
/// order, every actor an owner or admin of the workspace, every time before today.
#[tokio::test]
async fn the_demo_audit_log_records_the_admin_work_in_time_order() {
    let s = seeded(5).await;
    let p = s.pool();
    for (action, table) in [("workspace.create", "workspaces"), ("community.create", "communities"), ("api_key.create", "api_keys"), ("invitation.create", "invitations")] {
        assert_eq!(count(p, &format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'")).await, count(p, &format!("SELECT COUNT(*) FROM {table}")).await, "{action}");
    }
    assert_eq!(count(p, "SELECT COUNT(*) FROM audit_log WHERE action = 'role.create'").await, count(p, "SELECT COUNT(*) FROM roles WHERE kind != 'builtin'").await);
    assert_eq!(count(p, "SELECT COUNT(*) FROM audit_log WHERE action = 'member.assign_roles'").await, s.report.assignments as i64);
    // Every admin but the one who made the workspace was promoted, and is the member it says.
    assert_eq!(
        count(p, "SELECT COUNT(*) FROM audit_log WHERE action = 'member.role_change'").await,
        count(p, "SELECT COUNT(*) FROM members m WHERE m.role != 'member' AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.action = 'workspace.create' AND a.workspace_id = m.workspace_id AND a.actor_id = m.user_id)").await
    );
    assert_eq!(count(p, "SELECT COUNT(*) FROM audit_log WHERE action = 'member.role_change' AND (json_extract(before, '$.role') != 'member' OR json_extract(after, '$.role') = 'member' OR json_extract(after, '$.user_id') != target_id)").await, 0);
    // Newest first by id is newest first by time; nothing in the future.
    assert_eq!(count(p, "SELECT COUNT(*) FROM audit_log a JOIN audit_log b ON b.id = a.id + 1 WHERE b.at < a.at").await, 0, "ids follow time");
    let today = chrono::Utc::now().date_naive().and_time(chrono::NaiveTime::MIN).and_utc().timestamp_millis();
    assert_eq!(count(p, &format!("SELECT COUNT(*) FROM audit_log WHERE action != 'instance.seed' AND at > {today}")).await, 0);
    // Each workspace's actors are its owners and admins.
    assert_eq!(
        count(p, "SELECT COUNT(*) FROM audit_log a WHERE a.workspace_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM members m WHERE m.workspace_id = a.workspace_id AND m.user_id = a.actor_id AND m.role != 'member')").await,
        0
    );
    // Nobody acts as an admin before they were made one.
    assert_eq!(
        count(p, "SELECT COUNT(*) FROM audit_log a JOIN audit_log p ON p.action = 'member.role_change' AND p.workspace_id = a.workspace_id AND p.target_id = a.actor_id WHERE p.at > a.at").await,
        0
    );
    assert!(count(p, "SELECT COUNT(*) FROM audit_log a JOIN audit_log p ON p.action = 'member.role_change' AND p.workspace_id = a.workspace_id AND p.target_id = a.actor_id").await > 0, "promoted admins act too");
    // Things happen in order: a community after its workspace, an assignment after its member
    // joined and its community was made.
    assert_eq!(count(p, "SELECT COUNT(*) FROM communities c JOIN workspaces w ON w.id = c.workspace_id WHERE c.created_at < w.created_at").await, 0);
    assert_eq!(
        count(p, "SELECT COUNT(*) FROM assignments a JOIN members m ON m.workspace_id = a.workspace_id AND m.user_id = a.user_id JOIN communities c ON c.id = a.community_id WHERE a.created_at < m.joined_at OR a.created_at < c.created_at").await,
        0
    );
}

/// A load balancer's health check: 200 while the server reaches its database, without signing in.
#[tokio::test]
async fn the_health_check_answers_without_a_token_while_the_database_answers() {
    let app = TestApp::spawn().await;
    let got = app.call(reqwest::Method::GET, "/v1/health", None, None, &[]).await;
    assert_eq!(got.status.as_u16(), 200, "{}", got.body);
    assert_eq!(got.body["status"], "ok");
}

/// Every table's contents: on SQLite every row (as [`dump`]), on PostgreSQL a digest of each
/// table's rows (read as the superuser, whom row-level security does not confine).
async fn contents(db: &TestDb) -> BTreeMap<String, String> {
    if !on_postgres() {
        let pool = SqlitePool::connect(&db.url).await.unwrap();
        let d = dump(&pool).await;
        pool.close().await;
        return d.into_iter().map(|(t, rows)| (t, format!("{rows:?}"))).collect();
    }
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_sqlx_migrations' ORDER BY 1")
        .fetch_all(&pool)
        .await
        .unwrap();
    let mut out = BTreeMap::new();
    for t in tables {
        let digest: String = sqlx::query_scalar(&format!("SELECT COUNT(*) || ' rows, ' || COALESCE(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM \"{t}\" t"))
            .fetch_one(&pool)
            .await
            .unwrap();
        out.insert(t, digest);
    }
    pool.close().await;
    out
}

#[tokio::test]
async fn bulk_writes_give_the_database_row_by_row_writes_give() {
    // Seeded times are anchored to today (UTC); retry if the day turned during the test.
    'again: for _ in 0..2 {
        let day = chrono::Utc::now().date_naive();
        for profile in [Profile::Demo, Profile::MsspSmall] {
            let bulk = TestDb::fresh().await;
            let bulk_report = seed::run_with(&*bulk.store, profile, 5, Writes::Bulk).await.expect("seed in bulk");
            let by_row = TestDb::fresh().await;
            let row_report = seed::run_with(&*by_row.store, profile, 5, Writes::RowByRow).await.expect("seed row by row");
            if chrono::Utc::now().date_naive() != day {
                continue 'again;
            }
            assert_eq!(bulk_report.to_string(), row_report.to_string(), "{profile:?}");
            let (a, b) = (contents(&bulk).await, contents(&by_row).await);
            assert!(a.len() >= 10, "{a:?}");
            for t in a.keys() {
                assert_eq!(a.get(t), b.get(t), "{profile:?}: table {t} differs between bulk and row-by-row writes");
            }
            assert_eq!(a, b, "{profile:?}");
        }
        return;
    }
    panic!("the day turned twice during the test");
}

#[tokio::test]
async fn a_bulk_seed_counts_usage_as_its_rows_and_copies_people_onto_memberships() {
    for profile in [Profile::Demo, Profile::MsspSmall] {
        let db = TestDb::fresh().await;
        let report = seed::run(&*db.store, profile, 9).await.expect("seed in bulk");
        let app = TestApp::serve(db).await;
        let pool = app.pool().await;
        let login = json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD});
        let s = app.call(Method::POST, "/v1/auth/login", None, Some(login), &[]).await.expect(200);
        let owner = session_user(DEMO_EMAIL, &s);
        let mine = app.get("/v1/workspaces", &owner).await.expect(200);
        let workspaces: Vec<(String, String)> =
            mine["items"].as_array().unwrap().iter().map(|m| (m["workspace"]["id"].as_str().unwrap().to_owned(), m["workspace"]["slug"].as_str().unwrap().to_owned())).collect();
        assert_eq!(workspaces.len(), if profile == Profile::Demo { 3 } else { 1 }, "{profile:?}");
        let mut communities = 0;
        for (id, slug) in &workspaces {
            let usage = app.get(&format!("/v1/workspaces/{slug}/usage"), &owner).await.expect(200);
            let counted = |sql: &str| {
                let (pool, sql) = (pool.clone(), sql.replace("$ws", &format!("'{id}'")));
                async move { sqlx::query_scalar::<_, i64>(&sql).fetch_one(&pool).await.unwrap() }
            };
            assert_eq!(usage["members"], counted("SELECT COUNT(*) FROM members WHERE workspace_id = $ws AND role <> 'client'").await, "{slug}: members");
            assert_eq!(usage["client_contacts"], counted("SELECT COUNT(*) FROM members WHERE workspace_id = $ws AND role = 'client'").await, "{slug}: client contacts");
            assert_eq!(usage["communities"], counted("SELECT COUNT(*) FROM communities WHERE workspace_id = $ws").await, "{slug}: communities");
            assert_eq!(usage["api_keys"], counted("SELECT COUNT(*) FROM api_keys WHERE workspace_id = $ws AND revoked_at IS NULL").await, "{slug}: API keys");
            assert!(usage["members"].as_i64().unwrap() > 10, "{slug}: {usage}");
            communities += usage["communities"].as_i64().unwrap();
        }
        assert_eq!(communities, report.communities as i64, "{profile:?}");
        // Each membership carries its person's name and 2FA state (0009_member_copies).
        let differ: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM members m JOIN users u ON u.id = m.user_id WHERE m.display_name <> u.display_name OR m.totp_enabled <> u.totp_enabled OR m.email <> u.email",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(differ, 0, "{profile:?}");
        if profile == Profile::MsspSmall {
            assert_eq!((report.communities, report.users, report.assignments), (20, 401, 4_000));
            let changes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM changes").fetch_one(&pool).await.unwrap();
            let rows: i64 = sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM workspaces) + (SELECT COUNT(*) FROM roles) + (SELECT COUNT(*) FROM members) + (SELECT COUNT(*) FROM communities) \
                 + (SELECT COUNT(*) FROM intakes) + (SELECT COUNT(*) FROM api_keys) + (SELECT COUNT(*) FROM assignments) + (SELECT COUNT(*) FROM invitations)",
            )
            .fetch_one(&pool)
            .await
            .unwrap();
            assert_eq!(changes, rows, "one feed entry per row");
            // Numbered 1, 2, … in one run, and the feed goes on after them.
            let (lo, hi): (i64, i64) = sqlx::query_as("SELECT MIN(seq), MAX(seq) FROM changes").fetch_one(&pool).await.unwrap();
            assert_eq!((lo, hi), (1, changes));
            let ws = &workspaces[0].1;
            app.new_community(ws, &owner, "after-the-seed").await;
            let next: i64 = sqlx::query_scalar(&format!("SELECT MIN(seq) FROM changes WHERE seq > {changes}")).fetch_one(&pool).await.unwrap();
            assert_eq!(next, changes + 1, "the next change is numbered after the seed's");
        }
    }
}
