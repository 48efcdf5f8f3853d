//! One member's detail: their membership, every role assignment, and their effective
//! permissions with where each comes from.

use super::super::{data, Cache};
use super::*;
use tenancy::wire::*;
use tenancy::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A member's detail: their row, every assignment, and effective permissions with provenance.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberDetail {
    pub member: Member,
    pub assignments: Vec<RoleAssignment>,
    pub permissions: EffectivePermissions,
}

impl Cache {
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
        let grants: BTreeMap<RoleId, RoleGrant> = roles.iter().map(|r| (r.id, RoleGrant::from(r))).collect();
        let permissions = EffectivePermissions::union(Some(member.role), assignments.iter().filter_map(|a| grants.get(&a.role_id).map(|g| (a.community_id, g))));
        Ok(Some(MemberDetail { member, assignments, permissions }))
    }
}
