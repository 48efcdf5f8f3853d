//! The `/v1` wire types, shared by the reference server and the console's client so that both
//! sides agree by construction.

use crate::audit::{AuditAction, AuditTarget};
use crate::ids::*;
use crate::permission::Permission;
use crate::plan::{Plan, PlanLimits};
use crate::problem::ProblemKind;
use crate::role::{AssignmentType, BuiltinRole, RoleGrant, RoleKind, WorkspaceRole};
use crate::{Email, IntakeKind, Name, Region, Slug, Timezone};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One page of a list; pass `next_cursor` back as `cursor` for the next one.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Opaque; absent on the last page.
    pub next_cursor: Option<String>,
}

// ---------- auth ----------

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RegisterRequest {
    pub email: Email,
    pub display_name: Name,
    /// At least 12 characters.
    pub password: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// The six-digit code from the authenticator app, when 2FA is enrolled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp: Option<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// A short-lived access token and a rotating refresh token (each refresh returns a new one;
/// presenting a used one revokes the whole session).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds until the access token expires.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub expires_in: u64,
    pub user: User,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TotpEnrolment {
    /// Base32 secret for the authenticator app.
    pub secret: String,
    pub otpauth_url: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TotpCode {
    pub code: String,
}

// ---------- users and me ----------

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub display_name: String,
    pub two_factor_enabled: bool,
    pub platform_admin: bool,
    pub created_at: DateTime<Utc>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Membership {
    pub workspace: Workspace,
    pub role: WorkspaceRole,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub user: User,
    pub memberships: Vec<Membership>,
    /// Pending invitations addressed to this user's email, with what they offer by name.
    pub invitations: Vec<InvitationOffer>,
}

/// An invitation as its invitee sees it: the workspace, who invited them, and the roles offered
/// by name (the invitee is not a member yet, so ids would tell them nothing).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InvitationOffer {
    pub invitation: Invitation,
    pub workspace_name: String,
    pub workspace_slug: String,
    pub invited_by_name: String,
    pub invited_by_email: String,
    /// The community roles given on acceptance, as named when the invitation was sent.
    pub roles: Vec<OfferedRole>,
    /// For a client contact's invitation, the name of their community when it was sent.
    #[serde(default)]
    pub contact_of_name: Option<String>,
}

/// A community role an invitation gives, by name.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OfferedRole {
    pub community: String,
    pub role: String,
    pub assignment_type: AssignmentType,
}

// ---------- workspaces ----------

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SecurityPolicy {
    pub require_2fa: bool,
    pub session_lifetime_minutes: u32,
    pub inactive_account_days: u32,
}

impl Default for SecurityPolicy {
    fn default() -> Self {
        Self { require_2fa: false, session_lifetime_minutes: 720, inactive_account_days: 90 }
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Workspace {
    pub id: WorkspaceId,
    pub slug: Slug,
    pub name: Name,
    pub plan: Plan,
    pub limits: PlanLimits,
    pub security: SecurityPolicy,
    pub created_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// Increases with every change; the ETag.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub version: i64,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CreateWorkspace {
    pub name: Name,
    pub slug: Slug,
    /// Defaults to `free`.
    #[serde(default)]
    pub plan: Option<Plan>,
    /// The first community; defaults to one named after the workspace.
    #[serde(default)]
    pub first_community: Option<CreateCommunity>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct UpdateWorkspace {
    #[serde(default)]
    pub name: Option<Name>,
    #[serde(default)]
    pub security: Option<SecurityPolicy>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ChangePlan {
    pub plan: Plan,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct WorkspaceUsage {
    pub plan: Plan,
    pub limits: PlanLimits,
    /// The MSSP's people: owners, admins and members (client contacts are not counted).
    pub members: u32,
    /// Pending invitations of the MSSP's people (those count against the seats).
    pub pending_invitations: u32,
    pub communities: u32,
    pub api_keys: u32,
    /// Client contacts, and their pending invitations: not counted against the seats.
    pub client_contacts: u32,
}

// ---------- communities ----------

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Community {
    pub id: CommunityId,
    pub workspace_id: WorkspaceId,
    pub slug: Slug,
    pub name: Name,
    /// Its settings; `null` for a person whose roles there do not let them read them
    /// (community.read), who sees its name only.
    pub settings: Option<CommunitySettings>,
    pub created_at: DateTime<Utc>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub version: i64,
}

impl Community {
    /// The community as someone who may not read its settings sees it.
    pub fn without_settings(mut self) -> Self {
        self.settings = None;
        self
    }
}

/// A community's settings, read with community.read and changed with community.manage.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CommunitySettings {
    pub timezone: Timezone,
    pub contact_email: Option<Email>,
    pub region: Region,
    #[serde(default)]
    pub portal: Portal,
}

/// The client portal of a community: when enabled, its admins may invite client contacts,
/// who see the community's overview read-only (and its team when `show_team`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Portal {
    pub enabled: bool,
    /// Client contacts see the community's team (its members and their roles there).
    pub show_team: bool,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CreateCommunity {
    pub name: Name,
    pub slug: Slug,
    pub timezone: Timezone,
    #[serde(default)]
    pub contact_email: Option<Email>,
    pub region: Region,
    /// A community of the same workspace whose role assignments the new one starts with (all
    /// of them, or the community is not created).
    #[serde(default)]
    pub copy_roles_from: Option<CommunityId>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct UpdateCommunity {
    #[serde(default)]
    pub name: Option<Name>,
    #[serde(default)]
    pub timezone: Option<Timezone>,
    /// `null` clears it; absent leaves it.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub contact_email: Option<Option<Email>>,
    #[serde(default)]
    pub region: Option<Region>,
    #[serde(default)]
    pub portal: Option<Portal>,
    /// Refused when given: a slug is fixed once the community exists, because links carry it.
    #[serde(default, skip_serializing)]
    #[schema(ignore)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub slug: Option<serde_json::Value>,
}

mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    pub fn serialize<T: Serialize, S: Serializer>(v: &Option<Option<T>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            None => s.serialize_none(),
            Some(inner) => inner.serialize(s),
        }
    }
    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

// ---------- members and roles ----------

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Member {
    pub workspace_id: WorkspaceId,
    pub user_id: UserId,
    pub email: Email,
    pub display_name: String,
    pub two_factor_enabled: bool,
    pub role: WorkspaceRole,
    /// The community a client contact belongs to (role `client`); `null` for the MSSP's people.
    #[serde(default)]
    pub contact_of: Option<CommunityId>,
    pub joined_at: DateTime<Utc>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub version: i64,
}

/// A membership's id in the change feed: `<workspace>/<user>`, written and read only here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemberKey {
    pub workspace: WorkspaceId,
    pub user: UserId,
}

impl MemberKey {
    pub fn of(m: &Member) -> Self {
        MemberKey { workspace: m.workspace_id, user: m.user_id }
    }
}

impl std::fmt::Display for MemberKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.workspace, self.user)
    }
}

impl std::str::FromStr for MemberKey {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("\"{s}\" is not a membership key (<workspace id>/<user id>)");
        let (w, u) = s.split_once('/').ok_or_else(bad)?;
        Ok(MemberKey { workspace: w.parse().map_err(|_| bad())?, user: u.parse().map_err(|_| bad())? })
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ChangeMemberRole {
    pub role: WorkspaceRole,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Role {
    pub id: RoleId,
    pub workspace_id: WorkspaceId,
    pub name: Name,
    pub kind: RoleKind,
    pub builtin: Option<BuiltinRole>,
    pub description: String,
    pub permissions: Vec<Permission>,
    pub intake_scope: Vec<IntakeId>,
    pub created_at: DateTime<Utc>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub version: i64,
}

/// What a stored role grants, for the union and the "grant only what you hold" rule.
impl From<&Role> for RoleGrant {
    fn from(r: &Role) -> Self {
        RoleGrant {
            role_id: r.id,
            role_name: r.name.to_string(),
            kind: r.kind,
            permissions: r.permissions.iter().copied().collect(),
            intake_scope: r.intake_scope.iter().copied().collect(),
        }
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CreateRole {
    pub name: Name,
    pub kind: RoleKind,
    #[serde(default)]
    pub description: String,
    pub permissions: Vec<Permission>,
    #[serde(default)]
    pub intake_scope: Vec<IntakeId>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct UpdateRole {
    #[serde(default)]
    pub name: Option<Name>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub permissions: Option<Vec<Permission>>,
    #[serde(default)]
    pub intake_scope: Option<Vec<IntakeId>>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RoleAssignment {
    pub id: AssignmentId,
    pub workspace_id: WorkspaceId,
    pub community_id: CommunityId,
    pub user_id: UserId,
    pub role_id: RoleId,
    pub assignment_type: AssignmentType,
    pub created_at: DateTime<Utc>,
}

/// A community role to give: used by role assignment and by invitations.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AssignmentSpec {
    pub community_id: CommunityId,
    pub role_id: RoleId,
    #[serde(default = "default_assignment_type")]
    pub assignment_type: AssignmentType,
}

fn default_assignment_type() -> AssignmentType {
    AssignmentType::Dedicated
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AssignRoles {
    /// All are given, or none.
    pub assignments: Vec<AssignmentSpec>,
    /// The roles given become the member's only roles in their communities: the others there
    /// are taken away in the same change (all of it, or nothing; one audit entry).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub replace: Option<bool>,
}

// ---------- invitations ----------

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    /// The invitee said no.
    Declined,
    Revoked,
    Expired,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Invitation {
    pub id: InvitationId,
    pub workspace_id: WorkspaceId,
    pub email: Email,
    pub workspace_role: WorkspaceRole,
    pub assignments: Vec<AssignmentSpec>,
    /// For a client contact's invitation, their community.
    #[serde(default)]
    pub contact_of: Option<CommunityId>,
    pub invited_by: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub status: InvitationStatus,
}

/// The one community `specs` give roles in, if they are all in one.
pub fn single_community(specs: &[AssignmentSpec]) -> Option<CommunityId> {
    let first = specs.first()?.community_id;
    specs.iter().all(|a| a.community_id == first).then_some(first)
}

impl Invitation {
    /// The invitation as it stands at `now`: one pending when it was read has expired since
    /// once `expires_at` has passed (a mirror read offline says so rather than offer it).
    pub fn as_of(mut self, now: DateTime<Utc>) -> Self {
        if self.status == InvitationStatus::Pending && self.expires_at <= now {
            self.status = InvitationStatus::Expired;
        }
        self
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CreateInvitation {
    pub email: Email,
    #[serde(default = "default_workspace_role")]
    pub workspace_role: WorkspaceRole,
    #[serde(default)]
    pub assignments: Vec<AssignmentSpec>,
}

/// Invite a client contact to a community whose client portal is enabled.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InviteContact {
    pub email: Email,
}

fn default_workspace_role() -> WorkspaceRole {
    WorkspaceRole::Member
}

// ---------- API keys, intakes, alert volumes ----------

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub workspace_id: WorkspaceId,
    pub community_id: CommunityId,
    pub name: Name,
    /// The first characters of the key, to recognise it; the secret itself is never stored.
    pub prefix: String,
    pub role_ids: Vec<RoleId>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CreateApiKey {
    pub name: Name,
    pub role_ids: Vec<RoleId>,
    /// Days until the key expires; absent for a key that does not expire.
    #[serde(default)]
    pub expires_in_days: Option<u32>,
}

/// Returned once, at creation: the only time the secret is shown.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedApiKey {
    pub key: ApiKey,
    pub secret: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiKeyIntrospection {
    pub key: ApiKey,
    pub permissions: Vec<Permission>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Intake {
    pub id: IntakeId,
    pub workspace_id: WorkspaceId,
    pub community_id: CommunityId,
    pub name: Name,
    pub kind: IntakeKind,
    pub created_at: DateTime<Utc>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CreateIntake {
    pub name: Name,
    pub kind: IntakeKind,
}

/// Renames an intake (its kind is what it is, fixed once added).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct UpdateIntake {
    pub name: Name,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AlertVolume {
    pub community_id: CommunityId,
    pub day: NaiveDate,
    pub alerts: u32,
}

// ---------- audit and change feed ----------

/// What to look for in a workspace's audit log, over its whole history: each field given
/// narrows it (the query parameters of `GET /v1/workspaces/{ws}/audit`). Action and target kind
/// are text so that the server can answer an unknown one with the list of known ones.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditSearch {
    /// One action, e.g. `member.role_change`.
    #[serde(default)]
    pub action: Option<String>,
    /// The user who acted.
    #[serde(default)]
    pub actor_id: Option<UserId>,
    /// The kind of thing acted on, e.g. `member`, `api_key`.
    #[serde(default)]
    pub target_kind: Option<String>,
    /// The id of the thing acted on.
    #[serde(default)]
    pub target_id: Option<String>,
    /// Entries about this community.
    #[serde(default)]
    pub community_id: Option<CommunityId>,
    /// Entries at or after this time (RFC 3339, with its offset).
    #[serde(default)]
    pub from: Option<DateTime<Utc>>,
    /// Entries before this time (RFC 3339, with its offset).
    #[serde(default)]
    pub to: Option<DateTime<Utc>>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub workspace_id: Option<WorkspaceId>,
    pub actor_id: Option<UserId>,
    pub action: AuditAction,
    /// What `target_id` is the id of (always the action's target).
    pub target_kind: AuditTarget,
    pub target_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub at: DateTime<Utc>,
    pub request_id: String,
    /// The names of the ids the entry refers to (its actor, its target, the ids in its
    /// before/after) as they were when it was written: a person as `Display Name <email>`, an
    /// invitation by its email, anything else by its name. Empty for entries written before
    /// names were kept.
    #[serde(default)]
    pub names: std::collections::BTreeMap<String, String>,
    /// What happened, in words ([`crate::audit_words::describe`]), written by the server when the
    /// entry is read.
    #[serde(default)]
    pub summary: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Workspace,
    Community,
    Member,
    Role,
    Assignment,
    Invitation,
    ApiKey,
    Intake,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Workspace => "workspace",
            EntityKind::Community => "community",
            EntityKind::Member => "member",
            EntityKind::Role => "role",
            EntityKind::Assignment => "assignment",
            EntityKind::Invitation => "invitation",
            EntityKind::ApiKey => "api_key",
            EntityKind::Intake => "intake",
        }
    }
}

impl std::str::FromStr for EntityKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| format!("unknown entity kind {s}"))
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOp {
    Upsert,
    Delete,
}

/// One entity change. `data` is the entity as it was after the change (absent for deletes).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Change {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: i64,
    pub workspace_id: Option<WorkspaceId>,
    pub kind: EntityKind,
    /// The entity's id; for members `<workspace>/<user>`.
    pub id: String,
    pub op: ChangeOp,
    pub data: Option<serde_json::Value>,
    pub at: DateTime<Utc>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ChangeBatch {
    pub changes: Vec<Change>,
    /// Pass as `since` next time.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub next_since: i64,
    /// More changes are waiting; ask again at once.
    pub has_more: bool,
    /// The newest sequence number on the server when this batch was read.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub latest: i64,
}

/// A [`Change`] with `data` kept as JSON text: the same JSON on the wire, but the feed passes
/// stored entities through without building a `Value` of each and writing it out again, and
/// a client reads a batch of thousands without one either.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RawChange {
    pub seq: i64,
    pub workspace_id: Option<WorkspaceId>,
    pub kind: EntityKind,
    pub id: String,
    pub op: ChangeOp,
    pub data: Option<Box<serde_json::value::RawValue>>,
    pub at: DateTime<Utc>,
}

/// A [`ChangeBatch`] of [`RawChange`]s (the same JSON).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RawChangeBatch {
    pub changes: Vec<RawChange>,
    pub next_since: i64,
    pub has_more: bool,
    pub latest: i64,
}

impl From<Change> for RawChange {
    fn from(c: Change) -> Self {
        let data = c.data.map(|d| serde_json::value::to_raw_value(&d).expect("a Value is always JSON"));
        RawChange { seq: c.seq, workspace_id: c.workspace_id, kind: c.kind, id: c.id, op: c.op, data, at: c.at }
    }
}

// ---------- platform admin ----------

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct UpdateUserAdmin {
    #[serde(default)]
    pub platform_admin: Option<bool>,
    /// Lift (or restore) the two-free-workspaces limit for this user.
    #[serde(default)]
    pub free_workspace_limit_lifted: Option<bool>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PurgeReport {
    pub purged: Vec<WorkspaceId>,
}

// ---------- errors ----------

/// An RFC 9457 problem document. `type` is stable; `detail` says what to do.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl Problem {
    /// The kind its `type` names, when this version knows it.
    pub fn problem_kind(&self) -> Option<ProblemKind> {
        ProblemKind::from_type_url(&self.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_keys_are_workspace_slash_user_both_ways() {
        let k = MemberKey { workspace: WorkspaceId::from_u128(1), user: UserId::from_u128(2) };
        let text = k.to_string();
        assert_eq!(text, format!("{}/{}", k.workspace, k.user));
        assert_eq!(text.parse::<MemberKey>(), Ok(k));
        for bad in ["", "x/y", &k.workspace.to_string(), &format!("{}/", k.workspace)] {
            assert!(bad.parse::<MemberKey>().is_err(), "{bad:?}");
        }
    }
}
