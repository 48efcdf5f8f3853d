// One pane: an account, one of its workspaces, a selection of communities, and the views of
// that workspace. Its header always says which workspace, on which server, as whom — in the
// workspace's colour — so two panes side by side can never be confused.
import { useEffect, useMemo, useState } from "react";
import type { AccountView } from "../bindings/AccountView";
import type { UiPrefs } from "../bindings/UiPrefs";
import type { Workspace } from "../bindings/Workspace";
import { workspaceColour } from "../colour";
import { PaneProvider, type PaneContext } from "../context";
import { age, counted } from "../format";
import { describe, HOTKEYS, useHotkey, type HotkeyId } from "../hotkeys";
import { useCmd } from "../query";
import { useProductionGuard } from "../kit/Confirm";
import { Empty, ErrorNote, Loading } from "../kit/kit";
import { AuditLog } from "../audit/AuditLog";
import { CommunitiesView } from "../communities/CommunitiesView";
import { ApiKeys } from "../keys/ApiKeys";
import { MembersView } from "../members/MembersView";
import { ExportButtons } from "../overview/ExportButtons";
import { Overview } from "../overview/Overview";
import { PortalView } from "../portal/Portal";
import { RolesEditor } from "../roles/RolesEditor";
import { CreateWorkspaceDialog, WorkspaceSettings } from "../workspace/Lifecycle";
import { StatusBanners } from "./Banners";
import { InvitationList } from "./Invitations";
import { CommunitySwitcher } from "./CommunitySwitcher";
import { IDLE, type AccountStatus } from "./sync";

export type Tab = "overview" | "communities" | "members" | "roles" | "keys" | "audit" | "settings";
const TABS: { id: Tab; label: string; hotkey: HotkeyId }[] = [
  { id: "overview", label: "Overview", hotkey: "tabOverview" },
  { id: "communities", label: "Communities", hotkey: "tabCommunities" },
  { id: "members", label: "Members", hotkey: "tabMembers" },
  { id: "roles", label: "Roles", hotkey: "tabRoles" },
  { id: "keys", label: "API keys", hotkey: "tabKeys" },
  { id: "audit", label: "Audit log", hotkey: "tabAudit" },
  { id: "settings", label: "Workspace", hotkey: "tabSettings" },
];

export type PaneProps = {
  index: number;
  account: AccountView;
  workspaceId: string | null;
  /** Communities to select once the workspace is shown (from the palette). */
  focusCommunity: string | null;
  /** A view to open (from the palette); `at` tells one request from the next. */
  focusTab: { tab: Tab; at: number } | null;
  status: AccountStatus | undefined;
  prefs: UiPrefs;
  focused: boolean;
  closable: boolean;
  onFocus: () => void;
  onWorkspace: (id: string) => void;
  onClose: () => void;
  onSync: () => void;
  onPrefs: (p: UiPrefs) => void;
  /** The workspace shown, for the window title. */
  onShown: (ws: Workspace | null) => void;
};

export function Pane(props: PaneProps) {
  const { account, prefs, focused } = props;
  const status = props.status ?? { ...IDLE, syncedAt: account.last_sync_at };
  const workspaces = useCmd("workspaces", { account: account.key, search: null });
  const list = workspaces.data ?? [];
  const ws = list.find((w) => w.id === props.workspaceId) ?? list.find((w) => w.id === prefs.last_workspace[account.key]) ?? list[0] ?? null;
  const [tab, setTab] = useState<Tab>("overview");
  const [selection, setSelection] = useState<{ ws: string | null; ids: string[] }>({ ws: null, ids: [] });
  const [creating, setCreating] = useState(false);
  const communities = useCmd("communities", ws ? { account: account.key, workspaceId: ws.id, search: null } : null);
  const offers = useCmd("invitations_offered", { account: account.key });

  useEffect(() => {
    if (focused) props.onShown(ws);
  }, [focused, ws]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    if (props.focusCommunity && ws) setSelection({ ws: ws.id, ids: [props.focusCommunity] });
  }, [props.focusCommunity, ws?.id]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    if (props.focusTab) setTab(props.focusTab.tab);
  }, [props.focusTab?.at]); // eslint-disable-line react-hooks/exhaustive-deps
  // Single- or multi-tenant, per workspace of the account (the domain's rule).
  const modes = useCmd("workspace_modes", { account: account.key });
  const modeOf = (id: string) => modes.data?.find((m) => m.workspace_id === id) ?? null;
  const mode = ws ? modeOf(ws.id) : null;
  // A client contact sees their community's portal only: no tabs, no community switcher, and
  // no workspace switcher unless the account also belongs to workspaces as one of their people.
  const portal = mode?.contact_of ?? null;
  const switchable = !portal || list.some((w) => !modeOf(w.id)?.contact_of);

  for (const t of TABS) {
    // eslint-disable-next-line react-hooks/rules-of-hooks
    useHotkey(t.hotkey, () => setTab(t.id), focused);
  }

  const production = ws ? prefs.production.includes(ws.id) : false;
  const { guard, dialog } = useProductionGuard(ws?.name ?? "", production);
  const selected = selection.ws === ws?.id ? selection.ids : [];
  const ctx: PaneContext | null = useMemo(
    () =>
      ws && {
        account,
        ws,
        communities: selected,
        setCommunities: (ids: string[]) => setSelection({ ws: ws.id, ids }),
        offline: status.offline,
        syncedAt: status.syncedAt,
        production,
        guard,
      },
    [account, ws, selected, status.offline, status.syncedAt, production, guard],
  );
  const colour = ws ? workspaceColour(prefs.colours, ws) : "gray";

  return (
    <section
      className={focused ? "pane focused" : "pane"}
      aria-label={`Pane ${props.index + 1}: ${ws?.name ?? "no workspace"} as ${account.email}`}
      onFocusCapture={props.onFocus}
      onMouseDown={props.onFocus}
      style={{ ["--ws" as string]: colour }}
    >
      <header className="pane-header">
        <span className="ws-dot" aria-hidden />
        <h1 className="ws-name" data-testid="workspace-name">{ws?.name ?? "No workspace"}</h1>
        {portal ? (
          <span className="badge mode" data-testid="tenancy-mode" title="You are a client contact: you see your community's overview, read-only">
            client portal
          </span>
        ) : mode && mode.confined ? (
          <span className="badge mode" data-testid="tenancy-mode" title="As a member you see the communities you hold a role in; the others do not show here">
            {`your ${counted(mode.communities, "community", "communities")}`}
          </span>
        ) : (
          mode && (
            <span className="badge mode" data-testid="tenancy-mode" title={mode.mode === "multi_tenant" ? "Several communities: each is a client of its own" : "One community: one organisation"}>
              {mode.mode === "multi_tenant" ? `multi-tenant · ${counted(mode.communities, "community", "communities")}` : "single-tenant"}
            </span>
          )
        )}
        {production && <span className="badge production" title="Marked as production: destructive changes ask for confirmation">production</span>}
        {switchable && (
          <label className="switcher">
            <span className="sr-only">Workspace</span>
            <select
              aria-label="Workspace"
              value={ws?.id ?? ""}
              onChange={(e) => (e.target.value === "+new" ? setCreating(true) : props.onWorkspace(e.target.value))}
            >
              {!ws && <option value="" disabled>{status.syncing ? "Loading workspaces…" : "No workspace"}</option>}
              {/* Grouped once the modes are known, so the options do not move under a click. */}
              {ws && !modes.data && !modes.error && <option value={ws.id}>{ws.name}</option>}
              {(modes.data || modes.error ? (["multi_tenant", "single_tenant"] as const) : []).map((m) => {
                const inMode = list.filter((w) => (modeOf(w.id)?.mode ?? "single_tenant") === m);
                return inMode.length === 0 ? null : (
                  <optgroup key={m} label={m === "multi_tenant" ? "Multi-tenant (each community a client)" : "Single-tenant"}>
                    {inMode.map((w) => (
                      <option key={w.id} value={w.id}>{w.name}</option>
                    ))}
                  </optgroup>
                );
              })}
              <option value="+new">New workspace…</option>
            </select>
          </label>
        )}
        {ws && communities.data && !portal && <CommunitySwitcher communities={communities.data} selected={selected} onChange={(ids) => setSelection({ ws: ws.id, ids })} />}
        <span className="spacer" />
        <span className="who muted small" title="Account and server of this pane">
          {account.email} · {account.server.replace(/^https?:\/\//, "")}
        </span>
        <button type="button" className="small sync-now" onClick={props.onSync} disabled={status.syncing} title={`Sync now (${describe(HOTKEYS.sync)})`}>
          {status.syncing ? "Syncing…" : "Sync"}
        </button>
        {props.closable && (
          <button type="button" className="close-pane" aria-label={`Close pane ${props.index + 1}`} onClick={props.onClose}>×</button>
        )}
      </header>
      <StatusBanners status={status} onRetry={props.onSync} />
      {portal ? (
        <div className="tabs">
          <span className="spacer" />
          <span className="muted small" data-testid="data-age">{status.syncedAt ? `Data from ${age(status.syncedAt)}` : status.syncing ? "Syncing for the first time…" : "Not synced yet"}</span>
        </div>
      ) : (
        <nav className="tabs" role="tablist" aria-label="Views">
          {TABS.map((t) => (
            <button key={t.id} role="tab" type="button" aria-selected={tab === t.id} onClick={() => setTab(t.id)} title={describe(HOTKEYS[t.hotkey])}>
              {t.label}
            </button>
          ))}
          <span className="spacer" />
          <span className="muted small" data-testid="data-age">{status.syncedAt ? `Data from ${age(status.syncedAt)}` : status.syncing ? "Syncing for the first time…" : "Not synced yet"}</span>
        </nav>
      )}
      {creating && <CreateWorkspaceDialog account={account} offline={status.offline} onClose={() => setCreating(false)} onCreated={(w) => { setCreating(false); props.onWorkspace(w.id); }} />}
      <div className="pane-body" role="tabpanel">
        {workspaces.isLoading ? (
          <Loading what="workspaces" />
        ) : workspaces.error ? (
          <ErrorNote error={workspaces.error} onRetry={() => workspaces.refetch()} />
        ) : !ctx ? (
          <>
            <Empty>
              {status.syncing ? "Fetching your workspaces…" : offers.data?.length ? "No workspace yet: answer an invitation below, or create a workspace." : "No workspaces yet. When you are invited to one, it appears here after a sync."}{" "}
              <button type="button" onClick={() => setCreating(true)}>Create a workspace</button>
            </Empty>
            {!!offers.data?.length && (
              <section aria-label="Your invitations">
                <h2>Invitations</h2>
                <InvitationList account={account} offers={offers.data} offline={status.offline !== null} />
              </section>
            )}
          </>
        ) : (
          <PaneProvider value={ctx}>
            {dialog}
            {portal ? (
              <PortalView communityId={portal} />
            ) : (
              <>
                {tab === "overview" && <Overview />}
                {tab === "communities" && <CommunitiesView />}
                {tab === "members" && <MembersView />}
                {tab === "roles" && <RolesEditor />}
                {tab === "keys" && <ApiKeys />}
                {tab === "audit" && <AuditLog />}
                {tab === "settings" && (
                  <>
                    <WorkspaceSettings prefs={prefs} onPrefs={props.onPrefs} />
                    <ExportButtons />
                  </>
                )}
              </>
            )}
          </PaneProvider>
        )}
      </div>
    </section>
  );
}
