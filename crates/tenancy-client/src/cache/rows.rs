//! How an entity of the feed becomes a row of the mirror: which fields of its JSON are columns
//! of which table, and runs of upserts of one kind written with multi-row statements (a full
//! sync is hundreds of thousands of rows; one statement per row spends most of its time on the
//! statement, not the row). Assignments are stored as numbers (`keys.rs`) with their counts.

use super::keys::{intern, IdMap, IdSet, Keys};
use super::CHUNK;
use crate::error::Result;
use chrono::DateTime;
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::Value;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use std::borrow::Cow;
use tenancy::wire::{ChangeOp, EntityKind, RawChange};

enum Val {
    T(String),
    I(i64),
    B(bool),
}

/// The fields of an entity's JSON that become columns (those of every kind, by name), read
/// straight from the text: no `Value` per entity.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Cols<'a> {
    #[serde(borrow)]
    pub workspace_id: Cow<'a, str>,
    #[serde(borrow)]
    slug: Cow<'a, str>,
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    plan: Cow<'a, str>,
    #[serde(borrow)]
    pub community_id: Cow<'a, str>,
    #[serde(borrow)]
    pub user_id: Cow<'a, str>,
    #[serde(borrow)]
    email: Cow<'a, str>,
    #[serde(borrow)]
    display_name: Cow<'a, str>,
    #[serde(borrow)]
    role: Cow<'a, str>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    pub role_id: Cow<'a, str>,
    #[serde(borrow)]
    assignment_type: Cow<'a, str>,
    #[serde(borrow)]
    joined_at: Cow<'a, str>,
    two_factor_enabled: bool,
    deleted_at: Option<IgnoredAny>,
    revoked_at: Option<IgnoredAny>,
}

/// The columns of one entity's JSON. Should a field ever have another type than these, the
/// entity is read the slow way, as absent fields read before (empty, false).
pub fn cols(raw: &str) -> Cols<'_> {
    serde_json::from_str(raw).unwrap_or_else(|_| {
        let v: Value = serde_json::from_str(raw).unwrap_or_default();
        let s = |k: &str| Cow::Owned(v[k].as_str().unwrap_or_default().to_owned());
        Cols {
            workspace_id: s("workspace_id"),
            slug: s("slug"),
            name: s("name"),
            plan: s("plan"),
            community_id: s("community_id"),
            user_id: s("user_id"),
            email: s("email"),
            display_name: s("display_name"),
            role: s("role"),
            kind: s("kind"),
            role_id: s("role_id"),
            assignment_type: s("assignment_type"),
            joined_at: s("joined_at"),
            two_factor_enabled: v["two_factor_enabled"].as_bool().unwrap_or(false),
            deleted_at: (!v["deleted_at"].is_null()).then_some(IgnoredAny),
            revoked_at: (!v["revoked_at"].is_null()).then_some(IgnoredAny),
        }
    })
}

fn millis(t: &str) -> Val {
    Val::I(DateTime::parse_from_rfc3339(t).map(|t| t.timestamp_millis()).unwrap_or(0))
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

fn values(kind: EntityKind, id: &str, raw: &str) -> Vec<Val> {
    let d = cols(raw);
    let t = |s: &Cow<str>| Val::T(s.to_string());
    let json = || Val::T(raw.to_owned());
    let id = || Val::T(id.to_owned());
    match kind {
        EntityKind::Workspace => vec![id(), t(&d.slug), t(&d.name), t(&d.plan), Val::B(d.deleted_at.is_some()), json()],
        EntityKind::Community => vec![id(), t(&d.workspace_id), t(&d.slug), t(&d.name), json()],
        EntityKind::Member => vec![
            t(&d.workspace_id),
            t(&d.user_id),
            t(&d.email),
            t(&d.display_name),
            Val::B(d.two_factor_enabled),
            t(&d.role),
            millis(&d.joined_at),
            json(),
        ],
        EntityKind::Role => vec![id(), t(&d.workspace_id), t(&d.name), t(&d.kind), json()],
        EntityKind::Assignment => unreachable!("assignments are numbered by upsert_assignments"),
        EntityKind::ApiKey => vec![id(), t(&d.workspace_id), t(&d.community_id), Val::B(d.revoked_at.is_some()), json()],
        EntityKind::Intake => vec![id(), t(&d.workspace_id), t(&d.community_id), json()],
        EntityKind::Invitation => vec![],
    }
}

/// Can this change go through [`upsert_many`]?
pub fn bulkable(c: &RawChange) -> bool {
    c.op == ChangeOp::Upsert && c.data.is_some() && layout(c.kind).is_some()
}

/// Upserts `changes` (all of one kind, all [`bulkable`]) in statements of up to [`CHUNK`] rows.
/// Later rows win over earlier ones for the same key, as applying them one by one would.
pub async fn upsert_many(tx: &mut SqliteConnection, changes: &[&RawChange], keys: &mut Keys<'_>) -> Result<()> {
    let Some(first) = changes.first() else { return Ok(()) };
    if first.kind == EntityKind::Assignment {
        return upsert_assignments(tx, changes, keys).await;
    }
    let (table, cols) = layout(first.kind).expect("bulkable kinds have a layout");
    for chunk in changes.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new(format!("INSERT OR REPLACE INTO {table} ({}) ", cols.join(", ")));
        qb.push_values(chunk, |mut row, c| {
            for v in values(c.kind, &c.id, c.data.as_ref().expect("bulkable").get()) {
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

/// Assignments: their ids numbered first, then rows of numbers. Every row written is counted
/// here, summed and added in a few statements (not three upserts per row); a row it replaces
/// is taken off the counts by the update trigger. (Each assignment is written once per call,
/// so no row counted here is replaced before its count is added.)
async fn upsert_assignments(tx: &mut SqliteConnection, changes: &[&RawChange], keys: &mut Keys<'_>) -> Result<()> {
    let rows: Vec<Cols> = changes.iter().map(|c| cols(c.data.as_ref().expect("bulkable").get())).collect();
    let mut seen = IdSet::default();
    let mut ids: Vec<&str> = Vec::new();
    for d in &rows {
        for id in [&d.workspace_id, &d.community_id, &d.user_id, &d.role_id] {
            if seen.insert(id.as_ref()) {
                ids.push(id.as_ref());
            }
        }
    }
    intern(tx, &ids, keys).await?;
    let keys = &*keys;
    // The last change of each assignment wins.
    let mut last: IdMap<&str, usize> = IdMap::with_capacity_and_hasher(changes.len(), Default::default());
    for (i, c) in changes.iter().enumerate() {
        last.insert(c.id.as_str(), i);
    }
    let rows: Vec<(&RawChange, &Cols)> = changes.iter().zip(&rows).enumerate().filter(|(i, (c, _))| last[c.id.as_str()] == *i).map(|(_, r)| (*r.0, r.1)).collect();
    let mut role_counts: IdMap<(i64, i64), (i64, i64)> = IdMap::default();
    let mut role_holders: IdMap<(i64, i64, i64), i64> = IdMap::default();
    let mut user_holdings: IdMap<(i64, i64), i64> = IdMap::default();
    for chunk in rows.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO assignments (id, workspace_id, ws, community, user, role, assignment_type) ");
        qb.push_values(chunk, |mut row, (c, d)| {
            let k = |id: &str| keys.get(id).expect("interned above");
            let (ws, community, user, role) = (k(&d.workspace_id), k(&d.community_id), k(&d.user_id), k(&d.role_id));
            role_counts.entry((community, role)).or_insert((ws, 0)).1 += 1;
            *role_holders.entry((ws, role, user)).or_default() += 1;
            *user_holdings.entry((ws, user)).or_default() += 1;
            row.push_bind(c.id.as_str())
                .push_bind(d.workspace_id.as_ref())
                .push_bind(ws)
                .push_bind(community)
                .push_bind(user)
                .push_bind(role)
                .push_bind(d.assignment_type.as_ref());
        });
        qb.push(
            " ON CONFLICT (id) DO UPDATE SET workspace_id = excluded.workspace_id, ws = excluded.ws, community = excluded.community, \
             user = excluded.user, role = excluded.role, assignment_type = excluded.assignment_type",
        );
        qb.build().execute(&mut *tx).await?;
    }
    let role_counts: Vec<_> = role_counts.into_iter().collect();
    for chunk in role_counts.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO role_counts (community, role, ws, n) ");
        qb.push_values(chunk, |mut row, ((community, role), (ws, n))| {
            row.push_bind(*community).push_bind(*role).push_bind(*ws).push_bind(*n);
        });
        qb.push(" ON CONFLICT DO UPDATE SET n = n + excluded.n");
        qb.build().execute(&mut *tx).await?;
    }
    let role_holders: Vec<_> = role_holders.into_iter().collect();
    for chunk in role_holders.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO role_holders (ws, role, user, n) ");
        qb.push_values(chunk, |mut row, ((ws, role, user), n)| {
            row.push_bind(*ws).push_bind(*role).push_bind(*user).push_bind(*n);
        });
        qb.push(" ON CONFLICT DO UPDATE SET n = n + excluded.n");
        qb.build().execute(&mut *tx).await?;
    }
    let user_holdings: Vec<_> = user_holdings.into_iter().collect();
    for chunk in user_holdings.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO user_holdings (ws, user, n) ");
        qb.push_values(chunk, |mut row, ((ws, user), n)| {
            row.push_bind(*ws).push_bind(*user).push_bind(*n);
        });
        qb.push(" ON CONFLICT DO UPDATE SET n = n + excluded.n");
        qb.build().execute(&mut *tx).await?;
    }
    Ok(())
}
