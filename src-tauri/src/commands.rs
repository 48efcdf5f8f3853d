//! The commands the UI calls. Each validates its arguments, calls `tenancy-client`, and returns
//! data or a `{code, message}` error.

use crate::state::{self, Console, DemoHint, PaneRef, UiPrefs};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Runtime, State};
use tenancy::api::*;
use tenancy::*;
use tenancy_client::accounts::AccountRef;
use tenancy_client::cache::queries::{Aggregate, MemberDetail, MemberPage, MemberQuery};
use tenancy_client::report::{self, Comparison, ExportFormat};
use tenancy_client::sync::{Progress, SyncOutcome};
use tenancy_client::{ClientError, ErrorCode};

type R<T> = Result<T, ClientError>;

pub fn handler<RT: Runtime>() -> impl Fn(tauri::ipc::Invoke<RT>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        demo_hint, ui_prefs, save_ui_prefs, all_communities, list_accounts, add_account, sign_out, sync_now, sync_status, workspaces, communities, roles, members, member,
        aggregate, invitations, api_keys, usage, create_workspace, update_workspace, change_plan, delete_workspace, restore_workspace,
        create_community, update_community, invite, revoke_invitation, accept_invitation, change_member_role, remove_member, reset_2fa,
        assign_roles, unassign_role, create_role, update_role, delete_role, create_api_key, revoke_api_key, create_intake, delete_intake,
        permission_catalogue, intakes, audit, deleted_workspaces, export, compare, slug_hint
    ]
}

fn invalid(message: impl Into<String>) -> ClientError {
    ClientError::new(ErrorCode::Validation, message)
}

#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct AccountView {
    pub key: String,
    pub server: String,
    pub email: String,
    pub user: Option<User>,
    pub signed_in: bool,
    pub last_sync_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct SyncProgressEvent {
    pub account: String,
    pub progress: Progress,
}

async fn view(a: &tenancy_client::accounts::Account) -> R<AccountView> {
    Ok(AccountView {
        key: a.r#ref.key(),
        server: a.r#ref.server.clone(),
        email: a.r#ref.email.clone(),
        user: a.cache.me().await?,
        signed_in: a.api.is_signed_in().await,
        last_sync_at: a.cache.state().await?.last_sync_at,
    })
}

#[tauri::command]
pub async fn demo_hint() -> Option<DemoHint> {
    Console::demo_hint()
}

#[tauri::command]
pub async fn ui_prefs<RT: Runtime>(app: AppHandle<RT>) -> UiPrefs {
    state::ui_prefs(&app)
}

#[tauri::command]
pub async fn save_ui_prefs<RT: Runtime>(app: AppHandle<RT>, mut prefs: UiPrefs) -> R<UiPrefs> {
    if let Some(bad) = prefs.colours.values().find(|c| c.len() > 32 || !c.chars().all(|ch| ch.is_ascii_alphanumeric() || "#(),.% -".contains(ch))) {
        return Err(invalid(format!("\"{bad}\" is not a colour; use a value such as #1f6feb.")));
    }
    if prefs.panes.len() > state::MAX_PANES {
        return Err(invalid(format!("At most {} panes fit side by side; close one first.", state::MAX_PANES)));
    }
    prefs.recents.truncate(state::MAX_RECENTS);
    prefs.favourites.dedup();
    state::save_ui_prefs(&app, &prefs)?;
    Ok(prefs)
}

#[tauri::command]
pub async fn list_accounts(console: State<'_, Console>) -> R<Vec<AccountView>> {
    let mut out = Vec::new();
    for a in console.accounts.list().await {
        out.push(view(&a).await?);
    }
    Ok(out)
}

#[tauri::command]
pub async fn add_account<RT: Runtime>(app: AppHandle<RT>, console: State<'_, Console>, server: String, email: String, password: String, totp: Option<String>) -> R<AccountView> {
    let email = Email::parse(&email).map_err(|e| invalid(e.to_string()))?;
    if password.is_empty() {
        return Err(invalid("Type the account's password."));
    }
    let totp = totp.filter(|t| !t.trim().is_empty());
    if totp.as_deref().is_some_and(|t| t.trim().len() != 6 || !t.trim().chars().all(|c| c.is_ascii_digit())) {
        return Err(invalid("The two-factor code is the 6 digits your authenticator app shows."));
    }
    let r = AccountRef { server: server.trim().trim_end_matches('/').to_owned(), email: email.to_string() };
    let a = console.accounts.sign_in(&r, &password, totp.as_deref().map(str::trim)).await?;
    let mut refs = state::remembered(&app);
    if !refs.contains(&r) {
        refs.push(r);
        state::remember(&app, &refs)?;
    }
    view(&a).await
}

#[tauri::command]
pub async fn sign_out<RT: Runtime>(app: AppHandle<RT>, console: State<'_, Console>, account: String) -> R<()> {
    console.accounts.sign_out(&account).await?;
    let refs: Vec<_> = state::remembered(&app).into_iter().filter(|r| r.key() != account).collect();
    state::remember(&app, &refs)
}

#[tauri::command]
pub async fn sync_now<RT: Runtime>(app: AppHandle<RT>, console: State<'_, Console>, account: String) -> R<SyncOutcome> {
    let a = console.accounts.get(&account).await?;
    let key = account.clone();
    a.sync(|progress| {
        let _ = app.emit("sync-progress", SyncProgressEvent { account: key.clone(), progress });
    })
    .await
}

#[tauri::command]
pub async fn sync_status(console: State<'_, Console>, account: String) -> R<tenancy_client::cache::SyncState> {
    console.accounts.get(&account).await?.cache.state().await
}

#[tauri::command]
pub async fn workspaces(console: State<'_, Console>, account: String, search: Option<String>) -> R<Vec<Workspace>> {
    console.accounts.get(&account).await?.cache.workspaces(search.as_deref()).await
}

#[tauri::command]
pub async fn communities(console: State<'_, Console>, account: String, workspace_id: WorkspaceId, search: Option<String>) -> R<Vec<Community>> {
    console.accounts.get(&account).await?.cache.communities(workspace_id, search.as_deref()).await
}

#[tauri::command]
pub async fn all_communities(console: State<'_, Console>, account: String) -> R<Vec<Community>> {
    console.accounts.get(&account).await?.cache.all_communities().await
}

#[tauri::command]
pub async fn roles(console: State<'_, Console>, account: String, workspace_id: WorkspaceId) -> R<Vec<Role>> {
    console.accounts.get(&account).await?.cache.roles(workspace_id).await
}

#[tauri::command]
pub async fn members(console: State<'_, Console>, account: String, query: MemberQuery) -> R<MemberPage> {
    if query.workspace_id.is_none() {
        return Err(invalid("Pick a workspace first."));
    }
    if !(1..=1000).contains(&query.limit) {
        return Err(invalid(format!("A page holds 1 to 1000 rows; {} was asked for.", query.limit)));
    }
    console.accounts.get(&account).await?.cache.members(&query, Utc::now()).await
}

#[tauri::command]
pub async fn member(console: State<'_, Console>, account: String, workspace_id: WorkspaceId, user_id: UserId) -> R<Option<MemberDetail>> {
    console.accounts.get(&account).await?.cache.member(workspace_id, user_id).await
}

#[tauri::command]
pub async fn aggregate(console: State<'_, Console>, account: String, workspace_id: WorkspaceId, communities: Vec<CommunityId>) -> R<Aggregate> {
    if communities.is_empty() {
        return Err(invalid("Select at least one community to aggregate."));
    }
    console.accounts.get(&account).await?.cache.aggregate(workspace_id, &communities, Utc::now()).await
}

#[tauri::command]
pub async fn invitations(console: State<'_, Console>, account: String, workspace_id: WorkspaceId) -> R<Vec<Invitation>> {
    console.accounts.get(&account).await?.cache.invitations(workspace_id).await
}

#[tauri::command]
pub async fn api_keys(console: State<'_, Console>, account: String, community_id: CommunityId) -> R<Vec<ApiKey>> {
    console.accounts.get(&account).await?.cache.api_keys(community_id).await
}

// ---------- mutations: sent to the server, then the cache catches up with a delta sync ----------

/// After a successful write, pull the delta so every view shows it. A failed sync here does not
/// undo the write; the next sync catches up.
async fn caught_up(a: &tenancy_client::accounts::Account) {
    if let Err(e) = a.sync(|_| {}).await {
        tracing::warn!(error = %e, "sync after a change failed");
    }
}

macro_rules! mutation {
    ($name:ident ( $($arg:ident : $ty:ty),* ) -> $out:ty => |$a:ident| $body:expr) => {
        #[tauri::command]
        pub async fn $name(console: State<'_, Console>, account: String, $($arg: $ty),*) -> R<$out> {
            let $a = console.accounts.get(&account).await?;
            let out = $body.await?;
            caught_up(&$a).await;
            Ok(out)
        }
    };
}

mutation!(create_workspace(req: CreateWorkspace) -> Workspace => |a| a.api.create_workspace(&req));
mutation!(update_workspace(workspace_id: WorkspaceId, req: UpdateWorkspace, version: Option<i64>) -> Workspace => |a| a.api.update_workspace(workspace_id, &req, version));
mutation!(change_plan(workspace_id: WorkspaceId, plan: Plan, version: Option<i64>) -> Workspace => |a| a.api.change_plan(workspace_id, plan, version));
mutation!(delete_workspace(workspace_id: WorkspaceId, confirm_slug: String, version: Option<i64>) -> Workspace => |a| a.api.delete_workspace(workspace_id, &confirm_slug, version));
mutation!(restore_workspace(workspace_id: WorkspaceId) -> Workspace => |a| a.api.restore_workspace(workspace_id));
mutation!(create_community(workspace_id: WorkspaceId, req: CreateCommunity) -> Community => |a| a.api.create_community(workspace_id, &req));
mutation!(update_community(workspace_id: WorkspaceId, community_id: CommunityId, req: UpdateCommunity, version: Option<i64>) -> Community => |a| a.api.update_community(workspace_id, community_id, &req, version));
mutation!(invite(workspace_id: WorkspaceId, req: CreateInvitation) -> Invitation => |a| a.api.invite(workspace_id, &req));
mutation!(revoke_invitation(workspace_id: WorkspaceId, invitation_id: InvitationId) -> Invitation => |a| a.api.revoke_invitation(workspace_id, invitation_id));
mutation!(accept_invitation(invitation_id: InvitationId) -> Membership => |a| a.api.accept_invitation(invitation_id));
mutation!(change_member_role(workspace_id: WorkspaceId, user_id: UserId, role: WorkspaceRole, version: Option<i64>) -> Member => |a| a.api.change_member_role(workspace_id, user_id, role, version));
mutation!(remove_member(workspace_id: WorkspaceId, user_id: UserId) -> () => |a| a.api.remove_member(workspace_id, user_id));
mutation!(reset_2fa(workspace_id: WorkspaceId, user_id: UserId) -> Member => |a| a.api.reset_2fa(workspace_id, user_id));
mutation!(assign_roles(workspace_id: WorkspaceId, user_id: UserId, req: AssignRoles) -> Vec<RoleAssignment> => |a| a.api.assign_roles(workspace_id, user_id, &req));
mutation!(unassign_role(workspace_id: WorkspaceId, assignment_id: AssignmentId) -> () => |a| a.api.unassign_role(workspace_id, assignment_id));
mutation!(create_role(workspace_id: WorkspaceId, req: CreateRole) -> Role => |a| a.api.create_role(workspace_id, &req));
mutation!(update_role(workspace_id: WorkspaceId, role_id: RoleId, req: UpdateRole, version: Option<i64>) -> Role => |a| a.api.update_role(workspace_id, role_id, &req, version));
mutation!(delete_role(workspace_id: WorkspaceId, role_id: RoleId) -> () => |a| a.api.delete_role(workspace_id, role_id));
mutation!(create_api_key(workspace_id: WorkspaceId, community_id: CommunityId, req: CreateApiKey) -> CreatedApiKey => |a| a.api.create_api_key(workspace_id, community_id, &req));
mutation!(revoke_api_key(workspace_id: WorkspaceId, community_id: CommunityId, api_key_id: ApiKeyId) -> ApiKey => |a| a.api.revoke_api_key(workspace_id, community_id, api_key_id));
mutation!(create_intake(workspace_id: WorkspaceId, community_id: CommunityId, req: CreateIntake) -> Intake => |a| a.api.create_intake(workspace_id, community_id, &req));
mutation!(delete_intake(workspace_id: WorkspaceId, community_id: CommunityId, intake_id: IntakeId) -> () => |a| a.api.delete_intake(workspace_id, community_id, intake_id));

#[tauri::command]
pub async fn usage(console: State<'_, Console>, account: String, workspace_id: WorkspaceId) -> R<WorkspaceUsage> {
    console.accounts.get(&account).await?.cache.usage(workspace_id, Utc::now()).await
}

// ---------- the permission catalogue, audit log, deleted workspaces (need the server) ----------

#[tauri::command]
pub async fn permission_catalogue() -> Vec<tenancy::permission::CatalogueEntry> {
    tenancy::permission::catalogue()
}

#[tauri::command]
pub async fn intakes(console: State<'_, Console>, account: String, community_id: CommunityId) -> R<Vec<Intake>> {
    console.accounts.get(&account).await?.cache.intakes(community_id).await
}

/// One page of a workspace's audit log, newest first. The log is not mirrored: it needs the server.
#[tauri::command]
pub async fn audit(console: State<'_, Console>, account: String, workspace_id: WorkspaceId, cursor: Option<String>) -> R<Page<AuditEntry>> {
    console.accounts.get(&account).await?.api.audit(workspace_id, cursor, 100).await
}

/// Soft-deleted workspaces a platform admin may restore.
#[tauri::command]
pub async fn deleted_workspaces(console: State<'_, Console>, account: String) -> R<Vec<Workspace>> {
    console.accounts.get(&account).await?.api.deleted_workspaces().await
}

// ---------- export and compare (from the cache, so they work offline) ----------

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum ExportWhat {
    Members,
    Roles,
}

#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ExportResult {
    /// Where the file was written.
    pub path: String,
    /// Members or roles written.
    pub count: u32,
}

/// Writes the workspace's members (of `communities`, when given) or roles to a file in the user's
/// Downloads folder (the app data folder when there is none) and says where.
#[tauri::command]
pub async fn export<RT: Runtime>(
    app: AppHandle<RT>,
    console: State<'_, Console>,
    account: String,
    workspace_id: WorkspaceId,
    what: ExportWhat,
    format: ExportFormat,
    communities: Vec<CommunityId>,
) -> R<ExportResult> {
    use tauri::Manager;
    let a = console.accounts.get(&account).await?;
    let ws = a.cache.workspace(workspace_id).await?.ok_or_else(|| ClientError::new(ErrorCode::NotFound, "This workspace is not in the cache; sync and try again."))?;
    let (text, count) = match what {
        ExportWhat::Members => {
            let people = report::people(&a.cache, workspace_id, &communities, Utc::now()).await?;
            let text = match format {
                ExportFormat::Csv => report::members_csv(&people)?,
                ExportFormat::Json => report::json(&people)?,
            };
            (text, people.len())
        }
        ExportWhat::Roles => {
            let roles = a.cache.roles(workspace_id).await?;
            let text = match format {
                ExportFormat::Csv => report::roles_csv(&roles)?,
                ExportFormat::Json => report::json(&roles)?,
            };
            (text, roles.len())
        }
    };
    let dir = app.path().download_dir().or_else(|_| app.path().app_data_dir().map(|d| d.join("exports"))).map_err(|e| write_error(&e))?;
    std::fs::create_dir_all(&dir).map_err(|e| write_error(&e))?;
    let what_name = if what == ExportWhat::Members { "members" } else { "roles" };
    let path = dir.join(format!("tenantry-{}-{what_name}-{}.{}", ws.slug, Utc::now().format("%Y%m%d-%H%M%S"), format.extension()));
    // Written beside and renamed into place: the file is whole or absent, never half-written.
    let part = path.with_extension("part");
    std::fs::write(&part, text).and_then(|_| std::fs::rename(&part, &path)).map_err(|e| {
        let _ = std::fs::remove_file(&part);
        write_error(&e)
    })?;
    Ok(ExportResult { path: path.display().to_string(), count: count as u32 })
}

fn write_error(e: &dyn std::fmt::Display) -> ClientError {
    ClientError::new(ErrorCode::Internal, format!("The export could not be saved ({e}). Check that your Downloads folder is writable."))
}

/// Who is in one workspace and not the other, and where roles differ; both from the caches.
#[tauri::command]
pub async fn compare(console: State<'_, Console>, left: PaneRef, right: PaneRef) -> R<Comparison> {
    let now = Utc::now();
    let l = console.accounts.get(&left.account).await?;
    let r = console.accounts.get(&right.account).await?;
    let lp = report::people(&l.cache, left.workspace_id, &[], now).await?;
    let rp = report::people(&r.cache, right.workspace_id, &[], now).await?;
    Ok(report::compare(&lp, &rp))
}

/// The slug rules as the user types, from the domain crate (the same rules the server applies).
#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct SlugHint {
    /// A slug made from the name, for when the user has not typed one.
    pub suggestion: String,
    /// What is wrong with `slug`, and how to fix it; null when it is valid.
    pub problem: Option<String>,
}

#[tauri::command]
pub async fn slug_hint(name: String, slug: String) -> SlugHint {
    SlugHint { suggestion: Slug::suggest(&name), problem: Slug::parse(&slug).err().map(|e| e.to_string()) }
}
