//! Row-level security on PostgreSQL, probed from inside the database: connected as the
//! application role with one workspace's context, no row of another workspace is visible or
//! writable, in any tenant-owned table. (SQLite has no such layer; there the test says so and
//! passes without probing.)

use crate::helpers::*;
use reqwest::Method;
use serde_json::json;
use sqlx::{PgPool, Postgres, Row, Transaction};

/// The tenant-owned tables, found from the schema rather than listed, so a new table cannot be
/// forgotten: every table with a `workspace_id` column, and `workspaces` itself.
async fn tenant_tables(pool: &PgPool) -> Vec<String> {
    sqlx::query(
        "SELECT table_name::text AS t FROM information_schema.columns \
         WHERE table_schema = 'public' AND column_name = 'workspace_id' \
         UNION SELECT 'workspaces' ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get("t"))
    .collect()
}

fn ws_col(table: &str) -> &'static str {
    if table == "workspaces" {
        "id"
    } else {
        "workspace_id"
    }
}

/// A transaction with the context a request of `user` in `ws` sets, seeing `ws` whole (as its
/// owners and admins do).
async fn in_context(pool: &PgPool, ws: &str, user: &str) -> Transaction<'static, Postgres> {
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("SELECT set_config('tenancy.workspace_id', $1, true), set_config('tenancy.user_id', $2, true), set_config('tenancy.whole', $1, true)")
        .bind(ws)
        .bind(user)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx
}

/// A transaction with the context of a member of `ws` who sees only `community`, and may read
/// every kind of its data there.
async fn in_community(pool: &PgPool, ws: &str, community: &str) -> Transaction<'static, Postgres> {
    let mut tx = pool.begin().await.unwrap();
    // A user id of nobody: what they see comes from the community context alone.
    let nobody = uuid::Uuid::now_v7().to_string();
    sqlx::query("SELECT set_config('tenancy.workspace_id', $1, true), set_config('tenancy.user_id', $2, true), set_config('tenancy.whole', '', true)")
        .bind(ws)
        .bind(&nobody)
        .execute(&mut *tx)
        .await
        .unwrap();
    for key in ["tenancy.sees", "tenancy.reads_members", "tenancy.reads_invitations", "tenancy.reads_api_keys", "tenancy.reads_intakes", "tenancy.reads_alerts", "tenancy.reads_audit"] {
        sqlx::query("SELECT set_config($1, $2, true)").bind(key).bind(community).execute(&mut *tx).await.unwrap();
    }
    tx
}

/// The community-scoped tables, and how a row names its community.
const COMMUNITY_SCOPED: [(&str, &str); 9] = [
    ("communities", "id = $1"),
    ("assignments", "community_id = $1"),
    ("intakes", "community_id = $1"),
    ("api_keys", "community_id = $1"),
    ("alert_volumes", "community_id = $1"),
    ("intake_volumes", "community_id = $1"),
    ("audit_log", "community_id = $1"),
    ("changes", "community_id = $1"),
    ("invitations", "EXISTS (SELECT 1 FROM json_array_elements(assignments::json) a WHERE a->>'community_id' = $1)"),
];

async fn count_in(tx: &mut Transaction<'static, Postgres>, table: &str, cond: &str, community: &str) -> i64 {
    sqlx::query(&format!("SELECT COUNT(*) FROM {table} WHERE {cond}")).bind(community).fetch_one(&mut **tx).await.unwrap().get(0)
}

async fn count(tx: &mut Transaction<'static, Postgres>, table: &str, ws: &str) -> i64 {
    sqlx::query(&format!("SELECT COUNT(*) FROM {table} WHERE {} = $1", ws_col(table))).bind(ws).fetch_one(&mut **tx).await.unwrap().get(0)
}

#[tokio::test]
async fn the_app_role_with_one_workspaces_context_sees_no_row_of_another() {
    if !on_postgres() {
        eprintln!("row-level security exists only on PostgreSQL; run under scripts/with-postgres.sh");
        return;
    }
    // The demo data fills every tenant-owned table in several workspaces.
    let db = TestDb::fresh().await;
    tenancy_server::seed::run(&*db.store, tenancy_server::seed::Profile::Demo, 11).await.expect("seed");
    let admin = db.connect_as("postgres").await;
    let app = db.connect_as("tenancy_app").await;
    // The seed writes instance-level audit entries only: rename both workspaces through the API
    // so that each has its own.
    let server = TestApp::serve(db).await;
    let login = json!({"email": tenancy_server::seed::DEMO_EMAIL, "password": tenancy_server::seed::DEMO_PASSWORD});
    let demo = server.call(Method::POST, "/v1/auth/login", None, Some(login), &[]).await.expect(200);
    let demo = session_user(tenancy_server::seed::DEMO_EMAIL, &demo);
    for slug in ["globex", "northwind-mssp"] {
        server.patch(&format!("/v1/workspaces/{slug}"), &demo, json!({"name": format!("{slug} renamed")})).await.expect(200);
    }

    // The application role cannot step around the policies.
    let (superuser, bypass): (bool, bool) = sqlx::query_as("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user").fetch_one(&app).await.unwrap();
    assert!(!superuser && !bypass, "tenancy_app must be neither superuser nor BYPASSRLS");

    let tables = tenant_tables(&admin).await;
    assert!(tables.len() >= 11, "{tables:?}");
    for t in &tables {
        let (on, forced): (bool, bool) = sqlx::query_as("SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = $1 AND relkind = 'r'").bind(t).fetch_one(&admin).await.unwrap();
        assert!(on && forced, "{t}: row-level security must be enabled and forced");
    }

    // Workspace A (globex) and B (northwind), each with a user who belongs only there.
    let ws = |slug: &'static str| {
        let admin = admin.clone();
        async move { sqlx::query_scalar::<_, String>("SELECT id FROM workspaces WHERE slug = $1").bind(slug).fetch_one(&admin).await.unwrap() }
    };
    let (a, b) = (ws("globex").await, ws("northwind-mssp").await);
    let only = |here: String, not: String| {
        let admin = admin.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT user_id FROM members WHERE workspace_id = $1 AND user_id NOT IN (SELECT user_id FROM members WHERE workspace_id = $2) ORDER BY user_id LIMIT 1")
                .bind(here)
                .bind(not)
                .fetch_one(&admin)
                .await
                .unwrap()
        }
    };
    let (user_a, user_b) = (only(a.clone(), b.clone()).await, only(b.clone(), a.clone()).await);

    for t in &tables {
        // The probe must be able to see something, or zero would prove nothing.
        let mut as_b = in_context(&app, &b, &user_b).await;
        let seen_by_b = count(&mut as_b, t, &b).await;
        as_b.rollback().await.unwrap();
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM {t} WHERE {} = $1", ws_col(t))).bind(&b).fetch_one(&admin).await.unwrap().get(0);
        assert!(seen_by_b > 0, "{t}: B's own context sees none of B's {total} rows");
        assert_eq!(seen_by_b, total, "{t}: B's own context sees all of B's rows");

        let mut as_a = in_context(&app, &a, &user_a).await;
        assert_eq!(count(&mut as_a, t, &b).await, 0, "{t}: A's context sees rows of B");
        assert!(count(&mut as_a, t, &a).await > 0, "{t}: A's context sees its own rows");
        // Nor can it change or delete them.
        let touched = sqlx::query(&format!("DELETE FROM {t} WHERE {} = $1", ws_col(t))).bind(&b).execute(&mut *as_a).await;
        assert!(touched.map(|r| r.rows_affected()).unwrap_or(0) == 0, "{t}: A's context deleted rows of B");
        as_a.rollback().await.unwrap();
    }

    // Inside one workspace, between communities: northwind's community B (one holding rows of
    // every community-scoped kind) and another, A.
    let cb: String = sqlx::query_scalar(
        "SELECT c.id FROM communities c WHERE c.workspace_id = $1 \
         AND EXISTS (SELECT 1 FROM api_keys k WHERE k.community_id = c.id) AND EXISTS (SELECT 1 FROM intakes i WHERE i.community_id = c.id) \
         AND EXISTS (SELECT 1 FROM audit_log l WHERE l.community_id = c.id) \
         AND EXISTS (SELECT 1 FROM invitations i, json_array_elements(i.assignments::json) a WHERE a->>'community_id' = c.id) ORDER BY c.id LIMIT 1",
    )
    .bind(&b)
    .fetch_one(&admin)
    .await
    .expect("a northwind community with keys, intakes, audit entries and invitations");
    let ca: String = sqlx::query_scalar("SELECT id FROM communities WHERE workspace_id = $1 AND id <> $2 ORDER BY id LIMIT 1").bind(&b).bind(&cb).fetch_one(&admin).await.unwrap();
    for (t, cond) in COMMUNITY_SCOPED {
        let total = count_in(&mut admin.begin().await.unwrap(), t, cond, &cb).await;
        let mut as_b = in_community(&app, &b, &cb).await;
        let seen_by_b = count_in(&mut as_b, t, cond, &cb).await;
        as_b.rollback().await.unwrap();
        assert!(seen_by_b > 0 && seen_by_b == total, "{t}: community B's context sees {seen_by_b} of its {total} rows");
        let mut as_a = in_community(&app, &b, &ca).await;
        assert_eq!(count_in(&mut as_a, t, cond, &cb).await, 0, "{t}: community A's context sees rows of community B");
        let touched = sqlx::query(&format!("DELETE FROM {t} WHERE {cond}")).bind(&cb).execute(&mut *as_a).await;
        as_a.rollback().await.unwrap();
        // (Writes are the workspace's: the service confines them; a read policy that hides a row
        // also hides it from DELETE.)
        assert!(touched.map(|r| r.rows_affected()).unwrap_or(0) == 0, "{t}: community A's context deleted rows of community B");
    }
    // People: those holding roles only in B are not A's to see, and are B's.
    let only_b = "SELECT COUNT(*) FROM members m WHERE m.workspace_id = $1 \
        AND EXISTS (SELECT 1 FROM assignments x WHERE x.user_id = m.user_id AND x.community_id = $2) \
        AND NOT EXISTS (SELECT 1 FROM assignments x WHERE x.user_id = m.user_id AND x.workspace_id = $1 AND x.community_id <> $2)";
    let people = |pool: &PgPool| {
        let pool = pool.clone();
        let (b, cb, ca) = (b.clone(), cb.clone(), ca.clone());
        async move {
            let total: i64 = sqlx::query_scalar(only_b).bind(&b).bind(&cb).fetch_one(&pool).await.unwrap();
            let mut as_b = in_community(&pool, &b, &cb).await;
            let by_b: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM members m WHERE m.workspace_id = $1 AND m.user_id IN (SELECT user_id FROM assignments WHERE community_id = $2)").bind(&b).bind(&cb).fetch_one(&mut *as_b).await.unwrap();
            as_b.rollback().await.unwrap();
            let mut as_a = in_community(&pool, &b, &ca).await;
            let by_a: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM members WHERE workspace_id = $1").bind(&b).fetch_one(&mut *as_a).await.unwrap();
            let everyone_of_a: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT user_id) FROM assignments WHERE workspace_id = $1").bind(&b).fetch_one(&mut *as_a).await.unwrap();
            as_a.rollback().await.unwrap();
            (total, by_b, by_a, everyone_of_a)
        }
    };
    let (only_b_total, _, _, _) = people(&admin).await;
    let (_, by_b, by_a, people_of_a) = people(&app).await;
    assert!(only_b_total > 0 && by_b >= only_b_total, "members: B's context sees B's {only_b_total} own people ({by_b})");
    assert_eq!(by_a, people_of_a, "members: A's context sees exactly the people holding roles in A");

    // Writing into B from A's context is refused by the policy, not only by the service.
    let mut as_a = in_context(&app, &a, &user_a).await;
    let c = sqlx::query_scalar::<_, String>("SELECT id FROM communities WHERE workspace_id = $1 LIMIT 1").bind(&b).fetch_one(&admin).await.unwrap();
    let err = sqlx::query("INSERT INTO intakes (id, workspace_id, community_id, name, kind, created_at) VALUES ('probe', $1, $2, 'Probe', 'edr', 0)")
        .bind(&b)
        .bind(&c)
        .execute(&mut *as_a)
        .await
        .expect_err("an insert into B from A's context");
    assert!(err.to_string().contains("row-level security"), "{err}");
    as_a.rollback().await.unwrap();

    // A client contact of A, before the request's sight is set: their community's row while its
    // portal is enabled, and nothing else of the workspace's communities.
    let contact = server.user("contact").await;
    server.patch(&format!("/v1/workspaces/northwind-mssp/communities/{ca}"), &demo, json!({"portal": {"enabled": true, "show_team": false}})).await.expect(200);
    let inv = server.post(&format!("/v1/workspaces/northwind-mssp/communities/{ca}/contacts"), &demo, json!({"email": contact.email})).await.expect(201);
    server.post(&format!("/v1/invitations/{}/accept", inv["id"].as_str().unwrap()), &contact, json!({})).await.expect(200);
    let contact_sees = |pool: PgPool| {
        let (b, id) = (b.clone(), contact.id.clone());
        async move {
            let mut tx = pool.begin().await.unwrap();
            sqlx::query("SELECT set_config('tenancy.workspace_id', $1, true), set_config('tenancy.user_id', $2, true)").bind(&b).bind(&id).execute(&mut *tx).await.unwrap();
            let rows: Vec<String> = sqlx::query_scalar("SELECT id FROM communities WHERE workspace_id = $1").bind(&b).fetch_all(&mut *tx).await.unwrap();
            let intakes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM intakes WHERE workspace_id = $1").bind(&b).fetch_one(&mut *tx).await.unwrap();
            tx.rollback().await.unwrap();
            (rows, intakes)
        }
    };
    assert_eq!(contact_sees(app.clone()).await, (vec![ca.clone()], 0), "a contact's context before its sight: their community's row only");
    server.patch(&format!("/v1/workspaces/northwind-mssp/communities/{ca}"), &demo, json!({"portal": {"enabled": false, "show_team": false}})).await.expect(200);
    assert_eq!(contact_sees(app.clone()).await, (vec![], 0), "the portal off: not even that");

    // The context is transaction-local: the next transaction on the same connection starts blank.
    let mut conn = app.acquire().await.unwrap();
    let mut tx = sqlx::Connection::begin(&mut *conn).await.unwrap();
    sqlx::query("SELECT set_config('tenancy.workspace_id', $1, true)").bind(&a).execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    let after: i64 = sqlx::query("SELECT COUNT(*) FROM communities").fetch_one(&mut *conn).await.unwrap().get(0);
    assert_eq!(after, 0, "a workspace context outlived its transaction");
}
