import { describe, expect, it } from "vitest";
import { filterPermissionRows, groupPermissionRows, labelPermissionRows, OTHER_AREA, permissionRows, type PermissionRow } from "./permissions";
import { CATALOGUE } from "./test/catalogue";
import type { EffectivePermissions } from "./bindings/EffectivePermissions";

describe("permissionRows", () => {
  const p = {
    workspace_role: "admin",
    everywhere: { "roles.manage": { scope: { kind: "all" }, sources: [{ via: "workspace_role", role: "admin" }] } },
    communities: {
      c1: {
        "alerts.read": {
          scope: { kind: "only", intakes: ["i1"] },
          sources: [
            { via: "community_role", role_id: "r1", role_name: "EDR only", community_id: "c1" },
            { via: "community_role", role_id: "r2", role_name: "Guest", community_id: "c1" },
          ],
        },
      },
    },
  } as unknown as EffectivePermissions;

  it("lists each permission with where it holds and which roles give it", () => {
    const rows = permissionRows(p, (id) => (id === "c1" ? "Acme" : id));
    expect(rows).toEqual([
      { permission: "alerts.read", where: "Acme", sources: ["EDR only", "Guest"], restricted: true },
      { permission: "roles.manage", where: "Everywhere", sources: ["workspace admin"], restricted: false },
    ]);
  });

  it("filters rows by permission, place or granting role", () => {
    const rows = permissionRows(p, (id) => (id === "c1" ? "Acme" : id));
    expect(filterPermissionRows(rows, "ROLES").map((r) => r.permission)).toEqual(["roles.manage"]);
    expect(filterPermissionRows(rows, "acme").map((r) => r.permission)).toEqual(["alerts.read"]);
    expect(filterPermissionRows(rows, "edr").map((r) => r.permission)).toEqual(["alerts.read"]);
    expect(filterPermissionRows(rows, "  ")).toHaveLength(2);
  });

  it("groups by the catalogue's areas, in its order, labelled in its words; unknown ids go under Other", () => {
    const row = (permission: string, where = "Acme"): PermissionRow => ({ permission, where, sources: ["Guest"], restricted: false });
    const rows = [row("billing.read", "Everywhere"), row("alerts.manage"), row("alerts.read"), row("alerts.read", "Globex"), row("alerts.delete")];
    const groups = groupPermissionRows(rows, CATALOGUE);
    expect(groups.map((g) => [g.label, g.permissions, g.rows.length])).toEqual([["Alerts", 2, 3], ["Billing", 1, 1], [OTHER_AREA.label, 1, 1]]);
    expect(groups[0].rows.map((r) => [r.permission, r.where])).toEqual([["alerts.read", "Acme"], ["alerts.read", "Globex"], ["alerts.manage", "Acme"]]);
    const label = (id: string) => CATALOGUE.find((e) => e.id === id)!.description;
    expect(groups[0].rows[0].label).toBe(label("alerts.read"));
    expect(groups[2].rows[0].label).toBe("alerts.delete");
    // The words are searchable: "plan" finds billing.read by its label, "billing" by its area.
    const labelled = labelPermissionRows(rows, CATALOGUE);
    expect(filterPermissionRows(labelled, "plan and its").map((r) => r.permission)).toEqual(["billing.read"]);
    expect(filterPermissionRows(labelled, "Billing").map((r) => r.permission)).toEqual(["billing.read"]);
  });
});
