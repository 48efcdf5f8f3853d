//! The audit log and the change feed.

use super::access::{effective, scope};
use super::*;
use crate::store::{AssignmentQuery, MemberQuery};
use tenancy::wire::*;
use tenancy::*;

pub const MAX_FEED_BATCH: u32 = 20000;

/// A page of the change feed: a [`ChangeBatch`] whose `changes` are JSON text already (as the
/// database wrote them), so a full sync's 200,000 entities are neither read into rows nor
/// written out again one by one.
pub struct FeedPage {
    /// The JSON array of [`Change`]s.
    pub changes: String,
    pub next_since: i64,
    pub has_more: bool,
    pub latest: i64,
}

impl FeedPage {
    /// The [`ChangeBatch`] JSON.
    pub fn into_json(self) -> String {
        let FeedPage { changes, next_since, has_more, latest } = self;
        format!(r#"{{"changes":{changes},"next_since":{next_since},"has_more":{has_more},"latest":{latest}}}"#)
    }
}

impl Service {
    pub async fn audit_log(&self, ctx: &Ctx, r: &WorkspaceRef, p: &PageParams) -> ApiResult<Page<AuditEntry>> {
        let mut tx = self.read(ctx).await?;
        let (ws, actor) = scope(&mut *tx, ctx, r).await?;
        may(&actor, &Action::ReadAuditLog)?;
        let limit = p.limit()?;
        let before = p.after()?.map(|a| a.parse::<i64>()).transpose().map_err(|_| ApiError::new(ProblemKind::InvalidCursor, "The cursor is not valid; omit it to start over."))?;
        let rows = tx.audit(Some(ws.id), before, limit + 1).await?;
        Ok(page(rows, limit, |e| e.id.to_string()))
    }

    /// Everything visible to the caller since `since`, in sequence order (entities as stored).
    pub async fn changes(&self, ctx: &Ctx, since: i64, limit: Option<u32>) -> ApiResult<FeedPage> {
        let limit = limit.unwrap_or(1000).clamp(1, MAX_FEED_BATCH);
        if since < 0 {
            return Err(ApiError::validation("since must be 0 or a next_since value from an earlier batch."));
        }
        let mut tx = self.read(ctx).await?;
        let floor = tx.feed_floor().await?;
        if since < floor {
            return Err(ApiError::new(
                ProblemKind::CursorTooOld,
                format!("Changes before {floor} are no longer kept. Do a full resync: reload your data, then follow the feed from the latest sequence."),
            ));
        }
        let latest = tx.latest_seq().await?;
        // The page ends at its `limit`-th change when there is one more; otherwise it holds
        // everything up to `latest`, and the caller is up to date.
        let bounds = tx.feed_bounds(ctx.user.id, since, limit).await?;
        let (upto, has_more) = match bounds[..] {
            [last, _] => (last, true),
            _ => (latest.max(since), false),
        };
        let mut keys = KeyReaders::default();
        let mut hidden = Vec::new();
        for c in tx.feed_api_keys(ctx.user.id, since, upto).await? {
            if !keys.may_see(&mut *tx, ctx, &c).await? {
                hidden.push(c.seq);
            }
        }
        let changes = tx.feed_json(ctx.user.id, since, upto, &hidden).await?;
        Ok(FeedPage { changes, next_since: upto, has_more, latest })
    }

    /// The current state of what the change feed shows the caller, as upserts: every entity of
    /// every workspace they are a member of (soft-deleted ones included), or of one of them.
    /// Read in one transaction, so following the feed from `next_since` afterwards misses
    /// nothing. A client rebuilds its mirror from this when its cursor is older than the feed
    /// keeps, and fetches one workspace's state when it joins a workspace whose earlier changes
    /// it never received.
    /// `kind` narrows it to one entity kind (a client whose roles changed reloads only the API
    /// keys it may now list).
    pub async fn snapshot(&self, ctx: &Ctx, workspace: Option<WorkspaceId>, kind: Option<EntityKind>) -> ApiResult<ChangeBatch> {
        let want = |k: EntityKind| kind.is_none_or(|x| x == k);
        let mut tx = self.read(ctx).await?;
        let latest = tx.latest_seq().await?;
        let floor = tx.feed_floor().await?;
        let mine = tx.member_workspaces(ctx.user.id).await?;
        let wanted = match workspace {
            Some(w) if mine.contains(&w) => vec![w],
            Some(_) => return Err(ApiError::not_found("workspace")),
            None => mine,
        };
        let mut changes = Vec::new();
        let mut put = |ws: WorkspaceId, kind: EntityKind, id: String, data: serde_json::Value| {
            changes.push(Change { seq: latest, workspace_id: Some(ws), kind, id, op: ChangeOp::Upsert, data: Some(data), at: ctx.now });
        };
        for w in wanted {
            tx.enter_workspace(w).await?;
            let Some(ws) = tx.workspace(w).await? else { continue };
            if want(EntityKind::Workspace) {
                put(w, EntityKind::Workspace, w.to_string(), to_value(&ws));
            }
            if want(EntityKind::Role) {
                for r in tx.roles(w).await? {
                    put(w, EntityKind::Role, r.id.to_string(), to_value(&r));
                }
            }
            let role = tx.member(w, ctx.user.id).await?.map(|m| m.role);
            let keys_readable = effective(&mut *tx, w, ctx.user.id, role).await?;
            for c in tx.communities(w, None, u32::MAX).await? {
                if want(EntityKind::Intake) {
                    for i in tx.intakes(w, c.id).await? {
                        put(w, EntityKind::Intake, i.id.to_string(), to_value(&i));
                    }
                }
                if want(EntityKind::ApiKey) && keys_readable.holds(Some(c.id), Permission::ApiKeysRead) {
                    for k in tx.api_keys(w, c.id, None, u32::MAX).await? {
                        put(w, EntityKind::ApiKey, k.id.to_string(), to_value(&k));
                    }
                }
                if want(EntityKind::Community) {
                    put(w, EntityKind::Community, c.id.to_string(), to_value(&c));
                }
            }
            if want(EntityKind::Member) {
                for m in tx.members(w, &MemberQuery { limit: u32::MAX, ..Default::default() }).await? {
                    put(w, EntityKind::Member, MemberKey::of(&m).to_string(), to_value(&m));
                }
            }
            if want(EntityKind::Assignment) {
                for a in tx.assignments(w, &AssignmentQuery { limit: u32::MAX, ..Default::default() }).await? {
                    put(w, EntityKind::Assignment, a.id.to_string(), to_value(&a));
                }
            }
            if want(EntityKind::Invitation) {
                for i in tx.invitations(w, None, u32::MAX).await? {
                    put(w, EntityKind::Invitation, i.id.to_string(), to_value(&i.public(ctx.now)));
                }
            }
        }
        // Nothing at or below the floor can be asked for any more.
        Ok(ChangeBatch { changes, next_since: latest.max(floor), has_more: false, latest })
    }
}

/// API keys are listed only to holders of `api_keys.read` in their community; the feed and the
/// snapshot follow the same rule, so a mirror never holds keys its user could not list.
#[derive(Default)]
struct KeyReaders(std::collections::HashMap<WorkspaceId, EffectivePermissions>);

impl KeyReaders {
    async fn may_see(&mut self, tx: &mut dyn crate::store::Tx, ctx: &Ctx, c: &RawChange) -> ApiResult<bool> {
        let (EntityKind::ApiKey, Some(ws), Some(data)) = (c.kind, c.workspace_id, c.data.as_ref()) else { return Ok(true) };
        #[derive(serde::Deserialize)]
        struct Of {
            community_id: Option<CommunityId>,
        }
        let Some(community) = serde_json::from_str::<Of>(data.get()).ok().and_then(|o| o.community_id) else { return Ok(true) };
        if !self.0.contains_key(&ws) {
            let role = tx.member(ws, ctx.user.id).await?.map(|m| m.role);
            self.0.insert(ws, effective(tx, ws, ctx.user.id, role).await?);
        }
        Ok(self.0[&ws].holds(Some(community), Permission::ApiKeysRead))
    }
}

fn to_value<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).expect("serialisable")
}
