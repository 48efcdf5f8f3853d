//! The Communities view: every community of a workspace with how many people hold a role in
//! it, its intakes and its live API keys, counted in the database (one grouped query each, so a
//! workspace of 10,000 communities answers in one pass, not one query per row).

use super::super::Cache;
use super::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tenancy::wire::Community;
use tenancy::{TenancyMode, WorkspaceId};

/// How many communities a workspace has, and so whether it is single- or multi-tenant.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceMode {
    pub workspace_id: WorkspaceId,
    pub communities: u32,
    pub mode: TenancyMode,
    /// The user sees only the communities they hold roles in (a member, not an owner or
    /// admin): `communities` counts those, and says nothing of the workspace's mode.
    pub confined: bool,
    /// The user is a client contact of this community: the console shows its portal only.
    pub contact_of: Option<tenancy::CommunityId>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunityRow {
    pub community: Community,
    /// People holding at least one role there.
    pub members: u32,
    pub intakes: u32,
    /// Keys not revoked.
    pub api_keys: u32,
}

impl Cache {
    /// Every live workspace's community count and tenancy mode.
    pub async fn workspace_modes(&self) -> Result<Vec<WorkspaceMode>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT w.id, (SELECT COUNT(*) FROM communities c WHERE c.workspace_id = w.id) FROM workspaces w WHERE w.deleted = 0 ORDER BY w.name",
        )
        .fetch_all(self.pool())
        .await?;
        let me = self.me().await?.map(|u| u.id);
        let mut out = Vec::new();
        for (id, n) in rows {
            let Ok(workspace_id) = id.parse::<WorkspaceId>() else { continue };
            let (role, contact_of) = match me {
                Some(me) => (self.member_role(workspace_id, me).await?, self.contact_of(workspace_id, me).await?),
                None => (None, None),
            };
            let communities = n as u32;
            let confined = role.is_some_and(|r| !r.is_admin_or_owner());
            out.push(WorkspaceMode { workspace_id, communities, mode: TenancyMode::of(communities), confined, contact_of });
        }
        Ok(out)
    }

    /// The slug hint for a new community of `ws`: the rules, and the slugs the workspace has
    /// (as far as this mirror shows it; the server has the last word).
    pub async fn community_slug_hint(&self, ws: WorkspaceId, name: &str, slug: &str) -> Result<tenancy::slug::SlugHint> {
        let mut near = std::collections::HashSet::new();
        for base in [tenancy::Slug::suggest(name), slug.to_owned()].into_iter().filter(|b| !b.is_empty()) {
            // `base` and `base-…`: the slugs from "base-" up to "base." ('.' follows '-').
            let found: Vec<String> = sqlx::query_scalar("SELECT slug FROM communities WHERE workspace_id = ?1 AND (slug = ?2 OR (slug > ?2 || '-' AND slug < ?2 || '.'))")
                .bind(ws.to_string())
                .bind(&base)
                .fetch_all(self.pool())
                .await?;
            near.extend(found);
        }
        Ok(tenancy::slug::SlugHint::among(name, slug, |s| near.contains(s)))
    }

    /// The workspace's communities by name (those matching `search` by name or slug), with their counts.
    pub async fn community_rows(&self, ws: WorkspaceId, search: Option<&str>) -> Result<Vec<CommunityRow>> {
        let communities = self.communities(ws, search).await?;
        let w = ws.to_string();
        let members: HashMap<String, i64> = sqlx::query_as(
            "SELECT c.id, n FROM (SELECT community, COUNT(DISTINCT user) AS n FROM assignments WHERE ws = (SELECT k FROM keys WHERE id = ?) GROUP BY community) x \
             JOIN keys c ON c.k = x.community",
        )
        .bind(&w)
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .collect();
        let intakes: HashMap<String, i64> =
            sqlx::query_as("SELECT community_id, COUNT(*) FROM intakes WHERE workspace_id = ? GROUP BY community_id").bind(&w).fetch_all(self.pool()).await?.into_iter().collect();
        let keys: HashMap<String, i64> = sqlx::query_as("SELECT community_id, COUNT(*) FROM api_keys WHERE workspace_id = ? AND revoked = 0 GROUP BY community_id")
            .bind(&w)
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .collect();
        let n = |m: &HashMap<String, i64>, id: &str| m.get(id).copied().unwrap_or(0) as u32;
        Ok(communities
            .into_iter()
            .map(|c| {
                let id = c.id.to_string();
                CommunityRow { members: n(&members, &id), intakes: n(&intakes, &id), api_keys: n(&keys, &id), community: c }
            })
            .collect())
    }
}
