// What a pane is bound to: one account on one server, one workspace, a selection of its
// communities, and whether the server can be reached. Every view below a pane reads it here.
import { createContext, useContext } from "react";
import type { AccountView } from "./bindings/AccountView";
import type { ClientError } from "./bindings/ClientError";
import type { MemberStatus } from "./bindings/MemberStatus";
import type { Workspace } from "./bindings/Workspace";

export type GuardOptions = {
  /** What follows from it, in one sentence ("Integrations using it stop at once."). */
  consequence?: string;
  /** Ask only on a production workspace: for changes that undo themselves (an Undo is offered)
   *  or that a dialog of their own confirms already. */
  productionOnly?: boolean;
};

/** Asks before `what` ("revoke the API key …"); resolves to whether to go ahead (kit/Confirm). */
export type Guard = (what: string, opts?: GuardOptions) => Promise<boolean>;

/** The views of a pane. */
export type Tab = "overview" | "communities" | "members" | "roles" | "keys" | "audit" | "settings";

/** Where to take a pane: a view, optionally narrowed (the palette, a matrix cell, a link).
 *  Prefills only; nothing is changed by following one. */
export type Intent = {
  /** Open this view; unset keeps the view shown. */
  tab?: Tab;
  /** Select these communities in the pane. */
  communities?: string[];
  /** Members: filter to holders of this role. */
  roleId?: string;
  /** Members: only people who joined, or only pending invitations (unset: both). */
  status?: MemberStatus;
  /** Members: open this person's panel. */
  member?: string;
};

export type PaneContext = {
  account: AccountView;
  ws: Workspace;
  /** Selected communities (ids); empty means all of the workspace's. */
  communities: string[];
  setCommunities: (ids: string[]) => void;
  /** Set while the account's server cannot be reached: why, in the client's words. */
  offline: ClientError | null;
  /** When the cache last caught up with the server (ISO), for "data from 5 minutes ago". */
  syncedAt: string | null;
  /** The user marked this workspace as production: destructive changes ask first. */
  production: boolean;
  /** Asks before a destructive change (see kit/Confirm). */
  guard: Guard;
  /** Takes the pane to a view (see Intent). */
  go: (to: Intent) => void;
  /** The last Intent followed, with when (to tell one request from the next); views read the
   *  parts meant for them once, when they open or when `at` changes. */
  intent: (Intent & { at: number }) | null;
};

const Ctx = createContext<PaneContext | null>(null);
export const PaneProvider = Ctx.Provider;

export function usePane(): PaneContext {
  const c = useContext(Ctx);
  if (!c) throw new Error("usePane outside a pane");
  return c;
}

/** Why a server action cannot run now, or null when it can. */
export function serverBlocked(p: Pick<PaneContext, "offline">): string | null {
  return p.offline ? "The server cannot be reached; this needs the server. Your input is kept." : null;
}
