import { describe, expect, it } from "vitest";
import { filterPermissionRows, permissionRows } from "./permissions";
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
});
