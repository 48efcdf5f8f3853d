//! Inviting many people from a paste: `email[,workspace_role][,community][,role]` per line, as
//! CSV, tab-separated text from a spreadsheet, or `;`-separated European CSV. The paste is
//! checked whole against the cache (addresses, community and role names, duplicates, people
//! already in or invited, plan seats) into one preview row per line, so nothing is sent while a
//! line has a mistake; then the invitations go to the server one after another, each with its
//! own outcome.

use crate::error::{ClientError, Result};
use crate::http::ApiClient;
use crate::Cache;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use tenancy::wire::{AssignmentSpec, Community, CreateInvitation, Invitation, InvitationStatus, Role};
use tenancy::{AssignmentType, Email, Plan, WorkspaceId, WorkspaceRole};

/// One line of the paste: the invitation it would create, or every reason it cannot.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteRow {
    /// The line number in the paste (1-based, header and blank lines counted), as the user sees it.
    pub row: u32,
    /// The line as pasted, to keep only some lines later.
    pub line: String,
    /// The address as typed (trimmed), shown even when it is not one.
    pub email: String,
    /// The invitation this line creates; `None` when it has problems.
    pub invitation: Option<CreateInvitation>,
    /// "Analyst in Acme", for the preview; `None` without a community role.
    pub grant: Option<String>,
    /// Complete sentences, "row 3: …".
    pub problems: Vec<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitePreview {
    /// The first line, when it was a header (and so skipped).
    pub header: Option<String>,
    pub rows: Vec<InviteRow>,
    /// Lines that would be sent (all of them only when `problems` is 0).
    pub valid: u32,
    /// Problems over all lines.
    pub problems: u32,
    /// Member seats left on the plan (members and pending invitations count); `None` unlimited.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub seats_left: Option<i64>,
    pub plan: Plan,
}

/// What a paste is checked against.
#[derive(Clone, Debug)]
pub struct InviteContext {
    pub communities: Vec<Community>,
    pub roles: Vec<Role>,
    /// Lower-cased addresses of current members (of those in the paste, at least).
    pub members: HashSet<String>,
    /// Lower-cased addresses with a pending invitation.
    pub invited: HashSet<String>,
    pub seats_left: Option<i64>,
    pub plan: Plan,
    /// How the pasted community roles are assigned.
    pub assignment_type: AssignmentType,
}

const HEADER_WORDS: [&str; 13] =
    ["email", "e-mail", "mail", "email address", "address", "workspace_role", "workspace role", "role", "community", "community_role", "community role", "tenant", "client"];

/// Tab when the paste has tabs (from a spreadsheet), else `;` when its first line uses it and no
/// comma, else `,`.
pub fn separator_of(text: &str) -> char {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
    if first.contains('\t') {
        '\t'
    } else if first.contains(';') && !first.contains(',') {
        ';'
    } else {
        ','
    }
}

/// The cells of one line, trimmed. Double quotes protect separators inside a cell
/// (`"Acme, Inc."`, spaces before the quote allowed, as spreadsheets paste them), and `""`
/// inside quotes is one quote.
pub fn split_line(line: &str, sep: char) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    cur.push('"');
                    chars.next();
                }
                '"' => quoted = false,
                _ => cur.push(c),
            }
        } else if c == '"' && cur.trim().is_empty() {
            quoted = true;
            cur.clear();
        } else if c == sep {
            cells.push(cur.trim().to_owned());
            cur.clear();
        } else {
            cur.push(c);
        }
    }
    cells.push(cur.trim().to_owned());
    cells
}

/// A header is a first line whose first cell is a column name, not an address.
fn is_header(cells: &[String]) -> bool {
    let first = cells.first().map(|c| c.to_lowercase()).unwrap_or_default();
    !first.contains('@') && HEADER_WORDS.contains(&first.as_str())
}

/// Every valid address in the paste's first column, lower-cased, once each: who to look up.
pub fn emails_in(text: &str) -> Vec<Email> {
    let sep = separator_of(text);
    let mut seen = HashSet::new();
    text.lines()
        .filter_map(|l| Email::parse(split_line(l, sep).first()?).ok())
        .filter(|e| seen.insert(e.clone()))
        .collect()
}

fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

/// A community by slug first (unique by construction), then by name; `Err(true)` when several
/// share the name, `Err(false)` when none has it.
fn find_community<'a>(communities: &'a [Community], key: &str) -> std::result::Result<&'a Community, bool> {
    let k = norm(key);
    if let Some(c) = communities.iter().find(|c| c.slug.as_str() == k) {
        return Ok(c);
    }
    let named: Vec<_> = communities.iter().filter(|c| c.name.as_str().to_lowercase() == k).collect();
    match named.as_slice() {
        [one] => Ok(one),
        [] => Err(false),
        _ => Err(true),
    }
}

/// A role by name ("Analyst"), or a built-in one by its key ("analyst"), either case.
fn find_role<'a>(roles: &'a [Role], key: &str) -> Option<&'a Role> {
    let k = norm(key);
    roles
        .iter()
        .find(|r| r.name.as_str().to_lowercase() == k)
        .or_else(|| roles.iter().find(|r| r.builtin.is_some_and(|b| b.name().to_lowercase() == k)))
}

/// One preview row per non-blank line of `text` (a header line skipped).
pub fn preview(text: &str, ctx: &InviteContext) -> InvitePreview {
    let sep = separator_of(text);
    let mut header = None;
    let mut rows = Vec::new();
    // address → the first row it appeared on
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut seats_used: i64 = 0;
    let mut first_line = true;
    for (i, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let row = i as u32 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let cells = split_line(line, sep);
        if std::mem::take(&mut first_line) && is_header(&cells) {
            header = Some(line.to_owned());
            continue;
        }
        let cell = |n: usize| cells.get(n).map(String::as_str).unwrap_or_default();
        let at = format!("row {row}:");
        let mut problems = Vec::new();
        let email_cell = cell(0);
        let parsed = Email::parse(email_cell);
        match &parsed {
            Err(_) => problems.push(format!("{at} “{email_cell}” is not an email address; write it as name@domain.example.")),
            Ok(e) => {
                let key = e.as_str().to_owned();
                if let Some(first) = seen.get(&key) {
                    problems.push(format!("{at} {key} is already on row {first}; keep one row per person."));
                } else if ctx.members.contains(&key) {
                    problems.push(format!("{at} {key} is already a member of this workspace; change their roles instead."));
                } else if ctx.invited.contains(&key) {
                    problems.push(format!("{at} {key} already has a pending invitation; revoke it first to send a new one."));
                }
                seen.entry(key).or_insert(row);
            }
        }

        let mut workspace_role = WorkspaceRole::Member;
        if !cell(1).is_empty() {
            match norm(cell(1)).parse::<WorkspaceRole>() {
                Ok(r) => workspace_role = r,
                Err(_) => problems.push(format!("{at} “{}” is not a workspace role; use member, admin or owner (or leave it empty for member).", cell(1))),
            }
        }

        let mut grant = None;
        let mut assignments = Vec::new();
        let (community_cell, role_cell) = (cell(2), cell(3));
        if !community_cell.is_empty() || !role_cell.is_empty() {
            if community_cell.is_empty() || role_cell.is_empty() {
                problems.push(format!("{at} give both a community and a community role, or neither."));
            } else {
                let community = find_community(&ctx.communities, community_cell);
                let role = find_role(&ctx.roles, role_cell);
                match community {
                    Err(true) => problems.push(format!("{at} several communities are named “{community_cell}”; use the community's slug instead.")),
                    Err(false) => problems.push(format!("{at} no community named “{community_cell}” in this workspace.")),
                    Ok(_) => {}
                }
                if role.is_none() {
                    problems.push(format!("{at} no role named “{role_cell}” in this workspace."));
                }
                if let (Ok(c), Some(r)) = (community, role) {
                    assignments.push(AssignmentSpec { community_id: c.id, role_id: r.id, assignment_type: ctx.assignment_type });
                    grant = Some(format!("{} in {}", r.name, c.name));
                }
            }
        }
        if cells.iter().skip(4).any(|c| !c.is_empty()) {
            problems.push(format!("{at} too many columns; expected email, workspace role, community, role."));
        }

        // Only lines that would be sent take a seat, in the order they appear.
        if let (true, Some(left)) = (problems.is_empty(), ctx.seats_left) {
            if seats_used >= left {
                problems.push(format!(
                    "{at} no seat left on the {} plan ({} left for members and pending invitations); remove rows or change the plan.",
                    ctx.plan.as_str(),
                    left.max(0)
                ));
            } else {
                seats_used += 1;
            }
        }

        let invitation = match (&parsed, problems.is_empty()) {
            (Ok(email), true) => Some(CreateInvitation { email: email.clone(), workspace_role, assignments }),
            _ => None,
        };
        rows.push(InviteRow { row, line: line.to_owned(), email: email_cell.to_owned(), invitation, grant, problems });
    }
    let problems = rows.iter().map(|r| r.problems.len() as u32).sum();
    let valid = rows.iter().filter(|r| r.invitation.is_some()).count() as u32;
    InvitePreview { header, rows, valid, problems, seats_left: ctx.seats_left, plan: ctx.plan }
}

/// The preview of a paste into workspace `ws`, checked against what the cache holds (so it
/// answers offline too; the server checks every invitation again when it is sent).
pub async fn preview_in(cache: &Cache, ws: WorkspaceId, text: &str, assignment_type: AssignmentType, now: DateTime<Utc>) -> Result<InvitePreview> {
    // Seats left count the whole workspace: known to those who see it whole; for a community
    // admin the server says when the plan is full.
    let (plan, seats_left) = match cache.usage(ws, now).await {
        Ok(u) => (u.plan, u.limits.max_members.map(|max| i64::from(max) - i64::from(u.members) - i64::from(u.pending_invitations))),
        Err(e) if e.code == crate::error::ErrorCode::Forbidden => {
            let w = cache.workspace(ws).await?.ok_or_else(|| crate::error::ClientError::new(crate::error::ErrorCode::NotFound, "That workspace is not in this account's cache; sync, or pick another workspace."))?;
            (w.plan, None)
        }
        Err(e) => return Err(e),
    };
    let emails = emails_in(text);
    let ctx = InviteContext {
        communities: cache.communities(ws, None).await?,
        roles: cache.roles(ws).await?,
        members: cache.member_emails(ws, &emails).await?,
        invited: cache
            .invitations(ws)
            .await?
            .into_iter()
            .filter(|i| i.status == InvitationStatus::Pending && i.expires_at > now)
            .map(|i| i.email.to_string())
            .collect(),
        seats_left,
        plan,
        assignment_type,
    };
    Ok(preview(text, &ctx))
}

/// How one invitation of a batch went.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteOutcome {
    pub email: Email,
    /// The invitation made, when the server accepted it.
    pub invitation: Option<Invitation>,
    /// Why the server refused it, in its words.
    pub error: Option<ClientError>,
}

/// Sends `invitations` one after another (so a refusal stays with its own address and the rest
/// still go), telling `progress` how many are done after each.
pub async fn send(api: &ApiClient, ws: WorkspaceId, invitations: &[CreateInvitation], mut progress: impl FnMut(usize, usize)) -> Vec<InviteOutcome> {
    let mut out = Vec::with_capacity(invitations.len());
    for req in invitations {
        let outcome = match api.invite(ws, req).await {
            Ok(inv) => InviteOutcome { email: req.email.clone(), invitation: Some(inv), error: None },
            Err(e) => InviteOutcome { email: req.email.clone(), invitation: None, error: Some(e) },
        };
        out.push(outcome);
        progress(out.len(), invitations.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenancy::{BuiltinRole, CommunityId, Name, Region, RoleId, RoleKind, Slug, Timezone};

    fn community(id: u128, name: &str, slug: &str) -> Community {
        Community {
            id: CommunityId::from_u128(id),
            workspace_id: WorkspaceId::from_u128(1),
            slug: Slug::parse(slug).unwrap(),
            name: Name::parse(name).unwrap(),
            settings: Some(tenancy::wire::CommunitySettings { timezone: Timezone::parse("UTC").unwrap(), contact_email: None, region: Region::EuWest, portal: Default::default() }),
            created_at: Utc::now(),
            version: 1,
        }
    }

    fn role(id: u128, name: &str, builtin: Option<BuiltinRole>) -> Role {
        Role {
            id: RoleId::from_u128(id),
            workspace_id: WorkspaceId::from_u128(1),
            name: Name::parse(name).unwrap(),
            kind: if builtin.is_some() { RoleKind::Builtin } else { RoleKind::Custom },
            builtin,
            description: String::new(),
            permissions: vec![],
            intake_scope: vec![],
            created_at: Utc::now(),
            version: 1,
        }
    }

    const ACME: u128 = 10;
    const GLOBEX: u128 = 11;
    const ANALYST: u128 = 20;
    const GUEST: u128 = 21;
    const EDR: u128 = 22;

    fn ctx() -> InviteContext {
        InviteContext {
            communities: vec![community(ACME, "Acme Corp", "acme"), community(GLOBEX, "Globex", "globex")],
            roles: vec![role(ANALYST, "Analyst", Some(BuiltinRole::Analyst)), role(GUEST, "Guest", Some(BuiltinRole::Guest)), role(EDR, "EDR only", None)],
            members: HashSet::new(),
            invited: HashSet::new(),
            seats_left: None,
            plan: Plan::Pro,
            assignment_type: AssignmentType::Dedicated,
        }
    }

    fn spec(c: u128, r: u128, t: AssignmentType) -> AssignmentSpec {
        AssignmentSpec { community_id: CommunityId::from_u128(c), role_id: RoleId::from_u128(r), assignment_type: t }
    }

    fn problems(p: &InvitePreview) -> Vec<Vec<String>> {
        p.rows.iter().map(|r| r.problems.clone()).collect()
    }

    #[test]
    fn quotes_keep_separators_and_cells_are_trimmed() {
        assert_eq!(split_line(r#" a@x.test , admin ,"Acme, Inc." , "Say ""hi""""#, ','), vec!["a@x.test", "admin", "Acme, Inc.", r#"Say "hi""#]);
    }

    #[test]
    fn each_line_becomes_an_invitation_resolving_community_by_name_or_slug_and_role_by_name() {
        let mut c = ctx();
        c.communities = vec![community(ACME, "Acme Corp", "acme"), community(GLOBEX, "Globex Corp", "globex")];
        let p = preview("Ann@Example.test\nbob@example.test,admin\ncarl@example.test,,ACME,analyst\ndora@example.test,member,globex corp,guest\neve@example.test,Owner,Globex,edr ONLY", &c);
        assert_eq!((p.header.as_deref(), p.problems, p.valid), (None, 0, 5));
        let d = AssignmentType::Dedicated;
        let invs: Vec<_> = p.rows.iter().map(|r| r.invitation.clone().unwrap()).collect();
        assert_eq!(invs[0], CreateInvitation { email: Email::parse("ann@example.test").unwrap(), workspace_role: WorkspaceRole::Member, assignments: vec![] });
        assert_eq!(invs[1].workspace_role, WorkspaceRole::Admin);
        assert_eq!(invs[2].assignments, vec![spec(ACME, ANALYST, d)]);
        assert_eq!(invs[3].assignments, vec![spec(GLOBEX, GUEST, d)]);
        assert_eq!((invs[4].workspace_role, invs[4].assignments.clone()), (WorkspaceRole::Owner, vec![spec(GLOBEX, EDR, d)]));
        assert_eq!(p.rows[2].grant.as_deref(), Some("Analyst in Acme Corp"));
    }

    #[test]
    fn a_header_is_skipped_and_rows_are_numbered_as_lines_of_the_paste() {
        let p = preview("email,workspace_role,community,role\r\nann@example.test,admin,Acme Corp,Guest\n\nbob@", &ctx());
        assert_eq!(p.header.as_deref(), Some("email,workspace_role,community,role"));
        assert_eq!(p.rows.iter().map(|r| r.row).collect::<Vec<_>>(), vec![2, 4]);
        assert_eq!(p.rows[0].line, "ann@example.test,admin,Acme Corp,Guest");
        assert_eq!(p.rows[1].problems, vec!["row 4: “bob@” is not an email address; write it as name@domain.example."]);
        // A first line with an address is a row, not a header.
        let p = preview("ann@example.test,admin", &ctx());
        assert_eq!((p.header, p.rows.len()), (None, 1));
    }

    #[test]
    fn tab_separated_spreadsheet_pastes_and_semicolons_are_read() {
        assert_eq!(preview("ann@example.test\tadmin\tacme\tGuest", &ctx()).rows[0].invitation.as_ref().unwrap().assignments.len(), 1);
        assert_eq!(preview("ann@example.test;admin;acme;Guest", &ctx()).rows[0].invitation.as_ref().unwrap().workspace_role, WorkspaceRole::Admin);
    }

    #[test]
    fn unknown_names_and_half_given_community_roles_are_explained() {
        let text = ["a@example.test,,Initech,Analyst", "b@example.test,,Acme Corp,Janitor", "c@example.test,boss", "d@example.test,,Acme Corp", "e@example.test,,,Guest", "f@example.test,,acme,Guest,extra"].join("\n");
        let p = preview(&text, &ctx());
        assert_eq!(
            problems(&p),
            vec![
                vec!["row 1: no community named “Initech” in this workspace."],
                vec!["row 2: no role named “Janitor” in this workspace."],
                vec!["row 3: “boss” is not a workspace role; use member, admin or owner (or leave it empty for member)."],
                vec!["row 4: give both a community and a community role, or neither."],
                vec!["row 5: give both a community and a community role, or neither."],
                vec!["row 6: too many columns; expected email, workspace role, community, role."],
            ]
        );
        assert_eq!((p.valid, p.problems), (0, 6));
    }

    #[test]
    fn two_communities_of_one_name_ask_for_the_slug() {
        let mut c = ctx();
        c.communities = vec![community(1, "Twin", "twin-1"), community(2, "Twin", "twin-2")];
        let p = preview("a@example.test,,Twin,Guest\nb@example.test,,twin-2,Guest", &c);
        assert_eq!(p.rows[0].problems, vec!["row 1: several communities are named “Twin”; use the community's slug instead."]);
        assert_eq!(p.rows[1].invitation.as_ref().unwrap().assignments[0].community_id, CommunityId::from_u128(2));
    }

    #[test]
    fn duplicates_members_and_pending_invitations_are_flagged() {
        let p = preview("ann@example.test\nbob@example.test\nANN@example.test,admin", &ctx());
        assert_eq!(p.rows[2].problems, vec!["row 3: ann@example.test is already on row 1; keep one row per person."]);
        assert!(p.rows[0].problems.is_empty());
        let mut c = ctx();
        c.members.insert("ann@example.test".into());
        c.invited.insert("bob@example.test".into());
        let p = preview("ann@example.test\nbob@example.test\ncarl@example.test", &c);
        assert_eq!(
            problems(&p),
            vec![
                vec!["row 1: ann@example.test is already a member of this workspace; change their roles instead.".to_owned()],
                vec!["row 2: bob@example.test already has a pending invitation; revoke it first to send a new one.".to_owned()],
                vec![],
            ]
        );
    }

    #[test]
    fn seats_run_out_counting_only_lines_that_would_be_sent() {
        let mut c = ctx();
        c.seats_left = Some(2);
        let p = preview("a@example.test\nbad\nb@example.test\nc@example.test", &c);
        assert_eq!(p.rows.iter().map(|r| r.problems.len()).collect::<Vec<_>>(), vec![0, 1, 0, 1]);
        assert_eq!(p.rows[3].problems[0], "row 4: no seat left on the pro plan (2 left for members and pending invitations); remove rows or change the plan.");
    }

    #[test]
    fn every_problem_of_a_line_is_given_and_the_chosen_assignment_type_is_used() {
        assert_eq!(preview("nope,boss,Nowhere,Nobody", &ctx()).rows[0].problems.len(), 4);
        let mut c = ctx();
        c.assignment_type = AssignmentType::Pool;
        assert_eq!(preview("a@example.test,,acme,guest", &c).rows[0].invitation.as_ref().unwrap().assignments[0].assignment_type, AssignmentType::Pool);
    }

    #[test]
    fn the_addresses_to_look_up_are_valid_lower_cased_and_once() {
        assert_eq!(emails_in("email\nAnn@example.test,admin\nbob@\nann@example.test"), vec![Email::parse("ann@example.test").unwrap()]);
    }
}
