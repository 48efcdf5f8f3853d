//! What a person may see inside a workspace: confinement between communities.
//!
//! In an MSSP's workspace each community is a different client, so isolation between
//! communities holds as it does between workspaces:
//!
//! - workspace **owners and admins** see the whole workspace;
//! - a **member** sees a community only if they hold a role in it; the others do not exist for
//!   them (404 when addressed, absent from lists, the feed and the snapshot);
//! - inside a community they see, each kind of data ([`Data`]) needs one of its reading
//!   permissions there ([`Data::readers`]): its people and their assignments, its invitations,
//!   its API keys, its intakes, its alert volumes, its settings, its audit entries. Without the
//!   members permission a member still sees their own assignments;
//! - intakes and alert volumes are intake-bound: a holder whose reading permission there comes
//!   only from restricted roles sees the scoped intakes only;
//! - a person sharing several communities with you shows only their assignments in those whose
//!   people you may see; role definitions are visible to every member.
//!
//! The server applies [`Sight`] to every read, the change feed and the snapshot (and, on
//! PostgreSQL, row-level security from the same facts); the console's mirror holds exactly what
//! it is shown.

use crate::ids::{CommunityId, IntakeId, UserId};
use crate::permission::Permission;
use crate::role::{EffectivePermissions, IntakeScope, WorkspaceRole};
use crate::wire::{Community, Invitation};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A kind of community data, each read under its own permissions.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Data {
    /// Time zone, contact email, region, portal.
    Settings,
    /// The people holding roles there, and their assignments.
    Members,
    Invitations,
    ApiKeys,
    Intakes,
    /// Alert volumes (recorded per intake).
    Alerts,
    /// The audit entries about the community.
    Audit,
}

impl Data {
    pub const ALL: [Data; 7] = [Data::Settings, Data::Members, Data::Invitations, Data::ApiKeys, Data::Intakes, Data::Alerts, Data::Audit];

    /// The permissions any one of which lets its holder read this data in a community: its
    /// read permission, and those that act on it (nobody manages what they cannot see).
    pub fn readers(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Data::Settings => &[CommunityRead, CommunityManage],
            Data::Members => &[MembersRead, MembersRemove, MembersResetTwoFactor, RolesManage],
            Data::Invitations => &[MembersRead, MembersInvite],
            Data::ApiKeys => &[ApiKeysRead, ApiKeysManage],
            Data::Intakes => &[IntakesRead, IntakesManage],
            Data::Alerts => &[AlertsRead, AlertsComment, AlertsManage],
            Data::Audit => &[CommunityManage],
        }
    }

    /// Bound to intakes, and so narrowed by restricted roles.
    pub fn by_intake(self) -> bool {
        matches!(self, Data::Intakes | Data::Alerts)
    }

    pub fn label(self) -> &'static str {
        match self {
            Data::Settings => "settings",
            Data::Members => "members",
            Data::Invitations => "invitations",
            Data::ApiKeys => "API keys",
            Data::Intakes => "intakes",
            Data::Alerts => "alert volumes",
            Data::Audit => "audit entries",
        }
    }

    /// The sentence for a refusal to read this data in a community the caller sees.
    pub fn refusal(self, community: &str) -> String {
        let ids: Vec<&str> = self.readers().iter().map(|p| p.id()).collect();
        format!(
            "Reading the {} of {community} needs {} there, which your roles do not give. Ask a community Admin or a workspace admin.",
            self.label(),
            ids.join(" or ")
        )
    }
}

/// What one person may read in one community they hold a role in: each kind of data they
/// may read, and for intake-bound data how far it reaches.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CommunitySight {
    #[schema(value_type = BTreeMap<String, IntakeScope>)]
    pub reads: BTreeMap<Data, IntakeScope>,
}

impl CommunitySight {
    /// From the permissions held in `community`.
    pub fn of(perms: &EffectivePermissions, community: CommunityId) -> Self {
        let mut reads = BTreeMap::new();
        for d in Data::ALL {
            let mut reach: Option<IntakeScope> = None;
            for &p in d.readers() {
                if let Some(g) = perms.grant(Some(community), p) {
                    reach = Some(match reach {
                        None => g.scope.clone(),
                        Some(r) => r.union(&g.scope),
                    });
                }
            }
            if let Some(r) = reach {
                // Only intake-bound data is narrowed; the rest is all or nothing.
                reads.insert(d, if d.by_intake() { r } else { IntakeScope::All });
            }
        }
        CommunitySight { reads }
    }

    pub fn reads(&self, d: Data) -> bool {
        self.reads.contains_key(&d)
    }

    pub fn reach(&self, d: Data) -> Option<&IntakeScope> {
        self.reads.get(&d)
    }

    pub fn sees_intake(&self, d: Data, intake: IntakeId) -> bool {
        match self.reads.get(&d) {
            None => false,
            Some(IntakeScope::All) => true,
            Some(IntakeScope::Only(set)) => set.contains(&intake),
        }
    }
}

/// What one person may see in one workspace.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Sight {
    /// Owners and admins: everything in the workspace.
    Whole,
    /// A member: the communities they hold a role in, each with what they may read there. A
    /// client contact: their community while its portal is enabled.
    Confined {
        me: UserId,
        #[schema(value_type = BTreeMap<String, CommunitySight>)]
        communities: BTreeMap<CommunityId, CommunitySight>,
        /// A client contact, who does not see the MSSP's role definitions (their names would
        /// tell of its other clients).
        #[serde(default)]
        contact: bool,
    },
}

impl Sight {
    /// The sight of `me`, with workspace role `role` (`None`: not a member, who sees nothing)
    /// and effective permissions `perms` (whose communities are those `me` holds a role in).
    pub fn of(me: UserId, role: Option<WorkspaceRole>, perms: &EffectivePermissions) -> Sight {
        match role {
            Some(r) if r.is_admin_or_owner() => Sight::Whole,
            Some(r) => {
                let mut communities: BTreeMap<CommunityId, CommunitySight> = perms.communities.keys().map(|&c| (c, CommunitySight::of(perms, c))).collect();
                if r.is_client() {
                    // The team the portal shows is the people there now, not whom the MSSP invites.
                    for s in communities.values_mut() {
                        s.reads.remove(&Data::Invitations);
                    }
                }
                Sight::Confined { me, communities, contact: r.is_client() }
            }
            None => Sight::Confined { me, communities: BTreeMap::new(), contact: false },
        }
    }

    pub fn is_whole(&self) -> bool {
        matches!(self, Sight::Whole)
    }

    /// May read the workspace's role definitions: everyone but client contacts.
    pub fn reads_roles(&self) -> bool {
        !matches!(self, Sight::Confined { contact: true, .. })
    }

    /// The community exists for this person.
    pub fn sees_community(&self, c: CommunityId) -> bool {
        match self {
            Sight::Whole => true,
            Sight::Confined { communities, .. } => communities.contains_key(&c),
        }
    }

    /// May read `d` in community `c` (at least some of it, for intake-bound data).
    pub fn reads(&self, c: CommunityId, d: Data) -> bool {
        match self {
            Sight::Whole => true,
            Sight::Confined { communities, .. } => communities.get(&c).is_some_and(|s| s.reads(d)),
        }
    }

    /// How far `d` reaches in `c`: `None` when it may not be read there.
    pub fn reach(&self, c: CommunityId, d: Data) -> Option<IntakeScope> {
        match self {
            Sight::Whole => Some(IntakeScope::All),
            Sight::Confined { communities, .. } => communities.get(&c).and_then(|s| s.reach(d)).cloned(),
        }
    }

    pub fn sees_intake(&self, c: CommunityId, d: Data, intake: IntakeId) -> bool {
        match self {
            Sight::Whole => true,
            Sight::Confined { communities, .. } => communities.get(&c).is_some_and(|s| s.sees_intake(d, intake)),
        }
    }

    /// The communities where `d` may be read; `None` means every community of the workspace.
    pub fn communities_reading(&self, d: Data) -> Option<Vec<CommunityId>> {
        match self {
            Sight::Whole => None,
            Sight::Confined { communities, .. } => Some(communities.iter().filter(|(_, s)| s.reads(d)).map(|(&c, _)| c).collect()),
        }
    }

    /// The communities that exist for this person; `None` means all of them.
    pub fn communities(&self) -> Option<Vec<CommunityId>> {
        match self {
            Sight::Whole => None,
            Sight::Confined { communities, .. } => Some(communities.keys().copied().collect()),
        }
    }

    /// The person this sight belongs to (`None` for whole sight, which needs no exception).
    pub fn me(&self) -> Option<UserId> {
        match self {
            Sight::Whole => None,
            Sight::Confined { me, .. } => Some(*me),
        }
    }

    /// May see `user`'s role assignment in `community`: their own always.
    pub fn sees_assignment(&self, community: CommunityId, user: UserId) -> bool {
        self.me() == Some(user) || self.reads(community, Data::Members)
    }

    /// May see `user`, who holds roles in `held`: themself, or someone holding a role in a
    /// community whose people they may see.
    pub fn sees_person(&self, user: UserId, held: impl IntoIterator<Item = CommunityId>) -> bool {
        match self {
            Sight::Whole => true,
            Sight::Confined { me, .. } => *me == user || held.into_iter().any(|c| self.reads(c, Data::Members)),
        }
    }

    /// The invitation as this person may see it: with only the community roles offered in
    /// communities whose invitations they may see; `None` when that leaves nothing (an
    /// invitation to no community of theirs, or one with no community role). Invitations of
    /// client contacts are the workspace admins' (who invite them).
    pub fn invitation(&self, mut inv: Invitation) -> Option<Invitation> {
        if self.is_whole() {
            return Some(inv);
        }
        if inv.contact_of.is_some() {
            return None;
        }
        inv.assignments.retain(|a| self.reads(a.community_id, Data::Invitations));
        (!inv.assignments.is_empty()).then_some(inv)
    }

    /// The community as this person may see it: `None` when it does not exist for them; its
    /// settings left out when they may not read them.
    pub fn community(&self, c: Community) -> Option<Community> {
        if !self.sees_community(c.id) {
            None
        } else if self.reads(c.id, Data::Settings) {
            Some(c)
        } else {
            Some(c.without_settings())
        }
    }

    /// Another member's effective permissions as this person may see them: those that come
    /// from communities whose people they may see (the workspace role's stay: it is shown).
    pub fn permissions_of(&self, of: UserId, mut perms: EffectivePermissions) -> EffectivePermissions {
        if self.is_whole() || self.me() == Some(of) {
            return perms;
        }
        perms.communities.retain(|&c, _| self.reads(c, Data::Members));
        for g in perms.everywhere.values_mut() {
            g.sources.retain(|s| !matches!(s, crate::role::Provenance::CommunityRole { community_id, .. } if !self.reads(*community_id, Data::Members)));
        }
        perms
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::{BuiltinRole, RoleGrant, RoleKind};
    use crate::wire::AssignmentSpec;
    use crate::{AssignmentType, InvitationId, RoleId, WorkspaceId};
    use proptest::prelude::*;
    use std::collections::BTreeSet;
    use Permission::*;

    fn role(n: u128, kind: RoleKind, perms: &[Permission], intakes: &[u128]) -> RoleGrant {
        RoleGrant {
            role_id: RoleId::from_u128(n),
            role_name: format!("role {n}"),
            kind,
            permissions: perms.iter().copied().collect(),
            intake_scope: intakes.iter().map(|&i| IntakeId::from_u128(i)).collect(),
        }
    }
    fn guest() -> RoleGrant {
        role(1, RoleKind::Builtin, BuiltinRole::Guest.permissions(), &[])
    }
    fn c(n: u128) -> CommunityId {
        CommunityId::from_u128(n)
    }
    fn me() -> UserId {
        UserId::from_u128(7)
    }
    fn sight(role_: WorkspaceRole, held: &[(CommunityId, &RoleGrant)]) -> Sight {
        Sight::of(me(), Some(role_), &EffectivePermissions::union(Some(role_), held.iter().map(|(c, r)| (*c, *r))))
    }

    #[test]
    fn owners_and_admins_see_the_whole_workspace() {
        for r in [WorkspaceRole::Owner, WorkspaceRole::Admin] {
            let s = sight(r, &[]);
            assert!(s.is_whole() && s.sees_community(c(99)) && s.reads(c(99), Data::ApiKeys) && s.communities_reading(Data::Audit).is_none());
            assert_eq!(s.communities_reading(Data::Members), None);
        }
    }

    #[test]
    fn a_member_sees_only_the_communities_they_hold_a_role_in() {
        let g = guest();
        let s = sight(WorkspaceRole::Member, &[(c(1), &g)]);
        assert!(s.sees_community(c(1)) && !s.sees_community(c(2)));
        assert!(s.reads(c(1), Data::Members) && s.reads(c(1), Data::Intakes) && s.reads(c(1), Data::Alerts) && s.reads(c(1), Data::Settings));
        // Guest holds neither api_keys.read nor community.manage.
        assert!(!s.reads(c(1), Data::ApiKeys) && !s.reads(c(1), Data::Audit));
        assert!(s.reads(c(1), Data::Invitations), "members.read shows the invitations too");
        assert!(!s.reads(c(2), Data::Members));
        assert_eq!(s.communities(), Some(vec![c(1)]));
        // No membership, nothing.
        assert_eq!(Sight::of(me(), None, &EffectivePermissions::default()).communities(), Some(vec![]));
    }

    #[test]
    fn without_members_read_only_oneself_and_people_of_readable_communities() {
        let alerts_only = role(2, RoleKind::Custom, &[AlertsRead], &[]);
        let g = guest();
        let s = sight(WorkspaceRole::Member, &[(c(1), &alerts_only), (c(2), &g)]);
        let other = UserId::from_u128(8);
        assert!(s.sees_assignment(c(1), me()), "one's own assignments always");
        assert!(!s.sees_assignment(c(1), other) && s.sees_assignment(c(2), other));
        assert!(s.sees_person(me(), []));
        assert!(!s.sees_person(other, [c(1), c(3)]), "sharing only a community whose people one may not see");
        assert!(s.sees_person(other, [c(1), c(2)]));
    }

    #[test]
    fn restricted_roles_narrow_intakes_and_volumes_to_their_scope() {
        let narrow = role(3, RoleKind::IntakeRestricted, &[AlertsRead, IntakesRead], &[10, 11]);
        let s = sight(WorkspaceRole::Member, &[(c(1), &narrow)]);
        assert!(s.sees_intake(c(1), Data::Alerts, IntakeId::from_u128(10)));
        assert!(!s.sees_intake(c(1), Data::Intakes, IntakeId::from_u128(12)));
        assert_eq!(s.reach(c(1), Data::Intakes), Some(IntakeScope::Only([10, 11].into_iter().map(IntakeId::from_u128).collect())));
        // An unrestricted reading permission there widens it to every intake.
        let g = guest();
        let s = sight(WorkspaceRole::Member, &[(c(1), &narrow), (c(1), &g)]);
        assert_eq!(s.reach(c(1), Data::Alerts), Some(IntakeScope::All));
        // Members data is never narrowed by intakes.
        let scoped_members = role(4, RoleKind::Restricted, &[MembersRead], &[10]);
        let s = sight(WorkspaceRole::Member, &[(c(1), &scoped_members)]);
        assert_eq!(s.reach(c(1), Data::Members), Some(IntakeScope::All));
    }

    #[test]
    fn managing_implies_seeing() {
        let keys = role(5, RoleKind::Custom, &[ApiKeysManage], &[]);
        let s = sight(WorkspaceRole::Member, &[(c(1), &keys)]);
        assert!(s.reads(c(1), Data::ApiKeys) && !s.reads(c(1), Data::Members));
        let manager = role(6, RoleKind::Custom, &[CommunityManage], &[]);
        let s = sight(WorkspaceRole::Member, &[(c(1), &manager)]);
        assert!(s.reads(c(1), Data::Audit) && s.reads(c(1), Data::Settings));
        // The audit entries about c1 only: not c2's, nor those about the workspace as a whole.
        assert!(!s.reads(c(2), Data::Audit) && s.communities_reading(Data::Audit) == Some(vec![c(1)]));
    }

    #[test]
    fn invitations_show_only_the_roles_offered_in_readable_communities() {
        let g = guest();
        let s = sight(WorkspaceRole::Member, &[(c(1), &g)]);
        let spec = |n| AssignmentSpec { community_id: c(n), role_id: RoleId::from_u128(1), assignment_type: AssignmentType::Dedicated };
        let inv = Invitation {
            id: InvitationId::from_u128(1),
            workspace_id: WorkspaceId::from_u128(1),
            email: crate::Email::parse("x@example.com").unwrap(),
            workspace_role: WorkspaceRole::Member,
            assignments: vec![spec(1), spec(2)],
            contact_of: None,
            invited_by: me(),
            created_at: chrono::Utc::now(),
            expires_at: chrono::Utc::now(),
            status: crate::wire::InvitationStatus::Pending,
        };
        assert_eq!(s.invitation(inv.clone()).unwrap().assignments, vec![spec(1)]);
        assert_eq!(s.invitation(Invitation { assignments: vec![spec(2)], ..inv.clone() }), None);
        assert_eq!(s.invitation(Invitation { assignments: vec![], ..inv.clone() }), None, "a workspace-only invitation is the admins'");
        let contact = Invitation { assignments: vec![], contact_of: Some(c(1)), workspace_role: WorkspaceRole::Client, ..inv.clone() };
        assert_eq!(s.invitation(contact.clone()), None, "a client contact's invitation is the admins'");
        assert_eq!(Sight::Whole.invitation(contact.clone()), Some(contact));
        assert_eq!(Sight::Whole.invitation(inv.clone()), Some(inv));
    }

    #[test]
    fn a_client_contact_reads_their_community_through_its_portal_only() {
        let contact = |enabled, show_team| Sight::of(me(), Some(WorkspaceRole::Client), &EffectivePermissions::contact(c(1), enabled, show_team));
        let s = contact(true, false);
        assert_eq!(s.communities(), Some(vec![c(1)]));
        for d in [Data::Settings, Data::Intakes, Data::Alerts] {
            assert_eq!(s.reach(c(1), d), Some(IntakeScope::All), "{d:?}");
        }
        for d in [Data::Members, Data::Invitations, Data::ApiKeys, Data::Audit] {
            assert!(!s.reads(c(1), d), "{d:?}");
        }
        assert!(!s.reads_roles() && sight(WorkspaceRole::Member, &[]).reads_roles() && Sight::Whole.reads_roles());
        assert!(s.sees_assignment(c(1), me()) && !s.sees_person(UserId::from_u128(8), [c(1)]));
        // The team when the MSSP shows it: its people, still not its invitations.
        let team = contact(true, true);
        assert!(team.reads(c(1), Data::Members) && team.sees_person(UserId::from_u128(8), [c(1)]) && !team.reads(c(1), Data::Invitations));
        // The portal off: nothing at all.
        assert_eq!(contact(false, true).communities(), Some(vec![]));
        // No workspace-level rights whatever.
        let perms = EffectivePermissions::contact(c(1), true, true);
        assert!(perms.everywhere.is_empty() && !perms.holds(None, WorkspaceRead) && !perms.holds(Some(c(2)), AlertsRead));
    }

    #[test]
    fn another_members_permissions_show_only_readable_communities() {
        let g = guest();
        let viewer = sight(WorkspaceRole::Member, &[(c(1), &g)]);
        let other = UserId::from_u128(8);
        let theirs = EffectivePermissions::union(Some(WorkspaceRole::Member), [(c(1), &g), (c(2), &g)]);
        let shown = viewer.permissions_of(other, theirs.clone());
        assert_eq!(shown.communities.keys().copied().collect::<Vec<_>>(), vec![c(1)]);
        assert_eq!(viewer.permissions_of(me(), theirs.clone()), theirs, "one's own in full");
    }

    proptest! {
        /// Whatever roles a member holds, nothing of a community they hold no role in is
        /// visible, and every visible kind of data is backed by a reading permission held there.
        #[test]
        fn confined_sight_never_reaches_past_the_roles_held(
            grants in proptest::collection::vec((0u128..6, proptest::sample::subsequence(Permission::ALL.to_vec(), 1..6), proptest::option::of(proptest::collection::btree_set(0u128..4, 1..3))), 0..6),
            probe in 0u128..8,
        ) {
            let roles: Vec<(CommunityId, RoleGrant)> = grants
                .iter()
                .enumerate()
                .map(|(i, (cn, perms, intakes))| {
                    let kind = if intakes.is_some() { RoleKind::Restricted } else { RoleKind::Custom };
                    let scope: Vec<u128> = intakes.clone().unwrap_or_default().into_iter().collect();
                    (c(*cn), role(100 + i as u128, kind, perms, &scope))
                })
                .collect();
            let perms = EffectivePermissions::union(Some(WorkspaceRole::Member), roles.iter().map(|(c, r)| (*c, r)));
            let s = Sight::of(me(), Some(WorkspaceRole::Member), &perms);
            let held: BTreeSet<CommunityId> = roles.iter().map(|(c, _)| *c).collect();
            prop_assert_eq!(s.sees_community(c(probe)), held.contains(&c(probe)));
            for d in Data::ALL {
                let backed = d.readers().iter().any(|&p| perms.holds(Some(c(probe)), p));
                prop_assert_eq!(s.reads(c(probe), d), backed, "{:?} in {}", d, probe);
                if let Some(IntakeScope::Only(set)) = s.reach(c(probe), d) {
                    // Narrowed only by intakes some restricted role there carries.
                    let scoped: BTreeSet<IntakeId> = roles.iter().filter(|(cc, _)| *cc == c(probe)).flat_map(|(_, r)| r.intake_scope.iter().copied()).collect();
                    prop_assert!(d.by_intake() && set.is_subset(&scoped));
                }
            }
        }
    }
}
