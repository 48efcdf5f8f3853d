// The comparison's words and filters, apart from the components (tested on their own).
import type { CompareRow } from "../bindings/CompareRow";
import type { CompareStatus } from "../bindings/CompareStatus";

export const STATUSES: CompareStatus[] = ["only_left", "only_right", "differ", "same"];

/** Shown until the user chooses: everything but the people who are the same on both sides. */
export const DEFAULT_SHOWN: CompareStatus[] = ["only_left", "only_right", "differ"];

/** The status of a row in words, with the sides' names. */
export function statusWord(s: CompareStatus, left: string, right: string): string {
  switch (s) {
    case "only_left":
      return `Only in ${left}`;
    case "only_right":
      return `Only in ${right}`;
    case "differ":
      return "Roles differ";
    case "same":
      return "Same";
  }
}

/** A side's selected communities: "Acme Corp, Globex (2 communities)"; past `max` names,
 *  "Acme, Bolt, Crane and 22 more (25 communities)"; none selected: "all communities". */
export function scopeLabel(names: string[], max = 3): string {
  if (names.length === 0) return "all communities";
  const n = names.length;
  const shown = n > max ? `${names.slice(0, max).join(", ")} and ${n - max} more` : names.join(", ");
  return `${shown} (${n} ${n === 1 ? "community" : "communities"})`;
}

/** The rows of the statuses shown whose person or roles (either side) contain `text`. */
export function filterRows(rows: CompareRow[], shown: ReadonlySet<CompareStatus>, text: string): CompareRow[] {
  const needle = text.trim().toLowerCase();
  return rows.filter((r) => {
    if (!shown.has(r.status)) return false;
    if (!needle) return true;
    const hay = [r.email, r.display_name, r.left?.workspace_role ?? "", r.right?.workspace_role ?? "", ...(r.left?.roles ?? []), ...(r.right?.roles ?? [])];
    return hay.some((s) => s.toLowerCase().includes(needle));
  });
}
