// Turning a member's effective permissions into rows people can read: one row per permission
// and place, with every role that grants it there.
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
};

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

/** Rows whose permission, place or granting role contains `text` (case-insensitive): "who
 *  gives alerts.write here?" answered by typing "alerts" or a role's name. */
export function filterPermissionRows(rows: PermissionRow[], text: string): PermissionRow[] {
  const q = text.trim().toLowerCase();
  if (!q) return rows;
  return rows.filter((r) => r.permission.toLowerCase().includes(q) || r.where.toLowerCase().includes(q) || r.sources.some((s) => s.toLowerCase().includes(q)));
}
