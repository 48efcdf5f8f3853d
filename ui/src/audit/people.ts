// Who a user id is, as far as the local cache knows: their email, asked once per distinct id
// (an audit page or a key list names only a handful of people).
import { useQueries } from "@tanstack/react-query";
import { useMemo } from "react";
import { usePane } from "../context";
import { call } from "../ipc";

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

/** "2026-03-04 14:05" in local time, compact for tables. */
export function when(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
