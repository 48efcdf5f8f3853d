//! The console core against a real tenancy server on port 0 (seeded with the demo data).

use std::sync::Arc;
use tenancy::wire::*;
use tenancy::*;
use tenancy_client::cache::views::{MemberQuery, MemberStatus};
use tenancy_client::secret::{MemorySecrets, SecretStore};
use tenancy_client::{sync::sync, ApiClient, Cache, ErrorCode};
use tenancy_server::seed::{self, DEMO_EMAIL, DEMO_PASSWORD};

mod support;
use support::demo_server as world;

#[tokio::test]
async fn sign_in_keeps_only_the_refresh_token_and_sign_out_removes_it() {
    let w = world().await;
    let secrets: Arc<MemorySecrets> = Arc::new(MemorySecrets::default());
    let api = ApiClient::new(&tenancy_client::account_ref::AccountRef::new(&w.server.url(), DEMO_EMAIL).unwrap(), secrets.clone()).unwrap();
    let wrong = api.sign_in("not the password", None).await.unwrap_err();
    assert_eq!(wrong.code, ErrorCode::Unauthorized);
    assert!(secrets.get(api.account().as_str()).unwrap().is_none(), "nothing stored after a failed sign-in");

    let user = api.sign_in(DEMO_PASSWORD, None).await.unwrap();
    assert_eq!(user.email.as_str(), DEMO_EMAIL);
    let stored = secrets.get(api.account().as_str()).unwrap().expect("refresh token in the secret store");
    assert!(stored.expose().starts_with("tnt_rt_"));

    // A second client for the same account resumes from the stored refresh token alone.
    let again = ApiClient::new(&tenancy_client::account_ref::AccountRef::new(&w.server.url(), DEMO_EMAIL).unwrap(), secrets.clone()).unwrap();
    assert_eq!(again.me().await.unwrap().user.id, user.id);
    let rotated = secrets.get(api.account().as_str()).unwrap().unwrap();
    assert_ne!(rotated.expose(), stored.expose(), "refresh rotates the stored token");

    again.sign_out().await.unwrap();
    assert!(secrets.get(api.account().as_str()).unwrap().is_none(), "sign-out deletes the keyring entry");
    let e = again.me().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Unauthorized);
}

#[tokio::test]
async fn full_sync_mirrors_what_the_server_shows_and_answers_offline() {
    let w = world().await;
    let api = ApiClient::new(&tenancy_client::account_ref::AccountRef::new(&w.server.url(), DEMO_EMAIL).unwrap(), Arc::new(MemorySecrets::default())).unwrap();
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
    // Later pages keep the total; past the end there are no rows but still the total.
    let second = cache.members(&MemberQuery { offset: 10, limit: 10, ..q.clone() }, chrono::Utc::now()).await.unwrap();
    assert_eq!((second.total, second.rows.first().map(|r| r.email.clone())), (page.total, Some(emails[10].clone())));
    let beyond = cache.members(&MemberQuery { offset: page.total as u32 + 5, limit: 10, ..q.clone() }, chrono::Utc::now()).await.unwrap();
    assert!(beyond.rows.is_empty());
    assert_eq!(beyond.total, page.total);

    // The palette's list: every community of every workspace, once.
    let all = cache.all_communities().await.unwrap();
    let mut per_ws = 0;
    for m in &me.memberships {
        per_ws += cache.communities(m.workspace.id, None).await.unwrap().len();
    }
    assert_eq!(all.len(), per_ws);
    assert!(all.len() >= 40);

    // Alert volumes came with the sync: 90 days summed over the workspace's communities.
    let ids: Vec<CommunityId> = cache.communities(ws.id, None).await.unwrap().iter().map(|c| c.id).collect();
    let agg = cache.aggregate(ws.id, &ids, chrono::Utc::now()).await.unwrap();
    assert_eq!(agg.alert_volume.len(), 90);
    assert!(agg.alert_volume.iter().all(|(_, n)| *n > 0));
    assert!(agg.members > 0 && agg.api_keys as usize == ids.len());
    // Over part of the workspace too (a few communities are summed directly, most of them as
    // the workspace's daily sums less the rest): the server's volumes, summed.
    let vols = api.workspace_alert_volumes(ws.id).await.unwrap();
    for chosen in [&ids[..1], &ids[1..], &ids[..]] {
        let mut want: std::collections::BTreeMap<chrono::NaiveDate, u64> = Default::default();
        for v in vols.iter().filter(|v| chosen.contains(&v.community_id)) {
            *want.entry(v.day).or_default() += v.alerts as u64;
        }
        let got = cache.aggregate(ws.id, chosen, chrono::Utc::now()).await.unwrap().alert_volume;
        assert_eq!(got, want.into_iter().collect::<Vec<_>>(), "alert volumes over {} of {} communities", chosen.len(), ids.len());
    }

    // Plan usage from the cache equals the server's.
    let server_usage = api.usage(ws.id).await.unwrap();
    let cached_usage = cache.usage(ws.id, chrono::Utc::now()).await.unwrap();
    assert_eq!(
        (cached_usage.members, cached_usage.pending_invitations, cached_usage.communities, cached_usage.api_keys, cached_usage.plan),
        (server_usage.members, server_usage.pending_invitations, server_usage.communities, server_usage.api_keys, server_usage.plan)
    );

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
        copy_roles_from: None,
    }).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Offline, "{e:?}");
    assert!(e.message.contains(&url));
    drop(w.dir);
}

async fn signed_in(w: &support::DemoServer, email: &str, password: &str) -> ApiClient {
    let api = ApiClient::new(&tenancy_client::account_ref::AccountRef::new(&w.server.url(), email).unwrap(), Arc::new(MemorySecrets::default())).unwrap();
    api.sign_in(password, None).await.unwrap();
    api
}

#[tokio::test]
async fn every_mutation_kind_reaches_the_server_and_then_the_cache() {
    let w = world().await;
    let owner = signed_in(&w, DEMO_EMAIL, DEMO_PASSWORD).await;
    let cache = Cache::open(&w.dir.path().join("owner.db")).await.unwrap();
    let resync = || async { sync(&owner, &cache, None, |_| {}).await.unwrap() };
    resync().await;

    // Workspace lifecycle.
    let ws = owner
        .create_workspace(&CreateWorkspace { name: Name::parse("Client Test").unwrap(), slug: Slug::parse("client-test").unwrap(), plan: Some(Plan::Starter), first_community: None })
        .await
        .unwrap();
    let ws = owner.update_workspace(ws.id, &UpdateWorkspace { name: Some(Name::parse("Client Test Renamed").unwrap()), security: None }, Some(ws.version)).await.unwrap();
    let ws = owner.change_plan(ws.id, Plan::Pro, Some(ws.version)).await.unwrap();
    resync().await;
    let cached = cache.workspace(ws.id).await.unwrap().unwrap();
    assert_eq!((cached.name.as_str(), cached.plan), ("Client Test Renamed", Plan::Pro));
    let stale = owner.change_plan(ws.id, Plan::Starter, Some(ws.version - 1)).await.unwrap_err();
    assert_eq!(stale.code, ErrorCode::PreconditionFailed);

    // Communities, intakes, roles.
    let c = owner
        .create_community(ws.id, &CreateCommunity { name: Name::parse("Acme").unwrap(), slug: Slug::parse("acme").unwrap(), timezone: Timezone::parse("Europe/Paris").unwrap(), contact_email: None, region: Region::EuWest, copy_roles_from: None })
        .await
        .unwrap();
    let c = owner.update_community(ws.id, c.id, &UpdateCommunity { region: Some(Region::Uk), ..Default::default() }, Some(c.version)).await.unwrap();
    let intake = owner.create_intake(ws.id, c.id, &CreateIntake { name: Name::parse("Acme EDR").unwrap(), kind: IntakeKind::Edr }).await.unwrap();
    let role = owner
        .create_role(ws.id, &CreateRole { name: Name::parse("EDR watcher").unwrap(), kind: RoleKind::IntakeRestricted, description: String::new(), permissions: vec![Permission::AlertsRead], intake_scope: vec![intake.id] })
        .await
        .unwrap();
    let role = owner.update_role(ws.id, role.id, &UpdateRole { description: Some("reads EDR alerts".into()), ..Default::default() }, Some(role.version)).await.unwrap();
    resync().await;
    assert_eq!(cache.communities(ws.id, None).await.unwrap().iter().find(|x| x.id == c.id).unwrap().settings.as_ref().unwrap().region, Region::Uk);
    assert_eq!(cache.intakes(c.id).await.unwrap().len(), 1);
    assert!(cache.roles(ws.id).await.unwrap().iter().any(|r| r.id == role.id && r.description == "reads EDR alerts"));

    // Invitations: revoke one, accept another.
    let email = Email::parse("newcomer@client.example").unwrap();
    let first = owner.invite(ws.id, &CreateInvitation { email: email.clone(), workspace_role: WorkspaceRole::Member, assignments: vec![] }).await.unwrap();
    owner.revoke_invitation(ws.id, first.id).await.unwrap();
    let guest = cache.roles(ws.id).await.unwrap().into_iter().find(|r| r.builtin == Some(BuiltinRole::Guest)).unwrap();
    let inv = owner
        .invite(ws.id, &CreateInvitation { email: email.clone(), workspace_role: WorkspaceRole::Member, assignments: vec![AssignmentSpec { community_id: c.id, role_id: guest.id, assignment_type: AssignmentType::Pool }] })
        .await
        .unwrap();
    reqwest::Client::new()
        .post(format!("{}/v1/auth/register", w.server.url()))
        .json(&serde_json::json!({"email": email, "display_name": "New Comer", "password": "a long enough password"}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let newcomer = signed_in(&w, email.as_str(), "a long enough password").await;
    let joined = newcomer.accept_invitation(inv.id).await.unwrap();
    assert_eq!(joined.workspace.id, ws.id);
    let user = newcomer.me().await.unwrap().user;

    // Member roles, assignments, 2FA reset.
    owner.change_member_role(ws.id, user.id, WorkspaceRole::Admin, None).await.unwrap();
    let made = owner.assign_roles(ws.id, user.id, &AssignRoles { assignments: vec![AssignmentSpec { community_id: c.id, role_id: role.id, assignment_type: AssignmentType::Escalation }], replace: None }).await.unwrap();
    resync().await;
    let detail = cache.member(ws.id, user.id).await.unwrap().unwrap();
    assert_eq!(detail.member.role, WorkspaceRole::Admin);
    assert_eq!(detail.assignments.len(), 2, "Guest from the invitation and the restricted role");
    assert!(detail.permissions.holds(Some(c.id), Permission::AlertsRead));
    let enrol = newcomer.enrol_totp().await.unwrap();
    newcomer.verify_totp(&tenancy_server::credentials::totp_now(&enrol.secret)).await.unwrap();
    owner.reset_2fa(ws.id, user.id).await.unwrap();
    owner.unassign_role(ws.id, made[0].id).await.unwrap();
    resync().await;
    let detail = cache.member(ws.id, user.id).await.unwrap().unwrap();
    assert!(!detail.member.two_factor_enabled);
    assert_eq!(detail.assignments.len(), 1);

    // API keys.
    let key = owner.create_api_key(ws.id, c.id, &CreateApiKey { name: Name::parse("SIEM").unwrap(), role_ids: vec![guest.id], expires_in_days: Some(30) }).await.unwrap();
    assert!(key.secret.starts_with(&key.key.prefix));
    owner.revoke_api_key(ws.id, c.id, key.key.id).await.unwrap();
    resync().await;
    let keys = cache.api_keys(c.id).await.unwrap();
    assert!(keys.iter().any(|k| k.id == key.key.id && k.revoked_at.is_some()));

    // Removals.
    owner.delete_role(ws.id, role.id).await.unwrap();
    owner.delete_intake(ws.id, c.id, intake.id).await.unwrap();
    owner.remove_member(ws.id, user.id).await.unwrap();
    resync().await;
    assert!(cache.member(ws.id, user.id).await.unwrap().is_none());
    assert!(cache.intakes(c.id).await.unwrap().is_empty());
    assert!(!cache.roles(ws.id).await.unwrap().iter().any(|r| r.id == role.id));

    // Delete by typed slug; a platform admin restores.
    let wrong = owner.delete_workspace(ws.id, "client", None).await.unwrap_err();
    assert_eq!(wrong.code, ErrorCode::Validation);
    owner.delete_workspace(ws.id, "client-test", None).await.unwrap();
    resync().await;
    assert!(!cache.workspaces(None).await.unwrap().iter().any(|x| x.id == ws.id));
    let admin = signed_in(&w, seed::PLATFORM_ADMIN_EMAIL, DEMO_PASSWORD).await;
    assert!(admin.deleted_workspaces().await.unwrap().iter().any(|x| x.id == ws.id));
    admin.restore_workspace(ws.id).await.unwrap();
    resync().await;
    assert!(cache.workspaces(None).await.unwrap().iter().any(|x| x.id == ws.id));
}

/// A new person creates their account from the console, sees the invitation waiting for their
/// address (with what it offers, by name), accepts it, and the next sync brings the workspace.
#[tokio::test]
async fn a_new_account_sees_its_invitation_and_accepting_brings_the_workspace() {
    let w = world().await;
    let admin = signed_in(&w, DEMO_EMAIL, DEMO_PASSWORD).await;
    let ws = admin.me().await.unwrap().memberships.into_iter().find(|m| m.workspace.slug.as_str() == "northwind-mssp").unwrap().workspace;
    let community = admin.get::<Page<Community>>(&format!("/v1/workspaces/{}/communities?limit=1", ws.id)).await.unwrap().items.remove(0);
    let guest = admin.get::<Page<Role>>(&format!("/v1/workspaces/{}/roles", ws.id)).await.unwrap().items.into_iter().find(|r| r.name.as_str() == "Guest").unwrap();
    let email = Email::parse("fox.mulder@newclient.example").unwrap();
    let spec = AssignmentSpec { community_id: community.id, role_id: guest.id, assignment_type: AssignmentType::Pool };
    admin.invite(ws.id, &CreateInvitation { email: email.clone(), workspace_role: WorkspaceRole::Member, assignments: vec![spec] }).await.unwrap();

    let accounts = tenancy_client::accounts::Accounts::new(w.dir.path().join("console"), Arc::new(MemorySecrets::default()));
    let Err(e) = accounts.create(&w.server.url(), "Fox Mulder", email.as_str(), "short").await else { panic!("a short password is refused") };
    assert_eq!(e.code, ErrorCode::Validation);
    assert!(e.message.contains("at least 12 characters"), "{}", e.message);
    let fox = accounts.create(&w.server.url(), "Fox Mulder", email.as_str(), "the truth is out there").await.unwrap();
    fox.sync(|_| {}).await.unwrap();
    assert!(fox.cache.workspaces(None).await.unwrap().is_empty(), "not a member of anything yet");
    let offers = fox.cache.invitations_offered(chrono::Utc::now()).await.unwrap();
    assert_eq!(offers.len(), 1);
    assert_eq!((offers[0].workspace_slug.as_str(), offers[0].invited_by_email.as_str()), ("northwind-mssp", DEMO_EMAIL));
    assert_eq!(offers[0].roles, vec![OfferedRole { community: community.name.to_string(), role: "Guest".into(), assignment_type: AssignmentType::Pool }]);
    assert_eq!(offers[0].invitation.status, InvitationStatus::Pending);
    // Read (offline, say) after it has run out, the same cached offer says it has expired.
    let later = offers[0].invitation.expires_at + chrono::Duration::seconds(1);
    assert_eq!(fox.cache.invitations_offered(later).await.unwrap()[0].invitation.status, InvitationStatus::Expired);

    fox.api.accept_invitation(offers[0].invitation.id).await.unwrap();
    fox.sync(|_| {}).await.unwrap();
    let mine = fox.cache.workspaces(None).await.unwrap();
    assert_eq!(mine.iter().map(|w| w.slug.as_str()).collect::<Vec<_>>(), vec!["northwind-mssp"]);
    assert!(fox.cache.invitations_offered(chrono::Utc::now()).await.unwrap().is_empty(), "an accepted invitation is no longer offered");
    let me = fox.cache.me().await.unwrap().unwrap();
    let detail = fox.cache.member(ws.id, me.id).await.unwrap().expect("their own membership");
    assert_eq!(detail.assignments.iter().map(|a| (a.community_id, a.role_id, a.assignment_type)).collect::<Vec<_>>(), vec![(community.id, guest.id, AssignmentType::Pool)]);
}

/// The audit export writes every entry matching the search, as the server pages it, in CSV and
/// in JSON, into the folder given (whole, never half-written).
#[tokio::test]
async fn the_audit_export_holds_every_match_of_the_search() {
    use tenancy::wire::AuditSearch;
    use tenancy_client::report::{export_audit, ExportFormat};
    let w = world().await;
    let api = signed_in(&w, DEMO_EMAIL, DEMO_PASSWORD).await;
    let ws: Workspace = api.get("/v1/workspaces/northwind-mssp").await.unwrap();
    // What the server answers, walked ten at a time.
    let walk = |search: AuditSearch| {
        let api = &api;
        async move {
            let (mut out, mut cursor) = (Vec::new(), None);
            loop {
                let page = api.audit(ws.id, &search, cursor, 10).await.unwrap();
                out.extend(page.items);
                match page.next_cursor {
                    Some(c) => cursor = Some(c),
                    None => return out,
                }
            }
        }
    };
    let everything = walk(AuditSearch::default()).await;
    assert!(everything.len() > 20, "the demo workspace has a log: {}", everything.len());
    let action = everything[everything.len() / 2].action.as_str().to_owned();
    let search = AuditSearch { action: Some(action.clone()), ..Default::default() };
    let want = walk(search.clone()).await;
    assert!(!want.is_empty() && want.len() < everything.len() && want.iter().all(|e| e.action.as_str() == action));
    let dir = w.dir.path().join("exports");
    let csv = export_audit(&api, ws.id, ws.slug.as_str(), &search, ExportFormat::Csv, &dir, chrono::Utc::now()).await.unwrap();
    assert_eq!(csv.count as usize, want.len());
    let mut reader = csv::Reader::from_path(&csv.path).unwrap();
    assert_eq!(&reader.headers().unwrap()[4], "summary");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let ids: Vec<i64> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
    assert_eq!(ids, want.iter().map(|e| e.id).collect::<Vec<_>>(), "the CSV holds the matches, newest first");
    // Each line says what happened in words, as the server does.
    assert!(rows.iter().zip(&want).all(|(r, e)| !e.summary.is_empty() && r[4] == *e.summary), "summaries in the CSV");
    let json = export_audit(&api, ws.id, ws.slug.as_str(), &search, ExportFormat::Json, &dir, chrono::Utc::now() + chrono::Duration::seconds(1)).await.unwrap();
    let back: Vec<AuditEntry> = serde_json::from_str(&std::fs::read_to_string(&json.path).unwrap()).unwrap();
    assert_eq!(back, want, "the JSON holds them as the server sent them");
    assert!(std::fs::read_dir(&dir).unwrap().all(|f| !f.unwrap().path().to_string_lossy().ends_with(".part")), "no partial file left");
}
