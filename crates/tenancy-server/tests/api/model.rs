//! Model-based isolation: thousands of random requests by many users across several workspaces,
//! each answer compared with an in-memory model of who belongs where and what they may do.
//! Any workspace data shown to a non-member is a leak; any other difference is a divergence.
//! Runs on whichever store the suite runs on (both, in `make test`).
//!
//! The model decides permissions with the domain's `rules::may`, as the server does; what it
//! checks is that the server applies them to the right rows: membership, visibility, the
//! last-owner rule, invitations, and that nothing of one workspace shows up in another's answers
//! or in the change feed of a non-member.

use crate::helpers::*;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use tenancy::wire::Role;
use tenancy::rules::{may, Action, Actor};
use tenancy::{CommunityId, EffectivePermissions, RoleGrant, UserId, WorkspaceRole};

const USERS: usize = 20;
const WORKSPACES: usize = 5;
const OPERATIONS: usize = 10_000;
const MAX_COMMUNITIES: usize = 100; // the Pro plan's limit

struct Ws {
    slug: String,
    members: BTreeMap<usize, WorkspaceRole>,
    communities: Vec<String>,
    /// Pending invitations: id → (invitee, workspace role).
    pending: BTreeMap<String, (usize, WorkspaceRole)>,
    /// API keys by community.
    keys: BTreeMap<String, BTreeSet<String>>,
    guest: RoleGrant,
}

struct Model {
    users: Vec<User>,
    ws: Vec<Ws>,
    /// Each user's change-feed cursor.
    since: Vec<i64>,
}

fn role_str(r: WorkspaceRole) -> &'static str {
    r.as_str()
}

fn uid(u: &User) -> UserId {
    u.id.parse().unwrap()
}

impl Model {
    /// The user as an actor in workspace `w`, or `None` when they are not a member (404).
    fn actor(&self, w: usize, u: usize) -> Option<Actor> {
        let role = *self.ws[w].members.get(&u)?;
        Some(Actor {
            user_id: uid(&self.users[u]),
            platform_admin: false,
            workspace_role: Some(role),
            permissions: EffectivePermissions::union(Some(role), std::iter::empty::<(CommunityId, &RoleGrant)>()),
        })
    }
    fn owners(&self, w: usize) -> usize {
        self.ws[w].members.values().filter(|r| **r == WorkspaceRole::Owner).count()
    }
    fn member_workspace_ids(&self, u: usize, ids: &[String]) -> BTreeSet<String> {
        (0..WORKSPACES).filter(|w| self.ws[*w].members.contains_key(&u)).map(|w| ids[w].clone()).collect()
    }
}

/// 403 when the rules refuse, `ok` otherwise.
fn allowed(a: &Actor, action: &Action<'_>, ok: u16) -> u16 {
    if may(a, action).is_ok() {
        ok
    } else {
        403
    }
}

fn ids(page: &Value, field: &str) -> BTreeSet<String> {
    page["items"].as_array().expect("a page").iter().map(|i| i[field].as_str().expect(field).to_owned()).collect()
}

fn random_role(rng: &mut ChaCha8Rng) -> WorkspaceRole {
    match rng.gen_range(0..10) {
        0 => WorkspaceRole::Owner,
        1..=3 => WorkspaceRole::Admin,
        _ => WorkspaceRole::Member,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_operations_match_the_model_with_no_leaks() {
    let seed: u64 = std::env::var("TENANCY_MODEL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20_240_601);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let app = TestApp::spawn().await;
    let mut users = Vec::new();
    for i in 0..USERS {
        users.push(app.user(&format!("m{i}")).await);
    }
    let mut ws = Vec::new();
    let mut ws_ids = Vec::new();
    for w in 0..WORKSPACES {
        let slug = format!("model-ws-{w}-{}", std::process::id());
        let created = app.workspace(&users[w], &slug, "pro").await;
        ws_ids.push(created["id"].as_str().unwrap().to_owned());
        let first = app.first_community(&slug, &users[w]).await["id"].as_str().unwrap().to_owned();
        let roles = app.get(&format!("/v1/workspaces/{slug}/roles"), &users[w]).await.expect(200);
        let guest: Role = serde_json::from_value(roles["items"].as_array().unwrap().iter().find(|r| r["name"] == "Guest").unwrap().clone()).unwrap();
        let guest = RoleGrant {
            role_id: guest.id,
            role_name: guest.name.to_string(),
            kind: guest.kind,
            permissions: guest.permissions.iter().copied().collect(),
            intake_scope: guest.intake_scope.iter().copied().collect(),
        };
        ws.push(Ws { slug, members: BTreeMap::from([(w, WorkspaceRole::Owner)]), communities: vec![first], pending: BTreeMap::new(), keys: BTreeMap::new(), guest });
    }
    let mut m = Model { users, ws, since: vec![0; USERS] };
    let (mut reads, mut writes, mut denied) = (0usize, 0usize, 0usize);

    let mut step = 0usize;
    while reads + writes < OPERATIONS {
        step += 1;
        let w = rng.gen_range(0..WORKSPACES);
        // Mostly members act, so that permitted work happens often; outsiders probe the rest.
        let members: Vec<usize> = m.ws[w].members.keys().copied().collect();
        let u = if rng.gen_bool(0.75) { *members.choose(&mut rng).unwrap() } else { rng.gen_range(0..USERS) };
        let v = if rng.gen_bool(0.7) { *members.choose(&mut rng).unwrap() } else { rng.gen_range(0..USERS) };
        let actor = m.actor(w, u);
        let slug = m.ws[w].slug.clone();
        let user = m.users[u].clone();
        let target = m.users[v].clone();
        let kind = rng.gen_range(0..100);
        let what = format!("step {step} (seed {seed}): user {u} in workspace {w}, target {v}, op {kind}");

        // Each arm gives the request, the expected status, and what to check of the body.
        if kind < 40 {
            reads += 1;
            match kind {
                0..=7 => {
                    let got = app.get("/v1/workspaces", &user).await.expect(200);
                    let seen: BTreeSet<(String, String)> = got["items"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|i| (i["workspace"]["slug"].as_str().unwrap().to_owned(), i["role"].as_str().unwrap().to_owned()))
                        .collect();
                    let want: BTreeSet<(String, String)> =
                        (0..WORKSPACES).filter_map(|x| m.ws[x].members.get(&u).map(|r| (m.ws[x].slug.clone(), role_str(*r).to_owned()))).collect();
                    assert_eq!(seen, want, "{what}: workspace list");
                }
                8..=13 => {
                    let got = app.get(&format!("/v1/workspaces/{slug}/members"), &user).await;
                    assert_eq!(got.status.as_u16(), if actor.is_some() { 200 } else { 404 }, "{what}: members: {}", got.body);
                    if actor.is_some() {
                        let seen: BTreeMap<String, String> = got.body["items"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|i| (i["user_id"].as_str().unwrap().to_owned(), i["role"].as_str().unwrap().to_owned()))
                            .collect();
                        let want: BTreeMap<String, String> = m.ws[w].members.iter().map(|(x, r)| (m.users[*x].id.clone(), role_str(*r).to_owned())).collect();
                        assert_eq!(seen, want, "{what}: members");
                    }
                }
                14..=17 => {
                    let got = app.get(&format!("/v1/workspaces/{slug}/members/{}", target.id), &user).await;
                    let want = match (&actor, m.ws[w].members.get(&v)) {
                        (Some(_), Some(r)) => Some(role_str(*r)),
                        _ => None,
                    };
                    assert_eq!(got.status.as_u16(), if want.is_some() { 200 } else { 404 }, "{what}: member: {}", got.body);
                    if let Some(r) = want {
                        assert_eq!(got.body["role"], r, "{what}: member role");
                    }
                }
                18..=22 => {
                    let got = app.get(&format!("/v1/workspaces/{slug}"), &user).await;
                    assert_eq!(got.status.as_u16(), if actor.is_some() { 200 } else { 404 }, "{what}: workspace: {}", got.body);
                    if actor.is_some() {
                        assert_eq!(got.body["id"], ws_ids[w].as_str(), "{what}: workspace");
                    }
                }
                23..=27 => {
                    let got = app.get(&format!("/v1/workspaces/{slug}/communities?limit=1000"), &user).await;
                    assert_eq!(got.status.as_u16(), if actor.is_some() { 200 } else { 404 }, "{what}: communities: {}", got.body);
                    if actor.is_some() {
                        assert_eq!(ids(&got.body, "id"), m.ws[w].communities.iter().cloned().collect(), "{what}: communities");
                    }
                }
                28..=32 => {
                    let got = app.get(&format!("/v1/workspaces/{slug}/invitations?limit=1000"), &user).await;
                    assert_eq!(got.status.as_u16(), if actor.is_some() { 200 } else { 404 }, "{what}: invitations: {}", got.body);
                    if actor.is_some() {
                        let pending: BTreeSet<String> = got.body["items"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .filter(|i| i["status"] == "pending")
                            .map(|i| i["id"].as_str().unwrap().to_owned())
                            .collect();
                        assert_eq!(pending, m.ws[w].pending.keys().cloned().collect(), "{what}: pending invitations");
                    }
                }
                33..=36 => {
                    let c = m.ws[w].communities.choose(&mut rng).unwrap().clone();
                    let got = app.get(&format!("/v1/workspaces/{slug}/communities/{c}/api-keys?limit=1000"), &user).await;
                    let want = match &actor {
                        None => 404,
                        Some(a) => allowed(a, &Action::ReadApiKeys { community: c.parse().unwrap() }, 200),
                    };
                    assert_eq!(got.status.as_u16(), want, "{what}: API keys: {}", got.body);
                    if want == 200 {
                        assert_eq!(ids(&got.body, "id"), m.ws[w].keys.get(&c).cloned().unwrap_or_default(), "{what}: API keys");
                    } else if want == 403 {
                        denied += 1;
                    }
                }
                _ => {
                    // The feed: every change is of a workspace the user belongs to now, or is
                    // about the user themself.
                    let got = app.get(&format!("/v1/changes?since={}&limit=5000", m.since[u]), &user).await.expect(200);
                    let mine = m.member_workspace_ids(u, &ws_ids);
                    for c in got["changes"].as_array().unwrap() {
                        let ws_id = c["workspace_id"].as_str().unwrap_or_default();
                        let about_me = c["kind"] == "member" && c["id"].as_str().is_some_and(|id| id.ends_with(&user.id));
                        assert!(mine.contains(ws_id) || about_me, "{what}: the feed leaked {c} to a non-member");
                    }
                    m.since[u] = got["next_since"].as_i64().unwrap();
                }
            }
            continue;
        }

        writes += 1;
        match kind {
            40..=59 => {
                // Invite v with a workspace role.
                let role = random_role(&mut rng);
                let got = app.post(&format!("/v1/workspaces/{slug}/invitations"), &user, json!({"email": target.email, "workspace_role": role_str(role), "assignments": []})).await;
                let want = match &actor {
                    None => 404,
                    Some(a) => match allowed(a, &Action::Invite { workspace_role: role, roles: &[] }, 201) {
                        201 if m.ws[w].members.contains_key(&v) => 409,
                        201 if m.ws[w].pending.values().any(|(x, _)| *x == v) => 409,
                        s => s,
                    },
                };
                assert_eq!(got.status.as_u16(), want, "{what}: invite as {role:?}: {}", got.body);
                match want {
                    201 => {
                        m.ws[w].pending.insert(got.body["id"].as_str().unwrap().to_owned(), (v, role));
                    }
                    403 => denied += 1,
                    _ => {}
                }
            }
            60..=75 => {
                // Accept a pending invitation: mostly the invitee, sometimes someone else.
                let all: Vec<(usize, String, usize, WorkspaceRole)> =
                    (0..WORKSPACES).flat_map(|x| m.ws[x].pending.iter().map(move |(id, (who, r))| (x, id.clone(), *who, *r))).collect();
                let Some((x, id, invitee, role)) = all.choose(&mut rng).cloned() else {
                    writes -= 1;
                    continue;
                };
                let by = if rng.gen_bool(0.85) { invitee } else { rng.gen_range(0..USERS) };
                let got = app.post(&format!("/v1/invitations/{id}/accept"), &m.users[by].clone(), json!({})).await;
                let want = if by == invitee { 200 } else { 404 };
                assert_eq!(got.status.as_u16(), want, "{what}: user {by} accepts invitation to workspace {x}: {}", got.body);
                if want == 200 {
                    assert_eq!(got.body["workspace"]["slug"], m.ws[x].slug.as_str(), "{what}: accepted membership");
                    m.ws[x].pending.remove(&id);
                    m.ws[x].members.insert(invitee, role);
                }
            }
            76..=84 => {
                let to = random_role(&mut rng);
                let got = app.patch(&format!("/v1/workspaces/{slug}/members/{}", target.id), &user, json!({"role": role_str(to)})).await;
                let want = match (&actor, m.ws[w].members.get(&v).copied()) {
                    (None, _) | (_, None) => 404,
                    (Some(a), Some(from)) => match allowed(a, &Action::ChangeWorkspaceRole { target: uid(&target), from, to }, 200) {
                        200 if from == WorkspaceRole::Owner && to != WorkspaceRole::Owner && m.owners(w) <= 1 => 409,
                        s => s,
                    },
                };
                assert_eq!(got.status.as_u16(), want, "{what}: role change to {to:?}: {}", got.body);
                match want {
                    200 => {
                        assert_eq!(got.body["role"], role_str(to), "{what}: changed role");
                        m.ws[w].members.insert(v, to);
                    }
                    403 => denied += 1,
                    _ => {}
                }
            }
            85..=89 => {
                let got = app.delete(&format!("/v1/workspaces/{slug}/members/{}", target.id), &user).await;
                let want = match (&actor, m.ws[w].members.get(&v).copied()) {
                    (None, _) | (_, None) => 404,
                    (Some(a), Some(target_role)) => match allowed(a, &Action::RemoveMember { target: uid(&target), target_role }, 204) {
                        204 if target_role == WorkspaceRole::Owner && m.owners(w) <= 1 => 409,
                        s => s,
                    },
                };
                assert_eq!(got.status.as_u16(), want, "{what}: remove: {}", got.body);
                match want {
                    204 => {
                        m.ws[w].members.remove(&v);
                    }
                    403 => denied += 1,
                    _ => {}
                }
            }
            90..=94 => {
                if m.ws[w].communities.len() >= MAX_COMMUNITIES {
                    writes -= 1;
                    continue;
                }
                let cslug = format!("c{step}");
                let got = app.post(&format!("/v1/workspaces/{slug}/communities"), &user, json!({"name": format!("Community {step}"), "slug": cslug, "timezone": "UTC", "region": "eu-west"})).await;
                let want = match &actor {
                    None => 404,
                    Some(a) => allowed(a, &Action::CreateCommunity, 201),
                };
                assert_eq!(got.status.as_u16(), want, "{what}: create community: {}", got.body);
                match want {
                    201 => m.ws[w].communities.push(got.body["id"].as_str().unwrap().to_owned()),
                    403 => denied += 1,
                    _ => {}
                }
            }
            _ => {
                let c = m.ws[w].communities.choose(&mut rng).unwrap().clone();
                let guest = m.ws[w].guest.clone();
                let got = app
                    .call(Method::POST, &format!("/v1/workspaces/{slug}/communities/{c}/api-keys"), Some(&user.token), Some(json!({"name": format!("key {step}"), "role_ids": [guest.role_id]})), &[])
                    .await;
                let want = match &actor {
                    None => 404,
                    Some(a) => allowed(a, &Action::ManageApiKeys { community: c.parse().unwrap(), roles: &[&guest] }, 201),
                };
                assert_eq!(got.status.as_u16(), want, "{what}: create API key: {}", got.body);
                match want {
                    201 => {
                        m.ws[w].keys.entry(c).or_default().insert(got.body["key"]["id"].as_str().unwrap().to_owned());
                    }
                    403 => denied += 1,
                    _ => {}
                }
            }
        }
    }

    // The run exercised what it claims: many reads and writes, refusals, and real membership churn.
    let total_members: usize = m.ws.iter().map(|w| w.members.len()).sum();
    eprintln!("model: {reads} reads, {writes} writes, {denied} refused by the rules, {total_members} memberships at the end (seed {seed})");
    assert!(reads + writes >= OPERATIONS && reads > 2_000 && writes > 2_000 && denied > 100, "{reads} reads, {writes} writes, {denied} refused");
    assert!(total_members > WORKSPACES * 3, "memberships should have grown: {total_members}");
}
