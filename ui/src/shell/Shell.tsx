// The console window: one or more panes side by side (each its own account, server and
// workspace), the command palette, the compare view, accounts, and the keyboard help.
import { getCurrentWindow } from "@tauri-apps/api/window";
import { useCallback, useEffect, useMemo, useState } from "react";
import type { AccountView } from "../bindings/AccountView";
import type { PaneRef } from "../bindings/PaneRef";
import type { UiPrefs } from "../bindings/UiPrefs";
import type { Workspace } from "../bindings/Workspace";
import { call } from "../ipc";
import { describe, HOTKEYS, useHotkey } from "../hotkeys";
import { formatDateTime } from "../format";
import { Dialog } from "../kit/kit";
import { useCmd } from "../query";
import { visit, type PaletteItem } from "../palette";
import { Palette } from "../Palette";
import { Compare } from "../compare/Compare";
import { RestoreDialog } from "../workspace/Lifecycle";
import { Pane, type Tab } from "./Pane";
import { InvitationsDialog, useOffers } from "./Invitations";
import { useAccountSync } from "./sync";

const EMPTY_PREFS: UiPrefs = { favourites: [], recents: [], colours: {}, production: [], panes: [], last_workspace: {} };
type Slot = { account: string; workspace_id: string | null; focusCommunity: string | null; focusTab: { tab: Tab; at: number } | null };

export function Shell(props: { accounts: AccountView[]; onAddAccount: () => void; onAccountsChanged: () => void }) {
  const { accounts } = props;
  const [prefs, setPrefs] = useState<UiPrefs | null>(null);
  const [slots, setSlots] = useState<Slot[]>([]);
  const [focused, setFocused] = useState(0);
  const [shown, setShown] = useState<Record<number, Workspace | null>>({});
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [comparing, setComparing] = useState(false);
  const [accountsOpen, setAccountsOpen] = useState(false);
  const [help, setHelp] = useState(false);
  const [invitationsOpen, setInvitationsOpen] = useState(false);
  const offers = useOffers(accounts);

  useEffect(() => {
    call("ui_prefs", {})
      .then((p) => setPrefs(p))
      .catch(() => setPrefs(EMPTY_PREFS));
  }, []);
  // Panes come back as they were left, minus those whose account was signed out.
  useEffect(() => {
    if (!prefs) return;
    setSlots((cur) => {
      const known = new Set(accounts.map((a) => a.key));
      const base: Slot[] = cur.length ? cur : prefs.panes.map((p) => ({ ...p, focusCommunity: null, focusTab: null }));
      const kept = base.filter((s) => known.has(s.account));
      return kept.length ? kept : accounts.length ? [{ account: accounts[0].key, workspace_id: prefs.last_workspace[accounts[0].key] ?? null, focusCommunity: null, focusTab: null }] : [];
    });
  }, [prefs !== null, accounts]); // eslint-disable-line react-hooks/exhaustive-deps

  const savePrefs = useCallback((p: UiPrefs) => {
    setPrefs(p);
    call("save_ui_prefs", { prefs: p }).catch(() => {});
  }, []);
  // Remember the layout whenever a pane's workspace settles.
  useEffect(() => {
    if (!prefs || !slots.length) return;
    const panes: PaneRef[] = slots.flatMap((s, i) => {
      const id = shown[i]?.id ?? s.workspace_id;
      return id ? [{ account: s.account, workspace_id: id }] : [];
    });
    const last = { ...prefs.last_workspace };
    for (const p of panes) last[p.account] = p.workspace_id;
    if (JSON.stringify(panes) !== JSON.stringify(prefs.panes) || JSON.stringify(last) !== JSON.stringify(prefs.last_workspace)) {
      savePrefs({ ...prefs, panes, last_workspace: last });
    }
  }, [slots, shown]); // eslint-disable-line react-hooks/exhaustive-deps

  const { status, sync } = useAccountSync(useMemo(() => [...new Set(slots.map((s) => s.account))], [slots]));

  const focusedSlot = slots[Math.min(focused, slots.length - 1)];
  const focusedWs = shown[Math.min(focused, slots.length - 1)] ?? null;
  useEffect(() => {
    const title = focusedWs ? `${focusedWs.name} — Tenantry` : "Tenantry";
    document.title = title;
    getCurrentWindow().setTitle(title).catch(() => {});
  }, [focusedWs]);

  const setSlot = (i: number, s: Partial<Slot>) => setSlots((cur) => cur.map((x, j) => (j === i ? { ...x, ...s } : x)));
  const split = () => {
    if (slots.length >= 4 || !focusedSlot) return;
    setSlots([...slots, { ...focusedSlot, focusCommunity: null, focusTab: null }]);
    setFocused(slots.length);
  };
  const closePane = (i: number) => {
    setSlots(slots.filter((_, j) => j !== i));
    setShown({});
    setFocused(0);
  };

  useHotkey("palette", () => setPaletteOpen(true));
  useHotkey("sync", () => focusedSlot && sync(focusedSlot.account));
  useHotkey("split", split);
  useHotkey("nextPane", () => setFocused((f) => (f + 1) % Math.max(1, slots.length)));
  useHotkey("help", () => setHelp(true));

  // The palette lists the focused pane's account: its workspaces and all their communities.
  const [paletteItems, setPaletteItems] = useState<PaletteItem[]>([]);
  useEffect(() => {
    if (!paletteOpen || !focusedSlot) return;
    const account = focusedSlot.account;
    Promise.all([call("workspaces", { account, search: null }), call("all_communities", { account }).catch(() => [])]).then(([ws, cs]) => {
      const names = new Map(ws.map((w) => [w.id, w.name]));
      setPaletteItems([
        { key: "view:communities", label: "Communities", detail: "the focused pane's list of communities, with their intakes", kind: "action" },
        ...ws.map((w): PaletteItem => ({ key: `workspace:${w.id}`, label: w.name, detail: w.slug, kind: "workspace" })),
        ...cs.map((c): PaletteItem => ({ key: `community:${c.id}:${c.workspace_id}`, label: c.name, detail: names.get(c.workspace_id) ?? "", kind: "community" })),
      ]);
    });
  }, [paletteOpen, focusedSlot?.account]); // eslint-disable-line react-hooks/exhaustive-deps

  if (!prefs) return <p className="loading">Opening Tenantry…</p>;
  const byKey = new Map(accounts.map((a) => [a.key, a]));
  return (
    <div className="console">
      <div className="topbar">
        <strong className="brand">Tenantry</strong>
        <button type="button" onClick={() => setPaletteOpen(true)} title="Jump to a workspace or community">Go to… <kbd>{describe(HOTKEYS.palette)}</kbd></button>
        <button type="button" onClick={split} disabled={slots.length >= 4} title={`Open another pane side by side (${describe(HOTKEYS.split)})`}>Split pane</button>
        <button type="button" onClick={() => setComparing(true)} disabled={slots.length < 2} title={slots.length < 2 ? "Split the window first: compare needs two panes" : "Who is in one pane's workspace and not the other's"}>
          Compare panes
        </button>
        <span className="spacer" />
        {offers.count > 0 && (
          <button type="button" className="badge-button" onClick={() => setInvitationsOpen(true)}>
            Invitations ({offers.count})
          </button>
        )}
        <button type="button" onClick={() => setAccountsOpen(true)}>Accounts ({accounts.length})</button>
        <button type="button" onClick={() => setHelp(true)} aria-label="Keyboard shortcuts">?</button>
      </div>
      <div className="panes" data-count={slots.length}>
        {slots.map((s, i) => {
          const account = byKey.get(s.account);
          if (!account) return null;
          return (
            <Pane
              key={`${i}:${s.account}`}
              index={i}
              account={account}
              workspaceId={s.workspace_id}
              focusCommunity={s.focusCommunity}
              focusTab={s.focusTab}
              status={status[s.account]}
              prefs={prefs}
              focused={i === focused}
              closable={slots.length > 1}
              onFocus={() => setFocused(i)}
              onWorkspace={(id) => setSlot(i, { workspace_id: id, focusCommunity: null })}
              onClose={() => closePane(i)}
              onSync={() => sync(s.account)}
              onPrefs={savePrefs}
              onShown={(ws) => setShown((cur) => (cur[i]?.id === ws?.id && cur[i]?.name === ws?.name ? cur : { ...cur, [i]: ws }))}
            />
          );
        })}
      </div>
      {paletteOpen && (
        <Palette
          items={paletteItems}
          favourites={prefs.favourites}
          recents={prefs.recents}
          onClose={() => setPaletteOpen(false)}
          onToggleFavourite={(k) => savePrefs({ ...prefs, favourites: prefs.favourites.includes(k) ? prefs.favourites.filter((f) => f !== k) : [...prefs.favourites, k] })}
          onPick={(item) => {
            const [kind, id, parent] = item.key.split(":");
            const i = Math.min(focused, slots.length - 1);
            if (kind === "view") setSlot(i, { focusTab: { tab: id as Tab, at: Date.now() } });
            else setSlot(i, kind === "workspace" ? { workspace_id: id, focusCommunity: null } : { workspace_id: parent, focusCommunity: id });
            savePrefs({ ...prefs, recents: visit(prefs.recents, item.key) });
            setPaletteOpen(false);
          }}
        />
      )}
      {comparing && (
        <Compare
          panes={slots.flatMap((s, i) => {
            const ws = shown[i];
            const a = byKey.get(s.account);
            return ws && a ? [{ account: a, ws }] : [];
          })}
          onClose={() => setComparing(false)}
        />
      )}
      {accountsOpen && (
        <AccountsDialog
          accounts={accounts}
          onClose={() => setAccountsOpen(false)}
          onAdd={() => {
            setAccountsOpen(false);
            props.onAddAccount();
          }}
          onOpenInPane={(key) => {
            setSlots([...slots, { account: key, workspace_id: prefs.last_workspace[key] ?? null, focusCommunity: null, focusTab: null }].slice(-4));
            setFocused(Math.min(slots.length, 3));
            setAccountsOpen(false);
          }}
          onSignedOut={props.onAccountsChanged}
        />
      )}
      {help && <HelpDialog onClose={() => setHelp(false)} />}
      {invitationsOpen && <InvitationsDialog offers={offers.all} offline={(key) => status[key]?.offline != null} onClose={() => setInvitationsOpen(false)} />}
    </div>
  );
}

function AccountsDialog(props: { accounts: AccountView[]; onClose: () => void; onAdd: () => void; onOpenInPane: (key: string) => void; onSignedOut: () => void }) {
  // The accounts are the console's; what is known of each (e.g. platform admin, known after
  // its first sync) is read fresh when the dialog opens.
  const fresh = useCmd("list_accounts", {});
  const accounts = props.accounts.map((a) => fresh.data?.find((f) => f.key === a.key) ?? a);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [restoreFor, setRestoreFor] = useState<AccountView | null>(null);
  return (
    <Dialog title="Accounts" onClose={props.onClose} wide>
      <p className="muted small">Each account's session token is kept in the system keyring; signing out deletes it.</p>
      <table className="grid">
        <thead>
          <tr><th>Account</th><th>Server</th><th>Last sync</th><th /></tr>
        </thead>
        <tbody>
          {accounts.map((a) => (
            <tr key={a.key}>
              <td>{a.email}{a.user?.platform_admin && <span className="badge">platform admin</span>}</td>
              <td><code>{a.server}</code></td>
              <td>{a.last_sync_at ? formatDateTime(a.last_sync_at) : "never"}</td>
              <td>
                <div className="row wrap account-actions">
                  <button type="button" onClick={() => props.onOpenInPane(a.key)}>Open in a new pane</button>
                  {a.user?.platform_admin && <button type="button" onClick={() => setRestoreFor(a)}>Deleted workspaces…</button>}
                  <button
                    type="button"
                    disabled={busy === a.key}
                    onClick={async () => {
                      setBusy(a.key);
                      setError(null);
                      try {
                        await call("sign_out", { account: a.key });
                        props.onSignedOut();
                      } catch (e) {
                        setError((e as { message?: string }).message ?? String(e));
                      } finally {
                        setBusy(null);
                      }
                    }}
                    aria-label={`Sign out ${a.email}`}
                  >
                    Sign out
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {error && <p role="alert" className="error">{error}</p>}
      <div className="row">
        <button type="button" onClick={props.onAdd}>Add an account…</button>
      </div>
      {restoreFor && <RestoreDialog account={restoreFor} onClose={() => setRestoreFor(null)} />}
    </Dialog>
  );
}

function HelpDialog({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <table className="grid">
        <tbody>
          {Object.values(HOTKEYS).map((h) => (
            <tr key={h.label}>
              <td><kbd>{describe(h)}</kbd></td>
              <td>{h.label}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
