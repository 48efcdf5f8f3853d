//! How the SQL stores run their queries. SQLite and PostgreSQL read the same SQL text (`$n`
//! placeholders, ids as text, times as Unix milliseconds, lists as JSON text), so `impl_sql_tx!`
//! implements `Tx` once for both transaction types, area by area (`sessions.rs`,
//! `workspaces.rs`, `directory.rs`, `keys.rs`, `feed.rs`, each with its own SQL). Each store
//! supplies only what differs: how a write locks a workspace row (`lock_clause`), how the
//! tenancy context is set (`set_context`), and the change feed's sequence (`NEXT_SEQ`,
//! `LATEST_SEQ`, `JSON_TIME`, `json_text`).

/// A query built piece by piece: its text with `$n` placeholders, and their arguments in
/// order. Optional filters become clauses only when present, so each shape of filter is its
/// own SQL text with the predicates an index serves (`($1 IS NULL OR col = $1)` defeats them).
#[derive(Clone, Debug, Default)]
pub(crate) struct Sql {
    pub text: String,
    pub args: Vec<Arg>,
}

#[derive(Clone, Debug)]
pub(crate) enum Arg {
    Text(String),
    Int(i64),
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}
impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_owned())
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}

impl Sql {
    pub fn new(text: impl Into<String>) -> Self {
        Sql { text: text.into(), args: Vec::new() }
    }
    /// A placeholder for `a`, to write into the text.
    pub fn arg(&mut self, a: impl Into<Arg>) -> String {
        self.args.push(a.into());
        format!("${}", self.args.len())
    }
    /// Placeholders for each of `items`, comma-separated (`NULL` for none, which `IN` matches
    /// with nothing).
    pub fn list<T: Into<Arg>>(&mut self, items: impl IntoIterator<Item = T>) -> String {
        let marks: Vec<String> = items.into_iter().map(|i| self.arg(i)).collect();
        if marks.is_empty() {
            "NULL".to_owned()
        } else {
            marks.join(", ")
        }
    }
}

macro_rules! q {
    ($sql:expr $(, $arg:expr)* $(,)?) => {
        sqlx::query($sql)$(.bind($arg))*
    };
}

/// Implements `Tx` for a store's transaction type `$tx` (a struct with a `tx` field holding a
/// `sqlx::Transaction` of database `$db`), with the shared queries.
macro_rules! impl_sql_tx {
    ($tx:ty, $db:ty, $row:ty) => {
        impl $tx {
            async fn one<'q, T>(&mut self, q: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>, f: fn(&$row) -> R<T>) -> R<Option<T>> {
                q.fetch_optional(&mut *self.tx).await?.as_ref().map(f).transpose()
            }
            async fn all<'q, T>(&mut self, q: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>, f: fn(&$row) -> R<T>) -> R<Vec<T>> {
                q.fetch_all(&mut *self.tx).await?.iter().map(f).collect()
            }
            async fn exec<'q>(&mut self, q: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>) -> R<u64> {
                Ok(q.execute(&mut *self.tx).await.map_err(uniq)?.rows_affected())
            }
            async fn count<'q>(&mut self, q: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>) -> R<i64> {
                Ok(q.fetch_one(&mut *self.tx).await?.try_get::<i64, _>(0)?)
            }
            /// `sql` as a query, its arguments bound.
            fn built(sql: &Sql) -> sqlx::query::Query<'_, $db, <$db as sqlx::Database>::Arguments<'_>> {
                let mut q = sqlx::query(&sql.text);
                for a in &sql.args {
                    q = match a {
                        Arg::Text(s) => q.bind(s.as_str()),
                        Arg::Int(v) => q.bind(*v),
                    };
                }
                q
            }
        }

        #[async_trait]
        impl Tx for $tx {
            async fn commit(self: Box<Self>) -> R<()> {
                self.tx.commit().await.map_err(StoreError::committing)
            }
            async fn enter_workspace(&mut self, ws: WorkspaceId) -> R<()> {
                if self.write {
                    // A write sees the workspace it works in whole (see `confine`).
                    self.set_contexts(&[("tenancy.workspace_id", Some(ws.to_string())), ("tenancy.whole", Some(ws.to_string()))]).await
                } else {
                    self.set_context("tenancy.workspace_id", Some(ws.to_string())).await
                }
            }
            async fn act_for(&mut self, user: Option<UserId>) -> R<()> {
                self.set_context("tenancy.user_id", user.map(|u| u.to_string())).await
            }
            async fn confine(&mut self, c: &Confinement) -> R<()> {
                // A write sees its workspaces whole: the service's checks confine what it does,
                // and its invariants (seats, owners, roles in use) count every row.
                let join = |ids: &mut dyn Iterator<Item = String>| Some(ids.collect::<Vec<_>>().join(","));
                let whole: Vec<String> = c.whole.iter().chain(if self.write { c.confined.iter() } else { [].iter() }).map(|w| w.to_string()).collect();
                // All in one round trip.
                let mut pairs = vec![("tenancy.whole", Some(whole.join(","))), ("tenancy.sees", join(&mut c.sees.iter().map(|x| x.to_string())))];
                for d in tenancy::Data::ALL {
                    let Some(key) = reads_key(d) else { continue };
                    let ids = c.reads.get(&d).map(|v| v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",")).unwrap_or_default();
                    pairs.push((key, Some(ids)));
                }
                self.set_contexts(&pairs).await
            }
        }

        impl_sessions_rows!($tx);
        impl_workspaces_rows!($tx);
        impl_directory_rows!($tx);
        impl_keys_rows!($tx);
        impl_feed_rows!($tx);
        impl_bulk_rows!($tx, $db);
    };
}

/// The context key naming the communities where `d` may be read (settings are columns, not
/// rows: the service leaves them out).
pub(crate) fn reads_key(d: tenancy::Data) -> Option<&'static str> {
    use tenancy::Data::*;
    Some(match d {
        Settings => return None,
        Members => "tenancy.reads_members",
        Invitations => "tenancy.reads_invitations",
        ApiKeys => "tenancy.reads_api_keys",
        Intakes => "tenancy.reads_intakes",
        Alerts => "tenancy.reads_alerts",
        Audit => "tenancy.reads_audit",
    })
}
