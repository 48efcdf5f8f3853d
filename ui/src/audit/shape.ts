// Pure helpers of the audit log: a compact before → after summary of what changed, and the
// filters over the entries loaded so far.
import type { AuditTarget } from "../bindings/AuditTarget";
import type { JsonValue } from "../bindings/serde_json/JsonValue";

type Obj = { [k: string]: JsonValue };
const isObj = (v: JsonValue | null | undefined): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Keys that change with every write and say nothing on their own. */
const NOISE = new Set(["version", "updated_at"]);

/** A name for an id the console knows (a community, a role, a member), or null. */
export type Names = (id: string) => string | null;
const noNames: Names = () => null;

/**
 * The names for one entry: those the server kept with it (as they were when it was written)
 * first, then `others` (the cache's, as they are now). A person is kept as
 * `Display Name <email>`: shown by email, as the cache shows people.
 */
export function entryNames(kept: { [id in string]?: string }, others: Names): Names {
  return (id) => {
    const k = kept[id];
    return k !== undefined ? emailOf(k) : others(id);
  };
}

/** The email of a kept person name (`Display Name <email>`), or the name as it is. */
export function emailOf(name: string): string {
  const m = /^(.*) <([^<>]+)>$/.exec(name);
  return m ? m[2] : name;
}

/** One value, short: strings quoted and cut, arrays and objects summarised. */
export function compact(v: JsonValue | null | undefined, max = 40): string {
  if (v === undefined) return "—";
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v.length > max ? `${v.slice(0, max - 1)}…` : v);
  if (typeof v !== "object") return String(v);
  const s = JSON.stringify(v);
  if (s.length <= max) return s;
  return Array.isArray(v) ? `[${v.length} ${v.length === 1 ? "item" : "items"}]` : `{${Object.keys(v).length} fields}`;
}

const same = (a: JsonValue | undefined, b: JsonValue | undefined) => JSON.stringify(a) === JSON.stringify(b);

/**
 * What an entry changed, as short lines: `name: "Old" → "New"` per changed key for an update,
 * `+ key: value` for a creation, `− key: value` for a deletion. Arrays that changed say what
 * was added and removed when their items are plain values; a list of records made or removed
 * (the assignments of `member.assign_roles`) gives a line per record. A field holding an id the
 * console can name shows the name (and loses its `_id`): `community: "Acme Corp"`.
 */
export function diffSummary(before: JsonValue | null, after: JsonValue | null, limit = 6, names: Names = noNames): string[] {
  if (before === null && after === null) return [];
  if (before === null && Array.isArray(after) && after.every(isObj)) return cap(after.map((x) => `+ ${record(x as Obj, names)}`), limit);
  if (after === null && Array.isArray(before) && before.every(isObj)) return cap(before.map((x) => `− ${record(x as Obj, names)}`), limit);
  if (isObj(before) && isObj(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    const changed = keys.filter((k) => !same(before[k], after[k]));
    const shown = changed.filter((k) => !NOISE.has(k));
    const lines = (shown.length ? shown : changed).map((k) => `${k}: ${change(before[k], after[k])}`);
    return cap(lines, limit);
  }
  if (before === null && isObj(after)) return cap(telling(after).map(([k, v]) => `+ ${field(k, v, names)}`), limit);
  if (after === null && isObj(before)) return cap(telling(before).map(([k, v]) => `− ${field(k, v, names)}`), limit);
  if (same(before ?? undefined, after ?? undefined)) return [];
  return [change(before ?? undefined, after ?? undefined)];
}

/** A made or removed record's fields worth reading: not its own id, its workspace (the log's),
 *  its creation time (the entry's) or its version. */
function telling(x: Obj): [string, JsonValue][] {
  return Object.entries(x).filter(([k]) => !NOISE.has(k) && k !== "id" && k !== "workspace_id" && k !== "created_at");
}

/** `key: value`, or the name for an id the console knows: `community: "Acme Corp"`, `invited_by: "ann@x.test"`. */
function field(k: string, v: JsonValue, names: Names): string {
  const name = typeof v === "string" ? names(v) : null;
  if (name === null) return `${k}: ${compact(v)}`;
  return `${k.endsWith("_id") ? k.slice(0, -3) : k}: ${compact(name)}`;
}

/** One record of a list on one line: its telling fields, without times. */
function record(x: Obj, names: Names): string {
  return telling(x).filter(([k]) => !k.endsWith("_at")).map(([k, v]) => field(k, v, names)).join(", ") || "{}";
}

function change(a: JsonValue | undefined, b: JsonValue | undefined): string {
  if (Array.isArray(a) && Array.isArray(b) && [...a, ...b].every((x) => typeof x !== "object" || x === null)) {
    const as = new Set(a.map((x) => JSON.stringify(x)));
    const bs = new Set(b.map((x) => JSON.stringify(x)));
    const added = [...bs].filter((x) => !as.has(x));
    const removed = [...as].filter((x) => !bs.has(x));
    if (added.length || removed.length) {
      const parts = [...added.map((x) => `+${compact(JSON.parse(x) as JsonValue, 30)}`), ...removed.map((x) => `−${compact(JSON.parse(x) as JsonValue, 30)}`)];
      return parts.join(" ");
    }
  }
  return `${compact(a)} → ${compact(b)}`;
}

function cap(lines: string[], limit: number): string[] {
  return lines.length > limit ? [...lines.slice(0, limit), `…and ${lines.length - limit} more`] : lines;
}

export type AuditFilters = { action: string; actor: string; targetKind: string; community: string; from: string; to: string };
export const NO_FILTERS: AuditFilters = { action: "", actor: "", targetKind: "", community: "", from: "", to: "" };

/** The kinds of thing an audit entry is about (the server's `AuditTarget`s). */
export const AUDIT_TARGETS: AuditTarget[] = ["workspace", "community", "member", "assignment", "role", "invitation", "api_key", "intake", "user", "session", "instance"];

/**
 * The instants a day range means in local time (what date inputs mean): from the start of
 * `from`, to the start of the day after `to` (both days included); `null` where not given.
 */
export function dayRange(from: string, to: string): [string | null, string | null] {
  const start = (day: string) => {
    const [y, m, d] = day.split("-").map(Number);
    return y && m && d ? new Date(y, m - 1, d) : null;
  };
  const f = from ? start(from) : null;
  const t = to ? start(to) : null;
  if (t) t.setDate(t.getDate() + 1);
  return [f ? f.toISOString() : null, t ? t.toISOString() : null];
}

export const isFiltered = (f: AuditFilters) => Object.values(f).some((v) => v.trim() !== "");

export function distinct(values: string[]): string[] {
  return [...new Set(values)].sort();
}
