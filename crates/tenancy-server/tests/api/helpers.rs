//! Spawning a fresh server and speaking to it over HTTP.

#![allow(dead_code)]

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tenancy_server::store::Store;
use tenancy_server::{PgStore, PgUrls, Running, SqliteStore};

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub server: Running,
    pub http: reqwest::Client,
    /// The database behind the server, for what no API offers (as a superuser on PostgreSQL,
    /// past row-level security).
    pub db_url: String,
    _dir: tempfile::TempDir,
    _drop: Option<DropDatabase>,
}

/// Drops a test's PostgreSQL database when the test is over, so a run leaves no pile of them.
pub struct DropDatabase {
    host: String,
    name: String,
}

impl Drop for DropDatabase {
    fn drop(&mut self) {
        let (host, name) = (self.host.clone(), self.name.clone());
        // Drop runs inside the test's runtime: do the async work on a thread of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                if let Ok(admin) = sqlx::PgPool::connect(&format!("postgres://postgres@{host}/postgres")).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&admin).await;
                    admin.close().await;
                }
            })
        })
        .join();
    }
}

/// A fresh, empty store of the kind this run tests: PostgreSQL when `TENANCY_TEST_STORE=postgres`
/// (scripts/with-postgres.sh sets it, with `TENANCY_TEST_PG=host:port` of a throwaway cluster
/// that has the tenancy_owner, tenancy_app and tenancy_jobs roles), SQLite otherwise.
pub struct TestDb {
    pub store: Arc<dyn Store>,
    /// Superuser (PostgreSQL) or file (SQLite) URL of the database.
    pub url: String,
    /// The cluster's host:port, on PostgreSQL.
    pub pg_host: Option<String>,
    /// The database's name, on PostgreSQL.
    pub pg_name: String,
    pub dir: tempfile::TempDir,
}

static DATABASES: AtomicUsize = AtomicUsize::new(0);

pub fn on_postgres() -> bool {
    std::env::var("TENANCY_TEST_STORE").is_ok_and(|s| s == "postgres")
}

impl TestDb {
    pub async fn fresh() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        if !on_postgres() {
            let url = format!("sqlite://{}", dir.path().join("tenancy.db").display());
            let store = SqliteStore::open(&url).await.expect("open store");
            return TestDb { store: Arc::new(store), url, pg_host: None, pg_name: String::new(), dir };
        }
        let host = std::env::var("TENANCY_TEST_PG").expect("TENANCY_TEST_PG=host:port of the test cluster");
        let name = format!("tenancy_test_{}_{}", std::process::id(), DATABASES.fetch_add(1, Ordering::Relaxed));
        let admin = sqlx::PgPool::connect(&format!("postgres://postgres@{host}/postgres")).await.expect("connect to the test cluster");
        sqlx::query(&format!("CREATE DATABASE {name} OWNER tenancy_owner")).execute(&admin).await.unwrap();
        admin.close().await;
        let url = |role: &str| format!("postgres://{role}@{host}/{name}");
        let urls = PgUrls { app: url("tenancy_app"), jobs: url("tenancy_jobs"), owner: Some(url("tenancy_owner")) };
        let store = PgStore::open(&urls).await.expect("open store");
        TestDb { store: Arc::new(store), url: url("postgres"), pg_host: Some(host), pg_name: name, dir }
    }

    /// A connection to the database as `role` (PostgreSQL only).
    pub async fn connect_as(&self, role: &str) -> sqlx::PgPool {
        let host = self.pg_host.as_ref().expect("a PostgreSQL run");
        sqlx::PgPool::connect(&format!("postgres://{role}@{host}/{}", self.pg_name)).await.unwrap()
    }
}

/// A connection to a test database by URL, whichever the store.
pub async fn raw_pool(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(url).await.unwrap()
}

/// One HTTP answer: status, headers and the JSON body (Null when empty).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    /// Panics with the body unless the status is `expected`.
    #[track_caller]
    pub fn expect(self, expected: u16) -> Value {
        assert_eq!(self.status.as_u16(), expected, "unexpected status; body: {}", self.body);
        self.body
    }
    /// Asserts this is an RFC 9457 problem with the given type slug; returns the detail.
    #[track_caller]
    pub fn problem(&self, status: u16, slug: &str) -> String {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.headers.get("content-type").map(|v| v.to_str().unwrap()), Some("application/problem+json"), "body: {}", self.body);
        let t = self.body["type"].as_str().unwrap_or_default();
        assert!(t.ends_with(&format!("/problems/{slug}")), "expected problem {slug}, got {t}: {}", self.body);
        assert_eq!(self.body["status"].as_u64(), Some(status as u64));
        let detail = self.body["detail"].as_str().unwrap_or_default().to_owned();
        assert!(detail.len() > 20, "a problem says what to do: {detail:?}");
        detail
    }
    pub fn etag(&self) -> String {
        self.headers.get("etag").expect("an ETag").to_str().unwrap().to_owned()
    }
}

static USERS: AtomicUsize = AtomicUsize::new(0);

/// A signed-in user.
#[derive(Clone, Debug)]
pub struct User {
    pub id: String,
    pub email: String,
    pub token: String,
    pub refresh: String,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::serve(TestDb::fresh().await).await
    }

    /// Serves the API over `db`.
    pub async fn serve(db: TestDb) -> TestApp {
        let server = tenancy_server::start(db.store, "127.0.0.1:0".parse().unwrap()).await.expect("start");
        let drop = db.pg_host.map(|host| DropDatabase { host, name: db.pg_name });
        TestApp { server, http: reqwest::Client::new(), db_url: db.url, _dir: db.dir, _drop: drop }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.url(), path)
    }

    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>, headers: &[(&str, &str)]) -> Answer {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.expect("request sent");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        Answer { status, headers, body }
    }

    pub async fn get(&self, path: &str, u: &User) -> Answer {
        self.call(Method::GET, path, Some(&u.token), None, &[]).await
    }
    pub async fn post(&self, path: &str, u: &User, body: Value) -> Answer {
        self.call(Method::POST, path, Some(&u.token), Some(body), &[]).await
    }
    pub async fn patch(&self, path: &str, u: &User, body: Value) -> Answer {
        self.call(Method::PATCH, path, Some(&u.token), Some(body), &[]).await
    }
    pub async fn put(&self, path: &str, u: &User, body: Value) -> Answer {
        self.call(Method::PUT, path, Some(&u.token), Some(body), &[]).await
    }
    pub async fn delete(&self, path: &str, u: &User) -> Answer {
        self.call(Method::DELETE, path, Some(&u.token), None, &[]).await
    }

    /// Registers and signs in a fresh user.
    pub async fn user(&self, name: &str) -> User {
        let n = USERS.fetch_add(1, Ordering::Relaxed);
        let email = format!("{name}.{n}@test.example");
        let s = self
            .call(Method::POST, "/v1/auth/register", None, Some(json!({"email": email, "display_name": name, "password": PASSWORD})), &[])
            .await
            .expect(201);
        User { id: s["user"]["id"].as_str().unwrap().into(), email, token: s["access_token"].as_str().unwrap().into(), refresh: s["refresh_token"].as_str().unwrap().into() }
    }

    /// Makes `u` a platform admin by writing the flag directly (there is no API to become one).
    pub async fn make_platform_admin(&self, u: &User) {
        let pool = self.db().await;
        sqlx::query("UPDATE users SET platform_admin = true WHERE id = $1").bind(&u.id).execute(&pool).await.unwrap();
        pool.close().await;
    }

    /// Creates a workspace owned by `owner`; returns its JSON.
    pub async fn workspace(&self, owner: &User, slug: &str, plan: &str) -> Value {
        self.post("/v1/workspaces", owner, json!({"name": format!("WS {slug}"), "slug": slug, "plan": plan})).await.expect(201)
    }

    /// The first community of a workspace.
    pub async fn first_community(&self, ws: &str, u: &User) -> Value {
        self.get(&format!("/v1/workspaces/{ws}/communities"), u).await.expect(200)["items"][0].clone()
    }

    /// A built-in role's id in a workspace ("Guest", "Analyst", "Admin").
    pub async fn role_id(&self, ws: &str, u: &User, name: &str) -> String {
        let roles = self.get(&format!("/v1/workspaces/{ws}/roles"), u).await.expect(200);
        roles["items"].as_array().unwrap().iter().find(|r| r["name"] == name).unwrap_or_else(|| panic!("role {name}"))["id"].as_str().unwrap().into()
    }

    /// Adds `u` to the workspace by invitation with a workspace role; returns nothing.
    pub async fn add_member(&self, ws: &str, by: &User, u: &User, role: &str, assignments: Value) {
        let inv = self.post(&format!("/v1/workspaces/{ws}/invitations"), by, json!({"email": u.email, "workspace_role": role, "assignments": assignments})).await.expect(201);
        self.post(&format!("/v1/invitations/{}/accept", inv["id"].as_str().unwrap()), u, json!({})).await.expect(200);
    }
}

// ---------- gating / lifecycle / isolation helpers ----------

/// One community role for `add_member` / assignments: `[{community_id, role_id}]` entries.
pub fn grant(community: &str, role: &str) -> Value {
    json!({"community_id": community, "role_id": role})
}

impl TestApp {
    /// A direct connection to the server's database (for backdating and row checks).
    pub async fn db(&self) -> sqlx::AnyPool {
        raw_pool(&self.db_url).await
    }

    /// Creates a community (as `by`); returns its JSON.
    pub async fn new_community(&self, ws: &str, by: &User, slug: &str) -> Value {
        self.post(&format!("/v1/workspaces/{ws}/communities"), by, json!({"name": format!("Community {slug}"), "slug": slug, "timezone": "UTC", "region": "eu-west"}))
            .await
            .expect(201)
    }

    /// Creates a custom role with these permission ids (as `by`); returns its id.
    pub async fn custom_role(&self, ws: &str, by: &User, name: &str, permissions: &[&str]) -> String {
        self.post(&format!("/v1/workspaces/{ws}/roles"), by, json!({"name": name, "kind": "custom", "permissions": permissions}))
            .await
            .expect(201)["id"]
            .as_str()
            .unwrap()
            .into()
    }

    /// Turns on TOTP two-factor authentication for `u` through the API.
    pub async fn enrol_2fa(&self, u: &User) {
        let e = self.post("/v1/me/2fa/enrol", u, json!({})).await.expect(200);
        let code = tenancy_server::credentials::totp_now(e["secret"].as_str().unwrap());
        self.post("/v1/me/2fa/verify", u, json!({"code": code})).await.expect(200);
    }
}

// ---------- added for the audit / feed / sessions / seeding tests ----------

/// The TOTP code an authenticator app shows for a base32 secret at `unix_secs`.
pub fn totp_code_at(secret_b32: &str, unix_secs: u64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret_b32.to_owned()).to_bytes().expect("a base32 secret");
    let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes, None, "test".into()).expect("a TOTP");
    totp.generate(unix_secs)
}

/// The current TOTP code for a base32 secret.
pub fn totp_code(secret_b32: &str) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    totp_code_at(secret_b32, now)
}

/// A signed-in user from a `Session` answer (register, login, refresh).
pub fn session_user(email: &str, session: &Value) -> User {
    User {
        id: session["user"]["id"].as_str().expect("session.user.id").into(),
        email: email.into(),
        token: session["access_token"].as_str().expect("access_token").into(),
        refresh: session["refresh_token"].as_str().expect("refresh_token").into(),
    }
}

impl TestApp {
    /// A direct connection to the server's database, for what no API offers.
    pub async fn pool(&self) -> sqlx::AnyPool {
        self.db().await
    }

    /// Like `spawn`, on a database seeded with the demo profile first.
    pub async fn spawn_seeded(seed: u64) -> TestApp {
        let db = TestDb::fresh().await;
        tenancy_server::seed::run(&*db.store, tenancy_server::seed::Profile::Demo, seed).await.expect("seed");
        Self::serve(db).await
    }

    /// The demo data (seed 11) and its owner signed in.
    pub async fn demo_with_owner() -> (TestApp, User) {
        let app = Self::spawn_seeded(11).await;
        let login = json!({"email": tenancy_server::seed::DEMO_EMAIL, "password": tenancy_server::seed::DEMO_PASSWORD});
        let s = app.call(Method::POST, "/v1/auth/login", None, Some(login), &[]).await.expect(200);
        let owner = session_user(tenancy_server::seed::DEMO_EMAIL, &s);
        (app, owner)
    }
}
