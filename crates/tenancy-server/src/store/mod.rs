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

pub use directory::{AssignmentQuery, DirectoryRows, InvitationRecord, MemberQuery, Within};
pub(crate) use sql::{reads_key, Arg, Sql};
pub use feed::{AuditQuery, AuditRecord, CommunityFeed, ConfinedFeed, FeedRows, FeedScope, NewChange};
pub use keys::{IntakeVolume, KeyRows, VolumeScope};
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
