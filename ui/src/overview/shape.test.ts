import { describe, expect, it } from "vitest";
import type { Community } from "../bindings/Community";
import type { Role } from "../bindings/Role";
import { dayLabel } from "../format";
import { coverage, coveredLabel, distribution, heat, shapeMatrix, sortRows, usage } from "./shape";

const c = (id: string, name: string) => ({ id, name }) as Community;
const r = (id: string, name: string, builtin: Role["builtin"] = null) => ({ id, name, builtin }) as Role;
const roles = [r("x", "Zeta"), r("adm", "Admin", "admin"), r("g", "Guest", "guest"), r("an", "Analyst", "analyst"), r("unused", "Unused")];

describe("shapeMatrix", () => {
  it("puts every selected community in a row by name, built-in roles first, held custom roles after", () => {
    const m = shapeMatrix({ matrix: { b: { x: 2, g: 1 }, a: { an: 5 } } }, ["b", "a", "z"], [c("a", "Alpha"), c("b", "Beta"), c("z", "Zulu")], roles);
    expect(m.columns.map((x) => x.name)).toEqual(["Guest", "Analyst", "Admin", "Zeta"]);
    expect(m.rows.map((x) => [x.name, x.counts, x.total])).toEqual([
      ["Alpha", [0, 5, 0, 0], 5],
      ["Beta", [1, 0, 0, 2], 3],
      ["Zulu", [0, 0, 0, 0], 0],
    ]);
    expect(m.max).toBe(5);
  });
  it("keeps a role the list does not know under its id", () => {
    const m = shapeMatrix({ matrix: { a: { ghost: 1 } } }, ["a"], [c("a", "Alpha")], roles);
    expect(m.columns.at(-1)).toEqual({ id: "ghost", name: "ghost" });
    expect(m.rows[0].counts.at(-1)).toBe(1);
  });
});

describe("figures", () => {
  it("heat grows with the count and is 0 for empty cells", () => {
    expect(heat(0, 10)).toBe(0);
    expect(heat(1, 10)).toBeLessThan(heat(10, 10));
    expect(heat(10, 10)).toBe(55);
  });
  it("distribution is largest first with names", () => {
    expect(distribution({ role_distribution: { g: 2, an: 7, x: 0 } }, roles)).toEqual([
      { id: "an", name: "Analyst", count: 7 },
      { id: "g", name: "Guest", count: 2 },
    ]);
  });
  it("coverage rounds and has nothing to say without members", () => {
    expect(coverage(3, 2)?.label).toBe("67%");
    expect(coverage(0, 0)).toBeNull();
  });
  it("usage against a limit, over it, and unlimited", () => {
    expect(usage(45, 500, "member seats")).toEqual({ ratio: 0.09, over: false, label: "45 of 500 member seats (9%)" });
    expect(usage(6, 5, "communities")).toMatchObject({ ratio: 1, over: true });
    expect(usage(7, null, "communities")).toEqual({ ratio: null, over: false, label: "7 communities · unlimited" });
  });
  it("labels days without shifting them by time zone", () => {
    expect(dayLabel("2026-03-01", "en-US")).toBe("Mar 1");
    expect(dayLabel("not a day")).toBe("not a day");
  });
  it("says what the overview covers", () => {
    expect(coveredLabel(0, 25)).toBe("All 25 communities");
    expect(coveredLabel(3, 25)).toBe("3 communities selected");
    expect(coveredLabel(1, 25, "Contoso")).toBe("1 community selected: Contoso");
  });
});

describe("sortRows", () => {
  const cols = [{ id: "g", name: "Guest" }, { id: "an", name: "Analyst" }];
  const rows = [
    { id: "2", name: "Client 2", counts: [1, 0], total: 1 },
    { id: "10", name: "Client 10", counts: [0, 4], total: 4 },
    { id: "11", name: "Client 11", counts: [1, 0], total: 1 },
  ];
  const names = (rs: typeof rows) => rs.map((r) => r.name);
  it("keeps the natural order for names, or reverses it, without sorting text", () => {
    expect(names(sortRows(rows, cols, { by: "name", desc: false }))).toEqual(["Client 2", "Client 10", "Client 11"]);
    expect(names(sortRows(rows, cols, { by: "name", desc: true }))).toEqual(["Client 11", "Client 10", "Client 2"]);
  });
  it("sorts counts by number, ties in natural order both ways; a vanished column falls back to names", () => {
    expect(names(sortRows(rows, cols, { by: { role: "g" }, desc: true }))).toEqual(["Client 2", "Client 11", "Client 10"]);
    expect(names(sortRows(rows, cols, { by: { role: "g" }, desc: false }))).toEqual(["Client 10", "Client 2", "Client 11"]);
    expect(names(sortRows(rows, cols, { by: "total", desc: true }))).toEqual(["Client 10", "Client 2", "Client 11"]);
    expect(names(sortRows(rows, cols, { by: { role: "gone" }, desc: true }))).toEqual(["Client 2", "Client 10", "Client 11"]);
  });
});
