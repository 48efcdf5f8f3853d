//! The permission catalogue as served to clients (`GET /v1/permissions`, the console's roles
//! editor): each permission with its area, the legacy ids that include it, and why a kind of
//! role may not hold it, so a client explains the rule instead of copying it.

use crate::permission::{legacy, Area, Permission, Scope, LEGACY_IDS};
use crate::role::{refusal, RoleKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CatalogueEntry {
    pub id: Permission,
    pub area: Area,
    pub area_label: String,
    pub scope: Scope,
    pub read_only: bool,
    pub description: String,
    /// Legacy identifiers that include this permission.
    pub legacy: Vec<String>,
    /// For each kind of role that may not hold this permission, why (the role check's own
    /// sentence). Kinds absent here may hold it.
    #[schema(value_type = BTreeMap<String, String>)]
    pub refused_by: BTreeMap<RoleKind, String>,
}

/// The kinds of role a workspace defines itself (built-in roles are fixed).
const DEFINABLE: [RoleKind; 3] = [RoleKind::Custom, RoleKind::Restricted, RoleKind::IntakeRestricted];

pub fn catalogue() -> Vec<CatalogueEntry> {
    Permission::ALL
        .iter()
        .map(|&p| CatalogueEntry {
            id: p,
            area: p.area(),
            area_label: p.area().label().to_owned(),
            scope: p.scope(),
            read_only: p.is_read_only(),
            description: p.description().to_owned(),
            legacy: LEGACY_IDS.iter().filter(|l| legacy(l).unwrap_or_default().contains(&p)).map(|l| l.to_string()).collect(),
            refused_by: DEFINABLE.into_iter().filter_map(|k| refusal(k, p).map(|e| (k, e.to_string()))).collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_lists_legacy_provenance() {
        let c = catalogue();
        assert_eq!(c.len(), Permission::ALL.len());
        let keys = c.iter().find(|e| e.id == Permission::ApiKeysManage).unwrap();
        assert!(keys.legacy.contains(&"manage_api_keys".to_string()));
        assert!(keys.legacy.contains(&"admin".to_string()));
    }

    #[test]
    fn refusals_are_the_role_checks_own() {
        let c = catalogue();
        let entry = |p| c.iter().find(|e| e.id == p).unwrap();
        // A workspace permission: no kind of community role may hold it.
        assert_eq!(entry(Permission::BillingManage).refused_by.len(), DEFINABLE.len());
        // A write: only the read-only kind refuses it, with the sentence the server sends.
        let manage = entry(Permission::AlertsManage);
        assert_eq!(manage.refused_by.keys().copied().collect::<Vec<_>>(), vec![RoleKind::IntakeRestricted]);
        assert!(manage.refused_by[&RoleKind::IntakeRestricted].contains("read-only"));
        // A read of the community: any kind may hold it.
        assert!(entry(Permission::AlertsRead).refused_by.is_empty());
    }
}
