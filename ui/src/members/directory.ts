// Names for the ids the members table and panel show: communities and roles of the workspace,
// read once from the cache and shared by every row.
import { useMemo } from "react";
import type { Community } from "../bindings/Community";
import type { Role } from "../bindings/Role";
import type { RowRole } from "../bindings/RowRole";
import { usePane } from "../context";
import { useCmd } from "../query";

export type Directory = {
  communities: Community[];
  roles: Role[];
  /** The community's or role's name, or null when the cache does not know the id. */
  nameOf: (id: string) => string | null;
  communityName: (id: string) => string;
  roleName: (id: string) => string;
  /** "Analyst in Acme". */
  grant: (r: Pick<RowRole, "community_id" | "role_id">) => string;
};

export function makeDirectory(communities: Community[], roles: Role[]): Directory {
  const c = new Map(communities.map((x) => [x.id, x.name]));
  const r = new Map(roles.map((x) => [x.id, x.name]));
  const communityName = (id: string) => c.get(id) ?? "a removed community";
  const roleName = (id: string) => r.get(id) ?? "a removed role";
  const nameOf = (id: string) => c.get(id) ?? r.get(id) ?? null;
  return { communities, roles, nameOf, communityName, roleName, grant: (x) => `${roleName(x.role_id)} in ${communityName(x.community_id)}` };
}

export function useDirectory(): Directory & { loading: boolean } {
  const { account, ws } = usePane();
  const communities = useCmd("communities", { account: account.key, workspaceId: ws.id, search: null });
  const roles = useCmd("roles", { account: account.key, workspaceId: ws.id });
  const dir = useMemo(() => makeDirectory(communities.data ?? [], roles.data ?? []), [communities.data, roles.data]);
  return { ...dir, loading: communities.isLoading || roles.isLoading };
}
