//! Reports built from the cache: exports of a workspace's members and roles (CSV and JSON), and
//! the comparison of two workspaces' people (possibly on two servers, through two accounts).
//!
//! Everything here reads through the cache's public queries, page by page, so it answers offline
//! and never holds more than the people of the workspaces it was asked about.

use crate::cache::views::{MemberQuery, MemberSort, MemberStatus};
use crate::error::{ClientError, ErrorCode, Result};
use crate::{ApiClient, Cache};
use std::path::Path;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use tenancy::wire::{AuditEntry, AuditSearch, Role};
use tenancy::AssignmentType;
use tenancy::{CommunityId, WorkspaceId, WorkspaceRole};

/// One community role of a person, by name.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NamedRole {
    pub community: String,
    pub role: String,
    pub assignment_type: AssignmentType,
}

/// A member or a pending invitation, with names instead of ids (what an export row says).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub email: String,
    pub display_name: String,
    pub workspace_role: WorkspaceRole,
    pub pending: bool,
    pub two_factor_enabled: bool,
    pub since: DateTime<Utc>,
    pub roles: Vec<NamedRole>,
}

const PAGE: u32 = 1000;

/// Every person of a workspace (members and pending invitations), optionally only those with a
/// role in one of `communities`, ordered by email. Roles outside `communities` are left out when
/// communities are given.
pub async fn people(cache: &Cache, ws: WorkspaceId, communities: &[CommunityId], now: DateTime<Utc>) -> Result<Vec<Person>> {
    let community_names: HashMap<CommunityId, String> = cache.communities(ws, None).await?.into_iter().map(|c| (c.id, c.name.to_string())).collect();
    let role_names: HashMap<_, String> = cache.roles(ws).await?.into_iter().map(|r| (r.id, r.name.to_string())).collect();
    let wanted: BTreeSet<CommunityId> = communities.iter().copied().collect();
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let q = MemberQuery {
            workspace_id: Some(ws),
            communities: communities.to_vec(),
            status: MemberStatus::All,
            sort: MemberSort::Email,
            offset,
            limit: PAGE,
            ..Default::default()
        };
        let page = cache.members(&q, now).await?;
        let n = page.rows.len() as u32;
        for r in page.rows {
            let mut roles: Vec<NamedRole> = r
                .roles
                .iter()
                .filter(|x| wanted.is_empty() || wanted.contains(&x.community_id))
                .map(|x| NamedRole {
                    community: community_names.get(&x.community_id).cloned().unwrap_or_else(|| x.community_id.to_string()),
                    role: role_names.get(&x.role_id).cloned().unwrap_or_else(|| x.role_id.to_string()),
                    assignment_type: x.assignment_type,
                })
                .collect();
            roles.sort();
            out.push(Person {
                email: r.email,
                display_name: r.display_name,
                workspace_role: r.workspace_role,
                pending: r.pending,
                two_factor_enabled: r.two_factor_enabled,
                since: r.since,
                roles,
            });
        }
        offset += n;
        if n < PAGE || u64::from(offset) >= page.total {
            break;
        }
    }
    Ok(out)
}

// ---------- export ----------

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Json,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
        }
    }
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a leading tab or carriage
/// return) is written with a leading `'`, so a display name like `=HYPERLINK(…)` stays text.
fn cell(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

fn lower<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// Members as CSV: one line per community role, and one line (with empty community and role) for
/// a person without any, so every person appears.
pub fn members_csv(people: &[Person]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["email", "display_name", "workspace_role", "status", "two_factor", "since", "community", "role", "assignment_type"])
        .map_err(csv_error)?;
    for p in people {
        let status = if p.pending { "invited" } else { "active" };
        let two_factor = if p.pending { "" } else if p.two_factor_enabled { "on" } else { "off" };
        let name = cell(&p.display_name);
        let base = [p.email.as_str(), name.as_ref()];
        let since = p.since.to_rfc3339();
        let ws_role = lower(&p.workspace_role);
        if p.roles.is_empty() {
            w.write_record(base.iter().copied().chain([ws_role.as_str(), status, two_factor, since.as_str(), "", "", ""])).map_err(csv_error)?;
        }
        for r in &p.roles {
            let kind = lower(&r.assignment_type);
            let (community, role) = (cell(&r.community), cell(&r.role));
            w.write_record(base.iter().copied().chain([ws_role.as_str(), status, two_factor, since.as_str(), community.as_ref(), role.as_ref(), kind.as_str()]))
                .map_err(csv_error)?;
        }
    }
    finish(w)
}

/// Roles as CSV: one line per role, permissions joined with spaces.
pub fn roles_csv(roles: &[Role]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["name", "kind", "description", "permissions", "intake_scope"]).map_err(csv_error)?;
    for r in roles {
        let perms = r.permissions.iter().map(|p| p.id()).collect::<Vec<_>>().join(" ");
        let intakes = r.intake_scope.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(" ");
        w.write_record([cell(r.name.as_str()).as_ref(), r.kind.as_str(), cell(&r.description).as_ref(), perms.as_str(), intakes.as_str()]).map_err(csv_error)?;
    }
    finish(w)
}

pub fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string_pretty(v).map_err(|e| ClientError::new(ErrorCode::Internal, format!("The export could not be written ({e}).")))
}

fn csv_error(e: csv::Error) -> ClientError {
    ClientError::new(ErrorCode::Internal, format!("The export could not be written ({e})."))
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<String> {
    let bytes = w.into_inner().map_err(|e| csv_error(e.into_error().into()))?;
    String::from_utf8(bytes).map_err(|e| ClientError::new(ErrorCode::Internal, format!("The export is not text ({e}).")))
}

/// What an export holds.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportWhat {
    Members,
    Roles,
    /// The audit entries matching a search (read from the server: the log is not mirrored).
    Audit,
}

impl ExportWhat {
    fn file_word(self) -> &'static str {
        match self {
            ExportWhat::Members => "members",
            ExportWhat::Roles => "roles",
            ExportWhat::Audit => "audit",
        }
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportResult {
    /// Where the file was written.
    pub path: String,
    /// Members or roles written.
    pub count: u32,
}

/// The file an export of `slug` made at `at` is written to: `tenantry-<slug>-<what>-<time>.<ext>`.
pub fn export_file_name(slug: &str, what: ExportWhat, format: ExportFormat, at: DateTime<Utc>) -> String {
    format!("tenantry-{slug}-{}-{}.{}", what.file_word(), at.format("%Y%m%d-%H%M%S"), format.extension())
}

/// Writes the workspace's members (of `communities`, when given) or roles into `dir`, from the
/// cache (so offline too), and says where. The file is written beside and renamed into place:
/// it is whole or absent, never half-written.
pub async fn export(cache: &Cache, ws: WorkspaceId, what: ExportWhat, format: ExportFormat, communities: &[CommunityId], dir: &Path, now: DateTime<Utc>) -> Result<ExportResult> {
    let workspace = cache
        .workspace(ws)
        .await?
        .ok_or_else(|| ClientError::new(ErrorCode::NotFound, "This workspace is not in the cache; sync and try again."))?;
    let (text, count) = match what {
        ExportWhat::Members => {
            let people = people(cache, ws, communities, now).await?;
            let text = match format {
                ExportFormat::Csv => members_csv(&people)?,
                ExportFormat::Json => json(&people)?,
            };
            (text, people.len())
        }
        ExportWhat::Roles => {
            let roles = cache.roles(ws).await?;
            let text = match format {
                ExportFormat::Csv => roles_csv(&roles)?,
                ExportFormat::Json => json(&roles)?,
            };
            (text, roles.len())
        }
        ExportWhat::Audit => {
            return Err(ClientError::new(ErrorCode::Validation, "The audit log is read from the server, not the cache: export it from the Audit log view."));
        }
    };
    save(dir, &export_file_name(workspace.slug.as_str(), what, format, now), text, count)
}

/// At most this many audit entries go into one export (pages of 1,000 from the server).
pub const AUDIT_EXPORT_MAX: usize = 100_000;

/// Writes every audit entry of `ws` (slug `slug`) matching `search` into `dir`, newest first,
/// read page by page from the server; refuses, writing nothing, past [`AUDIT_EXPORT_MAX`]
/// entries (narrow the search).
pub async fn export_audit(api: &ApiClient, ws: WorkspaceId, slug: &str, search: &AuditSearch, format: ExportFormat, dir: &Path, now: DateTime<Utc>) -> Result<ExportResult> {
    let mut entries: Vec<AuditEntry> = Vec::new();
    let mut cursor = None;
    loop {
        let page = api.audit(ws, search, cursor, 1000).await?;
        entries.extend(page.items);
        if entries.len() > AUDIT_EXPORT_MAX {
            return Err(ClientError::new(
                ErrorCode::Validation,
                format!("More than {AUDIT_EXPORT_MAX} audit entries match; narrow the search (a shorter time range, an actor or a community) and export again."),
            ));
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let text = match format {
        ExportFormat::Csv => audit_csv(&entries)?,
        ExportFormat::Json => json(&entries)?,
    };
    save(dir, &export_file_name(slug, ExportWhat::Audit, format, now), text, entries.len())
}

/// Audit entries as CSV: one line each; the before and after states as JSON text.
pub fn audit_csv(entries: &[AuditEntry]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["id", "at", "actor_id", "action", "target_kind", "target_id", "request_id", "before", "after"]).map_err(csv_error)?;
    for e in entries {
        let state = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
        let (before, after) = (state(&e.before), state(&e.after));
        w.write_record([
            e.id.to_string().as_str(),
            e.at.to_rfc3339().as_str(),
            e.actor_id.map(|a| a.to_string()).unwrap_or_default().as_str(),
            e.action.as_str(),
            e.target_kind.as_str(),
            cell(&e.target_id).as_ref(),
            e.request_id.as_str(),
            cell(&before).as_ref(),
            cell(&after).as_ref(),
        ])
        .map_err(csv_error)?;
    }
    finish(w)
}

/// Writes `text` to `dir/name` beside and renames it into place: whole or absent, never half-written.
fn save(dir: &Path, name: &str, text: String, count: usize) -> Result<ExportResult> {
    let path = dir.join(name);
    let part = path.with_extension("part");
    std::fs::create_dir_all(dir)
        .and_then(|_| std::fs::write(&part, text))
        .and_then(|_| std::fs::rename(&part, &path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&part);
            ClientError::new(ErrorCode::Internal, format!("The export could not be saved in {} ({e}). Check that the folder is writable.", dir.display()))
        })?;
    Ok(ExportResult { path: path.display().to_string(), count: u32::try_from(count).unwrap_or(u32::MAX) })
}

// ---------- compare ----------

/// Someone found on one side only.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OneSide {
    pub email: String,
    pub display_name: String,
    pub workspace_role: WorkspaceRole,
    pub pending: bool,
}

/// Someone on both sides whose roles differ. Roles read `Role in Community`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    pub email: String,
    pub display_name: String,
    pub left_workspace_role: WorkspaceRole,
    pub right_workspace_role: WorkspaceRole,
    /// Held on the left only.
    pub only_left: Vec<String>,
    /// Held on the right only.
    pub only_right: Vec<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub only_left: Vec<OneSide>,
    pub only_right: Vec<OneSide>,
    pub differing: Vec<Difference>,
    /// On both sides with the same workspace role and the same community roles.
    pub same: u32,
}

fn key(email: &str) -> String {
    email.trim().to_lowercase()
}

fn labels(p: &Person) -> BTreeSet<String> {
    p.roles.iter().map(|r| format!("{} in {}", r.role, r.community)).collect()
}

fn one(p: &Person) -> OneSide {
    OneSide { email: p.email.clone(), display_name: p.display_name.clone(), workspace_role: p.workspace_role, pending: p.pending }
}

/// Who is in one workspace and not the other (matched by email, case-insensitively), and where the
/// roles of people in both differ (community roles matched by community and role name, so two
/// servers' workspaces compare).
pub fn compare(left: &[Person], right: &[Person]) -> Comparison {
    let l: BTreeMap<String, &Person> = left.iter().map(|p| (key(&p.email), p)).collect();
    let r: BTreeMap<String, &Person> = right.iter().map(|p| (key(&p.email), p)).collect();
    let mut out = Comparison::default();
    for (k, p) in &l {
        match r.get(k) {
            None => out.only_left.push(one(p)),
            Some(q) => {
                let (a, b) = (labels(p), labels(q));
                if a == b && p.workspace_role == q.workspace_role {
                    out.same += 1;
                } else {
                    out.differing.push(Difference {
                        email: p.email.clone(),
                        display_name: if p.display_name.is_empty() { q.display_name.clone() } else { p.display_name.clone() },
                        left_workspace_role: p.workspace_role,
                        right_workspace_role: q.workspace_role,
                        only_left: a.difference(&b).cloned().collect(),
                        only_right: b.difference(&a).cloned().collect(),
                    });
                }
            }
        }
    }
    out.only_right = r.iter().filter(|(k, _)| !l.contains_key(*k)).map(|(_, p)| one(p)).collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_files_are_named_for_workspace_content_and_time() {
        let at = DateTime::parse_from_rfc3339("2026-12-01T09:05:07Z").unwrap().with_timezone(&Utc);
        assert_eq!(export_file_name("acme", ExportWhat::Members, ExportFormat::Csv, at), "tenantry-acme-members-20261201-090507.csv");
        assert_eq!(export_file_name("acme", ExportWhat::Roles, ExportFormat::Json, at), "tenantry-acme-roles-20261201-090507.json");
    }

    fn person(email: &str, ws_role: WorkspaceRole, roles: &[(&str, &str)]) -> Person {
        Person {
            email: email.into(),
            display_name: email.split('@').next().unwrap().into(),
            workspace_role: ws_role,
            pending: false,
            two_factor_enabled: true,
            since: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            roles: roles
                .iter()
                .map(|(c, r)| NamedRole { community: (*c).into(), role: (*r).into(), assignment_type: AssignmentType::Dedicated })
                .collect(),
        }
    }

    #[test]
    fn compare_finds_one_sided_people_and_role_differences() {
        use WorkspaceRole::*;
        let left = vec![
            person("ann@x.test", Member, &[("Acme", "Analyst")]),
            person("Bob@x.test", Admin, &[]),
            person("cy@x.test", Member, &[("Acme", "Analyst"), ("Bolt", "Guest")]),
        ];
        let right = vec![
            person("bob@X.test", Admin, &[]),
            person("cy@x.test", Member, &[("Acme", "Admin"), ("Bolt", "Guest")]),
            person("dee@x.test", Member, &[]),
        ];
        let c = compare(&left, &right);
        assert_eq!(c.only_left.iter().map(|p| p.email.as_str()).collect::<Vec<_>>(), ["ann@x.test"]);
        assert_eq!(c.only_right.iter().map(|p| p.email.as_str()).collect::<Vec<_>>(), ["dee@x.test"]);
        assert_eq!(c.same, 1, "bob matches case-insensitively with the same roles");
        assert_eq!(c.differing.len(), 1);
        assert_eq!(c.differing[0].only_left, ["Analyst in Acme"]);
        assert_eq!(c.differing[0].only_right, ["Admin in Acme"]);
        // Swapping sides swaps the answer.
        let s = compare(&right, &left);
        assert_eq!(s.only_left[0].email, "dee@x.test");
        assert_eq!(s.differing[0].only_left, ["Admin in Acme"]);
    }

    #[test]
    fn a_workspace_role_change_alone_is_a_difference() {
        let c = compare(&[person("a@x.test", WorkspaceRole::Member, &[])], &[person("a@x.test", WorkspaceRole::Owner, &[])]);
        assert_eq!(c.same, 0);
        assert_eq!(c.differing[0].right_workspace_role, WorkspaceRole::Owner);
        assert!(c.differing[0].only_left.is_empty() && c.differing[0].only_right.is_empty());
    }

    #[test]
    fn members_csv_has_a_line_per_role_and_one_for_people_without() {
        let people = vec![
            person("a@x.test", WorkspaceRole::Owner, &[]),
            person("b@x.test", WorkspaceRole::Member, &[("Acme, Inc.", "Analyst"), ("Bolt", "Guest")]),
        ];
        let text = members_csv(&people).unwrap();
        let mut rd = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(&rows[0][0], "a@x.test");
        assert_eq!(&rows[0][2], "owner");
        assert_eq!(&rows[0][6], "");
        assert_eq!(&rows[1][6], "Acme, Inc.", "a comma in a name survives quoting");
        assert_eq!(&rows[2][7], "Guest");
        assert_eq!(&rows[2][8], "dedicated");
    }

    #[test]
    fn csv_cells_that_spreadsheets_would_run_stay_text() {
        let mut p = person("a@x.test", WorkspaceRole::Member, &[("=cmd|' /C calc'!A0", "@SUM(1)")]);
        p.display_name = "=HYPERLINK(\"http://evil.example\")".into();
        let text = members_csv(&[p]).unwrap();
        let row = csv::Reader::from_reader(text.as_bytes()).records().next().unwrap().unwrap();
        assert_eq!(&row[1], "'=HYPERLINK(\"http://evil.example\")");
        assert_eq!(&row[6], "'=cmd|' /C calc'!A0");
        assert_eq!(&row[7], "'@SUM(1)");
        assert_eq!(&row[0], "a@x.test", "ordinary cells are untouched");
    }
}
