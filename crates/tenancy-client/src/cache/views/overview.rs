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
