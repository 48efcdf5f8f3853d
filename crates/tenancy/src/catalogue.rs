//! The permission catalogue as served to clients (`GET /v1/permissions`, the console's roles
//! editor): each permission with its area, the legacy ids that include it, and why a kind of
//! role may not hold it, so a client explains the rule instead of copying it. And the glossary
//! of the words the console shows for assignment types and role kinds, one sentence each.

use crate::permission::{legacy, Area, Permission, Scope, LEGACY_IDS};
use crate::role::{refusal, AssignmentType, RoleKind};
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

/// What a glossary word is the name of.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GlossaryTopic {
    AssignmentType,
    RoleKind,
}

/// One word of the domain the console shows, and what it means, in one sentence.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlossaryEntry {
    pub topic: GlossaryTopic,
    /// The word as the API sends it: `dedicated`, `intake_restricted`.
    pub term: String,
    /// The word as the console shows it: "Dedicated", "Intake-restricted".
    pub label: String,
    pub explain: String,
}

/// Every assignment type and every kind of role, explained.
pub fn glossary() -> Vec<GlossaryEntry> {
    let types = AssignmentType::ALL.into_iter().map(|t| GlossaryEntry {
        topic: GlossaryTopic::AssignmentType,
        term: t.as_str().to_owned(),
        label: t.label().to_owned(),
        explain: t.explain().to_owned(),
    });
    let kinds = RoleKind::ALL.into_iter().map(|k| GlossaryEntry {
        topic: GlossaryTopic::RoleKind,
        term: k.as_str().to_owned(),
        label: k.label().to_owned(),
        explain: k.explain().to_owned(),
    });
    types.chain(kinds).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_has_an_area_and_words() {
        let c = catalogue();
        for e in &c {
            assert!(Area::ALL.contains(&e.area), "{}", e.id);
            assert_eq!(e.area_label, e.area.label(), "{}", e.id);
            assert!(!e.area_label.trim().is_empty() && !e.description.trim().is_empty(), "{}", e.id);
            // The id's prefix names its area (`api_keys.read` is in API keys), so the raw id a
            // tooltip shows and the group it is listed in agree.
            let prefix = e.id.id().split('.').next().unwrap();
            assert!(c.iter().filter(|o| o.id.id().starts_with(&format!("{prefix}."))).all(|o| o.area == e.area), "{prefix}");
        }
        // Every area the console groups by has a distinct, readable name.
        let labels: std::collections::BTreeSet<_> = Area::ALL.iter().map(|a| a.label()).collect();
        assert_eq!(labels.len(), Area::ALL.len());
        assert_eq!(Area::ApiKeys.label(), "API keys");
    }

    #[test]
    fn the_glossary_explains_every_assignment_type_and_role_kind_once() {
        let g = glossary();
        let find = |topic, term: &str| g.iter().filter(|e| e.topic == topic && e.term == term).collect::<Vec<_>>();
        for t in AssignmentType::ALL {
            let e = find(GlossaryTopic::AssignmentType, t.as_str());
            assert_eq!(e.len(), 1, "{t:?}");
            // The term is the word the wire carries, so the UI finds it from the value it shows.
            assert_eq!(serde_json::to_value(t).unwrap(), serde_json::Value::String(e[0].term.clone()));
        }
        for k in RoleKind::ALL {
            let e = find(GlossaryTopic::RoleKind, k.as_str());
            assert_eq!(e.len(), 1, "{k:?}");
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::Value::String(e[0].term.clone()));
        }
        assert_eq!(g.len(), AssignmentType::ALL.len() + RoleKind::ALL.len());
        for e in &g {
            assert!(!e.label.trim().is_empty(), "{e:?}");
            // One sentence: it ends with a full stop and has no other.
            let s = e.explain.trim();
            assert!(s.len() > 20 && s.ends_with('.') && !s[..s.len() - 1].contains(". "), "{e:?}");
        }
        assert!(find(GlossaryTopic::RoleKind, "intake_restricted")[0].explain.contains("read-only"));
        assert!(find(GlossaryTopic::AssignmentType, "escalation")[0].explain.contains("escalated"));
    }

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
