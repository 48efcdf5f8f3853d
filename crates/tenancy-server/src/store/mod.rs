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
pub mod postgres;
pub mod sqlite;

pub use directory::{AssignmentQuery, DirectoryRows, InvitationRecord, MemberQuery};
pub use feed::{AuditRecord, FeedRows, NewChange};
pub use keys::KeyRows;
pub use sessions::{AccessTokenRecord, RefreshTokenRecord, SessionRows, UserRecord};
pub use workspaces::{UsageCounts, WorkspaceRows};

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
}

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
pub trait Tx: SessionRows + WorkspaceRows + DirectoryRows + KeyRows + FeedRows + Send {
    async fn commit(self: Box<Self>) -> R<()>;

    // tenancy context: what PostgreSQL's row-level security lets the rest of the transaction
    // see; SQLite enforces nothing beyond the queries' own predicates.
    /// The workspace the transaction works in, once the service has checked the caller may.
    async fn enter_workspace(&mut self, ws: WorkspaceId) -> R<()>;
    /// The user whose memberships make workspaces visible: the caller, or the user a
    /// user-level change is about.
    async fn act_for(&mut self, user: Option<UserId>) -> R<()>;
}
