//! Changes: sent to the server, then the cache pulls the delta before the command answers, so
//! every view shows the change at once.

use super::*;
use tauri::Emitter;

/// The change's result once the cache caught up. A failed sync here does not undo the change;
/// the next sync catches up.
async fn sent<T>(account: &Account, change: impl std::future::Future<Output = R<T>>) -> R<T> {
    let out = change.await?;
    if let Err(e) = account.sync(|_| {}).await {
        tracing::warn!(error = %e, "sync after a change failed");
    }
    Ok(out)
}

fn v(version: Option<Version>) -> Option<i64> {
    version.map(|v| v.0)
}

pub async fn create_workspace<RT: Runtime>(cx: &Cx<'_, RT>, x: args::create_workspace) -> R<Workspace> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.create_workspace(&x.req)).await
}

pub async fn update_workspace<RT: Runtime>(cx: &Cx<'_, RT>, x: args::update_workspace) -> R<Workspace> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.update_workspace(x.workspace_id, &x.req, v(x.version))).await
}

pub async fn change_plan<RT: Runtime>(cx: &Cx<'_, RT>, x: args::change_plan) -> R<Workspace> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.change_plan(x.workspace_id, x.plan, v(x.version))).await
}

pub async fn delete_workspace<RT: Runtime>(cx: &Cx<'_, RT>, x: args::delete_workspace) -> R<Workspace> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.delete_workspace(x.workspace_id, &x.confirm_slug, v(x.version))).await
}

pub async fn restore_workspace<RT: Runtime>(cx: &Cx<'_, RT>, x: args::restore_workspace) -> R<Workspace> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.restore_workspace(x.workspace_id)).await
}

pub async fn create_community<RT: Runtime>(cx: &Cx<'_, RT>, x: args::create_community) -> R<Community> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.create_community(x.workspace_id, &x.req)).await
}

pub async fn update_community<RT: Runtime>(cx: &Cx<'_, RT>, x: args::update_community) -> R<Community> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.update_community(x.workspace_id, x.community_id, &x.req, v(x.version))).await
}

pub async fn invite<RT: Runtime>(cx: &Cx<'_, RT>, x: args::invite) -> R<Invitation> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.invite(x.workspace_id, &x.req)).await
}

pub async fn invite_contact<RT: Runtime>(cx: &Cx<'_, RT>, x: args::invite_contact) -> R<Invitation> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.invite_contact(x.workspace_id, x.community_id, &x.req)).await
}

pub async fn revoke_invitation<RT: Runtime>(cx: &Cx<'_, RT>, x: args::revoke_invitation) -> R<Invitation> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.revoke_invitation(x.workspace_id, x.invitation_id)).await
}

pub async fn accept_invitation<RT: Runtime>(cx: &Cx<'_, RT>, x: args::accept_invitation) -> R<Membership> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.accept_invitation(x.invitation_id)).await
}

pub async fn decline_invitation<RT: Runtime>(cx: &Cx<'_, RT>, x: args::decline_invitation) -> R<Invitation> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.decline_invitation(x.invitation_id)).await
}

pub async fn update_intake<RT: Runtime>(cx: &Cx<'_, RT>, x: args::update_intake) -> R<Intake> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.update_intake(x.workspace_id, x.community_id, x.intake_id, &x.req)).await
}

pub async fn change_member_role<RT: Runtime>(cx: &Cx<'_, RT>, x: args::change_member_role) -> R<Member> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.change_member_role(x.workspace_id, x.user_id, x.role, v(x.version))).await
}

pub async fn remove_member<RT: Runtime>(cx: &Cx<'_, RT>, x: args::remove_member) -> R<()> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.remove_member(x.workspace_id, x.user_id)).await
}

pub async fn reset_2fa<RT: Runtime>(cx: &Cx<'_, RT>, x: args::reset_2fa) -> R<Member> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.reset_2fa(x.workspace_id, x.user_id)).await
}

pub async fn assign_roles<RT: Runtime>(cx: &Cx<'_, RT>, x: args::assign_roles) -> R<Vec<RoleAssignment>> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.assign_roles(x.workspace_id, x.user_id, &x.req)).await
}

pub async fn unassign_role<RT: Runtime>(cx: &Cx<'_, RT>, x: args::unassign_role) -> R<()> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.unassign_role(x.workspace_id, x.assignment_id)).await
}

pub async fn create_role<RT: Runtime>(cx: &Cx<'_, RT>, x: args::create_role) -> R<Role> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.create_role(x.workspace_id, &x.req)).await
}

pub async fn update_role<RT: Runtime>(cx: &Cx<'_, RT>, x: args::update_role) -> R<Role> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.update_role(x.workspace_id, x.role_id, &x.req, v(x.version))).await
}

pub async fn delete_role<RT: Runtime>(cx: &Cx<'_, RT>, x: args::delete_role) -> R<()> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.delete_role(x.workspace_id, x.role_id)).await
}

pub async fn create_api_key<RT: Runtime>(cx: &Cx<'_, RT>, x: args::create_api_key) -> R<CreatedApiKey> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.create_api_key(x.workspace_id, x.community_id, &x.req)).await
}

pub async fn revoke_api_key<RT: Runtime>(cx: &Cx<'_, RT>, x: args::revoke_api_key) -> R<ApiKey> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.revoke_api_key(x.workspace_id, x.community_id, x.api_key_id)).await
}

pub async fn create_intake<RT: Runtime>(cx: &Cx<'_, RT>, x: args::create_intake) -> R<Intake> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.create_intake(x.workspace_id, x.community_id, &x.req)).await
}

pub async fn delete_intake<RT: Runtime>(cx: &Cx<'_, RT>, x: args::delete_intake) -> R<()> {
    let a = cx.account(&x.account).await?;
    sent(&a, a.api.delete_intake(x.workspace_id, x.community_id, x.intake_id)).await
}

/// Many invitations in one command (one sync after them all), one after another, each with its
/// own outcome; `invite-progress` events say how far it has come.
pub async fn invite_many<RT: Runtime>(cx: &Cx<'_, RT>, x: args::invite_many) -> R<Vec<InviteOutcome>> {
    let a = cx.account(&x.account).await?;
    let (account, workspace_id) = (x.account.clone(), x.workspace_id);
    let progress = |done: usize, of: usize| {
        let event = InviteProgressEvent { account: account.clone(), workspace_id, done: done as u32, of: of as u32 };
        let _ = cx.app.emit(INVITE_PROGRESS, event);
    };
    sent(&a, async { Ok(tenancy_client::invites::send(&a.api, x.workspace_id, &x.invitations, progress).await) }).await
}
