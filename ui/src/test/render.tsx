// Component tests render views inside a pane with the Tauri IPC mocked at the boundary only
// (`mockIPC` from @tauri-apps/api/mocks): everything above `invoke` is the real UI code.
import { QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { ReactNode } from "react";
import type { AccountView } from "../bindings/AccountView";
import type { ClientError } from "../bindings/ClientError";
import type { CommandArgs } from "../bindings/CommandArgs";
import type { CommandName } from "../ipc";
import type { Workspace } from "../bindings/Workspace";
import { PaneProvider, type PaneContext } from "../context";
import { newQueryClient } from "../query";

/** A stand-in for some of the console's commands, each given the arguments its command takes. */
export type Handlers = { [C in CommandName]?: (args: CommandArgs[C]) => unknown };

/** A refusal, as the console's Rust side answers one (typed: only codes and problem kinds that exist). */
export function refuse(e: ClientError): never {
  throw e;
}

/** [`refuse`], as a rejected promise. */
export function refused(e: ClientError): Promise<never> {
  return Promise.reject(e);
}

/** Answers each command from `handlers`; an unknown command fails the way Tauri would. Returns
 *  the list of calls made, for assertions. */
export function ipc(handlers: Handlers) {
  const calls: { cmd: string; args: Record<string, unknown> }[] = [];
  clearMocks();
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    const h = handlers[cmd as CommandName] as ((args: unknown) => unknown) | undefined;
    if (!h) throw new Error(`unexpected command ${cmd}`);
    return h(a);
  }, { shouldMockEvents: true });
  return calls;
}

export const account: AccountView = {
  key: "ann@example.test @ http://127.0.0.1:1",
  server: "http://127.0.0.1:1",
  email: "ann@example.test",
  user: null,
  signed_in: true,
  last_sync_at: new Date(Date.now() - 5 * 60_000).toISOString(),
};

export const workspace: Workspace = {
  id: "ws-1",
  slug: "northwind",
  name: "Northwind MSSP",
  plan: "pro",
  limits: { max_members: 500, max_communities: 100 },
  security: { require_2fa: false, session_lifetime_minutes: 720, inactive_account_days: 90 },
  created_at: "2026-01-01T00:00:00Z",
  deleted_at: null,
  version: 1,
};

export function pane(over: Partial<PaneContext> = {}): PaneContext {
  return {
    account,
    ws: workspace,
    communities: [],
    setCommunities: () => {},
    offline: null,
    syncedAt: account.last_sync_at,
    production: false,
    guard: async () => true,
    go: () => {},
    intent: null,
    ...over,
  };
}

export function renderInPane(ui: ReactNode, over: Partial<PaneContext> = {}) {
  const qc = newQueryClient();
  return render(
    <QueryClientProvider client={qc}>
      <PaneProvider value={pane(over)}>{ui}</PaneProvider>
    </QueryClientProvider>,
  );
}
