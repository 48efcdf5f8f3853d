// What "Change roles" will do, worked out before anything is sent, so the editor can say
// exactly which calls happen: one all-or-nothing `assign_roles` for the new role, then (when
// replacing) one `unassign_role` per old role in those communities.
import type { AssignmentSpec } from "../bindings/AssignmentSpec";
import type { AssignmentType } from "../bindings/AssignmentType";
import type { RoleAssignment } from "../bindings/RoleAssignment";

export type RoleChange = {
  communities: string[];
  roleId: string;
  assignmentType: AssignmentType;
  /** "add": keep their other roles there; "replace": the new role becomes their only one there. */
  mode: "add" | "replace";
};

export type RolePlan = {
  /** Sent in one `assign_roles` call (empty: no call). */
  assign: AssignmentSpec[];
  /** Removed afterwards, one `unassign_role` each. */
  unassign: RoleAssignment[];
  /** Communities where they already hold exactly this role and type. */
  unchanged: string[];
};

export function planRoleChange(current: RoleAssignment[], change: RoleChange): RolePlan {
  const assign: AssignmentSpec[] = [];
  const unassign: RoleAssignment[] = [];
  const unchanged: string[] = [];
  if (!change.roleId) return { assign, unassign, unchanged };
  for (const c of new Set(change.communities)) {
    const here = current.filter((a) => a.community_id === c);
    if (here.some((a) => a.role_id === change.roleId && a.assignment_type === change.assignmentType)) unchanged.push(c);
    // The same role with another assignment type is replaced by the server itself.
    else assign.push({ community_id: c, role_id: change.roleId, assignment_type: change.assignmentType });
    if (change.mode === "replace") unassign.push(...here.filter((a) => a.role_id !== change.roleId));
  }
  return { assign, unassign, unchanged };
}
