//! Who the caller is inside a workspace. Outsiders get 404, never 403, so that a workspace's
//! existence does not leak.

use super::*;
use tenancy::wire::Workspace;
use tenancy::{Actor, EffectivePermissions, RoleGrant, WorkspaceRole};

/// A workspace named in a URL, by id or by slug (deep links carry the slug).
#[derive(Clone, Debug)]
pub struct WorkspaceRef(pub String);

pub(crate) async fn resolve(tx: &mut dyn Tx, r: &WorkspaceRef) -> ApiResult<Option<Workspace>> {
    Ok(match r.0.parse::<WorkspaceId>() {
        Ok(id) => tx.workspace(id).await?,
        Err(_) => tx.workspace_by_slug(&r.0).await?,
    })
}

/// The effective permissions of `user` in `ws`, from their workspace role and assignments.
pub(crate) async fn effective(
    tx: &mut dyn Tx,
    ws: WorkspaceId,
    user: UserId,
    workspace_role: Option<WorkspaceRole>,
) -> ApiResult<EffectivePermissions> {
    let assignments = tx
        .assignments(ws, &crate::store::AssignmentQuery { user_id: Some(user), limit: u32::MAX, ..Default::default() })
        .await?;
    let roles = tx.roles(ws).await?;
    let grants: std::collections::HashMap<_, _> = roles.iter().map(|r| (r.id, RoleGrant::from(r))).collect();
    Ok(EffectivePermissions::union(
        workspace_role,
        assignments.iter().filter_map(|a| grants.get(&a.role_id).map(|g| (a.community_id, g))),
    ))
}

/// The live workspace and the caller as an `Actor` in it; 404 for non-members and deleted
/// workspaces; 403 when the workspace requires 2FA and the caller has not enrolled.
pub(crate) async fn scope(tx: &mut dyn Tx, ctx: &Ctx, r: &WorkspaceRef) -> ApiResult<(Workspace, Actor)> {
    let ws = resolve(tx, r).await?.filter(|w| w.deleted_at.is_none()).ok_or_else(|| ApiError::not_found("workspace"))?;
    let member = tx.member(ws.id, ctx.user.id).await?.ok_or_else(|| ApiError::not_found("workspace"))?;
    // From here on the database, too, confines the transaction to this workspace's rows.
    tx.enter_workspace(ws.id).await?;
    if ws.security.require_2fa && !ctx.user.totp_enabled {
        return Err(ApiError::new(
            ProblemKind::TwoFactorRequired,
            format!("{} requires two-factor authentication. Enrol with POST /v1/me/2fa/enrol and verify a code, then try again.", ws.name),
        ));
    }
    let permissions = effective(tx, ws.id, ctx.user.id, Some(member.role)).await?;
    let actor = Actor {
        user_id: ctx.user.id,
        platform_admin: ctx.user.platform_admin,
        workspace_role: Some(member.role),
        permissions,
    };
    Ok((ws, actor))
}

pub(crate) fn need_platform_admin(ctx: &Ctx) -> ApiResult<()> {
    if ctx.user.platform_admin {
        Ok(())
    } else {
        Err(ApiError::new(ProblemKind::Forbidden, "This is for platform admins of this Tenantry instance. Contact your platform admin."))
    }
}
