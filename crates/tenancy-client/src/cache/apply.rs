//! Applying changes to the mirror inside a transaction: ordinary runs grouped by kind into bulk
//! upserts, deletions, invitations (a row plus the roles they will give), and forgetting a whole
//! workspace the user has left.

use super::keys::Keys;
use super::rows;
use super::{data, ms};
use crate::error::{ClientError, Result};
use tenancy::wire::*;
use tenancy::UserId;

/// `(workspace, user)` when `c` is `me`'s own membership of a workspace.
pub(super) fn own_membership(c: &RawChange, me: UserId) -> Option<(String, String)> {
    if c.kind != EntityKind::Member {
        return None;
    }
    let key: MemberKey = c.id.parse().ok()?;
    (key.user == me).then(|| (key.workspace.to_string(), key.user.to_string()))
}

pub(super) async fn member_exists(c: &mut sqlx::SqliteConnection, ws: &str, user: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM members WHERE workspace_id = ? AND user_id = ?").bind(ws).bind(user).fetch_one(&mut *c).await?;
    Ok(n > 0)
}

pub(super) async fn workspace_cached(c: &mut sqlx::SqliteConnection, ws: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM workspaces WHERE id = ?").bind(ws).fetch_one(&mut *c).await?;
    Ok(n > 0)
}

/// Where `me` sees a workspace confined to their communities, the people they see are
/// themself and those holding a role they see: anyone else left (their last such role
/// deleted) is dropped.
/// Returns whether anyone was.
pub(super) async fn forget_unseen_people(c: &mut sqlx::SqliteConnection, ws: &str, me: &str) -> Result<bool> {
    let r = sqlx::query(
        "DELETE FROM members WHERE workspace_id = ?1 AND user_id <> ?2 \
         AND EXISTS (SELECT 1 FROM members m WHERE m.workspace_id = ?1 AND m.user_id = ?2 AND m.role NOT IN ('owner', 'admin')) \
         AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.ws = (SELECT k FROM keys WHERE id = ?1) AND a.user = (SELECT k FROM keys WHERE id = members.user_id))",
    )
    .bind(ws)
    .bind(me)
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected() > 0)
}

/// Drops the numbers of ids no assignment refers to any more (the counts kept beside the
/// assignments refer to the same ones), so that what left the user's sight leaves the file's
/// `keys` table too. Returns whether any went (the numbering then has to be read again).
pub(super) async fn forget_unused_keys(c: &mut sqlx::SqliteConnection) -> Result<bool> {
    let r = sqlx::query(
        "DELETE FROM keys WHERE k NOT IN (SELECT ws FROM assignments UNION SELECT community FROM assignments \
         UNION SELECT user FROM assignments UNION SELECT role FROM assignments)",
    )
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected() > 0)
}

/// Drops every row of a workspace the user no longer belongs to.
pub(super) async fn forget_workspace(tx: &mut sqlx::SqliteConnection, ws: &str) -> Result<()> {
    for sql in [
        "DELETE FROM alert_volumes WHERE community_id IN (SELECT id FROM communities WHERE workspace_id = ?1 UNION SELECT community_id FROM alert_volume_communities WHERE workspace_id = ?1)",
        "DELETE FROM alert_volume_communities WHERE workspace_id = ?1",
        "DELETE FROM alert_volume_state WHERE workspace_id = ?1",
        "DELETE FROM alert_volume_totals WHERE workspace_id = ?1",
        "DELETE FROM invitation_assignments WHERE invitation_id IN (SELECT id FROM invitations WHERE workspace_id = ?1)",
        "DELETE FROM communities WHERE workspace_id = ?1",
        "DELETE FROM members WHERE workspace_id = ?1",
        "DELETE FROM roles WHERE workspace_id = ?1",
        // The counts first: the delete trigger then has nothing to take off, row by row.
        "DELETE FROM role_counts WHERE ws = (SELECT k FROM keys WHERE id = ?1)",
        "DELETE FROM role_holders WHERE ws = (SELECT k FROM keys WHERE id = ?1)",
        "DELETE FROM user_holdings WHERE ws = (SELECT k FROM keys WHERE id = ?1)",
        "DELETE FROM assignments WHERE ws = (SELECT k FROM keys WHERE id = ?1)",
        "DELETE FROM invitations WHERE workspace_id = ?1",
        "DELETE FROM api_keys WHERE workspace_id = ?1",
        "DELETE FROM intakes WHERE workspace_id = ?1",
        "DELETE FROM workspaces WHERE id = ?1",
    ] {
        sqlx::query(sql).bind(ws).execute(&mut *tx).await?;
    }
    Ok(())
}


/// Applies changes: each kind's changes in their order, kinds one after another (they live in
/// separate tables, so their relative order does not matter), consecutive upserts of a kind in
/// multi-row statements. A feed interleaves kinds (a member, then its assignments), so grouping
/// first turns thousands of small statements into a few large ones.
pub(super) async fn apply_many(tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>, changes: &[&RawChange], keys: &mut Keys<'_>) -> Result<()> {
    let mut by_kind: Vec<(EntityKind, Vec<&RawChange>)> = Vec::new();
    for c in changes {
        match by_kind.iter_mut().find(|(k, _)| *k == c.kind) {
            Some((_, v)) => v.push(c),
            None => by_kind.push((c.kind, vec![c])),
        }
    }
    for (_, list) in by_kind {
        apply_in_order(tx, &list, keys).await?;
    }
    Ok(())
}

/// Applies changes of one kind in order, consecutive upserts in multi-row statements.
async fn apply_in_order(tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>, changes: &[&RawChange], keys: &mut Keys<'_>) -> Result<()> {
    let mut i = 0;
    while i < changes.len() {
        let c = changes[i];
        if rows::bulkable(c) {
            let n = changes[i..].iter().take_while(|x| x.kind == c.kind && rows::bulkable(x)).count();
            rows::upsert_many(tx, &changes[i..i + n], keys).await?;
            i += n;
        } else {
            apply_one(tx, c, keys).await?;
            i += 1;
        }
    }
    Ok(())
}

pub(super) async fn apply_one(tx: &mut sqlx::SqliteConnection, c: &RawChange, keys: &mut Keys<'_>) -> Result<()> {
    if rows::bulkable(c) {
        return rows::upsert_many(tx, &[c], keys).await;
    }
    let Some(d) = c.data.as_ref().filter(|_| c.op == ChangeOp::Upsert) else {
        match c.kind {
            EntityKind::Member => {
                let key: MemberKey = c.id.parse().map_err(ClientError::internal)?;
                sqlx::query("DELETE FROM members WHERE workspace_id = ? AND user_id = ?")
                    .bind(key.workspace.to_string())
                    .bind(key.user.to_string())
                    .execute(&mut *tx)
                    .await?;
            }
            EntityKind::Invitation => {
                sqlx::query("DELETE FROM invitations WHERE id = ?").bind(&c.id).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM invitation_assignments WHERE invitation_id = ?").bind(&c.id).execute(&mut *tx).await?;
            }
            kind => {
                let (table, _) = rows::layout(kind).expect("every kind but invitations has a one-row layout");
                sqlx::query(&format!("DELETE FROM {table} WHERE id = ?")).bind(&c.id).execute(&mut *tx).await?;
            }
        }
        return Ok(());
    };
    // Invitations: one row plus the community roles they will give.
    let json = d.get().to_owned();
    let inv: Invitation = data(&json)?;
    sqlx::query("DELETE FROM invitation_assignments WHERE invitation_id = ?").bind(&c.id).execute(&mut *tx).await?;
    for a in &inv.assignments {
        sqlx::query("INSERT INTO invitation_assignments (invitation_id, community_id, role_id, assignment_type) VALUES (?,?,?,?)")
            .bind(&c.id)
            .bind(a.community_id.to_string())
            .bind(a.role_id.to_string())
            .bind(a.assignment_type.as_str())
            .execute(&mut *tx)
            .await?;
    }
    let status = serde_json::to_value(inv.status).unwrap();
    sqlx::query("INSERT OR REPLACE INTO invitations (id, workspace_id, email, status, workspace_role, created_at, expires_at, data) VALUES (?,?,?,?,?,?,?,?)")
        .bind(&c.id)
        .bind(inv.workspace_id.to_string())
        .bind(inv.email.as_str().to_owned())
        .bind(status.as_str().unwrap_or("pending").to_owned())
        .bind(inv.workspace_role.as_str())
        .bind(ms(inv.created_at))
        .bind(ms(inv.expires_at))
        .bind(json)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
