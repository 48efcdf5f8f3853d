// What the first screen needs, asked for as soon as the page's script runs (main.tsx), before
// React's first render and all at once, instead of each component asking in turn once the one
// before it has its answer (the account list, then the preferences, then the first pane's
// workspaces and communities: four round trips one after the other on a cold start).
import type { QueryClient } from "@tanstack/react-query";
import type { AccountView } from "./bindings/AccountView";
import type { UiPrefs } from "./bindings/UiPrefs";
import { call } from "./ipc";

let accounts: Promise<AccountView[]> | null = null;
let prefs: Promise<UiPrefs> | null = null;

/** Starts the first reads; the first pane's reads go into `qc` under the keys its views use. */
export function startEarly(qc: QueryClient): void {
  accounts = call("list_accounts", {});
  prefs = call("ui_prefs", {});
  Promise.all([accounts, prefs])
    .then(([list, p]) => {
      // The pane the console opens first (Shell), on its last workspace (Pane).
      const account = p.panes.find((s) => list.some((a) => a.key === s.account))?.account ?? list[0]?.key;
      if (!account) return;
      void qc.prefetchQuery({ queryKey: ["workspaces", { account, search: null }], queryFn: () => call("workspaces", { account, search: null }) });
      const ws = p.panes.find((s) => s.account === account)?.workspace_id ?? p.last_workspace[account];
      if (ws) {
        const args = { account, workspaceId: ws, search: null };
        void qc.prefetchQuery({ queryKey: ["communities", args], queryFn: () => call("communities", args) });
      }
    })
    .catch(() => {});
}

/** The account list asked for at start, once (later calls ask again). */
export function firstAccounts(): Promise<AccountView[]> {
  const p = accounts ?? call("list_accounts", {});
  accounts = null;
  return p;
}

/** The preferences asked for at start, once (later calls ask again). */
export function firstPrefs(): Promise<UiPrefs> {
  const p = prefs ?? call("ui_prefs", {});
  prefs = null;
  return p;
}
