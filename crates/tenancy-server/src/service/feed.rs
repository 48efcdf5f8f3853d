//! The audit log and the change feed.

use super::access::{effective, scope};
use super::*;
use crate::store::{AssignmentQuery, CommunityFeed, Confinement, ConfinedFeed, FeedScope, MemberQuery, Within};
use tenancy::wire::*;
use tenancy::*;

pub const MAX_FEED_BATCH: u32 = 20000;

/// A query parameter's value parsed, when it was given (blank counts as not given).
fn given<T: std::str::FromStr>(v: &Option<String>) -> Result<Option<T>, T::Err> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::parse).transpose()
}

/// The store's query for a search, its text parsed (with the known values named when not).
fn audit_query(f: &AuditSearch) -> ApiResult<crate::store::AuditQuery> {
    let action = given::<tenancy::audit::AuditAction>(&f.action).map_err(|_| {
        let known: Vec<&str> = tenancy::audit::AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        ApiError::validation(format!("\"{}\" is not an audit action; use one of {}.", f.action.as_deref().unwrap_or_default(), known.join(", ")))
    })?;
    let target_kind = given::<tenancy::audit::AuditTarget>(&f.target_kind).map_err(ApiError::validation)?;
    if let (Some(from), Some(to)) = (f.from, f.to) {
        if from >= to {
            return Err(ApiError::validation("`from` must be before `to`; swap them, or leave one out."));
        }
    }
    Ok(crate::store::AuditQuery {
        action,
        actor: f.actor_id,
        target_kind,
        target_id: f.target_id.clone().filter(|t| !t.trim().is_empty()),
        community: f.community_id,
        from: f.from,
        to: f.to,
        ..Default::default()
    })
}

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
    /// The audit log: all of it for the workspace's owners and admins; for holders of
    /// community.manage, the entries about their communities.
    pub async fn audit_log(&self, ctx: &Ctx, r: &WorkspaceRef, f: &AuditSearch, p: &PageParams) -> ApiResult<Page<AuditEntry>> {
        let mut tx = self.read(ctx).await?;
        let (ws, actor) = scope(&mut *tx, ctx, r).await?;
        may(&actor, &Action::ReadAuditLog)?;
        let limit = p.limit()?;
        let before = p.after()?.map(|a| a.parse::<i64>()).transpose().map_err(|_| ApiError::new(ProblemKind::InvalidCursor, "The cursor is not valid; omit it to start over."))?;
        let mut q = audit_query(f)?;
        q.only = actor.sight().communities_reading(Data::Audit);
        q.before_id = before;
        q.limit = limit + 1;
        let rows = tx.audit(Some(ws.id), &q).await?;
        Ok(page(rows, limit, |e| e.id.to_string()))
    }

    /// What the caller sees in each workspace they belong to (soft-deleted ones included, as
    /// the feed shows them), with the row-level security context set to it.
    async fn sights(&self, tx: &mut dyn Tx, ctx: &Ctx, only: Option<WorkspaceId>) -> ApiResult<Vec<(WorkspaceId, Sight)>> {
        let mut out = Vec::new();
        let mut confinement = Confinement::default();
        for w in tx.member_workspaces(ctx.user.id).await? {
            if only.is_some_and(|o| o != w) {
                continue;
            }
            let member = tx.member(w, ctx.user.id).await?;
            let perms = effective(tx, w, ctx.user.id, member.as_ref()).await?;
            let sight = Sight::of(ctx.user.id, member.map(|m| m.role), &perms);
            confinement.add(w, &sight);
            out.push((w, sight));
        }
        tx.confine(&confinement).await?;
        Ok(out)
    }

    /// Everything visible to the caller since `since`, in sequence order (entities as stored,
    /// but those the caller sees narrowed: invitations, communities without their settings).
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
        let sights = self.sights(&mut *tx, ctx, None).await?;
        let scope = feed_scope(ctx.user.id, &sights);
        // The page ends at its `limit`-th change when there is one more; otherwise it holds
        // everything up to `latest`, and the caller is up to date.
        let bounds = tx.feed_bounds(&scope, since, limit).await?;
        let (upto, has_more) = match bounds[..] {
            [last, _] => (last, true),
            _ => (latest.max(since), false),
        };
        let by_ws: std::collections::HashMap<WorkspaceId, &Sight> = sights.iter().map(|(w, s)| (*w, s)).collect();
        let mut replaced = Vec::new();
        for c in tx.feed_to_narrow(&scope, since, upto).await? {
            let Some(sight) = c.workspace_id.and_then(|w| by_ws.get(&w)) else { continue };
            replaced.push((c.seq, narrowed(sight, c)?));
        }
        let changes = tx.feed_json(&scope, since, upto, &replaced).await?;
        Ok(FeedPage { changes, next_since: upto, has_more, latest })
    }

    /// The current state of what the change feed shows the caller, as upserts: of every
    /// workspace they are a member of (soft-deleted ones included), or of one of them, or of one
    /// community of it. Read in one transaction, so following the feed from `next_since`
    /// afterwards misses nothing. A client rebuilds its mirror from this when its cursor is
    /// older than the feed keeps, and fetches the state of a workspace it joins or a community
    /// it comes to see, whose earlier changes it never received.
    /// `kind` narrows it to one entity kind.
    pub async fn snapshot(&self, ctx: &Ctx, workspace: Option<WorkspaceId>, community: Option<CommunityId>, kind: Option<EntityKind>) -> ApiResult<ChangeBatch> {
        if community.is_some() && workspace.is_none() {
            return Err(ApiError::validation("A community's snapshot needs its workspace too: give workspace and community."));
        }
        let want = |k: EntityKind| kind.is_none_or(|x| x == k);
        let mut tx = self.read(ctx).await?;
        let latest = tx.latest_seq().await?;
        let floor = tx.feed_floor().await?;
        let sights = self.sights(&mut *tx, ctx, workspace).await?;
        if workspace.is_some() && sights.is_empty() {
            return Err(ApiError::not_found("workspace"));
        }
        let mut changes = Vec::new();
        let mut put = |ws: WorkspaceId, kind: EntityKind, id: String, data: serde_json::Value| {
            changes.push(Change { seq: latest, workspace_id: Some(ws), kind, id, op: ChangeOp::Upsert, data: Some(data), at: ctx.now });
        };
        for (w, sight) in &sights {
            let w = *w;
            tx.enter_workspace(w).await?;
            let Some(ws) = tx.workspace(w).await? else { continue };
            if let Some(c) = community {
                if !sight.sees_community(c) {
                    return Err(ApiError::not_found("community"));
                }
            }
            let whole_workspace = community.is_none();
            if whole_workspace && want(EntityKind::Workspace) {
                put(w, EntityKind::Workspace, w.to_string(), to_value(&ws));
            }
            if whole_workspace && want(EntityKind::Role) && sight.reads_roles() {
                for r in tx.roles(w).await? {
                    put(w, EntityKind::Role, r.id.to_string(), to_value(&r));
                }
            }
            let only: Option<Vec<CommunityId>> = match community {
                Some(c) => Some(vec![c]),
                None => sight.communities(),
            };
            for c in tx.communities(w, only.as_deref(), None, u32::MAX).await? {
                if want(EntityKind::Intake) && sight.reads(c.id, Data::Intakes) {
                    for i in tx.intakes(w, c.id).await?.into_iter().filter(|i| sight.sees_intake(c.id, Data::Intakes, i.id)) {
                        put(w, EntityKind::Intake, i.id.to_string(), to_value(&i));
                    }
                }
                if want(EntityKind::ApiKey) && sight.reads(c.id, Data::ApiKeys) {
                    for k in tx.api_keys(w, c.id, None, u32::MAX).await? {
                        put(w, EntityKind::ApiKey, k.id.to_string(), to_value(&k));
                    }
                }
                if want(EntityKind::Community) {
                    if let Some(seen) = sight.community(c) {
                        put(w, EntityKind::Community, seen.id.to_string(), to_value(&seen));
                    }
                }
            }
            // People: whole sight, all; else themself and the people of the communities (of
            // the one asked for) whose people they may see.
            let within = Within::people(sight).map(|mut p| {
                if let Some(c) = community {
                    p.communities.retain(|x| *x == c);
                }
                p
            });
            if want(EntityKind::Member) {
                let mut q = MemberQuery { limit: u32::MAX, within: within.clone(), ..Default::default() };
                if let (Some(c), None) = (community, &q.within) {
                    // Whole sight, one community: the people holding roles there.
                    q.within = Some(Within { me: ctx.user.id, communities: vec![c] });
                }
                for m in tx.members(w, &q).await? {
                    put(w, EntityKind::Member, MemberKey::of(&m).to_string(), to_value(&m));
                }
            }
            if want(EntityKind::Assignment) {
                let q = AssignmentQuery { community_id: community, limit: u32::MAX, within: within.clone(), ..Default::default() };
                for a in tx.assignments(w, &q).await? {
                    put(w, EntityKind::Assignment, a.id.to_string(), to_value(&a));
                }
            }
            if want(EntityKind::Invitation) {
                for i in tx.invitations(w, None, u32::MAX).await? {
                    let offers_here = community.is_none_or(|c| i.assignments.iter().any(|a| a.community_id == c));
                    if let Some(seen) = sight.invitation(i.public(ctx.now)).filter(|_| offers_here) {
                        put(w, EntityKind::Invitation, seen.id.to_string(), to_value(&seen));
                    }
                }
            }
        }
        // Nothing at or below the floor can be asked for any more.
        Ok(ChangeBatch { changes, next_since: latest.max(floor), has_more: false, latest })
    }
}

/// Where `me`'s feed reads, from what they see in each workspace.
fn feed_scope(me: UserId, sights: &[(WorkspaceId, Sight)]) -> FeedScope {
    let mut scope = FeedScope { me, whole: Vec::new(), confined: Vec::new() };
    for (w, sight) in sights {
        match sight {
            Sight::Whole => scope.whole.push(*w),
            Sight::Confined { communities, .. } => {
                let mut cf = ConfinedFeed {
                    workspace: *w,
                    roles: sight.reads_roles(),
                    communities: Vec::new(),
                    people_of: Vec::new(),
                    invitations: false,
                    settings_hidden: Vec::new(),
                };
                for (&c, s) in communities {
                    let mut kinds = vec![EntityKind::Community];
                    if s.reads(Data::Members) {
                        // (Memberships come by `people_of`: only of the people seen now.)
                        kinds.push(EntityKind::Assignment);
                        cf.people_of.push(c);
                    }
                    if s.reads(Data::ApiKeys) {
                        kinds.push(EntityKind::ApiKey);
                    }
                    let mut intakes = None;
                    match s.reach(Data::Intakes) {
                        Some(IntakeScope::All) => kinds.push(EntityKind::Intake),
                        Some(IntakeScope::Only(set)) => intakes = Some(set.iter().copied().collect()),
                        None => {}
                    }
                    cf.invitations |= s.reads(Data::Invitations);
                    if !s.reads(Data::Settings) {
                        cf.settings_hidden.push(c);
                    }
                    cf.communities.push(CommunityFeed { id: c, kinds, intakes });
                }
                scope.confined.push(cf);
            }
        }
    }
    scope
}

/// A change as `sight` may see it, as the feed's JSON: an invitation with only the roles
/// offered in communities whose invitations it may see (`None`, not sent, when none is); a
/// community without the settings it may not read.
fn narrowed(sight: &Sight, c: RawChange) -> ApiResult<Option<String>> {
    let data = match (&c.data, c.op) {
        (Some(d), ChangeOp::Upsert) => d.get().to_owned(),
        // A deletion names an id only.
        _ => return Ok(Some(serde_json::to_string(&c).expect("serialisable"))),
    };
    let seen = match c.kind {
        EntityKind::Invitation => {
            let inv: Invitation = serde_json::from_str(&data).map_err(|_| ApiError::internal())?;
            match sight.invitation(inv) {
                Some(inv) => to_value(&inv),
                None => return Ok(None),
            }
        }
        EntityKind::Community => {
            let com: Community = serde_json::from_str(&data).map_err(|_| ApiError::internal())?;
            match sight.community(com) {
                Some(com) => to_value(&com),
                None => return Ok(None),
            }
        }
        _ => return Ok(Some(serde_json::to_string(&c).expect("serialisable"))),
    };
    let change = Change { seq: c.seq, workspace_id: c.workspace_id, kind: c.kind, id: c.id, op: c.op, data: Some(seen), at: c.at };
    Ok(Some(serde_json::to_string(&change).expect("serialisable")))
}

fn to_value<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).expect("serialisable")
}
