//! Community API keys (secret shown once, stored hashed), intakes, and alert volumes.

use tenancy::audit::AuditAction;
use super::access::{community_seen, need_read, scope};
use crate::store::VolumeScope;
use super::*;
use crate::credentials;
use chrono::{Duration, NaiveDate};
use rand::distributions::{Alphanumeric, DistString};
use tenancy::wire::*;
use tenancy::*;

#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayRange {
    /// First day (inclusive); default 89 days before `to`.
    pub from: Option<NaiveDate>,
    /// Last day (inclusive); default today (UTC).
    pub to: Option<NaiveDate>,
}

/// Splits `tnt_<prefix>_<secret>` into its stored prefix (`tnt_<prefix>`).
fn key_prefix(key: &str) -> Option<&str> {
    let rest = key.strip_prefix("tnt_")?;
    let (p, secret) = rest.split_once('_')?;
    (p.len() == 8 && !secret.is_empty()).then(|| &key[..4 + 8])
}

impl Service {
    pub async fn api_keys(&self, ctx: &Ctx, r: &WorkspaceRef, community: CommunityId, p: &PageParams) -> ApiResult<Page<ApiKey>> {
        let mut tx = self.read(ctx).await?;
        let (ws, actor) = scope(&mut *tx, ctx, r).await?;
        let sight = actor.sight();
        let c = community_seen(&mut *tx, ws.id, &sight, community).await?;
        need_read(&sight, &c, Data::ApiKeys)?;
        let limit = p.limit()?;
        let after = p.after()?.map(|a| a.parse::<ApiKeyId>()).transpose().map_err(|_| ApiError::new(ProblemKind::InvalidCursor, "The cursor is not valid; omit it to start over."))?;
        let rows = tx.api_keys(ws.id, community, after, limit + 1).await?;
        Ok(page(rows, limit, |k| k.id.to_string()))
    }

    pub async fn create_api_key(&self, ctx: &Ctx, r: &WorkspaceRef, community: CommunityId, req: CreateApiKey) -> ApiResult<CreatedApiKey> {
        if req.role_ids.is_empty() {
            return Err(ApiError::validation("An API key needs at least one role; pick the roles it should act with."));
        }
        if req.expires_in_days == Some(0) || req.expires_in_days.is_some_and(|d| d > 3650) {
            return Err(ApiError::validation("expires_in_days must be 1 to 3650, or absent for a key that does not expire."));
        }
        let mut unit = self.unit(ctx).await?;
        let (ws, actor) = scope(&mut *unit.tx, ctx, r).await?;
        community_seen(&mut *unit.tx, ws.id, &actor.sight(), community).await?;
        let mut grants = Vec::new();
        for id in &req.role_ids {
            let role = unit.tx.role(ws.id, *id).await?.ok_or_else(|| ApiError::not_found("role"))?;
            grants.push(RoleGrant::from(&role));
        }
        let refs: Vec<_> = grants.iter().collect();
        may(&actor, &Action::ManageApiKeys { community, roles: &refs })?;
        let prefix = format!("tnt_{}", Alphanumeric.sample_string(&mut rand::thread_rng(), 8));
        let secret = format!("{prefix}_{}", Alphanumeric.sample_string(&mut rand::thread_rng(), 40));
        let mut role_ids = req.role_ids.clone();
        role_ids.sort();
        role_ids.dedup();
        let key = ApiKey {
            id: ApiKeyId::new(),
            workspace_id: ws.id,
            community_id: community,
            name: req.name,
            prefix,
            role_ids,
            created_by: ctx.user.id,
            created_at: ctx.now,
            expires_at: req.expires_in_days.map(|d| ctx.now + Duration::days(d as i64)),
            last_used_at: None,
            revoked_at: None,
        };
        unit.tx.insert_api_key(&key, &credentials::token_hash(&secret)).await?;
        unit.change(Some(ws.id), EntityKind::ApiKey, key.id, Some(&key), None, Some(key.community_id)).await?;
        unit.audit(Some(ws.id), AuditAction::ApiKeyCreate, key.id, NONE, Some(&key)).await?;
        unit.commit().await?;
        Ok(CreatedApiKey { key, secret })
    }

    pub async fn revoke_api_key(&self, ctx: &Ctx, r: &WorkspaceRef, community: CommunityId, id: ApiKeyId) -> ApiResult<ApiKey> {
        let mut unit = self.unit(ctx).await?;
        let (ws, actor) = scope(&mut *unit.tx, ctx, r).await?;
        let sight = actor.sight();
        community_seen(&mut *unit.tx, ws.id, &sight, community).await?;
        let before = unit
            .tx
            .api_key(ws.id, id)
            .await?
            .filter(|k| k.community_id == community && sight.reads(community, Data::ApiKeys))
            .ok_or_else(|| ApiError::not_found("API key"))?;
        may(&actor, &Action::ManageApiKeys { community, roles: &[] })?;
        if before.revoked_at.is_some() {
            return Err(ApiError::conflict("This API key is already revoked."));
        }
        let mut key = before.clone();
        key.revoked_at = Some(ctx.now);
        unit.tx.update_api_key(&key).await?;
        unit.change(Some(ws.id), EntityKind::ApiKey, key.id, Some(&key), None, Some(key.community_id)).await?;
        unit.audit(Some(ws.id), AuditAction::ApiKeyRevoke, key.id, Some(&before), Some(&key)).await?;
        unit.commit().await?;
        Ok(key)
    }

    /// What a presented API key may do; records its last use. For services that accept keys.
    pub async fn introspect_api_key(&self, presented: &str) -> ApiResult<ApiKeyIntrospection> {
        let invalid = || ApiError::new(ProblemKind::Unauthenticated, "This API key is unknown, revoked or expired. Create a new key in the community's API keys page.");
        let prefix = key_prefix(presented).ok_or_else(invalid)?;
        let now = super::now();
        let mut tx = self.store.begin_instance(true).await?;
        let (mut key, hash) = tx.api_key_by_prefix(prefix).await?.ok_or_else(invalid)?;
        if hash != credentials::token_hash(presented) || key.revoked_at.is_some() || key.expires_at.is_some_and(|e| e <= now) {
            return Err(invalid());
        }
        let ws = tx.workspace(key.workspace_id).await?.filter(|w| w.deleted_at.is_none()).ok_or_else(invalid)?;
        let mut permissions = std::collections::BTreeSet::new();
        for id in &key.role_ids {
            if let Some(role) = tx.role(ws.id, *id).await? {
                permissions.extend(role.permissions);
            }
        }
        // Last use is bookkeeping, not a tenancy change: no audit entry, no feed entry.
        key.last_used_at = Some(now);
        tx.update_api_key(&key).await?;
        tx.commit().await?;
        Ok(ApiKeyIntrospection { key, permissions: permissions.into_iter().collect() })
    }

    // ---------- intakes ----------

    /// Intake `id` of `community` as the caller sees it: 404 when either is not theirs to see.
    async fn intake_seen(tx: &mut dyn Tx, ws: WorkspaceId, actor: &Actor, community: CommunityId, id: IntakeId) -> ApiResult<Intake> {
        let sight = actor.sight();
        community_seen(tx, ws, &sight, community).await?;
        tx.intake(ws, id)
            .await?
            .filter(|i| i.community_id == community && sight.sees_intake(community, Data::Intakes, i.id))
            .ok_or_else(|| ApiError::not_found("intake"))
    }

    pub async fn intakes(&self, ctx: &Ctx, r: &WorkspaceRef, community: CommunityId, p: &PageParams) -> ApiResult<Page<Intake>> {
        let mut tx = self.read(ctx).await?;
        let (ws, actor) = scope(&mut *tx, ctx, r).await?;
        let sight = actor.sight();
        let c = community_seen(&mut *tx, ws.id, &sight, community).await?;
        need_read(&sight, &c, Data::Intakes)?;
        // A restricted reader sees the intakes of their roles' scope only.
        let mut rows: Vec<Intake> = tx.intakes(ws.id, community).await?.into_iter().filter(|i| sight.sees_intake(community, Data::Intakes, i.id)).collect();
        rows.sort_by_key(|i| i.id);
        page_in_memory(rows, p, |i| i.id.to_string())
    }

    pub async fn create_intake(&self, ctx: &Ctx, r: &WorkspaceRef, community: CommunityId, req: CreateIntake) -> ApiResult<Intake> {
        let mut unit = self.unit(ctx).await?;
        let (ws, actor) = scope(&mut *unit.tx, ctx, r).await?;
        community_seen(&mut *unit.tx, ws.id, &actor.sight(), community).await?;
        may(&actor, &Action::ManageIntakes { community })?;
        let i = Intake { id: IntakeId::new(), workspace_id: ws.id, community_id: community, name: req.name, kind: req.kind, created_at: ctx.now };
        unit.tx.insert_intake(&i).await?;
        unit.change(Some(ws.id), EntityKind::Intake, i.id, Some(&i), None, Some(i.community_id)).await?;
        unit.audit(Some(ws.id), AuditAction::IntakeCreate, i.id, NONE, Some(&i)).await?;
        unit.commit().await?;
        Ok(i)
    }

    pub async fn update_intake(&self, ctx: &Ctx, r: &WorkspaceRef, community: CommunityId, id: IntakeId, req: UpdateIntake) -> ApiResult<Intake> {
        let mut unit = self.unit(ctx).await?;
        let (ws, actor) = scope(&mut *unit.tx, ctx, r).await?;
        let before = Self::intake_seen(&mut *unit.tx, ws.id, &actor, community, id).await?;
        may(&actor, &Action::ManageIntakes { community })?;
        let i = Intake { name: req.name, ..before.clone() };
        unit.tx.update_intake(&i).await?;
        unit.change(Some(ws.id), EntityKind::Intake, i.id, Some(&i), None, Some(i.community_id)).await?;
        unit.audit(Some(ws.id), AuditAction::IntakeUpdate, i.id, Some(&before), Some(&i)).await?;
        unit.commit().await?;
        Ok(i)
    }

    pub async fn delete_intake(&self, ctx: &Ctx, r: &WorkspaceRef, community: CommunityId, id: IntakeId) -> ApiResult<()> {
        let mut unit = self.unit(ctx).await?;
        let (ws, actor) = scope(&mut *unit.tx, ctx, r).await?;
        let before = Self::intake_seen(&mut *unit.tx, ws.id, &actor, community, id).await?;
        may(&actor, &Action::ManageIntakes { community })?;
        let scoped: Vec<_> = unit.tx.roles(ws.id).await?.into_iter().filter(|r| r.intake_scope.contains(&id)).map(|r| r.name.to_string()).collect();
        if !scoped.is_empty() {
            return Err(ApiError::conflict(format!(
                "Restricted roles are scoped to this intake ({}). Remove it from those roles first.",
                scoped.join(", ")
            )));
        }
        unit.tx.delete_intake(ws.id, id).await?;
        unit.change(Some(ws.id), EntityKind::Intake, id, None::<&()>, None, Some(community)).await?;
        unit.audit(Some(ws.id), AuditAction::IntakeDelete, id, Some(&before), NONE).await?;
        unit.commit().await
    }

    /// Daily alert volumes of one community, or of every community of the workspace (`None`),
    /// by community then day: the JSON array of [`AlertVolume`]s.
    pub async fn alert_volumes(&self, ctx: &Ctx, r: &WorkspaceRef, community: Option<CommunityId>, range: &DayRange) -> ApiResult<String> {
        let mut tx = self.read(ctx).await?;
        let (ws, actor) = scope(&mut *tx, ctx, r).await?;
        let sight = actor.sight();
        if let Some(c) = community {
            let c = community_seen(&mut *tx, ws.id, &sight, c).await?;
            need_read(&sight, &c, Data::Alerts)?;
        }
        let to = range.to.unwrap_or_else(|| ctx.now.date_naive());
        let from = range.from.unwrap_or(to - Duration::days(89));
        if from > to || (to - from).num_days() > 3660 {
            return Err(ApiError::validation("from must be on or before to, and the range at most ten years."));
        }
        // Whole communities' totals; for a restricted reader, the sum over their intakes.
        let scope = match (&sight, community) {
            (Sight::Whole, None) => VolumeScope::default(),
            (Sight::Whole, Some(c)) => VolumeScope { whole: Some(vec![c]), narrowed: vec![] },
            (Sight::Confined { communities, .. }, only) => {
                let mut v = VolumeScope { whole: Some(vec![]), narrowed: vec![] };
                for (&c, s) in communities.iter().filter(|(c, _)| only.is_none_or(|o| o == **c)) {
                    match s.reach(Data::Alerts) {
                        Some(IntakeScope::All) => v.whole.get_or_insert_with(Vec::new).push(c),
                        Some(IntakeScope::Only(set)) => v.narrowed.push((c, set.iter().copied().collect())),
                        None => {}
                    }
                }
                v
            }
        };
        Ok(tx.alert_volumes_json(ws.id, &scope, from, to).await?)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn key_prefixes() {
        assert_eq!(super::key_prefix("tnt_abcdefgh_secret"), Some("tnt_abcdefgh"));
        assert_eq!(super::key_prefix("tnt_abc_secret"), None);
        assert_eq!(super::key_prefix("nope"), None);
    }
}
