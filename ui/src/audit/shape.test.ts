import { describe, expect, it } from "vitest";
import { compact, dayRange, diffSummary, emailOf, entryNames } from "./shape";

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

describe("dayRange", () => {
  it("means whole local days, both ends included", () => {
    const [from, to] = dayRange("2026-03-02", "2026-03-04");
    expect(new Date(from!).getTime()).toBe(new Date(2026, 2, 2).getTime());
    expect(new Date(to!).getTime()).toBe(new Date(2026, 2, 5).getTime());
    expect(dayRange("", "2026-12-31")[0]).toBeNull();
    expect(new Date(dayRange("", "2026-12-31")[1]!).getTime()).toBe(new Date(2027, 0, 1).getTime());
    expect(dayRange("", "")).toEqual([null, null]);
  });
});

describe("entryNames", () => {
  it("prefers the names an entry kept, people by email, then the cache's", () => {
    const cache = (id: string) => ({ c1: "Acme Corp", r1: "Analyst" })[id] ?? null;
    const names = entryNames({ c1: "Acme (then)", u1: "Dana Doe <dana@x.test>" }, cache);
    expect(names("c1")).toBe("Acme (then)");
    expect(names("r1")).toBe("Analyst");
    expect(names("u1")).toBe("dana@x.test");
    expect(names("nobody")).toBeNull();
    expect(emailOf("eve@x.test")).toBe("eve@x.test");
  });
});
