//! What happened: the audit log, and the change feed a console follows to keep its mirror current.
//!
//! The trait says what a transaction can do here; `impl_feed_rows!` implements it once for both
//! SQL stores with the same SQL text (see `sql.rs`).

use super::*;

/// An audit entry to write; its target kind is the action's.
#[derive(Clone, Debug)]
pub struct AuditRecord {
    pub workspace_id: Option<WorkspaceId>,
    pub actor_id: Option<UserId>,
    pub action: tenancy::audit::AuditAction,
    pub target_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub at: DateTime<Utc>,
    pub request_id: String,
}

#[derive(Clone, Debug)]
pub struct NewChange {
    pub workspace_id: Option<WorkspaceId>,
    /// The user a change concerns directly (a membership), who sees it even outside the workspace.
    pub subject_user_id: Option<UserId>,
    pub kind: EntityKind,
    pub entity_id: String,
    pub op: ChangeOp,
    pub data: Option<serde_json::Value>,
    pub at: DateTime<Utc>,
}

/// Past this many workspaces a user's feed reads one filter instead of one index range per
/// workspace (SQLite allows 500 arms in a compound SELECT).
pub(crate) const FEED_ARMS: usize = 400;

/// The condition picking the changes of `user` ($2) in (since $1, upto $3]: their own and each
/// of their `workspaces` (bound from $4 on), one index range per source, so only the rows
/// picked are read. (`seq > $1 AND (subject = $2 OR workspace IN (...))` made SQLite read and
/// sort every later change, data included, for each batch: quadratic over a full sync.)
pub(crate) fn feed_sources(workspaces: usize) -> String {
    if workspaces > FEED_ARMS {
        return "seq > $1 AND seq <= $3 AND (subject_user_id = $2 OR workspace_id IN (SELECT workspace_id FROM members WHERE user_id = $2))".to_owned();
    }
    let mut sql = String::from("seq IN (SELECT seq FROM changes WHERE subject_user_id = $2 AND seq > $1 AND seq <= $3");
    for i in 0..workspaces {
        sql.push_str(&format!(" UNION ALL SELECT seq FROM changes WHERE workspace_id = ${} AND seq > $1 AND seq <= $3", i + 4));
    }
    sql.push(')');
    sql
}

#[async_trait]
pub trait FeedRows: Send {
    async fn insert_audit(&mut self, a: &AuditRecord) -> R<()>;
    /// A workspace's audit entries, or with `None` the instance-level ones (sign-ins, purges).
    async fn audit(&mut self, ws: Option<WorkspaceId>, before_id: Option<i64>, limit: u32) -> R<Vec<AuditEntry>>;
    async fn insert_change(&mut self, c: &NewChange) -> R<i64>;
    // A page of `user`'s change feed (the changes of the workspaces they belong to, and about
    // them) after `since` is read in three steps, so that its entities go out as stored:
    /// The sequence numbers of the `limit`-th and the next change after `since`, as far as
    /// there are that many (so: has the page more, and where does it end).
    async fn feed_bounds(&mut self, user: UserId, since: i64, limit: u32) -> R<Vec<i64>>;
    /// The API-key changes in (`since`, `upto`], for the service to leave out those the user
    /// may not list.
    async fn feed_api_keys(&mut self, user: UserId, since: i64, upto: i64) -> R<Vec<RawChange>>;
    /// The changes in (`since`, `upto`] but `hidden`, in order, as the JSON array of
    /// [`tenancy::wire::Change`]s the feed sends, written by the database.
    async fn feed_json(&mut self, user: UserId, since: i64, upto: i64, hidden: &[i64]) -> R<String>;
    async fn latest_seq(&mut self) -> R<i64>;
    async fn feed_floor(&mut self) -> R<i64>;
}

/// Implements [`FeedRows`] for a store's transaction type (see `impl_sql_tx!`).
macro_rules! impl_feed_rows {
    ($tx:ty) => {
        #[async_trait]
        impl FeedRows for $tx {
            async fn insert_audit(&mut self, a: &AuditRecord) -> R<()> {
                self.exec(q!(
                    "INSERT INTO audit_log (workspace_id, actor_id, action, target_kind, target_id, before, after, at, request_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
                    a.workspace_id.map(|w| w.to_string()), a.actor_id.map(|u| u.to_string()), a.action.as_str(), a.action.target().as_str(), &a.target_id,
                    a.before.as_ref().map(to_json), a.after.as_ref().map(to_json), ms(a.at), &a.request_id
                )).await?;
                Ok(())
            }
            async fn audit(&mut self, ws: Option<WorkspaceId>, before_id: Option<i64>, limit: u32) -> R<Vec<AuditEntry>> {
                self.all(
                    q!(
                        "SELECT * FROM audit_log WHERE (workspace_id = $1 OR ($1 IS NULL AND workspace_id IS NULL)) AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
                        ws.map(|w| w.to_string()), before_id, limit as i64
                    ),
                    |r| {
                        let j = |col: &str| -> R<Option<serde_json::Value>> {
                            r.text_opt(col)?.map(|s| serde_json::from_str(&s).map_err(corrupt)).transpose()
                        };
                        Ok(AuditEntry {
                            id: r.int("id")?,
                            workspace_id: parse_opt(r, "workspace_id")?,
                            actor_id: parse_opt(r, "actor_id")?,
                            action: parse(r, "action")?,
                            target_kind: parse(r, "target_kind")?,
                            target_id: r.text("target_id")?,
                            before: j("before")?,
                            after: j("after")?,
                            at: t(r, "at")?,
                            request_id: r.text("request_id")?,
                        })
                    },
                )
                .await
            }
            async fn insert_change(&mut self, c: &NewChange) -> R<i64> {
                let row = q!(
                    &format!("INSERT INTO changes (seq, workspace_id, subject_user_id, kind, entity_id, op, data, at) VALUES ({NEXT_SEQ},$1,$2,$3,$4,$5,$6,$7) RETURNING seq"),
                    c.workspace_id.map(|w| w.to_string()), c.subject_user_id.map(|u| u.to_string()), c.kind.as_str(), &c.entity_id,
                    if c.op == ChangeOp::Upsert { "upsert" } else { "delete" }, c.data.as_ref().map(to_json), ms(c.at)
                )
                .fetch_one(&mut *self.tx)
                .await?;
                Ok(row.int("seq")?)
            }
            async fn feed_bounds(&mut self, user: UserId, since: i64, limit: u32) -> R<Vec<i64>> {
                let workspaces = self.member_workspaces(user).await?;
                // Each source read up to `limit + 1` changes from its index; the union counts a
                // change that is both the user's own and their workspace's once.
                let sources = if workspaces.len() > FEED_ARMS {
                    "SELECT seq FROM changes WHERE seq > $1 AND (subject_user_id = $2 OR workspace_id IN (SELECT workspace_id FROM members WHERE user_id = $2)) AND $3 > 0".to_owned()
                } else {
                    let mut sql = String::from("SELECT seq FROM (SELECT seq FROM changes WHERE subject_user_id = $2 AND seq > $1 ORDER BY seq LIMIT $3) s0");
                    for i in 0..workspaces.len() {
                        sql.push_str(&format!(" UNION SELECT seq FROM (SELECT seq FROM changes WHERE workspace_id = ${} AND seq > $1 ORDER BY seq LIMIT $3) s{}", i + 5, i + 1));
                    }
                    sql
                };
                let sql = format!("SELECT seq FROM ({sources}) page ORDER BY seq LIMIT 2 OFFSET $4");
                let mut q = q!(&sql, since, user.to_string(), limit as i64 + 1, limit as i64 - 1);
                if workspaces.len() <= FEED_ARMS {
                    for w in &workspaces {
                        q = q.bind(w.to_string());
                    }
                }
                self.all(q, |r| r.int("seq")).await
            }
            async fn feed_api_keys(&mut self, user: UserId, since: i64, upto: i64) -> R<Vec<RawChange>> {
                let workspaces = self.member_workspaces(user).await?;
                let sql = format!("SELECT * FROM changes WHERE {} AND kind = 'api_key' ORDER BY seq", feed_sources(workspaces.len()));
                let mut q = q!(&sql, since, user.to_string(), upto);
                if workspaces.len() <= FEED_ARMS {
                    for w in &workspaces {
                        q = q.bind(w.to_string());
                    }
                }
                self.all(q, |r| {
                    let op = r.text("op")?;
                    Ok(RawChange {
                        seq: r.int("seq")?,
                        workspace_id: parse_opt(r, "workspace_id")?,
                        kind: parse(r, "kind")?,
                        id: r.text("entity_id")?,
                        op: if op == "delete" { ChangeOp::Delete } else { ChangeOp::Upsert },
                        data: r.text_opt("data")?.map(|s| serde_json::value::RawValue::from_string(s).map_err(corrupt)).transpose()?,
                        at: t(r, "at")?,
                    })
                })
                .await
            }
            async fn feed_json(&mut self, user: UserId, since: i64, upto: i64, hidden: &[i64]) -> R<String> {
                let workspaces = self.member_workspaces(user).await?;
                let arms = if workspaces.len() > FEED_ARMS { 0 } else { workspaces.len() };
                // One `format` per change: a chain of `||` copied each row a dozen times.
                let mut sql = format!(
                    "SELECT '[' || COALESCE(string_agg(format('{{\"seq\":%s,\"workspace_id\":%s,\"kind\":\"%s\",\"id\":%s,\"op\":\"%s\",\"data\":%s,\"at\":\"%s\"}}', \
                     seq, COALESCE({ws}, 'null'), kind, {id}, op, COALESCE(data, 'null'), {at}), ',' ORDER BY seq), '') || ']' FROM changes WHERE {}",
                    feed_sources(workspaces.len()),
                    ws = json_text("workspace_id"),
                    id = json_text("entity_id"),
                    at = JSON_TIME,
                );
                if !hidden.is_empty() {
                    let from = 4 + arms;
                    sql.push_str(&format!(" AND seq NOT IN ({})", (0..hidden.len()).map(|i| format!("${}", from + i)).collect::<Vec<_>>().join(", ")));
                }
                let mut q = q!(&sql, since, user.to_string(), upto);
                if workspaces.len() <= FEED_ARMS {
                    for w in &workspaces {
                        q = q.bind(w.to_string());
                    }
                }
                for seq in hidden {
                    q = q.bind(*seq);
                }
                Ok(q.fetch_one(&mut *self.tx).await?.try_get::<String, _>(0)?)
            }
            async fn latest_seq(&mut self) -> R<i64> {
                self.count(q!(LATEST_SEQ)).await
            }
            async fn feed_floor(&mut self) -> R<i64> {
                self.count(q!("SELECT floor FROM feed_floor WHERE id = 1")).await
            }
        }
    };
}
