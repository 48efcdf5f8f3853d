//! The permission catalogue, grouped by area, the permission sets of the built-in roles, and
//! the legacy identifiers mapped onto them. Depends on nothing else of the domain: roles are
//! made of permissions, not the other way round.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    Alerts,
    Rules,
    Playbooks,
    Intelligence,
    Intakes,
    Members,
    Roles,
    ApiKeys,
    CommunitySettings,
    WorkspaceSettings,
    Billing,
}

impl Area {
    pub const ALL: [Area; 11] = [
        Area::Alerts,
        Area::Rules,
        Area::Playbooks,
        Area::Intelligence,
        Area::Intakes,
        Area::Members,
        Area::Roles,
        Area::ApiKeys,
        Area::CommunitySettings,
        Area::WorkspaceSettings,
        Area::Billing,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Area::Alerts => "Alerts",
            Area::Rules => "Rules",
            Area::Playbooks => "Playbooks",
            Area::Intelligence => "Intelligence",
            Area::Intakes => "Intakes",
            Area::Members => "Members",
            Area::Roles => "Roles",
            Area::ApiKeys => "API keys",
            Area::CommunitySettings => "Community settings",
            Area::WorkspaceSettings => "Workspace settings",
            Area::Billing => "Billing",
        }
    }
}

/// Where a permission applies: in one community, or to the workspace as a whole. Workspace
/// permissions come only from the workspace role (owner, admin, member), never from a
/// community role.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Community,
    Workspace,
}

macro_rules! catalogue {
    ($($variant:ident = $id:literal, $area:ident, $scope:ident, $read:literal, $desc:literal;)*) => {
        /// One permission of the catalogue. Serialized as its stable id, e.g. `alerts.read`.
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        pub enum Permission {
            $(#[serde(rename = $id)] $variant,)*
        }

        impl Permission {
            pub const ALL: &'static [Permission] = &[$(Permission::$variant,)*];

            pub fn id(self) -> &'static str {
                match self { $(Permission::$variant => $id,)* }
            }
            pub fn area(self) -> Area {
                match self { $(Permission::$variant => Area::$area,)* }
            }
            pub fn scope(self) -> Scope {
                match self { $(Permission::$variant => Scope::$scope,)* }
            }
            /// Read-only permissions are the only ones an intake-restricted role may hold.
            pub fn is_read_only(self) -> bool {
                match self { $(Permission::$variant => $read,)* }
            }
            pub fn description(self) -> &'static str {
                match self { $(Permission::$variant => $desc,)* }
            }
        }
    };
}

catalogue! {
    AlertsRead = "alerts.read", Alerts, Community, true, "View alerts, events and incidents";
    AlertsComment = "alerts.comment", Alerts, Community, false, "Comment on alerts";
    AlertsManage = "alerts.manage", Alerts, Community, false, "Manage alerts and incidents";
    RulesRead = "rules.read", Rules, Community, true, "View detection rules";
    RulesManage = "rules.manage", Rules, Community, false, "Manage rules, templates, entities and countermeasures";
    PlaybooksRead = "playbooks.read", Playbooks, Community, true, "View playbooks";
    PlaybooksRun = "playbooks.run", Playbooks, Community, false, "Run playbooks";
    PlaybooksManage = "playbooks.manage", Playbooks, Community, false, "Create and edit playbooks";
    IntelligenceRead = "intelligence.read", Intelligence, Community, true, "View threat intelligence";
    IntelligenceManage = "intelligence.manage", Intelligence, Community, false, "Edit threat intelligence";
    IntakesRead = "intakes.read", Intakes, Community, true, "View intakes";
    IntakesManage = "intakes.manage", Intakes, Community, false, "Create, configure and remove intakes";
    MembersRead = "members.read", Members, Community, true, "View the community's members";
    MembersInvite = "members.invite", Members, Community, false, "Invite users to the community";
    MembersRemove = "members.remove", Members, Community, false, "Remove users from the community";
    MembersResetTwoFactor = "members.reset_2fa", Members, Community, false, "Reset a member's two-factor authentication";
    RolesRead = "roles.read", Roles, Community, true, "View roles";
    RolesManage = "roles.manage", Roles, Community, false, "Create, update, delete and assign roles";
    ApiKeysRead = "api_keys.read", ApiKeys, Community, true, "View the community's API keys";
    ApiKeysManage = "api_keys.manage", ApiKeys, Community, false, "Create and revoke API keys";
    CommunityRead = "community.read", CommunitySettings, Community, true, "View community settings";
    CommunityManage = "community.manage", CommunitySettings, Community, false, "Any action on community settings";
    WorkspaceRead = "workspace.read", WorkspaceSettings, Workspace, true, "View workspace settings";
    WorkspaceManage = "workspace.manage", WorkspaceSettings, Workspace, false, "Rename the workspace, create communities, manage workspace members";
    WorkspaceSecurity = "workspace.security", WorkspaceSettings, Workspace, false, "Configure SSO and workspace security policies";
    BillingRead = "billing.read", Billing, Workspace, true, "View the plan and its usage";
    BillingManage = "billing.manage", Billing, Workspace, false, "Change the plan";
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Permission {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Permission::ALL
            .iter()
            .copied()
            .find(|p| p.id() == s)
            .ok_or_else(|| format!("Unknown permission \"{s}\"; GET /v1/permissions lists the catalogue."))
    }
}

/// Read-only access to a community's platform data: the built-in Guest role.
pub const GUEST: &[Permission] = {
    use Permission::*;
    &[AlertsRead, RulesRead, PlaybooksRead, IntelligenceRead, IntakesRead, MembersRead, CommunityRead]
};

/// Read and write for security operations: the built-in Analyst role (Guest and more).
pub const ANALYST: &[Permission] = {
    use Permission::*;
    &[
        AlertsRead, RulesRead, PlaybooksRead, IntelligenceRead, IntakesRead, MembersRead, CommunityRead,
        AlertsComment, AlertsManage, RulesManage, PlaybooksRun, PlaybooksManage, IntelligenceManage,
        RolesRead, ApiKeysRead,
    ]
};

/// Analyst plus members, roles, API keys, community settings and 2FA resets: the built-in Admin
/// role, and what workspace admins and owners hold in every community.
pub const ADMIN: &[Permission] = {
    use Permission::*;
    &[
        AlertsRead, RulesRead, PlaybooksRead, IntelligenceRead, IntakesRead, MembersRead, CommunityRead,
        AlertsComment, AlertsManage, RulesManage, PlaybooksRun, PlaybooksManage, IntelligenceManage,
        RolesRead, ApiKeysRead,
        IntakesManage, MembersInvite, MembersRemove, MembersResetTwoFactor, RolesManage, ApiKeysManage,
        CommunityManage,
    ]
};

/// The pre-2024 role identifiers and the permissions each stands for today.
pub const LEGACY_IDS: [&str; 11] = [
    "admin",
    "symphony_operator",
    "ic_viewer",
    "oc_viewer",
    "oc_contributor",
    "oc_operator",
    "oc_administrator",
    "manage_api_keys",
    "manage_community",
    "manage_roles",
    "manage_members",
];

pub fn legacy(id: &str) -> Option<Vec<Permission>> {
    use Permission::*;
    let oc_viewer = vec![AlertsRead, RulesRead, IntakesRead];
    let oc_contributor = [oc_viewer.clone(), vec![AlertsComment]].concat();
    let oc_operator = [oc_contributor.clone(), vec![AlertsManage]].concat();
    Some(match id {
        "admin" => ADMIN.to_vec(),
        "symphony_operator" => vec![PlaybooksRead, PlaybooksRun],
        "ic_viewer" => vec![IntelligenceRead],
        "oc_viewer" => oc_viewer,
        "oc_contributor" => oc_contributor,
        "oc_operator" => oc_operator,
        "oc_administrator" => vec![RulesRead, RulesManage],
        "manage_api_keys" => vec![ApiKeysRead, ApiKeysManage],
        "manage_community" => vec![CommunityRead, CommunityManage],
        "manage_roles" => vec![RolesRead, RolesManage],
        "manage_members" => vec![MembersRead, MembersInvite, MembersRemove],
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &p in Permission::ALL {
            assert!(seen.insert(p.id()), "duplicate {}", p.id());
            assert_eq!(p.id().parse::<Permission>().unwrap(), p);
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{}\"", p.id()));
        }
        assert!("alerts.delete".parse::<Permission>().is_err());
    }

    #[test]
    fn every_area_has_permissions() {
        for a in Area::ALL {
            assert!(Permission::ALL.iter().any(|p| p.area() == a), "{a:?} is empty");
        }
    }

    #[test]
    fn builtin_sets_nest_and_guest_is_read_only() {
        let set = |p: &[Permission]| p.iter().copied().collect::<std::collections::BTreeSet<_>>();
        let (g, a, ad) = (set(GUEST), set(ANALYST), set(ADMIN));
        assert!(g.is_subset(&a) && a.is_subset(&ad) && g != a && a != ad);
        assert!(GUEST.iter().all(|p| p.is_read_only()));
        assert!(ADMIN.iter().all(|p| p.scope() == Scope::Community));
        assert_eq!(legacy("admin").map(|p| set(&p)), Some(ad));
    }

    #[test]
    fn every_legacy_id_maps_to_community_permissions() {
        for id in LEGACY_IDS {
            let perms = legacy(id).unwrap();
            assert!(!perms.is_empty(), "{id}");
            assert!(perms.iter().all(|p| p.scope() == Scope::Community), "{id}");
        }
        assert_eq!(legacy("root"), None);
        assert!(legacy("oc_operator").unwrap().contains(&Permission::AlertsComment));
        assert!(!legacy("oc_viewer").unwrap().contains(&Permission::AlertsComment));
    }
}
