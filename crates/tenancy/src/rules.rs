//! The gating rules: who may do what. Pure functions over what the caller holds; the server
//! loads the facts, asks `may`, and refuses with the returned sentence.

use crate::ids::{CommunityId, UserId};
use crate::permission::Permission;
use crate::plan::Plan;
use crate::role::{EffectivePermissions, RoleGrant, WorkspaceRole};

/// The caller, as far as one workspace is concerned.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: UserId,
    pub platform_admin: bool,
    /// `None` when the caller is not a member of the workspace.
    pub workspace_role: Option<WorkspaceRole>,
    pub permissions: EffectivePermissions,
}

impl Actor {
    pub fn is_owner(&self) -> bool {
        self.workspace_role == Some(WorkspaceRole::Owner)
    }
    pub fn is_admin_or_owner(&self) -> bool {
        self.workspace_role.is_some_and(WorkspaceRole::is_admin_or_owner)
    }
    /// What the caller may see in the workspace (see [`crate::sight`]).
    pub fn sight(&self) -> crate::sight::Sight {
        crate::sight::Sight::of(self.user_id, self.workspace_role, &self.permissions)
    }
}

/// Something the caller wants to do inside a workspace.
#[derive(Clone, Debug)]
pub enum Action<'a> {
    RenameWorkspace,
    UpdateSecurityPolicy,
    CreateCommunity,
    UpdateCommunity { community: CommunityId },
    ManageIntakes { community: CommunityId },
    /// Invite someone with a workspace role and community roles.
    Invite { workspace_role: WorkspaceRole, roles: &'a [(CommunityId, &'a RoleGrant)] },
    RevokeInvitation,
    /// Invite a client contact to a community's portal.
    InviteContact { community: CommunityId },
    /// Change a member's workspace role from `from` to `to`.
    ChangeWorkspaceRole { target: UserId, from: WorkspaceRole, to: WorkspaceRole },
    RemoveMember { target: UserId, target_role: WorkspaceRole },
    ChangePlan { to: Plan },
    DeleteWorkspace,
    RestoreWorkspace,
    /// Give (or take away) a community role.
    AssignRole { community: CommunityId, role: &'a RoleGrant },
    UnassignRole { community: CommunityId },
    /// Create, change or delete a custom or restricted role with these permissions.
    ManageRole { role: &'a RoleGrant },
    ReadApiKeys { community: CommunityId },
    /// Create or revoke a community API key carrying `roles`.
    ManageApiKeys { community: CommunityId, roles: &'a [&'a RoleGrant] },
    /// Reset the 2FA of a member (with workspace role `target_role`) who holds roles in
    /// `target_communities`.
    ResetTwoFactor { target: UserId, target_role: WorkspaceRole, target_communities: &'a [CommunityId] },
    ReadAuditLog,
    /// The plan's usage: counts over the whole workspace (billing.read).
    ReadUsage,
}

/// Why an action was refused: a stable reason and a sentence that says what to do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Denied {
    pub reason: DeniedReason,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeniedReason {
    NotAdmin,
    NotOwner,
    NotPlatformAdmin,
    MissingPermission(Permission),
    /// The role would hand out permissions the caller does not hold.
    GrantExceedsOwn(Vec<Permission>),
}

fn denied(reason: DeniedReason, message: impl Into<String>) -> Result<(), Denied> {
    Err(Denied { reason, message: message.into() })
}

fn need_admin(actor: &Actor, what: &str) -> Result<(), Denied> {
    if actor.is_admin_or_owner() {
        Ok(())
    } else {
        denied(DeniedReason::NotAdmin, format!("{what} is for workspace admins and owners. Ask one of them."))
    }
}

fn need_owner(actor: &Actor, what: &str) -> Result<(), Denied> {
    if actor.is_owner() {
        Ok(())
    } else {
        denied(DeniedReason::NotOwner, format!("{what} is owner-only. Ask an owner of this workspace."))
    }
}

fn need_permission(actor: &Actor, community: CommunityId, p: Permission, what: &str) -> Result<(), Denied> {
    if actor.permissions.holds(Some(community), p) {
        Ok(())
    } else {
        denied(
            DeniedReason::MissingPermission(p),
            format!("{what} needs the {p} permission in this community, which you do not hold. Ask a community Admin or a workspace admin."),
        )
    }
}

/// Nobody grants a permission they do not hold; owners are excepted.
fn need_to_hold(actor: &Actor, community: CommunityId, role: &RoleGrant) -> Result<(), Denied> {
    if actor.is_owner() {
        return Ok(());
    }
    let missing = actor.permissions.missing_to_grant(community, role);
    if missing.is_empty() {
        return Ok(());
    }
    let list: Vec<_> = missing.iter().map(|p| p.id()).collect();
    denied(
        DeniedReason::GrantExceedsOwn(missing.clone()),
        format!(
            "The role \"{}\" grants {} which you do not hold yourself; nobody may grant a permission they do not hold. Ask an owner, or pick a narrower role.",
            role.role_name,
            list.join(", ")
        ),
    )
}

/// May `actor` do `action`? Membership itself (404 for outsiders) is checked before this.
pub fn may(actor: &Actor, action: &Action<'_>) -> Result<(), Denied> {
    use Permission::*;
    match action {
        Action::RenameWorkspace => need_admin(actor, "Renaming the workspace"),
        Action::UpdateSecurityPolicy => need_admin(actor, "Changing the security policy"),
        Action::CreateCommunity => need_admin(actor, "Creating a community"),
        Action::UpdateCommunity { community } => need_permission(actor, *community, CommunityManage, "Changing community settings"),
        Action::ManageIntakes { community } => need_permission(actor, *community, IntakesManage, "Managing intakes"),
        Action::Invite { workspace_role, roles } => {
            match workspace_role {
                WorkspaceRole::Owner => need_owner(actor, "Inviting an owner")?,
                WorkspaceRole::Admin => need_admin(actor, "Inviting an admin")?,
                // (The service sends client contacts to their own endpoint first.)
                WorkspaceRole::Client => need_admin(actor, "Inviting a client contact")?,
                WorkspaceRole::Member if actor.is_admin_or_owner() => {}
                WorkspaceRole::Member => {
                    if roles.is_empty() {
                        need_admin(actor, "Inviting a member without community roles")?;
                    }
                    for (c, _) in roles.iter() {
                        need_permission(actor, *c, MembersInvite, "Inviting users")?;
                    }
                }
            }
            for (c, r) in roles.iter() {
                need_to_hold(actor, *c, r)?;
            }
            Ok(())
        }
        Action::RevokeInvitation => need_admin(actor, "Revoking an invitation"),
        // Client contacts are the workspace admins' to invite and to remove: only they see them.
        Action::InviteContact { .. } => need_admin(actor, "Inviting a client contact"),
        Action::ChangeWorkspaceRole { from, to, .. } => {
            if *from == WorkspaceRole::Owner || *to == WorkspaceRole::Owner {
                need_owner(actor, "Granting or taking away ownership")
            } else {
                need_admin(actor, "Changing a workspace role")
            }
        }
        Action::RemoveMember { target, target_role } => {
            if *target == actor.user_id {
                return Ok(()); // leaving; the last-owner guard still applies
            }
            match target_role {
                WorkspaceRole::Owner => need_owner(actor, "Removing an owner"),
                _ => need_admin(actor, "Removing a member"),
            }
        }
        Action::ChangePlan { to } => {
            need_owner(actor, "Changing the plan")?;
            if !to.self_serve() && !actor.platform_admin {
                return denied(
                    DeniedReason::NotPlatformAdmin,
                    "Enterprise plans are provisioned by a platform admin. Contact your platform admin or sales.",
                );
            }
            Ok(())
        }
        Action::DeleteWorkspace => need_owner(actor, "Deleting the workspace"),
        Action::RestoreWorkspace => {
            if actor.platform_admin {
                Ok(())
            } else {
                denied(DeniedReason::NotPlatformAdmin, "Restoring a deleted workspace is for platform admins. Contact your platform admin.")
            }
        }
        Action::AssignRole { community, role } => {
            need_permission(actor, *community, RolesManage, "Assigning roles")?;
            need_to_hold(actor, *community, role)
        }
        Action::UnassignRole { community } => need_permission(actor, *community, RolesManage, "Removing roles"),
        Action::ManageRole { role } => {
            if !actor.permissions.holds_anywhere(RolesManage) {
                return denied(
                    DeniedReason::MissingPermission(RolesManage),
                    "Managing roles needs the roles.manage permission, which you do not hold. Ask a community Admin or a workspace admin.",
                );
            }
            if actor.is_admin_or_owner() {
                // Workspace admins hold Admin everywhere; the grant rule still applies below.
            }
            if actor.is_owner() {
                return Ok(());
            }
            let held_somewhere = role.permissions.iter().all(|&p| {
                actor.permissions.everywhere.contains_key(&p) || actor.permissions.communities.values().any(|m| m.contains_key(&p))
            });
            if held_somewhere {
                Ok(())
            } else {
                let missing: Vec<_> = role.permissions.iter().copied().filter(|&p| !actor.permissions.holds_anywhere(p)).collect();
                let list: Vec<_> = missing.iter().map(|p| p.id()).collect();
                denied(
                    DeniedReason::GrantExceedsOwn(missing.clone()),
                    format!("The role would grant {} which you do not hold yourself; nobody may grant a permission they do not hold. Ask an owner.", list.join(", ")),
                )
            }
        }
        Action::ReadApiKeys { community } => need_permission(actor, *community, ApiKeysRead, "Listing API keys"),
        Action::ManageApiKeys { community, roles } => {
            need_permission(actor, *community, ApiKeysManage, "Managing API keys")?;
            for r in roles.iter() {
                need_to_hold(actor, *community, r)?;
            }
            Ok(())
        }
        Action::ResetTwoFactor { target_role, target_communities, .. } => {
            // Resetting someone's second factor weakens their account: never upwards.
            match target_role {
                WorkspaceRole::Owner => return need_owner(actor, "Resetting an owner's two-factor authentication"),
                WorkspaceRole::Admin => return need_admin(actor, "Resetting an admin's two-factor authentication"),
                WorkspaceRole::Member | WorkspaceRole::Client => {}
            }
            if actor.is_admin_or_owner() {
                return Ok(());
            }
            if !target_communities.is_empty()
                && target_communities.iter().any(|c| actor.permissions.holds(Some(*c), MembersResetTwoFactor))
            {
                return Ok(());
            }
            denied(
                DeniedReason::MissingPermission(MembersResetTwoFactor),
                "Resetting two-factor authentication is for workspace admins and owners, or a community Admin of a community the member belongs to. Ask one of them.",
            )
        }
        Action::ReadAuditLog => {
            // Owners and admins read it all; a community's managers, the entries about it.
            if actor.is_admin_or_owner() || actor.permissions.holds_anywhere(CommunityManage) {
                Ok(())
            } else {
                denied(DeniedReason::NotAdmin, "Reading the audit log is for workspace admins and owners, and for holders of community.manage (the entries about their communities). Ask one of them.")
            }
        }
        Action::ReadUsage => {
            if actor.permissions.holds(None, BillingRead) {
                Ok(())
            } else {
                denied(DeniedReason::MissingPermission(BillingRead), "The plan's usage counts the whole workspace; it is for workspace admins and owners (billing.read). Ask one of them.")
            }
        }
    }
}

/// A membership keeps its kind: a client contact never becomes one of the MSSP's people, nor
/// the reverse (their invitation said what they would be).
pub fn keeps_its_kind(from: WorkspaceRole, to: WorkspaceRole) -> Result<(), String> {
    match (from.is_client(), to.is_client()) {
        (true, true) | (false, false) => Ok(()),
        (true, false) => Err("A client contact stays a client contact. To make them one of your own people, remove them and invite them as a member.".into()),
        (false, true) => Err("Only client contacts hold the client role, and they are invited from their community's client portal. Remove this member first if they should become a contact.".into()),
    }
}

/// Client contacts hold no community roles: they read their one community through its portal.
pub fn holds_roles(target: WorkspaceRole) -> Result<(), String> {
    if target.is_client() {
        Err("This person is a client contact: they hold no roles and read their community through its client portal. Invite them as a member to give them roles.".into())
    } else {
        Ok(())
    }
}

/// Refusal of a change that would leave a workspace without an owner.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("This would leave the workspace without an owner; there must always be at least one. Make another member an owner first, then try again.")]
pub struct LastOwner;

/// Given the number of owners now, may an owner stop being one?
pub fn ensure_an_owner_remains(owners_now: u64, target_is_owner: bool, target_stays_owner: bool) -> Result<(), LastOwner> {
    if target_is_owner && !target_stays_owner && owners_now <= 1 {
        Err(LastOwner)
    } else {
        Ok(())
    }
}

/// Deleting a workspace is confirmed by typing its slug.
pub fn confirm_deletion(slug: &str, typed: &str) -> Result<(), String> {
    if slug == typed.trim() {
        Ok(())
    } else {
        Err(format!("The confirmation \"{typed}\" does not match the workspace slug; type \"{slug}\" exactly to delete it."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::RoleId;
    use crate::role::{BuiltinRole, RoleKind};
    use std::collections::BTreeSet;
    use Permission::*;

    fn role(name: &str, kind: RoleKind, perms: &[Permission]) -> RoleGrant {
        RoleGrant {
            role_id: RoleId::from_u128(name.len() as u128),
            role_name: name.into(),
            kind,
            permissions: perms.iter().copied().collect(),
            intake_scope: BTreeSet::new(),
        }
    }
    fn builtin(b: BuiltinRole) -> RoleGrant {
        role(b.name(), RoleKind::Builtin, b.permissions())
    }
    const C1: CommunityId = CommunityId(uuid::Uuid::from_u128(1));
    const C2: CommunityId = CommunityId(uuid::Uuid::from_u128(2));

    fn actor(wr: Option<WorkspaceRole>, roles: &[(CommunityId, &RoleGrant)]) -> Actor {
        Actor {
            user_id: UserId::from_u128(100),
            platform_admin: false,
            workspace_role: wr,
            permissions: EffectivePermissions::union(wr, roles.iter().map(|(c, r)| (*c, *r))),
        }
    }
    fn owner() -> Actor {
        actor(Some(WorkspaceRole::Owner), &[])
    }
    fn admin() -> Actor {
        actor(Some(WorkspaceRole::Admin), &[])
    }
    fn member() -> Actor {
        actor(Some(WorkspaceRole::Member), &[])
    }
    fn community_admin() -> Actor {
        let a = Box::leak(Box::new(builtin(BuiltinRole::Admin)));
        actor(Some(WorkspaceRole::Member), &[(C1, a)])
    }
    fn other() -> UserId {
        UserId::from_u128(200)
    }

    fn reason(r: Result<(), Denied>) -> DeniedReason {
        r.unwrap_err().reason
    }

    #[test]
    fn rename_workspace_admin_owner_only() {
        assert!(may(&owner(), &Action::RenameWorkspace).is_ok());
        assert!(may(&admin(), &Action::RenameWorkspace).is_ok());
        assert_eq!(reason(may(&member(), &Action::RenameWorkspace)), DeniedReason::NotAdmin);
    }

    #[test]
    fn create_community_admin_owner_only() {
        assert!(may(&admin(), &Action::CreateCommunity).is_ok());
        assert!(may(&community_admin(), &Action::CreateCommunity).is_err());
    }

    #[test]
    fn invite_member_admin_owner_or_community_inviter() {
        let guest = builtin(BuiltinRole::Guest);
        let roles = [(C1, &guest)];
        let inv = Action::Invite { workspace_role: WorkspaceRole::Member, roles: &roles };
        assert!(may(&owner(), &inv).is_ok());
        assert!(may(&admin(), &inv).is_ok());
        assert!(may(&community_admin(), &inv).is_ok(), "community Admin invites into their community");
        assert!(may(&member(), &inv).is_err());
        let elsewhere = [(C2, &guest)];
        assert!(may(&community_admin(), &Action::Invite { workspace_role: WorkspaceRole::Member, roles: &elsewhere }).is_err());
        assert_eq!(reason(may(&admin(), &Action::Invite { workspace_role: WorkspaceRole::Owner, roles: &[] })), DeniedReason::NotOwner);
        assert!(may(&owner(), &Action::Invite { workspace_role: WorkspaceRole::Owner, roles: &[] }).is_ok());
    }

    #[test]
    fn remove_member_admin_owner_only_and_owners_by_owners() {
        let rm = |r| Action::RemoveMember { target: other(), target_role: r };
        assert!(may(&admin(), &rm(WorkspaceRole::Member)).is_ok());
        assert!(may(&admin(), &rm(WorkspaceRole::Admin)).is_ok());
        assert_eq!(reason(may(&admin(), &rm(WorkspaceRole::Owner))), DeniedReason::NotOwner);
        assert!(may(&owner(), &rm(WorkspaceRole::Owner)).is_ok());
        assert_eq!(reason(may(&member(), &rm(WorkspaceRole::Member))), DeniedReason::NotAdmin);
        let me = member();
        assert!(may(&me, &Action::RemoveMember { target: me.user_id, target_role: WorkspaceRole::Member }).is_ok(), "anyone may leave");
    }

    #[test]
    fn change_plan_owner_only() {
        assert!(may(&owner(), &Action::ChangePlan { to: Plan::Pro }).is_ok());
        let e = may(&admin(), &Action::ChangePlan { to: Plan::Pro }).unwrap_err();
        assert_eq!(e.reason, DeniedReason::NotOwner);
        assert!(e.message.contains("owner-only"));
        assert_eq!(reason(may(&owner(), &Action::ChangePlan { to: Plan::Enterprise })), DeniedReason::NotPlatformAdmin);
        let mut pa = owner();
        pa.platform_admin = true;
        assert!(may(&pa, &Action::ChangePlan { to: Plan::Enterprise }).is_ok());
    }

    #[test]
    fn ownership_grants_owner_only() {
        let grant = Action::ChangeWorkspaceRole { target: other(), from: WorkspaceRole::Admin, to: WorkspaceRole::Owner };
        assert!(may(&owner(), &grant).is_ok());
        assert_eq!(reason(may(&admin(), &grant)), DeniedReason::NotOwner);
        let demote = Action::ChangeWorkspaceRole { target: other(), from: WorkspaceRole::Owner, to: WorkspaceRole::Admin };
        assert_eq!(reason(may(&admin(), &demote)), DeniedReason::NotOwner);
        let promote = Action::ChangeWorkspaceRole { target: other(), from: WorkspaceRole::Member, to: WorkspaceRole::Admin };
        assert!(may(&admin(), &promote).is_ok());
        assert!(may(&member(), &promote).is_err());
    }

    #[test]
    fn delete_workspace_owner_only() {
        assert!(may(&owner(), &Action::DeleteWorkspace).is_ok());
        assert_eq!(reason(may(&admin(), &Action::DeleteWorkspace)), DeniedReason::NotOwner);
    }

    #[test]
    fn restore_platform_admin_only() {
        assert_eq!(reason(may(&owner(), &Action::RestoreWorkspace)), DeniedReason::NotPlatformAdmin);
        let pa = Actor { platform_admin: true, ..actor(None, &[]) };
        assert!(may(&pa, &Action::RestoreWorkspace).is_ok());
    }

    #[test]
    fn assign_roles_needs_roles_manage_in_that_community() {
        let analyst = builtin(BuiltinRole::Analyst);
        assert!(may(&community_admin(), &Action::AssignRole { community: C1, role: &analyst }).is_ok());
        assert_eq!(
            reason(may(&community_admin(), &Action::AssignRole { community: C2, role: &analyst })),
            DeniedReason::MissingPermission(RolesManage)
        );
        let a = builtin(BuiltinRole::Analyst);
        let analyst_actor = actor(Some(WorkspaceRole::Member), &[(C1, &a)]);
        assert!(may(&analyst_actor, &Action::AssignRole { community: C1, role: &analyst }).is_err());
        assert!(may(&admin(), &Action::AssignRole { community: C2, role: &analyst }).is_ok(), "workspace admins everywhere");
    }

    #[test]
    fn nobody_grants_a_permission_they_do_not_hold() {
        let role_manager = role("Role manager", RoleKind::Custom, &[RolesManage, AlertsRead]);
        let a = actor(Some(WorkspaceRole::Member), &[(C1, &role_manager)]);
        let analyst = builtin(BuiltinRole::Analyst);
        let guest_like = role("Alert reader", RoleKind::Custom, &[AlertsRead]);
        assert!(may(&a, &Action::AssignRole { community: C1, role: &guest_like }).is_ok());
        let e = may(&a, &Action::AssignRole { community: C1, role: &analyst }).unwrap_err();
        assert!(matches!(e.reason, DeniedReason::GrantExceedsOwn(ref m) if m.contains(&AlertsManage)));
        assert!(e.message.contains("do not hold"));
        assert!(may(&a, &Action::ManageRole { role: &analyst }).is_err());
        assert!(may(&a, &Action::ManageRole { role: &guest_like }).is_ok());
        // Owners are excepted (they hold everything anyway, but the rule says so explicitly).
        assert!(may(&owner(), &Action::AssignRole { community: C1, role: &analyst }).is_ok());
    }

    #[test]
    fn api_keys_need_the_api_keys_permission_there() {
        let guest = builtin(BuiltinRole::Guest);
        let roles = [&guest];
        assert!(may(&community_admin(), &Action::ManageApiKeys { community: C1, roles: &roles }).is_ok());
        assert!(may(&community_admin(), &Action::ManageApiKeys { community: C2, roles: &roles }).is_err());
        let a = builtin(BuiltinRole::Analyst);
        let analyst = actor(Some(WorkspaceRole::Member), &[(C1, &a)]);
        assert!(may(&analyst, &Action::ReadApiKeys { community: C1 }).is_ok());
        assert_eq!(
            reason(may(&analyst, &Action::ManageApiKeys { community: C1, roles: &roles })),
            DeniedReason::MissingPermission(ApiKeysManage)
        );
        let admin_role = builtin(BuiltinRole::Admin);
        let keys_only = role("Key keeper", RoleKind::Custom, &[ApiKeysManage, ApiKeysRead]);
        let kk = actor(Some(WorkspaceRole::Member), &[(C1, &keys_only)]);
        assert!(may(&kk, &Action::ManageApiKeys { community: C1, roles: &[&admin_role] }).is_err(), "a key cannot carry more than its creator holds");
    }

    #[test]
    fn reset_two_factor_community_admin_or_workspace_admin() {
        let t = other();
        let m = WorkspaceRole::Member;
        assert!(may(&admin(), &Action::ResetTwoFactor { target: t, target_role: m, target_communities: &[] }).is_ok());
        assert!(may(&community_admin(), &Action::ResetTwoFactor { target: t, target_role: m, target_communities: &[C1] }).is_ok());
        assert!(may(&community_admin(), &Action::ResetTwoFactor { target: t, target_role: m, target_communities: &[C2] }).is_err());
        assert!(may(&member(), &Action::ResetTwoFactor { target: t, target_role: m, target_communities: &[C1] }).is_err());
    }

    #[test]
    fn two_factor_resets_never_reach_upwards() {
        let t = other();
        let owner_target = Action::ResetTwoFactor { target: t, target_role: WorkspaceRole::Owner, target_communities: &[C1] };
        assert_eq!(reason(may(&community_admin(), &owner_target)), DeniedReason::NotOwner);
        assert_eq!(reason(may(&admin(), &owner_target)), DeniedReason::NotOwner);
        assert!(may(&owner(), &owner_target).is_ok());
        let admin_target = Action::ResetTwoFactor { target: t, target_role: WorkspaceRole::Admin, target_communities: &[C1] };
        assert_eq!(reason(may(&community_admin(), &admin_target)), DeniedReason::NotAdmin);
        assert!(may(&admin(), &admin_target).is_ok());
    }

    #[test]
    fn audit_log_for_admins() {
        assert!(may(&admin(), &Action::ReadAuditLog).is_ok());
        assert!(may(&member(), &Action::ReadAuditLog).is_err());
    }

    #[test]
    fn never_zero_owners() {
        assert_eq!(ensure_an_owner_remains(1, true, false), Err(LastOwner));
        assert!(ensure_an_owner_remains(2, true, false).is_ok());
        assert!(ensure_an_owner_remains(1, true, true).is_ok());
        assert!(ensure_an_owner_remains(1, false, false).is_ok());
        assert!(LastOwner.to_string().contains("at least one"));
    }

    #[test]
    fn deletion_needs_the_exact_slug() {
        assert!(confirm_deletion("acme-corp", "acme-corp").is_ok());
        assert!(confirm_deletion("acme-corp", "Acme-Corp").unwrap_err().contains("type \"acme-corp\""));
    }
}
