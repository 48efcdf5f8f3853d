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
            // One row per person, their roles in one text ("community role type", comma
            // separated; ids and types hold neither), sorted here as `ORDER BY c.id, r.id` did:
            // SQLite hands rows over one by one at about 2 µs each, and a page's thousand roles
            // as rows cost more than the query.
            // SEARCH a USING INDEX assignments_user (ws=? AND user=?)
            // SEARCH u/c/r USING INTEGER PRIMARY KEY (rowid=?)
            let mut qb = QueryBuilder::<Sqlite>::new(
                "SELECT u.id, group_concat(c.id || ' ' || r.id || ' ' || a.assignment_type, ',') FROM assignments a JOIN keys u ON u.k = a.user \
                 JOIN keys c ON c.k = a.community JOIN keys r ON r.k = a.role WHERE a.ws = (SELECT k FROM keys WHERE id = ",
            );
            qb.push_bind(ws.clone()).push(") AND a.user IN (SELECT k FROM keys WHERE id IN (");
            let mut sep = qb.separated(", ");
            for u in &users {
                sep.push_bind(u.clone());
            }
            qb.push(")) GROUP BY a.user");
            // Each person's roles to their row through a map (finding the row by formatting every
            // row's id for each role took longer than the query).
            let at: std::collections::HashMap<&str, usize> = users.iter().map(String::as_str).zip(out.iter().enumerate().filter(|(_, r)| r.user_id.is_some()).map(|(i, _)| i)).collect();
            for (uid, held) in qb.build_query_as::<(String, String)>().fetch_all(self.pool()).await? {
                let Some(&i) = at.get(uid.as_str()) else { continue };
                let mut roles: Vec<[&str; 3]> = held
                    .split(',')
                    .map(|r| {
                        let mut it = r.splitn(3, ' ');
                        [it.next().unwrap_or_default(), it.next().unwrap_or_default(), it.next().unwrap_or_default()]
                    })
                    .collect();
                roles.sort_by(|a, b| (a[0], a[1]).cmp(&(b[0], b[1])));
                for [c, r, t] in roles {
                    out[i].roles.push(parse_role(c, r, t)?);
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
            let at: std::collections::HashMap<&str, usize> = invs.iter().map(String::as_str).zip(out.iter().enumerate().filter(|(_, r)| r.invitation_id.is_some()).map(|(i, _)| i)).collect();
            for r in qb.build().fetch_all(self.pool()).await? {
                if let Some(&i) = at.get(r.get::<&str, _>(0)) {
                    out[i].roles.push(row_role(&r)?);
                }
            }
        }
        Ok(MemberPage { rows: out, total: total as u64 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tenancy::wire::{Change, ChangeOp, EntityKind};
    use uuid::Uuid;

    /// The roles of a page's rows, each row's as the query before issue 16 listed them (one row
    /// per role, `ORDER BY c.id, r.id`), on random people and roles; and the text search and
    /// the filters finding the same people as the plain query over every member.
    #[tokio::test]
    async fn page_rows_hold_their_roles_in_order_and_filters_find_the_same_people() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("c.db")).await.unwrap();
        let mut next = super::super::random_below(0x2545_f491_4f6c_dd1du64);
        let ws = Uuid::now_v7();
        let communities: Vec<Uuid> = (0..12).map(|_| Uuid::now_v7()).collect();
        let roles: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
        let names = ["Ana García", "Bo Chen", "Garcia Lopez", "Dmitri Costa", "Émile Zola", "sam_o'neil", "Li 100%"];
        let change = |kind, id: String, data| Change { seq: 1, workspace_id: Some(ws.into()), kind, id, op: ChangeOp::Upsert, data: Some(data), at: Utc::now() };
        let mut changes = Vec::new();
        let mut people = Vec::new();
        for i in 0..300 {
            let user = Uuid::now_v7();
            people.push(user);
            let name = names[next(names.len())];
            let email = format!("{}.{i}@{}.example", name.to_lowercase().replace([' ', '%', '\''], ""), ["acme", "garcia-corp", "x"][next(3)]);
            let role = ["member", "member", "admin", "client"][next(4)];
            changes.push(change(
                EntityKind::Member,
                format!("{ws}:{user}"),
                json!({"workspace_id": ws, "user_id": user, "email": email, "display_name": name, "role": role, "two_factor_enabled": next(2) == 0, "joined_at": "2026-01-01T00:00:00Z"}),
            ));
            for _ in 0..next(6) {
                let id = Uuid::now_v7();
                let t = ["dedicated", "pool", "escalation"][next(3)];
                changes.push(change(
                    EntityKind::Assignment,
                    id.to_string(),
                    json!({"id": id, "workspace_id": ws, "community_id": communities[next(communities.len())], "user_id": user, "role_id": roles[next(roles.len())], "assignment_type": t, "created_at": "2026-01-01T00:00:00Z"}),
                ));
            }
        }
        cache.apply(&changes, 1, Utc::now()).await.unwrap();
        let now = Utc::now();
        let wsid: WorkspaceId = ws.into();
        let queries = vec![
            MemberQuery { workspace_id: Some(wsid), limit: 1000, ..Default::default() },
            MemberQuery { workspace_id: Some(wsid), search: Some("garcia".into()), limit: 1000, ..Default::default() },
            MemberQuery { workspace_id: Some(wsid), search: Some("GA".into()), sort: MemberSort::Name, limit: 1000, ..Default::default() },
            MemberQuery { workspace_id: Some(wsid), search: Some("100%".into()), limit: 1000, ..Default::default() },
            MemberQuery { workspace_id: Some(wsid), search: Some("_".into()), limit: 1000, ..Default::default() },
            MemberQuery { workspace_id: Some(wsid), search: Some("é".into()), limit: 1000, ..Default::default() },
            MemberQuery {
                workspace_id: Some(wsid),
                communities: communities[..4].iter().map(|c| (*c).into()).collect(),
                role_id: Some(roles[1].into()),
                two_factor: Some(true),
                limit: 1000,
                ..Default::default()
            },
            MemberQuery { workspace_id: Some(wsid), role_id: Some(roles[2].into()), workspace_role: Some(WorkspaceRole::Client), limit: 1000, ..Default::default() },
        ];
        for q in &queries {
            let page = cache.members(q, now).await.unwrap();
            assert_eq!(page.total as usize, page.rows.len(), "{q:?}: one page holds them all");
            // The people, as the plain filters say over every member.
            let needle = q.search.as_deref().map(|s| s.trim().to_lowercase());
            let mut want = Vec::new();
            for r in sqlx::query("SELECT user_id, email, display_name, role, two_factor FROM members WHERE workspace_id = ?").bind(ws.to_string()).fetch_all(cache.pool()).await.unwrap() {
                let (user, email, name, role, tf): (String, String, String, String, bool) = (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
                // LIKE folds ASCII case only, as SQLite's lower() does.
                let found = needle.as_deref().is_none_or(|n| email.to_ascii_lowercase().contains(n) || name.to_ascii_lowercase().contains(n));
                let role_ok = match q.workspace_role {
                    Some(w) => role == w.as_str(),
                    None => role != "client",
                };
                let held: Vec<(String, String)> = sqlx::query_as("SELECT c.id, r.id FROM assignments a JOIN keys u ON u.k = a.user JOIN keys c ON c.k = a.community JOIN keys r ON r.k = a.role WHERE u.id = ?")
                    .bind(&user)
                    .fetch_all(cache.pool())
                    .await
                    .unwrap();
                let comms: Vec<String> = q.communities.iter().map(|c| c.to_string()).collect();
                let holds = q.role_id.is_none() && comms.is_empty()
                    || held.iter().any(|(c, r)| (comms.is_empty() || comms.contains(c)) && q.role_id.is_none_or(|x| x.to_string() == *r));
                if found && role_ok && holds && q.two_factor.is_none_or(|t| t == tf) {
                    want.push(user);
                }
            }
            let mut got: Vec<String> = page.rows.iter().map(|r| r.user_id.unwrap().to_string()).collect();
            got.sort();
            want.sort();
            assert_eq!(got, want, "{q:?}: the people found");
            // Each row's roles, as the one-row-per-role query listed them.
            for row in &page.rows {
                let old: Vec<(String, String, String)> = sqlx::query_as(
                    "SELECT c.id, r.id, a.assignment_type FROM assignments a JOIN keys u ON u.k = a.user JOIN keys c ON c.k = a.community \
                     JOIN keys r ON r.k = a.role WHERE u.id = ? ORDER BY c.id, r.id",
                )
                .bind(row.user_id.unwrap().to_string())
                .fetch_all(cache.pool())
                .await
                .unwrap();
                let got: Vec<(String, String, String)> = row.roles.iter().map(|r| (r.community_id.to_string(), r.role_id.to_string(), r.assignment_type.as_str().to_owned())).collect();
                // (Ties of community and role keep no order in either.)
                let key = |v: &[(String, String, String)]| v.iter().map(|x| (x.0.clone(), x.1.clone())).collect::<Vec<_>>();
                assert_eq!(key(&got), key(&old), "{q:?}: the roles of {} in order", row.email);
                let mut a = got.clone();
                let mut b = old.clone();
                a.sort();
                b.sort();
                assert_eq!(a, b, "{q:?}: the roles of {}", row.email);
            }
        }
    }
}
