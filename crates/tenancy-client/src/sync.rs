//! Delta sync: follow `/v1/changes` from the cache's cursor, one transaction per batch.
//!
//! The feed sends a member only the changes of the workspaces they belong to *now*, so two
//! events need more than the feed: joining a workspace (its changes from before the cursor were
//! never sent: the batch that brings the join also writes the workspace's `/v1/snapshot`), and a
//! cursor older than the feed keeps (the cache is rebuilt from the full `/v1/snapshot`). Leaving
//! a workspace is in the feed (the user's own membership deleted); the cache then forgets it.

use crate::http::ApiClient;
use crate::cache::Cache;
use crate::error::{ClientError, ErrorCode, Result};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::collections::HashMap;
use tenancy::problem::ProblemKind;
use tenancy::wire::{ChangeOp, EntityKind, MemberKey, RawChange, RawChangeBatch};
use tenancy::{UserId, WorkspaceId, WorkspaceRole};

/// The first page of a sync: small, to start applying soon.
const FIRST_PAGE: u32 = 2500;

/// Changes per page of the feed (the server's maximum): a full sync of a large MSSP is a dozen
/// pages, each applied in one transaction.
pub const BATCH: u32 = 20000;

/// How far a sync has come, in changes of the feed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub done: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: u64,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncOutcome {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub applied: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub cursor: i64,
    /// The server no longer had our cursor, so the cache was rebuilt from scratch.
    pub full_resync: bool,
    /// Stopped early on request; the next sync resumes from `cursor`.
    pub interrupted: bool,
}

/// Brings the cache up to date. Safe to interrupt at any point: each applied batch is committed
/// with its cursor, so the next run continues after the last committed batch.
pub async fn sync(api: &ApiClient, cache: &Cache, stop: Option<&AtomicBool>, progress: impl FnMut(Progress)) -> Result<SyncOutcome> {
    sync_with_batch(api, cache, stop, BATCH, progress).await
}

/// [`sync`] asking the feed for at most `batch` changes at a time (1–[`BATCH`]).
///
/// The feed is read ahead by [`follow_feed`] while batches are applied (SQLite works on its
/// own thread), so a long sync costs about the larger of the two, not their sum.
pub async fn sync_with_batch(api: &ApiClient, cache: &Cache, stop: Option<&AtomicBool>, batch: u32, progress: impl FnMut(Progress)) -> Result<SyncOutcome> {
    sync_into(api, cache, stop, batch, progress).await.map_err(|e| cache.locate(e))
}

async fn sync_into(api: &ApiClient, cache: &Cache, stop: Option<&AtomicBool>, batch: u32, progress: impl FnMut(Progress)) -> Result<SyncOutcome> {
    // Into an empty mirror, the rows go in first and the indexes are built once at the end.
    let first = cache.state().await?.cursor == 0;
    if first {
        cache.defer_indexes().await?;
    }
    let out = follow_and_apply(api, cache, stop, batch, progress).await;
    if first {
        match (cache.build_indexes().await, &out) {
            (Err(e), Ok(_)) => return Err(e),
            // The sync's own error says more; opening the cache builds them next time.
            (Err(e), Err(_)) => tracing::warn!("building the cache's indexes failed: {e}"),
            (Ok(()), _) => {}
        }
    }
    let out = out?;
    if !out.interrupted {
        cache.checkpoint();
    }
    Ok(out)
}

async fn follow_and_apply(api: &ApiClient, cache: &Cache, stop: Option<&AtomicBool>, batch: u32, progress: impl FnMut(Progress)) -> Result<SyncOutcome> {
    let start = cache.state().await?.cursor;
    let me = api.me().await?;
    cache.set_me(&me.user).await?;
    cache.set_invitations_offered(&me.invitations).await?;
    // A first sync needs every workspace's alert volumes too: they download meanwhile.
    let (first_page, first_applied) = tokio::sync::oneshot::channel::<()>();
    let volumes = async {
        let mut ahead = HashMap::new();
        // Not before the first page is in (both answers at once would delay it), nor when the
        // feed stopped before it.
        if first_applied.await.is_ok() && start == 0 {
            for m in &me.memberships {
                if let Ok(v) = api.workspace_alert_volumes(m.workspace.id).await {
                    ahead.insert(m.workspace.id, v);
                }
            }
        }
        ahead
    };
    let (outcome, ahead) = tokio::join!(apply_feed(api, cache, stop, batch, start, &me, first_page, progress), volumes);
    let outcome = outcome?;
    if !outcome.interrupted {
        refresh_alert_volumes(api, cache, ahead).await?;
    }
    Ok(outcome)
}

#[allow(clippy::too_many_arguments)]
async fn apply_feed(
    api: &ApiClient,
    cache: &Cache,
    stop: Option<&AtomicBool>,
    batch: u32,
    start: i64,
    me: &tenancy::wire::Me,
    first_page: tokio::sync::oneshot::Sender<()>,
    mut progress: impl FnMut(Progress),
) -> Result<SyncOutcome> {
    let mut first_page = Some(first_page);
    let batch_size = batch.clamp(1, BATCH);
    let mut full_resync = false;
    let mut applied = 0u64;
    let stopped = || stop.is_some_and(|s| s.load(Ordering::Relaxed));
    let mut seen_from: Option<i64> = None;
    loop {
        let mut cursor = cache.state().await?.cursor;
        let step = {
            let (pages, mut next_page) = tokio::sync::mpsc::channel(1);
            let follow = follow_feed(api, cursor, batch_size, pages);
            let apply_all = async {
                while let Some(next) = next_page.recv().await {
                    if stopped() {
                        return Ok(Step::Stopped);
                    }
                    let batch = match next {
                        Ok(b) => b,
                        Err(e) if e.is(ProblemKind::CursorTooOld) && !full_resync => return Ok(Step::Rebuild),
                        Err(e) => return Err(e),
                    };
                    // A sync from nothing reads everything as the user sees it when it starts:
                    // only changes after that can alter it.
                    let after = *seen_from.get_or_insert(if cursor > 0 { cursor } else { batch.latest });
                    // Workspaces joined since the cursor: the feed only sends their changes after
                    // it. In a sync from nothing, a membership the user held when it started is
                    // no join (the feed sends that workspace's history from its first page on).
                    let mut joined = HashMap::new();
                    if cursor > 0 {
                        for ws in joined_workspaces(cache, &batch.changes, me.user.id, after).await? {
                            match api.snapshot_raw(Some(ws), None).await {
                                Ok(s) => {
                                    joined.insert(ws, s.changes);
                                }
                                // Gone again already: the feed brings the removal next.
                                Err(e) if e.code == ErrorCode::NotFound => {}
                                Err(e) => return Err(e),
                            }
                        }
                    }
                    // Workspaces where what the user sees changes (their own roles, or the
                    // definition of a role, when they see the workspace confined): the feed
                    // sends only what they see now, so the workspace is read again as it is.
                    let mut resighted = HashMap::new();
                    for ws in resighted_workspaces(cache, &batch.changes, me.user.id, after).await? {
                        if joined.contains_key(&ws) {
                            continue;
                        }
                        match api.snapshot_raw(Some(ws), None).await {
                            Ok(s) => {
                                resighted.insert(ws, s.changes);
                            }
                            Err(e) if e.code == ErrorCode::NotFound => {}
                            Err(e) => return Err(e),
                        }
                    }
                    if let Some(tell) = first_page.take() {
                        let _ = tell.send(());
                    }
                    let now = Utc::now();
                    if batch.changes.is_empty() && batch.next_since == cursor {
                        cache.touch(now).await?;
                    } else {
                        cache.apply_raw_batch(&batch.changes, &joined, &resighted, batch.next_since, now).await?;
                    }
                    cursor = batch.next_since;
                    applied += batch.changes.len() as u64;
                    let base = if full_resync { 0 } else { start };
                    progress(Progress { done: (batch.next_since - base).max(0) as u64, total: (batch.latest - base).max(0) as u64 });
                    if !batch.has_more {
                        return Ok(Step::Done(batch.next_since));
                    }
                }
                // The reader ends with the last page or an error; it cannot end otherwise.
                Err(ClientError::internal("the change feed ended early; sync again"))
            };
            tokio::pin!(follow, apply_all);
            // Applying decides when to stop; the reader, ahead of it, is dropped then.
            tokio::select! {
                step = &mut apply_all => step,
                () = &mut follow => apply_all.await,
            }
        }?;
        match step {
            Step::Done(cursor) => return Ok(SyncOutcome { applied, cursor, full_resync, interrupted: false }),
            Step::Stopped => return Ok(SyncOutcome { applied, cursor: cache.state().await?.cursor, full_resync, interrupted: true }),
            Step::Rebuild => {
                // The feed no longer reaches back to our cursor (nor to 0): rebuild from the
                // current state, then follow the feed from where that state stands.
                tracing::info!("change feed cursor too old; rebuilding the cache");
                let snapshot = api.snapshot_raw(None, None).await?;
                cache.replace_all_raw(&snapshot.changes, snapshot.next_since, Utc::now()).await?;
                applied += snapshot.changes.len() as u64;
                full_resync = true;
            }
        }
    }
}

/// How applying the feed ended.
enum Step {
    /// Up to date, at this cursor.
    Done(i64),
    /// Stopped on request.
    Stopped,
    /// The cursor is older than the feed keeps: rebuild from a snapshot.
    Rebuild,
}

/// Reads the feed from `since` to its end, sending each page in order (or the error that
/// stopped it). Each next page is asked for as soon as the previous one's headers say where
/// it ends, so the server writes it while the previous body is still read and parsed.
pub async fn follow_feed(api: &ApiClient, since: i64, batch: u32, pages: tokio::sync::mpsc::Sender<Result<RawChangeBatch>>) {
    // A small first page, so applying starts while the next, full one is being written.
    let mut limit = batch.min(FIRST_PAGE);
    let mut pending = api.changes_raw_start(since, limit).await;
    loop {
        let page = match pending {
            Ok(p) => p,
            Err(e) => {
                let _ = pages.send(Err(e)).await;
                return;
            }
        };
        // Growing to full pages: the next one arrives while this one is applied.
        limit = (limit * 4).min(batch);
        let (body, next_page) = match page.continues_from() {
            Some(next) => {
                let (body, next_page) = tokio::join!(page.read(), api.changes_raw_start(next, limit));
                (body, Some(next_page))
            }
            None => (page.read().await, None),
        };
        // A server that does not say where a page ends before its body: from the body.
        let more = body.as_ref().ok().filter(|b| b.has_more).map(|b| b.next_since);
        let next_page = match (next_page, more) {
            (Some(n), _) => Some(n),
            (None, Some(next)) => Some(api.changes_raw_start(next, limit).await),
            (None, None) => None,
        };
        let failed = body.is_err();
        if pages.send(body).await.is_err() || failed {
            return;
        }
        match next_page {
            Some(n) => pending = n,
            None => return,
        }
    }
}

/// Workspaces already cached in which `changes` may alter what `me` sees: their own
/// workspace role, unless it stays owner or admin (who see everything); and, where they see
/// the workspace confined to their communities, their own community roles or a role's
/// definition (which permissions they hold where, and so which communities, people, keys,
/// intakes and volumes they read).
/// Only changes after `after` count.
async fn resighted_workspaces(cache: &Cache, changes: &[RawChange], me: UserId, after: i64) -> Result<Vec<WorkspaceId>> {
    let me_text = me.to_string();
    // (The text test first: a full sync brings 200,000 assignments, nearly all of others.)
    let mine = |d: &serde_json::value::RawValue| d.get().contains(&me_text) && crate::cache::cols(d.get()).user_id == me_text;
    let mut cached: HashMap<WorkspaceId, Option<WorkspaceRole>> = HashMap::new();
    let mut out: Vec<WorkspaceId> = Vec::new();
    for c in changes.iter().filter(|c| c.seq > after) {
        let Some(ws) = c.workspace_id.filter(|w| !out.contains(w)) else { continue };
        let own_role = matches!(c.kind, EntityKind::Member) && c.op == ChangeOp::Upsert && member_of(c) == Some(me);
        let own_assignment = match (c.kind, c.op) {
            (EntityKind::Assignment, ChangeOp::Upsert) => c.data.as_deref().is_some_and(mine),
            (EntityKind::Assignment, ChangeOp::Delete) => cache.assignment_holder(&c.id).await? == Some(me),
            _ => false,
        };
        if !own_role && !own_assignment && c.kind != EntityKind::Role {
            continue;
        }
        let before = match cached.get(&ws) {
            Some(r) => *r,
            None => {
                let r = cache.member_role(ws, me).await?;
                cached.insert(ws, r);
                r
            }
        };
        // Not a member yet: joining brings the workspace's state.
        let Some(before) = before else { continue };
        let resighted = if own_role {
            let after = c.data.as_deref().and_then(|d| serde_json::from_str::<tenancy::wire::Member>(d.get()).ok()).map(|m| m.role);
            !(before.is_admin_or_owner() && after.is_some_and(|r| r.is_admin_or_owner()))
        } else {
            !before.is_admin_or_owner()
        };
        if resighted {
            out.push(ws);
        }
    }
    Ok(out)
}

/// Whose membership a member change is (`None` for other kinds).
fn member_of(c: &RawChange) -> Option<UserId> {
    (c.kind == EntityKind::Member).then(|| c.id.parse::<MemberKey>().ok()).flatten().map(|k| k.user)
}

/// Workspaces `me` joins in `changes`: their own membership appears where the cache (or an
/// earlier change of the batch) has none.
/// Workspaces whose membership of `me` starts in `changes` after `after`.
async fn joined_workspaces(cache: &Cache, changes: &[RawChange], me: UserId, after: i64) -> Result<Vec<WorkspaceId>> {
    let mut member: HashMap<WorkspaceId, bool> = HashMap::new();
    let mut out = Vec::new();
    for c in changes.iter().filter(|c| c.kind == EntityKind::Member && c.seq > after) {
        let Some(key) = c.id.parse::<MemberKey>().ok().filter(|k| k.user == me) else { continue };
        let ws = key.workspace;
        let was = match member.get(&ws) {
            Some(&m) => m,
            None => cache.has_member(ws, me).await?,
        };
        let is = c.op == ChangeOp::Upsert;
        if is && !was && !out.contains(&ws) {
            out.push(ws);
        }
        member.insert(ws, is);
    }
    Ok(out)
}

/// Alert volumes are daily series outside the change feed: fetched per workspace when missing
/// or older than an hour, so a delta sync stays small.
pub const ALERT_VOLUMES_MAX_AGE: chrono::Duration = chrono::Duration::hours(1);

/// `ahead` holds volumes downloaded during this sync already.
async fn refresh_alert_volumes(api: &ApiClient, cache: &Cache, mut ahead: HashMap<WorkspaceId, Vec<tenancy::wire::AlertVolume>>) -> Result<()> {
    let now = Utc::now();
    for ws in cache.alert_volumes_due(now - ALERT_VOLUMES_MAX_AGE).await? {
        let vols = match ahead.remove(&ws) {
            Some(v) => v,
            None => api.workspace_alert_volumes(ws).await?,
        };
        cache.put_alert_volumes(ws, &vols, now).await?;
    }
    Ok(())
}
