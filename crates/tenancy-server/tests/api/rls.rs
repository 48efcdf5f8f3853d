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

async fn in_context(pool: &PgPool, ws: &str, user: &str) -> Transaction<'static, Postgres> {
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("SELECT set_config('tenancy.workspace_id', $1, true), set_config('tenancy.user_id', $2, true)")
        .bind(ws)
        .bind(user)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx
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

    // The context is transaction-local: the next transaction on the same connection starts blank.
    let mut conn = app.acquire().await.unwrap();
    let mut tx = sqlx::Connection::begin(&mut *conn).await.unwrap();
    sqlx::query("SELECT set_config('tenancy.workspace_id', $1, true)").bind(&a).execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    let after: i64 = sqlx::query("SELECT COUNT(*) FROM communities").fetch_one(&mut *conn).await.unwrap().get(0);
    assert_eq!(after, 0, "a workspace context outlived its transaction");
}
