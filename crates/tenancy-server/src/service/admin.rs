//! Platform-admin work: deleted workspaces, user flags, the purge, instance-level audit.

use tenancy::audit::AuditAction;
use super::access::need_platform_admin;
use super::*;
use chrono::Duration;
use tenancy::wire::*;

pub const PURGE_AFTER_DAYS: i64 = 30;

impl Service {
    pub async fn deleted_workspaces(&self, ctx: &Ctx) -> ApiResult<Vec<Workspace>> {
        need_platform_admin(ctx)?;
        ctx.release();
        Ok(self.read_instance().await?.deleted_workspaces().await?)
    }

    pub async fn admin_update_user(&self, ctx: &Ctx, id: UserId, req: UpdateUserAdmin) -> ApiResult<User> {
        need_platform_admin(ctx)?;
        let mut unit = self.unit(ctx).await?;
        let mut user = unit.tx.user(id).await?.ok_or_else(|| ApiError::not_found("user"))?;
        let before = user.public();
        if let Some(p) = req.platform_admin {
            user.platform_admin = p;
        }
        if let Some(l) = req.free_workspace_limit_lifted {
            user.free_limit_lifted = l;
        }
        unit.tx.update_user(&user).await?;
        unit.audit(None, AuditAction::UserAdminUpdate, id, Some(&before), Some(&serde_json::json!({
            "platform_admin": user.platform_admin, "free_workspace_limit_lifted": user.free_limit_lifted
        }))).await?;
        unit.commit().await?;
        Ok(user.public())
    }

    /// Removes workspaces deleted more than 30 days before `now`, with all they hold.
    pub async fn purge(&self, request_id: &str, actor: Option<UserId>, now: DateTime<Utc>) -> ApiResult<PurgeReport> {
        let mut unit = self.write_instance(request_id, actor, now).await?;
        let due = unit.tx.workspaces_deleted_before(now - Duration::days(PURGE_AFTER_DAYS)).await?;
        if due.is_empty() {
            return Ok(PurgeReport { purged: due }); // nothing changed, nothing to record
        }
        for id in &due {
            let members = unit.tx.members(*id, &crate::store::MemberQuery { limit: u32::MAX, ..Default::default() }).await?;
            unit.tx.purge_workspace(*id).await?;
            // The purge removes the workspace's feed entries; each former member still learns
            // that their membership is gone, so their mirrors drop the workspace.
            for m in members {
                unit.change(Some(*id), EntityKind::Member, MemberKey::of(&m), None::<&()>, Some(m.user_id), None).await?;
            }
        }
        let report = PurgeReport { purged: due };
        unit.audit(None, AuditAction::WorkspacePurge, "purge", NONE, Some(&report)).await?;
        unit.commit().await?;
        Ok(report)
    }

    pub async fn admin_purge(&self, ctx: &Ctx) -> ApiResult<PurgeReport> {
        need_platform_admin(ctx)?;
        ctx.release();
        self.purge(&ctx.request_id, Some(ctx.user.id), ctx.now).await
    }

    pub async fn instance_audit(&self, ctx: &Ctx, p: &PageParams) -> ApiResult<Page<AuditEntry>> {
        need_platform_admin(ctx)?;
        let limit = p.limit()?;
        let before = p.after()?.map(|a| a.parse::<i64>()).transpose().map_err(|_| ApiError::new(ProblemKind::InvalidCursor, "The cursor is not valid; omit it to start over."))?;
        let q = crate::store::AuditQuery { before_id: before, limit: limit + 1, ..Default::default() };
        ctx.release();
        let rows = self.read_instance().await?.audit(None, &q).await?;
        Ok(page(rows, limit, |e| e.id.to_string()))
    }
}
