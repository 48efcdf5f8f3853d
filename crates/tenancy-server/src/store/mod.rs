//! Storage behind the API. The HTTP layer and the service logic see only these traits; SQLite
//! (embedded) and PostgreSQL (row-level security) implement them with the same queries.
//!
//! A `Store` opens transactions; a `Tx` reads and writes rows. Rules live in `service`, written
//! once against `Tx`; each store only knows how to move rows.

#[macro_use]
mod sql;
pub mod postgres;
pub mod sqlite;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use tenancy::api::*;
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

#[derive(Clone, Debug)]
pub struct UserRecord {
    pub id: UserId,
    pub email: Email,
    pub display_name: String,
    pub password_hash: String,
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub platform_admin: bool,
    pub free_limit_lifted: bool,
    pub created_at: DateTime<Utc>,
}

impl UserRecord {
    pub fn public(&self) -> User {
        User {
            id: self.id,
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            two_factor_enabled: self.totp_enabled,
            platform_admin: self.platform_admin,
            created_at: self.created_at,
        }
    }
}

#[derive(Clone, Debug)]
pub struct RefreshTokenRecord {
    pub token_hash: String,
    pub family_id: Uuid,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug)]
pub struct AccessTokenRecord {
    pub token_hash: String,
    pub family_id: Uuid,
    pub user_id: UserId,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// An invitation as stored; its status is derived from the timestamps.
#[derive(Clone, Debug)]
pub struct InvitationRecord {
    pub id: InvitationId,
    pub workspace_id: WorkspaceId,
    pub email: Email,
    pub workspace_role: WorkspaceRole,
    pub assignments: Vec<AssignmentSpec>,
    pub invited_by: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl InvitationRecord {
    pub fn status(&self, now: DateTime<Utc>) -> InvitationStatus {
        if self.accepted_at.is_some() {
            InvitationStatus::Accepted
        } else if self.revoked_at.is_some() {
            InvitationStatus::Revoked
        } else if self.expires_at <= now {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Pending
        }
    }
    pub fn public(&self, now: DateTime<Utc>) -> Invitation {
        Invitation {
            id: self.id,
            workspace_id: self.workspace_id,
            email: self.email.clone(),
            workspace_role: self.workspace_role,
            assignments: self.assignments.clone(),
            invited_by: self.invited_by,
            created_at: self.created_at,
            expires_at: self.expires_at,
            status: self.status(now),
        }
    }
}

#[derive(Clone, Debug)]
pub struct AuditRecord {
    pub workspace_id: Option<WorkspaceId>,
    pub actor_id: Option<UserId>,
    pub action: String,
    pub target_kind: String,
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

/// Members list query: keyset paging on (email, user id).
#[derive(Clone, Debug, Default)]
pub struct MemberQuery {
    pub search: Option<String>,
    pub role: Option<WorkspaceRole>,
    pub after_email: Option<String>,
    pub limit: u32,
}

#[derive(Clone, Debug, Default)]
pub struct AssignmentQuery {
    pub community_id: Option<CommunityId>,
    pub user_id: Option<UserId>,
    pub after_id: Option<AssignmentId>,
    pub limit: u32,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct UsageCounts {
    pub members: u32,
    pub pending_invitations: u32,
    pub communities: u32,
    pub api_keys: u32,
}

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

#[async_trait]
pub trait Tx: Send {
    async fn commit(self: Box<Self>) -> R<()>;

    // tenancy context: what PostgreSQL's row-level security lets the rest of the transaction
    // see; SQLite enforces nothing beyond the queries' own predicates.
    /// The workspace the transaction works in, once the service has checked the caller may.
    async fn enter_workspace(&mut self, ws: WorkspaceId) -> R<()>;
    /// The user whose memberships make workspaces visible: the caller, or the user a
    /// user-level change is about.
    async fn act_for(&mut self, user: Option<UserId>) -> R<()>;

    // users
    async fn user(&mut self, id: UserId) -> R<Option<UserRecord>>;
    async fn user_by_email(&mut self, email: &str) -> R<Option<UserRecord>>;
    async fn insert_user(&mut self, u: &UserRecord) -> R<()>;
    async fn update_user(&mut self, u: &UserRecord) -> R<()>;

    // sessions
    async fn insert_refresh_token(&mut self, t: &RefreshTokenRecord) -> R<()>;
    async fn refresh_token(&mut self, hash: &str) -> R<Option<RefreshTokenRecord>>;
    async fn mark_refresh_token_used(&mut self, hash: &str, at: DateTime<Utc>) -> R<()>;
    async fn insert_access_token(&mut self, t: &AccessTokenRecord) -> R<()>;
    async fn access_token(&mut self, hash: &str) -> R<Option<AccessTokenRecord>>;
    async fn revoke_family(&mut self, family: Uuid, at: DateTime<Utc>) -> R<()>;
    async fn revoke_user_sessions(&mut self, user: UserId, at: DateTime<Utc>) -> R<()>;

    // workspaces
    async fn workspace(&mut self, id: WorkspaceId) -> R<Option<Workspace>>;
    async fn workspace_by_slug(&mut self, slug: &str) -> R<Option<Workspace>>;
    async fn insert_workspace(&mut self, w: &Workspace, created_by: UserId) -> R<()>;
    async fn update_workspace(&mut self, w: &Workspace) -> R<()>;
    /// Serialise writers of one workspace for the rest of the transaction.
    async fn lock_workspace(&mut self, id: WorkspaceId) -> R<()>;
    /// Live (not deleted) workspaces the user belongs to, by slug.
    async fn memberships(&mut self, user: UserId) -> R<Vec<(Workspace, WorkspaceRole)>>;
    /// Every workspace the user has a membership in, soft-deleted ones included: the workspaces
    /// whose changes the feed shows them.
    async fn member_workspaces(&mut self, user: UserId) -> R<Vec<WorkspaceId>>;
    async fn deleted_workspaces(&mut self) -> R<Vec<Workspace>>;
    async fn workspaces_deleted_before(&mut self, t: DateTime<Utc>) -> R<Vec<WorkspaceId>>;
    /// Remove a workspace and everything in it, its change feed entries included.
    async fn purge_workspace(&mut self, id: WorkspaceId) -> R<()>;
    async fn count_free_workspaces_owned(&mut self, user: UserId) -> R<u32>;
    async fn usage(&mut self, ws: WorkspaceId, now: DateTime<Utc>) -> R<UsageCounts>;

    // members
    async fn member(&mut self, ws: WorkspaceId, user: UserId) -> R<Option<Member>>;
    async fn members(&mut self, ws: WorkspaceId, q: &MemberQuery) -> R<Vec<Member>>;
    async fn insert_member(&mut self, m: &Member) -> R<()>;
    async fn update_member(&mut self, m: &Member) -> R<()>;
    async fn delete_member(&mut self, ws: WorkspaceId, user: UserId) -> R<()>;
    async fn count_owners(&mut self, ws: WorkspaceId) -> R<u64>;

    // communities
    async fn community(&mut self, ws: WorkspaceId, id: CommunityId) -> R<Option<Community>>;
    async fn communities(&mut self, ws: WorkspaceId, after_slug: Option<&str>, limit: u32) -> R<Vec<Community>>;
    async fn insert_community(&mut self, c: &Community) -> R<()>;
    async fn update_community(&mut self, c: &Community) -> R<()>;

    // roles
    async fn role(&mut self, ws: WorkspaceId, id: RoleId) -> R<Option<Role>>;
    async fn roles(&mut self, ws: WorkspaceId) -> R<Vec<Role>>;
    async fn insert_role(&mut self, r: &Role) -> R<()>;
    async fn update_role(&mut self, r: &Role) -> R<()>;
    async fn delete_role(&mut self, ws: WorkspaceId, id: RoleId) -> R<()>;
    async fn count_role_uses(&mut self, ws: WorkspaceId, id: RoleId) -> R<u64>;
    /// Communities where the role is held, by an assignment or a live API key.
    async fn communities_using_role(&mut self, ws: WorkspaceId, id: RoleId) -> R<Vec<CommunityId>>;

    // role assignments
    async fn assignment(&mut self, ws: WorkspaceId, id: AssignmentId) -> R<Option<RoleAssignment>>;
    async fn assignments(&mut self, ws: WorkspaceId, q: &AssignmentQuery) -> R<Vec<RoleAssignment>>;
    async fn insert_assignment(&mut self, a: &RoleAssignment) -> R<()>;
    async fn delete_assignment(&mut self, ws: WorkspaceId, id: AssignmentId) -> R<()>;

    // invitations
    async fn invitation(&mut self, id: InvitationId) -> R<Option<InvitationRecord>>;
    async fn invitations(&mut self, ws: WorkspaceId, after_id: Option<InvitationId>, limit: u32) -> R<Vec<InvitationRecord>>;
    async fn invitations_for_email(&mut self, email: &Email) -> R<Vec<InvitationRecord>>;
    async fn insert_invitation(&mut self, i: &InvitationRecord) -> R<()>;
    async fn update_invitation(&mut self, i: &InvitationRecord) -> R<()>;

    // API keys
    async fn api_key(&mut self, ws: WorkspaceId, id: ApiKeyId) -> R<Option<ApiKey>>;
    /// The key and its secret hash, by the public prefix.
    async fn api_key_by_prefix(&mut self, prefix: &str) -> R<Option<(ApiKey, String)>>;
    async fn api_keys(&mut self, ws: WorkspaceId, community: CommunityId, after_id: Option<ApiKeyId>, limit: u32) -> R<Vec<ApiKey>>;
    async fn insert_api_key(&mut self, k: &ApiKey, secret_hash: &str) -> R<()>;
    async fn update_api_key(&mut self, k: &ApiKey) -> R<()>;

    // intakes and alert volumes
    async fn intake(&mut self, ws: WorkspaceId, id: IntakeId) -> R<Option<Intake>>;
    async fn intakes(&mut self, ws: WorkspaceId, community: CommunityId) -> R<Vec<Intake>>;
    async fn insert_intake(&mut self, i: &Intake) -> R<()>;
    async fn delete_intake(&mut self, ws: WorkspaceId, id: IntakeId) -> R<()>;
    /// One community's daily volumes, or every community's (`None`), by community then day.
    /// ... as the JSON array of [`AlertVolume`]s the API sends, written by the database.
    async fn alert_volumes_json(&mut self, ws: WorkspaceId, community: Option<CommunityId>, from: NaiveDate, to: NaiveDate) -> R<String>;
    async fn insert_alert_volumes(&mut self, ws: WorkspaceId, v: &[AlertVolume]) -> R<()>;

    // audit log and change feed
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
    /// [`tenancy::api::Change`]s the feed sends, written by the database.
    async fn feed_json(&mut self, user: UserId, since: i64, upto: i64, hidden: &[i64]) -> R<String>;
    async fn latest_seq(&mut self) -> R<i64>;
    async fn feed_floor(&mut self) -> R<i64>;
}
