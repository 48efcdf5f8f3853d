// Fixtures for the members component tests: a workspace with two communities, the built-in
// roles and a `members` handler that pages a large synthetic list like the cache does.
import type { Community } from "../bindings/Community";
import type { MemberPage } from "../bindings/MemberPage";
import type { MemberQuery } from "../bindings/MemberQuery";
import type { MemberRow } from "../bindings/MemberRow";
import type { Role } from "../bindings/Role";

export const communities: Community[] = [
  { id: "c-acme", workspace_id: "ws-1", slug: "acme", name: "Acme", settings: { timezone: "UTC", contact_email: null, region: "eu-west", portal: { enabled: false, show_team: false } }, created_at: "2026-01-01T00:00:00Z", version: 1 },
  { id: "c-glob", workspace_id: "ws-1", slug: "globex", name: "Globex", settings: { timezone: "UTC", contact_email: null, region: "us-east", portal: { enabled: false, show_team: false } }, created_at: "2026-01-01T00:00:00Z", version: 1 },
];

const role = (id: string, name: string, builtin: Role["builtin"]): Role => ({
  id,
  workspace_id: "ws-1",
  name,
  kind: "builtin",
  builtin,
  description: "",
  permissions: [],
  intake_scope: [],
  created_at: "2026-01-01T00:00:00Z",
  version: 1,
});
export const roles: Role[] = [role("r-guest", "Guest", "guest"), role("r-analyst", "Analyst", "analyst"), role("r-admin", "Admin", "admin")];

export function memberRow(i: number, over: Partial<MemberRow> = {}): MemberRow {
  return {
    user_id: `u-${i}`,
    invitation_id: null,
    email: `user${i}@example.test`,
    display_name: `User ${i}`,
    workspace_role: "member",
    two_factor_enabled: i % 2 === 0,
    pending: false,
    since: "2026-02-01T00:00:00Z",
    roles: [{ community_id: "c-acme", role_id: "r-analyst", assignment_type: "dedicated" }],
    contact_of: null,
    ...over,
  };
}

/** A `members` handler over `total` synthetic rows, answering only the requested slice. */
export function pagedMembers(total: number) {
  return (args: Record<string, unknown>): MemberPage => {
    const q = args.query as MemberQuery;
    const rows: MemberRow[] = [];
    for (let i = q.offset; i < Math.min(total, q.offset + q.limit); i++) rows.push(memberRow(i));
    return { rows, total };
  };
}
