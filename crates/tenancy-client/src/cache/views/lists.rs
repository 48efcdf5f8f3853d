//! The lists a pane picks from and shows: workspaces, communities, roles, intakes, API keys,
//! invitations, and the plan usage of a workspace.

use super::super::{data, Cache};
use super::*;
use chrono::{DateTime, Utc};
use tenancy::wire::*;
use tenancy::order::natural_cmp;
use tenancy::*;

impl Cache {
    pub async fn workspaces(&self, search: Option<&str>) -> Result<Vec<Workspace>> {
        let rows = sqlx::query("SELECT data FROM workspaces WHERE deleted = 0 AND (?1 IS NULL OR lower(name) LIKE ?1 ESCAPE '\\' OR slug LIKE ?1 ESCAPE '\\') ORDER BY name")
            .bind(search.map(like))
            .fetch_all(self.pool())
            .await?;
        let mut out: Vec<Workspace> = entities(&rows)?;
        out.sort_by(|a, b| natural_cmp(a.name.as_str(), b.name.as_str()));
        Ok(out)
    }

    pub async fn workspace(&self, id: WorkspaceId) -> Result<Option<Workspace>> {
        let r: Option<String> = sqlx::query_scalar("SELECT data FROM workspaces WHERE id = ?").bind(id.to_string()).fetch_optional(self.pool()).await?;
        r.map(|s| data(&s)).transpose()
    }

    /// Plan usage against its limits, as the cache sees it. It counts the whole workspace, so
    /// it is for those who see it whole (billing.read, as the server's rule says): a member's
    /// mirror holds only their communities, whose counts would mislead.
    pub async fn usage(&self, ws: WorkspaceId, now: DateTime<Utc>) -> Result<WorkspaceUsage> {
        let w = self.workspace(ws).await?.ok_or_else(|| crate::error::ClientError::new(crate::error::ErrorCode::NotFound, "That workspace is not in this account's cache; sync, or pick another workspace."))?;
        if let Some(me) = self.me().await? {
            let role = self.member_role(ws, me.id).await?;
            let actor = tenancy::rules::Actor { user_id: me.id, platform_admin: false, workspace_role: role, permissions: EffectivePermissions::union(role, std::iter::empty()) };
            if let Err(refused) = tenancy::rules::may(&actor, &tenancy::rules::Action::ReadUsage) {
                return Err(crate::error::ClientError::new(crate::error::ErrorCode::Forbidden, refused.to_string()));
            }
        }
        let r = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM members WHERE workspace_id = ?1 AND role <> 'client'), \
                    (SELECT COUNT(*) FROM invitations WHERE workspace_id = ?1 AND status = 'pending' AND expires_at > ?2 AND workspace_role <> 'client'), \
                    (SELECT COUNT(*) FROM communities WHERE workspace_id = ?1), \
                    (SELECT COUNT(*) FROM api_keys WHERE workspace_id = ?1 AND revoked = 0), \
                    (SELECT COUNT(*) FROM members WHERE workspace_id = ?1 AND role = 'client') \
                      + (SELECT COUNT(*) FROM invitations WHERE workspace_id = ?1 AND status = 'pending' AND expires_at > ?2 AND workspace_role = 'client')",
        )
        .bind(ws.to_string())
        .bind(now.timestamp_millis())
        .fetch_one(self.pool())
        .await?;
        let n = |i: usize| r.get::<i64, _>(i) as u32;
        Ok(WorkspaceUsage { plan: w.plan, limits: w.limits, members: n(0), pending_invitations: n(1), communities: n(2), api_keys: n(3), client_contacts: n(4) })
    }

    pub async fn communities(&self, ws: WorkspaceId, search: Option<&str>) -> Result<Vec<Community>> {
        let rows = sqlx::query("SELECT data FROM communities WHERE workspace_id = ?1 AND (?2 IS NULL OR lower(name) LIKE ?2 ESCAPE '\\' OR slug LIKE ?2 ESCAPE '\\') ORDER BY name")
            .bind(ws.to_string())
            .bind(search.map(like))
            .fetch_all(self.pool())
            .await?;
        let mut out: Vec<Community> = entities(&rows)?;
        out.sort_by(|a, b| natural_cmp(a.name.as_str(), b.name.as_str()));
        Ok(out)
    }

    /// Every community of every live workspace (for the command palette), by name.
    pub async fn all_communities(&self) -> Result<Vec<Community>> {
        let rows = sqlx::query("SELECT c.data FROM communities c JOIN workspaces w ON w.id = c.workspace_id WHERE w.deleted = 0 ORDER BY c.name")
            .fetch_all(self.pool())
            .await?;
        let mut out: Vec<Community> = entities(&rows)?;
        out.sort_by(|a, b| natural_cmp(a.name.as_str(), b.name.as_str()));
        Ok(out)
    }

    pub async fn roles(&self, ws: WorkspaceId) -> Result<Vec<Role>> {
        let rows = sqlx::query("SELECT data FROM roles WHERE workspace_id = ? ORDER BY kind != 'builtin', name").bind(ws.to_string()).fetch_all(self.pool()).await?;
        entities(&rows)
    }

    pub async fn intakes(&self, community: CommunityId) -> Result<Vec<Intake>> {
        let rows = sqlx::query("SELECT data FROM intakes WHERE community_id = ? ORDER BY id").bind(community.to_string()).fetch_all(self.pool()).await?;
        entities(&rows)
    }

    pub async fn api_keys(&self, community: CommunityId) -> Result<Vec<ApiKey>> {
        let rows = sqlx::query("SELECT data FROM api_keys WHERE community_id = ? ORDER BY revoked, id").bind(community.to_string()).fetch_all(self.pool()).await?;
        entities(&rows)
    }

    /// The API keys of several communities of `ws` in one list, newest first (ties by id, so the
    /// order is stable); `communities` empty means every community of the workspace in this
    /// cache. Only keys of `ws` are answered, whatever ids are passed: a community of another
    /// workspace contributes nothing. The cache holds only keys its user may list, so this is
    /// what the server would show them.
    pub async fn api_keys_of(&self, ws: WorkspaceId, communities: &[CommunityId]) -> Result<Vec<ApiKey>> {
        let mut out: Vec<ApiKey> = Vec::new();
        if communities.is_empty() {
            // The join keeps keys whose community is no longer in the mirror out of the list.
            let rows = sqlx::query("SELECT k.data FROM api_keys k JOIN communities c ON c.id = k.community_id AND c.workspace_id = k.workspace_id WHERE k.workspace_id = ?")
                .bind(ws.to_string())
                .fetch_all(self.pool())
                .await?;
            out = entities(&rows)?;
        } else {
            let mut ids: Vec<String> = communities.iter().map(|c| c.to_string()).collect();
            ids.sort();
            ids.dedup();
            // SQLite caps the number of bound values per statement; a selection of thousands of
            // communities is asked in chunks.
            for chunk in ids.chunks(crate::cache::CHUNK) {
                let mut qb = QueryBuilder::<Sqlite>::new("SELECT data FROM api_keys WHERE workspace_id = ");
                qb.push_bind(ws.to_string()).push(" AND community_id IN (");
                let mut sep = qb.separated(", ");
                for id in chunk {
                    sep.push_bind(id.clone());
                }
                qb.push(")");
                let rows = qb.build().fetch_all(self.pool()).await?;
                out.extend(entities::<ApiKey>(&rows)?);
            }
        }
        // Sorted here rather than in SQL: the chunks are merged, and timestamps are compared as
        // times (their text has a varying number of fraction digits).
        out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
        Ok(out)
    }

    pub async fn invitations(&self, ws: WorkspaceId) -> Result<Vec<Invitation>> {
        let rows = sqlx::query("SELECT data FROM invitations WHERE workspace_id = ? ORDER BY created_at DESC").bind(ws.to_string()).fetch_all(self.pool()).await?;
        entities(&rows)
    }

    /// Which of `emails` belong to members of `ws`.
    pub async fn member_emails(&self, ws: WorkspaceId, emails: &[Email]) -> Result<std::collections::HashSet<String>> {
        let mut found = std::collections::HashSet::new();
        for chunk in emails.chunks(crate::cache::CHUNK) {
            let mut qb = QueryBuilder::<Sqlite>::new("SELECT email FROM members WHERE workspace_id = ");
            qb.push_bind(ws.to_string()).push(" AND email IN (");
            let mut sep = qb.separated(", ");
            for e in chunk {
                sep.push_bind(e.as_str().to_owned());
            }
            qb.push(")");
            found.extend(qb.build_query_scalar::<String>().fetch_all(self.pool()).await?);
        }
        Ok(found)
    }
}
