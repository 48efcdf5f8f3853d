//! Delta sync: follow `/v1/changes` from the cache's cursor, one transaction per batch.
//!
//! The feed sends a member only the changes of the workspaces they belong to *now*, so two
//! events need more than the feed: joining a workspace (its changes from before the cursor were
//! never sent: the batch that brings the join also writes the workspace's `/v1/snapshot`), and a
//! cursor older than the feed keeps (the cache is rebuilt from the full `/v1/snapshot`). Leaving
//! a workspace is in the feed (the user's own membership deleted); the cache then forgets it.

use crate::api::ApiClient;
use crate::cache::Cache;
use crate::error::{ErrorCode, Result};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::collections::HashMap;
use tenancy::api::{ChangeOp, EntityKind, RawChange, RawChangeBatch};
use tenancy::{UserId, WorkspaceId};

pub const BATCH: u32 = 5000;

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

/// [`sync`] asking the feed for at most `batch` changes at a time (1–5000).
///
/// While a batch is applied, the next one is already being downloaded and read (SQLite works
/// on its own thread), so a long sync costs about the larger of the two, not their sum.
pub async fn sync_with_batch(api: &ApiClient, cache: &Cache, stop: Option<&AtomicBool>, batch: u32, mut progress: impl FnMut(Progress)) -> Result<SyncOutcome> {
    let batch_size = batch.clamp(1, BATCH);
    let mut full_resync = false;
    let mut applied = 0u64;
    let start = cache.state().await?.cursor;
    let me = api.me().await?;
    cache.set_me(&me.user).await?;
    let stopped = || stop.is_some_and(|s| s.load(Ordering::Relaxed));
    // The next batch, fetched while the previous one was applied.
    let mut fetched: Option<Result<RawChangeBatch>> = None;
    loop {
        if stopped() {
            return Ok(SyncOutcome { applied, cursor: cache.state().await?.cursor, full_resync, interrupted: true });
        }
        let cursor = cache.state().await?.cursor;
        let next = match fetched.take() {
            Some(b) => b,
            None => api.changes_raw(cursor, batch_size).await,
        };
        let batch = match next {
            Ok(b) => b,
            Err(e) if e.code == ErrorCode::Conflict && e.problem.as_deref() == Some("cursor-too-old") && !full_resync => {
                // The feed no longer reaches back to our cursor (nor to 0): rebuild from the
                // current state, then follow the feed from where that state stands.
                tracing::info!("change feed cursor too old; rebuilding the cache");
                let snapshot = api.snapshot_raw(None, None).await?;
                cache.replace_all_raw(&snapshot.changes, snapshot.next_since, Utc::now()).await?;
                applied += snapshot.changes.len() as u64;
                full_resync = true;
                continue;
            }
            Err(e) => return Err(e),
        };
        // Workspaces joined since the cursor: the feed only sends their changes after it.
        let mut joined = HashMap::new();
        if cursor > 0 {
            for ws in joined_workspaces(cache, &batch.changes, me.user.id).await? {
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
        // Workspaces where the user's own roles change: which API keys they may see changes too.
        let mut rekeyed = HashMap::new();
        for ws in regranted_workspaces(cache, &batch.changes, me.user.id).await? {
            if joined.contains_key(&ws) {
                continue;
            }
            match api.snapshot_raw(Some(ws), Some(EntityKind::ApiKey)).await {
                Ok(s) => {
                    rekeyed.insert(ws, s.changes);
                }
                Err(e) if e.code == ErrorCode::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        let now = Utc::now();
        let apply = async {
            if batch.changes.is_empty() && batch.next_since == cursor {
                cache.touch(now).await
            } else {
                cache.apply_raw_batch(&batch.changes, &joined, &rekeyed, batch.next_since, now).await
            }
        };
        if batch.has_more && !stopped() {
            let (done, next) = tokio::join!(apply, api.changes_raw(batch.next_since, batch_size));
            done?;
            fetched = Some(next);
        } else {
            apply.await?;
        }
        applied += batch.changes.len() as u64;
        let base = if full_resync { 0 } else { start };
        progress(Progress { done: (batch.next_since - base).max(0) as u64, total: (batch.latest - base).max(0) as u64 });
        if !batch.has_more {
            refresh_alert_volumes(api, cache).await?;
            return Ok(SyncOutcome { applied, cursor: batch.next_since, full_resync, interrupted: false });
        }
    }
}

/// Workspaces `me` joins in `changes`: their own membership appears where the cache (or an
/// earlier change of the batch) has none.
/// Workspaces already cached in which `changes` alter `me`'s own workspace role or community
/// roles (and so, possibly, which API keys `me` may list there).
async fn regranted_workspaces(cache: &Cache, changes: &[RawChange], me: UserId) -> Result<Vec<WorkspaceId>> {
    let suffix = format!("/{me}");
    let me_text = me.to_string();
    // (The text test first: a full sync brings 200,000 assignments, nearly all of others.)
    let mine = |d: &serde_json::value::RawValue| d.get().contains(&me_text) && crate::cache::cols(d.get()).user_id == me_text;
    let mut out: Vec<WorkspaceId> = Vec::new();
    for c in changes {
        let ws = match (c.kind, c.op) {
            (EntityKind::Member, ChangeOp::Upsert) if c.id.ends_with(&suffix) => c.workspace_id,
            (EntityKind::Assignment, ChangeOp::Upsert) if c.data.as_deref().is_some_and(mine) => c.workspace_id,
            (EntityKind::Assignment, ChangeOp::Delete) if cache.assignment_holder(&c.id).await? == Some(me) => c.workspace_id,
            _ => None,
        };
        if let Some(ws) = ws.filter(|w| !out.contains(w)) {
            if cache.has_member(ws, me).await? {
                out.push(ws);
            }
        }
    }
    Ok(out)
}

async fn joined_workspaces(cache: &Cache, changes: &[RawChange], me: UserId) -> Result<Vec<WorkspaceId>> {
    let suffix = format!("/{me}");
    let mut member: HashMap<WorkspaceId, bool> = HashMap::new();
    let mut out = Vec::new();
    for c in changes.iter().filter(|c| c.kind == EntityKind::Member && c.id.ends_with(&suffix)) {
        let Some(ws) = c.id.split_once('/').and_then(|(w, _)| w.parse::<WorkspaceId>().ok()) else { continue };
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

async fn refresh_alert_volumes(api: &ApiClient, cache: &Cache) -> Result<()> {
    let now = Utc::now();
    for ws in cache.alert_volumes_due(now - ALERT_VOLUMES_MAX_AGE).await? {
        let vols = api.workspace_alert_volumes(ws).await?;
        cache.put_alert_volumes(ws, &vols, now).await?;
    }
    Ok(())
}
