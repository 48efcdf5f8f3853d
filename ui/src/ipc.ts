// Every command the console's Rust side offers, typed with the ts-rs bindings. A misspelt
// command or a wrong argument is a type error here, not a runtime surprise.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { AccountView } from "./bindings/AccountView";
import type { Aggregate } from "./bindings/Aggregate";
import type { ApiKey } from "./bindings/ApiKey";
import type { AssignRoles } from "./bindings/AssignRoles";
import type { AuditEntry } from "./bindings/AuditEntry";
import type { CatalogueEntry } from "./bindings/CatalogueEntry";
import type { ClientError } from "./bindings/ClientError";
import type { Community } from "./bindings/Community";
import type { Comparison } from "./bindings/Comparison";
import type { CreateApiKey } from "./bindings/CreateApiKey";
import type { CreateCommunity } from "./bindings/CreateCommunity";
import type { CreatedApiKey } from "./bindings/CreatedApiKey";
import type { CreateIntake } from "./bindings/CreateIntake";
import type { CreateInvitation } from "./bindings/CreateInvitation";
import type { CreateRole } from "./bindings/CreateRole";
import type { CreateWorkspace } from "./bindings/CreateWorkspace";
import type { DemoHint } from "./bindings/DemoHint";
import type { ExportFormat } from "./bindings/ExportFormat";
import type { ExportResult } from "./bindings/ExportResult";
import type { ExportWhat } from "./bindings/ExportWhat";
import type { Intake } from "./bindings/Intake";
import type { Invitation } from "./bindings/Invitation";
import type { Member } from "./bindings/Member";
import type { MemberDetail } from "./bindings/MemberDetail";
import type { MemberPage } from "./bindings/MemberPage";
import type { MemberQuery } from "./bindings/MemberQuery";
import type { Membership } from "./bindings/Membership";
import type { Page } from "./bindings/Page";
import type { PaneRef } from "./bindings/PaneRef";
import type { Plan } from "./bindings/Plan";
import type { Role } from "./bindings/Role";
import type { RoleAssignment } from "./bindings/RoleAssignment";
import type { SlugHint } from "./bindings/SlugHint";
import type { SyncOutcome } from "./bindings/SyncOutcome";
import type { SyncProgressEvent } from "./bindings/SyncProgressEvent";
import type { SyncState } from "./bindings/SyncState";
import type { UiPrefs } from "./bindings/UiPrefs";
import type { UpdateCommunity } from "./bindings/UpdateCommunity";
import type { UpdateRole } from "./bindings/UpdateRole";
import type { UpdateWorkspace } from "./bindings/UpdateWorkspace";
import type { Workspace } from "./bindings/Workspace";
import type { WorkspaceRole } from "./bindings/WorkspaceRole";
import type { WorkspaceUsage } from "./bindings/WorkspaceUsage";

type None = Record<string, never>;
type Acc = { account: string };
type InWs = Acc & { workspaceId: string };
/** Optimistic concurrency: the version the user saw (the server answers precondition_failed if it moved). */
type Version = { version: number | null };

export type Commands = {
  // session, preferences
  demo_hint: [None, DemoHint | null];
  ui_prefs: [None, UiPrefs];
  save_ui_prefs: [{ prefs: UiPrefs }, UiPrefs];
  list_accounts: [None, AccountView[]];
  add_account: [{ server: string; email: string; password: string; totp: string | null }, AccountView];
  sign_out: [Acc, null];
  sync_now: [Acc, SyncOutcome];
  sync_status: [Acc, SyncState];
  // reads, from the cache
  workspaces: [Acc & { search: string | null }, Workspace[]];
  communities: [InWs & { search: string | null }, Community[]];
  all_communities: [Acc, Community[]];
  roles: [InWs, Role[]];
  members: [Acc & { query: MemberQuery }, MemberPage];
  member: [InWs & { userId: string }, MemberDetail | null];
  aggregate: [InWs & { communities: string[] }, Aggregate];
  invitations: [InWs, Invitation[]];
  api_keys: [Acc & { communityId: string }, ApiKey[]];
  intakes: [Acc & { communityId: string }, Intake[]];
  usage: [InWs, WorkspaceUsage];
  permission_catalogue: [None, CatalogueEntry[]];
  export: [InWs & { what: ExportWhat; format: ExportFormat; communities: string[] }, ExportResult];
  compare: [{ left: PaneRef; right: PaneRef }, Comparison];
  slug_hint: [{ name: string; slug: string }, SlugHint];
  // reads that need the server
  audit: [InWs & { cursor: string | null }, Page<AuditEntry>];
  deleted_workspaces: [Acc, Workspace[]];
  // changes, sent to the server
  create_workspace: [Acc & { req: CreateWorkspace }, Workspace];
  update_workspace: [InWs & Version & { req: UpdateWorkspace }, Workspace];
  change_plan: [InWs & Version & { plan: Plan }, Workspace];
  delete_workspace: [InWs & Version & { confirmSlug: string }, Workspace];
  restore_workspace: [InWs, Workspace];
  create_community: [InWs & { req: CreateCommunity }, Community];
  update_community: [InWs & Version & { communityId: string; req: UpdateCommunity }, Community];
  invite: [InWs & { req: CreateInvitation }, Invitation];
  revoke_invitation: [InWs & { invitationId: string }, Invitation];
  accept_invitation: [Acc & { invitationId: string }, Membership];
  change_member_role: [InWs & Version & { userId: string; role: WorkspaceRole }, Member];
  remove_member: [InWs & { userId: string }, null];
  reset_2fa: [InWs & { userId: string }, Member];
  assign_roles: [InWs & { userId: string; req: AssignRoles }, RoleAssignment[]];
  unassign_role: [InWs & { assignmentId: string }, null];
  create_role: [InWs & { req: CreateRole }, Role];
  update_role: [InWs & Version & { roleId: string; req: UpdateRole }, Role];
  delete_role: [InWs & { roleId: string }, null];
  create_api_key: [InWs & { communityId: string; req: CreateApiKey }, CreatedApiKey];
  revoke_api_key: [InWs & { communityId: string; apiKeyId: string }, ApiKey];
  create_intake: [InWs & { communityId: string; req: CreateIntake }, Intake];
  delete_intake: [InWs & { communityId: string; intakeId: string }, null];
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
