import type { AuditAction } from "../bindings/AuditAction";
import type { AuditTarget } from "../bindings/AuditTarget";
import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../bindings/AuditEntry";
import { compact, diffSummary, filterEntries, NO_FILTERS } from "./shape";

describe("diffSummary", () => {
  it("lists changed keys of an update, leaving out version noise", () => {
    expect(diffSummary({ name: "A", slug: "a", version: 1 }, { name: "B", slug: "a", version: 2 })).toEqual(['name: "A" → "B"']);
  });
  it("shows a version-only change rather than nothing", () => {
    expect(diffSummary({ version: 1 }, { version: 2 })).toEqual(["version: 1 → 2"]);
  });
  it("says what was added to and removed from a list", () => {
    expect(diffSummary({ permissions: ["a", "b"] }, { permissions: ["b", "c"] })).toEqual(['permissions: +"c" −"a"']);
  });
  it("marks created and deleted fields, and caps long summaries", () => {
    expect(diffSummary(null, { name: "Tier 2" })).toEqual(['+ name: "Tier 2"']);
    expect(diffSummary({ name: "Tier 2" }, null)).toEqual(['− name: "Tier 2"']);
    const many = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, i]));
    expect(diffSummary(null, many, 3)).toEqual(["+ k0: 0", "+ k1: 1", "+ k2: 2", "…and 6 more"]);
    expect(diffSummary(null, null)).toEqual([]);
    expect(diffSummary("owner", "admin")).toEqual(['"owner" → "admin"']);
  });
  it("gives a line per record of a list made or removed, with the ids it can name", () => {
    const made = [
      { id: "a1", workspace_id: "w", community_id: "c1", user_id: "u1", role_id: "r1", assignment_type: "dedicated", created_at: "2026-03-01T00:00:00Z" },
      { id: "a2", workspace_id: "w", community_id: "c9", user_id: "u1", role_id: "r1", assignment_type: "pool", created_at: "2026-03-01T00:00:00Z" },
    ];
    const names = (id: string) => ({ c1: "Acme Corp", r1: "Analyst", u1: "ann@x.test" })[id] ?? null;
    expect(diffSummary(null, made, 6, names)).toEqual([
      '+ community: "Acme Corp", user: "ann@x.test", role: "Analyst", assignment_type: "dedicated"',
      '+ community_id: "c9", user: "ann@x.test", role: "Analyst", assignment_type: "pool"',
    ]);
    expect(diffSummary(made, null, 1)).toEqual(['− community_id: "c1", user_id: "u1", role_id: "r1", assignment_type: "dedicated"', "…and 1 more"]);
    expect(diffSummary(null, { community_id: "c1", name: "Key" }, 6, names)).toEqual(['+ community: "Acme Corp"', '+ name: "Key"']);
    // A creation leaves out the record's own id, workspace and creation time; people are named.
    const invitation = { id: "i1", workspace_id: "w", email: "new@x.test", invited_by: "u1", created_at: "2026-03-01T00:00:00Z", expires_at: "2026-03-08T00:00:00Z" };
    expect(diffSummary(null, invitation, 6, names)).toEqual(['+ email: "new@x.test"', '+ invited_by: "ann@x.test"', '+ expires_at: "2026-03-08T00:00:00Z"']);
    // An empty list made nothing; plain values keep the generic summary.
    expect(diffSummary(null, [])).toEqual([]);
    expect(diffSummary(null, ["a"])).toEqual(['— → ["a"]']);
  });
  it("keeps values short", () => {
    expect(compact("x".repeat(60))).toHaveLength(42);
    expect(compact({ a: "x".repeat(50), b: 1 })).toBe("{2 fields}");
    expect(compact([{ a: "x".repeat(50) }])).toBe("[1 item]");
    expect(compact([{ a: "x".repeat(50) }, 2])).toBe("[2 items]");
    expect(compact(undefined)).toBe("—");
  });
});

describe("filterEntries", () => {
  const e = (id: number, action: AuditAction, kind: AuditTarget, at: string, actor: string | null): AuditEntry =>
    ({ id, action, target_kind: kind, at, actor_id: actor, workspace_id: null, target_id: "", before: null, after: null, request_id: "" });
  const all = [e(1, "role.create", "role", "2026-03-01T12:00:00Z", "u1"), e(2, "member.remove", "member", "2026-03-02T12:00:00Z", "u2"), e(3, "role.delete", "role", "2026-03-03T12:00:00Z", null)];
  const emails = (id: string | null) => (id === "u1" ? "ann@x.test" : null);
  it("combines every filter", () => {
    expect(filterEntries(all, NO_FILTERS).map((x) => x.id)).toEqual([1, 2, 3]);
    expect(filterEntries(all, { ...NO_FILTERS, action: "ROLE." }).map((x) => x.id)).toEqual([1, 3]);
    expect(filterEntries(all, { ...NO_FILTERS, actor: "ann@" }, emails).map((x) => x.id)).toEqual([1]);
    expect(filterEntries(all, { ...NO_FILTERS, actor: "system" }).map((x) => x.id)).toEqual([3]);
    expect(filterEntries(all, { ...NO_FILTERS, targetKind: "role", from: "2026-03-02" }).map((x) => x.id)).toEqual([3]);
    expect(filterEntries(all, { ...NO_FILTERS, to: "2026-03-01" }).map((x) => x.id)).toEqual([1]);
  });
});
