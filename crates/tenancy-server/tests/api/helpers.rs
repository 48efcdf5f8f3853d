//! Spawning a fresh server and speaking to it over HTTP.

#![allow(dead_code)]

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use tenancy_server::{Running, SqliteStore};

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub server: Running,
    pub http: reqwest::Client,
    pub db_url: String,
    _dir: tempfile::TempDir,
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
        let dir = tempfile::tempdir().unwrap();
        let db_url = format!("sqlite://{}", dir.path().join("tenancy.db").display());
        let store = SqliteStore::open(&db_url).await.expect("open store");
        let server = tenancy_server::start(std::sync::Arc::new(store), "127.0.0.1:0".parse().unwrap()).await.expect("start");
        TestApp { server, http: reqwest::Client::new(), db_url, _dir: dir }
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
        let pool = sqlx::SqlitePool::connect(&self.db_url).await.unwrap();
        sqlx::query("UPDATE users SET platform_admin = 1 WHERE id = ?").bind(&u.id).execute(&pool).await.unwrap();
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
