//! Applying runs of upserts of one entity kind with multi-row statements: a full sync is
//! hundreds of thousands of rows, and one statement per row spends most of its time on the
//! statement, not the row.

use crate::error::Result;
use chrono::DateTime;
use serde_json::Value;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};
use std::collections::{HashMap, HashSet};
use tenancy::api::{Change, ChangeOp, EntityKind};

/// Rows per statement: well under SQLite's variable limit for the widest table (8 columns).
pub const CHUNK: usize = 500;

enum Val {
    T(String),
    I(i64),
    B(bool),
}

fn s(d: &Value, k: &str) -> Val {
    Val::T(d[k].as_str().unwrap_or_default().to_owned())
}

fn millis(d: &Value, k: &str) -> Val {
    Val::I(d[k].as_str().and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map(|t| t.timestamp_millis()).unwrap_or(0))
}

/// The table and columns an entity kind is stored in, for kinds stored as one row each.
pub fn layout(kind: EntityKind) -> Option<(&'static str, &'static [&'static str])> {
    Some(match kind {
        EntityKind::Workspace => ("workspaces", &["id", "slug", "name", "plan", "deleted", "data"]),
        EntityKind::Community => ("communities", &["id", "workspace_id", "slug", "name", "data"]),
        EntityKind::Member => ("members", &["workspace_id", "user_id", "email", "display_name", "two_factor", "role", "joined_at", "data"]),
        EntityKind::Role => ("roles", &["id", "workspace_id", "name", "kind", "data"]),
        EntityKind::Assignment => ("assignments", &["id"]),
        EntityKind::ApiKey => ("api_keys", &["id", "workspace_id", "community_id", "revoked", "data"]),
        EntityKind::Intake => ("intakes", &["id", "workspace_id", "community_id", "data"]),
        EntityKind::Invitation => return None,
    })
}

fn values(kind: EntityKind, id: &str, d: &Value) -> Vec<Val> {
    let json = || Val::T(d.to_string());
    let id = || Val::T(id.to_owned());
    match kind {
        EntityKind::Workspace => vec![id(), s(d, "slug"), s(d, "name"), s(d, "plan"), Val::B(!d["deleted_at"].is_null()), json()],
        EntityKind::Community => vec![id(), s(d, "workspace_id"), s(d, "slug"), s(d, "name"), json()],
        EntityKind::Member => vec![
            s(d, "workspace_id"),
            s(d, "user_id"),
            s(d, "email"),
            s(d, "display_name"),
            Val::B(d["two_factor_enabled"].as_bool().unwrap_or(false)),
            s(d, "role"),
            millis(d, "joined_at"),
            json(),
        ],
        EntityKind::Role => vec![id(), s(d, "workspace_id"), s(d, "name"), s(d, "kind"), json()],
        EntityKind::Assignment => unreachable!("assignments are numbered by upsert_assignments"),
        EntityKind::ApiKey => vec![id(), s(d, "workspace_id"), s(d, "community_id"), Val::B(!d["revoked_at"].is_null()), json()],
        EntityKind::Intake => vec![id(), s(d, "workspace_id"), s(d, "community_id"), json()],
        EntityKind::Invitation => vec![],
    }
}

/// Can this change go through [`upsert_many`]?
pub fn bulkable(c: &Change) -> bool {
    c.op == ChangeOp::Upsert && c.data.is_some() && layout(c.kind).is_some()
}

/// Upserts `changes` (all of one kind, all [`bulkable`]) in statements of up to [`CHUNK`] rows.
/// Later rows win over earlier ones for the same key, as applying them one by one would.
pub async fn upsert_many(tx: &mut SqliteConnection, changes: &[&Change]) -> Result<()> {
    let Some(first) = changes.first() else { return Ok(()) };
    if first.kind == EntityKind::Assignment {
        return upsert_assignments(tx, changes).await;
    }
    let (table, cols) = layout(first.kind).expect("bulkable kinds have a layout");
    for chunk in changes.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new(format!("INSERT OR REPLACE INTO {table} ({}) ", cols.join(", ")));
        qb.push_values(chunk, |mut row, c| {
            for v in values(c.kind, &c.id, c.data.as_ref().expect("bulkable")) {
                match v {
                    Val::T(t) => row.push_bind(t),
                    Val::I(i) => row.push_bind(i),
                    Val::B(b) => row.push_bind(b),
                };
            }
        });
        qb.build().execute(&mut *tx).await?;
    }
    Ok(())
}

/// The numbers of `ids` in `keys`, numbering the new ones in the order given (so two caches
/// fed the same changes number them alike).
pub async fn intern(tx: &mut SqliteConnection, ids: &[&str]) -> Result<HashMap<String, i64>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO keys (id) ");
        qb.push_values(chunk, |mut row, id| {
            row.push_bind(*id);
        });
        qb.push(" ON CONFLICT (id) DO NOTHING");
        qb.build().execute(&mut *tx).await?;
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT id, k FROM keys WHERE id IN (");
        let mut sep = qb.separated(", ");
        for id in chunk {
            sep.push_bind(*id);
        }
        qb.push(")");
        for r in qb.build().fetch_all(&mut *tx).await? {
            out.insert(r.get::<String, _>(0), r.get::<i64, _>(1));
        }
    }
    Ok(out)
}

/// Assignments: their ids numbered first, then rows of numbers. An upsert that changes a row
/// goes through `ON CONFLICT DO UPDATE` (not `OR REPLACE`), so the counting triggers see it.
async fn upsert_assignments(tx: &mut SqliteConnection, changes: &[&Change]) -> Result<()> {
    const REFS: [&str; 4] = ["workspace_id", "community_id", "user_id", "role_id"];
    let mut seen = HashSet::new();
    let mut ids: Vec<&str> = Vec::new();
    for c in changes {
        let d = c.data.as_ref().expect("bulkable");
        for r in REFS {
            let id = d[r].as_str().unwrap_or_default();
            if seen.insert(id) {
                ids.push(id);
            }
        }
    }
    let keys = intern(tx, &ids).await?;
    for chunk in changes.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO assignments (id, workspace_id, ws, community, user, role, assignment_type) ");
        qb.push_values(chunk, |mut row, c| {
            let d = c.data.as_ref().expect("bulkable");
            let k = |r: &str| keys[d[r].as_str().unwrap_or_default()];
            row.push_bind(c.id.clone())
                .push_bind(d["workspace_id"].as_str().unwrap_or_default().to_owned())
                .push_bind(k("workspace_id"))
                .push_bind(k("community_id"))
                .push_bind(k("user_id"))
                .push_bind(k("role_id"))
                .push_bind(d["assignment_type"].as_str().unwrap_or_default().to_owned());
        });
        qb.push(
            " ON CONFLICT (id) DO UPDATE SET workspace_id = excluded.workspace_id, ws = excluded.ws, community = excluded.community, \
             user = excluded.user, role = excluded.role, assignment_type = excluded.assignment_type",
        );
        qb.build().execute(&mut *tx).await?;
    }
    Ok(())
}
