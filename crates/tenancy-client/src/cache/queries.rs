//! Every read view of the console, answered from the cache with SQL (paged and aggregated in
//! the database, never by loading everything).

use super::{data, Cache};
use crate::error::Result;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Row, Sqlite};
use std::collections::{BTreeMap, BTreeSet};
use tenancy::api::*;
use tenancy::*;

fn like(s: &str) -> String {
    format!("%{}%", s.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    /// Members and pending invitations.
    #[default]
    All,
    Active,
    Invited,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberSort {
    #[default]
    Email,
    Name,
    Role,
    Joined,
}

/// The members table's question: filters, sort and one page.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MemberQuery {
    pub workspace_id: Option<WorkspaceId>,
    #[serde(default)]
    pub search: Option<String>,
    #[serde(default)]
    pub workspace_role: Option<WorkspaceRole>,
    /// Only people with a role (or an invited role) in one of these communities.
    #[serde(default)]
    pub communities: Vec<CommunityId>,
    /// Only people holding this community role (in `communities` when given).
    #[serde(default)]
    pub role_id: Option<RoleId>,
    #[serde(default)]
    pub assignment_type: Option<AssignmentType>,
    #[serde(default)]
    pub two_factor: Option<bool>,
    #[serde(default)]
    pub status: MemberStatus,
    #[serde(default)]
    pub sort: MemberSort,
    #[serde(default)]
    pub descending: bool,
    #[serde(default)]
    pub offset: u32,
    pub limit: u32,
}

/// One community role of a row.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowRole {
    pub community_id: CommunityId,
    pub role_id: RoleId,
    pub assignment_type: AssignmentType,
}

/// A row of the members table: a member, or a pending invitation.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    pub user_id: Option<UserId>,
    pub invitation_id: Option<InvitationId>,
    pub email: String,
    pub display_name: String,
    pub workspace_role: WorkspaceRole,
    pub two_factor_enabled: bool,
    pub pending: bool,
    /// Joined (members) or invited (invitations).
    pub since: DateTime<Utc>,
    pub roles: Vec<RowRole>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberPage {
    pub rows: Vec<MemberRow>,
    /// All rows matching the filters, for the scrollbar.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: u64,
}

/// A member's detail: their row, every assignment, and effective permissions with provenance.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberDetail {
    pub member: Member,
    pub assignments: Vec<RoleAssignment>,
    pub permissions: EffectivePermissions,
}

/// Aggregates for a set of communities.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    /// community → role → number of people holding it there.
    #[cfg_attr(feature = "ts", ts(type = "Record<string, Record<string, number>>"))]
    pub matrix: BTreeMap<CommunityId, BTreeMap<RoleId, u64>>,
    /// role → people holding it in at least one of the communities.
    #[cfg_attr(feature = "ts", ts(type = "Record<string, number>"))]
    pub role_distribution: BTreeMap<RoleId, u64>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub members: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub members_with_2fa: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub pending_invitations: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub api_keys: u64,
    /// Sum over the communities, by day.
    #[cfg_attr(feature = "ts", ts(type = "Array<[string, number]>"))]
    pub alert_volume: Vec<(NaiveDate, u64)>,
}

impl Cache {
    pub async fn workspaces(&self, search: Option<&str>) -> Result<Vec<Workspace>> {
        let rows = sqlx::query("SELECT data FROM workspaces WHERE deleted = 0 AND (?1 IS NULL OR lower(name) LIKE ?1 ESCAPE '\\' OR slug LIKE ?1 ESCAPE '\\') ORDER BY name")
            .bind(search.map(like))
            .fetch_all(self.pool())
            .await?;
        entities(&rows)
    }

    pub async fn workspace(&self, id: WorkspaceId) -> Result<Option<Workspace>> {
        let r: Option<String> = sqlx::query_scalar("SELECT data FROM workspaces WHERE id = ?").bind(id.to_string()).fetch_optional(self.pool()).await?;
        r.map(|s| data(&s)).transpose()
    }

    /// Plan usage against its limits, as the cache sees it.
    pub async fn usage(&self, ws: WorkspaceId, now: DateTime<Utc>) -> Result<WorkspaceUsage> {
        let w = self.workspace(ws).await?.ok_or_else(|| crate::error::ClientError::new(crate::error::ErrorCode::NotFound, "That workspace is not in this account's cache; sync, or pick another workspace."))?;
        let r = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM members WHERE workspace_id = ?1), \
                    (SELECT COUNT(*) FROM invitations WHERE workspace_id = ?1 AND status = 'pending' AND expires_at > ?2), \
                    (SELECT COUNT(*) FROM communities WHERE workspace_id = ?1), \
                    (SELECT COUNT(*) FROM api_keys WHERE workspace_id = ?1 AND revoked = 0)",
        )
        .bind(ws.to_string())
        .bind(now.timestamp_millis())
        .fetch_one(self.pool())
        .await?;
        let n = |i: usize| r.get::<i64, _>(i) as u32;
        Ok(WorkspaceUsage { plan: w.plan, limits: w.limits, members: n(0), pending_invitations: n(1), communities: n(2), api_keys: n(3) })
    }

    pub async fn communities(&self, ws: WorkspaceId, search: Option<&str>) -> Result<Vec<Community>> {
        let rows = sqlx::query("SELECT data FROM communities WHERE workspace_id = ?1 AND (?2 IS NULL OR lower(name) LIKE ?2 ESCAPE '\\' OR slug LIKE ?2 ESCAPE '\\') ORDER BY name")
            .bind(ws.to_string())
            .bind(search.map(like))
            .fetch_all(self.pool())
            .await?;
        entities(&rows)
    }

    /// Every community of every live workspace (for the command palette), by name.
    pub async fn all_communities(&self) -> Result<Vec<Community>> {
        let rows = sqlx::query("SELECT c.data FROM communities c JOIN workspaces w ON w.id = c.workspace_id WHERE w.deleted = 0 ORDER BY c.name")
            .fetch_all(self.pool())
            .await?;
        entities(&rows)
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

    pub async fn invitations(&self, ws: WorkspaceId) -> Result<Vec<Invitation>> {
        let rows = sqlx::query("SELECT data FROM invitations WHERE workspace_id = ? ORDER BY created_at DESC").bind(ws.to_string()).fetch_all(self.pool()).await?;
        entities(&rows)
    }

    /// The filter shared by the members page and its count.
    fn member_filter(qb: &mut QueryBuilder<'_, Sqlite>, q: &MemberQuery, ws: &str, now: i64) {
        let comms: Vec<String> = q.communities.iter().map(|c| c.to_string()).collect();
        let restrict_assign = !comms.is_empty() || q.role_id.is_some() || q.assignment_type.is_some();
        // Members
        qb.push("SELECT m.user_id AS user_id, NULL AS invitation_id, m.email AS email, m.display_name AS display_name, m.role AS role, m.two_factor AS two_factor, 0 AS pending, m.joined_at AS since FROM members m WHERE m.workspace_id = ");
        qb.push_bind(ws.to_owned());
        if q.status == MemberStatus::Invited {
            qb.push(" AND 0");
        }
        if let (true, None, Some(role)) = (comms.is_empty(), q.assignment_type, q.role_id) {
            // A role across the workspace: its holders, counted by the triggers.
            qb.push(" AND m.user_id IN (SELECT u.id FROM role_holders h JOIN keys u ON u.k = h.user WHERE h.ws = (SELECT k FROM keys WHERE id = ");
            qb.push_bind(ws.to_owned()).push(") AND h.role = (SELECT k FROM keys WHERE id = ").push_bind(role.to_string()).push("))");
        } else if restrict_assign {
            // Driven from the assignments' index (community, role) when communities are given: a
            // few rows, not every member (`+` keeps SQLite off the workspace's whole index).
            let ws_col = if comms.is_empty() { "a.ws" } else { "+a.ws" };
            qb.push(format!(" AND m.user_id IN (SELECT u.id FROM assignments a JOIN keys u ON u.k = a.user WHERE {ws_col} = (SELECT k FROM keys WHERE id = "));
            qb.push_bind(ws.to_owned()).push(")");
            if !comms.is_empty() {
                qb.push(" AND a.community IN (SELECT k FROM keys WHERE id IN (");
                let mut sep = qb.separated(", ");
                for c in &comms {
                    sep.push_bind(c.clone());
                }
                qb.push("))");
            }
            if let Some(r) = q.role_id {
                qb.push(" AND a.role = (SELECT k FROM keys WHERE id = ").push_bind(r.to_string()).push(")");
            }
            if let Some(t) = q.assignment_type {
                qb.push(" AND a.assignment_type = ").push_bind(t.as_str());
            }
            qb.push(")");
        }
        if let Some(tf) = q.two_factor {
            qb.push(" AND m.two_factor = ").push_bind(tf);
        }
        Self::common_conditions(qb, q, "m");
        // Pending invitations
        qb.push(" UNION ALL SELECT NULL, i.id, i.email, '', i.workspace_role, 0, 1, i.created_at FROM invitations i WHERE i.workspace_id = ");
        qb.push_bind(ws.to_owned());
        qb.push(" AND i.status = 'pending' AND i.expires_at > ").push_bind(now);
        if q.status == MemberStatus::Active || q.two_factor == Some(true) {
            qb.push(" AND 0");
        }
        if restrict_assign {
            qb.push(" AND EXISTS (SELECT 1 FROM invitation_assignments a WHERE a.invitation_id = i.id");
            Self::assignment_conditions(qb, q, &comms, "a");
            qb.push(")");
        }
        Self::common_conditions(qb, q, "i");
    }

    fn assignment_conditions(qb: &mut QueryBuilder<'_, Sqlite>, q: &MemberQuery, comms: &[String], a: &str) {
        if !comms.is_empty() {
            qb.push(format!(" AND {a}.community_id IN ("));
            let mut sep = qb.separated(", ");
            for c in comms {
                sep.push_bind(c.clone());
            }
            qb.push(")");
        }
        if let Some(r) = q.role_id {
            qb.push(format!(" AND {a}.role_id = ")).push_bind(r.to_string());
        }
        if let Some(t) = q.assignment_type {
            qb.push(format!(" AND {a}.assignment_type = ")).push_bind(t.as_str());
        }
    }

    fn common_conditions(qb: &mut QueryBuilder<'_, Sqlite>, q: &MemberQuery, t: &str) {
        if let Some(s) = q.search.as_deref().filter(|s| !s.trim().is_empty()) {
            let pat = like(s);
            if t == "m" {
                qb.push(" AND (m.email LIKE ").push_bind(pat.clone()).push(" ESCAPE '\\' OR lower(m.display_name) LIKE ").push_bind(pat).push(" ESCAPE '\\')");
            } else {
                qb.push(" AND i.email LIKE ").push_bind(pat).push(" ESCAPE '\\'");
            }
        }
        if let Some(r) = q.workspace_role {
            qb.push(if t == "m" { " AND m.role = " } else { " AND i.workspace_role = " }).push_bind(r.as_str());
        }
    }

    /// One page of the members table.
    pub async fn members(&self, q: &MemberQuery, now: DateTime<Utc>) -> Result<MemberPage> {
        let ws = q.workspace_id.map(|w| w.to_string()).unwrap_or_default();
        let now_ms = now.timestamp_millis();
        // One evaluation of the filters gives the page and, through the window, the total.
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT *, COUNT(*) OVER () AS total FROM (");
        Self::member_filter(&mut qb, q, &ws, now_ms);
        let dir = if q.descending { "DESC" } else { "ASC" };
        let order = match q.sort {
            MemberSort::Email => format!("email {dir}"),
            MemberSort::Name => format!("CASE WHEN display_name = '' THEN email ELSE lower(display_name) END {dir}, email"),
            MemberSort::Role => format!("CASE role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END {dir}, email"),
            MemberSort::Joined => format!("since {dir}, email"),
        };
        qb.push(format!(") ORDER BY {order} LIMIT ")).push_bind(q.limit.clamp(1, 1000) as i64).push(" OFFSET ").push_bind(q.offset as i64);
        let rows = qb.build().fetch_all(self.pool()).await?;
        let total: i64 = match rows.first() {
            Some(r) => r.try_get("total")?,
            // Past the last page: count on its own.
            None if q.offset > 0 => {
                let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM (");
                Self::member_filter(&mut count, q, &ws, now_ms);
                count.push(")");
                count.build_query_scalar().fetch_one(self.pool()).await?
            }
            None => 0,
        };

        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let user_id: Option<String> = r.try_get("user_id")?;
            let invitation_id: Option<String> = r.try_get("invitation_id")?;
            let role: String = r.try_get("role")?;
            out.push(MemberRow {
                user_id: user_id.and_then(|u| u.parse().ok()),
                invitation_id: invitation_id.and_then(|i| i.parse().ok()),
                email: r.try_get("email")?,
                display_name: r.try_get("display_name")?,
                workspace_role: role.parse().unwrap_or(WorkspaceRole::Member),
                two_factor_enabled: r.try_get("two_factor")?,
                pending: r.try_get("pending")?,
                since: DateTime::from_timestamp_millis(r.try_get("since")?).unwrap_or_default(),
                roles: vec![],
            });
        }
        // The page's roles, in one query per kind of row.
        let users: Vec<String> = out.iter().filter_map(|r| r.user_id.map(|u| u.to_string())).collect();
        if !users.is_empty() {
            let mut qb = QueryBuilder::<Sqlite>::new(
                "SELECT u.id, c.id, r.id, a.assignment_type FROM assignments a JOIN keys u ON u.k = a.user JOIN keys c ON c.k = a.community \
                 JOIN keys r ON r.k = a.role WHERE a.ws = (SELECT k FROM keys WHERE id = ",
            );
            qb.push_bind(ws.clone()).push(") AND a.user IN (SELECT k FROM keys WHERE id IN (");
            let mut sep = qb.separated(", ");
            for u in &users {
                sep.push_bind(u.clone());
            }
            qb.push(")) ORDER BY c.id, r.id");
            for r in qb.build().fetch_all(self.pool()).await? {
                let uid: String = r.get(0);
                if let Some(row) = out.iter_mut().find(|x| x.user_id.map(|u| u.to_string()).as_deref() == Some(uid.as_str())) {
                    row.roles.push(row_role(&r)?);
                }
            }
        }
        let invs: Vec<String> = out.iter().filter_map(|r| r.invitation_id.map(|u| u.to_string())).collect();
        if !invs.is_empty() {
            let mut qb = QueryBuilder::<Sqlite>::new("SELECT invitation_id, community_id, role_id, assignment_type FROM invitation_assignments WHERE invitation_id IN (");
            let mut sep = qb.separated(", ");
            for i in &invs {
                sep.push_bind(i.clone());
            }
            qb.push(")");
            for r in qb.build().fetch_all(self.pool()).await? {
                let iid: String = r.get(0);
                if let Some(row) = out.iter_mut().find(|x| x.invitation_id.map(|u| u.to_string()).as_deref() == Some(iid.as_str())) {
                    row.roles.push(row_role(&r)?);
                }
            }
        }
        Ok(MemberPage { rows: out, total: total as u64 })
    }

    pub async fn member(&self, ws: WorkspaceId, user: UserId) -> Result<Option<MemberDetail>> {
        let m: Option<String> = sqlx::query_scalar("SELECT data FROM members WHERE workspace_id = ? AND user_id = ?")
            .bind(ws.to_string())
            .bind(user.to_string())
            .fetch_optional(self.pool())
            .await?;
        let Some(m) = m else { return Ok(None) };
        let member: Member = data(&m)?;
        let rows = sqlx::query(
            "SELECT a.id, c.id, r.id, a.assignment_type FROM assignments a JOIN keys c ON c.k = a.community JOIN keys r ON r.k = a.role \
             WHERE a.ws = (SELECT k FROM keys WHERE id = ?) AND a.user = (SELECT k FROM keys WHERE id = ?) ORDER BY c.id",
        )
            .bind(ws.to_string())
            .bind(user.to_string())
            .fetch_all(self.pool())
            .await?;
        let mut assignments = Vec::new();
        for r in &rows {
            let rr = row_role_at(r, 1)?;
            assignments.push(RoleAssignment {
                id: r.get::<String, _>(0).parse().map_err(|_| crate::error::ClientError::internal("bad cached id"))?,
                workspace_id: ws,
                community_id: rr.community_id,
                user_id: user,
                role_id: rr.role_id,
                assignment_type: rr.assignment_type,
                created_at: member.joined_at,
            });
        }
        let roles = self.roles(ws).await?;
        let grants: BTreeMap<RoleId, RoleGrant> = roles
            .iter()
            .map(|r| {
                (r.id, RoleGrant { role_id: r.id, role_name: r.name.to_string(), kind: r.kind, permissions: r.permissions.iter().copied().collect(), intake_scope: r.intake_scope.iter().copied().collect() })
            })
            .collect();
        let permissions = EffectivePermissions::union(Some(member.role), assignments.iter().filter_map(|a| grants.get(&a.role_id).map(|g| (a.community_id, g))));
        Ok(Some(MemberDetail { member, assignments, permissions }))
    }

    /// Aggregates over a set of communities of one workspace.
    ///
    /// Read from the counts the triggers keep beside the assignments (and the per-workspace
    /// daily alert sums), so the cost follows the number of communities, not of assignments.
    /// Counts per person (distinct holders) cannot be summed over communities; they are counted
    /// over the chosen communities when those are fewer than the rest of the workspace's, else
    /// as the workspace's holders minus those whose every assignment is among the rest.
    pub async fn aggregate(&self, ws: WorkspaceId, communities: &[CommunityId], now: DateTime<Utc>) -> Result<Aggregate> {
        let wss = ws.to_string();
        let ids: Vec<String> = communities.iter().map(|c| c.to_string()).collect();
        // One read transaction: every figure from the same state, even while a sync commits.
        let mut tx = self.pool().begin().await?;
        let wk: Option<i64> = sqlx::query_scalar("SELECT k FROM keys WHERE id = ?").bind(&wss).fetch_optional(&mut *tx).await?;
        let wk = wk.unwrap_or(-1);
        let mut chosen: BTreeSet<i64> = BTreeSet::new();
        for chunk in ids.chunks(500) {
            let mut qb = QueryBuilder::<Sqlite>::new("SELECT k FROM keys WHERE id IN (");
            let mut sep = qb.separated(", ");
            for c in chunk {
                sep.push_bind(c.clone());
            }
            qb.push(")");
            chosen.extend(qb.build_query_scalar::<i64>().fetch_all(&mut *tx).await?);
        }
        // The workspace's communities holding roles, and whether a chosen one holds them elsewhere.
        let held: BTreeSet<i64> = sqlx::query_scalar("SELECT DISTINCT community FROM role_counts WHERE ws = ?").bind(wk).fetch_all(&mut *tx).await?.into_iter().collect();
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM role_counts WHERE ws != ");
        qb.push_bind(wk).push(" AND community IN ");
        push_list(&mut qb, &chosen);
        let elsewhere = qb.build_query_scalar::<i64>().fetch_one(&mut *tx).await? > 0;
        let rest: Vec<i64> = held.difference(&chosen).copied().collect();
        let by_rest = !elsewhere && rest.len() < held.intersection(&chosen).count();

        let mut matrix: BTreeMap<CommunityId, BTreeMap<RoleId, u64>> = BTreeMap::new();
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT c.id, r.id, x.n FROM role_counts x JOIN keys c ON c.k = x.community JOIN keys r ON r.k = x.role WHERE x.community IN ");
        push_list(&mut qb, &chosen);
        for r in qb.build().fetch_all(&mut *tx).await? {
            let c: CommunityId = r.get::<String, _>(0).parse().unwrap_or_default();
            let role: RoleId = r.get::<String, _>(1).parse().unwrap_or_default();
            matrix.entry(c).or_default().insert(role, r.get::<i64, _>(2) as u64);
        }

        let mut role_distribution = BTreeMap::new();
        let mut qb = if by_rest {
            // Holders in the workspace, less those holding the role only in the rest.
            let mut qb = QueryBuilder::<Sqlite>::new("SELECT r.id, t.n");
            if !rest.is_empty() {
                qb.push(" - COALESCE((SELECT COUNT(*) FROM (SELECT user, COUNT(*) AS k FROM assignments WHERE community IN ");
                push_list(&mut qb, &rest);
                qb.push(" AND role = t.role AND +ws = ").push_bind(wk).push(" GROUP BY user) x JOIN role_holders h ON h.ws = ").push_bind(wk);
                qb.push(" AND h.role = t.role AND h.user = x.user WHERE h.n = x.k), 0)");
            }
            qb.push(" FROM (SELECT role, COUNT(*) AS n FROM role_holders WHERE ws = ").push_bind(wk).push(" GROUP BY role) t JOIN keys r ON r.k = t.role");
            qb
        } else {
            let mut qb = QueryBuilder::<Sqlite>::new("SELECT r.id, t.n FROM (SELECT role, COUNT(*) AS n FROM (SELECT DISTINCT role, user FROM assignments WHERE +ws = ");
            qb.push_bind(wk).push(" AND community IN ");
            push_list(&mut qb, &chosen);
            qb.push(") GROUP BY role) t JOIN keys r ON r.k = t.role");
            qb
        };
        for r in qb.build().fetch_all(&mut *tx).await? {
            let n = r.get::<i64, _>(1) as u64;
            if n > 0 {
                role_distribution.insert(r.get::<String, _>(0).parse().unwrap_or_default(), n);
            }
        }

        let mut qb = if by_rest {
            // People with a role in the workspace, less those whose every role is in the rest.
            let mut qb = QueryBuilder::<Sqlite>::new(
                "SELECT COUNT(*), COALESCE(SUM(m.two_factor), 0) FROM user_holdings h JOIN keys u ON u.k = h.user JOIN members m ON m.user_id = u.id AND m.workspace_id = ",
            );
            qb.push_bind(wss.clone());
            if !rest.is_empty() {
                qb.push(" LEFT JOIN (SELECT user, COUNT(*) AS n FROM assignments WHERE community IN ");
                push_list(&mut qb, &rest);
                qb.push(" AND +ws = ").push_bind(wk).push(" GROUP BY user) x ON x.user = h.user");
            }
            qb.push(" WHERE h.ws = ").push_bind(wk);
            if !rest.is_empty() {
                qb.push(" AND h.n > COALESCE(x.n, 0)");
            }
            qb
        } else {
            // The distinct holders are collected once (an EXISTS probe per member with a
            // 1,000-community IN list measured 10× slower on mssp-large).
            let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(*), COALESCE(SUM(m.two_factor), 0) FROM members m WHERE m.workspace_id = ");
            qb.push_bind(wss.clone()).push(" AND m.user_id IN (SELECT id FROM keys WHERE k IN (SELECT DISTINCT user FROM assignments WHERE community IN ");
            push_list(&mut qb, &chosen);
            qb.push("))");
            qb
        };
        let r = qb.build().fetch_one(&mut *tx).await?;
        let (members, members_with_2fa) = (r.get::<i64, _>(0) as u64, r.get::<i64, _>(1) as u64);

        let in_list = |qb: &mut QueryBuilder<'_, Sqlite>| {
            qb.push("(");
            let mut sep = qb.separated(", ");
            for c in &ids {
                sep.push_bind(c.clone());
            }
            qb.push(")");
        };
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM invitations i WHERE i.workspace_id = ");
        qb.push_bind(wss.clone()).push(" AND i.status = 'pending' AND i.expires_at > ").push_bind(now.timestamp_millis());
        qb.push(" AND i.id IN (SELECT invitation_id FROM invitation_assignments WHERE community_id IN ");
        in_list(&mut qb);
        qb.push(")");
        let pending_invitations = qb.build_query_scalar::<i64>().fetch_one(&mut *tx).await? as u64;
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM api_keys WHERE revoked = 0 AND community_id IN ");
        in_list(&mut qb);
        let api_keys = qb.build_query_scalar::<i64>().fetch_one(&mut *tx).await? as u64;

        // Alert volumes: the same choice, between the chosen communities' rows and the
        // workspace's daily sums less the rest's rows.
        let fetched: BTreeSet<String> =
            sqlx::query_scalar("SELECT community_id FROM alert_volume_communities WHERE workspace_id = ?").bind(&wss).fetch_all(&mut *tx).await?.into_iter().collect();
        let wanted: BTreeSet<String> = ids.iter().cloned().collect();
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM alert_volume_communities WHERE workspace_id != ");
        qb.push_bind(wss.clone()).push(" AND community_id IN ");
        in_list(&mut qb);
        let elsewhere = qb.build_query_scalar::<i64>().fetch_one(&mut *tx).await? > 0;
        let rest: Vec<&String> = fetched.difference(&wanted).collect();
        // day → (alerts, rows)
        let mut days: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        if !elsewhere && rest.len() < fetched.intersection(&wanted).count() {
            for r in sqlx::query("SELECT day, alerts, rows FROM alert_volume_totals WHERE workspace_id = ?").bind(&wss).fetch_all(&mut *tx).await? {
                days.insert(r.get(0), (r.get(1), r.get(2)));
            }
            let mut qb = QueryBuilder::<Sqlite>::new("SELECT day, SUM(alerts), COUNT(*) FROM alert_volumes WHERE community_id IN (");
            let mut sep = qb.separated(", ");
            for c in &rest {
                sep.push_bind(c.to_string());
            }
            qb.push(") GROUP BY day");
            for r in qb.build().fetch_all(&mut *tx).await? {
                let e = days.entry(r.get(0)).or_default();
                e.0 -= r.get::<i64, _>(1);
                e.1 -= r.get::<i64, _>(2);
            }
        } else {
            let mut qb = QueryBuilder::<Sqlite>::new("SELECT day, SUM(alerts), COUNT(*) FROM alert_volumes WHERE community_id IN ");
            in_list(&mut qb);
            qb.push(" GROUP BY day");
            for r in qb.build().fetch_all(&mut *tx).await? {
                days.insert(r.get(0), (r.get(1), r.get(2)));
            }
        }
        let alert_volume = days.into_iter().filter(|(_, (_, rows))| *rows > 0).filter_map(|(d, (n, _))| Some((d.parse().ok()?, n as u64))).collect();
        tx.commit().await?;
        Ok(Aggregate { matrix, role_distribution, members, members_with_2fa, pending_invitations, api_keys, alert_volume })
    }
}

/// `(a, b, …)` of numbers, inlined (they come from the cache, not from a caller).
fn push_list<'b>(qb: &mut QueryBuilder<'_, Sqlite>, ks: impl IntoIterator<Item = &'b i64>) {
    let list: Vec<String> = ks.into_iter().map(|k| k.to_string()).collect();
    qb.push(format!("({})", list.join(", ")));
}

/// Rows of one `data` column, each an entity's JSON.
fn entities<T: serde::de::DeserializeOwned>(rows: &[sqlx::sqlite::SqliteRow]) -> Result<Vec<T>> {
    rows.iter().map(|r| data(r.get::<&str, _>(0))).collect()
}

fn row_role(r: &sqlx::sqlite::SqliteRow) -> Result<RowRole> {
    row_role_at(r, 1)
}

fn row_role_at(r: &sqlx::sqlite::SqliteRow, at: usize) -> Result<RowRole> {
    let bad = |_| crate::error::ClientError::internal("A cached role assignment could not be read; a full resync repairs the cache.");
    Ok(RowRole {
        community_id: r.get::<String, _>(at).parse().map_err(bad)?,
        role_id: r.get::<String, _>(at + 1).parse().map_err(bad)?,
        assignment_type: r.get::<String, _>(at + 2).parse().map_err(|_| crate::error::ClientError::internal("bad cached assignment type"))?,
    })
}
