// Turning a member's effective permissions into rows people can read: one row per permission
// and place, with every role that grants it there, named and grouped by area in the catalogue's
// own words (Rust's `permission_catalogue`), the raw id kept for whoever needs it.
import type { CatalogueEntry } from "./bindings/CatalogueEntry";
import type { EffectivePermissions } from "./bindings/EffectivePermissions";
import type { Grant } from "./bindings/Grant";

export type PermissionRow = {
  permission: string;
  /** "Everywhere" (workspace role) or a community's name. */
  where: string;
  /** "workspace role owner", "Analyst", … */
  sources: string[];
  /** Restricted to some intakes only. */
  restricted: boolean;
  /** What it lets the member do, in the catalogue's words ("View alerts, events and incidents"). */
  label?: string;
  /** Its area's name ("Alerts"). */
  areaLabel?: string;
};

export type PermissionGroup = {
  /** The catalogue's area id (`alerts`), or `other` for ids it does not list. */
  area: string;
  label: string;
  rows: PermissionRow[];
  /** Distinct permissions in the group (a permission held in three places is one). */
  permissions: number;
};

/** Where ids the catalogue does not list (a newer server's) are grouped, under their raw id. */
export const OTHER_AREA = { area: "other", label: "Other" };

function sourcesOf(g: Grant): string[] {
  return g.sources.map((s) => (s.via === "workspace_role" ? `workspace ${s.role}` : s.via === "portal" ? "client portal" : s.role_name));
}

/** Rows sorted by permission, then place ("Everywhere" first). */
export function permissionRows(p: EffectivePermissions, communityName: (id: string) => string): PermissionRow[] {
  const rows: PermissionRow[] = [];
  for (const [perm, g] of Object.entries(p.everywhere)) {
    if (g) rows.push({ permission: perm, where: "Everywhere", sources: sourcesOf(g), restricted: g.scope.kind === "only" });
  }
  for (const [community, grants] of Object.entries(p.communities)) {
    for (const [perm, g] of Object.entries(grants ?? {})) {
      if (g) rows.push({ permission: perm, where: communityName(community), sources: sourcesOf(g), restricted: g.scope.kind === "only" });
    }
  }
  return rows.sort((a, b) => a.permission.localeCompare(b.permission) || (a.where === "Everywhere" ? -1 : b.where === "Everywhere" ? 1 : a.where.localeCompare(b.where)));
}

/** Rows whose permission (id or words), area, place or granting role contains `text`
 *  (case-insensitive): "who gives alerts.write here?" answered by typing "alerts" or a role's name. */
export function filterPermissionRows(rows: PermissionRow[], text: string): PermissionRow[] {
  const q = text.trim().toLowerCase();
  if (!q) return rows;
  const has = (s: string | undefined) => s !== undefined && s.toLowerCase().includes(q);
  return rows.filter((r) => has(r.permission) || has(r.label) || has(r.areaLabel) || has(r.where) || r.sources.some(has));
}

/**
 * The rows by area, areas and permissions in the catalogue's order (then by place, as
 * `permissionRows` sorts them), each row labelled with the catalogue's words. Ids the catalogue
 * does not know go last, under "Other", labelled with the id itself.
 */
export function groupPermissionRows(rows: PermissionRow[], catalogue: CatalogueEntry[]): PermissionGroup[] {
  const order = new Map(catalogue.map((e, i) => [e.id as string, i]));
  const entry = new Map(catalogue.map((e) => [e.id as string, e]));
  const rank = (p: string) => order.get(p) ?? Number.MAX_SAFE_INTEGER;
  const groups = new Map<string, PermissionGroup>();
  const sorted = rows.map((r, i) => ({ r, i })).sort((a, b) => rank(a.r.permission) - rank(b.r.permission) || a.i - b.i);
  for (const { r } of sorted) {
    const e = entry.get(r.permission);
    const area = e ? { area: e.area as string, label: e.area_label } : OTHER_AREA;
    let g = groups.get(area.area);
    if (!g) groups.set(area.area, (g = { ...area, rows: [], permissions: 0 }));
    if (!g.rows.some((x) => x.permission === r.permission)) g.permissions += 1;
    g.rows.push({ ...r, label: e?.description ?? r.permission, areaLabel: area.label });
  }
  return [...groups.values()];
}

/** [`groupPermissionRows`]'s labels on the rows, so a filter finds "View alerts" as well as `alerts.read`. */
export function labelPermissionRows(rows: PermissionRow[], catalogue: CatalogueEntry[]): PermissionRow[] {
  return groupPermissionRows(rows, catalogue).flatMap((g) => g.rows);
}
