// Every command the console's Rust side offers, typed with the ts-rs bindings. A misspelt
// command or a wrong argument is a type error here, not a runtime surprise.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { AccountView } from "./bindings/AccountView";
import type { Aggregate } from "./bindings/Aggregate";
import type { ApiKey } from "./bindings/ApiKey";
import type { ClientError } from "./bindings/ClientError";
import type { Community } from "./bindings/Community";
import type { DemoHint } from "./bindings/DemoHint";
import type { Invitation } from "./bindings/Invitation";
import type { MemberDetail } from "./bindings/MemberDetail";
import type { MemberPage } from "./bindings/MemberPage";
import type { MemberQuery } from "./bindings/MemberQuery";
import type { Role } from "./bindings/Role";
import type { SyncOutcome } from "./bindings/SyncOutcome";
import type { SyncProgressEvent } from "./bindings/SyncProgressEvent";
import type { SyncState } from "./bindings/SyncState";
import type { UiPrefs } from "./bindings/UiPrefs";
import type { Workspace } from "./bindings/Workspace";

type Commands = {
  demo_hint: [Record<string, never>, DemoHint | null];
  ui_prefs: [Record<string, never>, UiPrefs];
  save_ui_prefs: [{ prefs: UiPrefs }, UiPrefs];
  all_communities: [{ account: string }, Community[]];
  list_accounts: [Record<string, never>, AccountView[]];
  add_account: [{ server: string; email: string; password: string; totp: string | null }, AccountView];
  sign_out: [{ account: string }, null];
  sync_now: [{ account: string }, SyncOutcome];
  sync_status: [{ account: string }, SyncState];
  workspaces: [{ account: string; search: string | null }, Workspace[]];
  communities: [{ account: string; workspaceId: string; search: string | null }, Community[]];
  roles: [{ account: string; workspaceId: string }, Role[]];
  members: [{ account: string; query: MemberQuery }, MemberPage];
  member: [{ account: string; workspaceId: string; userId: string }, MemberDetail | null];
  aggregate: [{ account: string; workspaceId: string; communities: string[] }, Aggregate];
  invitations: [{ account: string; workspaceId: string }, Invitation[]];
  api_keys: [{ account: string; communityId: string }, ApiKey[]];
};

export async function call<C extends keyof Commands>(cmd: C, args: Commands[C][0]): Promise<Commands[C][1]> {
  try {
    return await invoke<Commands[C][1]>(cmd, args);
  } catch (e) {
    throw asClientError(e);
  }
}

/** Every failure the UI shows is a `{code, message}`; anything else becomes an internal one. */
export function asClientError(e: unknown): ClientError {
  if (e && typeof e === "object" && "code" in e && "message" in e) return e as ClientError;
  return { code: "internal", message: String(e), problem: null };
}

export function onSyncProgress(f: (e: SyncProgressEvent) => void): Promise<UnlistenFn> {
  return listen<SyncProgressEvent>("sync-progress", (ev) => f(ev.payload));
}
