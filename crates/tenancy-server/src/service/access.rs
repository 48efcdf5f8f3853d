//! Who the caller is inside a workspace. Outsiders get 404, never 403, so that a workspace's
//! existence does not leak.

use super::*;
use crate::store::Confinement;
use tenancy::wire::{Community, Member, Workspace};
use tenancy::{Actor, EffectivePermissions, RoleGrant};

/// A workspace named in a URL, by id or by slug (deep links carry the slug).
#[derive(Clone, Debug)]
pub struct WorkspaceRef(pub String);

pub(crate) async fn resolve(tx: &mut dyn Tx, r: &WorkspaceRef) -> ApiResult<Option<Workspace>> {
    Ok(match r.0.parse::<WorkspaceId>() {
        Ok(id) => tx.workspace(id).await?,
        Err(_) => tx.workspace_by_slug(&r.0).await?,
    })
}

/// The effective permissions of `user` in `ws`, from their membership `m` (`None`: not a
/// member): a member's workspace role and assignments; a client contact's portal.
pub(crate) async fn effective(tx: &mut dyn Tx, ws: WorkspaceId, user: UserId, m: Option<&Member>) -> ApiResult<EffectivePermissions> {
    if let Some(c) = m.and_then(|m| m.contact_of) {
        let portal = tx.community(ws, c).await?.and_then(|c| c.settings).map(|s| s.portal).unwrap_or_default();
        return Ok(EffectivePermissions::contact(c, portal.enabled, portal.show_team));
    }
    let assignments = tx
        .assignments(ws, &crate::store::AssignmentQuery { user_id: Some(user), limit: u32::MAX, ..Default::default() })
        .await?;
    // The roles are read only to grant what the assignments hold: without any, none is needed.
    let roles = if assignments.is_empty() { Vec::new() } else { tx.roles(ws).await? };
    let grants: std::collections::HashMap<_, _> = roles.iter().map(|r| (r.id, RoleGrant::from(r))).collect();
    Ok(EffectivePermissions::union(
        m.map(|m| m.role),
        assignments.iter().filter_map(|a| grants.get(&a.role_id).map(|g| (a.community_id, g))),
    ))
}

/// The live workspace and the caller as an `Actor` in it; 404 for non-members and deleted
/// workspaces; 403 when the workspace requires 2FA and the caller has not enrolled.
pub(crate) async fn scope(tx: &mut dyn Tx, ctx: &Ctx, r: &WorkspaceRef) -> ApiResult<(Workspace, Actor)> {
    // The workspace and the caller's membership of it in one query.
    let key = match r.0.parse::<WorkspaceId>() {
        Ok(id) => crate::store::WorkspaceKey::Id(id),
        Err(_) => crate::store::WorkspaceKey::Slug(&r.0),
    };
    let (ws, member) = tx.workspace_member(key, ctx.user.id).await?.filter(|(w, _)| w.deleted_at.is_none()).ok_or_else(|| ApiError::not_found("workspace"))?;
    // From here on the database, too, confines the transaction to this workspace's rows.
    tx.enter_workspace(ws.id).await?;
    if ws.security.require_2fa && !ctx.user.totp_enabled {
        return Err(ApiError::new(
            ProblemKind::TwoFactorRequired,
            format!("{} requires two-factor authentication. Enrol with POST /v1/me/2fa/enrol and verify a code, then try again.", ws.name),
        ));
    }
    let permissions = effective(tx, ws.id, ctx.user.id, Some(&member)).await?;
    let actor = Actor {
        user_id: ctx.user.id,
        platform_admin: ctx.user.platform_admin,
        workspace_role: Some(member.role),
        permissions,
    };
    // And to what the caller may see in it.
    tx.confine(&Confinement::of(ws.id, &actor.sight())).await?;
    Ok((ws, actor))
}

/// Community `id` of `ws` as `sight` shows it: 404 when it does not exist for the caller,
/// exactly as when it does not exist at all.
pub(crate) async fn community_seen(tx: &mut dyn Tx, ws: WorkspaceId, sight: &Sight, id: CommunityId) -> ApiResult<Community> {
    tx.community(ws, id).await?.and_then(|c| sight.community(c)).ok_or_else(|| ApiError::not_found("community"))
}

/// 403 unless `sight` may read `d` in `c` (a community the caller sees), saying which
/// permissions would let them.
pub(crate) fn need_read(sight: &Sight, c: &Community, d: Data) -> ApiResult<()> {
    if sight.reads(c.id, d) {
        Ok(())
    } else {
        Err(ApiError::new(ProblemKind::Forbidden, d.refusal(c.name.as_str())))
    }
}

/// The communities `user` holds roles in.
pub(crate) async fn held_by(tx: &mut dyn Tx, ws: WorkspaceId, user: UserId) -> ApiResult<Vec<CommunityId>> {
    let all = tx.assignments(ws, &crate::store::AssignmentQuery { user_id: Some(user), limit: u32::MAX, ..Default::default() }).await?;
    let held: std::collections::BTreeSet<CommunityId> = all.into_iter().map(|a| a.community_id).collect();
    Ok(held.into_iter().collect())
}

/// Member `user` of `ws` as `sight` shows them: 404 when the caller may not see them (they
/// share no community whose people the caller may see), exactly as for a stranger.
pub(crate) async fn member_seen(tx: &mut dyn Tx, ws: WorkspaceId, sight: &Sight, user: UserId) -> ApiResult<Member> {
    let m = tx.member(ws, user).await?.ok_or_else(|| ApiError::not_found("member"))?;
    if sight.is_whole() || sight.me() == Some(user) || sight.sees_person(user, held_by(tx, ws, user).await?) {
        Ok(m)
    } else {
        Err(ApiError::not_found("member"))
    }
}

pub(crate) fn need_platform_admin(ctx: &Ctx) -> ApiResult<()> {
    if ctx.user.platform_admin {
        Ok(())
    } else {
        Err(ApiError::new(ProblemKind::Forbidden, "This is for platform admins of this Tenantry instance. Contact your platform admin."))
    }
}
