// One pane: an account, one of its workspaces, a selection of communities, and the views of
// that workspace. Its header always says which workspace, on which server, as whom — in the
// workspace's colour — so two panes side by side can never be confused.
import { lazy, Suspense, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useWidth } from "../kit/useWidth";
import type { AccountView } from "../bindings/AccountView";
import type { UiPrefs } from "../bindings/UiPrefs";
import type { Workspace } from "../bindings/Workspace";
import { workspaceColour } from "../colour";
import { accountName, host } from "../accounts";
import { PaneProvider, type Intent, type PaneContext, type Tab } from "../context";
import { age, counted } from "../format";
import { describe, HOTKEYS, useHotkey, type HotkeyId } from "../hotkeys";
import { useCmd } from "../query";
import { useProductionGuard } from "../kit/Confirm";
import { Empty, ErrorNote, Loading } from "../kit/kit";
import { MembersView } from "../members/MembersView";
import { ExportButtons } from "../overview/ExportButtons";
import { Overview } from "../overview/Overview";
import { CreateWorkspaceDialog, WorkspaceSettings } from "../workspace/Lifecycle";
import { StatusBanners } from "./Banners";
import { InvitationList } from "./Invitations";
import { CommunitySwitcher } from "./CommunitySwitcher";
import { IDLE, type AccountStatus } from "./sync";
import { afterPaint, markOnce, PERF } from "../perf";

// The views a cold start does not show are loaded once the first one is on screen (and at once
// if one is opened before): the script the window parses before its first screen is smaller.
const loaders = {
  communities: () => import("../communities/CommunitiesView").then((m) => ({ default: m.CommunitiesView })),
  roles: () => import("../roles/RolesEditor").then((m) => ({ default: m.RolesEditor })),
  keys: () => import("../keys/ApiKeys").then((m) => ({ default: m.ApiKeys })),
  audit: () => import("../audit/AuditLog").then((m) => ({ default: m.AuditLog })),
  portal: () => import("../portal/Portal").then((m) => ({ default: m.PortalView })),
};
const CommunitiesView = lazy(loaders.communities);
const RolesEditor = lazy(loaders.roles);
const ApiKeys = lazy(loaders.keys);
const AuditLog = lazy(loaders.audit);
const PortalView = lazy(loaders.portal);
/** After the first screen, how long before the other views are loaded. */
const PRELOAD_AFTER_MS = 1_000;

export type { Tab };
export const TABS: { id: Tab; label: string; hotkey: HotkeyId }[] = [
  { id: "overview", label: "Overview", hotkey: "tabOverview" },
  { id: "communities", label: "Communities", hotkey: "tabCommunities" },
  { id: "members", label: "Members", hotkey: "tabMembers" },
  { id: "roles", label: "Roles", hotkey: "tabRoles" },
  { id: "keys", label: "API keys", hotkey: "tabKeys" },
  { id: "audit", label: "Audit log", hotkey: "tabAudit" },
  { id: "settings", label: "Workspace", hotkey: "tabSettings" },
];

/** Below this pane width (half of a laptop screen) the views fold into a menu, side panels lay
 *  over the list instead of beside it, and wide tables drop their least needed columns. */
export const NARROW_BELOW = 900;

export type PaneProps = {
  index: number;
  account: AccountView;
  workspaceId: string | null;
  /** Where to take the pane once its workspace is shown (from the palette); `at` tells one
   *  request from the next. */
  intent: (Intent & { at: number }) | null;
  status: AccountStatus | undefined;
  prefs: UiPrefs;
  focused: boolean;
  closable: boolean;
  onFocus: () => void;
  onWorkspace: (id: string) => void;
  onClose: () => void;
  onSync: () => void;
  onPrefs: (p: UiPrefs) => void;
  /** The workspace shown and its selected communities (for the window title and Compare). */
  onShown: (ws: Workspace | null, communities: string[]) => void;
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

  const selected = selection.ws === ws?.id ? selection.ids : [];
  useEffect(() => {
    props.onShown(ws, selected);
  }, [ws, selected.join(",")]); // eslint-disable-line react-hooks/exhaustive-deps
  const [intent, setIntent] = useState(props.intent);
  useEffect(() => {
    if (props.intent) setIntent(props.intent);
  }, [props.intent?.at]); // eslint-disable-line react-hooks/exhaustive-deps
  const go = useCallback((to: Intent) => setIntent({ ...to, at: Date.now() }), []);
  // Followed once the workspace it is meant for is shown.
  useEffect(() => {
    if (!intent || !ws) return;
    if (intent.tab) setTab(intent.tab);
    if (intent.communities) setSelection({ ws: ws.id, ids: intent.communities });
  }, [intent?.at, ws?.id]); // eslint-disable-line react-hooks/exhaustive-deps
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
        go,
        intent,
      },
    [account, ws, selected, status.offline, status.syncedAt, production, guard, go, intent],
  );
  // The workspace's views are on screen (`make bench` times a cold start to it).
  const shown = !!ctx && !portal;
  useLayoutEffect(() => {
    if (!shown) return;
    afterPaint(() => markOnce(PERF.viewsShown));
    const t = setTimeout(() => Object.values(loaders).forEach((load) => void load().catch(() => {})), PRELOAD_AFTER_MS);
    return () => clearTimeout(t);
  }, [shown]);
  const colour = ws ? workspaceColour(prefs.colours, ws) : "gray";
  const self = useRef<HTMLElement>(null);
  const width = useWidth(self);
  const narrow = width > 0 && width < NARROW_BELOW;
  const dataAge = (
    <span className="muted small data-age" data-testid="data-age">
      {status.syncedAt ? `Data from ${age(status.syncedAt)}` : status.syncing ? "Syncing for the first time…" : "Not synced yet"}
    </span>
  );

  return (
    <section
      ref={self}
      data-size={narrow ? "narrow" : "wide"}
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
        {status.offline && (
          <span className="badge offline" data-testid="pane-offline" title={status.offline.message}>
            offline
          </span>
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
        <span className="who muted small" title={`Account and server of this pane: ${account.email} on ${host(account.server)}`} data-testid="pane-account">
          {prefs.labels?.[account.key] ? (
            <>
              <strong>{prefs.labels[account.key]}</strong> · {account.email}
            </>
          ) : (
            accountName(account, {})
          )}
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
          {dataAge}
        </div>
      ) : narrow ? (
        <nav className="tabs compact" aria-label="Views">
          <ViewMenu tab={tab} onTab={setTab} />
          <span className="spacer" />
          {dataAge}
        </nav>
      ) : (
        <nav className="tabs" role="tablist" aria-label="Views">
          {TABS.map((t) => (
            <button key={t.id} role="tab" type="button" aria-selected={tab === t.id} onClick={() => setTab(t.id)} title={describe(HOTKEYS[t.hotkey])}>
              {t.label}
            </button>
          ))}
          <span className="spacer" />
          {dataAge}
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
            <Suspense fallback={<Loading what="the view" />}>
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
            </Suspense>
          </PaneProvider>
        )}
      </div>
    </section>
  );
}

/** The views as a menu, for a narrow pane: a button naming the view shown opens the list
 *  (arrow keys move, Enter or a click opens, Escape closes). */
function ViewMenu({ tab, onTab }: { tab: Tab; onTab: (t: Tab) => void }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const current = TABS.find((t) => t.id === tab) ?? TABS[0];
  useEffect(() => {
    if (open) list.current?.querySelector<HTMLElement>("[aria-checked=true]")?.focus();
  }, [open]);
  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };
  const onKey = (e: React.KeyboardEvent) => {
    const items = [...(list.current?.querySelectorAll<HTMLElement>("[role=menuitemradio]") ?? [])];
    const i = items.indexOf(document.activeElement as HTMLElement);
    const to = (j: number) => items[(j + items.length) % items.length]?.focus();
    if (e.key === "ArrowDown") to(i + 1);
    else if (e.key === "ArrowUp") to(i - 1);
    else if (e.key === "Home") to(0);
    else if (e.key === "End") to(items.length - 1);
    else if (e.key === "Escape" || e.key === "Tab") {
      if (e.key === "Escape") e.preventDefault();
      return close(e.key === "Escape");
    } else return;
    e.preventDefault();
  };
  return (
    <div className="view-menu" onBlur={(e) => !e.currentTarget.contains(e.relatedTarget as Node) && setOpen(false)}>
      <button ref={button} type="button" aria-haspopup="menu" aria-expanded={open} aria-label={`View: ${current.label}`} onClick={() => setOpen(!open)} data-testid="view-menu">
        {current.label} <span aria-hidden>▾</span>
      </button>
      {open && (
        <ul ref={list} role="menu" aria-label="Views" onKeyDown={onKey}>
          {TABS.map((t) => (
            <li key={t.id} role="none">
              <button
                type="button"
                role="menuitemradio"
                aria-checked={t.id === tab}
                aria-label={t.label}
                aria-keyshortcuts={describe(HOTKEYS[t.hotkey])}
                tabIndex={-1}
                onClick={() => {
                  onTab(t.id);
                  close(true);
                }}
              >
                <span>{t.label}</span>
                <kbd aria-hidden>{describe(HOTKEYS[t.hotkey])}</kbd>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
