//! What an audit entry records: every action a mutation can log, each with the kind of thing it
//! acts on, from one table. The server writes them, the console filters and names them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The kind of thing an audit entry is about; its `target_id` is that thing's id.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditTarget {
    /// The instance itself (seeding, the purge).
    Instance,
    User,
    /// A sign-in session (its family id).
    Session,
    Workspace,
    Community,
    /// A membership; `target_id` is the user's id.
    Member,
    Assignment,
    Role,
    Invitation,
    ApiKey,
    Intake,
}

impl AuditTarget {
    pub const ALL: [AuditTarget; 11] = [
        AuditTarget::Instance,
        AuditTarget::User,
        AuditTarget::Session,
        AuditTarget::Workspace,
        AuditTarget::Community,
        AuditTarget::Member,
        AuditTarget::Assignment,
        AuditTarget::Role,
        AuditTarget::Invitation,
        AuditTarget::ApiKey,
        AuditTarget::Intake,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            AuditTarget::Instance => "instance",
            AuditTarget::User => "user",
            AuditTarget::Session => "session",
            AuditTarget::Workspace => "workspace",
            AuditTarget::Community => "community",
            AuditTarget::Member => "member",
            AuditTarget::Assignment => "assignment",
            AuditTarget::Role => "role",
            AuditTarget::Invitation => "invitation",
            AuditTarget::ApiKey => "api_key",
            AuditTarget::Intake => "intake",
        }
    }
}

impl FromStr for AuditTarget {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AuditTarget::ALL.into_iter().find(|t| t.as_str() == s).ok_or_else(|| format!("unknown audit target kind \"{s}\""))
    }
}

macro_rules! audit_actions {
    ($($variant:ident = $id:literal, $target:ident;)*) => {
        /// One kind of audited change, stored and sent as its id (e.g. `member.role_change`).
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        pub enum AuditAction { $(#[serde(rename = $id)] $variant,)* }

        impl AuditAction {
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)*];
            pub fn as_str(self) -> &'static str {
                match self { $(AuditAction::$variant => $id,)* }
            }
            /// What the action acts on: the kind of its entry's `target_id`.
            pub fn target(self) -> AuditTarget {
                match self { $(AuditAction::$variant => AuditTarget::$target,)* }
            }
        }
    };
}

audit_actions! {
    InstanceSeed = "instance.seed", Instance;
    WorkspacePurge = "workspace.purge", Instance;
    UserRegister = "user.register", User;
    UserAdminUpdate = "user.admin_update", User;
    UserTwoFactorEnrol = "user.2fa_enrol", User;
    UserTwoFactorEnable = "user.2fa_enable", User;
    SessionCreate = "session.create", Session;
    SessionRefresh = "session.refresh", Session;
    SessionReuseDetected = "session.reuse_detected", Session;
    SessionRevoke = "session.revoke", Session;
    WorkspaceCreate = "workspace.create", Workspace;
    WorkspaceUpdate = "workspace.update", Workspace;
    WorkspacePlanChange = "workspace.plan_change", Workspace;
    WorkspaceDelete = "workspace.delete", Workspace;
    WorkspaceRestore = "workspace.restore", Workspace;
    CommunityCreate = "community.create", Community;
    CommunityUpdate = "community.update", Community;
    MemberRoleChange = "member.role_change", Member;
    MemberLeave = "member.leave", Member;
    MemberRemove = "member.remove", Member;
    MemberResetTwoFactor = "member.reset_2fa", Member;
    MemberAssignRoles = "member.assign_roles", Member;
    MemberUnassignRole = "member.unassign_role", Assignment;
    RoleCreate = "role.create", Role;
    RoleUpdate = "role.update", Role;
    RoleDelete = "role.delete", Role;
    InvitationCreate = "invitation.create", Invitation;
    InvitationRevoke = "invitation.revoke", Invitation;
    InvitationAccept = "invitation.accept", Invitation;
    InvitationDecline = "invitation.decline", Invitation;
    ApiKeyCreate = "api_key.create", ApiKey;
    ApiKeyRevoke = "api_key.revoke", ApiKey;
    IntakeCreate = "intake.create", Intake;
    IntakeUpdate = "intake.update", Intake;
    IntakeDelete = "intake.delete", Intake;
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuditAction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AuditAction::ALL.iter().copied().find(|a| a.as_str() == s).ok_or_else(|| format!("unknown audit action \"{s}\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &a in AuditAction::ALL {
            assert!(seen.insert(a.as_str()), "duplicate {a}");
            assert_eq!(a.as_str().parse::<AuditAction>(), Ok(a));
            assert_eq!(serde_json::to_value(a).unwrap(), serde_json::Value::String(a.as_str().to_owned()));
        }
        assert!("member.promote".parse::<AuditAction>().is_err());
    }

    #[test]
    fn targets_round_trip_and_each_is_acted_on() {
        for t in AuditTarget::ALL {
            assert_eq!(t.as_str().parse::<AuditTarget>(), Ok(t));
            assert_eq!(serde_json::to_value(t).unwrap(), serde_json::Value::String(t.as_str().to_owned()));
            assert!(AuditAction::ALL.iter().any(|a| a.target() == t), "{t:?} is no action's target");
        }
    }
}
