// Pure shaping of an Aggregate into what the Overview shows: the role × community matrix,
// the role distribution in a stable order, coverage and usage figures, day labels.
import type { Aggregate } from "../bindings/Aggregate";
import type { Community } from "../bindings/Community";
import type { Role } from "../bindings/Role";
import { orderRoles } from "../directory";
import { formatNumber } from "../format";

export type MatrixColumn = { id: string; name: string };
export type MatrixRow = { id: string; name: string; counts: number[]; total: number };
export type Matrix = { columns: MatrixColumn[]; rows: MatrixRow[]; max: number };

/**
 * Communities as rows (every selected one, also those nobody holds a role in), roles as
 * columns: the built-in roles always, other roles only when someone holds them in the
 * selection, and ids the role list does not know (yet) under their id.
 */
export function shapeMatrix(agg: Pick<Aggregate, "matrix">, selected: string[], communities: Community[], roles: Role[]): Matrix {
  const byId = new Map(communities.map((c) => [c.id, c]));
  const held = new Set<string>();
  for (const perRole of Object.values(agg.matrix)) {
    for (const [role, n] of Object.entries(perRole ?? {})) if (n && n > 0) held.add(role);
  }
  const columns: MatrixColumn[] = orderRoles(roles)
    .filter((r) => r.builtin !== null || held.has(r.id))
    .map((r) => ({ id: r.id, name: r.name }));
  const known = new Set(columns.map((c) => c.id));
  for (const id of [...held].sort()) if (!known.has(id) && !roles.some((r) => r.id === id)) columns.push({ id, name: id });
  let max = 0;
  const rows: MatrixRow[] = selected.map((id) => {
    const perRole = agg.matrix[id] ?? {};
    const counts = columns.map((c) => Number(perRole[c.id] ?? 0));
    for (const n of counts) max = Math.max(max, n);
    return { id, name: byId.get(id)?.name ?? id, counts, total: counts.reduce((a, b) => a + b, 0) };
  });
  // In the communities' own order (natural, from Rust: "Client 2" before "Client 10").
  const place = new Map(communities.map((c, i) => [c.id, i]));
  rows.sort((a, b) => (place.get(a.id) ?? Infinity) - (place.get(b.id) ?? Infinity) || a.name.localeCompare(b.name));
  return { columns, rows, max };
}

/** How the matrix rows are ordered: by community name, by the row total, or by one role's
 *  column (its id); `desc` reverses. */
export type MatrixSort = { by: "name" | "total" | { role: string }; desc: boolean };
export const NAME_ORDER: MatrixSort = { by: "name", desc: false };

/** Is `sort` ordering by this column ("name", "total" or a role id)? */
export function sortsBy(sort: MatrixSort, column: "name" | "total" | string): boolean {
  return typeof sort.by === "string" ? sort.by === column : sort.by.role === column;
}

/**
 * The rows in `sort`'s order. `rows` arrive in the communities' natural order (Rust's
 * `natural_cmp`, "Client 2" before "Client 10"), so by name is that order or its reverse — never
 * a second, JavaScript, idea of name order. Counts sort by number; equal counts keep the natural
 * order in both directions, so a tie never reshuffles on a second click.
 */
export function sortRows(rows: MatrixRow[], columns: MatrixColumn[], sort: MatrixSort): MatrixRow[] {
  if (sort.by === "name") return sort.desc ? [...rows].reverse() : rows;
  const j = sort.by === "total" ? -1 : columns.findIndex((c) => typeof sort.by !== "string" && c.id === sort.by.role);
  if (sort.by !== "total" && j < 0) return rows; // that role's column is gone: natural order
  const value = (r: MatrixRow) => (j < 0 ? r.total : r.counts[j]);
  const sign = sort.desc ? -1 : 1;
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => sign * (value(a.r) - value(b.r)) || a.i - b.i)
    .map((x) => x.r);
}

/** Tint strength for a matrix cell, 0–55 (% of the accent colour); 0 for an empty cell. */
export function heat(count: number, max: number): number {
  if (count <= 0 || max <= 0) return 0;
  return Math.round(8 + (count / max) * 47);
}

/** Role distribution as [name, count], largest first, names for ids. */
export function distribution(agg: Pick<Aggregate, "role_distribution">, roles: Role[]): { id: string; name: string; count: number }[] {
  const names = new Map(roles.map((r) => [r.id, r.name]));
  return Object.entries(agg.role_distribution)
    .map(([id, n]) => ({ id, name: names.get(id) ?? id, count: Number(n ?? 0) }))
    .filter((r) => r.count > 0)
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

/** "75%" of members with 2FA, or null when there is nobody to cover. */
export function coverage(members: number, with2fa: number): { percent: number; label: string } | null {
  if (members <= 0) return null;
  const percent = Math.round((with2fa / members) * 100);
  return { percent, label: `${percent}%` };
}

/** A usage bar: how full, and a sentence for it. `max` null is unlimited. */
export function usage(used: number, max: number | null, noun: string): { ratio: number | null; over: boolean; label: string } {
  if (max === null) return { ratio: null, over: false, label: `${formatNumber(used)} ${noun} · unlimited` };
  const ratio = max > 0 ? used / max : 1;
  return { ratio: Math.min(1, ratio), over: used > max, label: `${formatNumber(used)} of ${formatNumber(max)} ${noun} (${Math.round(ratio * 100)}%)` };
}

/** What the Overview covers, for its heading. */
export function coveredLabel(selected: number, all: number, firstName?: string): string {
  if (selected === 0 || selected === all) return `All ${all} ${all === 1 ? "community" : "communities"}`;
  if (selected === 1 && firstName) return `1 community selected: ${firstName}`;
  return `${selected} ${selected === 1 ? "community" : "communities"} selected`;
}
