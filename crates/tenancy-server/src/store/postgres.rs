//! The PostgreSQL store, where isolation holds in the database too: every tenant-owned table has
//! row-level security (see migrations/postgres), requests connect as a role without BYPASSRLS,
//! and each transaction sets its tenancy context with `set_config(…, true)`, which ends with the
//! transaction and so never leaks to the next user of a pooled connection.
//!
//! Write transactions lock the workspace row they read (`FOR UPDATE`), so read-check-write
//! sequences in one workspace (the last-owner rule, If-Match versions) are serialised as on
//! SQLite; reads run at REPEATABLE READ, so one request sees one snapshot, as on SQLite.

use super::rows::*;
use super::*;
use super::{directory::*, feed::*, keys::*, sessions::*, workspaces::*};
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::{Postgres, Row, Transaction};

/// How long a request waits for a database connection (including reconnecting to a database
/// that went away) before it is answered 503.
pub const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// How long a pooled connection may sit unused before it is checked before its next use.
pub const IDLE_CHECK: std::time::Duration = std::time::Duration::from_secs(1);

/// The transaction-scoped advisory lock every write transaction holds until it ends (its key
/// spells "tenancy" in ASCII).
const WRITE_LOCK: &str = "SELECT pg_advisory_xact_lock(32762622053868409)";

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Where the server connects, one URL per role (see the migration for what each may do).
#[derive(Clone, Debug)]
pub struct PgUrls {
    /// The requests' role (`tenancy_app`).
    pub app: String,
    /// The instance-level jobs' role (`tenancy_jobs`).
    pub jobs: String,
    /// The tables' owner; migrations run at start when given.
    pub owner: Option<String>,
}

#[derive(Clone)]
pub struct PgStore {
    app: PgPool,
    jobs: PgPool,
}

impl PgStore {
    pub async fn open(urls: &PgUrls) -> anyhow::Result<Self> {
        if let Some(owner) = &urls.owner {
            let pool = PgPoolOptions::new().max_connections(1).connect(owner).await?;
            MIGRATOR.run(&pool).await?;
            pool.close().await;
        }
        let app = Self::pool(16).connect_with(Self::options(&urls.app)?).await?;
        let jobs = Self::pool(4).connect_with(Self::options(&urls.jobs)?).await?;
        Ok(Self { app, jobs })
    }

    /// Each connection with JIT compilation off. The planner prices a row-level security
    /// policy's subquery (never run for an owner, whose part of the policy is true first) at
    /// millions, above `jit_above_cost`, and compiling the plan then took 330–500 ms of a
    /// members page that runs in 1.5 ms (mssp-large). These are short queries: JIT never pays.
    fn options(url: &str) -> anyhow::Result<sqlx::postgres::PgConnectOptions> {
        Ok(url.parse::<sqlx::postgres::PgConnectOptions>()?.options([("jit", "off")]))
    }

    /// A pool that outlives the database going away, and a request waits at most
    /// [`ACQUIRE_TIMEOUT`] for a connection, so while the database is down it is answered 503
    /// soon instead of hanging (sqlx's default wait is 30 s).
    ///
    /// A connection that broke in use is closed when it is released (sqlx tests each released
    /// connection with a round trip, which also carries the rollback of a read), so a broken
    /// one serves no second request. One that sat idle for [`IDLE_CHECK`] or more is checked
    /// before use (one PostgreSQL closed while restarting is replaced by a new one); one in
    /// steady use is not, which spares every request a round trip.
    fn pool(max: u32) -> PgPoolOptions {
        PgPoolOptions::new()
            .max_connections(max)
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= IDLE_CHECK {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .acquire_timeout(ACQUIRE_TIMEOUT)
    }

    async fn open_tx(pool: &PgPool, write: bool, user: Option<UserId>) -> R<Box<dyn Tx>> {
        // A read's isolation is set by its BEGIN (one round trip less than a SET TRANSACTION).
        let begun = if write { pool.begin().await? } else { pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await? };
        let mut tx = PgTx { tx: begun, write };
        if write {
            // One writer at a time across every server process, as SQLite's single writer
            // connection: a write's read-check-write is atomic whatever rows it touches (a 2FA
            // change fans out into every workspace of the user; an invitation is answered and
            // revoked at once), not only where it locks a row. Reads do not take it.
            sqlx::query(WRITE_LOCK).execute(&mut *tx.tx).await?;
        }
        // A new transaction acts for nobody already (its settings start unset): only a user
        // costs a round trip.
        if user.is_some() {
            Tx::act_for(&mut tx, user).await?;
        }
        Ok(Box::new(tx))
    }
}

#[async_trait]
impl Store for PgStore {
    async fn begin(&self, write: bool, user: Option<UserId>) -> R<Box<dyn Tx>> {
        Self::open_tx(&self.app, write, user).await
    }
    async fn begin_instance(&self, write: bool) -> R<Box<dyn Tx>> {
        Self::open_tx(&self.jobs, write, None).await
    }
}

pub struct PgTx {
    tx: Transaction<'static, Postgres>,
    write: bool,
}

/// The feed's sequence is the feed_head row, bumped under its row lock (see the migration).
const NEXT_SEQ: &str = "tenancy_next_seq()";
const LATEST_SEQ: &str = "SELECT seq FROM feed_head WHERE id = 1";
/// A change's time (Unix milliseconds) as RFC 3339 text, for the feed's JSON.
const JSON_TIME: &str = "to_char(to_timestamp(at / 1000) AT TIME ZONE 'UTC' + (at % 1000) * interval '1 millisecond', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
/// A text column as a JSON string (NULL stays NULL).
fn json_text(col: &str) -> String {
    format!("to_json({col})::text")
}
/// A select-list item that makes the rest of the transaction act for the user id `expr`
/// evaluates to (`''`: nobody), as [`Tx::act_for`] does, within the query that finds them.
fn act_as(expr: &str) -> String {
    format!("set_config('tenancy.user_id', {expr}, true)")
}

impl PgTx {
    /// A write transaction that reads a workspace holds it until commit.
    fn lock_clause(&self) -> &'static str {
        if self.write {
            " FOR UPDATE"
        } else {
            ""
        }
    }
    async fn set_context(&mut self, key: &str, value: Option<String>) -> R<()> {
        self.set_contexts(&[(key, value)]).await
    }
    /// Several settings in one round trip (a confined request sets eight).
    async fn set_contexts(&mut self, pairs: &[(&str, Option<String>)]) -> R<()> {
        let mut sql = Sql::new("SELECT ");
        let calls: Vec<String> = pairs
            .iter()
            .map(|(k, v)| {
                let k = sql.arg(*k);
                let v = sql.arg(v.clone().unwrap_or_default());
                format!("set_config({k}, {v}, true)")
            })
            .collect();
        sql.text += &calls.join(", ");
        Self::built(&sql).execute(&mut *self.tx).await?;
        Ok(())
    }
}

impl_sql_tx!(PgTx, Postgres, PgRow);
