//! The overview of a set of communities: the role × community matrix, role distribution,
//! totals and 2FA coverage, and the alert volume over time.

use super::super::Cache;
use super::*;
use chrono::{DateTime, Utc};
use tenancy::*;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

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
    /// Aggregates over a set of communities of one workspace.
    ///
    /// Read from the counts the triggers keep beside the assignments (and the per-workspace
    /// daily alert sums), so the cost follows the number of communities, not of assignments.
    /// Counts per person (distinct holders) cannot be summed over communities; they are counted
    /// over the chosen communities when those are fewer than the rest of the workspace's, else
    /// as the workspace's holders minus those whose every assignment is among the rest.
    pub async fn aggregate(&self, ws: WorkspaceId, communities: &[CommunityId], now: DateTime<Utc>) -> Result<Aggregate> {
        if communities.is_empty() {
            return Err(crate::error::ClientError::new(crate::error::ErrorCode::Validation, "Select at least one community to aggregate."));
        }
        let wss = ws.to_string();
        let ids: Vec<String> = communities.iter().map(|c| c.to_string()).collect();
        // One read transaction: every figure from the same state, even while a sync commits.
        let mut tx = self.pool().begin().await?;
        let wk: Option<i64> = sqlx::query_scalar("SELECT k FROM keys WHERE id = ?").bind(&wss).fetch_optional(&mut *tx).await?;
        let wk = wk.unwrap_or(-1);
        // Each statement below answers in one row, or a few, however many communities are
        // chosen: handing SQLite's rows over one by one cost about 2 µs each, more than most of
        // these queries themselves (the 5,000 cells of a 1,000-community matrix were 10 ms as
        // rows, under 2 as one text).
        //
        // The chosen communities' numbers, and which community each number is (for the matrix,
        // so that each id is read once, not once per role).
        let given: std::collections::HashMap<&str, CommunityId> = ids.iter().map(String::as_str).zip(communities.iter().copied()).collect();
        let mut named: BTreeMap<i64, CommunityId> = BTreeMap::new();
        for chunk in ids.chunks(500) {
            // SEARCH keys USING COVERING INDEX sqlite_autoindex_keys_1 (id=?)
            let mut qb = QueryBuilder::<Sqlite>::new("SELECT group_concat(k || ' ' || id, ',') FROM keys WHERE id IN (");
            let mut sep = qb.separated(", ");
            for c in chunk {
                sep.push_bind(c.clone());
            }
            qb.push(")");
            let found: Option<String> = qb.build_query_scalar().fetch_one(&mut *tx).await?;
            for (k, id) in found.iter().flat_map(|f| f.split(',')).filter_map(|kid| kid.split_once(' ')) {
                if let (Ok(k), Some(c)) = (k.parse::<i64>(), given.get(id)) {
                    named.insert(k, *c);
                }
            }
        }
        let chosen: BTreeSet<i64> = named.keys().copied().collect();
        // Whether a chosen community holds roles in another workspace.
        // SEARCH role_counts USING PRIMARY KEY (community=?)
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM role_counts WHERE ws != ");
        qb.push_bind(wk).push(" AND community IN ");
        push_list(&mut qb, &chosen);
        let elsewhere = qb.build_query_scalar::<i64>().fetch_one(&mut *tx).await? > 0;
        // How many of the workspace's communities hold roles, and how many of those are chosen.
        // SEARCH role_counts USING COVERING INDEX role_counts_ws (ws=?), and a temporary b-tree
        // for each count(DISTINCT)
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(DISTINCT community), COUNT(DISTINCT CASE WHEN community IN ");
        push_list(&mut qb, &chosen);
        qb.push(" THEN community END) FROM role_counts WHERE ws = ").push_bind(wk);
        let (held, held_chosen): (i64, i64) = qb.build_query_as().fetch_one(&mut *tx).await?;
        let by_rest = !elsewhere && held - held_chosen < held_chosen;
        // The rest (the workspace's communities holding roles, not chosen): only when counting by
        // it, and then there are fewer of them than chosen ones.
        let rest: Vec<i64> = if by_rest && held > held_chosen {
            // SEARCH role_counts USING COVERING INDEX role_counts_ws (ws=?)
            let mut qb = QueryBuilder::<Sqlite>::new("SELECT group_concat(community) FROM (SELECT DISTINCT community FROM role_counts WHERE ws = ");
            qb.push_bind(wk).push(" AND community NOT IN ");
            push_list(&mut qb, &chosen);
            qb.push(")");
            let rest: Option<String> = qb.build_query_scalar().fetch_one(&mut *tx).await?;
            rest.iter().flat_map(|r| r.split(',')).filter_map(|k| k.parse().ok()).collect()
        } else {
            Vec::new()
        };

        // The matrix as numbers, in one text of "community role n" cells; the few roles' ids
        // read after.
        // SEARCH role_counts USING PRIMARY KEY (community=?)
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT group_concat(community || ' ' || role || ' ' || n, ',') FROM role_counts WHERE community IN ");
        push_list(&mut qb, &chosen);
        let cells: Option<String> = qb.build_query_scalar().fetch_one(&mut *tx).await?;
        let cells: Vec<(i64, i64, i64)> = cells
            .iter()
            .flat_map(|c| c.split(','))
            .filter_map(|cell| {
                let mut it = cell.split(' ').map(|x| x.parse::<i64>().ok());
                Some((it.next()??, it.next()??, it.next()??))
            })
            .collect();
        let role_keys: BTreeSet<i64> = cells.iter().map(|c| c.1).collect();
        let mut role_ids: std::collections::HashMap<i64, RoleId> = std::collections::HashMap::new();
        if !role_keys.is_empty() {
            // SEARCH keys USING INTEGER PRIMARY KEY (rowid=?)
            let mut qb = QueryBuilder::<Sqlite>::new("SELECT k, id FROM keys WHERE k IN ");
            push_list(&mut qb, &role_keys);
            for (k, id) in qb.build_query_as::<(i64, String)>().fetch_all(&mut *tx).await? {
                role_ids.insert(k, id.parse().unwrap_or_default());
            }
        }
        let mut matrix: BTreeMap<CommunityId, BTreeMap<RoleId, u64>> = BTreeMap::new();
        for (c, role, n) in cells {
            let (Some(c), Some(role)) = (named.get(&c), role_ids.get(&role)) else { continue };
            matrix.entry(*c).or_default().insert(*role, n as u64);
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
            // People with a role in the workspace, less those whose every role is in the rest;
            // their 2FA kept beside their count (NULL for a holder without a cached membership,
            // whom COUNT leaves out, as joining the members did).
            // SEARCH h USING PRIMARY KEY (ws=?)
            // (and, with a rest: SEARCH x USING AUTOMATIC COVERING INDEX (user=?) LEFT-JOIN)
            let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(h.two_factor), COALESCE(SUM(h.two_factor), 0) FROM user_holdings h");
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
        // SEARCH i USING INDEX invitations_ws (workspace_id=? AND status=?)
        // LIST SUBQUERY: SEARCH invitation_assignments USING INDEX invitation_assignments_c (community_id=?)
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM invitations i WHERE i.workspace_id = ");
        qb.push_bind(wss.clone()).push(" AND i.status = 'pending' AND i.expires_at > ").push_bind(now.timestamp_millis());
        qb.push(" AND i.id IN (SELECT invitation_id FROM invitation_assignments WHERE community_id IN ");
        in_list(&mut qb);
        qb.push(")");
        let pending_invitations = qb.build_query_scalar::<i64>().fetch_one(&mut *tx).await? as u64;
        // SEARCH api_keys USING INDEX api_keys_c (community_id=?)
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM api_keys WHERE revoked = 0 AND community_id IN ");
        in_list(&mut qb);
        let api_keys = qb.build_query_scalar::<i64>().fetch_one(&mut *tx).await? as u64;

        // Alert volumes: the same choice, between the chosen communities' rows and the
        // workspace's daily sums less the rest's rows (counted first, listed only when needed).
        // SEARCH alert_volume_communities USING INDEX sqlite_autoindex_alert_volume_communities_1 (community_id=?)
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM alert_volume_communities WHERE workspace_id != ");
        qb.push_bind(wss.clone()).push(" AND community_id IN ");
        in_list(&mut qb);
        let elsewhere = qb.build_query_scalar::<i64>().fetch_one(&mut *tx).await? > 0;
        // (A community is the table's key: counting rows counts communities.)
        // SEARCH alert_volume_communities USING INDEX alert_volume_communities_ws (workspace_id=?)
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(*), COALESCE(SUM(community_id IN ");
        in_list(&mut qb);
        qb.push("), 0) FROM alert_volume_communities WHERE workspace_id = ").push_bind(wss.clone());
        let (fetched, fetched_wanted): (i64, i64) = qb.build_query_as().fetch_one(&mut *tx).await?;
        let by_rest = !elsewhere && fetched - fetched_wanted < fetched_wanted;
        let rest: Vec<String> = if by_rest && fetched > fetched_wanted {
            let mut qb = QueryBuilder::<Sqlite>::new("SELECT community_id FROM alert_volume_communities WHERE workspace_id = ");
            qb.push_bind(wss.clone()).push(" AND community_id NOT IN ");
            in_list(&mut qb);
            qb.build_query_scalar().fetch_all(&mut *tx).await?
        } else {
            Vec::new()
        };
        // day → (alerts, rows)
        let mut days: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        if by_rest {
            for r in sqlx::query("SELECT day, alerts, rows FROM alert_volume_totals WHERE workspace_id = ?").bind(&wss).fetch_all(&mut *tx).await? {
                days.insert(r.get(0), (r.get(1), r.get(2)));
            }
            if !rest.is_empty() {
                let mut qb = QueryBuilder::<Sqlite>::new("SELECT day, SUM(alerts), COUNT(*) FROM alert_volumes WHERE community_id IN (");
                let mut sep = qb.separated(", ");
                for c in &rest {
                    sep.push_bind(c.clone());
                }
                qb.push(") GROUP BY day");
                for r in qb.build().fetch_all(&mut *tx).await? {
                    let e = days.entry(r.get(0)).or_default();
                    e.0 -= r.get::<i64, _>(1);
                    e.1 -= r.get::<i64, _>(2);
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tenancy::wire::{Change, ChangeOp, EntityKind};
    use uuid::Uuid;

    /// The aggregate equals the straightforward count over the assignments, for every community,
    /// one, all but one, a few and most (both ways of counting people), on random roles in two
    /// workspaces (people in both).
    #[tokio::test]
    async fn aggregate_equals_the_straightforward_count() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("c.db")).await.unwrap();
        let mut next = super::super::random_below(0x9e37_79b9_7f4a_7c15u64);
        let workspaces = [Uuid::now_v7(), Uuid::now_v7()];
        let communities: Vec<Vec<Uuid>> = workspaces.iter().map(|_| (0..9).map(|_| Uuid::now_v7()).collect()).collect();
        let roles: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let people: Vec<Uuid> = (0..60).map(|_| Uuid::now_v7()).collect();
        let mut changes = Vec::new();
        for (w, ws) in workspaces.iter().enumerate() {
            let change = |kind, id: String, data| Change { seq: 1, workspace_id: Some((*ws).into()), kind, id, op: ChangeOp::Upsert, data: Some(data), at: Utc::now() };
            for (i, user) in people.iter().enumerate().filter(|(i, _)| i % 2 == w || i % 3 == 0) {
                changes.push(change(
                    EntityKind::Member,
                    format!("{ws}:{user}"),
                    json!({"workspace_id": ws, "user_id": user, "email": format!("p{i}@x.example"), "display_name": "P", "role": "member", "two_factor_enabled": next(3) > 0, "joined_at": "2026-01-01T00:00:00Z"}),
                ));
                // (A person holds a role in a community once, as the server has it.)
                let mut held = BTreeSet::new();
                for _ in 0..next(5) {
                    let (c, r) = (next(8), next(3));
                    if !held.insert((c, r)) {
                        continue;
                    }
                    let id = Uuid::now_v7();
                    changes.push(change(
                        EntityKind::Assignment,
                        id.to_string(),
                        json!({"id": id, "workspace_id": ws, "community_id": communities[w][c], "user_id": user, "role_id": roles[r], "assignment_type": "pool", "created_at": "2026-01-01T00:00:00Z"}),
                    ));
                }
            }
        }
        cache.apply(&changes, 1, Utc::now()).await.unwrap();
        let now = Utc::now();
        for (w, ws) in workspaces.iter().enumerate() {
            // (The ninth community holds no role.)
            let all: Vec<CommunityId> = communities[w].iter().map(|c| (*c).into()).collect();
            let subsets = [all.clone(), all[..1].to_vec(), all[1..].to_vec(), all[2..5].to_vec(), all[..7].to_vec(), vec![all[8]], vec![all[0], all[0]]];
            for chosen in &subsets {
                let agg = cache.aggregate((*ws).into(), chosen, now).await.unwrap();
                let list = chosen.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", ");
                let from = format!(
                    "FROM assignments a JOIN keys c ON c.k = a.community JOIN keys r ON r.k = a.role JOIN keys u ON u.k = a.user WHERE a.workspace_id = '{ws}' AND c.id IN ({list})"
                );
                let cells: Vec<(String, String, i64)> = sqlx::query_as(&format!("SELECT c.id, r.id, COUNT(DISTINCT a.user) {from} GROUP BY c.id, r.id")).fetch_all(cache.pool()).await.unwrap();
                let mut matrix: BTreeMap<CommunityId, BTreeMap<RoleId, u64>> = BTreeMap::new();
                for (c, r, n) in cells {
                    matrix.entry(c.parse().unwrap()).or_default().insert(r.parse().unwrap(), n as u64);
                }
                assert_eq!(agg.matrix, matrix, "{w}/{}: matrix", chosen.len());
                let dist: Vec<(String, i64)> = sqlx::query_as(&format!("SELECT r.id, COUNT(DISTINCT a.user) {from} GROUP BY r.id")).fetch_all(cache.pool()).await.unwrap();
                let dist: BTreeMap<RoleId, u64> = dist.into_iter().map(|(r, n)| (r.parse().unwrap(), n as u64)).collect();
                assert_eq!(agg.role_distribution, dist, "{w}/{}: role distribution", chosen.len());
                let (n, tf): (i64, i64) = sqlx::query_as(&format!(
                    "SELECT COUNT(*), COALESCE(SUM(two_factor), 0) FROM members WHERE workspace_id = '{ws}' AND user_id IN (SELECT u.id {from})"
                ))
                .fetch_one(cache.pool())
                .await
                .unwrap();
                assert_eq!((agg.members, agg.members_with_2fa), (n as u64, tf as u64), "{w}/{}: members and 2FA", chosen.len());
            }
        }
    }
}
