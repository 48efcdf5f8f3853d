//! Model-based isolation: thousands of random requests by many users across several workspaces
//! with several communities each, each answer compared with an in-memory model of who belongs
//! where, who holds which role in which community, and so what each may see and do.
//! Anything shown that the model says the caller may not see is a leak; any other difference
//! is a divergence. Runs on whichever store the suite runs on (both, in `make test`).
//!
//! The model decides with the domain's rules, as the server does (`rules::may` for actions,
//! `Sight` for what a member sees inside a workspace); what it checks is that the server applies
//! them to the right rows: membership, communities that exist only for those holding a role in
//! them, each kind of community data behind its reading permission, invitations narrowed to
//! the communities one reads, the last-owner rule, and that nothing of one workspace or of an
//! unseen community shows up in answers, in the snapshot or in the change feed. Client contacts
//! join the run: invited to a community's portal, reading it while it is on (its team when shown),
//! holding no roles and keeping their kind.

use crate::helpers::*;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use tenancy::rules::{may, Action, Actor};
use tenancy::wire::Role;
use tenancy::{CommunityId, Data, EffectivePermissions, RoleGrant, Sight, UserId, WorkspaceRole};

const USERS: usize = 24;
const WORKSPACES: usize = 5;
const OPERATIONS: usize = 10_000;
/// Few enough that people share communities often.
const MAX_COMMUNITIES: usize = 8;

/// The custom roles each workspace defines besides the built-in ones: each reads one kind of
/// data and not the others.
const CUSTOM: [(&str, &[&str]); 3] = [("Alert reader", &["alerts.read"]), ("Key reader", &["api_keys.read"]), ("Inviter", &["members.invite"])];

#[derive(Clone)]
struct Grant {
    id: String,
    user: usize,
    community: String,
    role: usize,
}

struct Pending {
    invitee: usize,
    role: WorkspaceRole,
    offers: Vec<(String, usize)>,
    /// A client contact's invitation: their community.
    contact_of: Option<String>,
}

struct Ws {
    slug: String,
    id: String,
    members: BTreeMap<usize, WorkspaceRole>,
    communities: Vec<String>,
    pending: BTreeMap<String, Pending>,
    /// API keys by community.
    keys: BTreeMap<String, BTreeSet<String>>,
    /// Guest, Analyst, Admin, then the custom ones.
    roles: Vec<RoleGrant>,
    grants: Vec<Grant>,
    /// Each community's client portal: (enabled, show_team); absent: off.
    portal: BTreeMap<String, (bool, bool)>,
    /// Client contacts (members with role `client`) and their community.
    contact_of: BTreeMap<usize, String>,
}

struct Model {
    users: Vec<User>,
    ws: Vec<Ws>,
    /// Each user's change-feed cursor.
    since: Vec<i64>,
}

fn uid(u: &User) -> UserId {
    u.id.parse().unwrap()
}

fn cid(c: &str) -> CommunityId {
    c.parse().unwrap()
}

impl Ws {
    fn perms(&self, u: usize) -> Option<EffectivePermissions> {
        let role = *self.members.get(&u)?;
        if let Some(c) = self.contact_of.get(&u) {
            let (enabled, show_team) = self.portal.get(c).copied().unwrap_or_default();
            return Some(EffectivePermissions::contact(cid(c), enabled, show_team));
        }
        let held = self.grants.iter().filter(|g| g.user == u).map(|g| (cid(&g.community), &self.roles[g.role]));
        Some(EffectivePermissions::union(Some(role), held))
    }
    fn held(&self, v: usize) -> Vec<CommunityId> {
        self.grants.iter().filter(|g| g.user == v).map(|g| cid(&g.community)).collect()
    }
}

impl Model {
    /// The user as an actor in workspace `w`, or `None` when they are not a member (404).
    fn actor(&self, w: usize, u: usize) -> Option<Actor> {
        let permissions = self.ws[w].perms(u)?;
        Some(Actor { user_id: uid(&self.users[u]), platform_admin: false, workspace_role: permissions.workspace_role, permissions })
    }
    /// What `u` sees of workspace `w` (`None`: not a member).
    fn sight(&self, w: usize, u: usize) -> Option<Sight> {
        let p = self.ws[w].perms(u)?;
        Some(Sight::of(uid(&self.users[u]), p.workspace_role, &p))
    }
    fn sees_person(&self, w: usize, s: &Sight, v: usize) -> bool {
        self.ws[w].members.contains_key(&v) && s.sees_person(uid(&self.users[v]), self.ws[w].held(v))
    }
    fn people(&self, w: usize, s: &Sight) -> BTreeSet<String> {
        self.ws[w].members.keys().filter(|v| self.sees_person(w, s, **v)).map(|v| self.users[*v].id.clone()).collect()
    }
    fn communities(&self, w: usize, s: &Sight) -> BTreeSet<String> {
        self.ws[w].communities.iter().filter(|c| s.sees_community(cid(c))).cloned().collect()
    }
    fn assignments(&self, w: usize, s: &Sight) -> BTreeSet<String> {
        self.ws[w]
            .grants
            .iter()
            .filter(|g| s.sees_community(cid(&g.community)) && s.sees_assignment(cid(&g.community), uid(&self.users[g.user])))
            .map(|g| g.id.clone())
            .collect()
    }
    fn pending(&self, w: usize, s: &Sight) -> BTreeSet<String> {
        self.ws[w]
            .pending
            .iter()
            .filter(|(_, p)| s.is_whole() || p.offers.iter().any(|(c, _)| s.reads(cid(c), Data::Invitations)))
            .map(|(id, _)| id.clone())
            .collect()
    }
    fn keys(&self, w: usize, s: &Sight) -> BTreeSet<String> {
        self.ws[w].keys.iter().filter(|(c, _)| s.reads(cid(c), Data::ApiKeys)).flat_map(|(_, k)| k.iter().cloned()).collect()
    }
    fn owners(&self, w: usize) -> usize {
        self.ws[w].members.values().filter(|r| **r == WorkspaceRole::Owner).count()
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

/// For community data: 404 when the community does not exist for the caller, 403 when they
/// may not read `d` there, `ok` otherwise.
fn reading(s: &Option<Sight>, c: &str, d: Data, ok: u16) -> u16 {
    match s {
        None => 404,
        Some(s) if !s.sees_community(cid(c)) => 404,
        Some(s) if !s.reads(cid(c), d) => 403,
        Some(_) => ok,
    }
}

fn ids(page: &Value, field: &str) -> BTreeSet<String> {
    page["items"].as_array().expect("a page").iter().map(|i| i[field].as_str().expect(field).to_owned()).collect()
}

fn random_role(rng: &mut ChaCha8Rng) -> WorkspaceRole {
    match rng.gen_range(0..12) {
        0 => WorkspaceRole::Owner,
        1..=2 => WorkspaceRole::Admin,
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
    for w in 0..WORKSPACES {
        let slug = format!("model-ws-{w}-{}", std::process::id());
        let created = app.workspace(&users[w], &slug, "pro").await;
        let first = app.first_community(&slug, &users[w]).await["id"].as_str().unwrap().to_owned();
        for (name, perms) in CUSTOM {
            app.custom_role(&slug, &users[w], name, perms).await;
        }
        let listed = app.get(&format!("/v1/workspaces/{slug}/roles?limit=100"), &users[w]).await.expect(200);
        let mut roles = Vec::new();
        for name in ["Guest", "Analyst", "Admin"].into_iter().chain(CUSTOM.iter().map(|(n, _)| *n)) {
            let r: Role = serde_json::from_value(listed["items"].as_array().unwrap().iter().find(|r| r["name"] == name).unwrap().clone()).unwrap();
            roles.push(RoleGrant::from(&r));
        }
        ws.push(Ws {
            slug,
            id: created["id"].as_str().unwrap().to_owned(),
            members: BTreeMap::from([(w, WorkspaceRole::Owner)]),
            communities: vec![first],
            pending: BTreeMap::new(),
            keys: BTreeMap::new(),
            roles,
            grants: Vec::new(),
            portal: BTreeMap::new(),
            contact_of: BTreeMap::new(),
        });
    }
    let mut m = Model { users, ws, since: vec![0; USERS] };
    let (mut reads, mut writes, mut denied, mut unseen, mut grants_made, mut grants_removed, mut feed_checked) = (0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize);
    let (mut contacts_invited, mut by_contacts) = (0usize, 0usize);

    let mut step = 0usize;
    while reads + writes < OPERATIONS {
        step += 1;
        let w = rng.gen_range(0..WORKSPACES);
        // Mostly members act, so that permitted work happens often; outsiders probe the rest.
        let members: Vec<usize> = m.ws[w].members.keys().copied().collect();
        let u = if rng.gen_bool(0.8) { *members.choose(&mut rng).unwrap() } else { rng.gen_range(0..USERS) };
        let v = if rng.gen_bool(0.75) { *members.choose(&mut rng).unwrap() } else { rng.gen_range(0..USERS) };
        let actor = m.actor(w, u);
        let sight = m.sight(w, u);
        let slug = m.ws[w].slug.clone();
        let base = format!("/v1/workspaces/{slug}");
        let user = m.users[u].clone();
        let target = m.users[v].clone();
        let c = m.ws[w].communities.choose(&mut rng).unwrap().clone();
        let kind = rng.gen_range(0..100);
        let what = format!("step {step} (seed {seed}): user {u} in workspace {w}, target {v}, community {c}, op {kind}");
        let member_of = actor.is_some();
        by_contacts += usize::from(m.ws[w].contact_of.contains_key(&u));
        let or_404 = |ok: u16| if member_of { ok } else { 404 };

        if kind < 50 {
            reads += 1;
            match kind {
                0..=3 => {
                    let got = app.get("/v1/workspaces", &user).await.expect(200);
                    let seen: BTreeSet<(String, String)> =
                        got["items"].as_array().unwrap().iter().map(|i| (i["workspace"]["slug"].as_str().unwrap().to_owned(), i["role"].as_str().unwrap().to_owned())).collect();
                    let want: BTreeSet<(String, String)> = (0..WORKSPACES).filter_map(|x| m.ws[x].members.get(&u).map(|r| (m.ws[x].slug.clone(), r.as_str().to_owned()))).collect();
                    assert_eq!(seen, want, "{what}: workspace list");
                }
                4..=8 => {
                    let got = app.get(&format!("{base}/members?limit=1000"), &user).await;
                    assert_eq!(got.status.as_u16(), or_404(200), "{what}: members: {}", got.body);
                    if let Some(s) = &sight {
                        let seen: BTreeMap<String, String> =
                            got.body["items"].as_array().unwrap().iter().map(|i| (i["user_id"].as_str().unwrap().to_owned(), i["role"].as_str().unwrap().to_owned())).collect();
                        let want: BTreeMap<String, String> = m.ws[w].members.iter().filter(|(x, _)| m.sees_person(w, s, **x)).map(|(x, r)| (m.users[*x].id.clone(), r.as_str().to_owned())).collect();
                        assert_eq!(seen, want, "{what}: members");
                    }
                }
                9..=11 => {
                    let got = app.get(&format!("{base}/members/{}", target.id), &user).await;
                    let seen = sight.as_ref().is_some_and(|s| m.sees_person(w, s, v));
                    assert_eq!(got.status.as_u16(), if seen { 200 } else { 404 }, "{what}: member: {}", got.body);
                    if seen {
                        assert_eq!(got.body["role"], m.ws[w].members[&v].as_str(), "{what}: member role");
                    } else if member_of && m.ws[w].members.contains_key(&v) {
                        unseen += 1;
                    }
                }
                12..=14 => {
                    let got = app.get(&format!("{base}/members/{}/permissions", target.id), &user).await;
                    let seen = sight.as_ref().is_some_and(|s| m.sees_person(w, s, v));
                    // Permissions name the MSSP's roles: not for client contacts.
                    let reads_roles = sight.as_ref().is_some_and(|s| s.reads_roles());
                    let want = match (seen, reads_roles) {
                        (false, _) => 404,
                        (true, false) => 403,
                        (true, true) => 200,
                    };
                    assert_eq!(got.status.as_u16(), want, "{what}: member permissions: {}", got.body);
                    if let (200, Some(s)) = (want, &sight) {
                        let shown: BTreeSet<String> = got.body["communities"].as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
                        let theirs: Vec<CommunityId> = m.ws[w].perms(v).map(|p| p.communities.keys().copied().collect()).unwrap_or_default();
                        let want: BTreeSet<String> = theirs.into_iter().filter(|c| s.is_whole() || s.me() == Some(uid(&target)) || s.reads(*c, Data::Members)).map(|c| c.to_string()).collect();
                        assert_eq!(shown, want, "{what}: the communities of {v}'s permissions");
                    }
                }
                15..=18 => {
                    let got = app.get(&format!("{base}/communities?limit=1000"), &user).await;
                    assert_eq!(got.status.as_u16(), or_404(200), "{what}: communities: {}", got.body);
                    if let Some(s) = &sight {
                        assert_eq!(ids(&got.body, "id"), m.communities(w, s), "{what}: communities");
                        for i in got.body["items"].as_array().unwrap() {
                            assert_eq!(i["settings"].is_null(), !s.reads(cid(i["id"].as_str().unwrap()), Data::Settings), "{what}: settings shown only to readers: {i}");
                        }
                    }
                }
                19..=20 => {
                    let got = app.get(&format!("{base}/communities/{c}"), &user).await;
                    let want = if sight.as_ref().is_some_and(|s| s.sees_community(cid(&c))) { 200 } else { 404 };
                    assert_eq!(got.status.as_u16(), want, "{what}: community: {}", got.body);
                }
                21..=24 => {
                    let got = app.get(&format!("{base}/assignments?limit=1000"), &user).await;
                    assert_eq!(got.status.as_u16(), or_404(200), "{what}: assignments: {}", got.body);
                    if let Some(s) = &sight {
                        assert_eq!(ids(&got.body, "id"), m.assignments(w, s), "{what}: assignments");
                    }
                }
                25..=27 => {
                    let got = app.get(&format!("{base}/invitations?limit=1000"), &user).await;
                    assert_eq!(got.status.as_u16(), or_404(200), "{what}: invitations: {}", got.body);
                    if let Some(s) = &sight {
                        let items = got.body["items"].as_array().unwrap();
                        let pending: BTreeSet<String> = items.iter().filter(|i| i["status"] == "pending").map(|i| i["id"].as_str().unwrap().to_owned()).collect();
                        assert_eq!(pending, m.pending(w, s), "{what}: pending invitations");
                        if !s.is_whole() {
                            for i in items {
                                let offers = i["assignments"].as_array().unwrap();
                                assert!(!offers.is_empty() && offers.iter().all(|a| s.reads(cid(a["community_id"].as_str().unwrap()), Data::Invitations)), "{what}: an invitation narrowed to the communities read: {i}");
                            }
                        }
                    }
                }
                28..=30 => {
                    let got = app.get(&format!("{base}/communities/{c}/api-keys?limit=1000"), &user).await;
                    let want = reading(&sight, &c, Data::ApiKeys, 200);
                    assert_eq!(got.status.as_u16(), want, "{what}: API keys: {}", got.body);
                    match want {
                        200 => assert_eq!(ids(&got.body, "id"), m.ws[w].keys.get(&c).cloned().unwrap_or_default(), "{what}: API keys"),
                        403 => denied += 1,
                        _ => {}
                    }
                }
                31..=32 => {
                    let got = app.get(&format!("{base}/communities/{c}/intakes"), &user).await;
                    let want = reading(&sight, &c, Data::Intakes, 200);
                    assert_eq!(got.status.as_u16(), want, "{what}: intakes: {}", got.body);
                    denied += usize::from(want == 403);
                }
                33..=34 => {
                    let got = app.get(&format!("{base}/communities/{c}/alert-volumes"), &user).await;
                    let want = reading(&sight, &c, Data::Alerts, 200);
                    assert_eq!(got.status.as_u16(), want, "{what}: alert volumes: {}", got.body);
                    denied += usize::from(want == 403);
                }
                35..=36 => {
                    let got = app.get(&format!("{base}/audit"), &user).await;
                    let want = actor.as_ref().map_or(404, |a| allowed(a, &Action::ReadAuditLog, 200));
                    assert_eq!(got.status.as_u16(), want, "{what}: audit log: {}", got.body);
                    denied += usize::from(want == 403);
                }
                37..=39 => {
                    // The snapshot of the workspace: exactly what the model says the user sees.
                    let got = app.get(&format!("/v1/snapshot?workspace={}", m.ws[w].id), &user).await;
                    assert_eq!(got.status.as_u16(), or_404(200), "{what}: snapshot: {}", got.body);
                    if let Some(s) = &sight {
                        let of = |k: &str| -> BTreeSet<String> {
                            got.body["changes"].as_array().unwrap().iter().filter(|c| c["kind"] == k).map(|c| c["data"][if k == "member" { "user_id" } else { "id" }].as_str().unwrap().to_owned()).collect()
                        };
                        assert_eq!(of("member"), m.people(w, s), "{what}: snapshot members");
                        assert_eq!(of("community"), m.communities(w, s), "{what}: snapshot communities");
                        assert_eq!(of("assignment"), m.assignments(w, s), "{what}: snapshot assignments");
                        assert_eq!(of("api_key"), m.keys(w, s), "{what}: snapshot API keys");
                        let pending: BTreeSet<String> = got.body["changes"].as_array().unwrap().iter().filter(|c| c["kind"] == "invitation" && c["data"]["status"] == "pending").map(|c| c["data"]["id"].as_str().unwrap().to_owned()).collect();
                        assert_eq!(pending, m.pending(w, s), "{what}: snapshot invitations");
                        assert_eq!(!of("role").is_empty(), s.reads_roles(), "{what}: snapshot role definitions");
                    }
                }
                _ => {
                    // The feed: every change is of a workspace the user belongs to now, or about
                    // them; inside a workspace they see confined, only what they see now.
                    let got = app.get(&format!("/v1/changes?since={}&limit=5000", m.since[u]), &user).await.expect(200);
                    let sights: BTreeMap<String, (usize, Sight)> = (0..WORKSPACES).filter_map(|x| m.sight(x, u).map(|s| (m.ws[x].id.clone(), (x, s)))).collect();
                    for ch in got["changes"].as_array().unwrap() {
                        feed_checked += 1;
                        let id = ch["id"].as_str().unwrap();
                        let about_me = ch["kind"] == "member" && id.ends_with(&user.id);
                        let Some((x, s)) = ch["workspace_id"].as_str().and_then(|w| sights.get(w)) else {
                            assert!(about_me, "{what}: the feed leaked {ch} to a non-member");
                            continue;
                        };
                        if s.is_whole() || ch["op"] == "delete" {
                            continue;
                        }
                        let d = &ch["data"];
                        let community = |f: &str| cid(d[f].as_str().unwrap());
                        let fine = match ch["kind"].as_str().unwrap() {
                            "workspace" => true,
                            // Not to client contacts: the MSSP's role names tell of its other clients.
                            "role" => s.reads_roles(),
                            "community" => s.sees_community(cid(id)) && d["settings"].is_null() != s.reads(cid(id), Data::Settings),
                            // Their own roles are about them (a role since taken away is followed by its deletion).
                            "assignment" => d["user_id"] == user.id.as_str() || s.sees_community(community("community_id")) && s.sees_assignment(community("community_id"), d["user_id"].as_str().unwrap().parse().unwrap()),
                            "api_key" => s.reads(community("community_id"), Data::ApiKeys),
                            "intake" => s.sees_intake(community("community_id"), Data::Intakes, d["id"].as_str().unwrap().parse().unwrap()),
                            "member" => about_me || m.users.iter().position(|p| id.ends_with(&p.id)).is_some_and(|p| m.sees_person(*x, s, p)),
                            "invitation" => d["assignments"].as_array().is_some_and(|a| !a.is_empty() && a.iter().all(|a| s.reads(community_of(a), Data::Invitations))),
                            _ => false,
                        };
                        assert!(fine, "{what}: the feed showed {ch}, which the user does not see");
                    }
                    m.since[u] = got["next_since"].as_i64().unwrap();
                }
            }
            continue;
        }

        writes += 1;
        match kind {
            50..=57 => {
                // Invite v with a workspace role, and sometimes a community role.
                let role = random_role(&mut rng);
                let offer = rng.gen_bool(0.7).then(|| (c.clone(), rng.gen_range(0..m.ws[w].roles.len())));
                let specs: Vec<Value> = offer.iter().map(|(c, r)| json!({"community_id": c, "role_id": m.ws[w].roles[*r].role_id})).collect();
                let got = app.post(&format!("{base}/invitations"), &user, json!({"email": target.email, "workspace_role": role.as_str(), "assignments": specs})).await;
                let grants: Vec<(CommunityId, &RoleGrant)> = offer.iter().map(|(c, r)| (cid(c), &m.ws[w].roles[*r])).collect();
                let want = match (&actor, &sight) {
                    (Some(a), Some(s)) if offer.as_ref().is_none_or(|(c, _)| s.sees_community(cid(c))) => match allowed(a, &Action::Invite { workspace_role: role, roles: &grants }, 201) {
                        201 if m.ws[w].members.contains_key(&v) => 409,
                        201 if m.ws[w].pending.values().any(|p| p.invitee == v) => 409,
                        s => s,
                    },
                    _ => 404,
                };
                assert_eq!(got.status.as_u16(), want, "{what}: invite as {role:?} offering {offer:?}: {}", got.body);
                match want {
                    201 => {
                        m.ws[w].pending.insert(got.body["id"].as_str().unwrap().to_owned(), Pending { invitee: v, role, offers: offer.into_iter().collect(), contact_of: None });
                    }
                    403 => denied += 1,
                    _ => {}
                }
            }
            58..=59 => {
                // Invite v as a client contact of community c.
                let got = app.post(&format!("{base}/communities/{c}/contacts"), &user, json!({"email": target.email})).await;
                let want = match (&actor, &sight) {
                    (Some(a), Some(s)) if s.sees_community(cid(&c)) => match allowed(a, &Action::InviteContact { community: cid(&c) }, 201) {
                        201 if !m.ws[w].portal.get(&c).is_some_and(|p| p.0) => 409,
                        201 if m.ws[w].members.contains_key(&v) => 409,
                        201 if m.ws[w].pending.values().any(|p| p.invitee == v) => 409,
                        s => s,
                    },
                    _ => 404,
                };
                assert_eq!(got.status.as_u16(), want, "{what}: invite a client contact of {c}: {}", got.body);
                match want {
                    201 => {
                        assert_eq!(got.body["contact_of"], c.as_str(), "{what}: the contact's community");
                        m.ws[w].pending.insert(got.body["id"].as_str().unwrap().to_owned(), Pending { invitee: v, role: WorkspaceRole::Client, offers: vec![], contact_of: Some(c.clone()) });
                        contacts_invited += 1;
                    }
                    403 => denied += 1,
                    _ => {}
                }
            }
            60..=67 => {
                // Accept a pending invitation: mostly the invitee, sometimes someone else.
                let all: Vec<(usize, String)> = (0..WORKSPACES).flat_map(|x| m.ws[x].pending.keys().map(move |id| (x, id.clone()))).collect();
                let Some((x, id)) = all.choose(&mut rng).cloned() else {
                    writes -= 1;
                    continue;
                };
                let invitee = m.ws[x].pending[&id].invitee;
                let by = if rng.gen_bool(0.85) { invitee } else { rng.gen_range(0..USERS) };
                let got = app.post(&format!("/v1/invitations/{id}/accept"), &m.users[by].clone(), json!({})).await;
                let want = if by == invitee { 200 } else { 404 };
                assert_eq!(got.status.as_u16(), want, "{what}: user {by} accepts invitation to workspace {x}: {}", got.body);
                if want == 200 {
                    assert_eq!(got.body["workspace"]["slug"], m.ws[x].slug.as_str(), "{what}: accepted membership");
                    let p = m.ws[x].pending.remove(&id).unwrap();
                    m.ws[x].members.insert(invitee, p.role);
                    if let Some(c) = &p.contact_of {
                        m.ws[x].contact_of.insert(invitee, c.clone());
                    }
                    // The roles the invitation gave, as one of the workspace's owners reads them.
                    let owner = m.ws[x].members.iter().find(|(_, r)| **r == WorkspaceRole::Owner).map(|(o, _)| m.users[*o].clone()).unwrap();
                    let made = app.get(&format!("/v1/workspaces/{}/assignments?user_id={}", m.ws[x].slug, m.users[invitee].id), &owner).await.expect(200);
                    for a in made["items"].as_array().unwrap() {
                        let role = m.ws[x].roles.iter().position(|r| r.role_id.to_string() == a["role_id"].as_str().unwrap()).unwrap();
                        m.ws[x].grants.push(Grant { id: a["id"].as_str().unwrap().to_owned(), user: invitee, community: a["community_id"].as_str().unwrap().to_owned(), role });
                    }
                    assert_eq!(m.ws[x].held(invitee).len(), p.offers.len(), "{what}: the roles offered are held");
                }
            }
            68..=79 => {
                // Give v a community role.
                let r = rng.gen_range(0..m.ws[w].roles.len());
                let role = m.ws[w].roles[r].clone();
                let got = app.post(&format!("{base}/members/{}/assignments", target.id), &user, json!({"assignments": [{"community_id": c, "role_id": role.role_id}]})).await;
                let held = m.ws[w].grants.iter().any(|g| g.user == v && g.community == c && g.role == r);
                let want = match (&actor, &sight) {
                    // Client contacts hold no roles: said before anything else about the request.
                    (Some(_), Some(s)) if m.sees_person(w, s, v) && m.ws[w].contact_of.contains_key(&v) => 409,
                    (Some(a), Some(s)) if m.sees_person(w, s, v) && s.sees_community(cid(&c)) => allowed(a, &Action::AssignRole { community: cid(&c), role: &role }, 200),
                    _ => 404,
                };
                assert_eq!(got.status.as_u16(), want, "{what}: assign {} in {c}: {}", role.role_name, got.body);
                match want {
                    200 => {
                        let made = got.body.as_array().unwrap();
                        assert_eq!(made.len(), usize::from(!held), "{what}: a role held already is not given twice");
                        for a in made {
                            m.ws[w].grants.push(Grant { id: a["id"].as_str().unwrap().to_owned(), user: v, community: c.clone(), role: r });
                            grants_made += 1;
                        }
                    }
                    403 => denied += 1,
                    _ => unseen += usize::from(member_of),
                }
            }
            80..=85 => {
                // Take a community role away.
                let Some(g) = m.ws[w].grants.choose(&mut rng).cloned() else {
                    writes -= 1;
                    continue;
                };
                let got = app.delete(&format!("{base}/assignments/{}", g.id), &user).await;
                let want = match (&actor, &sight) {
                    (Some(a), Some(s)) if s.sees_community(cid(&g.community)) && s.sees_assignment(cid(&g.community), uid(&m.users[g.user])) => allowed(a, &Action::UnassignRole { community: cid(&g.community) }, 204),
                    _ => 404,
                };
                assert_eq!(got.status.as_u16(), want, "{what}: unassign {} of user {}: {}", g.id, g.user, got.body);
                match want {
                    204 => {
                        m.ws[w].grants.retain(|x| x.id != g.id);
                        grants_removed += 1;
                    }
                    403 => denied += 1,
                    _ => unseen += usize::from(member_of),
                }
            }
            86..=89 => {
                let to = random_role(&mut rng);
                let got = app.patch(&format!("{base}/members/{}", target.id), &user, json!({"role": to.as_str()})).await;
                let want = match (&actor, &sight, m.ws[w].members.get(&v).copied()) {
                    (Some(a), Some(s), Some(from)) if m.sees_person(w, s, v) => match allowed(a, &Action::ChangeWorkspaceRole { target: uid(&target), from, to }, 200) {
                        // A membership keeps its kind.
                        200 if from.is_client() != to.is_client() => 422,
                        200 if from == WorkspaceRole::Owner && to != WorkspaceRole::Owner && m.owners(w) <= 1 => 409,
                        s => s,
                    },
                    _ => 404,
                };
                assert_eq!(got.status.as_u16(), want, "{what}: role change to {to:?}: {}", got.body);
                match want {
                    200 => {
                        assert_eq!(got.body["role"], to.as_str(), "{what}: changed role");
                        m.ws[w].members.insert(v, to);
                    }
                    403 => denied += 1,
                    _ => {}
                }
            }
            90..=92 => {
                let got = app.delete(&format!("{base}/members/{}", target.id), &user).await;
                let want = match (&actor, &sight, m.ws[w].members.get(&v).copied()) {
                    (Some(a), Some(s), Some(target_role)) if m.sees_person(w, s, v) => match allowed(a, &Action::RemoveMember { target: uid(&target), target_role }, 204) {
                        204 if target_role == WorkspaceRole::Owner && m.owners(w) <= 1 => 409,
                        s => s,
                    },
                    _ => 404,
                };
                assert_eq!(got.status.as_u16(), want, "{what}: remove: {}", got.body);
                match want {
                    204 => {
                        m.ws[w].members.remove(&v);
                        m.ws[w].contact_of.remove(&v);
                        m.ws[w].grants.retain(|g| g.user != v);
                    }
                    403 => denied += 1,
                    _ => {}
                }
            }
            93..=94 => {
                if m.ws[w].communities.len() >= MAX_COMMUNITIES {
                    writes -= 1;
                    continue;
                }
                let got = app.post(&format!("{base}/communities"), &user, json!({"name": format!("Community {step}"), "slug": format!("com-{step}"), "timezone": "UTC", "region": "eu-west"})).await;
                let want = actor.as_ref().map_or(404, |a| allowed(a, &Action::CreateCommunity, 201));
                assert_eq!(got.status.as_u16(), want, "{what}: create community: {}", got.body);
                match want {
                    201 => m.ws[w].communities.push(got.body["id"].as_str().unwrap().to_owned()),
                    403 => denied += 1,
                    _ => {}
                }
            }
            95..=96 => {
                // Switch community c's client portal (and its team) on or off.
                let to = (rng.gen_bool(0.7), rng.gen_bool(0.5));
                let got = app.patch(&format!("{base}/communities/{c}"), &user, json!({"portal": {"enabled": to.0, "show_team": to.1}})).await;
                let want = match (&actor, &sight) {
                    (Some(a), Some(s)) if s.sees_community(cid(&c)) => allowed(a, &Action::UpdateCommunity { community: cid(&c) }, 200),
                    _ => 404,
                };
                assert_eq!(got.status.as_u16(), want, "{what}: portal of {c} to {to:?}: {}", got.body);
                match want {
                    200 => {
                        m.ws[w].portal.insert(c.clone(), to);
                    }
                    403 => denied += 1,
                    _ => {}
                }
            }
            _ => {
                let guest = m.ws[w].roles[0].clone();
                let got = app.call(Method::POST, &format!("{base}/communities/{c}/api-keys"), Some(&user.token), Some(json!({"name": format!("key {step}"), "role_ids": [guest.role_id]})), &[]).await;
                let want = match (&actor, &sight) {
                    (Some(a), Some(s)) if s.sees_community(cid(&c)) => allowed(a, &Action::ManageApiKeys { community: cid(&c), roles: &[&guest] }, 201),
                    _ => 404,
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

    // The plan's counters (kept by triggers on every write, 0008_constant_cost) equal the
    // model's counts after all that churn.
    for ws in &m.ws {
        let Some((&owner, _)) = ws.members.iter().find(|(_, r)| **r == WorkspaceRole::Owner) else { continue };
        let got = app.get(&format!("/v1/workspaces/{}/usage", ws.slug), &m.users[owner]).await.expect(200);
        let pending_contacts = ws.pending.values().filter(|p| p.contact_of.is_some()).count();
        let want = json!({
            "members": ws.members.values().filter(|r| !r.is_client()).count(),
            "client_contacts": ws.contact_of.len() + pending_contacts,
            "pending_invitations": ws.pending.len() - pending_contacts,
            "communities": ws.communities.len(),
            "api_keys": ws.keys.values().map(|k| k.len()).sum::<usize>(),
        });
        for field in ["members", "client_contacts", "pending_invitations", "communities", "api_keys"] {
            assert_eq!(got[field], want[field], "usage of {}: {field} (server {got}, model {want})", ws.slug);
        }
    }

    // The run exercised what it claims: many reads and writes, refusals, hidden people and
    // communities, role churn, and a confined view for many.
    let total_members: usize = m.ws.iter().map(|w| w.members.len()).sum();
    let communities: usize = m.ws.iter().map(|w| w.communities.len()).sum();
    let contacts: usize = m.ws.iter().map(|w| w.contact_of.len()).sum();
    let confined = (0..WORKSPACES).flat_map(|w| (0..USERS).map(move |u| (w, u))).filter(|(w, u)| m.sight(*w, *u).is_some_and(|s| !s.is_whole())).count();
    eprintln!(
        "model: {reads} reads, {writes} writes, {denied} refused by the rules, {unseen} answered 404 for a member or community hidden inside the workspace, \
         {grants_made} roles given and {grants_removed} taken, {feed_checked} feed changes checked, {total_members} memberships ({confined} confined) \
         and {communities} communities at the end, {contacts_invited} client contacts invited ({contacts} at the end, {by_contacts} requests by contacts) (seed {seed}); 0 leaks, 0 divergences"
    );
    assert!(contacts_invited > 5 && contacts > 0 && by_contacts > 100, "{contacts_invited} client contacts invited, {contacts} at the end, {by_contacts} requests by contacts");
    assert!(reads + writes >= OPERATIONS && reads > 3_000 && writes > 3_000 && denied > 100, "{reads} reads, {writes} writes, {denied} refused");
    assert!(unseen > 100 && grants_made > 100 && grants_removed > 50 && feed_checked > 1_000, "{unseen} hidden, {grants_made} given, {grants_removed} taken, {feed_checked} feed changes");
    assert!(total_members > WORKSPACES * 3 && confined > WORKSPACES && communities > WORKSPACES * 3, "{total_members} members, {confined} confined, {communities} communities");
}

fn community_of(a: &Value) -> CommunityId {
    cid(a["community_id"].as_str().unwrap())
}
