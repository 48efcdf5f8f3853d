//! Reports built from the cache: exports of a workspace's members and roles (CSV and JSON), and
//! the comparison of two workspaces' people (possibly on two servers, through two accounts).
//!
//! Everything here reads through the cache's public queries, page by page, so it answers offline
//! and never holds more than the people of the workspaces it was asked about.

use crate::account_ref::AccountKey;
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
    /// Members, roles, audit entries or people compared, written.
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

/// Says again what each entry did where the entry leaves ids unnamed (entries written before the
/// server kept names), with the names the cache has now: the names an entry kept (as they were
/// then) always come first. Entries the entry itself names whole are left as the server said.
pub async fn describe_audit(cache: &Cache, ws: WorkspaceId, entries: &mut [AuditEntry]) -> Result<()> {
    let unnamed = |e: &AuditEntry| -> Vec<String> {
        let actor = e.actor_id.map(|a| a.to_string());
        tenancy::audit_words::referenced_ids(actor.as_deref(), e.action, &e.target_id, e.before.as_ref(), e.after.as_ref(), None)
            .into_iter()
            .filter(|id| !e.names.contains_key(id))
            .collect()
    };
    let missing: BTreeSet<String> = entries.iter().flat_map(unnamed).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut known: HashMap<String, String> = HashMap::new();
    known.extend(cache.communities(ws, None).await?.into_iter().map(|c| (c.id.to_string(), c.name.to_string())));
    known.extend(cache.roles(ws).await?.into_iter().map(|r| (r.id.to_string(), r.name.to_string())));
    for id in &missing {
        if known.contains_key(id) {
            continue;
        }
        if let Ok(user) = id.parse::<tenancy::UserId>() {
            if let Some(d) = cache.member(ws, user).await? {
                known.insert(id.clone(), tenancy::audit_words::person(&d.member.display_name, d.member.email.as_str()));
            }
        }
    }
    for e in entries.iter_mut().filter(|e| !unnamed(e).is_empty()) {
        e.summary = tenancy::audit_words::describe(e, &|id| known.get(id).cloned());
    }
    Ok(())
}

/// Audit entries as CSV: one line each; what happened in words (the server's summary), the
/// before and after states and the names the entry kept as JSON text.
pub fn audit_csv(entries: &[AuditEntry]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["id", "at", "actor_id", "action", "summary", "target_kind", "target_id", "request_id", "before", "after", "names"]).map_err(csv_error)?;
    for e in entries {
        let state = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
        let (before, after) = (state(&e.before), state(&e.after));
        let names = if e.names.is_empty() { String::new() } else { serde_json::to_string(&e.names).unwrap_or_default() };
        w.write_record([
            e.id.to_string().as_str(),
            e.at.to_rfc3339().as_str(),
            e.actor_id.map(|a| a.to_string()).unwrap_or_default().as_str(),
            e.action.as_str(),
            cell(&e.summary).as_ref(),
            e.target_kind.as_str(),
            cell(&e.target_id).as_ref(),
            e.request_id.as_str(),
            cell(&before).as_ref(),
            cell(&after).as_ref(),
            cell(&names).as_ref(),
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

/// One side of a comparison: an open account, one of its workspaces, and the communities to
/// compare (empty: the whole workspace). Not a [`crate::prefs::PaneRef`], which is saved in the
/// preferences: a selection of communities is not.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareSide {
    pub account: AccountKey,
    pub workspace_id: WorkspaceId,
    /// Only people holding a role in one of these, and only their roles in them; empty: everyone.
    pub communities: Vec<CommunityId>,
}

/// Where a person stands in a comparison.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompareStatus {
    /// Found on the left side only.
    OnlyLeft,
    /// Found on the right side only.
    OnlyRight,
    /// On both sides, with a different workspace role or different community roles.
    Differ,
    /// On both sides with the same workspace role and the same community roles.
    Same,
}

impl CompareStatus {
    fn word(self) -> &'static str {
        match self {
            CompareStatus::OnlyLeft => "only_left",
            CompareStatus::OnlyRight => "only_right",
            CompareStatus::Differ => "differ",
            CompareStatus::Same => "same",
        }
    }
}

/// What one side says of a person. Roles read `Role in Community`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SideRoles {
    pub workspace_role: WorkspaceRole,
    /// Invited, not yet a member.
    pub pending: bool,
    /// The community roles compared (in the side's selected communities when it has some),
    /// ordered by community, then role.
    pub roles: Vec<String>,
}

/// One person of a comparison: what each side says, and how they differ.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareRow {
    pub email: String,
    pub display_name: String,
    pub status: CompareStatus,
    /// Absent when the person is not on the left.
    pub left: Option<SideRoles>,
    /// Absent when the person is not on the right.
    pub right: Option<SideRoles>,
    /// Held on the left only (empty unless on both sides).
    pub only_left: Vec<String>,
    /// Held on the right only (empty unless on both sides).
    pub only_right: Vec<String>,
}

/// Two sides' people compared: one row per person (by email), and how many of each status.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// Everyone on either side, ordered by email (case-insensitively).
    pub rows: Vec<CompareRow>,
    pub only_left: u32,
    pub only_right: u32,
    pub differing: u32,
    pub same: u32,
    /// The names of the left side's selected communities (empty: the whole workspace).
    pub left_communities: Vec<String>,
    /// The names of the right side's selected communities (empty: the whole workspace).
    pub right_communities: Vec<String>,
}

fn key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A person's community roles as labels, in their roles' order (community, then role), once each.
fn labels(p: &Person) -> Vec<String> {
    let mut seen = BTreeSet::new();
    p.roles.iter().map(|r| format!("{} in {}", r.role, r.community)).filter(|l| seen.insert(l.clone())).collect()
}

fn side(p: &Person) -> SideRoles {
    SideRoles { workspace_role: p.workspace_role, pending: p.pending, roles: labels(p) }
}

/// Who is in one side and not the other (matched by email, case-insensitively), and where the
/// roles of people in both differ (community roles matched by community and role name, so two
/// servers' workspaces compare). Each side is as [`people`] read it: narrowed to its selected
/// communities, if any. The community names are left for the caller to fill in.
pub fn compare(left: &[Person], right: &[Person]) -> Comparison {
    let l: BTreeMap<String, &Person> = left.iter().map(|p| (key(&p.email), p)).collect();
    let r: BTreeMap<String, &Person> = right.iter().map(|p| (key(&p.email), p)).collect();
    let keys: BTreeSet<&String> = l.keys().chain(r.keys()).collect();
    let mut out = Comparison::default();
    for k in keys {
        let row = match (l.get(k), r.get(k)) {
            (Some(p), None) => CompareRow {
                email: p.email.clone(),
                display_name: p.display_name.clone(),
                status: CompareStatus::OnlyLeft,
                left: Some(side(p)),
                right: None,
                only_left: vec![],
                only_right: vec![],
            },
            (None, Some(q)) => CompareRow {
                email: q.email.clone(),
                display_name: q.display_name.clone(),
                status: CompareStatus::OnlyRight,
                left: None,
                right: Some(side(q)),
                only_left: vec![],
                only_right: vec![],
            },
            (Some(p), Some(q)) => {
                let (a, b) = (side(p), side(q));
                let (sa, sb): (BTreeSet<&String>, BTreeSet<&String>) = (a.roles.iter().collect(), b.roles.iter().collect());
                let only_left: Vec<String> = a.roles.iter().filter(|x| !sb.contains(x)).cloned().collect();
                let only_right: Vec<String> = b.roles.iter().filter(|x| !sa.contains(x)).cloned().collect();
                let same = only_left.is_empty() && only_right.is_empty() && p.workspace_role == q.workspace_role;
                CompareRow {
                    email: p.email.clone(),
                    display_name: if p.display_name.is_empty() { q.display_name.clone() } else { p.display_name.clone() },
                    status: if same { CompareStatus::Same } else { CompareStatus::Differ },
                    left: Some(a),
                    right: Some(b),
                    only_left,
                    only_right,
                }
            }
            (None, None) => unreachable!("every key comes from one side"),
        };
        match row.status {
            CompareStatus::OnlyLeft => out.only_left += 1,
            CompareStatus::OnlyRight => out.only_right += 1,
            CompareStatus::Differ => out.differing += 1,
            CompareStatus::Same => out.same += 1,
        }
        out.rows.push(row);
    }
    out
}

/// The names of `ids` in `ws`, in natural order (an id the cache does not know stays an id).
async fn community_names(cache: &Cache, ws: WorkspaceId, ids: &[CommunityId]) -> Result<Vec<String>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let names: HashMap<CommunityId, String> = cache.communities(ws, None).await?.into_iter().map(|c| (c.id, c.name.to_string())).collect();
    let wanted: BTreeSet<CommunityId> = ids.iter().copied().collect();
    let mut out: Vec<String> = wanted.iter().map(|id| names.get(id).cloned().unwrap_or_else(|| id.to_string())).collect();
    out.sort_by(|a, b| tenancy::order::natural_cmp(a, b));
    Ok(out)
}

/// Compares two sides, each read from its own account's cache (so offline too): `left` in
/// `left_cache`, `right` in `right_cache`, each narrowed to its selected communities.
pub async fn compare_sides(left_cache: &Cache, left: &CompareSide, right_cache: &Cache, right: &CompareSide, now: DateTime<Utc>) -> Result<Comparison> {
    let l = people(left_cache, left.workspace_id, &left.communities, now).await?;
    let r = people(right_cache, right.workspace_id, &right.communities, now).await?;
    let mut out = compare(&l, &r);
    out.left_communities = community_names(left_cache, left.workspace_id, &left.communities).await?;
    out.right_communities = community_names(right_cache, right.workspace_id, &right.communities).await?;
    Ok(out)
}

/// A comparison as CSV: one line per person (every status, `same` too); each side's roles joined
/// with `; `, empty when the person is not on that side.
pub fn comparison_csv(c: &Comparison) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "email",
        "display_name",
        "status",
        "left_workspace_role",
        "left_pending",
        "left_roles",
        "right_workspace_role",
        "right_pending",
        "right_roles",
        "only_left",
        "only_right",
    ])
    .map_err(csv_error)?;
    let yes = |b: bool| if b { "yes" } else { "no" };
    for row in &c.rows {
        let s = |x: &Option<SideRoles>| match x {
            Some(x) => (lower(&x.workspace_role), yes(x.pending).to_owned(), x.roles.join("; ")),
            None => (String::new(), String::new(), String::new()),
        };
        let (lw, lp, lr) = s(&row.left);
        let (rw, rp, rr) = s(&row.right);
        let (ol, or) = (row.only_left.join("; "), row.only_right.join("; "));
        w.write_record([
            cell(&row.email).as_ref(),
            cell(&row.display_name).as_ref(),
            row.status.word(),
            lw.as_str(),
            lp.as_str(),
            cell(&lr).as_ref(),
            rw.as_str(),
            rp.as_str(),
            cell(&rr).as_ref(),
            cell(&ol).as_ref(),
            cell(&or).as_ref(),
        ])
        .map_err(csv_error)?;
    }
    finish(w)
}

async fn workspace_slug(cache: &Cache, ws: WorkspaceId) -> Result<String> {
    cache
        .workspace(ws)
        .await?
        .map(|w| w.slug.to_string())
        .ok_or_else(|| ClientError::new(ErrorCode::NotFound, "This workspace is not in the cache; sync and try again."))
}

/// The file a comparison of `left` with `right` (slugs) made at `at` is written to:
/// `tenantry-compare-<left>-vs-<right>-<time>.<ext>`.
pub fn compare_file_name(left: &str, right: &str, format: ExportFormat, at: DateTime<Utc>) -> String {
    format!("tenantry-compare-{left}-vs-{right}-{}.{}", at.format("%Y%m%d-%H%M%S"), format.extension())
}

/// Writes the whole comparison of two sides (every person, whatever the UI's filters show) into
/// `dir`, from the caches, and says where and how many people. JSON holds the [`Comparison`] as
/// the compare command answers it; CSV one line per person ([`comparison_csv`]).
#[allow(clippy::too_many_arguments)]
pub async fn export_comparison(
    left_cache: &Cache,
    left: &CompareSide,
    right_cache: &Cache,
    right: &CompareSide,
    format: ExportFormat,
    dir: &Path,
    now: DateTime<Utc>,
) -> Result<ExportResult> {
    let (ls, rs) = (workspace_slug(left_cache, left.workspace_id).await?, workspace_slug(right_cache, right.workspace_id).await?);
    let c = compare_sides(left_cache, left, right_cache, right, now).await?;
    let text = match format {
        ExportFormat::Csv => comparison_csv(&c)?,
        ExportFormat::Json => json(&c)?,
    };
    save(dir, &compare_file_name(&ls, &rs, format, now), text, c.rows.len())
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

    fn row<'a>(c: &'a Comparison, email: &str) -> &'a CompareRow {
        c.rows.iter().find(|r| r.email.eq_ignore_ascii_case(email)).unwrap_or_else(|| panic!("no row for {email}"))
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
        let statuses: Vec<(&str, CompareStatus)> = c.rows.iter().map(|r| (r.email.as_str(), r.status)).collect();
        assert_eq!(
            statuses,
            [("ann@x.test", CompareStatus::OnlyLeft), ("Bob@x.test", CompareStatus::Same), ("cy@x.test", CompareStatus::Differ), ("dee@x.test", CompareStatus::OnlyRight)],
            "one row per person, ordered by email; bob matches case-insensitively with the same roles"
        );
        assert_eq!((c.only_left, c.only_right, c.differing, c.same), (1, 1, 1, 1));
        let cy = row(&c, "cy@x.test");
        assert_eq!(cy.only_left, ["Analyst in Acme"]);
        assert_eq!(cy.only_right, ["Admin in Acme"]);
        assert_eq!(cy.left.as_ref().unwrap().roles, ["Analyst in Acme", "Guest in Bolt"], "each side's roles in full");
        assert_eq!(cy.right.as_ref().unwrap().roles, ["Admin in Acme", "Guest in Bolt"]);
        assert!(row(&c, "ann@x.test").right.is_none() && row(&c, "dee@x.test").left.is_none());
        // Swapping sides swaps the answer.
        let s = compare(&right, &left);
        assert_eq!(row(&s, "dee@x.test").status, CompareStatus::OnlyLeft);
        assert_eq!(row(&s, "cy@x.test").only_left, ["Admin in Acme"]);
    }

    #[test]
    fn a_workspace_role_change_alone_is_a_difference() {
        let c = compare(&[person("a@x.test", WorkspaceRole::Member, &[])], &[person("a@x.test", WorkspaceRole::Owner, &[])]);
        assert_eq!((c.same, c.differing), (0, 1));
        let r = &c.rows[0];
        assert_eq!(r.status, CompareStatus::Differ);
        assert_eq!(r.right.as_ref().unwrap().workspace_role, WorkspaceRole::Owner);
        assert!(r.only_left.is_empty() && r.only_right.is_empty());
    }

    #[test]
    fn comparison_csv_has_one_well_formed_line_per_person_of_every_status() {
        use WorkspaceRole::*;
        let mut evil = person("eve@x.test", Member, &[("=cmd|' /C calc'!A0", "Analyst")]);
        evil.display_name = "=HYPERLINK(\"http://evil.example\")".into();
        let left = vec![
            person("ann@x.test", Member, &[("Acme, Inc.", "Analyst"), ("Bolt", "Guest")]),
            person("bob@x.test", Admin, &[]),
            evil,
        ];
        let right = vec![person("ann@x.test", Member, &[("Acme, Inc.", "Admin"), ("Bolt", "Guest")]), person("bob@x.test", Admin, &[]), person("dee@x.test", Owner, &[])];
        let text = comparison_csv(&compare(&left, &right)).unwrap();
        let mut rd = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(&rd.headers().unwrap()[2], "status");
        let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 4, "same rows are exported too");
        let by = |e: &str| rows.iter().find(|r| &r[0] == e).unwrap();
        let ann = by("ann@x.test");
        assert_eq!((&ann[2], &ann[3], &ann[6]), ("differ", "member", "member"));
        assert_eq!(&ann[5], "Analyst in Acme, Inc.; Guest in Bolt", "a comma in a name survives quoting");
        assert_eq!((&ann[9], &ann[10]), ("Analyst in Acme, Inc.", "Admin in Acme, Inc."));
        assert_eq!(&by("bob@x.test")[2], "same");
        let dee = by("dee@x.test");
        assert_eq!((&dee[2], &dee[3], &dee[4], &dee[6]), ("only_right", "", "", "owner"));
        let eve = by("eve@x.test");
        assert_eq!(&eve[1], "'=HYPERLINK(\"http://evil.example\")", "a formula stays text");
        assert_eq!(&eve[5], "Analyst in =cmd|' /C calc'!A0", "mid-cell text is left alone");
        assert_eq!(&eve[2], "only_left");
    }

    #[test]
    fn compare_files_name_both_workspaces() {
        let at = DateTime::parse_from_rfc3339("2026-12-01T09:05:07Z").unwrap().with_timezone(&Utc);
        assert_eq!(compare_file_name("acme", "globex", ExportFormat::Csv, at), "tenantry-compare-acme-vs-globex-20261201-090507.csv");
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
