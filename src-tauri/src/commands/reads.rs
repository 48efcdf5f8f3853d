//! Reads: from the account's cache (so they answer offline), but for the audit log and the
//! deleted workspaces, which need the server.

use super::*;
use chrono::Utc;
use tauri::Manager;
use tenancy_client::report;

pub async fn workspaces<RT: Runtime>(cx: &Cx<'_, RT>, a: args::workspaces) -> R<Vec<Workspace>> {
    cx.account(&a.account).await?.cache.workspaces(a.search.as_deref()).await
}

/// Single- or multi-tenant, per workspace (for the switcher and the pane header).
pub async fn workspace_modes<RT: Runtime>(cx: &Cx<'_, RT>, a: args::workspace_modes) -> R<Vec<WorkspaceMode>> {
    cx.account(&a.account).await?.cache.workspace_modes().await
}

pub async fn communities<RT: Runtime>(cx: &Cx<'_, RT>, a: args::communities) -> R<Vec<Community>> {
    cx.account(&a.account).await?.cache.communities(a.workspace_id, a.search.as_deref()).await
}

pub async fn community_rows<RT: Runtime>(cx: &Cx<'_, RT>, a: args::community_rows) -> R<Vec<CommunityRow>> {
    cx.account(&a.account).await?.cache.community_rows(a.workspace_id, a.search.as_deref()).await
}

/// The slug hint for a new community: the rules, and the slugs the workspace already has.
pub async fn community_slug_hint<RT: Runtime>(cx: &Cx<'_, RT>, a: args::community_slug_hint) -> R<SlugHint> {
    cx.account(&a.account).await?.cache.community_slug_hint(a.workspace_id, &a.name, &a.slug).await
}

/// The invitations addressed to the account's email, as its last sync saw them.
pub async fn invitations_offered<RT: Runtime>(cx: &Cx<'_, RT>, a: args::invitations_offered) -> R<Vec<InvitationOffer>> {
    cx.account(&a.account).await?.cache.invitations_offered(chrono::Utc::now()).await
}

pub async fn all_communities<RT: Runtime>(cx: &Cx<'_, RT>, a: args::all_communities) -> R<Vec<Community>> {
    cx.account(&a.account).await?.cache.all_communities().await
}

pub async fn find_people<RT: Runtime>(cx: &Cx<'_, RT>, a: args::find_people) -> R<Vec<PersonHit>> {
    cx.account(&a.account).await?.cache.find_people(&a.query, a.limit).await
}

pub async fn roles<RT: Runtime>(cx: &Cx<'_, RT>, a: args::roles) -> R<Vec<Role>> {
    cx.account(&a.account).await?.cache.roles(a.workspace_id).await
}

pub async fn members<RT: Runtime>(cx: &Cx<'_, RT>, a: args::members) -> R<MemberPage> {
    cx.account(&a.account).await?.cache.members(&a.query, Utc::now()).await
}

pub async fn member<RT: Runtime>(cx: &Cx<'_, RT>, a: args::member) -> R<Option<MemberDetail>> {
    cx.account(&a.account).await?.cache.member(a.workspace_id, a.user_id).await
}

pub async fn aggregate<RT: Runtime>(cx: &Cx<'_, RT>, a: args::aggregate) -> R<Aggregate> {
    cx.account(&a.account).await?.cache.aggregate(a.workspace_id, &a.communities, Utc::now()).await
}

pub async fn invitations<RT: Runtime>(cx: &Cx<'_, RT>, a: args::invitations) -> R<Vec<Invitation>> {
    cx.account(&a.account).await?.cache.invitations(a.workspace_id).await
}

pub async fn api_keys<RT: Runtime>(cx: &Cx<'_, RT>, a: args::api_keys) -> R<Vec<ApiKey>> {
    cx.account(&a.account).await?.cache.api_keys(a.community_id).await
}

/// The keys of several communities in one list (empty: every community of the workspace), newest first.
pub async fn api_keys_of<RT: Runtime>(cx: &Cx<'_, RT>, a: args::api_keys_of) -> R<Vec<ApiKey>> {
    cx.account(&a.account).await?.cache.api_keys_of(a.workspace_id, &a.communities).await
}

pub async fn intakes<RT: Runtime>(cx: &Cx<'_, RT>, a: args::intakes) -> R<Vec<Intake>> {
    cx.account(&a.account).await?.cache.intakes(a.community_id).await
}

pub async fn usage<RT: Runtime>(cx: &Cx<'_, RT>, a: args::usage) -> R<WorkspaceUsage> {
    cx.account(&a.account).await?.cache.usage(a.workspace_id, Utc::now()).await
}

/// The plans the workspace could move to, from its usage in the cache (the server has the last word).
pub async fn plan_options<RT: Runtime>(cx: &Cx<'_, RT>, a: args::plan_options) -> R<Vec<PlanOption>> {
    let account = cx.account(&a.account).await?;
    let u = account.cache.usage(a.workspace_id, Utc::now()).await?;
    let admin = account.cache.me().await?.is_some_and(|me| me.platform_admin);
    Ok(tenancy::plan::plan_options(u.plan, u.members + u.pending_invitations, u.communities, admin))
}

pub async fn invite_preview<RT: Runtime>(cx: &Cx<'_, RT>, a: args::invite_preview) -> R<InvitePreview> {
    let account = cx.account(&a.account).await?;
    tenancy_client::invites::preview_in(&account.cache, a.workspace_id, &a.text, a.assignment_type, Utc::now()).await
}

/// Into the user's Downloads folder, or the app data folder when there is none.
pub async fn export<RT: Runtime>(cx: &Cx<'_, RT>, a: args::export) -> R<ExportResult> {
    let account = cx.account(&a.account).await?;
    report::export(&account.cache, a.workspace_id, a.what, a.format, &a.communities, &export_dir(cx)?, Utc::now()).await
}

/// The audit entries matching a search, read from the server into a file.
pub async fn audit_export<RT: Runtime>(cx: &Cx<'_, RT>, a: args::audit_export) -> R<ExportResult> {
    let account = cx.account(&a.account).await?;
    let ws = account.cache.workspace(a.workspace_id).await?.ok_or_else(|| ClientError::new(ErrorCode::NotFound, "This workspace is not in the cache; sync and try again."))?;
    report::export_audit(&account.api, a.workspace_id, ws.slug.as_str(), &a.search, a.format, &export_dir(cx)?, Utc::now()).await
}

/// Where exports go: Downloads, else the app's data folder.
fn export_dir<RT: Runtime>(cx: &Cx<'_, RT>) -> R<std::path::PathBuf> {
    cx.app
        .path()
        .download_dir()
        .or_else(|_| cx.app.path().app_data_dir().map(|d| d.join("exports")))
        .map_err(|e| ClientError::new(ErrorCode::Internal, format!("No folder to save the export in ({e}).")))
}

/// Who is in one pane's workspace and not the other's, and where roles differ, each side
/// narrowed to its selected communities; both from the caches.
pub async fn compare<RT: Runtime>(cx: &Cx<'_, RT>, a: args::compare) -> R<Comparison> {
    let (l, r) = (cx.account(&a.left.account).await?, cx.account(&a.right.account).await?);
    report::compare_sides(&l.cache, &a.left, &r.cache, &a.right, Utc::now()).await
}

/// The whole comparison (every person, whatever the dialog's filters), written into a file.
pub async fn compare_export<RT: Runtime>(cx: &Cx<'_, RT>, a: args::compare_export) -> R<ExportResult> {
    let (l, r) = (cx.account(&a.left.account).await?, cx.account(&a.right.account).await?);
    report::export_comparison(&l.cache, &a.left, &r.cache, &a.right, a.format, &export_dir(cx)?, Utc::now()).await
}

/// One page of a workspace's audit log, newest first. The log is not mirrored: it needs the server.
/// Each entry's sentence names what the entry does not (older entries) from the cache.
pub async fn audit<RT: Runtime>(cx: &Cx<'_, RT>, a: args::audit) -> R<Page<AuditEntry>> {
    let account = cx.account(&a.account).await?;
    let mut page = account.api.audit(a.workspace_id, &a.search, a.cursor, 100).await?;
    report::describe_audit(&account.cache, a.workspace_id, &mut page.items).await?;
    Ok(page)
}

/// Soft-deleted workspaces a platform admin may restore.
pub async fn deleted_workspaces<RT: Runtime>(cx: &Cx<'_, RT>, a: args::deleted_workspaces) -> R<Vec<Workspace>> {
    cx.account(&a.account).await?.api.deleted_workspaces().await
}
