import { describe, expect, it } from "vitest";
import type { RoleAssignment } from "../bindings/RoleAssignment";
import { planRoleChange } from "./rolePlan";

const a = (id: string, community: string, role: string, type: RoleAssignment["assignment_type"] = "dedicated"): RoleAssignment => ({
  id,
  workspace_id: "ws-1",
  community_id: community,
  user_id: "u1",
  role_id: role,
  assignment_type: type,
  created_at: "2026-01-01T00:00:00Z",
});

describe("planRoleChange", () => {
  const current = [a("a1", "c1", "guest"), a("a2", "c1", "edr"), a("a3", "c2", "analyst"), a("a4", "c3", "analyst", "pool")];

  it("adds the role where missing and leaves other roles alone", () => {
    const p = planRoleChange(current, { communities: ["c1", "c2", "c4"], roleId: "analyst", assignmentType: "dedicated", mode: "add" });
    expect(p.assign.map((x) => x.community_id)).toEqual(["c1", "c4"]);
    expect(p.unchanged).toEqual(["c2"]);
    expect(p.unassign).toEqual([]);
  });

  it("replaces: removes every other role in the chosen communities only", () => {
    const p = planRoleChange(current, { communities: ["c1", "c3"], roleId: "analyst", assignmentType: "dedicated", mode: "replace" });
    expect(p.assign).toEqual([
      { community_id: "c1", role_id: "analyst", assignment_type: "dedicated" },
      // another assignment type of the same role: assigned again, the server swaps it
      { community_id: "c3", role_id: "analyst", assignment_type: "dedicated" },
    ]);
    expect(p.unassign.map((x) => x.id)).toEqual(["a1", "a2"]);
    // Every chosen community is sent, so the server clears the others there.
    expect(p.request).toEqual(p.assign);
  });

  it("when replacing, sends the role even where it is held already: the other roles there go too", () => {
    const p = planRoleChange(current, { communities: ["c2"], roleId: "analyst", assignmentType: "dedicated", mode: "replace" });
    expect([p.assign, p.unchanged]).toEqual([[], ["c2"]]);
    expect(p.request).toEqual([{ community_id: "c2", role_id: "analyst", assignment_type: "dedicated" }]);
    const add = planRoleChange(current, { communities: ["c2"], roleId: "analyst", assignmentType: "dedicated", mode: "add" });
    expect(add.request).toEqual([]);
  });

  it("plans nothing without a role", () => {
    expect(planRoleChange(current, { communities: ["c1"], roleId: "", assignmentType: "dedicated", mode: "replace" })).toEqual({ assign: [], unassign: [], unchanged: [], request: [] });
  });
});
