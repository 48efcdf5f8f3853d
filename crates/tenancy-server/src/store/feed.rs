//! What happened: the audit log, and the change feed a console follows to keep its mirror current.
//!
//! The trait says what a transaction can do here; `impl_feed_rows!` implements it once for both
//! SQL stores with the same SQL text (see `sql.rs`).

use super::*;

/// An audit entry to write; its target kind is the action's.
#[derive(Clone, Debug)]
pub struct AuditRecord {
    pub workspace_id: Option<WorkspaceId>,
    /// The one community the entry is about, if it is about one.
    pub community_id: Option<CommunityId>,
    pub actor_id: Option<UserId>,
    pub action: tenancy::audit::AuditAction,
    pub target_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub at: DateTime<Utc>,
    pub request_id: String,
    /// The names of the ids the entry refers to, as they are now (see
    /// [`tenancy::wire::AuditEntry::names`]).
    pub names: std::collections::BTreeMap<String, String>,
}

/// Which audit entries to read: each given filter narrows them (one predicate each, on an index
/// that starts with the workspace).
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    /// A confined reader's: the entries about these communities only.
    pub only: Option<Vec<CommunityId>>,
    pub action: Option<tenancy::audit::AuditAction>,
    pub actor: Option<UserId>,
    pub target_kind: Option<tenancy::audit::AuditTarget>,
    pub target_id: Option<String>,
    pub community: Option<CommunityId>,
    /// Entries at or after.
    pub from: Option<DateTime<Utc>>,
    /// Entries before.
    pub to: Option<DateTime<Utc>>,
    /// Entries older than this id (the cursor).
    pub before_id: Option<i64>,
    pub limit: u32,
}

#[derive(Clone, Debug)]
pub struct NewChange {
    pub workspace_id: Option<WorkspaceId>,
    /// The community the entity belongs to (a community itself, its intakes, keys and role
    /// assignments): confined readers see it by this.
    pub community_id: Option<CommunityId>,
    /// The user a change concerns directly (a membership), who sees it even outside the workspace.
    pub subject_user_id: Option<UserId>,
    pub kind: EntityKind,
    pub entity_id: String,
    pub op: ChangeOp,
    pub data: Option<serde_json::Value>,
    pub at: DateTime<Utc>,
}

/// Where one user's change feed reads: changes about them, every change of the workspaces
/// they see whole, and of the others what their sight covers.
#[derive(Clone, Debug)]
pub struct FeedScope {
    pub me: UserId,
    pub whole: Vec<WorkspaceId>,
    pub confined: Vec<ConfinedFeed>,
}

/// A workspace the user sees confined to the communities they hold roles in.
#[derive(Clone, Debug)]
pub struct ConfinedFeed {
    pub workspace: WorkspaceId,
    /// The user reads the workspace's role definitions (client contacts do not).
    pub roles: bool,
    pub communities: Vec<CommunityFeed>,
    /// The communities whose people's membership changes the user reads.
    pub people_of: Vec<CommunityId>,
    /// The user reads some of the workspace's invitations (each one the service narrows).
    pub invitations: bool,
    /// Communities whose settings the user may not read: their changes the service narrows.
    pub settings_hidden: Vec<CommunityId>,
}

/// One community of a confined workspace: the kinds of its changes the user reads, and for
/// intakes the ones they are narrowed to (`None`: all).
#[derive(Clone, Debug)]
pub struct CommunityFeed {
    pub id: CommunityId,
    pub kinds: Vec<EntityKind>,
    pub intakes: Option<Vec<IntakeId>>,
}

/// Past this many index ranges a feed read is one filter over the range of sequence numbers
/// instead (SQLite allows 500 arms in a compound SELECT).
pub(crate) const FEED_ARMS: usize = 400;

/// The conditions picking `scope`'s changes, one per index range: the user's own memberships
/// (and, in a workspace they see confined, their own roles); each whole
/// workspace's; of a confined one, the workspace itself and its roles, each community's kinds
/// (by `changes_community`), the memberships of the people of the communities whose people
/// the user sees (by `changes_subject`), its invitations. (`seq > $1 AND (subject = $2 OR
/// workspace IN (...))` made SQLite read and sort every later change, data included, for each
/// batch: quadratic over a full sync.)
pub(crate) fn feed_arms(sql: &mut Sql, scope: &FeedScope) -> Vec<String> {
    // Their own memberships, wherever (a removal from a workspace reaches them so).
    let me = sql.arg(scope.me.to_string());
    let mut arms = vec![format!("subject_user_id = {me} AND kind = 'member'")];
    for w in &scope.whole {
        arms.push(format!("workspace_id = {}", sql.arg(w.to_string())));
    }
    for c in &scope.confined {
        let w = sql.arg(c.workspace.to_string());
        // Their own roles, whether or not they may see the community's people.
        arms.push(format!("subject_user_id = {me} AND workspace_id = {w} AND kind = 'assignment'"));
        arms.push(format!("workspace_id = {w} AND kind = 'workspace'"));
        if c.roles {
            arms.push(format!("workspace_id = {w} AND kind = 'role'"));
        }
        if c.invitations {
            arms.push(format!("workspace_id = {w} AND kind = 'invitation'"));
        }
        if !c.people_of.is_empty() {
            let list = sql.list(c.people_of.iter().map(|x| x.to_string()));
            // Person by person from the communities' assignments (CROSS JOIN keeps that order
            // on SQLite): by `assignments_community` and `changes_subject`, at any workspace size.
            arms.push(format!(
                "seq IN (SELECT c.seq FROM (SELECT DISTINCT a.user_id FROM assignments a WHERE a.community_id IN ({list})) p CROSS JOIN changes c \
                 WHERE c.subject_user_id = p.user_id AND c.kind = 'member' AND c.workspace_id = {w})"
            ));
        }
        for cf in &c.communities {
            let id = sql.arg(cf.id.to_string());
            // Entity kinds are the domain's fixed names, never user input.
            let kinds: Vec<String> = cf.kinds.iter().map(|k| format!("'{}'", k.as_str())).collect();
            let mut cond = format!("community_id = {id} AND (kind IN ({})", kinds.join(", "));
            if let Some(intakes) = &cf.intakes {
                let list = sql.list(intakes.iter().map(|x| x.to_string()));
                cond += &format!(" OR kind = 'intake' AND entity_id IN ({list})");
            }
            cond.push(')');
            arms.push(cond);
        }
    }
    arms
}

/// The condition on `changes` picking `arms` in (`since`, `upto`] (placeholders): one index
/// range per arm, or one filter over the range past [`FEED_ARMS`].
pub(crate) fn feed_sources(arms: &[String], since: &str, upto: &str) -> String {
    if arms.len() > FEED_ARMS {
        let any: Vec<String> = arms.iter().map(|a| format!("({a})")).collect();
        return format!("seq > {since} AND seq <= {upto} AND ({})", any.join(" OR "));
    }
    let each: Vec<String> = arms.iter().map(|a| format!("SELECT seq FROM changes WHERE {a} AND seq > {since} AND seq <= {upto}")).collect();
    format!("seq IN ({})", each.join(" UNION ALL "))
}

/// The changes the service narrows before sending: a confined workspace's invitations (to
/// the roles offered in communities the user reads) and the changes of communities whose
/// settings they may not read (to the community without them).
pub(crate) fn narrowed_arms(sql: &mut Sql, scope: &FeedScope) -> Vec<String> {
    let mut arms = Vec::new();
    for c in &scope.confined {
        if c.invitations {
            arms.push(format!("workspace_id = {} AND kind = 'invitation'", sql.arg(c.workspace.to_string())));
        }
        for h in &c.settings_hidden {
            arms.push(format!("community_id = {} AND kind = 'community'", sql.arg(h.to_string())));
        }
    }
    arms
}

#[async_trait]
pub trait FeedRows: Send {
    async fn insert_audit(&mut self, a: &AuditRecord) -> R<()>;
    /// The current names of those of `ids` that are a user (as [`tenancy::audit_words::person`]), or
    /// a workspace, community, role, invitation (its email), API key or intake of `ws`: one
    /// query, for an audit entry's [`AuditRecord::names`].
    async fn audit_names(&mut self, ws: Option<WorkspaceId>, ids: &[String]) -> R<Vec<(String, String)>>;
    /// A workspace's audit entries, or with `None` the instance-level ones (sign-ins, purges);
    /// `only`: those about these communities (a confined reader's).
    async fn audit(&mut self, ws: Option<WorkspaceId>, q: &AuditQuery) -> R<Vec<AuditEntry>>;
    async fn insert_change(&mut self, c: &NewChange) -> R<i64>;
    // A page of a user's change feed (what `FeedScope` covers) after `since` is read in three
    // steps, so that its entities go out as stored:
    /// The sequence numbers of the `limit`-th and the next change after `since`, as far as
    /// there are that many (so: has the page more, and where does it end).
    async fn feed_bounds(&mut self, scope: &FeedScope, since: i64, limit: u32) -> R<Vec<i64>>;
    /// The changes in (`since`, `upto`] the service narrows before sending ([`narrowed_arms`]).
    async fn feed_to_narrow(&mut self, scope: &FeedScope, since: i64, upto: i64) -> R<Vec<RawChange>>;
    /// The changes in (`since`, `upto`], in order, as the JSON array of
    /// [`tenancy::wire::Change`]s the feed sends, written by the database; each of `replaced`
    /// goes out as the service wrote it instead (`None`: not at all).
    async fn feed_json(&mut self, scope: &FeedScope, since: i64, upto: i64, replaced: &[(i64, Option<String>)]) -> R<String>;
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
                    "INSERT INTO audit_log (workspace_id, actor_id, action, target_kind, target_id, before, after, at, request_id, community_id, names) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
                    a.workspace_id.map(|w| w.to_string()), a.actor_id.map(|u| u.to_string()), a.action.as_str(), a.action.target().as_str(), &a.target_id,
                    a.before.as_ref().map(to_json), a.after.as_ref().map(to_json), ms(a.at), &a.request_id, a.community_id.map(|c| c.to_string()),
                    (!a.names.is_empty()).then(|| to_json(&a.names))
                )).await?;
                Ok(())
            }
            async fn audit_names(&mut self, ws: Option<WorkspaceId>, ids: &[String]) -> R<Vec<(String, String)>> {
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                let mut sql = Sql::new("");
                let list = sql.list(ids.iter().map(String::as_str));
                // `UNION ALL`: the arms' names differ in collation on PostgreSQL, and nothing
                // needs comparing them.
                let mut arms = vec![
                    format!("SELECT id, CASE WHEN display_name = '' THEN email ELSE display_name || ' <' || email || '>' END AS name FROM users WHERE id IN ({list})"),
                ];
                if let Some(w) = ws {
                    let w = sql.arg(w.to_string());
                    arms.push(format!("SELECT id, name FROM workspaces WHERE id = {w} AND id IN ({list})"));
                    for (table, col) in [("communities", "name"), ("roles", "name"), ("invitations", "email"), ("api_keys", "name"), ("intakes", "name")] {
                        arms.push(format!("SELECT id, {col} AS name FROM {table} WHERE workspace_id = {w} AND id IN ({list})"));
                    }
                }
                sql.text = arms.join(" UNION ALL ");
                self.all(Self::built(&sql), |r| Ok((r.text("id")?, r.text("name")?))).await
            }
            async fn audit(&mut self, ws: Option<WorkspaceId>, q: &AuditQuery) -> R<Vec<AuditEntry>> {
                let mut sql = Sql::new("SELECT * FROM audit_log WHERE ");
                match ws {
                    Some(w) => {
                        let p = sql.arg(w.to_string());
                        sql.text += &format!("workspace_id = {p}");
                    }
                    None => sql.text += "workspace_id IS NULL",
                }
                if let Some(ids) = &q.only {
                    let list = sql.list(ids.iter().map(|c| c.to_string()));
                    sql.text += &format!(" AND community_id IN ({list})");
                }
                // Each filter given adds its own predicate (no `$n IS NULL OR …`, which would
                // keep the planner off the indexes).
                let texts: [(&str, Option<String>); 5] = [
                    ("action", q.action.map(|a| a.as_str().to_owned())),
                    ("actor_id", q.actor.map(|u| u.to_string())),
                    ("target_kind", q.target_kind.map(|k| k.as_str().to_owned())),
                    ("target_id", q.target_id.clone()),
                    ("community_id", q.community.map(|c| c.to_string())),
                ];
                for (col, v) in texts {
                    if let Some(v) = v {
                        let p = sql.arg(v);
                        sql.text += &format!(" AND {col} = {p}");
                    }
                }
                if let Some(f) = q.from {
                    let p = sql.arg(ms(f));
                    sql.text += &format!(" AND at >= {p}");
                }
                if let Some(t) = q.to {
                    let p = sql.arg(ms(t));
                    sql.text += &format!(" AND at < {p}");
                }
                if let Some(b) = q.before_id {
                    let p = sql.arg(b);
                    sql.text += &format!(" AND id < {p}");
                }
                let l = sql.arg(q.limit as i64);
                sql.text += &format!(" ORDER BY id DESC LIMIT {l}");
                self.all(
                    Self::built(&sql),
                    |r| {
                        let j = |col: &str| -> R<Option<serde_json::Value>> {
                            r.text_opt(col)?.map(|s| serde_json::from_str(&s).map_err(corrupt)).transpose()
                        };
                        let names = match r.text_opt("names")? {
                            Some(s) => serde_json::from_str(&s).map_err(corrupt)?,
                            None => Default::default(),
                        };
                        let mut e = AuditEntry {
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
                            names,
                            summary: String::new(),
                        };
                        // What happened in words, from the names the entry kept.
                        e.summary = tenancy::audit_words::summary(&e);
                        Ok(e)
                    },
                )
                .await
            }
            async fn insert_change(&mut self, c: &NewChange) -> R<i64> {
                let row = q!(
                    &format!("INSERT INTO changes (seq, workspace_id, subject_user_id, kind, entity_id, op, data, at, community_id) VALUES ({NEXT_SEQ},$1,$2,$3,$4,$5,$6,$7,$8) RETURNING seq"),
                    c.workspace_id.map(|w| w.to_string()), c.subject_user_id.map(|u| u.to_string()), c.kind.as_str(), &c.entity_id,
                    if c.op == ChangeOp::Upsert { "upsert" } else { "delete" }, c.data.as_ref().map(to_json), ms(c.at), c.community_id.map(|x| x.to_string())
                )
                .fetch_one(&mut *self.tx)
                .await?;
                Ok(row.int("seq")?)
            }
            async fn feed_bounds(&mut self, scope: &FeedScope, since: i64, limit: u32) -> R<Vec<i64>> {
                let mut sql = Sql::new("");
                let (from, lim, skip) = (sql.arg(since), sql.arg(limit as i64 + 1), sql.arg(limit as i64 - 1));
                let arms = feed_arms(&mut sql, scope);
                // Each source reads up to `limit + 1` changes from its index; the union counts a
                // change two sources pick once.
                let sources = if arms.len() > FEED_ARMS {
                    let any: Vec<String> = arms.iter().map(|a| format!("({a})")).collect();
                    format!("SELECT seq FROM changes WHERE seq > {from} AND ({})", any.join(" OR "))
                } else {
                    let each: Vec<String> = arms
                        .iter()
                        .enumerate()
                        .map(|(i, a)| format!("SELECT seq FROM (SELECT seq FROM changes WHERE {a} AND seq > {from} ORDER BY seq LIMIT {lim}) s{i}"))
                        .collect();
                    each.join(" UNION ")
                };
                sql.text = format!("SELECT seq FROM ({sources}) page ORDER BY seq LIMIT 2 OFFSET {skip}");
                self.all(Self::built(&sql), |r| r.int("seq")).await
            }
            async fn feed_to_narrow(&mut self, scope: &FeedScope, since: i64, upto: i64) -> R<Vec<RawChange>> {
                let mut sql = Sql::new("");
                let (from, to) = (sql.arg(since), sql.arg(upto));
                let arms = narrowed_arms(&mut sql, scope);
                if arms.is_empty() {
                    return Ok(Vec::new());
                }
                sql.text = format!("SELECT * FROM changes WHERE {} ORDER BY seq", feed_sources(&arms, &from, &to));
                self.all(Self::built(&sql), |r| {
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
            async fn feed_json(&mut self, scope: &FeedScope, since: i64, upto: i64, replaced: &[(i64, Option<String>)]) -> R<String> {
                let mut sql = Sql::new("");
                let (from, to) = (sql.arg(since), sql.arg(upto));
                let arms = feed_arms(&mut sql, scope);
                // One `format` per change: a chain of `||` copied each row a dozen times.
                let mut page = format!(
                    "SELECT seq, format('{{\"seq\":%s,\"workspace_id\":%s,\"kind\":\"%s\",\"id\":%s,\"op\":\"%s\",\"data\":%s,\"at\":\"%s\"}}', \
                     seq, COALESCE({ws}, 'null'), kind, {id}, op, COALESCE(data, 'null'), {at}) AS j FROM changes WHERE {}",
                    feed_sources(&arms, &from, &to),
                    ws = json_text("workspace_id"),
                    id = json_text("entity_id"),
                    at = JSON_TIME,
                );
                if !replaced.is_empty() {
                    let list = sql.list(replaced.iter().map(|(seq, _)| *seq));
                    page += &format!(" AND seq NOT IN ({list})");
                    for (seq, json) in replaced {
                        if let Some(json) = json {
                            let (a, b) = (sql.arg(*seq), sql.arg(json.as_str()));
                            page += &format!(" UNION ALL SELECT {a}, {b}");
                        }
                    }
                }
                sql.text = format!("SELECT '[' || COALESCE(string_agg(j, ',' ORDER BY seq), '') || ']' FROM ({page}) page");
                Ok(Self::built(&sql).fetch_one(&mut *self.tx).await?.try_get::<String, _>(0)?)
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
