// The members table never holds the whole workspace: the Rust side pages the cache, and the
// table asks only for the pages covering the rows on screen (plus a little overscan). Pages
// that scroll away are dropped from memory soon after.
import { useQueries } from "@tanstack/react-query";
import { useMemo, useRef } from "react";
import type { AssignmentType } from "../bindings/AssignmentType";
import type { ClientError } from "../bindings/ClientError";
import type { MemberPage } from "../bindings/MemberPage";
import type { MemberQuery } from "../bindings/MemberQuery";
import type { MemberRow } from "../bindings/MemberRow";
import type { MemberSort } from "../bindings/MemberSort";
import type { MemberStatus } from "../bindings/MemberStatus";
import type { WorkspaceRole } from "../bindings/WorkspaceRole";
import { asClientError, call } from "../ipc";

export const PAGE_SIZE = 200;
/** Pages out of view are forgotten after this long, so scrolling through 200,000 rows does not pile them up. */
const PAGE_GC_MS = 15_000;

export type Filters = {
  search: string;
  workspaceRole: WorkspaceRole | "";
  roleId: string;
  assignmentType: AssignmentType | "";
  twoFactor: "" | "on" | "off";
  status: MemberStatus;
};

export const NO_FILTERS: Filters = { search: "", workspaceRole: "", roleId: "", assignmentType: "", twoFactor: "", status: "all" };

export type Sort = { by: MemberSort; descending: boolean };

/** Any filter narrowing the list, the pane's community selection included: tells "nobody matches" from "nobody here". */
export function isFiltered(f: Filters, communities: string[]): boolean {
  return f.search.trim() !== "" || f.workspaceRole !== "" || f.roleId !== "" || f.assignmentType !== "" || f.twoFactor !== "" || f.status !== "all" || communities.length > 0;
}

/** The `members` query for the filters, without offset and limit. */
export function memberQuery(workspaceId: string, f: Filters, communities: string[], sort: Sort): Omit<MemberQuery, "offset" | "limit"> {
  return {
    workspace_id: workspaceId,
    search: f.search.trim() || null,
    workspace_role: f.workspaceRole || null,
    communities,
    role_id: f.roleId || null,
    assignment_type: f.assignmentType || null,
    two_factor: f.twoFactor === "" ? null : f.twoFactor === "on",
    status: f.status,
    sort: sort.by,
    descending: sort.descending,
  };
}

/** What page 0 of `next` shows while it loads, from the last answer (`last`). */
function whileLoading(last: { key: readonly unknown[]; data: MemberPage } | null, account: string, next: Omit<MemberQuery, "offset" | "limit">): MemberPage | undefined {
  if (!last) return undefined;
  const asked = last.key[1] as { account: string; query: MemberQuery };
  return asked.account === account && asked.query.workspace_id === next.workspace_id ? last.data : undefined;
}

export type Pages = {
  /** All rows matching, once known. */
  total: number | null;
  /** The row at `index`, or undefined while its page loads. */
  row: (index: number) => MemberRow | undefined;
  /** The current question, once its first rows are in (null while the previous question's
   *  rows stay on screen): a new one means new rows to paint. */
  current: string | null;
  /** The first page is loading and nothing is known yet. */
  loading: boolean;
  error: ClientError | null;
  retry: () => void;
};

/**
 * Rows `first..last` (inclusive, the virtual window) of the query, fetched page by page.
 * The first page is always asked for: it gives the total that sizes the scrollbar.
 */
export function useMemberPages(account: string, base: Omit<MemberQuery, "offset" | "limit">, first: number, last: number): Pages {
  const wanted = useMemo(() => {
    const set = new Set<number>([0]);
    for (let p = Math.floor(Math.max(0, first) / PAGE_SIZE); p <= Math.floor(Math.max(0, last) / PAGE_SIZE); p++) set.add(p);
    return [...set].sort((a, b) => a - b);
  }, [first, last]);

  // The last first page answered, and its key. useQueries gives a new question its own observer,
  // which knows no previous answer: it is kept here instead.
  const lastAnswer = useRef<{ key: readonly unknown[]; data: MemberPage } | null>(null);
  const results = useQueries({
    queries: wanted.map((p) => {
      const args = { account, query: { ...base, offset: p * PAGE_SIZE, limit: PAGE_SIZE } };
      return {
        // The same key shape as useCmd, so a change's invalidation refreshes these too.
        queryKey: ["members", args],
        queryFn: () => call("members", args),
        gcTime: PAGE_GC_MS,
        // While page 0 of a new question loads, the previous question's rows stay on screen
        // (no flash of "Loading" at each keystroke in the search box), in the same workspace
        // only. The rows for the new text come from the cache: the UI does not match them
        // itself, so what a search finds is decided in one place (tenancy-client).
        placeholderData: p === 0 ? () => whileLoading(lastAnswer.current, account, base) : undefined,
      };
    }),
  });
  const top = results[0];
  if (top?.data && !top.isPlaceholderData) lastAnswer.current = { key: ["members", { account, query: { ...base, offset: 0, limit: PAGE_SIZE } }], data: top.data };

  const lastTotal = useRef<number | null>(null);
  const byPage = new Map<number, MemberRow[]>();
  let total: number | null = null;
  let error: ClientError | null = null;
  results.forEach((r, i) => {
    if (r.data) {
      byPage.set(wanted[i], r.data.rows);
      if (!r.isPlaceholderData || total === null) total = Number(r.data.total);
    }
    if (r.error && !error) error = asClientError(r.error);
  });
  if (total !== null) lastTotal.current = total;

  return {
    total: total ?? lastTotal.current,
    row: (index) => byPage.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE],
    current: results[0]?.data && !results[0].isPlaceholderData ? JSON.stringify(base) : null,
    loading: results[0]?.isPending ?? true,
    error,
    retry: () => results.forEach((r) => r.error && r.refetch()),
  };
}
