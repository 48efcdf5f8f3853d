//! The console core against a real tenancy server on port 0 (seeded with the demo data).

use std::sync::Arc;
use tenancy::api::*;
use tenancy::*;
use tenancy_client::cache::queries::{MemberQuery, MemberStatus};
use tenancy_client::secret::{MemorySecrets, SecretStore};
use tenancy_client::{sync::sync, ApiClient, Cache, ErrorCode};
use tenancy_server::seed::{self, DEMO_EMAIL, DEMO_PASSWORD};

struct World {
    server: tenancy_server::Running,
    dir: tempfile::TempDir,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("server.db").display());
    let store = tenancy_server::SqliteStore::open(&url).await.unwrap();
    seed::run(&store, seed::Profile::Demo, 7).await.unwrap();
    let server = tenancy_server::start(Arc::new(store), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    World { server, dir }
}

#[tokio::test]
async fn sign_in_keeps_only_the_refresh_token_and_sign_out_removes_it() {
    let w = world().await;
    let secrets: Arc<MemorySecrets> = Arc::new(MemorySecrets::default());
    let api = ApiClient::new(&w.server.url(), DEMO_EMAIL, secrets.clone()).unwrap();
    let wrong = api.sign_in("not the password", None).await.unwrap_err();
    assert_eq!(wrong.code, ErrorCode::Unauthorized);
    assert!(secrets.get(api.account()).unwrap().is_none(), "nothing stored after a failed sign-in");

    let user = api.sign_in(DEMO_PASSWORD, None).await.unwrap();
    assert_eq!(user.email.as_str(), DEMO_EMAIL);
    let stored = secrets.get(api.account()).unwrap().expect("refresh token in the secret store");
    assert!(stored.expose().starts_with("tnt_rt_"));

    // A second client for the same account resumes from the stored refresh token alone.
    let again = ApiClient::new(&w.server.url(), DEMO_EMAIL, secrets.clone()).unwrap();
    assert_eq!(again.me().await.unwrap().user.id, user.id);
    let rotated = secrets.get(api.account()).unwrap().unwrap();
    assert_ne!(rotated.expose(), stored.expose(), "refresh rotates the stored token");

    again.sign_out().await.unwrap();
    assert!(secrets.get(api.account()).unwrap().is_none(), "sign-out deletes the keyring entry");
    let e = again.me().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Unauthorized);
}

#[tokio::test]
async fn full_sync_mirrors_what_the_server_shows_and_answers_offline() {
    let w = world().await;
    let api = ApiClient::new(&w.server.url(), DEMO_EMAIL, Arc::new(MemorySecrets::default())).unwrap();
    api.sign_in(DEMO_PASSWORD, None).await.unwrap();
    let cache = Cache::open(&w.dir.path().join("cache.db")).await.unwrap();
    let mut seen = Vec::new();
    let out = sync(&api, &cache, None, |p| seen.push(p)).await.unwrap();
    assert!(out.applied > 1000, "the demo has thousands of entities, applied {}", out.applied);
    assert!(!seen.is_empty() && seen.last().unwrap().done == seen.last().unwrap().total);

    let me = api.me().await.unwrap();
    let cached: Vec<_> = cache.workspaces(None).await.unwrap().into_iter().map(|w| w.slug.to_string()).collect();
    let mut server: Vec<_> = me.memberships.iter().map(|m| m.workspace.slug.to_string()).collect();
    server.sort();
    let mut cached_sorted = cached.clone();
    cached_sorted.sort();
    assert_eq!(cached_sorted, server);

    // Members page vs the server's member list.
    let ws = me.memberships.iter().find(|m| m.workspace.slug.as_str() == "northwind-mssp").unwrap().workspace.clone();
    let server_members: Page<Member> = api.get(&format!("/v1/workspaces/{}/members?limit=1000", ws.id)).await.unwrap();
    let q = MemberQuery { workspace_id: Some(ws.id), status: MemberStatus::Active, limit: 1000, ..Default::default() };
    let page = cache.members(&q, chrono::Utc::now()).await.unwrap();
    assert_eq!(page.total as usize, server_members.items.len());
    let emails: Vec<_> = page.rows.iter().map(|r| r.email.clone()).collect();
    let server_emails: Vec<_> = server_members.items.iter().map(|m| m.email.to_string()).collect();
    assert_eq!(emails, server_emails);

    // A mutation shows up after the next delta.
    let c = cache.communities(ws.id, None).await.unwrap()[0].clone();
    let renamed = api
        .update_community(ws.id, c.id, &UpdateCommunity { name: Some(Name::parse("Renamed client").unwrap()), ..Default::default() }, Some(c.version))
        .await
        .unwrap();
    let delta = sync(&api, &cache, None, |_| {}).await.unwrap();
    assert_eq!(delta.applied, 1);
    assert!(cache.communities(ws.id, Some("renamed")).await.unwrap().iter().any(|x| x.id == renamed.id));

    // Offline: the server goes away; reads answer from the cache, writes say offline.
    let url = w.server.url();
    w.server.stop().await;
    let page2 = cache.members(&q, chrono::Utc::now()).await.unwrap();
    assert_eq!(page2.total, page.total);
    assert!(cache.state().await.unwrap().last_sync_at.is_some());
    let e = api.create_community(ws.id, &CreateCommunity {
        name: Name::parse("Never").unwrap(),
        slug: Slug::parse("never").unwrap(),
        timezone: Timezone::parse("UTC").unwrap(),
        contact_email: None,
        region: Region::EuWest,
    }).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Offline, "{e:?}");
    assert!(e.message.contains(&url));
    drop(w.dir);
}
