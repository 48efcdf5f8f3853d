//! Members, their workspace roles, community role assignments, and custom/restricted roles.

use tenancy::audit::AuditAction;
use super::access::{community_seen, effective, member_seen, scope};
use super::*;
use crate::store::{AssignmentQuery, MemberQuery, StoreError, Within};
use std::collections::BTreeSet;
use tenancy::wire::*;
use tenancy::role::validate_role_definition;
use tenancy::rules::ensure_an_owner_remains;
use tenancy::*;

/// Filters of the members list.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemberFilter {
    /// Part of an email or display name.
    pub q: Option<String>,
    pub role: Option<WorkspaceRole>,
}

#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssignmentFilter {
    pub community_id: Option<CommunityId>,
    pub user_id: Option<UserId>,
}

impl Service {
    pub async fn members(&self, ctx: &Ctx, r: &WorkspaceRef, f: &MemberFilter, p: &PageParams) -> ApiResult<Page<Member>> {
        let mut tx = self.read(ctx).await?;
        let (ws, actor) = scope(&mut *tx, ctx, r).await?;
        let limit = p.limit()?;
        // A member sees themself and the people of the communities whose people they may see.
        let within = Within::people(&actor.sight());
        let q = MemberQuery { search: f.q.clone().filter(|s| !s.trim().is_empty()), role: f.role, contact_of: None, after_email: p.after()?, limit: limit + 1, within };
        let rows = tx.members(ws.id, &q).await?;
        Ok(page(rows, limit, |m| m.email.to_string()))
    }

    pub async fn member(&self, ctx: &Ctx, r: &WorkspaceRef, user: UserId) -> ApiResult<Member> {
        let mut tx = self.read(ctx).await?;
        let (ws, actor) = scope(&mut *tx, ctx, r).await?;
        member_seen(&mut *tx, ws.id, &actor.sight(), user).await
    }

    /// Their permissions as the caller may see them: only what comes from communities whose
    /// people the caller may see.
    pub async fn member_permissions(&self, ctx: &Ctx, r: &WorkspaceRef, user: UserId) -> ApiResult<EffectivePermissions> {
        let mut tx = self.read(ctx).await?;
        let (ws, actor) = scope(&mut *tx, ctx, r).await?;
        let sight = actor.sight();
        let m = member_seen(&mut *tx, ws.id, &sight, user).await?;
        // Their provenance names the MSSP's roles, which client contacts do not read.
        need_roles(&sight)?;
        Ok(sight.permissions_of(user, effective(&mut *tx, ws.id, user, Some(&m)).await?))
    }

    pub async fn change_member_role(&self, ctx: &Ctx, r: &WorkspaceRef, user: UserId, to: WorkspaceRole, if_match: Option<i64>) -> ApiResult<Member> {
        let mut unit = self.unit(ctx).await?;
        let (ws, actor) = scope(&mut *unit.tx, ctx, r).await?;
        unit.tx.lock_workspace(ws.id).await?;
        let before = member_seen(&mut *unit.tx, ws.id, &actor.sight(), user).await?;
        check_version("member", if_match, before.version)?;
        may(&actor, &Action::ChangeWorkspaceRole { target: user, from: before.role, to })?;
        tenancy::rules::keeps_its_kind(before.role, to).map_err(ApiError::validation)?;
        let owners = unit.tx.count_owners(ws.id).await?;
        ensure_an_owner_remains(owners, before.role == WorkspaceRole::Owner, to == WorkspaceRole::Owner)?;
        if to == WorkspaceRole::Owner && before.role != WorkspaceRole::Owner && ws.plan == Plan::Free {
            // Owning a free workspace counts towards the target's allowance, however it happens.
            let target = unit.tx.user(user).await?.ok_or_else(|| ApiError::not_found("member"))?;
            // The target's workspaces need not be the caller's: count them as the target.
            unit.tx.act_for(Some(user)).await?;
            let owned = unit.tx.count_free_workspaces_owned(user).await?;
            unit.tx.act_for(Some(ctx.user.id)).await?;
            tenancy::plan::check_free_workspace_allowance(owned, target.free_limit_lifted)?;
        }
        let mut m = before.clone();
        m.role = to;
        m.version += 1;
        unit.tx.update_member(&m).await?;
        unit.change(Some(ws.id), EntityKind::Member, MemberKey::of(&m), Some(&m), Some(user), None).await?;
        unit.audit(Some(ws.id), AuditAction::MemberRoleChange, user, Some(&before), Some(&m)).await?;
        unit.commit().await?;
        Ok(m)
    }

    /// Removes a member (or lets a member leave), with their community roles.
    pub async fn remove_member(&self, ctx: &Ctx, r: &WorkspaceRef, user: UserId, if_match: Option<i64>) -> ApiResult<()> {
        let mut unit = self.unit(ctx).await?;
        let (ws, actor) = scope(&mut *unit.tx, ctx, r).await?;
        unit.tx.lock_workspace(ws.id).await?;
        let before = member_seen(&mut *unit.tx, ws.id, &actor.sight(), user).await?;
        check_version("member", if_match, before.version)?;
        may(&actor, &Action::RemoveMember { target: user, target_role: before.role })?;
        let owners = unit.tx.count_owners(ws.id).await?;
        ensure_an_owner_remains(owners, before.role == WorkspaceRole::Owner, false)?;
        let assignments = unit.tx.assignments(ws.id, &AssignmentQuery { user_id: Some(user), limit: u32::MAX, ..Default::default() }).await?;
        for a in &assignments {
            unit.tx.delete_assignment(ws.id, a.id).await?;
            unit.change(Some(ws.id), EntityKind::Assignment, a.id, None::<&()>, Some(user), Some(a.community_id)).await?;
        }
        unit.tx.delete_member(ws.id, user).await?;
        unit.change(Some(ws.id), EntityKind::Member, MemberKey::of(&before), None::<&()>, Some(user), None).await?;
        let action = if user == ctx.user.id { AuditAction::MemberLeave } else { AuditAction::MemberRemove };
        unit.audit(Some(ws.id), action, user, Some(&before), NONE).await?;
        unit.commit().await
    }

    pub async fn reset_member_2fa(&self, ctx: &Ctx, r: &WorkspaceRef, user: UserId) -> ApiResult<Member> {
        let mut unit = self.unit(ctx).await?;
        let (ws, actor) = scope(&mut *unit.tx, ctx, r).await?;
        let before = member_seen(&mut *unit.tx, ws.id, &actor.sight(), user).await?;
        let communities: Vec<CommunityId> = unit
            .tx
            .assignments(ws.id, &AssignmentQuery { user_id: Some(user), limit: u32::MAX, ..Default::default() })
            .await?
            .into_iter()
            .map(|a| a.community_id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        may(&actor, &Action::ResetTwoFactor { target: user, target_role: before.role, target_communities: &communities })?;
        let mut target = unit.tx.user(user).await?.ok_or_else(|| ApiError::not_found("member"))?;
        if !target.totp_enabled && target.totp_secret.is_none() {
            return Err(ApiError::conflict(format!("{} has no two-factor authentication to reset.", target.email)));
        }
        target.totp_enabled = false;
        target.totp_secret = None;
        unit.tx.update_user(&target).await?;
        self.fan_out_member_changes(&mut unit, &target).await?;
        let after = unit.tx.member(ws.id, user).await?.ok_or_else(ApiError::internal)?;
        unit.audit(Some(ws.id), AuditAction::MemberResetTwoFactor, user, Some(&before), Some(&after)).await?;
        unit.commit().await?;
        Ok(after)
    }

    // ---------- role assignments ----------

    pub async fn assignments(&self, ctx: &Ctx, r: &WorkspaceRef, f: &AssignmentFilter, p: &PageParams) -> ApiResult<Page<RoleAssignment>> {
        let mut tx = self.read(ctx).await?;
        let (ws, actor) = scope(&mut *tx, ctx, r).await?;
        let limit = p.limit()?;
        let after_id = p
            .after()?
            .map(|a| a.parse::<AssignmentId>().map_err(|_| ApiError::new(ProblemKind::InvalidCursor, "The cursor is not valid; omit it to start over.")))
            .transpose()?;
        // Their own, and those in communities whose people the caller may see.
        let within = Within::people(&actor.sight());
        let q = AssignmentQuery { community_id: f.community_id, user_id: f.user_id, after_id, limit: limit + 1, within };
        let rows = tx.assignments(ws.id, &q).await?;
        Ok(page(rows, limit, |a| a.id.to_string()))
    }

    /// Gives a member several community roles at once: all of them, or none. With `replace`,
    /// their other roles in those communities go in the same change.
    pub async fn assign_roles(&self, ctx: &Ctx, r: &WorkspaceRef, user: UserId, req: AssignRoles) -> ApiResult<Vec<RoleAssignment>> {
        if req.assignments.is_empty() {
            return Err(ApiError::validation("No assignments given; send at least one {community_id, role_id}."));
        }
        let mut unit = self.unit(ctx).await?;
        let (ws, actor) = scope(&mut *unit.tx, ctx, r).await?;
        let sight = actor.sight();
        let target = member_seen(&mut *unit.tx, ws.id, &sight, user).await?;
        tenancy::rules::holds_roles(target.role).map_err(|m| ApiError::conflict(m))?;
        let existing = unit.tx.assignments(ws.id, &AssignmentQuery { user_id: Some(user), limit: u32::MAX, ..Default::default() }).await?;
        let mut made = Vec::new();
        let mut removed = Vec::new();
        if req.replace == Some(true) {
            let wanted: std::collections::BTreeSet<(CommunityId, RoleId)> = req.assignments.iter().map(|s| (s.community_id, s.role_id)).collect();
            let communities: std::collections::BTreeSet<CommunityId> = wanted.iter().map(|(c, _)| *c).collect();
            for a in existing.iter().filter(|a| communities.contains(&a.community_id) && !wanted.contains(&(a.community_id, a.role_id))) {
                community_seen(&mut *unit.tx, ws.id, &sight, a.community_id).await?;
                may(&actor, &Action::UnassignRole { community: a.community_id })?;
                unit.tx.delete_assignment(ws.id, a.id).await?;
                unit.change(Some(ws.id), EntityKind::Assignment, a.id, None::<&()>, Some(user), Some(a.community_id)).await?;
                removed.push(a.clone());
            }
        }
        for spec in &req.assignments {
            community_seen(&mut *unit.tx, ws.id, &sight, spec.community_id).await?;
            let role = unit.tx.role(ws.id, spec.role_id).await?.ok_or_else(|| ApiError::not_found("role"))?;
            may(&actor, &Action::AssignRole { community: spec.community_id, role: &RoleGrant::from(&role) })?;
            let same = existing.iter().find(|a| a.community_id == spec.community_id && a.role_id == spec.role_id);
            match same {
                Some(a) if a.assignment_type == spec.assignment_type => continue,
                Some(a) => {
                    // A new assignment type replaces the old assignment.
                    unit.tx.delete_assignment(ws.id, a.id).await?;
                    unit.change(Some(ws.id), EntityKind::Assignment, a.id, None::<&()>, Some(user), Some(a.community_id)).await?;
                }
                None => {}
            }
            if made.iter().any(|m: &RoleAssignment| m.community_id == spec.community_id && m.role_id == spec.role_id) {
                continue;
            }
            let a = RoleAssignment {
                id: AssignmentId::new(),
                workspace_id: ws.id,
                community_id: spec.community_id,
                user_id: user,
                role_id: spec.role_id,
                assignment_type: spec.assignment_type,
                created_at: ctx.now,
            };
            unit.tx.insert_assignment(&a).await?;
            unit.change(Some(ws.id), EntityKind::Assignment, a.id, Some(&a), Some(user), Some(a.community_id)).await?;
            made.push(a);
        }
        let before = (!removed.is_empty()).then_some(&removed);
        unit.audit(Some(ws.id), AuditAction::MemberAssignRoles, user, before, Some(&made)).await?;
        unit.commit().await?;
        Ok(made)
    }

    pub async fn unassign_role(&self, ctx: &Ctx, r: &WorkspaceRef, id: AssignmentId) -> ApiResult<()> {
        let mut unit = self.unit(ctx).await?;
        let (ws, actor) = scope(&mut *unit.tx, ctx, r).await?;
        let sight = actor.sight();
        let a = unit
            .tx
            .assignment(ws.id, id)
            .await?
            .filter(|a| sight.sees_community(a.community_id) && sight.sees_assignment(a.community_id, a.user_id))
            .ok_or_else(|| ApiError::not_found("role assignment"))?;
        may(&actor, &Action::UnassignRole { community: a.community_id })?;
        unit.tx.delete_assignment(ws.id, id).await?;
        unit.change(Some(ws.id), EntityKind::Assignment, a.id, None::<&()>, Some(a.user_id), Some(a.community_id)).await?;
        unit.audit(Some(ws.id), AuditAction::MemberUnassignRole, a.id, Some(&a), NONE).await?;
        unit.commit().await
    }

    // ---------- roles ----------

    pub async fn roles(&self, ctx: &Ctx, r: &WorkspaceRef, p: &PageParams) -> ApiResult<Page<Role>> {
        let mut tx = self.read(ctx).await?;
        let (ws, actor) = scope(&mut *tx, ctx, r).await?;
        need_roles(&actor.sight())?;
        let mut roles = tx.roles(ws.id).await?;
        roles.sort_by_key(|r| r.id);
        page_in_memory(roles, p, |r| r.id.to_string())
    }

    pub async fn role(&self, ctx: &Ctx, r: &WorkspaceRef, id: RoleId) -> ApiResult<Role> {
        let mut tx = self.read(ctx).await?;
        let (ws, actor) = scope(&mut *tx, ctx, r).await?;
        need_roles(&actor.sight())?;
        tx.role(ws.id, id).await?.ok_or_else(|| ApiError::not_found("role"))
    }

    async fn check_role_definition(unit: &mut Unit, ws: WorkspaceId, sight: &Sight, role: &Role) -> ApiResult<()> {
        let perms: BTreeSet<_> = role.permissions.iter().copied().collect();
        let intakes: BTreeSet<_> = role.intake_scope.iter().copied().collect();
        validate_role_definition(role.kind, &perms, &intakes).map_err(|e| ApiError::validation(e.to_string()))?;
        for i in &intakes {
            // An intake the caller may not see is, for them, one that does not exist.
            if !unit.tx.intake(ws, *i).await?.is_some_and(|x| sight.sees_intake(x.community_id, Data::Intakes, x.id)) {
                return Err(ApiError::validation(format!("Intake {i} does not exist in this workspace; pick intakes from the community's intake list.")));
            }
        }
        Ok(())
    }

    /// Widening a role widens it wherever it is already held (assignments, live API keys): that
    /// is granting, so the caller must be allowed to give the new role in each such community.
    async fn check_widening(unit: &mut Unit, ws: WorkspaceId, actor: &Actor, before: &Role, after: &Role) -> ApiResult<()> {
        let (old, new) = (RoleGrant::from(before), RoleGrant::from(after));
        let widened = !new.permissions.is_subset(&old.permissions) || !old.scope().covers(&new.scope());
        if !widened || actor.is_owner() {
            return Ok(());
        }
        for c in unit.tx.communities_using_role(ws, after.id).await? {
            let Err(denied) = may(actor, &Action::AssignRole { community: c, role: &new }) else { continue };
            // A community the caller cannot see is not named.
            let where_ = match unit.tx.community(ws, c).await?.filter(|x| actor.sight().sees_community(x.id)) {
                Some(x) => format!("community {}", x.slug),
                None => "a community you cannot see".to_owned(),
            };
            return Err(ApiError::new(
                ProblemKind::Forbidden,
                format!("\"{}\" is in use in {where_}, where you may not grant what the change adds. {}", before.name, denied.message),
            ));
        }
        Ok(())
    }

    fn name_taken(name: &Name) -> ApiError {
        ApiError::conflict(format!("A role named \"{name}\" already exists in this workspace; choose another name."))
    }

    pub async fn create_role(&self, ctx: &Ctx, r: &WorkspaceRef, req: CreateRole) -> ApiResult<Role> {
        let mut unit = self.unit(ctx).await?;
        let (ws, actor) = scope(&mut *unit.tx, ctx, r).await?;
        let mut permissions = req.permissions;
        permissions.sort();
        permissions.dedup();
        let mut intake_scope = req.intake_scope;
        intake_scope.sort();
        intake_scope.dedup();
        let role = Role {
            id: RoleId::new(),
            workspace_id: ws.id,
            name: req.name,
            kind: req.kind,
            builtin: None,
            description: req.description,
            permissions,
            intake_scope,
            created_at: ctx.now,
            version: 1,
        };
        Self::check_role_definition(&mut unit, ws.id, &actor.sight(), &role).await?;
        may(&actor, &Action::ManageRole { role: &RoleGrant::from(&role) })?;
        unit.tx.insert_role(&role).await.map_err(|e| match e {
            StoreError::Unique(_) => Self::name_taken(&role.name),
            e => e.into(),
        })?;
        unit.change(Some(ws.id), EntityKind::Role, role.id, Some(&role), None, None).await?;
        unit.audit(Some(ws.id), AuditAction::RoleCreate, role.id, NONE, Some(&role)).await?;
        unit.commit().await?;
        Ok(role)
    }

    pub async fn update_role(&self, ctx: &Ctx, r: &WorkspaceRef, id: RoleId, req: UpdateRole, if_match: Option<i64>) -> ApiResult<Role> {
        let mut unit = self.unit(ctx).await?;
        let (ws, actor) = scope(&mut *unit.tx, ctx, r).await?;
        let before = unit.tx.role(ws.id, id).await?.ok_or_else(|| ApiError::not_found("role"))?;
        check_version("role", if_match, before.version)?;
        if before.kind == RoleKind::Builtin {
            return Err(ApiError::conflict(format!("{} is a built-in role and cannot be changed. Create a custom role instead.", before.name)));
        }
        let mut role = before.clone();
        if let Some(n) = req.name {
            role.name = n;
        }
        if let Some(d) = req.description {
            role.description = d;
        }
        if let Some(mut p) = req.permissions {
            p.sort();
            p.dedup();
            role.permissions = p;
        }
        if let Some(mut i) = req.intake_scope {
            i.sort();
            i.dedup();
            role.intake_scope = i;
        }
        role.version += 1;
        Self::check_role_definition(&mut unit, ws.id, &actor.sight(), &role).await?;
        may(&actor, &Action::ManageRole { role: &RoleGrant::from(&before) })?;
        may(&actor, &Action::ManageRole { role: &RoleGrant::from(&role) })?;
        Self::check_widening(&mut unit, ws.id, &actor, &before, &role).await?;
        unit.tx.update_role(&role).await.map_err(|e| match e {
            StoreError::Unique(_) => Self::name_taken(&role.name),
            e => e.into(),
        })?;
        unit.change(Some(ws.id), EntityKind::Role, role.id, Some(&role), None, None).await?;
        unit.audit(Some(ws.id), AuditAction::RoleUpdate, role.id, Some(&before), Some(&role)).await?;
        unit.commit().await?;
        Ok(role)
    }

    pub async fn delete_role(&self, ctx: &Ctx, r: &WorkspaceRef, id: RoleId, if_match: Option<i64>) -> ApiResult<()> {
        let mut unit = self.unit(ctx).await?;
        let (ws, actor) = scope(&mut *unit.tx, ctx, r).await?;
        let before = unit.tx.role(ws.id, id).await?.ok_or_else(|| ApiError::not_found("role"))?;
        check_version("role", if_match, before.version)?;
        if before.kind == RoleKind::Builtin {
            return Err(ApiError::conflict(format!("{} is a built-in role and cannot be deleted.", before.name)));
        }
        may(&actor, &Action::ManageRole { role: &RoleGrant::from(&before) })?;
        let uses = unit.tx.count_role_uses(ws.id, id).await?;
        if uses > 0 {
            return Err(ApiError::conflict(format!(
                "\"{}\" is still held by {uses} role assignments or API keys. Remove those first, then delete the role.",
                before.name
            )));
        }
        unit.tx.delete_role(ws.id, id).await?;
        unit.change(Some(ws.id), EntityKind::Role, id, None::<&()>, None, None).await?;
        unit.audit(Some(ws.id), AuditAction::RoleDelete, id, Some(&before), NONE).await?;
        unit.commit().await
    }
}

/// 403 for client contacts, who do not read the MSSP's role definitions.
fn need_roles(sight: &Sight) -> ApiResult<()> {
    if sight.reads_roles() {
        Ok(())
    } else {
        Err(ApiError::new(ProblemKind::Forbidden, "Role definitions are the MSSP's own; a client contact reads their community through its portal."))
    }
}
