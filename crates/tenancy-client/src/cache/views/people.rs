//! People found by name or email across every workspace the account's cache holds: what the
//! command palette offers besides workspaces and communities. The cache holds only what the
//! account may see, so the search needs no visibility rule of its own.

use super::super::Cache;
use super::*;
use serde::{Deserialize, Serialize};
use tenancy::{UserId, WorkspaceId, WorkspaceRole};

/// At most this many people per account and query: the palette shows the best few.
pub const MAX_PEOPLE: u32 = 50;

/// One person in one workspace (someone in three workspaces is three hits).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonHit {
    pub workspace_id: WorkspaceId,
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    pub workspace_role: WorkspaceRole,
}

impl Cache {
    /// Members whose email or name contains `query` (case-insensitive), of live workspaces,
    /// those whose email starts with it first; at most `limit` (capped at [`MAX_PEOPLE`]).
    /// An empty query finds nobody: the palette lists people only when asked.
    pub async fn find_people(&self, query: &str, limit: u32) -> Result<Vec<PersonHit>> {
        let q = query.trim();
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let prefix = format!("{}%", like(q).trim_start_matches('%').trim_end_matches('%'));
        let rows = sqlx::query(
            "SELECT m.workspace_id, m.user_id, m.email, m.display_name, m.role FROM members m \
             JOIN workspaces w ON w.id = m.workspace_id AND w.deleted = 0 \
             WHERE m.email LIKE ?1 ESCAPE '\\' OR lower(m.display_name) LIKE ?1 ESCAPE '\\' \
             ORDER BY m.email NOT LIKE ?2 ESCAPE '\\', m.email, m.workspace_id LIMIT ?3",
        )
        .bind(like(q))
        .bind(prefix)
        .bind(limit.min(MAX_PEOPLE))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PersonHit {
                    workspace_id: parse(r.get::<&str, _>(0))?,
                    user_id: parse(r.get::<&str, _>(1))?,
                    email: r.get(2),
                    display_name: r.get(3),
                    workspace_role: parse(r.get::<&str, _>(4))?,
                })
            })
            .collect()
    }
}

/// A column the cache wrote from a typed value, read back.
fn parse<T: std::str::FromStr>(s: &str) -> Result<T> {
    s.parse().map_err(|_| crate::error::ClientError::internal(format!("The cache holds \"{s}\" where an id or role belongs; sign out and in again to rebuild it.")))
}
