//! Delta sync: follow `/v1/changes` from the cache's cursor, one transaction per batch.

use crate::api::ApiClient;
use crate::cache::Cache;
use crate::error::{ErrorCode, Result};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};

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
pub async fn sync(api: &ApiClient, cache: &Cache, stop: Option<&AtomicBool>, mut progress: impl FnMut(Progress)) -> Result<SyncOutcome> {
    let mut full_resync = false;
    let mut applied = 0u64;
    let start = cache.state().await?.cursor;
    let me = api.me().await?;
    cache.set_me(&me.user).await?;
    loop {
        if stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
            return Ok(SyncOutcome { applied, cursor: cache.state().await?.cursor, full_resync, interrupted: true });
        }
        let cursor = cache.state().await?.cursor;
        let batch = match api.changes(cursor, BATCH).await {
            Ok(b) => b,
            Err(e) if e.code == ErrorCode::Conflict && e.problem.as_deref() == Some("cursor-too-old") && !full_resync => {
                tracing::info!("change feed cursor too old; rebuilding the cache");
                cache.clear().await?;
                full_resync = true;
                continue;
            }
            Err(e) => return Err(e),
        };
        let now = Utc::now();
        if batch.changes.is_empty() && batch.next_since == cursor {
            cache.touch(now).await?;
        } else {
            cache.apply(&batch.changes, batch.next_since, now).await?;
        }
        applied += batch.changes.len() as u64;
        let base = if full_resync { 0 } else { start };
        progress(Progress { done: (batch.next_since - base).max(0) as u64, total: (batch.latest - base).max(0) as u64 });
        if !batch.has_more {
            return Ok(SyncOutcome { applied, cursor: batch.next_since, full_resync, interrupted: false });
        }
    }
}
