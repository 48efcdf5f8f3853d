//! The members table: members and pending invitations of a workspace, filtered, sorted and
//! paged in the database, each row with its community roles.

use super::super::Cache;
use super::*;
use crate::error::{ClientError, ErrorCode};
use chrono::{DateTime, Utc};
use tenancy::*;
use serde::{Deserialize, Serialize};

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
    /// A client contact's (or their invitation's) community.
    pub contact_of: Option<CommunityId>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberPage {
    pub rows: Vec<MemberRow>,
    /// All rows matching the filters, for the scrollbar.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: u64,
}

impl Cache {
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
        match q.workspace_role {
            Some(r) => {
                qb.push(if t == "m" { " AND m.role = " } else { " AND i.workspace_role = " }).push_bind(r.as_str());
            }
            // Client contacts are listed apart (asked for by their role).
            None => {
                qb.push(if t == "m" { " AND m.role <> 'client'" } else { " AND i.workspace_role <> 'client'" });
            }
        }
    }

    /// One page of the members table.
    pub async fn members(&self, q: &MemberQuery, now: DateTime<Utc>) -> Result<MemberPage> {
        let Some(ws) = q.workspace_id.map(|w| w.to_string()) else {
            return Err(ClientError::new(ErrorCode::Validation, "Pick a workspace first."));
        };
        if !(1..=1000).contains(&q.limit) {
            return Err(ClientError::new(ErrorCode::Validation, format!("A page holds 1 to 1000 rows; {} was asked for.", q.limit)));
        }
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
        qb.push(format!(") ORDER BY {order} LIMIT ")).push_bind(q.limit as i64).push(" OFFSET ").push_bind(q.offset as i64);
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
                contact_of: None,
            });
        }
        // Client contacts' communities, from their data: one query for the page's contacts.
        let contacts: Vec<String> = out.iter().filter(|r| r.workspace_role == WorkspaceRole::Client).filter_map(|r| r.user_id.map(|u| u.to_string()).or(r.invitation_id.map(|i| i.to_string()))).collect();
        if !contacts.is_empty() {
            let mut qb = QueryBuilder::<Sqlite>::new("SELECT user_id, json_extract(data, '$.contact_of') FROM members WHERE role = 'client' AND workspace_id = ");
            qb.push_bind(ws.clone()).push(" AND user_id IN (");
            let mut sep = qb.separated(", ");
            for id in &contacts {
                sep.push_bind(id.clone());
            }
            qb.push(") UNION ALL SELECT id, json_extract(data, '$.contact_of') FROM invitations WHERE workspace_role = 'client' AND workspace_id = ");
            qb.push_bind(ws.clone()).push(" AND id IN (");
            let mut sep = qb.separated(", ");
            for id in &contacts {
                sep.push_bind(id.clone());
            }
            qb.push(")");
            let of: std::collections::HashMap<String, Option<String>> = qb.build_query_as::<(String, Option<String>)>().fetch_all(self.pool()).await?.into_iter().collect();
            for row in out.iter_mut().filter(|r| r.workspace_role == WorkspaceRole::Client) {
                let id = row.user_id.map(|u| u.to_string()).or(row.invitation_id.map(|i| i.to_string()));
                row.contact_of = id.and_then(|id| of.get(&id).cloned().flatten()).and_then(|c| c.parse().ok());
            }
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
}
