//! The local cache: one SQLite file per account. The change feed is applied batch by batch,
//! each in one transaction together with the new cursor, so an interrupted sync resumes where
//! the last committed batch ended and never leaves half a batch behind.

mod apply;
mod keys;
mod rows;
pub mod views;

pub(crate) use rows::cols;
use apply::{apply_many, apply_one, forget_unseen_people, forget_unused_keys, forget_workspace, member_exists, own_membership, workspace_cached};

/// Rows per statement: well under SQLite's variable limit for the widest table (8 columns).
pub(crate) const CHUNK: usize = 500;

use crate::error::{ClientError, Result};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use tenancy::wire::*;
use tenancy::{UserId, WorkspaceId};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone)]
pub struct Cache {
    pool: SqlitePool,
    /// The ids numbered in `keys`; held by each transaction that may number more.
    keys: std::sync::Arc<tokio::sync::Mutex<keys::KnownKeys>>,
    /// The file, for sentences about it (a full disk names it).
    path: std::sync::Arc<std::path::PathBuf>,
}

/// Where the mirror stands.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SyncState {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub cursor: i64,
    pub last_sync_at: Option<DateTime<Utc>>,
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn data<T: DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| ClientError::internal(format!("A cached entry could not be read ({e}); a full resync repairs the cache.")))
}

impl Cache {
    pub async fn open(path: &Path) -> Result<Self> {
        Self::open_at(path).await.map_err(|e| Self::locate_at(path, e))
    }

    async fn open_at(path: &Path) -> Result<Self> {
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(false)
            // A large MSSP mirror is 100+ MB; with SQLite's default 8 MB page cache a full sync
            // spends its time evicting and re-reading index pages.
            .pragma("cache_size", "-131072")
            // A full sync commits a dozen batches of several MB each. Checkpointing the WAL into
            // the file after nearly every one (the default 1,000 pages) rewrote the same index
            // pages over and over, and any automatic checkpoint stalls the batch that triggers
            // it: the WAL is checkpointed once a sync is done instead, off its path
            // (`checkpoint`), and cut back to 64 MB when it starts over.
            .pragma("wal_autocheckpoint", "0")
            .pragma("journal_size_limit", "67108864")
            .pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(opts).await?;
        MIGRATOR.run(&pool).await?;
        let cache = Self { pool, keys: Default::default(), path: std::sync::Arc::new(path.to_owned()) };
        // A first sync cut off (the app killed) before it built them.
        cache.build_indexes().await?;
        Ok(cache)
    }

    /// Before a first sync into an empty mirror: drops the assignments' secondary indexes, so
    /// its rows go in without updating them in random order row by row, batch after batch;
    /// [`Cache::build_indexes`] makes them in one pass when the sync ends (however it ends).
    /// Queries still answer meanwhile, by scanning.
    pub async fn defer_indexes(&self) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for (name, _) in ASSIGNMENT_INDEXES {
            sqlx::query(&format!("DROP INDEX IF EXISTS {name}")).execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE sync_state SET indexes_deferred = 1 WHERE id = 1").execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Builds the indexes [`Cache::defer_indexes`] dropped, if it did.
    pub async fn build_indexes(&self) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let deferred: i64 = sqlx::query_scalar("SELECT indexes_deferred FROM sync_state WHERE id = 1").fetch_one(&mut *tx).await?;
        if deferred == 0 {
            return Ok(());
        }
        // The sort behind each index may use a second thread (at the end of a sync, the other
        // core is free).
        sqlx::query("PRAGMA threads = 2").execute(&mut *tx).await?;
        for (name, on) in ASSIGNMENT_INDEXES {
            sqlx::query(&format!("CREATE INDEX IF NOT EXISTS {name} ON assignments{on}")).execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE sync_state SET indexes_deferred = 0 WHERE id = 1").execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The cache's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `e`, naming this cache's file where that helps the user (a full disk: which one).
    pub fn locate(&self, e: ClientError) -> ClientError {
        Self::locate_at(&self.path, e)
    }

    fn locate_at(path: &Path, e: ClientError) -> ClientError {
        match e.code {
            crate::error::ErrorCode::DiskFull => ClientError::disk_full(Some(path)),
            _ => e,
        }
    }

    pub async fn state(&self) -> Result<SyncState> {
        let r = sqlx::query("SELECT cursor, last_sync_at FROM sync_state WHERE id = 1").fetch_one(&self.pool).await?;
        Ok(SyncState {
            cursor: r.try_get("cursor")?,
            last_sync_at: r.try_get::<Option<i64>, _>("last_sync_at")?.and_then(DateTime::from_timestamp_millis),
        })
    }

    /// The signed-in user as last seen by a sync.
    pub async fn me(&self) -> Result<Option<User>> {
        let s: Option<String> = sqlx::query_scalar("SELECT user_json FROM sync_state WHERE id = 1").fetch_one(&self.pool).await?;
        s.map(|s| data(&s)).transpose()
    }

    /// The invitations addressed to the signed-in user, as their last sync saw them.
    /// The invitations addressed to the user, as the last sync saw them, each as it stands at
    /// `now` (one that has expired since says so).
    pub async fn invitations_offered(&self, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<InvitationOffer>> {
        let s: String = sqlx::query_scalar("SELECT invitations_offered FROM sync_state WHERE id = 1").fetch_one(&self.pool).await?;
        let offers: Vec<InvitationOffer> = data(&s)?;
        Ok(offers.into_iter().map(|o| InvitationOffer { invitation: o.invitation.as_of(now), ..o }).collect())
    }

    pub async fn set_invitations_offered(&self, offers: &[InvitationOffer]) -> Result<()> {
        sqlx::query("UPDATE sync_state SET invitations_offered = ? WHERE id = 1").bind(serde_json::to_string(offers).unwrap()).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn set_me(&self, user: &User) -> Result<()> {
        sqlx::query("UPDATE sync_state SET user_json = ? WHERE id = 1").bind(serde_json::to_string(user).unwrap()).execute(&self.pool).await?;
        Ok(())
    }

    /// Forgets everything (for a full resync).
    pub async fn clear(&self) -> Result<()> {
        let mut known = self.keys.lock().await;
        let mut tx = self.pool.begin().await?;
        for t in TABLES {
            sqlx::query(&format!("DELETE FROM {t}")).execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE sync_state SET cursor = 0, last_sync_at = NULL WHERE id = 1").execute(&mut *tx).await?;
        tx.commit().await?;
        known.replace(Default::default());
        Ok(())
    }

    /// Applies one batch of changes and records the new cursor, atomically.
    pub async fn apply(&self, changes: &[Change], next_since: i64, now: DateTime<Utc>) -> Result<()> {
        self.apply_batch(changes, &HashMap::new(), &HashMap::new(), next_since, now).await
    }

    /// Applies one batch of changes and records the new cursor, atomically, following the
    /// signed-in user's own memberships (as set by [`Cache::set_me`]):
    /// - when their membership of a workspace is deleted, everything of that workspace is
    ///   forgotten (the feed sends nothing more about it, so it would go stale forever);
    /// - when they join a workspace (their membership appears), the workspace's current state
    ///   from `joined` (its `/v1/snapshot?workspace=`), if given, is written right after, since
    ///   the changes it had before the cursor were never sent to this cache.
    /// `resighted` holds, per workspace, its current state as the user sees it after their own
    /// roles changed (its `/v1/snapshot?workspace=`): it replaces what the cache held of it, so
    /// what they no longer see leaves the file and what they now see arrives.
    /// Where the user sees a workspace confined to their communities, a person whose last
    /// visible role goes leaves the cache with it (the feed does not say so: it sends the
    /// memberships of the people the user sees).
    pub async fn apply_batch(
        &self,
        changes: &[Change],
        joined: &HashMap<WorkspaceId, Vec<Change>>,
        resighted: &HashMap<WorkspaceId, Vec<Change>>,
        next_since: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let raw = |m: &HashMap<WorkspaceId, Vec<Change>>| m.iter().map(|(w, v)| (*w, raws(v))).collect::<HashMap<_, _>>();
        self.apply_raw_batch(&raws(changes), &raw(joined), &raw(resighted), next_since, now).await
    }

    /// [`Cache::apply_batch`] of changes as the feed sends them (entities as JSON text).
    pub async fn apply_raw_batch(
        &self,
        changes: &[RawChange],
        joined: &HashMap<WorkspaceId, Vec<RawChange>>,
        resighted: &HashMap<WorkspaceId, Vec<RawChange>>,
        next_since: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut known = self.keys.lock().await;
        let mut tx = self.pool.begin().await?;
        known.load(&mut tx).await?;
        let mut keys = keys::Keys::new(&known);
        let me: Option<String> = sqlx::query_scalar("SELECT user_json FROM sync_state WHERE id = 1").fetch_one(&mut *tx).await?;
        let me = me.map(|s| data::<User>(&s)).transpose()?.map(|u| u.id);
        // What leaves the mirror (a workspace left, a community or a person no longer seen, a
        // role taken away) leaves the file's bytes too, not only its tables: its content is
        // overwritten as it is deleted. (Not for the inserts of a full sync, which it slows.)
        let forgets = !resighted.is_empty() || changes.iter().any(|c| c.op == ChangeOp::Delete);
        if forgets {
            sqlx::query("PRAGMA secure_delete = ON").execute(&mut *tx).await?;
        }
        // Runs of ordinary changes go through `apply_many`; the caller's own membership
        // changes are handled one by one, because they add or drop whole workspaces.
        let mut run: Vec<&RawChange> = Vec::new();
        let mut forgot = false;
        for c in changes {
            let Some((ws, user)) = me.and_then(|me| own_membership(c, me)) else {
                run.push(c);
                continue;
            };
            apply_many(&mut tx, &std::mem::take(&mut run), &mut keys).await?;
            if c.op == ChangeOp::Delete {
                apply_one(&mut tx, c, &mut keys).await?;
                forget_workspace(&mut tx, &ws).await?;
                forgot = true;
            } else {
                let was_member = member_exists(&mut tx, &ws, &user).await?;
                apply_one(&mut tx, c, &mut keys).await?;
                if let Some(state) = ws.parse().ok().filter(|_| !was_member).and_then(|w: WorkspaceId| joined.get(&w)) {
                    apply_many(&mut tx, &state.iter().collect::<Vec<_>>(), &mut keys).await?;
                }
            }
        }
        apply_many(&mut tx, &run, &mut keys).await?;
        for (ws, state) in resighted {
            let ws = ws.to_string();
            // (Left in this very batch: nothing to replace.)
            if workspace_cached(&mut tx, &ws).await? {
                forget_workspace(&mut tx, &ws).await?;
                apply_many(&mut tx, &state.iter().collect::<Vec<_>>(), &mut keys).await?;
                forgot = true;
            }
        }
        if let Some(me) = me.map(|m| m.to_string()) {
            let mut pruned: Vec<String> = Vec::new();
            for c in changes.iter().filter(|c| c.kind == EntityKind::Assignment && c.op == ChangeOp::Delete) {
                let Some(ws) = c.workspace_id.map(|w| w.to_string()).filter(|w| !pruned.contains(w)) else { continue };
                forgot |= forget_unseen_people(&mut tx, &ws, &me).await?;
                pruned.push(ws);
            }
        }
        let renumber = forgot && forget_unused_keys(&mut tx).await?;
        if forgets {
            sqlx::query("PRAGMA secure_delete = OFF").execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE sync_state SET cursor = ?, last_sync_at = ? WHERE id = 1").bind(next_since).bind(ms(now)).execute(&mut *tx).await?;
        tx.commit().await?;
        let new = keys.into_new();
        if renumber {
            known.reload();
        } else {
            known.extend(new);
        }
        Ok(())
    }

    /// Replaces the whole mirror with a snapshot (`/v1/snapshot`) and its cursor, atomically:
    /// the full resync when the feed no longer has the cache's cursor.
    pub async fn replace_all(&self, snapshot: &[Change], cursor: i64, now: DateTime<Utc>) -> Result<()> {
        self.replace_all_raw(&raws(snapshot), cursor, now).await
    }

    /// [`Cache::replace_all`] with a snapshot as the server sends it (entities as JSON text).
    pub async fn replace_all_raw(&self, snapshot: &[RawChange], cursor: i64, now: DateTime<Utc>) -> Result<()> {
        let mut known = self.keys.lock().await;
        let mut tx = self.pool.begin().await?;
        for t in TABLES {
            sqlx::query(&format!("DELETE FROM {t}")).execute(&mut *tx).await?;
        }
        let mut keys = keys::Keys::empty();
        apply_many(&mut tx, &snapshot.iter().collect::<Vec<_>>(), &mut keys).await?;
        sqlx::query("UPDATE sync_state SET cursor = ?, last_sync_at = ? WHERE id = 1").bind(cursor).bind(ms(now)).execute(&mut *tx).await?;
        tx.commit().await?;
        known.replace(keys.into_new());
        Ok(())
    }

    /// Who holds a cached role assignment.
    pub async fn assignment_holder(&self, assignment: &str) -> Result<Option<UserId>> {
        let u: Option<String> =
            sqlx::query_scalar("SELECT u.id FROM assignments a JOIN keys u ON u.k = a.user WHERE a.id = ?").bind(assignment).fetch_optional(&self.pool).await?;
        Ok(u.and_then(|u| u.parse().ok()))
    }

    /// `user`'s workspace role in a cached workspace (`None`: not a member there).
    pub async fn member_role(&self, ws: WorkspaceId, user: UserId) -> Result<Option<tenancy::WorkspaceRole>> {
        let r: Option<String> = sqlx::query_scalar("SELECT role FROM members WHERE workspace_id = ? AND user_id = ?")
            .bind(ws.to_string())
            .bind(user.to_string())
            .fetch_optional(&self.pool)
            .await?;
        r.map(|r| r.parse().map_err(|_| ClientError::internal("the cache holds an unknown workspace role"))).transpose()
    }

    /// The community `user` is a client contact of in `ws`, if they are one.
    pub async fn contact_of(&self, ws: WorkspaceId, user: UserId) -> Result<Option<tenancy::CommunityId>> {
        let c: Option<Option<String>> = sqlx::query_scalar("SELECT json_extract(data, '$.contact_of') FROM members WHERE workspace_id = ? AND user_id = ? AND role = 'client'")
            .bind(ws.to_string())
            .bind(user.to_string())
            .fetch_optional(&self.pool)
            .await?;
        c.flatten().map(|c| c.parse().map_err(|_| ClientError::internal("the cache holds a client contact without a valid community"))).transpose()
    }

    /// Whether the cache holds `user`'s membership of `ws`.
    pub async fn has_member(&self, ws: WorkspaceId, user: UserId) -> Result<bool> {
        let mut c = self.pool.acquire().await?;
        member_exists(&mut c, &ws.to_string(), &user.to_string()).await
    }

    /// Copies what the WAL holds into the database file, in the background: a sync's commits
    /// are durable in the WAL already; this keeps the WAL from growing, without making the
    /// sync wait for it. Readers and a next sync go on meanwhile.
    pub fn checkpoint(&self) {
        let pool = self.pool.clone();
        tokio::spawn(async move {
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
                tracing::warn!("cache checkpoint failed: {e}");
            }
        });
    }

    /// Marks the mirror as checked against the server without changes.
    pub async fn touch(&self, now: DateTime<Utc>) -> Result<()> {
        sqlx::query("UPDATE sync_state SET last_sync_at = ? WHERE id = 1").bind(ms(now)).execute(&self.pool).await?;
        Ok(())
    }

    /// Workspaces whose alert volumes were never fetched, or not since `before`.
    pub async fn alert_volumes_due(&self, before: DateTime<Utc>) -> Result<Vec<tenancy::WorkspaceId>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT w.id FROM workspaces w LEFT JOIN alert_volume_state s ON s.workspace_id = w.id WHERE w.deleted = 0 AND (s.fetched_at IS NULL OR s.fetched_at < ?)",
        )
        .bind(ms(before))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().filter_map(|r| r.parse().ok()).collect())
    }

    /// Replaces a workspace's alert volumes with a fresh download.
    pub async fn put_alert_volumes(&self, ws: tenancy::WorkspaceId, vols: &[AlertVolume], now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for sql in [
            "DELETE FROM alert_volumes WHERE community_id IN (SELECT id FROM communities WHERE workspace_id = ?1 UNION SELECT community_id FROM alert_volume_communities WHERE workspace_id = ?1)",
            "DELETE FROM alert_volume_communities WHERE workspace_id = ?1",
            "DELETE FROM alert_volume_totals WHERE workspace_id = ?1",
        ] {
            sqlx::query(sql).bind(ws.to_string()).execute(&mut *tx).await?;
        }
        sqlx::query("INSERT OR REPLACE INTO alert_volume_state (workspace_id, fetched_at) VALUES (?, ?)").bind(ws.to_string()).bind(ms(now)).execute(&mut *tx).await?;
        for chunk in vols.chunks(CHUNK) {
            let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new("INSERT OR REPLACE INTO alert_volumes (community_id, day, alerts) ");
            qb.push_values(chunk, |mut row, v| {
                row.push_bind(v.community_id.to_string()).push_bind(v.day.to_string()).push_bind(v.alerts as i64);
            });
            qb.build().execute(&mut *tx).await?;
        }
        let communities: std::collections::BTreeSet<String> = vols.iter().map(|v| v.community_id.to_string()).collect();
        for chunk in communities.iter().collect::<Vec<_>>().chunks(CHUNK) {
            let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new("INSERT OR REPLACE INTO alert_volume_communities (community_id, workspace_id) ");
            qb.push_values(chunk, |mut row, c| {
                row.push_bind(c.to_string()).push_bind(ws.to_string());
            });
            qb.build().execute(&mut *tx).await?;
        }
        sqlx::query(
            "INSERT INTO alert_volume_totals (workspace_id, day, alerts, rows) SELECT ?1, day, SUM(alerts), COUNT(*) FROM alert_volumes \
             WHERE community_id IN (SELECT community_id FROM alert_volume_communities WHERE workspace_id = ?1) GROUP BY day",
        )
        .bind(ws.to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn raws(changes: &[Change]) -> Vec<RawChange> {
    changes.iter().cloned().map(RawChange::from).collect()
}

/// The assignments' secondary indexes (as migrations 0005 and 0008 made them), which a first
/// sync builds after loading the rows.
const ASSIGNMENT_INDEXES: [(&str, &str); 2] = [
    // "Who holds role R in these communities" (filters, a few communities' aggregates); the
    // workspace last, so a filter that checks it reads the index alone.
    ("assignments_community", "(community, role, user, ws)"),
    // A member's roles (their detail, a page's rows).
    ("assignments_user", "(ws, user, community)"),
];

/// Every table of the mirror, besides `sync_state`.
/// (The counts go before `assignments`, so its delete trigger finds nothing left to take off,
/// and `keys` after every table that numbers its ids with it.)
const TABLES: [&str; 17] = [
    "workspaces",
    "communities",
    "members",
    "roles",
    "role_counts",
    "role_holders",
    "user_holdings",
    "assignments",
    "keys",
    "invitations",
    "invitation_assignments",
    "api_keys",
    "intakes",
    "alert_volumes",
    "alert_volume_communities",
    "alert_volume_totals",
    "alert_volume_state",
];

#[cfg(test)]
mod tests {
    use super::*;

    async fn indexes(cache: &Cache) -> (Vec<String>, i64) {
        let names = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'assignments' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .fetch_all(cache.pool())
            .await
            .unwrap();
        let deferred = sqlx::query_scalar("SELECT indexes_deferred FROM sync_state WHERE id = 1").fetch_one(cache.pool()).await.unwrap();
        (names, deferred)
    }

    /// A cache written before migration 0008 (its members and assignments included) opens with
    /// the covering indexes in place of the old ones, and its rows answer the views as before.
    #[tokio::test]
    async fn a_cache_from_before_the_covering_indexes_upgrades_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.db");
        let (ws, user, community, role) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7(), uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        {
            let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display())).unwrap().create_if_missing(true);
            let pool = SqlitePoolOptions::new().max_connections(1).connect_with(opts).await.unwrap();
            let before = sqlx::migrate::Migrator {
                migrations: std::borrow::Cow::Owned(MIGRATOR.migrations.iter().filter(|m| m.version <= 7).cloned().collect()),
                ..sqlx::migrate::Migrator::DEFAULT
            };
            before.run(&pool).await.unwrap();
            for (sql, binds) in [
                ("INSERT INTO keys (k, id) VALUES (1, ?), (2, ?), (3, ?), (4, ?)", vec![ws.to_string(), community.to_string(), user.to_string(), role.to_string()]),
                (
                    "INSERT INTO members (workspace_id, user_id, email, display_name, two_factor, role, joined_at, data) VALUES (?, ?, 'ana.garcia@acme.example', 'Ana Garcia', 1, 'member', 0, '{}')",
                    vec![ws.to_string(), user.to_string()],
                ),
                ("INSERT INTO assignments (id, workspace_id, ws, community, user, role, assignment_type) VALUES ('a1', ?, 1, 2, 3, 4, 'dedicated')", vec![ws.to_string()]),
                ("INSERT INTO role_counts (community, role, ws, n) VALUES (2, 4, 1, 1)", vec![]),
                ("INSERT INTO role_holders (ws, role, user, n) VALUES (1, 4, 3, 1)", vec![]),
                ("INSERT INTO user_holdings (ws, user, n) VALUES (1, 3, 1)", vec![]),
                ("UPDATE sync_state SET cursor = 7", vec![]),
            ] {
                let mut q = sqlx::query(sql);
                for b in binds {
                    q = q.bind(b);
                }
                q.execute(&pool).await.unwrap();
            }
            pool.close().await;
        }
        let cache = Cache::open(&path).await.unwrap();
        let names: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'members' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .fetch_all(cache.pool())
            .await
            .unwrap();
        assert_eq!(names, ["members_cover", "members_email"]);
        let cols: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_index_info('assignments_community') ORDER BY seqno").fetch_all(cache.pool()).await.unwrap();
        assert_eq!(cols, ["community", "role", "user", "ws"]);
        assert_eq!(cache.state().await.unwrap().cursor, 7, "no new sync needed");
        let now = Utc::now();
        let q = views::MemberQuery {
            workspace_id: Some(ws.into()),
            search: Some("garcia".into()),
            communities: vec![community.into()],
            role_id: Some(role.into()),
            two_factor: Some(true),
            limit: 10,
            ..Default::default()
        };
        let page = cache.members(&q, now).await.unwrap();
        assert_eq!((page.total, page.rows[0].roles.len()), (1, 1));
        let agg = cache.aggregate(ws.into(), &[community.into()], now).await.unwrap();
        assert_eq!((agg.members, agg.members_with_2fa, agg.role_distribution.len()), (1, 1, 1));
    }

    #[tokio::test]
    async fn deferred_indexes_are_built_at_the_end_or_at_the_next_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.db");
        let built = (vec!["assignments_community".to_owned(), "assignments_user".to_owned()], 0);
        let cache = Cache::open(&path).await.unwrap();
        assert_eq!(indexes(&cache).await, built);
        cache.defer_indexes().await.unwrap();
        assert_eq!(indexes(&cache).await, (vec![], 1));
        cache.build_indexes().await.unwrap();
        assert_eq!(indexes(&cache).await, built);
        // Cut off while deferred (the app killed mid-sync): opening builds them.
        cache.defer_indexes().await.unwrap();
        cache.pool().close().await;
        drop(cache);
        let cache = Cache::open(&path).await.unwrap();
        assert_eq!(indexes(&cache).await, built);
    }
}
