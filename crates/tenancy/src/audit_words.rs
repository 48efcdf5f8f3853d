//! Audit entries in words: the names an entry keeps of what it refers to (as they were when it
//! was written) and the sentence that says what happened. Apart from `audit`, whose actions and
//! targets the wire types use, so that the wire does not depend on its own description.

use crate::audit::{AuditAction, AuditTarget};
use crate::wire::AuditEntry;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The keys of a before/after whose values are ids of other things (one id, or a list).
const REFERENCE_KEYS: &[&str] =
    &["workspace_id", "community_id", "user_id", "role_id", "role_ids", "invited_by", "created_by", "contact_of", "copied_roles_from", "copy_roles_from", "intake_scope"];

/// Of those, the keys holding a community's id.
const COMMUNITY_KEYS: &[&str] = &["community_id", "contact_of", "copied_roles_from", "copy_roles_from"];

/// How a person is named in an entry's `names`: `Display Name <email>` (the email alone
/// without a display name).
pub fn person(display_name: &str, email: &str) -> String {
    let d = display_name.trim();
    if d.is_empty() {
        email.to_owned()
    } else {
        format!("{d} <{email}>")
    }
}

/// The display name of a [`person`] name (the name itself when it is no person's).
pub fn display_part(name: &str) -> &str {
    match split_person(name) {
        Some(("", e)) => e,
        Some((d, _)) => d,
        None => name,
    }
}

/// The email of a [`person`] name (the name itself when it is no person's).
pub fn email_part(name: &str) -> &str {
    split_person(name).map(|(_, e)| e).unwrap_or(name)
}

fn split_person(name: &str) -> Option<(&str, &str)> {
    let inner = name.strip_suffix('>')?;
    let at = inner.rfind(" <").map(|i| (i, i + 2)).or_else(|| inner.strip_prefix('<').map(|_| (0, 1)))?;
    Some((inner[..at.0].trim(), &inner[at.1..]))
}

/// The ids an audit entry refers to, whose names it keeps: its actor, its target (not a
/// session's, the instance's or an assignment's, which have none) and the ids in its
/// before/after. `community`: the one community the entry is about, if any: a reader confined
/// to it may read the entry, so the ids of other communities in it are left unnamed.
pub fn referenced_ids(
    actor: Option<&str>,
    action: AuditAction,
    target_id: &str,
    before: Option<&Value>,
    after: Option<&Value>,
    community: Option<&str>,
) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    ids.extend(actor.map(str::to_owned));
    if !matches!(action.target(), AuditTarget::Instance | AuditTarget::Session | AuditTarget::Assignment) {
        ids.insert(target_id.to_owned());
    }
    fn walk(v: &Value, community: Option<&str>, ids: &mut BTreeSet<String>) {
        match v {
            Value::Object(o) => {
                for (k, v) in o {
                    if REFERENCE_KEYS.contains(&k.as_str()) {
                        let about_other = |id: &str| community.is_some_and(|c| c != id) && COMMUNITY_KEYS.contains(&k.as_str());
                        match v {
                            Value::String(id) if !about_other(id) => {
                                ids.insert(id.clone());
                            }
                            Value::Array(a) => ids.extend(a.iter().filter_map(Value::as_str).filter(|id| !about_other(id)).map(str::to_owned)),
                            _ => {}
                        }
                    }
                    walk(v, community, ids);
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, community, ids)),
            _ => {}
        }
    }
    for v in [before, after].into_iter().flatten() {
        walk(v, community, &mut ids);
    }
    ids
}

/// The names the entities in `v` give themselves, into `out` (later ones win): a member or a
/// user by [`person`], an invitation by its email, a workspace, community, role, API key or
/// intake by its name. Only names and emails are read (never a secret).
pub fn names_in(v: &Value, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(o) => {
            let text = |k: &str| o.get(k).and_then(Value::as_str);
            if let (Some(user), Some(email)) = (text("user_id"), text("email")) {
                out.insert(user.to_owned(), person(text("display_name").unwrap_or_default(), email));
            } else if let (Some(id), Some(email)) = (text("id"), text("email")) {
                let name = match text("display_name") {
                    Some(d) => person(d, email),
                    None => email.to_owned(),
                };
                out.insert(id.to_owned(), name);
            } else if let (Some(id), Some(name)) = (text("id"), text("name")) {
                out.insert(id.to_owned(), name.to_owned());
            }
            o.values().for_each(|v| names_in(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| names_in(v, out)),
        _ => {}
    }
}

/// What an entry says happened, in words: "Ann Admin gave dana@x.test Analyst in Acme Corp".
/// Ids are named from the entry's `names` (as they were when it was written), else by
/// `fallback` (e.g. the console's cache), else as a short id.
pub fn describe(e: &AuditEntry, fallback: &dyn Fn(&str) -> Option<String>) -> String {
    Words { e, fallback }.sentence()
}

/// [`describe`] with the entry's own names only (what the server says).
pub fn summary(e: &AuditEntry) -> String {
    describe(e, &|_| None)
}

/// An id shortened for reading: its first 8 characters.
pub fn short_id(id: &str) -> String {
    if id.chars().count() > 12 {
        format!("{}…", id.chars().take(8).collect::<String>())
    } else {
        id.to_owned()
    }
}

fn quoted(s: &str) -> String {
    format!("“{s}”")
}

struct Words<'a> {
    e: &'a AuditEntry,
    fallback: &'a dyn Fn(&str) -> Option<String>,
}

impl Words<'_> {
    fn name(&self, id: &str) -> Option<String> {
        self.e.names.get(id).cloned().or_else(|| (self.fallback)(id))
    }
    fn field<'v>(v: Option<&'v Value>, k: &str) -> Option<&'v str> {
        v?.get(k)?.as_str()
    }
    fn before(&self, k: &str) -> Option<&str> {
        Self::field(self.e.before.as_ref(), k)
    }
    fn after(&self, k: &str) -> Option<&str> {
        Self::field(self.e.after.as_ref(), k)
    }
    /// A field of the after, else of the before.
    fn either(&self, k: &str) -> Option<&str> {
        self.after(k).or_else(|| self.before(k))
    }
    /// Who acted, by display name.
    fn actor(&self) -> String {
        match self.e.actor_id {
            None => "The system".to_owned(),
            Some(u) => self.name(&u.to_string()).map(|n| display_part(&n).to_owned()).unwrap_or_else(|| format!("user {}", short_id(&u.to_string()))),
        }
    }
    /// A person acted on, by email.
    fn person(&self, id: &str) -> String {
        self.name(id).map(|n| email_part(&n).to_owned()).unwrap_or_else(|| format!("user {}", short_id(id)))
    }
    fn community(&self, id: Option<&str>) -> String {
        match id {
            Some(id) => self.name(id).unwrap_or_else(|| format!("community {}", short_id(id))),
            None => "a community".to_owned(),
        }
    }
    fn role(&self, id: &str) -> String {
        self.name(id).unwrap_or_else(|| format!("role {}", short_id(id)))
    }
    /// The target's name as the entry has it: from its after or before, else its names.
    fn target(&self, noun: &str) -> String {
        format!("{noun} {}", self.target_name())
    }
    /// “SIEM export”, or the short id.
    fn target_name(&self) -> String {
        let id = &self.e.target_id;
        match self.either("name").map(str::to_owned).or_else(|| self.name(id)) {
            Some(n) => quoted(&n),
            None => short_id(id),
        }
    }
    /// "Analyst in Acme Corp".
    fn grant(&self, a: &Value) -> String {
        let role = Self::field(Some(a), "role_id").map(|r| self.role(r)).unwrap_or_else(|| "a role".to_owned());
        format!("{role} in {}", self.community(Self::field(Some(a), "community_id")))
    }
    fn grants(&self, v: Option<&Value>) -> Vec<String> {
        match v {
            Some(Value::Array(a)) => a.iter().map(|x| self.grant(x)).collect(),
            Some(x @ Value::Object(_)) if x.get("role_id").is_some() => vec![self.grant(x)],
            _ => Vec::new(),
        }
    }
    /// The keys whose values differ between before and after (not the version).
    fn changed(&self) -> Vec<String> {
        let (Some(Value::Object(b)), Some(Value::Object(a))) = (&self.e.before, &self.e.after) else { return Vec::new() };
        let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
        keys.into_iter().filter(|k| !matches!(k.as_str(), "version" | "updated_at") && b.get(*k) != a.get(*k)).map(|k| k.replace('_', " ")).collect()
    }
    /// " (timezone, region)" or "".
    fn what_changed(&self) -> String {
        let c = self.changed();
        if c.is_empty() {
            String::new()
        } else {
            format!(": {}", list(&c))
        }
    }
    /// "Ann renamed role “A” to “B”", or "Ann changed role “A”: permissions".
    fn renamed_or_changed(&self, noun: &str, tail: &str) -> String {
        let a = self.actor();
        match (self.before("name"), self.after("name")) {
            (Some(old), Some(new)) if old != new => {
                let others: Vec<String> = self.changed().into_iter().filter(|k| k != "name").collect();
                let more = if others.is_empty() { String::new() } else { format!(" and changed its {}", list(&others)) };
                format!("{a} renamed {noun} {} to {}{tail}{more}", quoted(old), quoted(new))
            }
            _ => format!("{a} changed {}{tail}{}", self.target(noun), self.what_changed()),
        }
    }

    fn sentence(&self) -> String {
        use AuditAction::*;
        let a = self.actor();
        let e = self.e;
        let t = e.target_id.as_str();
        let in_community = || self.community(self.either("community_id"));
        match e.action {
            InstanceSeed => format!("{a} seeded the instance ({t})"),
            WorkspacePurge => format!("{a} purged the workspaces deleted past their retention"),
            UserRegister => format!("{} created an account", self.person(t)),
            UserAdminUpdate => format!("{a} changed the account of {}{}", self.person(t), self.what_changed()),
            UserTwoFactorEnrol => format!("{} began setting up two-factor authentication", self.person(t)),
            UserTwoFactorEnable => format!("{} turned on two-factor authentication", self.person(t)),
            SessionCreate => format!("{a} signed in"),
            SessionRefresh => format!("{a} renewed a session"),
            SessionReuseDetected => format!("A used refresh token of {a} came back: the session was ended"),
            SessionRevoke => format!("{a} signed out"),
            WorkspaceCreate => format!("{a} created {}", self.target("workspace")),
            WorkspaceUpdate => self.renamed_or_changed("workspace", ""),
            WorkspacePlanChange => match (self.before("plan"), self.after("plan")) {
                (Some(b), Some(n)) => format!("{a} moved {} from the {b} plan to {n}", self.target("workspace")),
                _ => format!("{a} changed the plan of {}", self.target("workspace")),
            },
            WorkspaceDelete => format!("{a} deleted {}", self.target("workspace")),
            WorkspaceRestore => format!("{a} restored {}", self.target("workspace")),
            CommunityCreate => {
                let copied = self.after("copied_roles_from").map(|c| format!(", with the role assignments of {}", self.community(Some(c)))).unwrap_or_default();
                format!("{a} created {}{copied}", self.target("community"))
            }
            CommunityUpdate => self.renamed_or_changed("community", ""),
            MemberRoleChange => match (self.before("role"), self.after("role")) {
                (Some(b), Some(n)) => format!("{a} changed the workspace role of {} from {b} to {n}", self.person(t)),
                _ => format!("{a} changed the workspace role of {}", self.person(t)),
            },
            MemberLeave => format!("{} left the workspace", self.person(t)),
            MemberRemove => format!("{a} removed {} from the workspace", self.person(t)),
            MemberResetTwoFactor => format!("{a} reset the two-factor authentication of {}", self.person(t)),
            MemberAssignRoles => {
                let (made, removed) = (self.grants(e.after.as_ref()), self.grants(e.before.as_ref()));
                let p = self.person(t);
                match (made.is_empty(), removed.is_empty()) {
                    (false, true) => format!("{a} gave {p} {}", list(&made)),
                    (false, false) => format!("{a} gave {p} {}, replacing {}", list(&made), list(&removed)),
                    (true, false) => format!("{a} took {} from {p}", list(&removed)),
                    (true, true) => format!("{a} gave {p} no new role (they held those already)"),
                }
            }
            MemberUnassignRole => {
                let p = self.before("user_id").map(|u| self.person(u)).unwrap_or_else(|| "a member".to_owned());
                match e.before.as_ref() {
                    Some(b) => format!("{a} took {} from {p}", self.grant(b)),
                    None => format!("{a} removed a role assignment ({})", short_id(t)),
                }
            }
            RoleCreate => format!("{a} created {}", self.target("role")),
            RoleUpdate => self.renamed_or_changed("role", ""),
            RoleDelete => format!("{a} deleted {}", self.target("role")),
            InvitationCreate => {
                let email = self.after("email").map(str::to_owned).unwrap_or_else(|| self.person(t));
                let role = self.after("workspace_role").map(|r| format!(" as a workspace {r}")).unwrap_or_default();
                let grants = self.grants(e.after.as_ref().and_then(|v| v.get("assignments")));
                let with = if grants.is_empty() { String::new() } else { format!(", with {}", list(&grants)) };
                format!("{a} invited {email}{role}{with}")
            }
            InvitationRevoke => format!("{a} revoked the invitation of {}", self.either("email").map(str::to_owned).unwrap_or_else(|| self.person(t))),
            InvitationAccept => match self.after("role") {
                Some(r) => format!("{a} accepted an invitation and joined as a workspace {r}"),
                None => format!("{a} accepted an invitation"),
            },
            InvitationDecline => format!("{a} declined the invitation of {}", self.either("email").map(str::to_owned).unwrap_or_else(|| self.person(t))),
            ApiKeyCreate => {
                let prefix = self.after("prefix").map(|p| format!(" ({p}…)")).unwrap_or_default();
                format!("{a} created API key {}{prefix} in {}", self.target_name(), in_community())
            }
            ApiKeyRevoke => format!("{a} revoked API key {} of {}", self.target_name(), in_community()),
            IntakeCreate => {
                let kind = self.after("kind").map(|k| format!(" ({})", k.replace('_', " "))).unwrap_or_default();
                format!("{a} added intake {}{kind} to {}", self.target_name(), in_community())
            }
            IntakeUpdate => self.renamed_or_changed("intake", &format!(" in {}", in_community())),
            IntakeDelete => format!("{a} removed intake {} from {}", self.target_name(), in_community()),
        }
    }
}

/// "a", "a and b", "a, b and c"; past four, "a, b, c and 5 more".
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        _ if items.len() > 4 => format!("{} and {} more", items[..3].join(", "), items.len() - 3),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::AuditAction;

    use crate::wire::AuditEntry;
    use serde_json::json;

    const ANN: &str = "0190aaaa-0000-7000-8000-000000000001";
    const DANA: &str = "0190aaaa-0000-7000-8000-000000000002";
    const ACME: &str = "0190bbbb-0000-7000-8000-000000000001";
    const ANALYST: &str = "0190cccc-0000-7000-8000-000000000001";
    const KEY: &str = "0190dddd-0000-7000-8000-000000000001";

    fn entry(action: AuditAction, target: &str, before: Option<serde_json::Value>, after: Option<serde_json::Value>, names: &[(&str, &str)]) -> AuditEntry {
        AuditEntry {
            id: 1,
            workspace_id: None,
            actor_id: Some(ANN.parse().unwrap()),
            action,
            target_kind: action.target(),
            target_id: target.to_owned(),
            before,
            after,
            at: chrono::Utc::now(),
            request_id: "r".into(),
            names: names.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            summary: String::new(),
        }
    }

    fn named() -> Vec<(&'static str, &'static str)> {
        vec![(ANN, "Ann Admin <ann@x.test>"), (DANA, "Dana Doe <dana@x.test>"), (ACME, "Acme Corp"), (ANALYST, "Analyst")]
    }

    #[test]
    fn an_assignment_says_who_gave_whom_what_where() {
        let made = json!([{ "id": "a1", "community_id": ACME, "user_id": DANA, "role_id": ANALYST, "assignment_type": "pool" }]);
        let e = entry(AuditAction::MemberAssignRoles, DANA, None, Some(made.clone()), &named());
        assert_eq!(summary(&e), "Ann Admin gave dana@x.test Analyst in Acme Corp");
        // Replacing: the roles taken are said too.
        let old = json!([{ "id": "a0", "community_id": ACME, "user_id": DANA, "role_id": "r-guest", "assignment_type": "pool" }]);
        let e = entry(AuditAction::MemberAssignRoles, DANA, Some(old.clone()), Some(made), &[named(), vec![("r-guest", "Guest")]].concat());
        assert_eq!(summary(&e), "Ann Admin gave dana@x.test Analyst in Acme Corp, replacing Guest in Acme Corp");
        let e = entry(AuditAction::MemberUnassignRole, "a0", Some(old[0].clone()), None, &[named(), vec![("r-guest", "Guest")]].concat());
        assert_eq!(summary(&e), "Ann Admin took Guest in Acme Corp from dana@x.test");
    }

    #[test]
    fn keys_roles_and_renames_read_as_sentences() {
        let key = json!({ "id": KEY, "community_id": ACME, "name": "SIEM export", "prefix": "tk_3f12", "role_ids": [ANALYST] });
        let e = entry(AuditAction::ApiKeyRevoke, KEY, Some(key.clone()), Some(key.clone()), &named());
        assert_eq!(summary(&e), "Ann Admin revoked API key “SIEM export” of Acme Corp");
        let e = entry(AuditAction::ApiKeyCreate, KEY, None, Some(key), &named());
        assert_eq!(summary(&e), "Ann Admin created API key “SIEM export” (tk_3f12…) in Acme Corp");
        let e = entry(
            AuditAction::RoleUpdate,
            ANALYST,
            Some(json!({ "id": ANALYST, "name": "Tier 1", "version": 1 })),
            Some(json!({ "id": ANALYST, "name": "Tier 1 analyst", "version": 2 })),
            &named(),
        );
        assert_eq!(summary(&e), "Ann Admin renamed role “Tier 1” to “Tier 1 analyst”");
        let e = entry(
            AuditAction::CommunityUpdate,
            ACME,
            Some(json!({ "id": ACME, "name": "Acme Corp", "settings": { "timezone": "UTC" }, "version": 1 })),
            Some(json!({ "id": ACME, "name": "Acme Corp", "settings": { "timezone": "Europe/Paris" }, "version": 2 })),
            &named(),
        );
        assert_eq!(summary(&e), "Ann Admin changed community “Acme Corp”: settings");
        let e = entry(AuditAction::MemberRoleChange, DANA, Some(json!({ "user_id": DANA, "role": "member" })), Some(json!({ "user_id": DANA, "role": "admin" })), &named());
        assert_eq!(summary(&e), "Ann Admin changed the workspace role of dana@x.test from member to admin");
        let inv = json!({ "id": "i1", "email": "eve@x.test", "workspace_role": "member", "assignments": [{ "community_id": ACME, "role_id": ANALYST, "assignment_type": "pool" }] });
        let e = entry(AuditAction::InvitationCreate, "i1", None, Some(inv), &named());
        assert_eq!(summary(&e), "Ann Admin invited eve@x.test as a workspace member, with Analyst in Acme Corp");
    }

    #[test]
    fn every_action_has_a_sentence_naming_its_actor_or_subject() {
        for &action in AuditAction::ALL {
            let e = entry(action, DANA, None, None, &named());
            let s = summary(&e);
            assert!(!s.is_empty() && !s.contains("{"), "{action}: {s}");
            assert!(s.contains("Ann Admin") || s.contains("dana@x.test") || s.contains("“"), "{action} names nobody: {s}");
        }
    }

    #[test]
    fn without_names_it_falls_back_to_the_cache_then_to_a_short_id() {
        let made = json!([{ "community_id": ACME, "user_id": DANA, "role_id": ANALYST }]);
        let e = entry(AuditAction::MemberAssignRoles, DANA, None, Some(made), &[(ACME, "Acme Corp (then)")]);
        // The cache knows the role and the actor; the entry's own name of the community wins.
        let cache = |id: &str| match id {
            ANALYST => Some("Analyst".to_owned()),
            ANN => Some("Ann Admin <ann@x.test>".to_owned()),
            ACME => Some("Acme Corp (now)".to_owned()),
            _ => None,
        };
        assert_eq!(describe(&e, &cache), "Ann Admin gave user 0190aaaa… Analyst in Acme Corp (then)");
        assert_eq!(summary(&e), "user 0190aaaa… gave user 0190aaaa… role 0190cccc… in Acme Corp (then)");
    }

    #[test]
    fn names_come_from_entities_and_never_from_secrets() {
        let created = json!({ "key": { "id": KEY, "name": "SIEM export", "prefix": "tk_3f12", "community_id": ACME }, "secret": "tk_3f12_very_secret" });
        let mut names = BTreeMap::new();
        names_in(&created, &mut names);
        names_in(&json!({ "user_id": DANA, "email": "dana@x.test", "display_name": "Dana Doe" }), &mut names);
        names_in(&json!({ "id": "i1", "email": "eve@x.test", "status": "pending" }), &mut names);
        assert_eq!(names.get(KEY).map(String::as_str), Some("SIEM export"));
        assert_eq!(names.get(DANA).map(String::as_str), Some("Dana Doe <dana@x.test>"));
        assert_eq!(names.get("i1").map(String::as_str), Some("eve@x.test"));
        assert!(!names.values().any(|v| v.contains("secret")));
        assert_eq!((display_part("Dana Doe <dana@x.test>"), email_part("Dana Doe <dana@x.test>")), ("Dana Doe", "dana@x.test"));
        assert_eq!((display_part("eve@x.test"), email_part("eve@x.test")), ("eve@x.test", "eve@x.test"));
    }

    #[test]
    fn an_entry_about_one_community_refers_to_no_other() {
        let other = "0190bbbb-0000-7000-8000-000000000009";
        let after = json!({ "id": ACME, "name": "Acme Corp", "copied_roles_from": other, "contact_of": other });
        let ids = referenced_ids(Some(ANN), AuditAction::CommunityCreate, ACME, None, Some(&after), Some(ACME));
        assert!(ids.contains(ANN) && ids.contains(ACME) && !ids.contains(other), "{ids:?}");
        // A workspace-wide entry (read only by those who see the whole workspace) names both.
        let ids = referenced_ids(Some(ANN), AuditAction::CommunityCreate, ACME, None, Some(&after), None);
        assert!(ids.contains(other));
        // Sessions and assignments have no name to keep.
        assert!(!referenced_ids(None, AuditAction::SessionCreate, "fam", None, None, None).contains("fam"));
    }

    #[test]
    fn an_action_names_its_area_and_acts_on_what_it_says() {
        assert_eq!(AuditAction::MemberUnassignRole.target(), AuditTarget::Assignment);
        assert_eq!(AuditAction::MemberAssignRoles.target(), AuditTarget::Member);
        assert_eq!(AuditAction::WorkspacePurge.target(), AuditTarget::Instance);
    }
}
