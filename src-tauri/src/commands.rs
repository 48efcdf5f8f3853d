//! The commands the UI calls. Each validates its arguments, calls `tenancy-client`, and returns
//! data or a `{code, message}` error.

use crate::state::{self, Console, DemoHint};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Runtime, State};
use tenancy::api::*;
use tenancy::*;
use tenancy_client::accounts::AccountRef;
use tenancy_client::cache::queries::{Aggregate, MemberDetail, MemberPage, MemberQuery};
use tenancy_client::sync::{Progress, SyncOutcome};
use tenancy_client::{ClientError, ErrorCode};

type R<T> = Result<T, ClientError>;

pub fn handler<RT: Runtime>() -> impl Fn(tauri::ipc::Invoke<RT>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        demo_hint, list_accounts, add_account, sign_out, sync_now, sync_status, workspaces, communities, roles, members, member,
        aggregate, invitations, api_keys
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
