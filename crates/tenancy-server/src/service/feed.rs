//! The audit log and the change feed.

use super::access::scope;
use super::*;
use tenancy::api::*;
use tenancy::*;

pub const MAX_FEED_BATCH: u32 = 5000;

impl Service {
    pub async fn audit_log(&self, ctx: &Ctx, r: &WorkspaceRef, p: &PageParams) -> ApiResult<Page<AuditEntry>> {
        let mut tx = self.read().await?;
        let (ws, actor) = scope(&mut *tx, ctx, r).await?;
        may(&actor, &Action::ReadAuditLog)?;
        let limit = p.limit()?;
        let before = p.after()?.map(|a| a.parse::<i64>()).transpose().map_err(|_| ApiError::new(ProblemKind::InvalidCursor, "The cursor is not valid; omit it to start over."))?;
        let rows = tx.audit(Some(ws.id), before, limit + 1).await?;
        Ok(page(rows, limit, |e| e.id.to_string()))
    }

    /// Everything visible to the caller since `since`, in sequence order.
    pub async fn changes(&self, ctx: &Ctx, since: i64, limit: Option<u32>) -> ApiResult<ChangeBatch> {
        let limit = limit.unwrap_or(1000).clamp(1, MAX_FEED_BATCH);
        if since < 0 {
            return Err(ApiError::validation("since must be 0 or a next_since value from an earlier batch."));
        }
        let mut tx = self.read().await?;
        let floor = tx.feed_floor().await?;
        if since < floor {
            return Err(ApiError::new(
                ProblemKind::CursorTooOld,
                format!("Changes before {floor} are no longer kept. Do a full resync: reload your data, then follow the feed from the latest sequence."),
            ));
        }
        let latest = tx.latest_seq().await?;
        let mut changes = tx.changes_for(ctx.user.id, since, limit + 1).await?;
        let has_more = changes.len() > limit as usize;
        changes.truncate(limit as usize);
        // Without more changes, the caller is up to date with everything up to `latest`.
        let next_since = if has_more { changes.last().map(|c| c.seq).unwrap_or(since) } else { latest.max(since) };
        Ok(ChangeBatch { changes, next_since, has_more, latest })
    }
}
