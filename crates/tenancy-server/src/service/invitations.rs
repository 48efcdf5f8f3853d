//! Invitations: by email, with a workspace role and community roles; 7 days; accepted once.

use tenancy::audit::AuditAction;
use super::access::{community_seen, scope};
use super::*;
use crate::store::InvitationRecord;
use chrono::Duration;
use tenancy::wire::*;
use tenancy::plan::check_usage;
use tenancy::*;

pub const INVITATION_TTL_DAYS: i64 = 7;

impl Service {
    pub async fn invite(&self, ctx: &Ctx, r: &WorkspaceRef, req: CreateInvitation) -> ApiResult<Invitation> {
        let mut unit = self.unit(ctx).await?;
        let (ws, actor) = scope(&mut *unit.tx, ctx, r).await?;
        let sight = actor.sight();
        let mut grants = Vec::new();
        let mut offered_roles = Vec::new();
        for spec in &req.assignments {
            // A community the inviter does not see does not exist for them.
            let community = community_seen(&mut *unit.tx, ws.id, &sight, spec.community_id).await?;
            let role = unit.tx.role(ws.id, spec.role_id).await?.ok_or_else(|| ApiError::not_found("role"))?;
            grants.push((spec.community_id, RoleGrant::from(&role)));
            offered_roles.push(OfferedRole { community: community.name.to_string(), role: role.name.to_string(), assignment_type: spec.assignment_type });
        }
        let roles: Vec<_> = grants.iter().map(|(c, g)| (*c, g)).collect();
        if req.workspace_role.is_client() {
            return Err(ApiError::validation(
                "Client contacts are invited from their community's client portal: POST /v1/workspaces/{workspace}/communities/{community}/contacts.",
            ));
        }
        may(&actor, &Action::Invite { workspace_role: req.workspace_role, roles: &roles })?;
        let usage = unit.tx.usage(ws.id, ctx.now).await?;
        let fresh = Self::fresh_invitee(&mut unit, ctx, ws.id, &req.email).await?;
        check_usage(ws.plan, usage.members + usage.pending_invitations + 1, usage.communities)?;
        let inv = InvitationRecord { workspace_role: req.workspace_role, assignments: req.assignments, offered_roles, ..fresh };
        Self::send(unit, ctx, inv).await
    }

    /// A client contact for `community`, whose client portal must be enabled: read-only there,
    /// nothing elsewhere, not counted against the plan's seats. For the workspace's admins.
    pub async fn invite_contact(&self, ctx: &Ctx, r: &WorkspaceRef, community: CommunityId, req: InviteContact) -> ApiResult<Invitation> {
        let mut unit = self.unit(ctx).await?;
        let (ws, actor) = scope(&mut *unit.tx, ctx, r).await?;
        let c = community_seen(&mut *unit.tx, ws.id, &actor.sight(), community).await?;
        may(&actor, &Action::InviteContact { community })?;
        if !c.settings.as_ref().is_some_and(|s| s.portal.enabled) {
            return Err(ApiError::conflict(format!(
                "The client portal of {} is switched off. Enable it in the community's settings (Client portal), then invite the contact.",
                c.name
            )));
        }
        let fresh = Self::fresh_invitee(&mut unit, ctx, ws.id, &req.email).await?;
        let inv = InvitationRecord { workspace_role: WorkspaceRole::Client, contact_of: Some((c.id, c.name.to_string())), ..fresh };
        Self::send(unit, ctx, inv).await
    }

    /// A new invitation of `email` to `ws`, offering nothing yet; refused when they are a
    /// member already or have a pending invitation there.
    async fn fresh_invitee(unit: &mut Unit, ctx: &Ctx, ws: WorkspaceId, email: &Email) -> ApiResult<InvitationRecord> {
        if let Some(u) = unit.tx.user_by_email(email.as_str()).await? {
            if unit.tx.member(ws, u.id).await?.is_some() {
                return Err(ApiError::conflict(format!("{email} is already a member of this workspace; change their roles instead.")));
            }
        }
        let pending = unit
            .tx
            .invitations_for_email(email)
            .await?
            .into_iter()
            .any(|i| i.workspace_id == ws && i.status(ctx.now) == InvitationStatus::Pending);
        if pending {
            return Err(ApiError::conflict(format!("{email} already has a pending invitation to this workspace. Revoke it first to send a new one.")));
        }
        Ok(InvitationRecord {
            id: InvitationId::new(),
            workspace_id: ws,
            email: email.clone(),
            workspace_role: WorkspaceRole::Member,
            assignments: Vec::new(),
            invited_by: ctx.user.id,
            created_at: ctx.now,
            expires_at: ctx.now + Duration::days(INVITATION_TTL_DAYS),
            accepted_at: None,
            declined_at: None,
            revoked_at: None,
            offered_roles: Vec::new(),
            contact_of: None,
        })
    }

    async fn send(mut unit: Unit, ctx: &Ctx, inv: InvitationRecord) -> ApiResult<Invitation> {
        unit.tx.insert_invitation(&inv).await?;
        let public = inv.public(ctx.now);
        unit.change(Some(inv.workspace_id), EntityKind::Invitation, inv.id, Some(&public), None, inv.community()).await?;
        unit.audit(Some(inv.workspace_id), AuditAction::InvitationCreate, inv.id, NONE, Some(&public)).await?;
        unit.commit().await?;
        Ok(public)
    }

    pub async fn invitations(&self, ctx: &Ctx, r: &WorkspaceRef, p: &PageParams) -> ApiResult<Page<Invitation>> {
        let mut tx = self.read(ctx).await?;
        let (ws, actor) = scope(&mut *tx, ctx, r).await?;
        let sight = actor.sight();
        let limit = p.limit()?;
        let mut after = p.after()?.map(|a| a.parse::<InvitationId>()).transpose().map_err(|_| ApiError::new(ProblemKind::InvalidCursor, "The cursor is not valid; omit it to start over."))?;
        // Each as the caller may see it (narrowed to their communities' offers, or not at
        // all): read on until a page is full or there is nothing more.
        let mut rows: Vec<Invitation> = Vec::new();
        loop {
            let read = tx.invitations(ws.id, after, limit + 1).await?;
            let more = read.len() > limit as usize;
            after = read.last().map(|i| i.id);
            rows.extend(read.into_iter().filter_map(|i| sight.invitation(i.public(ctx.now))));
            if !more || rows.len() > limit as usize {
                break;
            }
        }
        rows.truncate(limit as usize + 1);
        Ok(page(rows, limit, |i: &Invitation| i.id.to_string()))
    }

    fn closed(i: &InvitationRecord, now: DateTime<Utc>) -> ApiError {
        let detail = match i.status(now) {
            InvitationStatus::Accepted => "This invitation was already accepted; it can be used once.".to_owned(),
            InvitationStatus::Declined => "This invitation was declined. Ask an admin of the workspace to invite you again if you changed your mind.".to_owned(),
            InvitationStatus::Revoked => "This invitation was revoked. Ask an admin of the workspace for a new one.".to_owned(),
            InvitationStatus::Expired => format!("This invitation expired on {}. Ask an admin of the workspace to invite you again.", i.expires_at.format("%Y-%m-%d")),
            InvitationStatus::Pending => "This invitation is still pending.".to_owned(),
        };
        ApiError::new(ProblemKind::InvitationClosed, detail)
    }

    pub async fn revoke_invitation(&self, ctx: &Ctx, r: &WorkspaceRef, id: InvitationId) -> ApiResult<Invitation> {
        let mut unit = self.unit(ctx).await?;
        let (ws, actor) = scope(&mut *unit.tx, ctx, r).await?;
        let sight = actor.sight();
        // Their own, or one they see (offering roles in communities whose invitations they read).
        let mut inv = unit
            .tx
            .invitation(id)
            .await?
            .filter(|i| i.workspace_id == ws.id && (i.invited_by == ctx.user.id || sight.invitation(i.public(ctx.now)).is_some()))
            .ok_or_else(|| ApiError::not_found("invitation"))?;
        if inv.invited_by != ctx.user.id {
            may(&actor, &Action::RevokeInvitation)?;
        }
        if inv.status(ctx.now) != InvitationStatus::Pending {
            return Err(Self::closed(&inv, ctx.now));
        }
        let before = inv.public(ctx.now);
        inv.revoked_at = Some(ctx.now);
        unit.tx.update_invitation(&inv).await?;
        let after = inv.public(ctx.now);
        unit.change(Some(ws.id), EntityKind::Invitation, inv.id, Some(&after), None, inv.community()).await?;
        unit.audit(Some(ws.id), AuditAction::InvitationRevoke, inv.id, Some(&before), Some(&after)).await?;
        unit.commit().await?;
        Ok(after)
    }

    /// The pending invitation `id` addressed to the caller, and its workspace (locked): what an
    /// invitee answers. 404 for anyone else's; the reason when it is closed.
    async fn offer_to_answer(unit: &mut Unit, ctx: &Ctx, id: InvitationId) -> ApiResult<(InvitationRecord, Workspace)> {
        let inv = unit.tx.invitation(id).await?.filter(|i| i.email == ctx.user.email).ok_or_else(|| ApiError::not_found("invitation"))?;
        // An invitee is not a member yet: the invitation addressed to them is what lets them in.
        unit.tx.enter_workspace(inv.workspace_id).await?;
        let ws = unit.tx.workspace(inv.workspace_id).await?.filter(|w| w.deleted_at.is_none()).ok_or_else(|| ApiError::not_found("invitation"))?;
        unit.tx.lock_workspace(ws.id).await?;
        // Read again under the lock: a revoke (or another answer) may have committed since the
        // first read, through this process or another.
        let inv = unit.tx.invitation(id).await?.ok_or_else(|| ApiError::not_found("invitation"))?;
        if inv.status(ctx.now) != InvitationStatus::Pending {
            return Err(Self::closed(&inv, ctx.now));
        }
        Ok((inv, ws))
    }

    /// The invited user declines: the invitation closes and frees its seat; nothing else changes.
    pub async fn decline_invitation(&self, ctx: &Ctx, id: InvitationId) -> ApiResult<Invitation> {
        let mut unit = self.unit(ctx).await?;
        let (mut inv, ws) = Self::offer_to_answer(&mut unit, ctx, id).await?;
        let before = inv.public(ctx.now);
        inv.declined_at = Some(ctx.now);
        unit.tx.update_invitation(&inv).await?;
        let after = inv.public(ctx.now);
        unit.change(Some(ws.id), EntityKind::Invitation, inv.id, Some(&after), None, inv.community()).await?;
        unit.audit(Some(ws.id), AuditAction::InvitationDecline, inv.id, Some(&before), Some(&after)).await?;
        unit.commit().await?;
        Ok(after)
    }

    /// The invited user accepts: they become a member with the invitation's roles.
    pub async fn accept_invitation(&self, ctx: &Ctx, id: InvitationId) -> ApiResult<Membership> {
        let mut unit = self.unit(ctx).await?;
        let (mut inv, ws) = Self::offer_to_answer(&mut unit, ctx, id).await?;
        if unit.tx.member(ws.id, ctx.user.id).await?.is_some() {
            return Err(ApiError::conflict("You are already a member of this workspace; ask an admin to change your roles instead."));
        }
        if inv.workspace_role == WorkspaceRole::Owner && ws.plan == Plan::Free {
            // Owning a free workspace counts towards the allowance, however it happens.
            let owned = unit.tx.count_free_workspaces_owned(ctx.user.id).await?;
            tenancy::plan::check_free_workspace_allowance(owned, ctx.user.free_limit_lifted)?;
        }
        inv.accepted_at = Some(ctx.now);
        unit.tx.update_invitation(&inv).await?;
        let public = inv.public(ctx.now);
        unit.change(Some(ws.id), EntityKind::Invitation, inv.id, Some(&public), None, inv.community()).await?;
        let user = unit.tx.user(ctx.user.id).await?.ok_or_else(ApiError::internal)?;
        let m = Member {
            workspace_id: ws.id,
            user_id: user.id,
            email: user.email.clone(),
            display_name: user.display_name.clone(),
            two_factor_enabled: user.totp_enabled,
            role: inv.workspace_role,
            contact_of: inv.contact_of.as_ref().map(|(c, _)| *c),
            joined_at: ctx.now,
            version: 1,
        };
        unit.tx.insert_member(&m).await?;
        unit.change(Some(ws.id), EntityKind::Member, MemberKey::of(&m), Some(&m), Some(user.id), None).await?;
        for spec in &inv.assignments {
            // A community or role removed since the invitation was sent is skipped.
            if unit.tx.community(ws.id, spec.community_id).await?.is_none() || unit.tx.role(ws.id, spec.role_id).await?.is_none() {
                continue;
            }
            let a = RoleAssignment {
                id: AssignmentId::new(),
                workspace_id: ws.id,
                community_id: spec.community_id,
                user_id: user.id,
                role_id: spec.role_id,
                assignment_type: spec.assignment_type,
                created_at: ctx.now,
            };
            unit.tx.insert_assignment(&a).await?;
            unit.change(Some(ws.id), EntityKind::Assignment, a.id, Some(&a), Some(user.id), Some(a.community_id)).await?;
        }
        unit.audit(Some(ws.id), AuditAction::InvitationAccept, inv.id, NONE, Some(&m)).await?;
        unit.commit().await?;
        Ok(Membership { workspace: ws, role: m.role })
    }
}
