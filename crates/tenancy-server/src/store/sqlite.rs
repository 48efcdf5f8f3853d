//! The embedded SQLite store. One writer connection serialises all writes (so read-check-write
//! inside a write transaction is atomic); a small pool serves reads concurrently (WAL).

use super::rows::*;
use super::*;
use super::{directory::*, feed::*, keys::*, sessions::*, workspaces::*};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{Row, Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    readers: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` and runs migrations.
    pub async fn open(url: &str) -> anyhow::Result<Self> {
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            // A snapshot reads hundreds of thousands of rows; with sqlx's default of 50 rows in
            // flight the SQLite thread and the task hand rows over in lockstep.
            .row_buffer_size(1024)
            // Read pages straight from the OS's cache instead of copying each into SQLite's own
            // (2 MB by default): a full sync reads the 100+ MB change log page by page.
            .pragma("mmap_size", "1073741824");
        let writer = SqlitePoolOptions::new().max_connections(1).connect_with(opts.clone()).await?;
        MIGRATOR.run(&writer).await?;
        // Start with the log folded into the database: a migration (or a seed) can leave
        // hundreds of MB in the WAL, and every read then looks each page up in it first.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&writer).await?;
        let readers = SqlitePoolOptions::new().max_connections(4).connect_with(opts.read_only(true)).await?;
        Ok(Self { writer, readers })
    }

    /// The writer pool, for the seeder's bulk inserts.
    pub fn writer(&self) -> &SqlitePool {
        &self.writer
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn begin(&self, write: bool, _user: Option<UserId>) -> R<Box<dyn Tx>> {
        let pool = if write { &self.writer } else { &self.readers };
        Ok(Box::new(SqliteTx { tx: pool.begin().await?, write }))
    }
}

pub struct SqliteTx {
    tx: Transaction<'static, Sqlite>,
    write: bool,
}

/// AUTOINCREMENT numbers the change feed: monotonic even after deletions, and in commit order
/// because the single writer commits one transaction at a time.
const NEXT_SEQ: &str = "NULL";
const LATEST_SEQ: &str = "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0)";
/// A change's time (Unix milliseconds) as RFC 3339 text, for the feed's JSON.
const JSON_TIME: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', at / 1000.0, 'unixepoch')";
/// A text column as a JSON string (NULL stays NULL).
fn json_text(col: &str) -> String {
    format!("CASE WHEN {col} IS NULL THEN NULL ELSE json_quote({col}) END")
}

/// SQLite has no tenancy context: the acting user is only a column of the query.
fn act_as(expr: &str) -> String {
    expr.to_owned()
}

impl SqliteTx {
    /// The single writer already serialises every write transaction: no row locks.
    fn lock_clause(&self) -> &'static str {
        ""
    }
    /// SQLite has no row-level security; isolation is the service's explicit predicates.
    async fn set_context(&mut self, _key: &str, _value: Option<String>) -> R<()> {
        Ok(())
    }
    async fn set_contexts(&mut self, _pairs: &[(&str, Option<String>)]) -> R<()> {
        Ok(())
    }
}

impl_sql_tx!(SqliteTx, Sqlite, SqliteRow);
