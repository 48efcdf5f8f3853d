//! Workspaces and communities: create with seeded defaults, rename, plan, soft delete.

use tenancy::audit::AuditAction;
use super::access::{community_seen, need_platform_admin, resolve, scope};
use super::*;
use crate::store::{AssignmentQuery, MemberQuery, StoreError};
use tenancy::wire::*;
use tenancy::plan::{check_free_workspace_allowance, check_usage};
use tenancy::rules::confirm_deletion;
use tenancy::*;

pub(crate) fn slug_taken(slug: &Slug) -> ApiError {
    ApiError::new(
        ProblemKind::SlugTaken,
        format!("Slug \"{slug}\" is already taken — slugs are unique across the whole instance. Prefix it with your organisation (acme-{slug} rather than {slug})."),
    )
}

fn community_slug_taken(slug: &Slug) -> ApiError {
    ApiError::new(
        ProblemKind::SlugTaken,
        tenancy::slug::community_slug_taken(slug.as_str(), &format!("{slug}-2")),
    )
}

fn builtin_role(ws: WorkspaceId, b: BuiltinRole, now: DateTime<Utc>) -> Role {
    Role {
        id: RoleId::new(),
        workspace_id: ws,
        name: Name::parse(b.name()).expect("built-in names are valid"),
        kind: RoleKind::Builtin,
        builtin: Some(b),
        description: b.description().to_owned(),
        permissions: b.permissions().to_vec(),
        intake_scope: vec![],
        created_at: now,
        version: 1,
    }
}

impl Service {
    pub async fn create_workspace(&self, ctx: &Ctx, req: CreateWorkspace) -> ApiResult<Workspace> {
        let plan = req.plan.unwrap_or(Plan::Free);
        if !plan.self_serve() && !ctx.user.platform_admin {
            return Err(ApiError::new(ProblemKind::Forbidden, "Enterprise plans are provisioned by a platform admin. Create the workspace on another plan, then ask your platform admin to upgrade it."));
        }
        let mut unit = self.unit(ctx).await?;
        let user = unit.tx.user(ctx.user.id).await?.ok_or_else(ApiError::internal)?;
        if plan == Plan::Free {
            let owned = unit.tx.count_free_workspaces_owned(user.id).await?;
            check_free_workspace_allowance(owned, user.free_limit_lifted)?;
        }
        if unit.tx.workspace_by_slug(req.slug.as_str()).await?.is_some() {
            return Err(slug_taken(&req.slug));
        }
        let ws = Workspace {
            id: WorkspaceId::new(),
            slug: req.slug.clone(),
            name: req.name.clone(),
            plan,
            limits: plan.limits(),
            security: SecurityPolicy::default(),
            created_at: ctx.now,
            deleted_at: None,
            version: 1,
        };
        unit.tx.insert_workspace(&ws, user.id).await.map_err(|e| match e {
            StoreError::Unique(_) => slug_taken(&req.slug),
            e => e.into(),
        })?;
        unit.change(Some(ws.id), EntityKind::Workspace, ws.id, Some(&ws), None, None).await?;
        for b in BuiltinRole::ALL {
            let role = builtin_role(ws.id, b, ctx.now);
            unit.tx.insert_role(&role).await?;
            unit.change(Some(ws.id), EntityKind::Role, role.id, Some(&role), None, None).await?;
        }
        let first = req.first_community.unwrap_or_else(|| CreateCommunity {
            name: ws.name.clone(),
            slug: ws.slug.clone(),
            timezone: Timezone::parse("UTC").expect("UTC"),
            contact_email: Some(user.email.clone()),
            region: Region::EuWest,
            copy_roles_from: None,
        });
        if first.copy_roles_from.is_some() {
            return Err(ApiError::validation("A new workspace's first community cannot copy roles: there is no other community yet. Leave copy_roles_from out."));
        }
        plan.check_region(first.region)?;
        let community = Community {
            id: CommunityId::new(),
            workspace_id: ws.id,
            slug: first.slug,
            name: first.name,
            settings: Some(CommunitySettings { timezone: first.timezone, contact_email: first.contact_email, region: first.region, portal: Portal::default() }),
            created_at: ctx.now,
            version: 1,
        };
        unit.tx.insert_community(&community).await?;
        unit.change(Some(ws.id), EntityKind::Community, community.id, Some(&community), None, Some(community.id)).await?;
        let owner = Member {
            workspace_id: ws.id,
            user_id: user.id,
            email: user.email.clone(),
            display_name: user.display_name.clone(),
            two_factor_enabled: user.totp_enabled,
            role: WorkspaceRole::Owner,
            contact_of: None,
            joined_at: ctx.now,
            version: 1,
        };
        unit.tx.insert_member(&owner).await?;
        unit.change(Some(ws.id), EntityKind::Member, MemberKey::of(&owner), Some(&owner), Some(user.id), None).await?;
        unit.audit(Some(ws.id), AuditAction::WorkspaceCreate, ws.id, NONE, Some(&ws)).await?;
        unit.commit().await?;
        Ok(ws)
    }

    pub async fn list_workspaces(&self, ctx: &Ctx, p: &PageParams) -> ApiResult<Page<Membership>> {
        let mut tx = self.read(ctx).await?;
        let all = tx.memberships(ctx.user.id).await?.into_iter().map(|(workspace, role)| Membership { workspace, role }).collect();
        page_in_memory(all, p, |m| m.workspace.slug.to_string())
    }

    pub async fn workspace(&self, ctx: &Ctx, r: &WorkspaceRef) -> ApiResult<Workspace> {
        let mut tx = self.read(ctx).await?;
        Ok(scope(&mut *tx, ctx, r).await?.0)
    }

    pub async fn update_workspace(&self, ctx: &Ctx, r: &WorkspaceRef, req: UpdateWorkspace, if_match: Option<i64>) -> ApiResult<Workspace> {
        let mut unit = self.unit(ctx).await?;
        let (before, actor) = scope(&mut *unit.tx, ctx, r).await?;
        check_version("workspace", if_match, before.version)?;
        if req.name.is_none() && req.security.is_none() {
            return Err(ApiError::validation("Nothing to change; send a new name or security policy."));
        }
        let mut ws = before.clone();
        if let Some(name) = req.name {
            may(&actor, &Action::RenameWorkspace)?;
            ws.name = name;
        }
        if let Some(sec) = req.security {
            may(&actor, &Action::UpdateSecurityPolicy)?;
            if !(5..=43_200).contains(&sec.session_lifetime_minutes) || !(1..=3650).contains(&sec.inactive_account_days) {
                return Err(ApiError::validation("Session lifetime must be 5 minutes to 30 days and inactive-account days 1 to 3650."));
            }
            ws.security = sec;
        }
        ws.version += 1;
        unit.tx.update_workspace(&ws).await?;
        unit.change(Some(ws.id), EntityKind::Workspace, ws.id, Some(&ws), None, None).await?;
        unit.audit(Some(ws.id), AuditAction::WorkspaceUpdate, ws.id, Some(&before), Some(&ws)).await?;
        unit.commit().await?;
        Ok(ws)
    }

    /// Checks and applies a plan change; shared by owners and platform admins.
    async fn apply_plan(&self, unit: &mut Unit, before: Workspace, plan: Plan, owner: Option<&UserRecord>) -> ApiResult<Workspace> {
        let usage = unit.tx.usage(before.id, unit.now).await?;
        check_usage(plan, usage.members + usage.pending_invitations, usage.communities)?;
        // Every community's data must be where the new plan may keep it.
        if plan.regions().others_need.is_some() {
            for c in unit.tx.communities(before.id, None, None, u32::MAX).await? {
                let region = c.settings.as_ref().ok_or_else(ApiError::internal)?.region;
                plan.check_region(region).map_err(|e| ApiError::new(ProblemKind::PlanLimit, format!("{} is in {region}. {e}", c.name)))?;
            }
        }
        if let (Plan::Free, Some(owner)) = (plan, owner) {
            if before.plan != Plan::Free {
                let owned = unit.tx.count_free_workspaces_owned(owner.id).await?;
                check_free_workspace_allowance(owned, owner.free_limit_lifted)?;
            }
        }
        let mut ws = before.clone();
        ws.plan = plan;
        ws.limits = plan.limits();
        ws.version += 1;
        unit.tx.update_workspace(&ws).await?;
        unit.change(Some(ws.id), EntityKind::Workspace, ws.id, Some(&ws), None, None).await?;
        unit.audit(Some(ws.id), AuditAction::WorkspacePlanChange, ws.id, Some(&before), Some(&ws)).await?;
        Ok(ws)
    }

    pub async fn change_plan(&self, ctx: &Ctx, r: &WorkspaceRef, plan: Plan, if_match: Option<i64>) -> ApiResult<Workspace> {
        let mut unit = self.unit(ctx).await?;
        let (before, actor) = scope(&mut *unit.tx, ctx, r).await?;
        check_version("workspace", if_match, before.version)?;
        may(&actor, &Action::ChangePlan { to: plan })?;
        let ws = self.apply_plan(&mut unit, before, plan, Some(&ctx.user)).await?;
        unit.commit().await?;
        Ok(ws)
    }

    pub async fn admin_change_plan(&self, ctx: &Ctx, r: &WorkspaceRef, plan: Plan) -> ApiResult<Workspace> {
        need_platform_admin(ctx)?;
        let mut unit = self.write_instance(&ctx.request_id, Some(ctx.user.id), ctx.now).await?;
        let before = resolve(&mut *unit.tx, r).await?.ok_or_else(|| ApiError::not_found("workspace"))?;
        let ws = self.apply_plan(&mut unit, before, plan, None).await?;
        unit.commit().await?;
        Ok(ws)
    }

    pub async fn delete_workspace(&self, ctx: &Ctx, r: &WorkspaceRef, confirm: &str, if_match: Option<i64>) -> ApiResult<Workspace> {
        let mut unit = self.unit(ctx).await?;
        let (before, actor) = scope(&mut *unit.tx, ctx, r).await?;
        check_version("workspace", if_match, before.version)?;
        may(&actor, &Action::DeleteWorkspace)?;
        confirm_deletion(before.slug.as_str(), confirm).map_err(|m| ApiError::new(ProblemKind::ConfirmationMismatch, m))?;
        let mut ws = before.clone();
        ws.deleted_at = Some(ctx.now);
        ws.version += 1;
        unit.tx.update_workspace(&ws).await?;
        unit.change(Some(ws.id), EntityKind::Workspace, ws.id, Some(&ws), None, None).await?;
        unit.audit(Some(ws.id), AuditAction::WorkspaceDelete, ws.id, Some(&before), Some(&ws)).await?;
        unit.commit().await?;
        Ok(ws)
    }

    pub async fn restore_workspace(&self, ctx: &Ctx, r: &WorkspaceRef) -> ApiResult<Workspace> {
        let actor = Actor { user_id: ctx.user.id, platform_admin: ctx.user.platform_admin, workspace_role: None, permissions: Default::default() };
        may(&actor, &Action::RestoreWorkspace)?;
        let mut unit = self.write_instance(&ctx.request_id, Some(ctx.user.id), ctx.now).await?;
        let before = resolve(&mut *unit.tx, r).await?.ok_or_else(|| ApiError::not_found("workspace"))?;
        if before.deleted_at.is_none() {
            return Err(ApiError::conflict("This workspace is not deleted; there is nothing to restore."));
        }
        let mut ws = before.clone();
        ws.deleted_at = None;
        ws.version += 1;
        unit.tx.update_workspace(&ws).await?;
        unit.change(Some(ws.id), EntityKind::Workspace, ws.id, Some(&ws), None, None).await?;
        unit.audit(Some(ws.id), AuditAction::WorkspaceRestore, ws.id, Some(&before), Some(&ws)).await?;
        unit.commit().await?;
        Ok(ws)
    }

    pub async fn usage(&self, ctx: &Ctx, r: &WorkspaceRef) -> ApiResult<WorkspaceUsage> {
        let mut tx = self.read(ctx).await?;
        let (ws, actor) = scope(&mut *tx, ctx, r).await?;
        may(&actor, &Action::ReadUsage)?;
        let u = tx.usage(ws.id, ctx.now).await?;
        Ok(WorkspaceUsage {
            plan: ws.plan,
            limits: ws.limits,
            members: u.members,
            pending_invitations: u.pending_invitations,
            client_contacts: u.client_contacts,
            communities: u.communities,
            api_keys: u.api_keys,
        })
    }

    // ---------- communities ----------

    /// A new community, with the role assignments of `copy_roles_from` when given (all of them
    /// or no community: one transaction, one audit entry).
    pub async fn create_community(&self, ctx: &Ctx, r: &WorkspaceRef, req: CreateCommunity) -> ApiResult<Community> {
        let mut unit = self.unit(ctx).await?;
        let (ws, actor) = scope(&mut *unit.tx, ctx, r).await?;
        may(&actor, &Action::CreateCommunity)?;
        let usage = unit.tx.usage(ws.id, ctx.now).await?;
        check_usage(ws.plan, usage.members + usage.pending_invitations, usage.communities + 1)?;
        ws.plan.check_region(req.region)?;
        let template = match req.copy_roles_from {
            Some(t) => Some(community_seen(&mut *unit.tx, ws.id, &actor.sight(), t).await.map_err(|_| ApiError::not_found("community to copy roles from"))?),
            None => None,
        };
        let c = Community {
            id: CommunityId::new(),
            workspace_id: ws.id,
            slug: req.slug.clone(),
            name: req.name,
            settings: Some(CommunitySettings { timezone: req.timezone, contact_email: req.contact_email, region: req.region, portal: Portal::default() }),
            created_at: ctx.now,
            version: 1,
        };
        unit.tx.insert_community(&c).await.map_err(|e| match e {
            StoreError::Unique(_) => community_slug_taken(&req.slug),
            e => e.into(),
        })?;
        unit.change(Some(ws.id), EntityKind::Community, c.id, Some(&c), None, Some(c.id)).await?;
        let mut after = serde_json::to_value(&c).expect("serialisable");
        if let Some(t) = &template {
            let held = unit.tx.assignments(ws.id, &AssignmentQuery { community_id: Some(t.id), limit: u32::MAX, ..Default::default() }).await?;
            // Copying hands the template's roles out in the new community: the caller must be
            // allowed to give each of them there, as when assigning one by one.
            let roles: std::collections::HashMap<_, _> = unit.tx.roles(ws.id).await?.into_iter().map(|r| (r.id, RoleGrant::from(&r))).collect();
            let mut checked = std::collections::HashSet::new();
            for a in &held {
                if checked.insert(a.role_id) {
                    let grant = roles.get(&a.role_id).ok_or_else(ApiError::internal)?;
                    may(&actor, &Action::AssignRole { community: c.id, role: grant })?;
                }
            }
            for a in &held {
                let copy = RoleAssignment { id: AssignmentId::new(), community_id: c.id, created_at: ctx.now, ..a.clone() };
                unit.tx.insert_assignment(&copy).await?;
                unit.change(Some(ws.id), EntityKind::Assignment, copy.id, Some(&copy), Some(copy.user_id), Some(copy.community_id)).await?;
            }
            after["copied_roles_from"] = serde_json::json!(t.id);
            after["copied_assignments"] = serde_json::json!(held.len());
        }
        unit.audit(Some(ws.id), AuditAction::CommunityCreate, c.id, NONE, Some(&after)).await?;
        unit.commit().await?;
        Ok(c)
    }

    pub async fn communities(&self, ctx: &Ctx, r: &WorkspaceRef, p: &PageParams) -> ApiResult<Page<Community>> {
        let mut tx = self.read(ctx).await?;
        let (ws, actor) = scope(&mut *tx, ctx, r).await?;
        let sight = actor.sight();
        let limit = p.limit()?;
        // A member lists the communities they hold a role in; the others do not exist for them.
        let only = sight.communities();
        let rows = tx.communities(ws.id, only.as_deref(), p.after()?.as_deref(), limit + 1).await?;
        let rows = rows.into_iter().filter_map(|c| sight.community(c)).collect();
        Ok(page(rows, limit, |c| c.slug.to_string()))
    }

    pub async fn community(&self, ctx: &Ctx, r: &WorkspaceRef, id: CommunityId) -> ApiResult<Community> {
        let mut tx = self.read(ctx).await?;
        let (ws, actor) = scope(&mut *tx, ctx, r).await?;
        community_seen(&mut *tx, ws.id, &actor.sight(), id).await
    }

    pub async fn update_community(&self, ctx: &Ctx, r: &WorkspaceRef, id: CommunityId, req: UpdateCommunity, if_match: Option<i64>) -> ApiResult<Community> {
        let mut unit = self.unit(ctx).await?;
        let (ws, actor) = scope(&mut *unit.tx, ctx, r).await?;
        let before = community_seen(&mut *unit.tx, ws.id, &actor.sight(), id).await?;
        check_version("community", if_match, before.version)?;
        may(&actor, &Action::UpdateCommunity { community: id })?;
        // Whoever may change the settings may read them: `before` is whole.
        let settings = before.settings.clone().ok_or_else(ApiError::internal)?;
        if req.slug.is_some() {
            return Err(ApiError::validation(format!(
                "A community's slug is fixed once it exists (links carry it); {} stays {}. Leave the slug out, or create a new community.",
                before.name, before.slug
            )));
        }
        if let Some(region) = req.region {
            ws.plan.check_region(region)?;
        }
        let mut c = before.clone();
        let mut st = settings;
        if let Some(n) = req.name {
            c.name = n;
        }
        if let Some(t) = req.timezone {
            st.timezone = t;
        }
        if let Some(e) = req.contact_email {
            st.contact_email = e;
        }
        if let Some(reg) = req.region {
            st.region = reg;
        }
        if let Some(portal) = req.portal {
            st.portal = portal;
        }
        let portal_changed = before.settings.as_ref().map(|s| s.portal) != Some(st.portal);
        c.settings = Some(st);
        c.version += 1;
        unit.tx.update_community(&c).await?;
        unit.change(Some(ws.id), EntityKind::Community, c.id, Some(&c), None, Some(c.id)).await?;
        if portal_changed {
            // What the community's client contacts see changed with it: their memberships say
            // so, which is what reaches a contact whose portal was just switched off.
            let q = MemberQuery { contact_of: Some(c.id), limit: u32::MAX, ..Default::default() };
            for mut m in unit.tx.members(ws.id, &q).await? {
                m.version += 1;
                unit.tx.update_member(&m).await?;
                unit.change(Some(ws.id), EntityKind::Member, MemberKey::of(&m), Some(&m), Some(m.user_id), None).await?;
            }
        }
        unit.audit(Some(ws.id), AuditAction::CommunityUpdate, c.id, Some(&before), Some(&c)).await?;
        unit.commit().await?;
        Ok(c)
    }
}
