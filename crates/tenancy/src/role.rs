//! Workspace roles, community roles, assignments, and the union that gives a member's
//! effective permissions with where each one comes from.

use crate::ids::{CommunityId, IntakeId, RoleId};
use crate::permission::{Permission, Scope};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

/// A member's role in the workspace as a whole.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WorkspaceRole {
    /// A client contact: read-only, in one community (the membership's `contact_of`), through
    /// its client portal; no workspace-level rights and not counted against the plan's seats.
    Client,
    Member,
    Admin,
    Owner,
}

impl WorkspaceRole {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkspaceRole::Client => "client",
            WorkspaceRole::Member => "member",
            WorkspaceRole::Admin => "admin",
            WorkspaceRole::Owner => "owner",
        }
    }
    pub fn is_admin_or_owner(self) -> bool {
        self >= WorkspaceRole::Admin
    }
    /// A client contact, not one of the MSSP's own people.
    pub fn is_client(self) -> bool {
        self == WorkspaceRole::Client
    }
    /// Workspace-scope permissions this role carries.
    pub fn workspace_permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            WorkspaceRole::Client => &[],
            WorkspaceRole::Member => &[WorkspaceRead],
            WorkspaceRole::Admin => &[WorkspaceRead, WorkspaceManage, WorkspaceSecurity, BillingRead],
            WorkspaceRole::Owner => &[WorkspaceRead, WorkspaceManage, WorkspaceSecurity, BillingRead, BillingManage],
        }
    }
    /// Community permissions held in every community of the workspace. Workspace admins and
    /// owners hold what a community Admin holds, everywhere.
    pub fn community_permissions_everywhere(self) -> &'static [Permission] {
        match self {
            WorkspaceRole::Client | WorkspaceRole::Member => &[],
            WorkspaceRole::Admin | WorkspaceRole::Owner => BuiltinRole::Admin.permissions(),
        }
    }
}

impl fmt::Display for WorkspaceRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for WorkspaceRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "client" => Ok(WorkspaceRole::Client),
            "member" => Ok(WorkspaceRole::Member),
            "admin" => Ok(WorkspaceRole::Admin),
            "owner" => Ok(WorkspaceRole::Owner),
            _ => Err(format!("Unknown workspace role \"{s}\"; choose member, admin or owner.")),
        }
    }
}

/// The three community roles every workspace has; they cannot be modified.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BuiltinRole {
    Guest,
    Analyst,
    Admin,
}

impl BuiltinRole {
    pub const ALL: [BuiltinRole; 3] = [BuiltinRole::Guest, BuiltinRole::Analyst, BuiltinRole::Admin];

    pub fn name(self) -> &'static str {
        match self {
            BuiltinRole::Guest => "Guest",
            BuiltinRole::Analyst => "Analyst",
            BuiltinRole::Admin => "Admin",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            BuiltinRole::Guest => "Read-only access to platform data",
            BuiltinRole::Analyst => "Read and write access for security operations",
            BuiltinRole::Admin => "Analyst, plus members, roles, API keys, community settings and 2FA resets",
        }
    }

    pub fn permissions(self) -> &'static [Permission] {
        match self {
            BuiltinRole::Guest => crate::permission::GUEST,
            BuiltinRole::Analyst => crate::permission::ANALYST,
            BuiltinRole::Admin => crate::permission::ADMIN,
        }
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleKind {
    Builtin,
    Custom,
    /// Sees events and alerts only from the listed intakes.
    Restricted,
    /// The read-only variant of a restricted role.
    IntakeRestricted,
}

impl RoleKind {
    pub const ALL: [RoleKind; 4] = [RoleKind::Builtin, RoleKind::Custom, RoleKind::Restricted, RoleKind::IntakeRestricted];

    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Builtin => "builtin",
            RoleKind::Custom => "custom",
            RoleKind::Restricted => "restricted",
            RoleKind::IntakeRestricted => "intake_restricted",
        }
    }

    /// How the console names the kind.
    pub fn label(self) -> &'static str {
        match self {
            RoleKind::Builtin => "Built-in",
            RoleKind::Custom => "Custom",
            RoleKind::Restricted => "Restricted",
            RoleKind::IntakeRestricted => "Intake-restricted",
        }
    }

    /// The kind in one sentence, for a glossary hint wherever the word is shown.
    pub fn explain(self) -> &'static str {
        match self {
            RoleKind::Builtin => "Guest, Analyst or Admin: the same in every workspace, and never changed.",
            RoleKind::Custom => "A named set of permissions this workspace defines, reaching every intake of the community.",
            RoleKind::Restricted => "Its holders see events and alerts only from the intakes the role lists.",
            RoleKind::IntakeRestricted => "The read-only variant of a restricted role: read permissions only, and only for the intakes it lists.",
        }
    }
}

impl FromStr for RoleKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "builtin" => Ok(RoleKind::Builtin),
            "custom" => Ok(RoleKind::Custom),
            "restricted" => Ok(RoleKind::Restricted),
            "intake_restricted" => Ok(RoleKind::IntakeRestricted),
            _ => Err(format!("Unknown role kind \"{s}\"; choose custom, restricted or intake_restricted.")),
        }
    }
}

/// What a role grants: used for the union and for the "grant only what you hold" rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleGrant {
    pub role_id: RoleId,
    pub role_name: String,
    pub kind: RoleKind,
    pub permissions: BTreeSet<Permission>,
    /// Intakes a restricted role limits its holder to; empty for unrestricted roles.
    pub intake_scope: BTreeSet<IntakeId>,
}

impl RoleGrant {
    pub fn scope(&self) -> IntakeScope {
        match self.kind {
            RoleKind::Restricted | RoleKind::IntakeRestricted => IntakeScope::Only(self.intake_scope.clone()),
            RoleKind::Builtin | RoleKind::Custom => IntakeScope::All,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RoleDefinitionError {
    #[error("A role needs at least one permission; pick some from the catalogue.")]
    NoPermissions,
    #[error("{0} is a workspace permission and comes only from the workspace role (owner, admin); remove it from the role.")]
    WorkspacePermission(Permission),
    #[error("A {0} role needs at least one intake to restrict to; pick the intakes its holders may see.")]
    NoIntakes(&'static str),
    #[error("Only restricted roles carry intakes; make it a restricted role or remove the intakes.")]
    IntakesOnUnrestricted,
    #[error("Intake-restricted roles are read-only and cannot hold {0}; use a restricted role instead.")]
    WriteOnIntakeRestricted(Permission),
    #[error("Built-in roles are created with the workspace and cannot be defined or changed.")]
    Builtin,
}

/// Why `permission` may not be part of a role of `kind`, or `None` when it may: the rule for
/// one permission, which the role check below applies and the console shows beside each
/// permission it offers.
pub fn refusal(kind: RoleKind, permission: Permission) -> Option<RoleDefinitionError> {
    if permission.scope() == Scope::Workspace {
        Some(RoleDefinitionError::WorkspacePermission(permission))
    } else if kind == RoleKind::IntakeRestricted && !permission.is_read_only() {
        Some(RoleDefinitionError::WriteOnIntakeRestricted(permission))
    } else {
        None
    }
}

/// Checks a custom, restricted or intake-restricted role definition.
pub fn validate_role_definition(
    kind: RoleKind,
    permissions: &BTreeSet<Permission>,
    intakes: &BTreeSet<IntakeId>,
) -> Result<(), RoleDefinitionError> {
    if kind == RoleKind::Builtin {
        return Err(RoleDefinitionError::Builtin);
    }
    if permissions.is_empty() {
        return Err(RoleDefinitionError::NoPermissions);
    }
    // Workspace permissions are named before the intakes, whatever the kind.
    if let Some(e) = permissions.iter().find_map(|&p| refusal(RoleKind::Custom, p)) {
        return Err(e);
    }
    match kind {
        RoleKind::Custom if !intakes.is_empty() => return Err(RoleDefinitionError::IntakesOnUnrestricted),
        RoleKind::Restricted if intakes.is_empty() => return Err(RoleDefinitionError::NoIntakes("restricted")),
        RoleKind::IntakeRestricted if intakes.is_empty() => return Err(RoleDefinitionError::NoIntakes("intake-restricted")),
        _ => {}
    }
    match permissions.iter().find_map(|&p| refusal(kind, p)) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// What is wrong with a role being drafted, in the role check's own sentences (empty when it
/// may be saved): the console shows them before anything is sent.
pub fn role_draft_problems(name: &str, kind: RoleKind, permissions: &[Permission], intakes: &[IntakeId]) -> Vec<String> {
    let mut out = Vec::new();
    if let Err(e) = crate::values::Name::parse(name) {
        out.push(e.to_string());
    }
    let (permissions, intakes): (BTreeSet<_>, BTreeSet<_>) = (permissions.iter().copied().collect(), intakes.iter().copied().collect());
    if let Err(e) = validate_role_definition(kind, &permissions, &intakes) {
        out.push(e.to_string());
    }
    out
}

/// How a member was assigned to a community (MSSP staffing).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AssignmentType {
    Dedicated,
    Pool,
    Escalation,
}

impl AssignmentType {
    pub const ALL: [AssignmentType; 3] = [AssignmentType::Dedicated, AssignmentType::Pool, AssignmentType::Escalation];

    pub fn as_str(self) -> &'static str {
        match self {
            AssignmentType::Dedicated => "dedicated",
            AssignmentType::Pool => "pool",
            AssignmentType::Escalation => "escalation",
        }
    }

    /// How the console names the type.
    pub fn label(self) -> &'static str {
        match self {
            AssignmentType::Dedicated => "Dedicated",
            AssignmentType::Pool => "Pool",
            AssignmentType::Escalation => "Escalation",
        }
    }

    /// The type in one sentence, for a glossary hint wherever the word is shown. It says how the
    /// MSSP staffs the client; the permissions come from the role alone, whatever the type.
    pub fn explain(self) -> &'static str {
        match self {
            AssignmentType::Dedicated => "Staffed on this client as their named analyst or admin, working its alerts day to day.",
            AssignmentType::Pool => "One of the shared team that works this client's alerts alongside other clients', taking what comes in.",
            AssignmentType::Escalation => "Called in only when a case is escalated (a senior responder or specialist), not for everyday triage.",
        }
    }
}

impl FromStr for AssignmentType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "dedicated" => Ok(AssignmentType::Dedicated),
            "pool" => Ok(AssignmentType::Pool),
            "escalation" => Ok(AssignmentType::Escalation),
            _ => Err(format!("Unknown assignment type \"{s}\"; choose dedicated, pool or escalation.")),
        }
    }
}

/// Which intakes a permission reaches: all of them, or only some (restricted roles).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", content = "intakes", rename_all = "snake_case")]
pub enum IntakeScope {
    All,
    Only(BTreeSet<IntakeId>),
}

impl IntakeScope {
    /// The union: the wider of two scopes.
    pub fn union(&self, other: &IntakeScope) -> IntakeScope {
        match (self, other) {
            (IntakeScope::All, _) | (_, IntakeScope::All) => IntakeScope::All,
            (IntakeScope::Only(a), IntakeScope::Only(b)) => IntakeScope::Only(a.union(b).copied().collect()),
        }
    }
    /// Does this scope reach at least as far as `other`?
    pub fn covers(&self, other: &IntakeScope) -> bool {
        match (self, other) {
            (IntakeScope::All, _) => true,
            (IntakeScope::Only(_), IntakeScope::All) => false,
            (IntakeScope::Only(a), IntakeScope::Only(b)) => b.is_subset(a),
        }
    }
}

/// Where one held permission comes from.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "via", rename_all = "snake_case")]
pub enum Provenance {
    /// The member's workspace role (owner, admin, member).
    WorkspaceRole { role: WorkspaceRole },
    /// A community role assignment.
    CommunityRole { role_id: RoleId, role_name: String, community_id: CommunityId },
    /// The client portal of a community, for its client contacts.
    Portal { community_id: CommunityId },
}

/// What a client contact reads in their community while its portal is enabled: its settings,
/// intakes and alert volumes, and its team when the MSSP shows it.
pub fn portal_permissions(show_team: bool) -> &'static [Permission] {
    use Permission::*;
    if show_team {
        &[CommunityRead, IntakesRead, AlertsRead, MembersRead]
    } else {
        &[CommunityRead, IntakesRead, AlertsRead]
    }
}

/// One held permission: how far it reaches and every grant that gives it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Grant {
    pub scope: IntakeScope,
    pub sources: Vec<Provenance>,
}

impl Grant {
    fn add(&mut self, scope: &IntakeScope, source: Provenance) {
        self.scope = self.scope.union(scope);
        if !self.sources.contains(&source) {
            self.sources.push(source);
            self.sources.sort();
        }
    }
}

/// A member's permissions in one workspace: the union of the workspace role and of every
/// community role assignment, with provenance.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EffectivePermissions {
    pub workspace_role: Option<WorkspaceRole>,
    /// Workspace-scope permissions, and community permissions held in every community.
    #[schema(value_type = BTreeMap<String, Grant>)]
    pub everywhere: BTreeMap<Permission, Grant>,
    /// Community permissions held through community role assignments.
    #[schema(value_type = BTreeMap<String, BTreeMap<String, Grant>>)]
    pub communities: BTreeMap<CommunityId, BTreeMap<Permission, Grant>>,
}

impl EffectivePermissions {
    /// The union of a workspace role and `(community, role)` assignments.
    pub fn union<'a>(
        workspace_role: Option<WorkspaceRole>,
        assignments: impl IntoIterator<Item = (CommunityId, &'a RoleGrant)>,
    ) -> Self {
        let mut eff = EffectivePermissions { workspace_role, ..Default::default() };
        if let Some(wr) = workspace_role {
            let source = Provenance::WorkspaceRole { role: wr };
            for &p in wr.workspace_permissions().iter().chain(wr.community_permissions_everywhere()) {
                eff.everywhere
                    .entry(p)
                    .or_insert_with(|| Grant { scope: IntakeScope::All, sources: vec![] })
                    .add(&IntakeScope::All, source.clone());
            }
        }
        for (community, role) in assignments {
            let scope = role.scope();
            let source = Provenance::CommunityRole {
                role_id: role.role_id,
                role_name: role.role_name.clone(),
                community_id: community,
            };
            let held = eff.communities.entry(community).or_default();
            // Workspace permissions never come from a community role, whatever a stored role says.
            for &p in role.permissions.iter().filter(|p| p.scope() == Scope::Community) {
                held.entry(p)
                    .or_insert_with(|| Grant { scope: scope.clone(), sources: vec![] })
                    .add(&scope, source.clone());
            }
        }
        eff
    }

    /// A client contact's permissions: those of the portal of `community` while it is
    /// `enabled` (none otherwise), nothing anywhere else.
    pub fn contact(community: CommunityId, enabled: bool, show_team: bool) -> Self {
        let mut eff = EffectivePermissions { workspace_role: Some(WorkspaceRole::Client), ..Default::default() };
        if enabled {
            let held = eff.communities.entry(community).or_default();
            for &p in portal_permissions(show_team) {
                held.insert(p, Grant { scope: IntakeScope::All, sources: vec![Provenance::Portal { community_id: community }] });
            }
        }
        eff
    }

    /// The grant for `permission` in `community` (or workspace-wide when `None`), combining
    /// workspace-wide and community grants.
    pub fn grant(&self, community: Option<CommunityId>, permission: Permission) -> Option<Grant> {
        let wide = self.everywhere.get(&permission);
        let local = community.and_then(|c| self.communities.get(&c)).and_then(|m| m.get(&permission));
        match (wide, local) {
            (None, None) => None,
            (Some(g), None) | (None, Some(g)) => Some(g.clone()),
            (Some(a), Some(b)) => {
                let mut g = a.clone();
                for s in &b.sources {
                    g.add(&b.scope, s.clone());
                }
                Some(g)
            }
        }
    }

    pub fn holds(&self, community: Option<CommunityId>, permission: Permission) -> bool {
        self.grant(community, permission).is_some()
    }

    /// Does the member hold `permission` in at least one community (or everywhere)?
    pub fn holds_anywhere(&self, permission: Permission) -> bool {
        self.everywhere.contains_key(&permission) || self.communities.values().any(|m| m.contains_key(&permission))
    }

    /// The permissions of `role` this member does not hold in `community` at least as widely
    /// (a restricted holder cannot hand out an unrestricted grant).
    pub fn missing_to_grant(&self, community: CommunityId, role: &RoleGrant) -> Vec<Permission> {
        let wanted = role.scope();
        role.permissions
            .iter()
            .copied()
            .filter(|&p| !self.grant(Some(community), p).is_some_and(|g| g.scope.covers(&wanted)))
            .collect()
    }

    /// Every permission held in `community`, flattened, for display.
    pub fn in_community(&self, community: CommunityId) -> BTreeMap<Permission, Grant> {
        let mut out = BTreeMap::new();
        for &p in Permission::ALL {
            if let Some(g) = self.grant(Some(community), p) {
                out.insert(p, g);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::NameError;
    use proptest::prelude::*;
    use Permission::*;

    fn grant(name: &str, kind: RoleKind, perms: &[Permission], intakes: &[u128]) -> RoleGrant {
        RoleGrant {
            role_id: RoleId::from_u128(name.len() as u128 * 7919 + perms.len() as u128),
            role_name: name.into(),
            kind,
            permissions: perms.iter().copied().collect(),
            intake_scope: intakes.iter().map(|&i| IntakeId::from_u128(i)).collect(),
        }
    }

    fn builtin(b: BuiltinRole) -> RoleGrant {
        grant(b.name(), RoleKind::Builtin, b.permissions(), &[])
    }

    #[test]
    fn builtin_roles_nest() {
        let g: BTreeSet<_> = BuiltinRole::Guest.permissions().iter().collect();
        let a: BTreeSet<_> = BuiltinRole::Analyst.permissions().iter().collect();
        let ad: BTreeSet<_> = BuiltinRole::Admin.permissions().iter().collect();
        assert!(g.is_subset(&a) && a.is_subset(&ad) && g != a && a != ad);
        assert!(g.iter().all(|p| p.is_read_only()), "Guest is read-only");
        assert!(ad.contains(&MembersResetTwoFactor) && !a.contains(&MembersInvite));
    }

    #[test]
    fn union_of_two_roles_with_provenance() {
        let c = CommunityId::from_u128(1);
        let guest = builtin(BuiltinRole::Guest);
        let keys = grant("Key keeper", RoleKind::Custom, &[ApiKeysRead, ApiKeysManage, AlertsRead], &[]);
        let eff = EffectivePermissions::union(Some(WorkspaceRole::Member), [(c, &guest), (c, &keys)]);
        assert!(eff.holds(Some(c), ApiKeysManage));
        assert!(!eff.holds(Some(c), AlertsManage));
        assert!(!eff.holds(Some(CommunityId::from_u128(2)), AlertsRead), "other communities get nothing");
        let alerts = eff.grant(Some(c), AlertsRead).unwrap();
        assert_eq!(alerts.sources.len(), 2, "both roles give alerts.read: {alerts:?}");
        assert!(eff.holds(None, WorkspaceRead) && !eff.holds(None, WorkspaceManage));
    }

    #[test]
    fn workspace_admins_hold_admin_permissions_everywhere() {
        let eff = EffectivePermissions::union(Some(WorkspaceRole::Admin), []);
        let any = CommunityId::from_u128(9);
        assert!(eff.holds(Some(any), RolesManage));
        assert!(!eff.holds(None, BillingManage), "billing is owner-only");
        let owner = EffectivePermissions::union(Some(WorkspaceRole::Owner), []);
        assert!(owner.holds(None, BillingManage));
    }

    #[test]
    fn restricted_scopes_union_and_unrestricted_wins() {
        let c = CommunityId::from_u128(1);
        let r1 = grant("EDR only", RoleKind::Restricted, &[AlertsRead], &[10]);
        let r2 = grant("FW only", RoleKind::IntakeRestricted, &[AlertsRead], &[11]);
        let eff = EffectivePermissions::union(None, [(c, &r1), (c, &r2)]);
        let g = eff.grant(Some(c), AlertsRead).unwrap();
        assert_eq!(g.scope, IntakeScope::Only([IntakeId::from_u128(10), IntakeId::from_u128(11)].into()));
        let guest = builtin(BuiltinRole::Guest);
        let eff = EffectivePermissions::union(None, [(c, &r1), (c, &guest)]);
        assert_eq!(eff.grant(Some(c), AlertsRead).unwrap().scope, IntakeScope::All);
    }

    #[test]
    fn a_restricted_holder_cannot_grant_wider_than_they_hold() {
        let c = CommunityId::from_u128(1);
        let mine = grant("EDR manager", RoleKind::Restricted, &[AlertsRead, RolesManage], &[10]);
        let eff = EffectivePermissions::union(None, [(c, &mine)]);
        let narrower = grant("EDR viewer", RoleKind::IntakeRestricted, &[AlertsRead], &[10]);
        let wider = grant("All alerts", RoleKind::Custom, &[AlertsRead], &[]);
        assert!(eff.missing_to_grant(c, &narrower).is_empty());
        assert_eq!(eff.missing_to_grant(c, &wider), vec![AlertsRead]);
    }

    #[test]
    fn role_definitions_are_checked() {
        let set = |p: &[Permission]| p.iter().copied().collect::<BTreeSet<_>>();
        let intakes: BTreeSet<_> = [IntakeId::from_u128(1)].into();
        let none = BTreeSet::new();
        assert!(validate_role_definition(RoleKind::Custom, &set(&[AlertsRead]), &none).is_ok());
        assert_eq!(validate_role_definition(RoleKind::Custom, &set(&[]), &none), Err(RoleDefinitionError::NoPermissions));
        assert_eq!(
            validate_role_definition(RoleKind::Custom, &set(&[BillingManage]), &none),
            Err(RoleDefinitionError::WorkspacePermission(BillingManage))
        );
        assert_eq!(
            validate_role_definition(RoleKind::Custom, &set(&[AlertsRead]), &intakes),
            Err(RoleDefinitionError::IntakesOnUnrestricted)
        );
        assert!(matches!(
            validate_role_definition(RoleKind::Restricted, &set(&[AlertsRead]), &none),
            Err(RoleDefinitionError::NoIntakes(_))
        ));
        assert!(validate_role_definition(RoleKind::Restricted, &set(&[AlertsManage]), &intakes).is_ok());
        assert_eq!(
            validate_role_definition(RoleKind::IntakeRestricted, &set(&[AlertsRead, AlertsManage]), &intakes),
            Err(RoleDefinitionError::WriteOnIntakeRestricted(AlertsManage))
        );
        assert_eq!(validate_role_definition(RoleKind::Builtin, &set(&[AlertsRead]), &none), Err(RoleDefinitionError::Builtin));
    }

    #[test]
    fn a_draft_is_told_every_problem_in_the_checks_own_words() {
        assert!(role_draft_problems("Tier 2", RoleKind::Custom, &[AlertsRead], &[]).is_empty());
        let p = role_draft_problems("  ", RoleKind::Restricted, &[AlertsRead], &[]);
        assert_eq!(p, vec![NameError::Empty.to_string(), RoleDefinitionError::NoIntakes("restricted").to_string()]);
        assert_eq!(role_draft_problems("EDR", RoleKind::Custom, &[], &[]), vec![RoleDefinitionError::NoPermissions.to_string()]);
    }

    fn arb_role() -> impl Strategy<Value = (u8, RoleGrant)> {
        let perms = proptest::sample::subsequence(
            Permission::ALL.iter().copied().filter(|p| p.scope() == Scope::Community).collect::<Vec<_>>(),
            0..8,
        );
        (0u8..3, 0u128..50, perms, prop_oneof![Just(RoleKind::Custom), Just(RoleKind::Restricted)], proptest::collection::btree_set(0u128..4, 1..3))
            .prop_map(|(community, id, perms, kind, intakes)| {
                let intake_scope =
                    if kind == RoleKind::Restricted { intakes.into_iter().map(IntakeId::from_u128).collect() } else { BTreeSet::new() };
                (community, RoleGrant { role_id: RoleId::from_u128(id), role_name: format!("r{id}"), kind, permissions: perms.into_iter().collect(), intake_scope })
            })
    }

    proptest! {
        #[test]
        fn union_holds_exactly_what_some_role_grants(roles in proptest::collection::vec(arb_role(), 0..8)) {
            let assignments: Vec<_> = roles.iter().map(|(c, r)| (CommunityId::from_u128(*c as u128), r)).collect();
            let eff = EffectivePermissions::union(None, assignments.iter().map(|(c, r)| (*c, *r)));
            for c in 0..3u8 {
                let cid = CommunityId::from_u128(c as u128);
                for &p in Permission::ALL {
                    let granting: Vec<_> = assignments.iter().filter(|(ac, r)| *ac == cid && r.permissions.contains(&p)).collect();
                    let held = eff.grant(Some(cid), p);
                    prop_assert_eq!(held.is_some(), !granting.is_empty());
                    if let Some(g) = held {
                        prop_assert_eq!(g.sources.len(), granting.iter().map(|(_, r)| r.role_id).collect::<BTreeSet<_>>().len());
                        let expect = granting.iter().fold(IntakeScope::Only(BTreeSet::new()), |acc, (_, r)| acc.union(&r.scope()));
                        prop_assert_eq!(g.scope, expect);
                    }
                }
            }
        }

        #[test]
        fn union_is_order_independent(mut roles in proptest::collection::vec(arb_role(), 0..8)) {
            let a = EffectivePermissions::union(None, roles.iter().map(|(c, r)| (CommunityId::from_u128(*c as u128), r)));
            roles.reverse();
            let b = EffectivePermissions::union(None, roles.iter().map(|(c, r)| (CommunityId::from_u128(*c as u128), r)));
            prop_assert_eq!(a, b);
        }

        #[test]
        fn a_holder_may_grant_any_role_made_of_what_they_hold(roles in proptest::collection::vec(arb_role(), 1..6)) {
            let assignments: Vec<_> = roles.iter().map(|(c, r)| (CommunityId::from_u128(*c as u128), r)).collect();
            let eff = EffectivePermissions::union(None, assignments.iter().map(|(c, r)| (*c, *r)));
            for (c, r) in &assignments {
                prop_assert!(eff.missing_to_grant(*c, r).is_empty(), "can always re-grant a held role");
            }
        }
    }
}
