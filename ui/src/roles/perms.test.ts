import { describe, expect, it } from "vitest";
import type { Permission } from "../bindings/Permission";
import type { Role } from "../bindings/Role";
import { entries } from "../test/catalogue";
import { createRequest, draftOf, groupCatalogue, groupState, isDirty, newDraft, notAllowed, toggleGroup, updateRequest } from "./perms";

const cat = entries("alerts.read", "alerts.manage", "members.read", "workspace.read");
const role: Role = { id: "r", workspace_id: "w", name: "Tier 2", kind: "restricted", builtin: null, description: "d", permissions: ["alerts.read"], intake_scope: ["i1"], created_at: "", version: 4 };

describe("catalogue groups", () => {
  it("groups by area in catalogue order", () => {
    expect(groupCatalogue(cat).map((g) => [g.area, g.entries.length])).toEqual([["alerts", 2], ["members", 1], ["workspace_settings", 1]]);
  });
  it("the group toggle ticks only what the kind may hold, then clears", () => {
    const alerts = cat.slice(0, 2);
    const on = toggleGroup(new Set(), alerts, "intake_restricted");
    expect([...on]).toEqual(["alerts.read"]);
    expect(groupState(on, alerts, "intake_restricted")).toBe("all");
    expect(groupState(on, alerts, "custom")).toBe("some");
    expect([...toggleGroup(on, alerts, "intake_restricted")]).toEqual([]);
    expect(notAllowed(cat[3], "custom")).toMatch(/workspace permission/);
    expect(notAllowed(cat[1], "intake_restricted")).toMatch(/read-only/);
    expect(notAllowed(cat[1], "restricted")).toBeNull();
  });
});

describe("requests", () => {
  it("create drops what the kind may not hold and intakes of unrestricted roles", () => {
    const d = { ...newDraft(), name: " Tier 3 ", permissions: ["workspace.read", "alerts.manage", "alerts.read"] as Permission[], intake_scope: ["i1"] };
    expect(createRequest(d, cat)).toEqual({ name: "Tier 3", kind: "custom", description: "", permissions: ["alerts.read", "alerts.manage"], intake_scope: [] });
  });
  it("update sends only what changed", () => {
    const d = { ...draftOf(role), permissions: ["alerts.read", "members.read"] as Permission[] };
    expect(updateRequest(d, role, cat)).toEqual({ name: null, description: null, permissions: ["alerts.read", "members.read"], intake_scope: null });
    expect(isDirty(draftOf(role), role)).toBe(false);
    expect(isDirty(d, role)).toBe(true);
  });
});
