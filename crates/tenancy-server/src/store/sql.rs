//! How the SQL stores run their queries. SQLite and PostgreSQL read the same SQL text (`$n`
//! placeholders, ids as text, times as Unix milliseconds, lists as JSON text), so `impl_sql_tx!`
//! implements `Tx` once for both transaction types, area by area (`sessions.rs`,
//! `workspaces.rs`, `directory.rs`, `keys.rs`, `feed.rs`, each with its own SQL). Each store
//! supplies only what differs: how a write locks a workspace row (`lock_clause`), how the
//! tenancy context is set (`set_context`), and the change feed's sequence (`NEXT_SEQ`,
//! `LATEST_SEQ`, `JSON_TIME`, `json_text`).

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
        }

        #[async_trait]
        impl Tx for $tx {
            async fn commit(self: Box<Self>) -> R<()> {
                Ok(self.tx.commit().await?)
            }
            async fn enter_workspace(&mut self, ws: WorkspaceId) -> R<()> {
                self.set_context("tenancy.workspace_id", Some(ws.to_string())).await
            }
            async fn act_for(&mut self, user: Option<UserId>) -> R<()> {
                self.set_context("tenancy.user_id", user.map(|u| u.to_string())).await
            }
        }

        impl_sessions_rows!($tx);
        impl_workspaces_rows!($tx);
        impl_directory_rows!($tx);
        impl_keys_rows!($tx);
        impl_feed_rows!($tx);
    };
}
