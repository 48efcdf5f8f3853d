//! Storage behind the API. The HTTP layer and the service logic see only these traits; SQLite
//! (embedded) and PostgreSQL (row-level security) implement them with the same queries.
//!
//! A `Store` opens transactions; a `Tx` reads and writes rows. Rules live in `service`, written
//! once against `Tx`; each store only knows how to move rows.

mod rows;
#[macro_use]
mod sql;
#[macro_use]
mod directory;
#[macro_use]
mod feed;
#[macro_use]
mod keys;
#[macro_use]
mod sessions;
#[macro_use]
mod workspaces;
#[macro_use]
mod bulk;
pub mod postgres;
pub mod sqlite;

pub use directory::{AssignmentQuery, DirectoryRows, InvitationRecord, MemberQuery, Within};
pub(crate) use sql::{reads_key, Arg, Sql};
pub use feed::{AuditQuery, AuditRecord, CommunityFeed, ConfinedFeed, FeedRows, FeedScope, NewChange};
pub use keys::{IntakeVolume, KeyRows, VolumeScope};
pub use sessions::{AccessTokenRecord, RefreshTokenRecord, SessionRows, UserRecord};
pub use workspaces::{UsageCounts, WorkspaceKey, WorkspaceRows};
pub use bulk::BulkRows;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use tenancy::wire::*;
use tenancy::*;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness constraint refused the write; carries the constraint's column(s).
    #[error("unique constraint on {0}")]
    Unique(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The database stopped answering while the transaction committed: it may or may not have
    /// been applied.
    #[error("commit interrupted: {0}")]
    CommitInterrupted(sqlx::Error),
}

impl StoreError {
    /// Whether the database, not the request, is at fault and may answer again soon: it is
    /// restarting, unreachable, out of connections or too busy.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Database(e) => unavailable(e),
            StoreError::CommitInterrupted(_) => true,
            _ => false,
        }
    }

    /// A failed commit: one the database stopped answering during is of unknown outcome.
    pub(crate) fn committing(e: sqlx::Error) -> Self {
        if unavailable(&e) {
            StoreError::CommitInterrupted(e)
        } else {
            StoreError::Database(e)
        }
    }
}

/// PostgreSQL's SQLSTATEs for a server shutting down, starting up, out of connections, or a
/// connection that failed or went away.
const UNAVAILABLE_SQLSTATES: &[&str] = &["57P01", "57P02", "57P03", "08000", "08001", "08003", "08004", "08006", "53300"];

/// Whether `e` says the database cannot be used right now (rather than that the query is wrong):
/// the connection failed or broke, the pool found no connection in time or is closed,
/// PostgreSQL is shutting down or starting up, or SQLite stayed busy past its timeout.
pub fn unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => true,
        sqlx::Error::Database(d) => d.code().is_some_and(|c| {
            // SQLite's codes are numbers (the extended code, whose low byte is the primary one).
            UNAVAILABLE_SQLSTATES.contains(&c.as_ref()) || c.parse::<i32>().is_ok_and(|n| n & 0xff == SQLITE_BUSY)
        }),
        _ => false,
    }
}

/// SQLite's primary result code for a database locked by another connection past the busy timeout.
const SQLITE_BUSY: i32 = 5;

pub type R<T> = Result<T, StoreError>;

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// A transaction acting for `user` (the signed-in caller; `None` before sign-in). Writes are
    /// serialised per workspace (SQLite: one writer; PostgreSQL: row locks), so read-check-write
    /// sequences inside one `Tx` are atomic.
    async fn begin(&self, write: bool, user: Option<UserId>) -> R<Box<dyn Tx>>;
    /// A transaction for instance-level work across workspaces: the purge, platform-admin views
    /// and actions, API-key introspection (PostgreSQL: the jobs role).
    async fn begin_instance(&self, write: bool) -> R<Box<dyn Tx>> {
        self.begin(write, None).await
    }
}

/// A transaction of a store: what it can do, area by area (each area's trait and SQL live in
/// its own file), plus committing and the tenancy context.
#[async_trait]
pub trait Tx: SessionRows + WorkspaceRows + DirectoryRows + KeyRows + FeedRows + BulkRows + Send {
    async fn commit(self: Box<Self>) -> R<()>;

    // tenancy context: what PostgreSQL's row-level security lets the rest of the transaction
    // see; SQLite enforces nothing beyond the queries' own predicates.
    /// The workspace the transaction works in, once the service has checked the caller may.
    async fn enter_workspace(&mut self, ws: WorkspaceId) -> R<()>;
    /// The user whose memberships make workspaces visible: the caller, or the user a
    /// user-level change is about.
    async fn act_for(&mut self, user: Option<UserId>) -> R<()>;
    /// What the caller may see in the workspaces the transaction reads (from the domain's
    /// [`Sight`]): row-level security confines every community-scoped table to it.
    async fn confine(&mut self, c: &Confinement) -> R<()>;
}

/// What a transaction's caller may see, for row-level security: the workspaces they see whole,
/// and in the others the communities they hold roles in and what they may read in each.
#[derive(Clone, Debug, Default)]
pub struct Confinement {
    pub whole: Vec<WorkspaceId>,
    pub confined: Vec<WorkspaceId>,
    pub sees: Vec<CommunityId>,
    pub reads: std::collections::BTreeMap<Data, Vec<CommunityId>>,
}

impl Confinement {
    pub fn of(ws: WorkspaceId, sight: &Sight) -> Self {
        let mut c = Confinement::default();
        c.add(ws, sight);
        c
    }
    pub fn add(&mut self, ws: WorkspaceId, sight: &Sight) {
        match sight {
            Sight::Whole => self.whole.push(ws),
            Sight::Confined { communities, .. } => {
                self.confined.push(ws);
                for (&id, s) in communities {
                    self.sees.push(id);
                    for &d in s.reads.keys() {
                        self.reads.entry(d).or_default().push(id);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database error with a given code, as PostgreSQL (SQLSTATE) or SQLite (a number) report one.
    #[derive(Debug)]
    struct Coded(&'static str);
    impl std::fmt::Display for Coded {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "code {}", self.0)
        }
    }
    impl std::error::Error for Coded {}
    impl sqlx::error::DatabaseError for Coded {
        fn message(&self) -> &str {
            "coded"
        }
        fn code(&self) -> Option<std::borrow::Cow<'_, str>> {
            Some(self.0.into())
        }
        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> sqlx::error::ErrorKind {
            sqlx::error::ErrorKind::Other
        }
    }

    #[test]
    fn shutdown_connection_and_busy_codes_are_unavailability_and_others_are_not() {
        let coded = |c: &'static str| sqlx::Error::Database(Box::new(Coded(c)));
        // admin/crash shutdown, starting up, connection failures, too many connections; SQLite
        // busy (5) and its extended codes (BUSY_RECOVERY 261, BUSY_SNAPSHOT 517, BUSY_TIMEOUT 773).
        for c in ["57P01", "57P02", "57P03", "08000", "08001", "08003", "08004", "08006", "53300", "5", "261", "517", "773"] {
            assert!(unavailable(&coded(c)), "{c}");
        }
        // unique violation, syntax error, serialization failure, SQLite constraint (19), full (13).
        for c in ["23505", "42601", "40001", "19", "2067", "13"] {
            assert!(!unavailable(&coded(c)), "{c}");
        }
        assert!(StoreError::committing(sqlx::Error::PoolTimedOut).is_unavailable());
        assert!(matches!(StoreError::committing(sqlx::Error::RowNotFound), StoreError::Database(_)));
    }
}
