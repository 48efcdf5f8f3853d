// Names for the ids a workspace's views show: its communities and roles (read once from the
// cache and shared by every row), roles in display order, and people by email.
import { useQueries } from "@tanstack/react-query";
import { useMemo } from "react";
import type { Community } from "./bindings/Community";
import type { IntakeKindChoice } from "./bindings/IntakeKindChoice";
import type { Role } from "./bindings/Role";
import type { RowRole } from "./bindings/RowRole";
import { usePane } from "./context";
import { call } from "./ipc";
import { useCmd } from "./query";

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
  const loading = communities.isLoading || roles.isLoading;
  // The same object from one render to the next while nothing changed, so the rows of a table
  // that use it are not rendered again for nothing.
  return useMemo(() => ({ ...makeDirectory(communities.data ?? [], roles.data ?? []), loading }), [communities.data, roles.data, loading]);
}

const BUILTIN_ORDER: Record<string, number> = { guest: 0, analyst: 1, admin: 2 };

/** Built-in roles first (Guest, Analyst, Admin), then the others by name. */
export function orderRoles(roles: Role[]): Role[] {
  return [...roles].sort((a, b) => {
    const ba = a.builtin ? BUILTIN_ORDER[a.builtin] : 99;
    const bb = b.builtin ? BUILTIN_ORDER[b.builtin] : 99;
    return ba - bb || a.name.localeCompare(b.name);
  });
}

/** Who a user id is, as far as the local cache knows: their email, asked once per distinct id
 *  (an audit page or a key list names only a handful of people). */
export function usePeople(ids: (string | null | undefined)[]): (id: string | null | undefined) => string | null {
  const { account, ws } = usePane();
  const distinct = useMemo(() => [...new Set(ids.filter((x): x is string => !!x))].sort(), [ids]);
  const results = useQueries({
    queries: distinct.map((userId) => ({
      queryKey: ["member", { account: account.key, workspaceId: ws.id, userId }],
      queryFn: () => call("member", { account: account.key, workspaceId: ws.id, userId }),
      staleTime: 60_000,
    })),
  });
  const emails = new Map<string, string>();
  distinct.forEach((id, i) => {
    const d = results[i]?.data;
    if (d) emails.set(id, d.member.email);
  });
  return (id) => (id ? (emails.get(id) ?? null) : null);
}

/** The fixed list of intake kinds and their names, as Rust has them. */
export function useIntakeKinds(): { list: IntakeKindChoice[]; label: (kind: string) => string } {
  const kinds = useCmd("intake_kinds", {}, { staleTime: Infinity });
  return useMemo(() => {
    const list = kinds.data ?? [];
    const names = new Map(list.map((k) => [k.kind as string, k.label]));
    return { list, label: (kind: string) => names.get(kind) ?? kind };
  }, [kinds.data]);
}
