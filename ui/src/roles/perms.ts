// Pure helpers of the roles editor: the catalogue grouped by area, which permissions a kind of
// role may hold (as the catalogue says, from the domain's own rule), group toggles, and the
// draft a form edits. What is wrong with a draft is asked of Rust (`role_draft_problems`).
import type { CatalogueEntry } from "../bindings/CatalogueEntry";
import type { CreateRole } from "../bindings/CreateRole";
import type { Permission } from "../bindings/Permission";
import type { Role } from "../bindings/Role";
import type { RoleKind } from "../bindings/RoleKind";
import type { UpdateRole } from "../bindings/UpdateRole";

export type EditableKind = Exclude<RoleKind, "builtin">;
export type AreaGroup = { area: string; label: string; entries: CatalogueEntry[] };

/** The kinds a workspace defines, in the order the form offers them. What each means is Rust's
 *  sentence (`glossary`), shown beside it. */
export const KINDS: { kind: EditableKind; label: string }[] = [
  { kind: "custom", label: "Custom" },
  { kind: "restricted", label: "Restricted" },
  { kind: "intake_restricted", label: "Intake-restricted (read-only)" },
];

export function kindLabel(kind: RoleKind): string {
  return kind === "builtin" ? "Built-in" : (KINDS.find((k) => k.kind === kind)?.label ?? kind);
}

export const isRestricted = (kind: RoleKind) => kind === "restricted" || kind === "intake_restricted";

/** The catalogue by area, in the catalogue's own order. */
export function groupCatalogue(catalogue: CatalogueEntry[]): AreaGroup[] {
  const groups: AreaGroup[] = [];
  const at = new Map<string, AreaGroup>();
  for (const e of catalogue) {
    let g = at.get(e.area);
    if (!g) {
      g = { area: e.area, label: e.area_label, entries: [] };
      at.set(e.area, g);
      groups.push(g);
    }
    g.entries.push(e);
  }
  return groups;
}

/** Why a permission cannot be part of a role of this kind, or null when it can (the catalogue's
 *  own sentence). */
export function notAllowed(e: CatalogueEntry, kind: RoleKind): string | null {
  if (kind === "builtin") return "Built-in roles cannot be changed.";
  return e.refused_by[kind] ?? null;
}

/** Whether all, some or none of the group's allowed permissions are ticked. */
export function groupState(selected: ReadonlySet<Permission>, entries: CatalogueEntry[], kind: RoleKind): "all" | "some" | "none" {
  const allowed = entries.filter((e) => !notAllowed(e, kind));
  const n = allowed.filter((e) => selected.has(e.id)).length;
  if (allowed.length > 0 && n === allowed.length) return "all";
  return n > 0 ? "some" : "none";
}

/** The group checkbox: ticks every allowed permission of the area, or clears the area when all are ticked. */
export function toggleGroup(selected: ReadonlySet<Permission>, entries: CatalogueEntry[], kind: RoleKind): Set<Permission> {
  const next = new Set(selected);
  if (groupState(selected, entries, kind) === "all") {
    for (const e of entries) next.delete(e.id);
  } else {
    for (const e of entries) if (!notAllowed(e, kind)) next.add(e.id);
  }
  return next;
}

export type Draft = {
  /** null for a new role. */
  id: string | null;
  name: string;
  description: string;
  kind: EditableKind;
  permissions: Permission[];
  intake_scope: string[];
  /** The version the edit started from (precondition for the save). */
  version: number | null;
};

export function newDraft(): Draft {
  return { id: null, name: "", description: "", kind: "custom", permissions: [], intake_scope: [], version: null };
}

export function draftOf(r: Role): Draft {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    kind: r.kind === "builtin" ? "custom" : r.kind,
    permissions: [...r.permissions],
    intake_scope: [...r.intake_scope],
    version: r.version,
  };
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && new Set([...a, ...b]).size === a.length;

/** The permissions the server should get: catalogue order, nothing the kind may not hold. */
export function permissionsToSend(d: Draft, catalogue: CatalogueEntry[]): Permission[] {
  const ticked = new Set(d.permissions);
  return catalogue.filter((e) => ticked.has(e.id) && !notAllowed(e, d.kind)).map((e) => e.id);
}

export function createRequest(d: Draft, catalogue: CatalogueEntry[]): CreateRole {
  return {
    name: d.name.trim(),
    kind: d.kind,
    description: d.description.trim(),
    permissions: permissionsToSend(d, catalogue),
    intake_scope: isRestricted(d.kind) ? [...d.intake_scope] : [],
  };
}

/** Only what changed; null means unchanged. */
export function updateRequest(d: Draft, r: Role, catalogue: CatalogueEntry[]): UpdateRole {
  const perms = permissionsToSend(d, catalogue);
  const scope = isRestricted(d.kind) ? d.intake_scope : [];
  return {
    name: d.name.trim() !== r.name ? d.name.trim() : null,
    description: d.description.trim() !== r.description ? d.description.trim() : null,
    permissions: sameSet(perms, r.permissions) ? null : perms,
    intake_scope: sameSet(scope, r.intake_scope) ? null : [...scope],
  };
}

export function isDirty(d: Draft, r: Role | null): boolean {
  if (!r) return d.name !== "" || d.description !== "" || d.permissions.length > 0 || d.intake_scope.length > 0 || d.kind !== "custom";
  return d.name !== r.name || d.description !== r.description || !sameSet(d.permissions, r.permissions) || !sameSet(d.intake_scope, r.intake_scope);
}
