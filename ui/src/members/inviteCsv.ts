// Bulk invitations from a paste: `email[,workspace_role][,community][,role]` per line. A pure
// function turns the text into one preview row per line — either the invitation it would
// create or every reason it cannot — so nothing is sent from input that has a mistake in it.
import type { AssignmentType } from "../bindings/AssignmentType";
import type { Community } from "../bindings/Community";
import type { CreateInvitation } from "../bindings/CreateInvitation";
import type { Role } from "../bindings/Role";
import type { WorkspaceRole } from "../bindings/WorkspaceRole";

export type InviteRow = {
  /** The line number in the pasted text (1-based, header included), as the user sees it. */
  row: number;
  /** The email as typed (trimmed), for the preview even when it is invalid. */
  email: string;
  /** The invitation this row creates, or null when it has errors. */
  invitation: CreateInvitation | null;
  /** "Analyst in Acme", for the preview; null without a community role. */
  grant: string | null;
  /** Complete sentences, "row 3: …". */
  errors: string[];
};

export type InviteParse = {
  /** The first line was a header and was skipped. */
  header: boolean;
  rows: InviteRow[];
  /** Rows that would be sent (only meaningful when `errorCount` is 0). */
  valid: number;
  errorCount: number;
};

export type InviteContext = {
  communities: Community[];
  roles: Role[];
  /** Lower-cased emails of current members (of those in the paste, at least). */
  members: ReadonlySet<string>;
  /** Lower-cased emails with a pending invitation. */
  invited: ReadonlySet<string>;
  /** Seats left on the plan (members + pending invitations vs max), null when unlimited. */
  seatsLeft: number | null;
  plan?: string;
  /** Assignment type of the community roles given by the paste. */
  assignmentType: AssignmentType;
};

const WORKSPACE_ROLES: WorkspaceRole[] = ["member", "admin", "owner"];
const HEADER_WORDS = new Set(["email", "e-mail", "mail", "email address", "address", "workspace_role", "workspace role", "role", "community", "community_role", "community role", "tenant", "client"]);

/**
 * The same shape rule as the server's `Email::parse` (crates/tenancy/src/email.rs), so the
 * preview refuses exactly what the server would.
 */
export function isEmail(s: string): boolean {
  const t = s.trim();
  if (t.length === 0 || t.length > 254) return false;
  const at = t.indexOf("@");
  if (at < 0) return false;
  const local = t.slice(0, at);
  const domain = t.slice(at + 1);
  const okLocal = local.length > 0 && local.length <= 64 && !local.startsWith(".") && !local.endsWith(".") && /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]+$/.test(local);
  const okDomain = domain.includes(".") && domain.split(".").every((l) => l.length > 0 && !l.startsWith("-") && !l.endsWith("-") && /^[A-Za-z0-9-]+$/.test(l));
  return okLocal && okDomain;
}

/** Cells of one line. Spreadsheets paste tab-separated text, European CSV uses ";"; double
 *  quotes protect separators inside a cell ("Acme, Inc."). */
export function splitLine(line: string, sep: string): string[] {
  const cells: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur.trim() === "") {
      quoted = true;
      cur = "";
    } else if (c === sep) {
      cells.push(cur.trim());
      cur = "";
    } else cur += c;
  }
  cells.push(cur.trim());
  return cells;
}

/** Tab if the paste has tabs (from a spreadsheet), else ";" if the first line uses it and no comma, else ",". */
export function separatorOf(text: string): string {
  const first = text.split(/\r?\n/).find((l) => l.trim() !== "") ?? "";
  if (first.includes("\t")) return "\t";
  if (first.includes(";") && !first.includes(",")) return ";";
  return ",";
}

/** A header is a first line whose first cell is not an address but a column name. */
export function isHeader(cells: string[]): boolean {
  const first = (cells[0] ?? "").toLowerCase();
  return !first.includes("@") && HEADER_WORDS.has(first);
}

/** Every syntactically valid, lower-cased address in the paste: what to look up as members. */
export function emailsIn(text: string): string[] {
  const sep = separatorOf(text);
  const out = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const e = splitLine(line, sep)[0] ?? "";
    if (isEmail(e)) out.add(e.trim().toLowerCase());
  }
  return [...out];
}

function norm(s: string): string {
  return s.trim().toLowerCase();
}

/** A community by slug first (unique by construction), then by name; null when none or ambiguous. */
export function findCommunity(communities: Community[], key: string): { found: Community } | { error: "none" | "ambiguous" } {
  const k = norm(key);
  const bySlug = communities.find((c) => c.slug.toLowerCase() === k);
  if (bySlug) return { found: bySlug };
  const byName = communities.filter((c) => c.name.toLowerCase() === k);
  if (byName.length === 1) return { found: byName[0] };
  return { error: byName.length > 1 ? "ambiguous" : "none" };
}

/** A role by name ("Analyst"), or by its built-in key ("analyst"), case-insensitive. */
export function findRole(roles: Role[], key: string): Role | null {
  const k = norm(key);
  return roles.find((r) => r.name.toLowerCase() === k) ?? roles.find((r) => r.builtin === k) ?? null;
}

export function parseInvites(text: string, ctx: InviteContext): InviteParse {
  const sep = separatorOf(text);
  const lines = text.split(/\r?\n/);
  const rows: InviteRow[] = [];
  let header = false;
  /** email → first row it appeared on. */
  const seen = new Map<string, number>();
  let seatsUsed = 0;
  let firstLine = true;

  lines.forEach((line, i) => {
    const rowNo = i + 1;
    if (line.trim() === "") return;
    const cells = splitLine(line, sep);
    if (firstLine) {
      firstLine = false;
      if (isHeader(cells)) {
        header = true;
        return;
      }
    }
    const [emailCell = "", roleCell = "", communityCell = "", communityRoleCell = "", ...extra] = cells;
    const at = `row ${rowNo}:`;
    const errors: string[] = [];
    const email = emailCell.trim();
    const key = email.toLowerCase();

    if (!isEmail(email)) errors.push(`${at} “${email}” is not an email address; write it as name@domain.example.`);
    else if (seen.has(key)) errors.push(`${at} ${key} is already on row ${seen.get(key)}; keep one row per person.`);
    else if (ctx.members.has(key)) errors.push(`${at} ${key} is already a member of this workspace; change their roles instead.`);
    else if (ctx.invited.has(key)) errors.push(`${at} ${key} already has a pending invitation; revoke it first to send a new one.`);
    if (isEmail(email) && !seen.has(key)) seen.set(key, rowNo);

    let workspaceRole: WorkspaceRole = "member";
    if (roleCell !== "") {
      const r = norm(roleCell) as WorkspaceRole;
      if (WORKSPACE_ROLES.includes(r)) workspaceRole = r;
      else errors.push(`${at} “${roleCell}” is not a workspace role; use member, admin or owner (or leave it empty for member).`);
    }

    let grant: string | null = null;
    let assignments: CreateInvitation["assignments"] = [];
    if (communityCell !== "" || communityRoleCell !== "") {
      if (communityCell === "" || communityRoleCell === "") {
        errors.push(`${at} give both a community and a community role, or neither.`);
      } else {
        const c = findCommunity(ctx.communities, communityCell);
        const role = findRole(ctx.roles, communityRoleCell);
        if ("error" in c) {
          errors.push(
            c.error === "ambiguous"
              ? `${at} several communities are named “${communityCell}”; use the community's slug instead.`
              : `${at} no community named “${communityCell}” in this workspace.`,
          );
        }
        if (!role) errors.push(`${at} no role named “${communityRoleCell}” in this workspace.`);
        if ("found" in c && role) {
          assignments = [{ community_id: c.found.id, role_id: role.id, assignment_type: ctx.assignmentType }];
          grant = `${role.name} in ${c.found.name}`;
        }
      }
    }
    if (extra.some((x) => x !== "")) errors.push(`${at} too many columns; expected email, workspace role, community, role.`);

    // Only rows that would be sent take a seat, in the order they appear.
    if (errors.length === 0 && ctx.seatsLeft !== null) {
      if (seatsUsed >= ctx.seatsLeft) {
        errors.push(
          `${at} no seat left on the ${ctx.plan ?? "current"} plan (${Math.max(0, ctx.seatsLeft)} left for members and pending invitations); remove rows or change the plan.`,
        );
      } else seatsUsed++;
    }

    rows.push({
      row: rowNo,
      email,
      invitation: errors.length === 0 ? { email: key, workspace_role: workspaceRole, assignments } : null,
      grant,
      errors,
    });
  });

  const errorCount = rows.reduce((n, r) => n + r.errors.length, 0);
  return { header, rows, valid: rows.filter((r) => r.invitation).length, errorCount };
}

/** The header plus the given rows' lines, to keep only what still has to be sent. */
export function keepRows(text: string, rowNumbers: ReadonlySet<number>): string {
  const lines = text.split(/\r?\n/);
  const sep = separatorOf(text);
  const firstIdx = lines.findIndex((l) => l.trim() !== "");
  const keep = lines.filter((l, i) => rowNumbers.has(i + 1) || (i === firstIdx && isHeader(splitLine(l, sep))));
  return keep.join("\n");
}
