// What "Change roles" will do, worked out before anything is sent, so the editor can say it in
// words: the role given where they do not hold it yet and, when replacing, their other roles
// there taken away — all in one change on the server (all of it or nothing, one audit entry).
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
  /** Given where they do not hold it yet. */
  assign: AssignmentSpec[];
  /** Taken away in the same change (when replacing). */
  unassign: RoleAssignment[];
  /** What is sent: the role in every chosen community when replacing (so the server clears
   *  the others there too), else only where it is new. */
  request: AssignmentSpec[];
  /** Communities where they already hold exactly this role and type. */
  unchanged: string[];
};

export function planRoleChange(current: RoleAssignment[], change: RoleChange): RolePlan {
  const assign: AssignmentSpec[] = [];
  const unassign: RoleAssignment[] = [];
  const unchanged: string[] = [];
  const request: AssignmentSpec[] = [];
  if (!change.roleId) return { assign, unassign, unchanged, request };
  for (const c of new Set(change.communities)) {
    const here = current.filter((a) => a.community_id === c);
    const spec = { community_id: c, role_id: change.roleId, assignment_type: change.assignmentType };
    if (here.some((a) => a.role_id === change.roleId && a.assignment_type === change.assignmentType)) unchanged.push(c);
    // The same role with another assignment type is replaced by the server itself.
    else assign.push(spec);
    if (change.mode === "replace") {
      unassign.push(...here.filter((a) => a.role_id !== change.roleId));
      request.push(spec);
    }
  }
  return { assign, unassign, unchanged, request: change.mode === "replace" ? request : assign };
}
